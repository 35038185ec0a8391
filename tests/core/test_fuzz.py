"""Fuzzing the whole schema: Schemathesis generates queries and mutations for every root
field, valid by the schema and with hostile values (long strings, control characters,
huge numbers, random IDs), sent as each demo role to a real server over HTTP. No answer
may be a server error or an ``INTERNAL`` error.

The server has a database of its own with the demo data (a copy the session made right after
loading them, tests/conftest.py): fuzzed mutations change what they may (a user disabled, a
policy line removed), and no other test sees it. Sign-in
mutations are left out, so fuzzing cannot lock the roles out or end their sessions; the
examples per field are bounded to keep the suite fast."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import pytest
import schemathesis
from conftest import BACKEND, DEMO_PASSWORD, TMP, _create_database, _drop_database, make_settings, take_demo_copy
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.graphql import nodes
from servers import free_port

from app.migrate import upgrade

ROOT = Path(__file__).resolve().parents[2]
ROLES = ["admin", "policyadmin", "owner", "reviewer", "finance", "contractor1", "supervisor", "auditor", "expert1"]
# Sign-in and session mutations: fuzzing them would lock the roles out or end the sessions
# every other example uses. They have tests of their own (tests/accounts).
SIGN_IN = ["Mutation.login", "Mutation.refreshToken", "Mutation.logout", "Mutation.changePassword"]
EXAMPLES = int(os.environ.get("SMALLWORKS_FUZZ_EXAMPLES", "6"))
# "i/n": this run fuzzes every n-th root field from the i-th (tests/run_backends.py shares the
# fields out between the PostgreSQL and MariaDB runs, so each field is fuzzed once per suite).
SHARE, SHARES = (int(x) for x in os.environ.get("SMALLWORKS_FUZZ_SHARE", "0/1").split("/"))

# The schema's own scalars: well-formed values and junk alike.
_junk = st.text(max_size=40)
schemathesis.graphql.scalar(
    "Decimal", st.one_of(st.decimals(allow_nan=False, allow_infinity=False, places=2).map(str), _junk).map(nodes.String)
)
schemathesis.graphql.scalar("Date", st.one_of(st.dates().map(str), _junk).map(nodes.String))
schemathesis.graphql.scalar("DateTime", st.one_of(st.datetimes().map(lambda d: d.isoformat() + "Z"), _junk).map(nodes.String))
schemathesis.graphql.scalar("JSON", _junk.map(nodes.String))
schemathesis.graphql.scalar("Upload", st.just(nodes.Null))


async def _load_demo_data(settings) -> None:
    from app.demo import load_demo_data
    from app.state import AppState

    state = AppState.create(settings)
    try:
        await load_demo_data(state)
    finally:
        await state.close()


@pytest.fixture(scope="module")
def fuzz_server(state):
    """``smallworks serve`` on a database of its own with the demo data; its URL and a token
    per demo role."""
    copy = take_demo_copy()  # the session's database and files copied as the demo data left them
    if copy is not None:
        name, url, storage = copy
    else:
        name = f"sw_fuzz_{os.getpid()}"
        url = _create_database(name)
        upgrade(url)
        storage = TMP / f"fuzz-storage-{os.getpid()}"
        # The demo data, loaded here as `smallworks demo-data` loads it (tests/core/test_cli.py
        # runs that command itself): a process of its own would import the whole app again.
        asyncio.run(_load_demo_data(make_settings(url, storage_dir=storage)))
    env = {**os.environ, "SMALLWORKS_DATABASE_URL": url, "SMALLWORKS_ENV": "test", "SMALLWORKS_STORAGE_DIR": str(storage)}
    env.pop("SMALLWORKS_REDIS_URL", None)
    smallworks = [sys.executable, "-m", "app.cli"]
    port = free_port()
    # The server's log goes to a file: a pipe nobody reads fills up and stops the server.
    log = tempfile.NamedTemporaryFile(prefix="smallworks-fuzz-", suffix=".log", delete=False)
    server = subprocess.Popen([*smallworks, "serve", "--port", str(port)], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                httpx.get(f"{base}/healthz", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            pytest.fail("the server did not start")
        tokens = {}
        for role in ROLES:
            r = httpx.post(f"{base}/auth/token", data={"grant_type": "password", "username": role, "password": DEMO_PASSWORD})
            assert r.status_code == 200, r.text
            tokens[role] = r.json()["access_token"]
        yield base, tokens
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()
        os.environ.get("SMALLWORKS_FUZZ_KEEP_LOG") or os.unlink(log.name)
        _drop_database(name)


@pytest.fixture(scope="module")
def fuzz_schema(fuzz_server):
    base, tokens = fuzz_server
    return schemathesis.graphql.from_url(f"{base}/graphql", headers={"Authorization": f"Bearer {tokens['admin']}"})


def _root_fields() -> list[str]:
    from graphql import build_schema

    sdl = build_schema((ROOT / "clients" / "schema.graphql").read_text())
    return [f"{root.name}.{name}" for root in (sdl.query_type, sdl.mutation_type) if root for name in root.fields]


def _checked(operation, tokens: dict[str, str]):
    """A Hypothesis test of one root field: every generated request, as a random role."""

    @given(case=operation.as_strategy(), role=st.sampled_from(ROLES))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def check(case, role):
        response = case.call(headers={"Authorization": f"Bearer {tokens[role]}"})
        assert response.status_code < 500, f"{response.status_code} as {role} for {case.body}: {response.text[:2000]}"
        body = response.json()
        codes = [(e.get("extensions") or {}).get("code") for e in body.get("errors") or []]
        assert "INTERNAL" not in codes, f"INTERNAL as {role} for {case.body}: {response.text[:2000]}"

    return check


@pytest.mark.subprocess
@pytest.mark.demo_copy
@pytest.mark.skipif(BACKEND == "sqlite", reason="fuzzed where the database refuses most: PostgreSQL and MariaDB")
def test_no_generated_request_gets_a_server_error(fuzz_schema, fuzz_server):
    """Every root field but the sign-in ones, a bounded number of examples each; every
    failing field is reported, not only the first."""
    tokens = fuzz_server[1]
    failures, fields = [], 0
    fuzzed = sorted(set(_root_fields()) - set(SIGN_IN))
    mine = set(fuzzed[SHARE::SHARES])
    for result in fuzz_schema.exclude(name=SIGN_IN).get_all_operations():
        operation = result.ok()
        if operation.label not in mine:
            continue
        fields += 1
        try:
            _checked(operation, tokens)()
        except AssertionError as failure:
            failures.append(f"{operation.label}: {failure}")
    assert fields == len(mine), "some root fields were not fuzzed"
    assert not failures, "\n\n".join(failures)
