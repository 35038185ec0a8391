"""The ``smallworks`` command."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import typer

app = typer.Typer(help="smallworks: GraphQL backend for small-value public works (小额工程).", no_args_is_help=True)

SCHEMA_FILE = Path(__file__).resolve().parent.parent / "clients" / "schema.graphql"


def _settings():
    from app.settings import get_settings

    return get_settings()


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
    password: str = typer.Option(..., prompt=True, hide_input=True, confirmation_prompt=True, envvar="SMALLWORKS_ADMIN_PASSWORD"),
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
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(schema_sdl(), encoding="utf-8")
    typer.echo(f"schema written to {output}")


def schema_sdl() -> str:
    from app.settings import Settings
    from schema import build_schema

    # The development build: the same types, with introspection allowed.
    return build_schema(Settings(env="development")).as_str() + "\n"


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", envvar="HOST"),
    port: int = typer.Option(8000, envvar="PORT"),
    workers: int = typer.Option(1, envvar="WEB_CONCURRENCY", help="Worker processes."),
    reload: bool = typer.Option(False, help="Restart on code changes (development)."),
) -> None:
    """Serve GraphQL over HTTP with uvicorn."""
    import shutil
    import tempfile

    import uvicorn

    from app.logs import configure_logging

    settings = _settings()
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
            proxy_headers=True,
            forwarded_allow_ips=os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1"),
            log_config=None,
            log_level=settings.log_level.lower(),
            access_log=False,  # app.observe writes a line per request
        )
    finally:
        if made_dir:
            shutil.rmtree(made_dir, ignore_errors=True)


def _redacted(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
