"""File downloads: ``GET /files/project-document/{id}``.

Authorised either by a signed link from a ``downloadUrl`` field (the person it was issued
to, an expiry, an HMAC seal) or by an ``Authorization: Bearer`` header. Either way the row
scope of the person is checked again at download time, through the same DataLoader (and
so the same ``policies.scope`` function) as ``node(id:)``.
"""

from __future__ import annotations

from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from app.context import RequestContext
from models.base import utcnow
from resolvers.accounts.auth import load_actor_by_id
from resolvers.core.i18n import translate
from resolvers.security.downloads import verify


def content_disposition(filename: str) -> str:
    """``attachment`` with the UTF-8 name (RFC 6266 / RFC 8187) and an ASCII fallback for
    clients that do not read ``filename*``."""
    fallback = "".join(c if " " <= c <= "~" and c not in '"\\%' else "_" for c in filename)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def _error(code: str, status: int, locale: str) -> JSONResponse:
    return JSONResponse({"error": code, "message": translate(code, locale)}, status_code=status, headers={"Cache-Control": "no-store"})


async def download_project_document(request: Request) -> Response:
    state = request.app.state.smallworks
    ctx = RequestContext.for_request(state, request)
    try:
        return await _download(state, ctx, request)
    finally:
        await ctx.close()


async def _download(state, ctx: RequestContext, request: Request) -> Response:
    locale = ctx.meta.locale
    raw_id = request.path_params["document_id"]
    if not (raw_id.isascii() and raw_id.isdigit()):
        return _error("NOT_FOUND", 404, locale)
    document_id = int(raw_id)
    q = request.query_params
    if "signature" in q:
        grant = verify(
            state.settings.jwt_secret,
            "project-document",
            document_id,
            q.get("actor", ""),
            q.get("expires", ""),
            q.get("signature", ""),
            int(utcnow().timestamp()),
            q.get("session"),
        )
        if grant is None:
            return _error("UNAUTHENTICATED", 401, locale)
        ctx.set_actor(await load_actor_by_id(ctx.reads.primary, grant.actor_kind, grant.actor_id, grant.session_id))
    if await ctx.actor() is None:
        return _error("UNAUTHENTICATED", 401, locale)
    document = await ctx.loaders.project_document.load(document_id)
    if document is None:
        return _error("NOT_FOUND", 404, locale)
    data = await state.storage.get(document.storage_key)
    return Response(
        data,
        media_type=document.media_type,
        headers={
            "Content-Disposition": content_disposition(document.filename),
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
            "ETag": f'"{document.sha256}"',
        },
    )
