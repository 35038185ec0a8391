"""GET /healthz checks the database, and Redis when it is configured."""

from __future__ import annotations

import socket

import httpx
from conftest import make_settings

from app.main import create_app


async def _health(settings):
    app = create_app(settings)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        response = await c.get("/healthz")
    await app.state.smallworks.close()
    return response


async def test_healthz_reports_database(client):
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok"}}


async def test_healthz_reports_redis_when_configured(database_url):
    response = await _health(make_settings(database_url, redis_url="redis://127.0.0.1:6379/0"))
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "redis": "ok"}


async def test_healthz_fails_when_redis_is_unreachable(database_url):
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    response = await _health(make_settings(database_url, redis_url=f"redis://127.0.0.1:{port}/0"))
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error" and body["checks"]["database"] == "ok"
    assert body["checks"]["redis"].startswith("error")
