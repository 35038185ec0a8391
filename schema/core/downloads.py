"""Signed download links (``downloadUrl`` fields): for the viewer only, valid 10 minutes,
checked again against the row scope when the file is fetched (``app/files.py``)."""

from __future__ import annotations

from typing import Any

from models.base import utcnow
from resolvers.security.downloads import DownloadGrant, signed_path

DOWNLOAD_LINK_SECONDS = 600


def link_for(info: Any, actor: Any, kind: str, row_id: int) -> str:
    """The path that downloads the ``kind`` file of row ``row_id`` for ``actor``."""
    expires = int(utcnow().timestamp()) + DOWNLOAD_LINK_SECONDS
    grant = DownloadGrant(kind, row_id, actor.kind, actor.id, expires, actor.session_id)
    return signed_path(info.context.settings.jwt_secret, grant)


async def download_link(info: Any, kind: str, row_id: int) -> str | None:
    """The viewer's link, or None for someone not signed in."""
    actor = await info.context.actor()
    return None if actor is None else link_for(info, actor, kind, row_id)
