"""Open data: ``GET /ocds/releases`` (release packages, paged) and ``GET /ocds/records/{ocid}``
(a record package), public and anonymous, in OCDS 1.1.5 (``resolvers.supervision.ocds``).

``/ocds/releases`` takes ``since`` and ``until`` (release date: from, inclusive; to,
exclusive; an ISO 8601 date-time with its offset, or a date meaning its midnight in China),
``ocid`` (one process), ``limit`` (releases per page, at most ``SMALLWORKS_OCDS_PAGE_SIZE``)
and ``cursor`` (from the previous page's ``links.next``). Releases come in the order they were
published, so a reader that keeps the last ``links.next`` misses nothing published later.
A filter that matches nothing is 404: an OCDS package holds at least one release.
"""

from __future__ import annotations

from urllib.parse import quote, urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from resolvers.core.errors import BadInput
from resolvers.core.i18n import negotiate, translate
from resolvers.supervision import ocds

# Anyone may read the data, from any web page; a page stays as it is except the last one.
HEADERS = {"Access-Control-Allow-Origin": "*", "Cache-Control": "public, max-age=60"}


def _error(request: Request, status: int, code: str, **params) -> JSONResponse:
    locale = negotiate(request.headers.get("accept-language"))
    return JSONResponse(
        {"error": code, "message": translate(code, locale, **params)},
        status_code=status,
        headers={"Access-Control-Allow-Origin": "*", "Cache-Control": "no-store"},
    )


def _base(request: Request) -> str:
    """Where this API is reached from outside: the configured address, else the request's."""
    configured = request.app.state.smallworks.settings.ocds_base_url
    return configured or str(request.base_url).rstrip("/")


def _json(body: bytes) -> Response:
    return Response(body, media_type="application/json", headers=HEADERS)


async def releases(request: Request) -> Response:
    state = request.app.state.smallworks
    settings = state.settings
    query = request.query_params
    try:
        since = ocds.parse_moment("since", query.get("since"))
        until = ocds.parse_moment("until", query.get("until"))
        if since is not None and until is not None and since >= until:
            raise BadInput("INVALID_TIME_RANGE")
        size = ocds.parse_limit(query.get("limit"), settings.ocds_page_size)
        ocid = query.get("ocid") or None
        async with state.db.read() as session:
            page = await ocds.release_page(session, since=since, until=until, ocid=ocid, after=query.get("cursor") or None, size=size)
    except BadInput as error:
        return _error(request, 400, error.code, **error.params)
    if not page.texts:
        return _error(request, 404, "OCDS_NO_RELEASES")
    kept = [(k, v) for k, v in query.multi_items() if k in ("since", "until", "ocid", "limit")]
    path = f"{_base(request)}/ocds/releases"
    own = kept + ([("cursor", query["cursor"])] if query.get("cursor") else [])
    uri = f"{path}?{urlencode(own)}" if own else path
    next_uri = f"{path}?{urlencode([*kept, ('cursor', page.next_cursor)])}" if page.next_cursor else None
    return _json(ocds.release_package(settings, page, uri, next_uri))


async def record(request: Request) -> Response:
    state = request.app.state.smallworks
    ocid = request.path_params["ocid"]
    base = _base(request)
    async with state.db.read() as session:
        body = await ocds.record_package(
            session,
            state.settings,
            ocid,
            uri=f"{base}/ocds/records/{quote(ocid, safe='')}",
            releases_uri=f"{base}/ocds/releases?{urlencode({'ocid': ocid})}",
        )
    if body is None:
        return _error(request, 404, "OCDS_RECORD_NOT_FOUND", ocid=ocid[:80])
    return _json(body)
