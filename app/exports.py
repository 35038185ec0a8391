"""Export downloads: ``GET /files/export/{id}``, the file of a ready export job.

Authorised like the other file downloads (``app/files.py``): a signed link from the job's
``url`` field (the person it was issued to, an expiry, an HMAC seal) or an ``Authorization:
Bearer`` header. Either way the job must be that person's own, ready and not expired, and the
policy must still let them run the list or report it was written from. The file is streamed
from storage, never read whole into memory.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from app.context import RequestContext
from app.files import content_disposition
from models.base import utcnow
from resolvers.accounts.auth import load_actor_by_id
from resolvers.core.errors import DomainError
from resolvers.core.i18n import translate
from resolvers.security.downloads import verify
from resolvers.supervision import exports

KIND = "export"
# The HTTP status of each refusal.
STATUSES = {"NOT_FOUND": 404, "FORBIDDEN": 403, "EXPORT_NOT_READY": 409, "EXPORT_EXPIRED": 410}


def _error(code: str, status: int, locale: str, **params) -> JSONResponse:
    message = translate(code, locale, **params)
    return JSONResponse({"error": code, "message": message}, status_code=status, headers={"Cache-Control": "no-store"})


async def download_export(request: Request) -> Response:
    state = request.app.state.smallworks
    ctx = RequestContext.for_request(state, request)
    try:
        return await _download(state, ctx, request)
    finally:
        await ctx.close()


async def _download(state, ctx: RequestContext, request: Request) -> Response:
    locale = ctx.meta.locale
    raw_id = request.path_params["job_id"]
    if not (raw_id.isascii() and raw_id.isdigit()) or len(raw_id) > 19:
        return _error("NOT_FOUND", 404, locale)
    job_id = int(raw_id)
    q = request.query_params
    if "signature" in q:
        grant = verify(
            state.settings.jwt_secret,
            KIND,
            job_id,
            q.get("actor", ""),
            q.get("expires", ""),
            q.get("signature", ""),
            int(utcnow().timestamp()),
            q.get("session"),
        )
        if grant is None:
            return _error("UNAUTHENTICATED", 401, locale)
        ctx.set_actor(await load_actor_by_id(ctx.reads.primary, grant.actor_kind, grant.actor_id, grant.session_id))
    actor = await ctx.actor()
    if actor is None:
        return _error("UNAUTHENTICATED", 401, locale)
    try:
        async with ctx.read() as session:
            file = await exports.export_file(session, state.policy, actor, job_id, state.clock.now())
    except DomainError as refused:
        return _error(refused.code, STATUSES.get(refused.code, STATUSES.get(refused.graphql_code, 400)), locale, **refused.params)
    storage = exports.export_storage(state.settings)
    if not storage.exists(file.storage_key):
        return _error("EXPORT_EXPIRED", 410, locale)
    return StreamingResponse(
        storage.stream(file.storage_key),
        media_type=file.media_type,
        headers={
            "Content-Disposition": content_disposition(file.filename),
            "Content-Length": str(file.size),
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
            "ETag": f'"{file.sha256}"',
        },
    )
