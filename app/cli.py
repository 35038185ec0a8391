"""The ``smallworks`` command."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import typer

if TYPE_CHECKING:
    from pydantic import ValidationError

    from app.checks import Check
    from app.settings import Settings

app = typer.Typer(help="smallworks: GraphQL backend for small-value public works (小额工程).", no_args_is_help=True)

SCHEMA_FILE = Path(__file__).resolve().parent.parent / "clients" / "schema.graphql"


def _settings() -> Settings:
    """The settings, or one line per problem with them and exit status 1 (no traceback)."""
    from pydantic import ValidationError

    from app.settings import get_settings

    try:
        return get_settings()
    except ValidationError as exc:
        _refuse_settings(exc)


def _refuse_settings(exc: ValidationError) -> NoReturn:
    from app.settings import setting_problems

    for line in setting_problems(exc):
        typer.echo(f"configuration error: {line}", err=True)
    raise typer.Exit(1) from None


@app.command()
def migrate(revision: str = typer.Argument("head", help="Target revision.")) -> None:
    """Bring the database schema up to date (Alembic)."""
    from app.migrate import upgrade

    settings = _settings()
    upgrade(settings.database_url, revision)
    typer.echo(f"database migrated to {revision}: {_redacted(settings.database_url)}")


@app.command("demo-data")
def demo_data() -> None:
    """Load the demo county's organisations and users (development only; idempotent)."""
    from app.demo import load_demo_data
    from app.state import AppState

    settings = _settings()
    if settings.production:
        typer.echo("refusing: demo data is never loaded in production", err=True)
        raise typer.Exit(2)

    async def run() -> bool:
        state = AppState.create(settings)
        try:
            return await load_demo_data(state)
        finally:
            await state.close()

    loaded = asyncio.run(run())
    typer.echo("demo data loaded" if loaded else "demo data already present")


@app.command("create-admin")
def create_admin(
    username: str = typer.Option(..., help="Sign-in name."),
    display_name: str = typer.Option("Administrator", help="Display name."),
    organisation_name: str = typer.Option(..., help="Platform organisation (created if its credit code is new)."),
    uscc: str = typer.Option(..., help="统一社会信用代码 of the platform organisation."),
    region_code: str = typer.Option(..., help="6-digit region code the administrator works in."),
    password: str = typer.Option(
        ...,
        prompt=True,
        hide_input=True,
        confirmation_prompt=True,
        envvar="SMALLWORKS_ADMIN_PASSWORD",
        help="Asked for twice without echo when not given (on the command line it stays in the shell's history).",
    ),
) -> None:
    """Create a platform administrator (platform_admin and policy_admin)."""
    from sqlalchemy import select

    from app.state import AppState
    from models.accounts import Organisation
    from resolvers.accounts import service as accounts
    from resolvers.core.context import SYSTEM_ACTOR, RequestMeta
    from resolvers.core.errors import UserErrors
    from resolvers.core.i18n import translate
    from resolvers.core.transaction import unit_of_work

    async def run() -> None:
        state = AppState.create(_settings())
        try:
            async with unit_of_work(state, "cli.create-admin", SYSTEM_ACTOR, RequestMeta(request_id="create-admin")) as uow:
                org = (
                    await uow.session.execute(select(Organisation).where(Organisation.uscc == uscc.strip().upper()))
                ).scalar_one_or_none()
                if org is None:
                    org = await accounts.create_organisation(
                        uow, accounts.OrganisationData(name=organisation_name, kind="platform", uscc=uscc, region_code=region_code)
                    )
                await accounts.create_user(
                    uow,
                    accounts.UserData(
                        username=username,
                        display_name=display_name,
                        organisation_id=org.id,
                        password=password,
                        roles=["platform_admin", "policy_admin"],
                    ),
                )
        finally:
            await state.close()

    try:
        asyncio.run(run())
    except UserErrors as exc:
        for p in exc.problems:
            typer.echo(f"{p.field or '-'}: {translate(p.code, 'en', **p.params)}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"administrator {username} created")


@app.command("reencrypt")
def reencrypt() -> None:
    """Re-encrypt sensitive columns under the active key id (after adding a new key)."""
    from app.state import AppState
    from resolvers.core.context import SYSTEM_ACTOR, RequestMeta
    from resolvers.core.transaction import unit_of_work
    from resolvers.security.keys import reencrypt_all

    async def run() -> dict[str, int]:
        state = AppState.create(_settings())
        try:
            async with unit_of_work(state, "cli.reencrypt", SYSTEM_ACTOR, RequestMeta(request_id="reencrypt")) as uow:
                return await reencrypt_all(uow)
        finally:
            await state.close()

    for column, count in asyncio.run(run()).items():
        typer.echo(f"{column}: {count} re-encrypted")


@app.command()
def worker(burst: bool = typer.Option(False, help="Run queued jobs, then stop.")) -> None:
    """Run the background worker (arq on SMALLWORKS_REDIS_URL)."""
    settings = _settings()
    if not settings.redis_url:
        typer.echo("SMALLWORKS_REDIS_URL is not set: without Redis, `smallworks serve` runs background jobs itself", err=True)
        raise typer.Exit(2)
    from arq.worker import run_worker

    from app.logs import configure_logging
    from workers.settings import WorkerSettings

    configure_logging(settings)
    run_worker(WorkerSettings, burst=burst)


@app.command("export-schema")
def export_schema(output: Path = typer.Option(SCHEMA_FILE, help="Where to write the SDL.")) -> None:
    """Write the GraphQL schema (SDL) for client code generation."""
    from pydantic import ValidationError

    try:
        sdl = schema_sdl()
    except ValidationError as exc:
        _refuse_settings(exc)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(sdl, encoding="utf-8")
    typer.echo(f"schema written to {output}")


def schema_sdl() -> str:
    from app.settings import Settings
    from schema import build_schema

    # The development build: the same types, with introspection allowed.
    return build_schema(Settings(env="development")).as_str() + "\n"


# Checks whose failure `serve` reports without refusing to start, and what it means.
WARN_ONLY = {"redis": "background work waits for it", "storage": "uploads fail until it is writable"}


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", envvar="HOST"),
    port: int = typer.Option(8000, envvar="PORT"),
    workers: int = typer.Option(1, envvar="WEB_CONCURRENCY", help="Worker processes."),
    reload: bool = typer.Option(False, help="Restart on code changes (development)."),
) -> None:
    """Serve GraphQL over HTTP with uvicorn, once the checks of `smallworks check` pass.

    Redis and the storage directory only warn: without them background work waits and
    uploads fail, the rest works."""
    import shutil
    import tempfile

    import uvicorn

    from app.checks import NOT_CHECKED
    from app.logs import configure_logging

    settings = _settings()
    checks = asyncio.run(_run_checks(settings))
    for c in checks:
        if c.name in WARN_ONLY and not c.ok:
            typer.echo(f"warning: {c.detail}; {WARN_ONLY[c.name]}", err=True)
    fatal = [c for c in checks if not c.ok and c.name not in WARN_ONLY and c.summary != NOT_CHECKED]
    if fatal:
        typer.echo("refusing to start: " + "; ".join(c.detail for c in fatal), err=True)
        raise typer.Exit(1)
    if settings.production and settings.database_url.startswith("sqlite") and workers > 1:
        typer.echo("note: SQLite serialises writers; use PostgreSQL or MariaDB for several workers", err=True)
    configure_logging(settings)  # the app's format for uvicorn's own lines too, in every process
    # Several processes keep their metrics in one directory, and /metrics reads them all
    # (app/metrics.py): the one given, emptied first, or one made for this run.
    metrics_dir = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    made_dir = None
    if metrics_dir:
        Path(metrics_dir).mkdir(parents=True, exist_ok=True)
        for stale in Path(metrics_dir).glob("*.db"):
            stale.unlink()
    elif workers > 1 and not reload:
        made_dir = tempfile.mkdtemp(prefix="smallworks-metrics-")
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = made_dir
    try:
        uvicorn.run(
            "app.asgi:app",
            host=host,
            port=port,
            workers=None if reload else workers,
            reload=reload,
            # The client address is the application's to decide (SMALLWORKS_TRUSTED_PROXIES):
            # uvicorn would otherwise believe X-Forwarded-For from 127.0.0.1.
            proxy_headers=False,
            log_config=None,
            log_level=settings.log_level.lower(),
            access_log=False,  # app.observe writes a line per request
        )
    finally:
        if made_dir:
            shutil.rmtree(made_dir, ignore_errors=True)


@app.command()
def check() -> None:
    """Check the settings, database, migrations, Redis, storage and keys; exit 1 on a problem.

    Secrets present and well-formed, the database reachable and at the latest migration,
    Redis when configured, the storage directory writable, and every encrypted value under
    a key of SMALLWORKS_DATA_KEYS. One line per check."""
    from app.checks import NOT_CHECKED

    settings = _settings()
    for line in _settings_report(settings):
        typer.echo(f"ok: {line}")
    checks = asyncio.run(_run_checks(settings))
    for c in checks:
        if c.ok:
            typer.echo(f"ok: {c.name}: {c.detail}")
        elif c.summary == NOT_CHECKED:
            typer.echo(f"skipped: {c.name}: {c.detail}", err=True)
        else:
            typer.echo(f"problem: {c.name}: {c.detail}", err=True)
    if not all(c.ok for c in checks):
        raise typer.Exit(1)


def _settings_report(settings: Settings) -> list[str]:
    ring = settings.key_ring
    origin = "from the environment" if settings.production else "from the environment, or generated under var/ (development)"
    return [
        f"settings: SMALLWORKS_ENV={settings.env}",
        f"SMALLWORKS_JWT_SECRET: {len(settings.jwt_secret or '')} characters, {origin}",
        f"SMALLWORKS_DATA_KEYS: {len(ring)} key(s) of 32 bytes ({', '.join(ring)}); new values use {settings.data_key_id!r}",
        _checkpoint_report(settings, origin),  # -- evidence
    ]


def _checkpoint_report(settings: Settings, origin: str) -> str:
    from resolvers.security.signing import derive_public_key, key_id

    if not settings.checkpoint_enabled or settings.checkpoint_key is None:
        return "SMALLWORKS_CHECKPOINT_ENABLED=false: the audit chain is not checkpointed"
    public = derive_public_key(settings.checkpoint_algorithm, settings.checkpoint_key)
    kid = key_id(settings.checkpoint_algorithm, public)
    return f"SMALLWORKS_CHECKPOINT_PRIVATE_KEY: {settings.checkpoint_algorithm} key {kid}, {origin}"


async def _run_checks(settings: Settings) -> list[Check]:
    from app.checks import all_checks
    from app.state import AppState

    state = AppState.create(settings)
    try:
        return await all_checks(state)
    finally:
        await state.close()


@app.command("gen-keys")
def gen_keys(
    add_data_key: bool = typer.Option(
        False,
        "--add-data-key",
        help="Print only SMALLWORKS_DATA_KEYS and SMALLWORKS_DATA_KEY_ID: the current key ring plus a new key, which becomes "
        "the active one (afterwards run `smallworks reencrypt`).",
    ),
    checkpoint_algorithm: str = typer.Option(
        "ed25519", envvar="SMALLWORKS_CHECKPOINT_ALGORITHM", help="Algorithm of the checkpoint key: ed25519 or sm2-sm3."
    ),
) -> None:
    """Print fresh secrets as SMALLWORKS_…=value lines for an env file: the token key, the
    field-encryption key ring and the key that signs checkpoints of the audit chain.

    No value needs quoting, so the same file serves docker --env-file, compose, systemd's
    EnvironmentFile, kubectl --from-env-file and a shell's `set -a; . FILE`."""
    from app.keygen import new_checkpoint_key, new_data_key, new_jwt_secret, next_key_id
    from app.settings import render_key_ring

    ring: dict[str, bytes] = {}
    lines: list[tuple[str, str]] = []
    if add_data_key:
        ring = dict(_settings().key_ring)
    else:
        lines.append(("SMALLWORKS_JWT_SECRET", new_jwt_secret()))
    kid = next_key_id(ring)
    ring[kid] = new_data_key()
    lines += [("SMALLWORKS_DATA_KEYS", render_key_ring(ring)), ("SMALLWORKS_DATA_KEY_ID", kid)]
    if not add_data_key:  # -- evidence: the key that signs checkpoints of the audit chain (Ed25519 by default)
        if checkpoint_algorithm not in ("ed25519", "sm2-sm3"):
            typer.echo("--checkpoint-algorithm must be ed25519 or sm2-sm3", err=True)
            raise typer.Exit(2)
        lines.append(("SMALLWORKS_CHECKPOINT_PRIVATE_KEY", new_checkpoint_key(checkpoint_algorithm)))
    for name, value in lines:
        typer.echo(f"{name}={value}")
    typer.echo("# keep these out of version control; keep every data key while values sealed under it remain", err=True)


@app.command("verify-contract")
def verify_contract(
    file: Path = typer.Argument(..., help="A contract bundle (JSON) as smallworks exports it; - reads standard input."),
) -> None:
    """Verify a signed contract bundle offline: its content hash and every signature.

    Needs no settings, no database and no network. One line per check; exit 0 when the
    bundle is valid, 1 when it is not, 2 when FILE cannot be read or is not JSON."""
    import sys

    from resolvers.contracts.bundle import read_bundle, verify_bundle

    try:
        # utf-8-sig: a file saved by an editor that writes a byte-order mark reads the same.
        text = sys.stdin.read() if str(file) == "-" else file.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        typer.echo(f"problem: cannot read {file}: {getattr(exc, 'strerror', None) or exc}", err=True)
        raise typer.Exit(2) from None
    try:
        bundle = read_bundle(text)
    except ValueError as exc:
        typer.echo(f"problem: {file} is not JSON: {exc}", err=True)
        raise typer.Exit(2) from None
    report = verify_bundle(bundle)
    for line in report.lines():
        typer.echo(line, err=line.startswith("problem:"))
    raise typer.Exit(0 if report.valid else 1)


@app.command("verify-archive")
def verify_archive() -> None:
    """Re-hash every archived invoice file against its archive record (发票档案核验).

    One line per file changed or missing, then a summary; exit 0 when every file matches
    its record, 1 when one does not. Run it from cron and alert on a non-zero exit."""
    from app.state import AppState
    from resolvers.core.context import SYSTEM_ACTOR
    from resolvers.payments.archive import ArchiveReport
    from resolvers.payments.archive import verify_archive as verify

    async def run() -> ArchiveReport:
        state = AppState.create(_settings())
        try:
            async with state.db.read() as session:

                class Reads:
                    async def all(self, statement):
                        return list((await session.execute(statement)).all())

                return await verify(Reads(), state.settings.archive_dir, SYSTEM_ACTOR)
        finally:
            await state.close()

    report = asyncio.run(run())
    for finding in report.findings:
        found = finding.found_sha256 or "-"
        typer.echo(
            f"problem: {finding.archive_number} {finding.problem}: expected sha256 {finding.expected_sha256}, found {found}", err=True
        )
    typer.echo(
        f"{report.checked} archived files checked, {report.intact} intact, {len(report.findings)} changed or missing; {report.waiting} verified invoices not archived yet"
    )
    raise typer.Exit(0 if not report.findings else 1)


from app.cli_documents import documents_app  # noqa: E402

app.add_typer(documents_app, name="trusted-documents")

# -- evidence
from app.cli_evidence import export_evidence, verify_bundle  # noqa: E402

app.command("export-evidence")(export_evidence)
app.command("verify-bundle")(verify_bundle)


def _redacted(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
