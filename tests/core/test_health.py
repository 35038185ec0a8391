"""GET /healthz is liveness (the process answers, whatever the database does); GET /readyz
is readiness: the database reachable and at the latest migration, Redis when configured."""

from __future__ import annotations

import asyncio

import httpx
from conftest import make_settings
from servers import free_port

from app.main import create_app
from app.migrate import upgrade


async def _get(settings, path: str) -> httpx.Response:
    app = create_app(settings)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        response = await c.get(path)
    await app.state.smallworks.close()
    return response


async def test_healthz_is_liveness(client):
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response.headers["cache-control"] == "no-store"


async def test_healthz_answers_while_the_database_is_down_and_readyz_does_not():
    settings = make_settings(f"postgresql://postgres@127.0.0.1:{free_port()}/gone")
    assert (await _get(settings, "/healthz")).status_code == 200
    ready = await _get(settings, "/readyz")
    assert ready.status_code == 503
    body = ready.json()
    assert body["status"] == "error"
    assert body["checks"]["database"].startswith("error")
    assert body["checks"]["migrations"] == "not checked"
    assert "127.0.0.1" not in ready.text and "gone" not in ready.text  # no host or database name


async def test_readyz_on_a_migrated_database(client):
    await client.post("/graphql", json={"query": "{ __typename }"})  # the process loads its policy
    response = await client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert {k: v for k, v in body.items() if k != "policy_version"} == {"status": "ok", "checks": {"database": "ok", "migrations": "ok"}}
    assert response.headers["cache-control"] == "no-store"
    # The policy version it enforces, also on every response.
    assert isinstance(body["policy_version"], int) and body["policy_version"] >= 1
    assert response.headers["x-smallworks-policy-version"] == str(body["policy_version"])


async def test_readyz_on_a_database_never_migrated(empty_database_url):
    response = await _get(make_settings(empty_database_url), "/readyz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "checks": {"database": "ok", "migrations": "not migrated"}, "policy_version": None}


async def test_readyz_on_a_database_behind_the_latest_migration_until_it_is_migrated(empty_database_url):
    await asyncio.to_thread(upgrade, empty_database_url, "0003")
    settings = make_settings(empty_database_url)
    app = create_app(settings)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        behind = await c.get("/readyz")
        assert behind.status_code == 503
        assert behind.json()["checks"] == {"database": "ok", "migrations": "behind"}
        await asyncio.to_thread(upgrade, empty_database_url)
        # The same process becomes ready once the database is migrated.
        ready = await c.get("/readyz")
        assert ready.status_code == 200, ready.text
    await app.state.smallworks.close()


async def test_readyz_reports_redis_when_configured(database_url):
    response = await _get(make_settings(database_url, redis_url="redis://127.0.0.1:6379/0"), "/readyz")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "migrations": "ok", "redis": "ok"}


async def test_readyz_fails_when_redis_is_unreachable(database_url):
    response = await _get(make_settings(database_url, redis_url=f"redis://127.0.0.1:{free_port()}/0"), "/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["checks"]["database"] == "ok" and body["checks"]["migrations"] == "ok"
    assert body["checks"]["redis"].startswith("error")
