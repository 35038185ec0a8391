"""Test fixtures: a fresh database of the chosen backend per run, migrated and loaded with
the demo data, and an HTTP client that talks to the ASGI app as a front end would.

The backend comes from SMALLWORKS_TEST_BACKEND (sqlite | postgresql | mariadb); ``make
test`` runs all three (tests/run_backends.py).
"""

from __future__ import annotations

import asyncio
import base64
import importlib.util
import json
import os
import secrets
import sys
import tempfile
import zlib
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from sqlalchemy import event

BACKEND = os.environ.get("SMALLWORKS_TEST_BACKEND", "sqlite")
TMP = Path(tempfile.mkdtemp(prefix="smallworks-test-"))
os.environ["SMALLWORKS_DEV_SECRETS_FILE"] = str(TMP / "dev-secrets.json")
os.environ.setdefault("SMALLWORKS_ENV", "test")
# The cheapest argon2id cost: every Settings made in tests, and in the processes tests start, uses it.
os.environ.setdefault("SMALLWORKS_PASSWORD_HASH_TIME_COST", "1")
os.environ.setdefault("SMALLWORKS_PASSWORD_HASH_MEMORY_KIB", "8")
os.environ.setdefault("SMALLWORKS_PASSWORD_HASH_PARALLELISM", "1")

from app.migrate import upgrade  # noqa: E402
from app.settings import Settings  # noqa: E402

# httpx's ASGI transport imports sniffio on every request to tell trio from asyncio. It is
# not installed, so each request searched all of sys.path for it (with pytest's test
# directories on it, ~0.25 ms of CPU a request, a tenth of a simple query's): known absent,
# the import fails at once, as it would anyway.
if importlib.util.find_spec("sniffio") is None:
    sys.modules["sniffio"] = None

DEMO_PASSWORD = "smallworks-demo"


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "demo_copy: needs a database of its own with the demo data as loaded (take_demo_copy gives one cheaply)"
    )


def pytest_collection_modifyitems(config, items):
    """Tests marked ``demo_state`` read the demo data as it was loaded: they run before any
    test changes it (moves the clock past a publicity and lets the award job run). Tests
    marked ``once`` check what no database backend changes (transport, CLI, settings,
    assets): they run in the SQLite run only, which keeps ``make test`` fast."""
    items.sort(key=lambda item: item.get_closest_marker("demo_state") is None)  # stable: the rest keep their order
    mine, buckets = ONCE_BUCKETS
    skip = pytest.mark.skip(reason="does not depend on the database backend: runs once, in another backend's run")
    for item in items:
        if item.get_closest_marker("once") and zlib.crc32(item.nodeid.split("::")[0].encode()) % buckets not in mine:
            item.add_marker(skip)
    global _DEMO_COPY_WANTED
    _DEMO_COPY_WANTED = BACKEND != "sqlite" and any(item.get_closest_marker("demo_copy") for item in items)


def _once_buckets() -> tuple[frozenset[int], int]:
    """Which modules' ``once`` tests this run takes: ``SMALLWORKS_ONCE_BUCKETS="0,1/4"`` runs
    the modules whose path hashes to bucket 0 or 1 of 4 (tests/run_backends.py deals the
    buckets out so that the runs end together). Unset: the SQLite run takes them all."""
    given = os.environ.get("SMALLWORKS_ONCE_BUCKETS")
    if not given:
        return (frozenset({0}) if BACKEND == "sqlite" else frozenset()), 1
    taken, count = given.split("/")
    return frozenset(int(b) for b in taken.split(",") if b), int(count)


ONCE_BUCKETS = _once_buckets()


def pytest_collection_finish(session):
    """Tells tests/run_backends.py that this run has collected the suite (it starts the
    other backends' runs then, when the bytecode they need is written)."""
    flag = os.environ.get("SMALLWORKS_COLLECTED_FLAG")
    if flag:
        Path(flag).touch()


def pytest_report_header(config):
    return f"smallworks database backend: {BACKEND}"


def pytest_terminal_summary(terminalreporter):
    if COMPARE_EXECUTORS:
        terminalreporter.write_line(
            f"compiled and general executors gave the same bytes for {Api.compared} query requests"
            f" ({Api.repeats} repeats of a shape already compared were not compared again)"
        )


def _create_database(name: str) -> str:
    if BACKEND == "sqlite":
        return f"sqlite+aiosqlite:///{TMP / (name + '.db')}"
    if BACKEND == "postgresql":
        import asyncpg

        async def create():
            conn = await asyncpg.connect(host="127.0.0.1", port=5432, user="postgres", database="postgres")
            try:
                await conn.execute(f'CREATE DATABASE "{name}"')
            finally:
                await conn.close()

        asyncio.run(create())
        return f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}"
    if BACKEND == "mariadb":
        import pymysql

        conn = pymysql.connect(host="127.0.0.1", port=3306, user="root", password="")
        try:
            with conn.cursor() as cur:
                cur.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
        finally:
            conn.close()
        return f"mysql+aiomysql://root@127.0.0.1:3306/{name}?charset=utf8mb4"
    raise RuntimeError(f"unknown backend {BACKEND!r}")


def _drop_database(name: str) -> None:
    if BACKEND == "postgresql":
        import asyncpg

        async def drop():
            conn = await asyncpg.connect(host="127.0.0.1", port=5432, user="postgres", database="postgres")
            try:
                await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            finally:
                await conn.close()

        asyncio.run(drop())
    elif BACKEND == "mariadb":
        import pymysql

        conn = pymysql.connect(host="127.0.0.1", port=3306, user="root", password="")
        try:
            with conn.cursor() as cur:
                cur.execute(f"DROP DATABASE IF EXISTS `{name}`")
        finally:
            conn.close()


@pytest.fixture(scope="session")
def database_url():
    name = f"sw_test_{os.getpid()}_{secrets.token_hex(3)}"
    url = _create_database(name)
    upgrade(url)
    yield url
    _drop_database(name)


@pytest.fixture
def empty_database_url():
    """A database of the chosen backend that exists but was never migrated (for SQLite an
    empty file)."""
    name = f"sw_empty_{os.getpid()}_{secrets.token_hex(3)}"
    url = _create_database(name)
    if BACKEND == "sqlite":
        (TMP / (name + ".db")).touch()
    yield url
    _drop_database(name)


def make_settings(database_url: str, **overrides) -> Settings:
    values = dict(
        env="test", database_url=database_url, policy_cache_seconds=3600.0, storage_dir=TMP / "storage", archive_dir=TMP / "archive"
    )
    values.update(overrides)
    return Settings(**values)


@pytest.fixture(scope="session")
def settings(database_url) -> Settings:
    return make_settings(database_url)


@pytest_asyncio.fixture(scope="session")
async def state(settings):
    from app.demo import load_demo_data
    from app.state import AppState

    state = AppState.create(settings)
    await load_demo_data(state)
    if _DEMO_COPY_WANTED:
        await _keep_demo_copy(state)
    yield state
    await state.close()
    if _DEMO_COPY:
        _drop_database(_DEMO_COPY.pop("name"))


# A copy of the database and the stored files as the demo data left them, before any test
# changed them, for the one test that needs a server of its own with the demo data (the
# schema fuzz, marked ``demo_copy``): copying costs the database server a fraction of a
# second, loading the demo data again ~7 s of this process's CPU.
_DEMO_COPY_WANTED = False
_DEMO_COPY: dict[str, Any] = {}


async def _keep_demo_copy(state) -> None:
    import shutil
    import subprocess

    from sqlalchemy.engine import make_url

    source = make_url(state.settings.database_url).database
    name = f"sw_demo_{os.getpid()}_{secrets.token_hex(3)}"
    if BACKEND == "postgresql":
        import asyncpg

        await state.db.dispose()  # PostgreSQL copies a database only while nobody is connected to it
        conn = await asyncpg.connect(host="127.0.0.1", port=5432, user="postgres", database="postgres")
        try:
            await conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{source}"')
        except asyncpg.ObjectInUseError:
            return  # a connection was still open: the fuzz loads its own demo data
        finally:
            await conn.close()
        url = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}"
    else:
        # Every table, key, index and AUTO_INCREMENT counter, in one consistent snapshot.
        url = _create_database(name)
        client = ["-h", "127.0.0.1", "-P", "3306", "-u", "root"]
        dump = await asyncio.create_subprocess_exec(
            "mariadb-dump", *client, "--single-transaction", "--skip-lock-tables", source, stdout=subprocess.PIPE
        )
        load = await asyncio.create_subprocess_exec("mariadb", *client, name, stdin=subprocess.PIPE)
        assert dump.stdout is not None and load.stdin is not None
        while chunk := await dump.stdout.read(1 << 16):
            load.stdin.write(chunk)
            await load.stdin.drain()
        load.stdin.close()
        assert await dump.wait() == 0 and await load.wait() == 0, "the demo database could not be copied"
    storage = TMP / f"{name}-storage"
    if state.settings.storage_dir.exists():
        shutil.copytree(state.settings.storage_dir, storage)
    _DEMO_COPY.update(name=name, url=url, storage=storage)


def take_demo_copy() -> tuple[str, str, Path] | None:
    """The name and URL of a database with the demo data as loaded, and a copy of its
    stored files, now the caller's to drop; None when this run keeps no copy."""
    if not _DEMO_COPY:
        return None
    copy = dict(_DEMO_COPY)
    _DEMO_COPY.clear()
    return copy["name"], copy["url"], copy["storage"]


EXECUTOR = "X-Smallworks-Executor"
_counting = False  # inside count_statements: one request is one request
# Every query of the suite on both executors. ``make test`` does it in one backend's run
# (the executors' logic does not depend on the backend; the dedicated tests in
# tests/core/test_read_path.py compare them on every backend); a direct pytest run does it.
COMPARE_EXECUTORS = os.environ.get("SMALLWORKS_COMPARE_EXECUTORS", "1") == "1"
# An answer of the same shape as one already compared (same query text, same headers, so
# the same viewer and language, variables and answer of the same structure) is compared
# again on every COMPARE_EVERY-th sighting only: the suite sends many such repeats (a
# detail re-read after each step of a flow), and comparing each took a quarter of the run.
COMPARE_EVERY = 8
_OPERATION_TYPES: dict[str, str | None] = {}


def _operation_type(query: str) -> str | None:
    """``query``, ``mutation`` or ``subscription`` of a one-operation document, else None."""
    if query not in _OPERATION_TYPES:
        from graphql import GraphQLSyntaxError, OperationDefinitionNode, parse

        try:
            operations = [d for d in parse(query).definitions if isinstance(d, OperationDefinitionNode)]
        except GraphQLSyntaxError:
            operations = []
        _OPERATION_TYPES[query] = operations[0].operation.value if len(operations) == 1 else None
    return _OPERATION_TYPES[query]


def _shape(value: Any) -> Any:
    """The structure of a JSON value without its values: an object's keys in order and the
    shape of each member, the set of shapes a list holds (empty or not), a scalar's type."""
    if isinstance(value, dict):
        return tuple((key, _shape(member)) for key, member in value.items())
    if isinstance(value, list):
        return ("list", frozenset(_shape(item) for item in value))
    return type(value).__name__


class Api:
    """A GraphQL client as a front end uses it, with sign-in helpers.

    Every query the suite sends is also answered by the other executor, the general one
    or the compiled one (``schema.core.compiled``), and the two answers must be the same
    bytes wherever the compiled path can answer (``compared`` counts those). Each shape of
    request and answer is compared the first time it is seen and on every
    ``COMPARE_EVERY``-th repeat after (``repeats`` counts the others)."""

    compared = 0
    repeats = 0
    _sightings: dict[tuple, int] = {}

    def __init__(self, client: httpx.AsyncClient):
        self.client = client
        self._tokens: dict[str, str] = {}

    async def post(
        self, query: str, variables: dict | None = None, token: str | None = None, headers: dict | None = None
    ) -> httpx.Response:
        h = dict(headers or {})
        if token:
            h["Authorization"] = f"Bearer {token}"
        response = await self.client.post("/graphql", json={"query": query, "variables": variables or {}}, headers=h)
        if COMPARE_EXECUTORS and EXECUTOR not in h and not _counting and response.status_code == 200 and _operation_type(query) == "query":
            await self._compare_executors(query, variables, h, response)
        return response

    async def _compare_executors(self, query: str, variables: dict | None, headers: dict, answered: httpx.Response) -> None:
        key = (query, tuple(sorted(headers.items())), _shape(variables or {}), _shape(json.loads(answered.content)))
        seen = Api._sightings.get(key, 0)
        Api._sightings[key] = seen + 1
        if seen % COMPARE_EVERY:
            Api.repeats += 1
            return
        body = {"query": query, "variables": variables or {}}
        # The answer the test got is one of the two: only the other executor is asked.
        if answered.headers.get(EXECUTOR) == "compiled":
            compiled = answered
            general = await self.client.post("/graphql", json=body, headers={**headers, EXECUTOR: "general"})
        else:
            general = answered
            compiled = await self.client.post("/graphql", json=body, headers=headers)
            if compiled.headers.get(EXECUTOR) != "compiled":
                return
        if compiled.content != general.content:
            # Some answers change from one request to the next (a signed link's expiry, a
            # verification time): asked again with the compiled request between two general
            # ones, only a difference the general executor does not show against itself is
            # a mismatch.
            general = await self.client.post("/graphql", json=body, headers={**headers, EXECUTOR: "general"})
            compiled = await self.client.post("/graphql", json=body, headers=headers)
            again = await self.client.post("/graphql", json=body, headers={**headers, EXECUTOR: "general"})
            if compiled.headers.get(EXECUTOR) != "compiled":
                return
            if compiled.content != general.content:
                if again.content == general.content:
                    raise AssertionError(f"compiled and general answers differ for {query!r}:\n{compiled.text}\n{general.text}")
                return
        Api.compared += 1

    async def gql(self, query: str, variables: dict | None = None, token: str | None = None, **kw) -> dict[str, Any]:
        response = await self.post(query, variables, token, **kw)
        assert response.status_code == 200, response.text
        return response.json()

    async def ok(self, query: str, variables: dict | None = None, token: str | None = None, **kw) -> dict[str, Any]:
        """Data of a query that must succeed without GraphQL errors."""
        body = await self.gql(query, variables, token, **kw)
        assert not body.get("errors"), json.dumps(body["errors"], ensure_ascii=False)
        return body["data"]

    async def password_token(self, username: str, password: str = DEMO_PASSWORD) -> dict[str, Any]:
        r = await self.client.post("/auth/token", data={"grant_type": "password", "username": username, "password": password})
        assert r.status_code == 200, r.text
        return r.json()

    async def token(self, username: str) -> str:
        """A cached access token for a demo user."""
        if username not in self._tokens:
            self._tokens[username] = (await self.password_token(username))["access_token"]
        return self._tokens[username]


@pytest_asyncio.fixture(scope="session")
async def app(state):
    from app.main import create_app, settle_server_process

    built = create_app(state=state)
    # As a server process does once its app is built: what the suite has imported and built
    # so far is kept out of the collector's way, and the youngest generation is collected
    # less often (full collections over every module, schema and plan took a tenth of a run).
    settle_server_process()
    return built


@pytest_asyncio.fixture(scope="session")
async def client(app):
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


@pytest_asyncio.fixture(scope="session")
async def api(client) -> Api:
    return Api(client)


def client_at(app, address: str) -> httpx.AsyncClient:
    """A client whose requests come from ``address`` (for per-address throttling)."""
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=(address, 50000)), base_url="http://testserver")


@contextmanager
def count_statements(state):
    """Counts SQL statements sent on the app's engines while the block runs."""
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")):
            statements.append(statement)

    global _counting
    engines = {id(e): e for e in (state.db.engine, state.db.write_engine)}.values()
    for engine in engines:
        event.listen(engine.sync_engine, "before_cursor_execute", record)
    _counting = True
    try:
        yield statements
    finally:
        _counting = False
        for engine in engines:
            event.remove(engine.sync_engine, "before_cursor_execute", record)


def global_id(type_name: str, pk: Any) -> str:
    return base64.urlsafe_b64encode(f"{type_name}:{pk}".encode()).decode().rstrip("=")


def unique(prefix: str = "t") -> str:
    return f"{prefix}{secrets.token_hex(4)}"


def make_uscc(seed: int | None = None) -> str:
    """A valid 统一社会信用代码 that no other test uses."""
    from stdnum.cn import uscc

    body = "91320583MA" + f"{(seed if seed is not None else secrets.randbelow(10**7)):07d}"
    return body + uscc.calc_check_digit(body)
