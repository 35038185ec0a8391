"""What must hold before a process takes traffic: the database reachable and at the latest
migration, Redis reachable when configured, the storage directory writable, and every
encrypted value under a key of the key ring. ``smallworks check`` prints them,
``smallworks serve`` refuses to start when one fails (Redis and storage only warn: without
them background work waits and uploads fail, the rest works), and ``GET /readyz`` answers
503 while the database, its migrations or Redis fail (it leaves the others out: they read
every encrypted column or write a file, and keys do not change while a process runs).

Each check has a ``detail`` for the operator's terminal and a ``summary`` for /readyz,
which anyone who can reach the server may read: a word, never a host, a revision or an
error's text."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import and_, select, text
from sqlalchemy.engine import make_url

if TYPE_CHECKING:
    from alembic.script import ScriptDirectory

    from app.db import Database
    from app.state import AppState

MIGRATE = "run `smallworks migrate`"
# The summary of a check that could not run because an earlier one failed.
NOT_CHECKED = "not checked"


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    summary: str = "ok"

    @classmethod
    def failed(cls, name: str, detail: str, summary: str) -> Check:
        return cls(name, False, detail, summary)


def redacted(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


@cache
def _scripts() -> ScriptDirectory:
    from alembic.script import ScriptDirectory

    from app.migrate import alembic_config

    return ScriptDirectory.from_config(alembic_config())


def latest_revisions() -> tuple[str, ...]:
    """The heads of this release's migrations."""
    return tuple(sorted(_scripts().get_heads()))


def migration_check(current: tuple[str, ...]) -> Check:
    """Compares the database's Alembic revisions with this release's heads."""
    heads = latest_revisions()
    latest = ", ".join(heads)
    if not current:
        return Check.failed("migrations", f"the database was never migrated (latest is {latest}): {MIGRATE}", "not migrated")
    at = ", ".join(sorted(current))
    if sorted(current) == list(heads):
        return Check("migrations", True, f"at the latest revision {latest}")
    scripts = _scripts()
    unknown = []
    for revision in current:
        try:
            known = scripts.get_revision(revision) is not None
        except Exception:  # alembic's ResolutionError / CommandError for an id it lacks
            known = False
        if not known:
            unknown.append(revision)
    if unknown:
        return Check.failed(
            "migrations",
            f"the database is at revision {at}, which this release does not know (a newer release migrated it; latest here is {latest})",
            "unknown revision",
        )
    return Check.failed("migrations", f"the database is at revision {at}, behind the latest {latest}: {MIGRATE}", "behind")


def _current_revisions(connection) -> tuple[str, ...]:
    from alembic.runtime.migration import MigrationContext

    return tuple(MigrationContext.configure(connection).get_current_heads())


async def database_checks(db: Database, timeout: float) -> list[Check]:
    """Reachable (``SELECT 1``), then at the latest migration."""
    where = db.url.render_as_string(hide_password=True)
    if db.dialect == "sqlite" and db.url.database not in (None, "", ":memory:") and not Path(db.url.database).exists():
        return [
            Check.failed("database", f"the SQLite file {db.url.database} does not exist: {MIGRATE}", "missing"),
            Check.failed("migrations", "not checked: there is no database file", NOT_CHECKED),
        ]

    async def probe() -> tuple[str, ...]:
        async with db.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
            return await conn.run_sync(_current_revisions)

    try:
        current = await asyncio.wait_for(probe(), timeout)
    except TimeoutError:
        return [
            Check.failed("database", f"no answer from {where} within {timeout:g} s", "timeout"),
            Check.failed("migrations", "not checked: the database did not answer", NOT_CHECKED),
        ]
    except Exception as exc:
        return [
            Check.failed("database", f"cannot reach {where}: {_reason(exc)}", f"error: {type(exc).__name__}"),
            Check.failed("migrations", "not checked: the database is unreachable", NOT_CHECKED),
        ]
    return [Check("database", True, f"reachable at {where}"), migration_check(current)]


async def redis_check(url: str, timeout: float) -> Check:
    from redis.asyncio import Redis

    where = redacted(url)
    redis = Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)
    try:
        await asyncio.wait_for(redis.ping(), timeout + 1)
    except Exception as exc:
        return Check.failed("redis", f"cannot reach {where}: {_reason(exc)}", f"error: {type(exc).__name__}")
    finally:
        await redis.aclose()
    return Check("redis", True, f"reachable at {where}")


async def key_check(state: AppState) -> Check:
    """Every value of every encrypted column is sealed under a key id of the key ring (a
    key removed before ``smallworks reencrypt`` moved its values would make them
    unreadable)."""
    from resolvers.security.crypto import PREFIX
    from resolvers.security.keys import encrypted_columns

    columns = encrypted_columns()
    ring = state.settings.key_ring
    async with state.db.read() as session:
        for model, attribute, name, _context in columns:
            column = getattr(model, attribute)
            outside = and_(column.is_not(None), *[~column.startswith(f"{PREFIX}:{kid}:", autoescape=True) for kid in ring])
            stored = (await session.execute(select(column).where(outside).limit(1))).scalar()
            if stored is not None:
                kid = state.cipher.key_id_of(stored)
                return Check.failed(
                    "data keys",
                    f"{name} has values sealed under key id {kid!r}, which SMALLWORKS_DATA_KEYS lacks: put that key back (then `smallworks reencrypt`)",
                    "missing key",
                )
    names = ", ".join(name for _m, _a, name, _c in columns)
    return Check(
        "data keys", True, f"every encrypted value ({names}) is under a key of the ring; new values use {state.settings.data_key_id!r}"
    )


def storage_check(
    directory: Path, name: str = "storage", setting: str = "SMALLWORKS_STORAGE_DIR", holds: str = "documents are stored"
) -> Check:
    """Files can be stored: the directory exists (or can be made) and takes a file."""
    import tempfile

    try:
        directory.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=directory, prefix=".smallworks-check-"):
            pass
    except OSError as exc:
        return Check.failed(name, f"cannot write to {setting} {directory}: {exc.strerror or exc}", "error")
    return Check(name, True, f"{holds} in {directory}")


def archive_check(directory: Path) -> Check:
    """Archived invoices can be written (the worker archives; every process re-hashes)."""
    return storage_check(directory, "archive", "SMALLWORKS_ARCHIVE_DIR", "invoices are archived")


async def readiness(state: AppState, timeout: float = 3.0) -> list[Check]:
    """The checks of /readyz: database, migrations, and Redis when configured."""
    checks: list[Awaitable[list[Check]]] = [database_checks(state.db, timeout)]
    if state.settings.redis_url:
        checks.append(_one(redis_check(state.settings.redis_url, timeout)))
    return [check for group in await asyncio.gather(*checks) for check in group]


async def all_checks(state: AppState, timeout: float = 10.0) -> list[Check]:
    """Readiness, the storage and archive directories, and the encrypted values' keys once
    the database is at the latest migration."""
    checks = await readiness(state, timeout)
    checks.append(await asyncio.to_thread(storage_check, Path(state.settings.storage_dir)))
    checks.append(await asyncio.to_thread(archive_check, Path(state.settings.archive_dir)))
    if all(c.ok for c in checks if c.name in ("database", "migrations")):
        checks.append(await _guarded("data keys", lambda: key_check(state)))
    return checks


async def _one(check: Awaitable[Check]) -> list[Check]:
    return [await check]


async def _guarded(name: str, run: Callable[[], Awaitable[Check]]) -> Check:
    try:
        return await run()
    except Exception as exc:
        return Check.failed(name, f"could not be checked: {_reason(exc)}", f"error: {type(exc).__name__}")


def _reason(exc: BaseException) -> str:
    """An exception's first line (drivers wrap the useful part)."""
    cause = getattr(exc, "orig", None) or exc
    first = str(cause).strip().splitlines()[0] if str(cause).strip() else ""
    return f"{type(cause).__name__}: {first}" if first else type(cause).__name__
