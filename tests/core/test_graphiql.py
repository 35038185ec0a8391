"""GraphiQL is served by the application itself: the page refers only to this server's
files, each of which is served, cached, typed and matching its integrity digest; in
production there is neither the page nor the files."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import httpx
import pytest
from conftest import make_settings

from app.main import create_app

pytestmark = pytest.mark.once

IDE = {"Accept": "text/html"}


class References(HTMLParser):
    """Every src and href of a page, with the tag's attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        named = dict(attrs)
        for key in ("src", "href"):
            if named.get(key):
                self.found.append((tag, named))


def references(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = References()
    parser.feed(html)
    return parser.found


async def test_the_page_loads_only_files_of_this_server(client):
    page = await client.get("/graphql", headers=IDE)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    html = page.text
    assert not re.search(r"(?i)https?:|//|@import", html), "the page must name no other host"
    policy = page.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "script-src 'self';" in policy

    found = references(html)
    scripts = [a["src"] for tag, a in found if tag == "script"]
    styles = [a["href"] for tag, a in found if tag == "link" and a.get("rel") == "stylesheet"]
    assert len(scripts) == 5 and len(styles) == 2
    assert "<script>" not in html  # no inline script: the policy allows none
    for tag, attrs in found:
        address = attrs.get("src") or attrs.get("href") or ""
        if address == "data:,":  # the empty icon
            continue
        url = urljoin(str(page.url), address)
        assert urlsplit(url).netloc == "testserver" and urlsplit(url).path.startswith("/graphiql/static/")
        response = await client.get(url, headers={"Accept-Encoding": "identity"})
        assert response.status_code == 200, url
        expected = "text/javascript" if tag == "script" else "text/css"
        assert response.headers["content-type"] == f"{expected}; charset=utf-8"
        assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert response.headers["x-content-type-options"] == "nosniff"
        assert len(response.content) > 500
        digest = "sha384-" + base64.b64encode(hashlib.sha384(response.content).digest()).decode()
        assert attrs["integrity"] == digest, f"{url} differs from its pinned digest"


async def test_stylesheets_load_nothing_from_elsewhere(client):
    html = (await client.get("/graphql", headers=IDE)).text
    for _tag, attrs in references(html):
        if attrs.get("rel") != "stylesheet":
            continue
        css = (await client.get(urljoin("http://testserver/graphql", attrs["href"] or ""))).text
        targets = re.findall(r"url\(\s*['\"]?([^'\")]+)", css)
        if "graphiql-3" in (attrs["href"] or ""):
            assert len(targets) >= 10, "the GraphiQL stylesheet embeds its fonts"
        assert all(t.startswith("data:") for t in targets), targets
        assert "@import" not in css


async def test_assets_are_gzipped_for_clients_that_accept_it(client):
    html = (await client.get("/graphql", headers=IDE)).text
    script = next(a["src"] for tag, a in references(html) if tag == "script" and "graphiql-3" in (a["src"] or ""))
    url = urljoin("http://testserver/graphql", script)
    plain = await client.get(url, headers={"Accept-Encoding": "identity"})
    zipped = await client.get(url, headers={"Accept-Encoding": "gzip, deflate"})
    assert "content-encoding" not in plain.headers
    assert zipped.headers["content-encoding"] == "gzip" and zipped.headers["vary"] == "Accept-Encoding"
    assert int(zipped.headers["content-length"]) < len(plain.content) / 3
    assert zipped.content == plain.content  # httpx decompressed it


async def test_only_the_pages_files_are_served(client):
    for path in (
        "/graphiql/static/README.md",
        "/graphiql/static/licences",
        "/graphiql/static/..%2F..%2Fsettings.py",
        "/graphiql/static/graphiql-3.8.3.min.js.map",
    ):
        assert (await client.get(path)).status_code == 404, path


async def test_production_serves_no_graphiql(database_url):
    from app import graphiql

    settings = make_settings(
        database_url,
        env="production",
        jwt_secret="p" * 48,
        data_keys=json.dumps({"k1": base64.b64encode(b"k" * 32).decode()}),
        data_key_id="k1",
        checkpoint_private_key=base64.b64encode(b"c" * 32).decode(),
    )
    app = create_app(settings)
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
            page = await c.get("/graphql", headers=IDE)
            assert page.status_code != 200 and "graphiql" not in page.text.lower()
            for name in graphiql.SCRIPTS + graphiql.STYLES:
                assert (await c.get(f"/graphiql/static/{name}")).status_code == 404, name
    finally:
        await app.state.smallworks.close()
