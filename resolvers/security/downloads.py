"""Signed download links: a URL that names the file, the person it was issued to (and the
sign-in session it came from, so signing out ends it) and an expiry, sealed with
HMAC-SHA256. The download handler checks the seal, then checks row scope again for that
person at download time."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from urllib.parse import urlencode


@dataclass(frozen=True)
class DownloadGrant:
    kind: str  # which file table, e.g. "project-document"
    file_id: int
    actor_kind: str
    actor_id: int
    expires: int
    session_id: str | None = None


def _mac(secret: str, grant: DownloadGrant) -> str:
    message = f"{grant.kind}:{grant.file_id}:{grant.actor_kind}:{grant.actor_id}:{grant.expires}:{grant.session_id or ''}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signed_path(secret: str, grant: DownloadGrant) -> str:
    params = {"actor": f"{grant.actor_kind}:{grant.actor_id}", "expires": grant.expires}
    if grant.session_id:
        params["session"] = grant.session_id
    query = urlencode({**params, "signature": _mac(secret, grant)})
    return f"/files/{grant.kind}/{grant.file_id}?{query}"


def verify(
    secret: str, kind: str, file_id: int, actor: str, expires: str, signature: str, now: int, session: str | None = None
) -> DownloadGrant | None:
    """The grant if the link is authentic and unexpired, else None."""
    actor_kind, _, actor_id = (actor or "").partition(":")
    if not (actor_id.isascii() and actor_id.isdigit()) or not ((expires or "").isascii() and (expires or "").isdigit()):
        return None
    grant = DownloadGrant(kind, file_id, actor_kind, int(actor_id), int(expires), session or None)
    if not hmac.compare_digest(_mac(secret, grant), signature or ""):
        return None
    if grant.expires < now:
        return None
    return grant
