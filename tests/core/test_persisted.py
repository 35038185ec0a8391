"""Persisted queries shared by every server process through Redis, trusted documents
registered by operators, and the trusted-documents mode that runs nothing else."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
import pytest_asyncio
from conftest import DEMO_PASSWORD, TMP, make_settings, unique
from httpx_ws import aconnect_ws
from httpx_ws.transport import ASGIWebSocketTransport
from sqlalchemy import select

from models.audit import AuditEvent
from resolvers.core.context import SYSTEM_ACTOR, RequestMeta
from resolvers.core.transaction import unit_of_work
from resolvers.permissions import trusted
from resolvers.permissions.trusted import Document
from schema.core.documents import digest_of

REDIS_URL = "redis://127.0.0.1:6379/0"
EXECUTOR = "X-Smallworks-Executor"


def by_hash(text: str) -> dict:
    return {"persistedQuery": {"version": 1, "sha256Hash": digest_of(text)}}


def a_query() -> str:
    """A query text no server has seen (a unique alias)."""
    return f"{{ {unique('q')}: viewer {{ kind }} }}"


async def signed_in(client: httpx.AsyncClient) -> None:
    r = await client.post("/auth/token", data={"grant_type": "password", "username": "admin", "password": DEMO_PASSWORD})
    assert r.status_code == 200, r.text
    client.headers["Authorization"] = f"Bearer {r.json()['access_token']}"


class Server:
    """One server process's app, with a signed-in client."""

    def __init__(self, settings):
        from app.main import create_app

        self.app = create_app(settings)
        self.state = self.app.state.smallworks
        self.client = httpx.AsyncClient(transport=httpx.ASGITransport(app=self.app), base_url="http://testserver")

    async def post(self, body: dict, **headers: str) -> httpx.Response:
        return await self.client.post("/graphql", json=body, headers={"Accept-Language": "en", **headers})

    async def close(self) -> None:
        await self.client.aclose()
        await self.state.close()


@pytest_asyncio.fixture
async def servers(state, database_url):
    """Start servers of the given settings; all closed at the end."""
    started: list[Server] = []

    async def start(**overrides) -> Server:
        server = Server(make_settings(database_url, **overrides))
        await signed_in(server.client)
        started.append(server)
        return server

    yield start
    for server in started:
        await server.close()


async def register(state, *texts: str) -> list[Document]:
    documents = [Document(digest_of(t), t, None) for t in texts]
    async with unit_of_work(state, "test.trusted-documents", SYSTEM_ACTOR, RequestMeta(request_id="test")) as uow:
        return await trusted.register(uow, documents)


# -- persisted queries through Redis -----------------------------------------------------


async def test_a_hash_registered_on_one_process_is_known_to_another_through_redis(servers):
    first, second = await servers(redis_url=REDIS_URL), await servers(redis_url=REDIS_URL)
    alone = await servers()  # no Redis: keeps its own hashes only
    text = a_query()
    unknown = await second.post({"extensions": by_hash(text)})
    assert unknown.status_code == 200
    assert unknown.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"

    registered = await first.post({"query": text, "extensions": by_hash(text)})
    assert registered.json()["data"] is not None

    for _ in range(2):  # the second request of a known text runs compiled
        answer = await second.post({"extensions": by_hash(text)})
        assert answer.status_code == 200
        assert list(answer.json()["data"].values()) == [{"kind": "user"}]
    assert answer.headers[EXECUTOR] == "compiled"
    got = await second.client.get("/graphql", params={"extensions": json.dumps(by_hash(text))})
    assert list(got.json()["data"].values()) == [{"kind": "user"}]

    assert (await alone.post({"extensions": by_hash(text)})).json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"


async def test_a_hash_in_redis_expires(servers):
    server = await servers(redis_url=REDIS_URL, persisted_query_ttl_seconds=60)
    text = a_query()
    await server.post({"query": text, "extensions": by_hash(text)})
    ttl = await server.state.queries.redis.ttl(f"smallworks:persisted-query:{digest_of(text)}")
    assert 0 < ttl <= 60


# -- trusted documents ---------------------------------------------------------------------


async def test_every_server_knows_a_trusted_document_by_its_hash(servers):
    text = a_query()
    assert [d.sha256 for d in await register((await servers()).state, text)] == [digest_of(text)]
    fresh = await servers()  # never saw the text
    answer = await fresh.post({"extensions": by_hash(text)})
    assert list(answer.json()["data"].values()) == [{"kind": "user"}]


@pytest.mark.parametrize("executor", ["general", "compiled"])
async def test_trusted_mode_runs_registered_documents_only(servers, executor):
    server = await servers(trusted_documents_only=True)
    headers = {EXECUTOR: "general"} if executor == "general" else {}
    allowed, other = a_query(), a_query()
    await register(server.state, allowed)

    for _ in range(2):  # the second request of a text runs compiled, unless told otherwise
        as_text = await server.post({"query": allowed}, **headers)
        assert as_text.status_code == 200 and list(as_text.json()["data"].values()) == [{"kind": "user"}], as_text.text
    assert as_text.headers[EXECUTOR] == executor
    as_hash = await server.post({"extensions": by_hash(allowed)}, **headers)
    assert list(as_hash.json()["data"].values()) == [{"kind": "user"}]

    for body in ({"query": other}, {"extensions": by_hash(other)}, {"query": other, "extensions": by_hash(other)}):
        refused = await server.post(body, **headers)
        assert refused.status_code == 400, refused.text
        [error] = refused.json()["errors"]
        assert error["extensions"] == {"code": "DOCUMENT_NOT_TRUSTED"}
        assert error["message"] == "This server runs registered documents only, and this document is not registered."
    # Refused registration leaves nothing behind: still unknown, still refused.
    assert (await server.post({"extensions": by_hash(other)})).status_code == 400


async def test_a_removed_document_is_refused_once_the_change_reaches_the_server(servers):
    server = await servers(trusted_documents_only=True, trusted_documents_cache_seconds=3600)
    text = a_query()
    await register(server.state, text)
    assert (await server.post({"query": text})).status_code == 200
    async with unit_of_work(server.state, "test.trusted-documents", SYSTEM_ACTOR, RequestMeta(request_id="test")) as uow:
        assert await trusted.remove(uow, digest_of(text))
    server.state.trusted.forget()  # what the Redis announcement does in every process
    assert (await server.post({"query": text})).json()["errors"][0]["extensions"]["code"] == "DOCUMENT_NOT_TRUSTED"


async def test_trusted_mode_refuses_an_unregistered_subscription(servers):
    server = await servers(trusted_documents_only=True)
    token = server.client.headers["Authorization"].split()[1]
    query = "subscription { notificationReceived { eventType } }"
    async with httpx.AsyncClient(transport=ASGIWebSocketTransport(server.app), base_url="http://testserver") as client:
        async with aconnect_ws("/graphql", client, subprotocols=["graphql-transport-ws"]) as ws:
            await ws.send_json({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}})
            assert (await ws.receive_json())["type"] == "connection_ack"
            await ws.send_json({"type": "subscribe", "id": "1", "payload": {"query": query}})
            message = await ws.receive_json(timeout=10)
    assert message["type"] in ("next", "error"), message
    errors = message["payload"]["errors"] if message["type"] == "next" else message["payload"]
    assert errors[0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert errors[0]["extensions"]["reason"] == "DOCUMENT_NOT_TRUSTED"


async def test_registration_is_audited_and_idempotent(state):
    text = a_query()
    assert len(await register(state, text)) == 1
    assert await register(state, text) == []
    async with state.db.read() as session:
        events = (await session.scalars(select(AuditEvent).where(AuditEvent.target_id == digest_of(text)))).all()
    assert [(e.target_type, e.operation) for e in events] == [("TrustedDocument", "test.trusted-documents")]


# -- the command ---------------------------------------------------------------------------


def run_cli(database_url: str, *args: str):
    """``smallworks trusted-documents …`` in this process, with its own settings."""
    from typer.testing import CliRunner

    from app.cli import app
    from app.settings import get_settings

    get_settings.cache_clear()
    try:
        env = {"SMALLWORKS_DATABASE_URL": database_url, "SMALLWORKS_ENV": "development", "SMALLWORKS_REDIS_URL": ""}
        return CliRunner().invoke(app, ["trusted-documents", *args], env=env)
    finally:
        get_settings.cache_clear()


def test_the_command_registers_lists_and_removes_documents(database_url):
    folder = Path(TMP) / unique("manifest")
    folder.mkdir(parents=True)
    good, other = "query Mine { viewer { kind } }", "query Theirs { projects(first: 5) { totalCount } }"
    manifest = folder / "manifest.json"
    manifest.write_text(
        json.dumps(
            {
                "format": "apollo-persisted-query-manifest",
                "version": 1,
                "operations": [{"id": digest_of(good), "name": "Mine", "type": "query", "body": good}],
            }
        )
    )
    (folder / "theirs.graphql").write_text(other)
    bad = folder / "bad.json"
    bad.write_text(json.dumps({digest_of(good): good, "0" * 64: other, digest_of("{ nope }"): "{ nope }"}))

    refused = run_cli(database_url, "add", str(bad))
    assert refused.exit_code == 1
    lines = refused.stderr.strip().splitlines()
    assert len(lines) == 2, refused.stderr
    assert "is not the SHA-256 of its text" in lines[0]
    assert "not valid against the schema: Cannot query field 'nope' on type 'Query'." in lines[1]

    added = run_cli(database_url, "add", str(manifest), str(folder / "theirs.graphql"))
    assert added.exit_code == 0, added.output
    assert added.stdout.strip().splitlines()[-1] == "2 registered, 0 already registered"
    again = run_cli(database_url, "add", str(manifest))
    assert again.stdout.strip().splitlines()[-1] == "0 registered, 1 already registered"

    listed = run_cli(database_url, "list").stdout
    assert f"{digest_of(good)} Mine" in listed and f"{digest_of(other)} Theirs" in listed
    assert digest_of("{ nope }") not in listed  # the refused file registered nothing

    assert run_cli(database_url, "remove", digest_of(good)).exit_code == 0
    assert digest_of(good) not in run_cli(database_url, "list").stdout
    missing = run_cli(database_url, "remove", digest_of(good))
    assert missing.exit_code == 1 and "no registered document has the hash" in missing.stderr
