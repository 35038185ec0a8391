"""File downloads: ``GET /files/project-document/{id}``, ``/files/bid-file/{id}``,
``/files/qualification-certificate/{id}``, ``/files/contract-document/{id}``,
``/files/site-photo/{id}``, ``/files/site-photo-thumbnail/{id}`` and ``/files/invoice/{id}``.

Authorised either by a signed link from a ``downloadUrl`` field (the person it was issued
to, an expiry, an HMAC seal) or by an ``Authorization: Bearer`` header. Either way the row
scope of the person is checked again at download time, through the same DataLoader (and
so the same ``policies.scope`` function) as ``node(id:)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from app.context import RequestContext
from models.base import utcnow
from resolvers.accounts.auth import load_actor_by_id
from resolvers.core.i18n import translate
from resolvers.permissions.grants import with_grants
from resolvers.security.downloads import verify


def content_disposition(filename: str) -> str:
    """``attachment`` with the UTF-8 name (RFC 6266 / RFC 8187) and an ASCII fallback for
    clients that do not read ``filename*``."""
    fallback = "".join(c if " " <= c <= "~" and c not in '"\\%' else "_" for c in filename)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def _error(code: str, status: int, locale: str) -> JSONResponse:
    return JSONResponse({"error": code, "message": translate(code, locale)}, status_code=status, headers={"Cache-Control": "no-store"})


async def sign_in_for_download(state, ctx: RequestContext, request: Request, kind: str, row_id: int) -> Response | None:
    """Who is downloading: the person a signed link (``?actor=…&expires=…&signature=…``) was
    issued to for this ``kind`` and row, or the bearer of the request's token. Sets the
    context's actor and returns None, or the 401 answer for a bad link or nobody signed in."""
    locale = ctx.meta.locale
    q = request.query_params
    if "signature" in q:
        grant = verify(
            state.settings.jwt_secret,
            kind,
            row_id,
            q.get("actor", ""),
            q.get("expires", ""),
            q.get("signature", ""),
            int(utcnow().timestamp()),
            q.get("session"),
        )
        if grant is None:
            return _error("UNAUTHENTICATED", 401, locale)
        actor = await load_actor_by_id(ctx.reads.primary, grant.actor_kind, grant.actor_id, grant.session_id)
        ctx.set_actor(None if actor is None else await with_grants(ctx.policy, actor, ctx.state.clock.now()))
    if await ctx.actor() is None:
        return _error("UNAUTHENTICATED", 401, locale)
    return None


@dataclass
class File:
    data: bytes
    media_type: str
    filename: str
    sha256: str


async def _project_document(state, ctx: RequestContext, document_id: int) -> File | None:
    document = await ctx.loaders.project_document.load(document_id)
    if document is None:
        return None
    return File(await state.storage.get(document.storage_key), document.media_type, document.filename, document.sha256)


async def _bid_file(state, ctx: RequestContext, file_id: int) -> File | None:
    """A bid's document, decrypted: for its bidder always, for others once opened (both
    decided by the row scope of bids, through the same loaders as ``node``)."""
    from resolvers.tendering.bids import readable_file
    from resolvers.tendering.sealing import open_file

    row = await ctx.loaders.bid_file.load(file_id)
    bid = await ctx.loaders.bid.load(row.bid_id) if row is not None else None
    actor = await ctx.actor()
    if row is None or bid is None or actor is None:
        return None
    found = readable_file(state.cipher, bid, row.storage_key, own=bid.organisation_id == actor.organisation_id)
    if found is None:
        return None
    meta, key = found
    data = await state.storage.get(row.storage_key)
    return File(open_file(key, data), meta["media_type"], meta["filename"], meta["sha256"])


async def _certificate(state, ctx: RequestContext, qualification_id: int) -> File | None:
    """A qualification's scanned certificate, to whoever the qualification's row scope shows it."""
    row = await ctx.loaders.qualification.load(qualification_id)
    if row is None or row.certificate_sha256 is None:
        return None
    data = await state.storage.get(row.certificate_sha256)
    return File(
        data, row.certificate_media_type or "application/octet-stream", row.certificate_filename or "certificate", row.certificate_sha256
    )


async def _contract_document(state, ctx: RequestContext, document_id: int) -> File | None:
    """A contract's attached document, to whoever the contract's row scope shows it."""
    row = await ctx.loaders.contract_document.load(document_id)
    if row is None:
        return None
    return File(await state.storage.get(row.storage_key), row.media_type, row.filename, row.sha256)


async def _site_photo(state, ctx: RequestContext, photo_id: int) -> File | None:
    """A site photo's original, to whoever its contract's row scope shows it."""
    row = await ctx.loaders.site_photo.load(photo_id)
    if row is None:
        return None
    return File(await state.storage.get(row.storage_key), row.media_type, row.filename, row.sha256)


async def _site_photo_thumbnail(state, ctx: RequestContext, photo_id: int) -> File | None:
    row = await ctx.loaders.site_photo.load(photo_id)
    if row is None:
        return None
    stem = row.filename.rsplit(".", 1)[0]
    return File(await state.storage.get(row.thumbnail_key), "image/jpeg", f"{stem}-thumbnail.jpg", row.thumbnail_key)


async def _invoice(state, ctx: RequestContext, invoice_id: int) -> File | None:
    """An invoice's file as uploaded, to whoever its payment request's row scope shows it."""
    row = await ctx.loaders.invoice.load(invoice_id)
    if row is None:
        return None
    return File(await state.storage.get(row.storage_key), row.media_type, row.filename, row.sha256)


FILES = {
    "project-document": _project_document,
    "bid-file": _bid_file,
    "qualification-certificate": _certificate,
    "contract-document": _contract_document,
    "site-photo": _site_photo,
    "site-photo-thumbnail": _site_photo_thumbnail,
    "invoice": _invoice,
}


async def download_project_document(request: Request) -> Response:
    return await _serve(request, "project-document")


async def download_bid_file(request: Request) -> Response:
    return await _serve(request, "bid-file")


async def download_certificate(request: Request) -> Response:
    return await _serve(request, "qualification-certificate")


async def download_contract_document(request: Request) -> Response:
    return await _serve(request, "contract-document")


async def download_site_photo(request: Request) -> Response:
    return await _serve(request, "site-photo")


async def download_site_photo_thumbnail(request: Request) -> Response:
    return await _serve(request, "site-photo-thumbnail")


async def download_invoice(request: Request) -> Response:
    return await _serve(request, "invoice")


async def _serve(request: Request, kind: str) -> Response:
    state = request.app.state.smallworks
    ctx = RequestContext.for_request(state, request)
    try:
        return await _download(state, ctx, request, kind)
    finally:
        await ctx.close()


async def _download(state, ctx: RequestContext, request: Request, kind: str) -> Response:
    locale = ctx.meta.locale
    raw_id = request.path_params["document_id"]
    if not (raw_id.isascii() and raw_id.isdigit()):
        return _error("NOT_FOUND", 404, locale)
    document_id = int(raw_id)
    refused = await sign_in_for_download(state, ctx, request, kind, document_id)
    if refused is not None:
        return refused
    file = await FILES[kind](state, ctx, document_id)
    if file is None:
        return _error("NOT_FOUND", 404, locale)
    return Response(
        file.data,
        media_type=file.media_type,
        headers={
            "Content-Disposition": content_disposition(file.filename),
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
            "ETag": f'"{file.sha256}"',
        },
    )
