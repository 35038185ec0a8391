"""The ``smallworks`` command: schema export, demo data, create-admin, and a real server."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from conftest import BACKEND, TMP

ROOT = Path(__file__).resolve().parents[2]
SMALLWORKS = [sys.executable, "-m", "app.cli"]


def run_cli(*args: str, env: dict | None = None, input: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*SMALLWORKS, *args],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        input=input,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_committed_schema_is_current():
    """clients/schema.graphql must be regenerated (`make schema`) whenever the schema changes."""
    from app.cli import schema_sdl

    committed = (ROOT / "clients" / "schema.graphql").read_text(encoding="utf-8")
    assert committed == schema_sdl(), "clients/schema.graphql is stale: run `make schema` and commit it"


def test_every_type_and_field_has_a_description():
    from graphql import GraphQLInputObjectType, GraphQLObjectType

    from app.settings import Settings
    from schema import build_schema

    schema = build_schema(Settings(env="development"))._schema
    missing = []
    for name, gtype in schema.type_map.items():
        if name.startswith("__") or name in ("String", "Int", "Boolean", "ID", "Float"):
            continue
        if not gtype.description:
            missing.append(name)
        if isinstance(gtype, (GraphQLObjectType, GraphQLInputObjectType)) and name not in ("Query", "Mutation"):
            missing += [f"{name}.{f}" for f, field in gtype.fields.items() if not field.description]
    assert missing == []


@pytest.mark.subprocess
@pytest.mark.skipif(BACKEND != "sqlite", reason="exercises the embedded SQLite path of `make run`")
def test_migrate_demo_data_and_serve_like_make_run():
    """migrate → demo-data (twice: idempotent) → serve; then sign in and query over real HTTP."""
    db = TMP / "cli-run.db"
    env = {"SMALLWORKS_DATABASE_URL": f"sqlite:///{db}", "SMALLWORKS_ENV": "development"}
    assert run_cli("migrate", env=env).returncode == 0
    first = run_cli("demo-data", env=env)
    assert first.returncode == 0 and "demo data loaded" in first.stdout, first.stderr
    second = run_cli("demo-data", env=env)
    assert second.returncode == 0 and "already present" in second.stdout

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen(
        [*SMALLWORKS, "serve", "--port", str(port)], cwd=ROOT, env={**os.environ, **env}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                health = httpx.get(f"{base}/healthz", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            pytest.fail("server did not start")
        assert health.status_code == 200 and health.json()["checks"]["database"] == "ok"
        token = httpx.post(f"{base}/auth/token", data={"grant_type": "password", "username": "owner", "password": "smallworks-demo"}).json()
        body = httpx.post(
            f"{base}/graphql",
            json={"query": "{ viewer { user { username } } }"},
            headers={"Authorization": f"Bearer {token['access_token']}"},
        ).json()
        assert body["data"] == {"viewer": {"user": {"username": "owner"}}}
        ide = httpx.get(f"{base}/graphql", headers={"Accept": "text/html"})
        assert ide.status_code == 200 and "graphiql" in ide.text.lower()
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.mark.subprocess
def test_demo_data_refused_in_production():
    env = {
        "SMALLWORKS_ENV": "production",
        "SMALLWORKS_JWT_SECRET": "x" * 40,
        "SMALLWORKS_DATA_KEYS": '{"k": "' + "A" * 43 + '="}',
        "SMALLWORKS_DATA_KEY_ID": "k",
        "SMALLWORKS_DATABASE_URL": f"sqlite:///{TMP / 'never.db'}",
    }
    result = run_cli("demo-data", env=env)
    assert result.returncode == 2 and "never loaded in production" in result.stderr
    assert not (TMP / "never.db").exists()


@pytest.mark.subprocess
def test_production_refuses_to_start_without_secrets():
    result = run_cli("migrate", env={"SMALLWORKS_ENV": "production", "SMALLWORKS_DATABASE_URL": f"sqlite:///{TMP / 'p.db'}"})
    assert result.returncode != 0
    assert "SMALLWORKS_JWT_SECRET" in result.stderr


@pytest.mark.subprocess
async def test_create_admin_makes_a_platform_administrator(database_url, api):
    from conftest import make_uscc, unique

    username = unique("admin")
    result = run_cli(
        "create-admin",
        "--username",
        username,
        "--organisation-name",
        "测试平台",
        "--uscc",
        make_uscc(),
        "--region-code",
        "320583",
        env={"SMALLWORKS_DATABASE_URL": database_url, "SMALLWORKS_ADMIN_PASSWORD": "Kunshan-Admin-2026!"},
    )
    assert result.returncode == 0, result.stderr
    token = (await api.password_token(username, "Kunshan-Admin-2026!"))["access_token"]
    data = await api.ok("{ viewer { roles organisation { kind } } }", token=token)
    assert data["viewer"] == {"roles": ["PLATFORM_ADMIN", "POLICY_ADMIN"], "organisation": {"kind": "PLATFORM"}}

    weak = run_cli(
        "create-admin",
        "--username",
        unique("admin"),
        "--organisation-name",
        "测试平台",
        "--uscc",
        make_uscc(),
        "--region-code",
        "320583",
        env={"SMALLWORKS_DATABASE_URL": database_url, "SMALLWORKS_ADMIN_PASSWORD": "password1"},
    )
    assert weak.returncode == 1 and "password" in weak.stderr.lower()


def test_readme_documents_every_setting():
    from app.settings import Settings

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [f"SMALLWORKS_{name.upper()}" for name in Settings.model_fields if f"`SMALLWORKS_{name.upper()}`" not in readme]
    assert missing == [], f"README's configuration table lacks {missing}"
