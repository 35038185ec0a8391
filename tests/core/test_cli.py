"""The ``smallworks`` command: schema export, demo data, create-admin, and a real server."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from conftest import BACKEND, TMP
from servers import free_port

from app.migrate import upgrade

ROOT = Path(__file__).resolve().parents[2]
SMALLWORKS = [sys.executable, "-m", "app.cli"]


def run_cli(*args: str, env: dict | None = None, input: str | None = None, process: bool = False) -> subprocess.CompletedProcess:
    """``smallworks …`` with ``env`` added to the environment: in this process (typer's
    runner, settings read afresh), or with ``process`` in a new one, for what only a fresh
    process shows (what it imports, how it starts)."""
    if process:
        return subprocess.run(
            [*SMALLWORKS, *args],
            cwd=ROOT,
            env={**os.environ, **(env or {})},
            input=input,
            capture_output=True,
            text=True,
            timeout=120,
        )
    from typer.testing import CliRunner

    from app.cli import app
    from app.settings import get_settings

    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, list(args), env=env, input=input)
    finally:
        get_settings.cache_clear()
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return subprocess.CompletedProcess(list(args), result.exit_code, result.stdout, result.stderr)


@pytest.mark.once
def test_committed_schema_is_current():
    """clients/schema.graphql must be regenerated (`make schema`) whenever the schema changes."""
    from app.cli import schema_sdl

    committed = (ROOT / "clients" / "schema.graphql").read_text(encoding="utf-8")
    assert committed == schema_sdl(), "clients/schema.graphql is stale: run `make schema` and commit it"


@pytest.mark.once
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
    assert run_cli("migrate", env=env, process=True).returncode == 0
    first = run_cli("demo-data", env=env, process=True)
    assert first.returncode == 0 and "demo data loaded" in first.stdout, first.stderr
    second = run_cli("demo-data", env=env, process=True)
    assert second.returncode == 0 and "already present" in second.stdout

    port = free_port()
    server = subprocess.Popen(
        [*SMALLWORKS, "serve", "--port", str(port)], cwd=ROOT, env={**os.environ, **env}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60  # serve runs `smallworks check` first
        while True:
            try:
                health = httpx.get(f"{base}/healthz", timeout=1)
                break
            except httpx.TransportError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("server did not start")
                time.sleep(0.1)
        assert health.status_code == 200 and health.json() == {"status": "ok"}
        ready = httpx.get(f"{base}/readyz")
        assert ready.status_code == 200 and ready.json()["checks"] == {"database": "ok", "migrations": "ok"}
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
@pytest.mark.once
def test_demo_data_refused_in_production():
    env = {
        "SMALLWORKS_ENV": "production",
        "SMALLWORKS_JWT_SECRET": "x" * 40,
        "SMALLWORKS_DATA_KEYS": '{"k": "' + "A" * 43 + '="}',
        "SMALLWORKS_DATA_KEY_ID": "k",
        "SMALLWORKS_CHECKPOINT_PRIVATE_KEY": "Y" * 43 + "=",
        "SMALLWORKS_DATABASE_URL": f"sqlite:///{TMP / 'never.db'}",
    }
    result = run_cli("demo-data", env=env)
    assert result.returncode == 2 and "never loaded in production" in result.stderr
    assert not (TMP / "never.db").exists()


@pytest.mark.subprocess
@pytest.mark.once
def test_production_refuses_to_start_without_secrets():
    result = run_cli("migrate", env={"SMALLWORKS_ENV": "production", "SMALLWORKS_DATABASE_URL": f"sqlite:///{TMP / 'p.db'}"})
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "configuration error: production mode needs SMALLWORKS_JWT_SECRET, SMALLWORKS_DATA_KEYS, SMALLWORKS_DATA_KEY_ID, "
        "SMALLWORKS_CHECKPOINT_PRIVATE_KEY"
    ]


@pytest.mark.subprocess
@pytest.mark.once
async def test_create_admin_makes_a_platform_administrator(database_url, api):
    from conftest import make_uscc, unique

    username = unique("admin")
    result = await asyncio.to_thread(
        run_cli,
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

    weak = await asyncio.to_thread(
        run_cli,
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


@pytest.mark.once
def test_readme_documents_every_setting():
    from app.settings import Settings

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [f"SMALLWORKS_{name.upper()}" for name in Settings.model_fields if f"`SMALLWORKS_{name.upper()}`" not in readme]
    assert missing == [], f"README's configuration table lacks {missing}"


# -- check, serve's refusal, gen-keys ------------------------------------------------------


def refused_serve(env: dict) -> subprocess.CompletedProcess:
    """``serve`` that must stop by itself before taking traffic (it is killed, and the test
    fails, if it is still running after a minute)."""
    process = subprocess.Popen(
        [*SMALLWORKS, "serve", "--port", str(free_port())],
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        stdout, stderr = process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        pytest.fail("serve started instead of refusing")
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


def lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


def env_lines(text: str) -> dict[str, str]:
    """NAME=value lines as an env file holds them (values taken as they are)."""
    pairs = [line.split("=", 1) for line in lines(text)]
    return {name: value for name, value in pairs}


@pytest.mark.subprocess
def test_check_passes_on_a_migrated_database(database_url, state):
    result = run_cli("check", env={"SMALLWORKS_DATABASE_URL": database_url})
    assert result.returncode == 0, result.stderr
    out = lines(result.stdout)
    assert all(line.startswith("ok: ") for line in out), out
    assert any(line.startswith("ok: migrations: at the latest revision") for line in out)
    assert any(line.startswith("ok: database: reachable") for line in out)
    assert any("users.phone" in line and "organisations.bank_account_number" in line for line in out if line.startswith("ok: data keys"))
    assert result.stderr == ""


@pytest.mark.subprocess
def test_check_and_serve_refuse_a_database_until_it_is_at_the_latest_migration(empty_database_url):
    from app.checks import _scripts

    head = _scripts().get_current_head()
    env = {"SMALLWORKS_DATABASE_URL": empty_database_url}
    never = run_cli("check", env=env)
    assert never.returncode == 1
    assert lines(never.stderr) == [f"problem: migrations: the database was never migrated (latest is {head}): run `smallworks migrate`"]
    served = refused_serve(env)
    assert served.returncode == 1
    assert lines(served.stderr) == [f"refusing to start: the database was never migrated (latest is {head}): run `smallworks migrate`"]

    upgrade(empty_database_url, "0003")
    behind = refused_serve(env)
    assert behind.returncode == 1
    assert lines(behind.stderr) == [
        f"refusing to start: the database is at revision 0003, behind the latest {head}: run `smallworks migrate`"
    ]


@pytest.mark.subprocess
@pytest.mark.skipif(BACKEND != "sqlite", reason="about SQLite files")
def test_check_names_a_missing_sqlite_file_and_unwritable_storage_and_archive_directories():
    missing = TMP / "missing" / "nothing.db"
    (TMP / "a-file").write_text("")
    storage, archive = TMP / "a-file" / "storage", TMP / "a-file" / "archive"
    env = {
        "SMALLWORKS_DATABASE_URL": f"sqlite:///{missing}",
        "SMALLWORKS_STORAGE_DIR": str(storage),
        "SMALLWORKS_ARCHIVE_DIR": str(archive),
    }
    result = run_cli("check", env=env)
    assert result.returncode == 1
    assert lines(result.stderr) == [
        f"problem: database: the SQLite file {missing} does not exist: run `smallworks migrate`",
        "skipped: migrations: not checked: there is no database file",
        f"problem: storage: cannot write to SMALLWORKS_STORAGE_DIR {storage}: Not a directory",
        f"problem: archive: cannot write to SMALLWORKS_ARCHIVE_DIR {archive}: Not a directory",
    ]
    assert not missing.exists()


@pytest.mark.subprocess
@pytest.mark.skipif(BACKEND != "sqlite", reason="settings only, no database")
def test_serve_refuses_production_without_secrets_in_one_line():
    env = {"SMALLWORKS_ENV": "production", "SMALLWORKS_DATABASE_URL": f"sqlite:///{TMP / 'p.db'}"}
    result = refused_serve(env)
    assert result.returncode == 1
    assert lines(result.stderr) == [
        "configuration error: production mode needs SMALLWORKS_JWT_SECRET, SMALLWORKS_DATA_KEYS, SMALLWORKS_DATA_KEY_ID, "
        "SMALLWORKS_CHECKPOINT_PRIVATE_KEY"
    ]
    checked = run_cli("check", env=env)
    assert checked.returncode == 1 and lines(checked.stderr) == lines(result.stderr)


RING = '"id:base64,id:base64" or a JSON object {"id": "base64"}, each key 32 bytes'
KEY = "A" * 43 + "="  # 32 bytes


def test_data_keys_as_pairs_or_json():
    import base64

    from app.settings import parse_key_ring, render_key_ring

    one, two = b"1" * 32, b"2" * 32
    pairs = f"k1:{base64.b64encode(one).decode()}, k-2:{base64.b64encode(two).decode()}"
    assert parse_key_ring(pairs) == {"k1": one, "k-2": two}
    assert parse_key_ring(render_key_ring({"k1": one, "k-2": two})) == {"k1": one, "k-2": two}
    assert render_key_ring({"k1": one}) == f"k1:{base64.b64encode(one).decode()}"
    as_json = '{"k1": "%s", "a b": "%s"}' % (base64.b64encode(one).decode(), base64.b64encode(two).decode())
    assert parse_key_ring(as_json) == {"k1": one, "a b": two}
    assert parse_key_ring(render_key_ring({"a b": two})) == {"a b": two}  # an id pairs cannot carry: JSON


@pytest.mark.parametrize(
    ("env", "line"),
    [
        ({"SMALLWORKS_ENV": "prod"}, "SMALLWORKS_ENV: Input should be 'development', 'production' or 'test'"),
        ({"SMALLWORKS_DATA_KEYS": "k1=abc"}, f"SMALLWORKS_DATA_KEYS must be {RING}"),
        ({"SMALLWORKS_DATA_KEYS": "{k1: abc}"}, f"SMALLWORKS_DATA_KEYS is not valid JSON: it must be {RING}"),
        ({"SMALLWORKS_DATA_KEYS": '["abc"]'}, f"SMALLWORKS_DATA_KEYS must be {RING}, at least one"),
        ({"SMALLWORKS_DATA_KEYS": f"k1:{KEY},k1:{KEY}", "SMALLWORKS_DATA_KEY_ID": "k1"}, "SMALLWORKS_DATA_KEYS names key id 'k1' twice"),
        (
            {"SMALLWORKS_DATA_KEYS": f"k1:{KEY},:{KEY}", "SMALLWORKS_DATA_KEY_ID": "k1"},
            "SMALLWORKS_DATA_KEYS: key id '' must be non-empty and without ':'",
        ),
        (
            {"SMALLWORKS_DATA_KEYS": '{"k1": "c2hvcnQ="}', "SMALLWORKS_DATA_KEY_ID": "k1"},
            "SMALLWORKS_DATA_KEYS: key 'k1' must be 32 bytes, base64-encoded (it is 5)",
        ),
        (
            {"SMALLWORKS_DATA_KEYS": '{"k1": "abc"}', "SMALLWORKS_DATA_KEY_ID": "k1"},
            "SMALLWORKS_DATA_KEYS: key 'k1' is not a base64 string",
        ),
        (
            {"SMALLWORKS_DATA_KEYS": '{"k1": "' + KEY + '"}', "SMALLWORKS_DATA_KEY_ID": "k2"},
            "SMALLWORKS_DATA_KEY_ID 'k2' names no key of SMALLWORKS_DATA_KEYS (it has 'k1')",
        ),
        ({"SMALLWORKS_JWT_SECRET": "short"}, "SMALLWORKS_JWT_SECRET must be at least 32 characters"),
    ],
)
def test_a_settings_error_is_one_line(env, line, monkeypatch):
    """Each problem in one line that names the variable and shows no value."""
    from pydantic import ValidationError

    from app.settings import Settings, setting_problems

    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError) as caught:
        Settings()
    assert setting_problems(caught.value) == [line]


@pytest.mark.subprocess
@pytest.mark.skipif(BACKEND != "sqlite", reason="settings only, no database")
def test_a_settings_error_is_one_line_for_every_command():
    env = {"SMALLWORKS_DATABASE_POOL_SIZE": "many"}
    line = "configuration error: SMALLWORKS_DATABASE_POOL_SIZE: Input should be a valid integer, unable to parse string as an integer"
    for command in (
        ["migrate"],
        ["worker"],
        ["export-schema", "--output", str(TMP / "s.graphql")],
        ["create-admin", "--username", "a", "--organisation-name", "o", "--uscc", "x", "--region-code", "320583"],
    ):
        result = run_cli(*command, env={**env, "SMALLWORKS_ADMIN_PASSWORD": "Kunshan-Admin-2026!"})
        assert (result.returncode, lines(result.stderr)) == (1, [line]), command
    assert refused_serve(env).stderr.strip() == line


@pytest.mark.subprocess
def test_check_and_serve_refuse_values_sealed_under_a_key_the_ring_lacks(database_url, state):
    import base64

    new_key = base64.b64encode(os.urandom(32)).decode()
    env = {"SMALLWORKS_DATABASE_URL": database_url, "SMALLWORKS_DATA_KEYS": f'{{"other": "{new_key}"}}', "SMALLWORKS_DATA_KEY_ID": "other"}
    result = run_cli("check", env=env)
    assert result.returncode == 1
    [problem] = lines(result.stderr)
    assert problem.startswith("problem: data keys: ") and f"sealed under key id '{state.settings.data_key_id}'" in problem
    served = refused_serve(env)
    assert served.returncode == 1 and len(lines(served.stderr)) == 1 and "SMALLWORKS_DATA_KEYS lacks" in served.stderr


@pytest.mark.subprocess
@pytest.mark.once
def test_gen_keys_makes_settings_that_production_accepts(empty_database_url):
    from app.settings import Settings
    from resolvers.security.crypto import FieldCipher

    generated = run_cli("gen-keys")
    assert generated.returncode == 0, generated.stderr
    assert all(line.startswith("SMALLWORKS_") and " " not in line for line in lines(generated.stdout))
    keys = env_lines(generated.stdout)
    assert set(keys) == {"SMALLWORKS_JWT_SECRET", "SMALLWORKS_DATA_KEYS", "SMALLWORKS_DATA_KEY_ID", "SMALLWORKS_CHECKPOINT_PRIVATE_KEY"}
    settings = Settings(
        env="production",
        jwt_secret=keys["SMALLWORKS_JWT_SECRET"],
        data_keys=keys["SMALLWORKS_DATA_KEYS"],
        data_key_id=keys["SMALLWORKS_DATA_KEY_ID"],
        checkpoint_private_key=keys["SMALLWORKS_CHECKPOINT_PRIVATE_KEY"],
    )
    assert settings.checkpoint_key is not None and len(settings.checkpoint_key) == 32
    assert len(settings.jwt_secret or "") >= 64 and list(settings.key_ring) == [settings.data_key_id]
    cipher = FieldCipher(settings.key_ring, keys["SMALLWORKS_DATA_KEY_ID"])
    assert cipher.decrypt(cipher.encrypt("13800000000", "users.phone:1"), "users.phone:1") == "13800000000"

    # The same lines as a shell reads an env file (`set -a; . FILE`): check accepts them in
    # production mode, on a migrated database.
    upgrade(empty_database_url)
    env_file = TMP / "smallworks.env"
    env_file.write_text(generated.stdout)
    env = {"SMALLWORKS_ENV": "production", "SMALLWORKS_DATABASE_URL": empty_database_url}
    checked = subprocess.run(
        ["sh", "-c", f'set -a && . "$1" && set +a && exec {sys.executable} -m app.cli check', "sh", str(env_file)],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert checked.returncode == 0, checked.stderr
    assert "ok: settings: SMALLWORKS_ENV=production" in lines(checked.stdout)

    # A new data key joins the ring and becomes the active one; the old key stays.
    added = run_cli("gen-keys", "--add-data-key", env={**env, **keys})
    assert added.returncode == 0, added.stderr
    rotated = env_lines(added.stdout)
    assert set(rotated) == {"SMALLWORKS_DATA_KEYS", "SMALLWORKS_DATA_KEY_ID"}
    ring = Settings(
        env="production",
        jwt_secret=keys["SMALLWORKS_JWT_SECRET"],
        data_keys=rotated["SMALLWORKS_DATA_KEYS"],
        data_key_id=rotated["SMALLWORKS_DATA_KEY_ID"],
        checkpoint_private_key=keys["SMALLWORKS_CHECKPOINT_PRIVATE_KEY"],
    ).key_ring
    old_id = keys["SMALLWORKS_DATA_KEY_ID"]
    new_id = rotated["SMALLWORKS_DATA_KEY_ID"]
    assert set(ring) == {old_id, new_id} and new_id != old_id
    assert ring[old_id] == settings.key_ring[old_id] and ring[new_id] != ring[old_id]


@pytest.mark.subprocess
@pytest.mark.once  # what a fresh process finds to re-encrypt; tests/accounts/test_keys.py re-encrypts on every backend
def test_reencrypt_command_moves_every_encrypted_column(empty_database_url):
    """The command runs in a process that never built the schema: it still finds every
    domain's encrypted columns."""
    import asyncio
    import base64
    import json

    from conftest import make_settings

    from app.demo import load_demo_data
    from app.state import AppState

    a, b = (base64.b64encode(os.urandom(32)).decode() for _ in range(2))
    upgrade(empty_database_url)

    async def load() -> None:
        state = AppState.create(make_settings(empty_database_url, data_keys=json.dumps({"a": a}), data_key_id="a"))
        try:
            await load_demo_data(state)
        finally:
            await state.close()

    asyncio.run(load())
    env = {
        "SMALLWORKS_DATABASE_URL": empty_database_url,
        "SMALLWORKS_DATA_KEYS": json.dumps({"a": a, "b": b}),
        "SMALLWORKS_DATA_KEY_ID": "b",
    }
    result = run_cli("reencrypt", env=env, process=True)  # a process that never built the schema
    assert result.returncode == 0, result.stderr
    counts = {column: int(text.split()[0]) for column, text in (line.split(": ", 1) for line in lines(result.stdout))}
    assert counts["users.phone"] >= 15 and counts["organisations.bank_account_number"] >= 5
    # Nothing is left under "a": the ring can drop it.
    only_b = run_cli("check", env={**env, "SMALLWORKS_DATA_KEYS": json.dumps({"b": b})})
    assert only_b.returncode == 0, only_b.stderr
