"""GraphiQL served by the application itself (development and test only): the page and
the scripts and styles it loads, vendored under ``app/static/graphiql`` (versions and
licences in the README there). Nothing is loaded from a CDN, so the IDE works on networks
that reach no public host (政务外网).

The page refers to its assets relative to /graphql (``graphiql/static/<name>?v=<digest>``),
so it works behind a reverse proxy that adds a path prefix. The digest of the content is in
every address, so the assets are cached for a year and a changed file is a new address."""

from __future__ import annotations

import base64
import gzip
import hashlib
from dataclasses import dataclass
from functools import cache
from html import escape
from pathlib import Path

from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response

STATIC = Path(__file__).resolve().parent / "static" / "graphiql"
ROUTE = "/graphiql/static/{name}"
MEDIA_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}

# In the order the page loads them: React first, GraphiQL (needs React), the explorer
# plugin (needs GraphiQL), then the page's own script.
STYLES = ("graphiql-3.8.3.min.css", "plugin-explorer-1.0.2.css")
SCRIPTS = (
    "react-18.2.0.production.min.js",
    "react-dom-18.2.0.production.min.js",
    "graphiql-3.8.3.min.js",
    "plugin-explorer-1.0.2.umd.js",
    "smallworks-graphiql.js",
)
# The published packages' digests (Subresource Integrity); the page names them, so a
# browser runs none of these files if it differs from the release (a changed file, or a
# proxy that rewrites what passes through it). The page's own script gets its digest
# from its content.
PINNED = {
    "react-18.2.0.production.min.js": "sha384-tMH8h3BGESGckSAVGZ82T9n90ztNXxvdwvdM6UoR56cYcf+0iGXBliJ29D+wZ/x8",
    "react-dom-18.2.0.production.min.js": "sha384-bm7MnzvK++ykSwVJ2tynSE5TRdN+xL418osEVF2DE/L/gfWHj91J2Sphe582B1Bh",
    "graphiql-3.8.3.min.js": "sha384-HbRVEFG0JGJZeAHCJ9Xm2+tpknBQ7QZmNlO/DgZtkZ0aJSypT96YYGRNod99l9Ie",
    "graphiql-3.8.3.min.css": "sha384-Mq3vbRBY71jfjQAt/DcjxUIYY33ksal4cgdRt9U/hNPvHBCaT2JfJ/PTRiPKf0aM",
    "plugin-explorer-1.0.2.umd.js": "sha384-2oonKe47vfHIZnmB6ZZ10vl7T0Y+qrHQF2cmNTaFDuPshpKqpUMGMc9jgj9MLDZ9",
    "plugin-explorer-1.0.2.css": "sha384-5DFJlDPW2tSATRbM8kzoP1j194jexLswuNmClWoRr2Q0x7R68JIQzPHZ02Faktwi",
}

# Everything comes from this server: the page has no inline script, and the browser is told
# to load nothing from elsewhere. GraphiQL sets inline styles and embeds its fonts as data:.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    )
)

PAGE = """<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>smallworks GraphiQL</title>
    <link rel="icon" href="data:,">
{styles}
    <style>
      body {{ margin: 0; height: 100%; width: 100%; overflow: hidden; }}
      #graphiql {{ height: 100vh; display: flex; }}
    </style>
  </head>
  <body>
    <div id="graphiql" class="graphiql-container">Loading…</div>
{scripts}
  </body>
</html>
"""


@dataclass(frozen=True)
class Asset:
    body: bytes
    gzipped: bytes
    media_type: str
    digest: str


@cache
def asset(name: str) -> Asset | None:
    """A vendored file by its name (only the files the page loads), read once per process."""
    if name not in STYLES + SCRIPTS:
        return None
    body = (STATIC / name).read_bytes()
    return Asset(body, gzip.compress(body, 6, mtime=0), MEDIA_TYPES[Path(name).suffix], hashlib.sha256(body).hexdigest()[:16])


def _reference(name: str) -> str:
    """``href``/``src`` and ``integrity`` attributes of an asset."""
    found = asset(name)
    assert found is not None
    integrity = PINNED.get(name) or "sha384-" + base64.b64encode(hashlib.sha384(found.body).digest()).decode()
    return f'"{escape(ROUTE.removeprefix("/").format(name=name))}?v={found.digest}" integrity="{integrity}"'


@cache
def page() -> str:
    styles = "\n".join(f'    <link rel="stylesheet" href={_reference(name)}>' for name in STYLES)
    scripts = "\n".join(f"    <script src={_reference(name)}></script>" for name in SCRIPTS)
    return PAGE.format(styles=styles, scripts=scripts)


def page_response() -> HTMLResponse:
    return HTMLResponse(page(), headers={"Content-Security-Policy": CONTENT_SECURITY_POLICY, "Cache-Control": "no-cache"})


async def static_file(request: Request) -> Response:
    """GET /graphiql/static/{name}: a vendored asset, gzipped when the client accepts it."""
    found = asset(request.path_params["name"])
    if found is None:
        return PlainTextResponse("Not Found", status_code=404)
    headers = {"Cache-Control": "public, max-age=31536000, immutable", "X-Content-Type-Options": "nosniff", "Vary": "Accept-Encoding"}
    body = found.body
    if "gzip" in request.headers.get("accept-encoding", "").lower():
        body = found.gzipped
        headers["Content-Encoding"] = "gzip"
    return Response(body, media_type=found.media_type, headers=headers)
