"""Database engine and sessions.

A GraphQL request reads through one connection (``RequestReads``), shared by its list
pages, counts and DataLoader batches, which take turns on it; a mutation runs in one
session and one transaction.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Result, make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from app.driver_reads import DriverReads
from app.settings import Settings


def postgresql_settings(settings: Settings) -> dict[str, str]:
    """What each PostgreSQL connection sets for itself (docs/reports-performance.md has the
    plans behind each):

    - ``plan_cache_mode=force_custom_plan``: asyncpg prepares every statement, and after five
      runs PostgreSQL may switch a prepared statement to a generic plan, one made without
      the parameters' values. For a region's row scope that plan is the one for an average
      region: a city's report that took 0.1 s took 5 s from its sixth call on.
    - ``jit=off``: compiling a report's plan to machine code took longer than it saved.
    - ``work_mem``: the memory of one sort or hash before it spills to disk
      (``database_work_mem``; PostgreSQL's default of 4 MB spilled the province's reports).
    """
    return {"plan_cache_mode": "force_custom_plan", "jit": "off", "work_mem": settings.database_work_mem}


class Database:
    """Owns the engines of one database URL.

    SQLite allows one writer at a time; a deferred transaction that reads first and writes
    later fails with SQLITE_BUSY instead of waiting. Write transactions therefore use a
    second engine whose transactions begin IMMEDIATE (take the write lock up front and wait
    for it); reads stay deferred and run concurrently in WAL mode.
    """

    replica_engine: AsyncEngine | None = None

    def __init__(self, settings: Settings):
        self.url = make_url(settings.database_url)
        self.dialect = self.url.get_backend_name()
        if self.dialect == "sqlite":
            self._prepare_sqlite_path()
            self.engine = self._sqlite_engine(immediate=False)
            self.write_engine = self._sqlite_engine(immediate=True)
        else:
            # Pre-ping once at checkout (a request checks out one connection), and recycle
            # connections before servers or proxies drop idle ones.
            kwargs: dict = {"pool_pre_ping": True, "pool_size": settings.database_pool_size, "max_overflow": 20, "pool_recycle": 1800}
            if self.dialect == "mysql":
                kwargs["isolation_level"] = "READ COMMITTED"
            if self.dialect == "postgresql":
                kwargs["connect_args"] = {"server_settings": postgresql_settings(settings)}
            self.engine = create_async_engine(self.url, **kwargs)
            self.write_engine = self.engine
            if settings.database_read_url:
                self.replica_engine = create_async_engine(make_url(settings.database_read_url), **kwargs)
        # Batch reads straight on asyncpg (app/driver_reads.py); other drivers through SQLAlchemy.
        self.driver_reads = DriverReads(self.engine.dialect) if self.engine.dialect.driver == "asyncpg" else None
        self.read_your_writes_seconds = settings.read_your_writes_seconds
        # Writer (``kind:id``) -> monotonic time until which their queries read the primary.
        self._primary_until: dict[str, float] = {}
        self.read_sessions = async_sessionmaker(self.engine, expire_on_commit=False, autoflush=False)
        self.write_sessions = async_sessionmaker(self.write_engine, expire_on_commit=False, autoflush=True)

    def _prepare_sqlite_path(self) -> None:
        from pathlib import Path

        database = self.url.database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)

    def _sqlite_engine(self, immediate: bool) -> AsyncEngine:
        engine = create_async_engine(self.url, connect_args={"timeout": 30})

        @event.listens_for(engine.sync_engine, "connect")
        def _connect(dbapi_connection, _record):  # pragma: no cover - driver plumbing
            dbapi_connection.isolation_level = None  # let SQLAlchemy emit BEGIN itself
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        @event.listens_for(engine.sync_engine, "begin")
        def _begin(conn):  # pragma: no cover - driver plumbing
            if conn.get_execution_options().get("isolation_level") == "AUTOCOMMIT":
                return  # a request's read connection: each statement stands alone
            conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

        return engine

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        async with self.read_sessions() as session:
            yield session

    @asynccontextmanager
    async def snapshot(self) -> AsyncIterator[AsyncSession]:
        """A read session whose statements all see the database as of its first one, for
        reads that must agree with each other (walking the audit chain while writers
        append). PostgreSQL and MariaDB need REPEATABLE READ for that (the engines default
        to READ COMMITTED); a SQLite read transaction in WAL mode already is a snapshot."""
        async with self.read_sessions() as session:
            if self.dialect != "sqlite":
                await session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
            yield session

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncSession]:
        """A session in one transaction: committed by the caller, rolled back on error."""
        async with self.write_sessions() as session:
            async with session.begin():
                yield session

    def mark_written(self, writer: str) -> None:
        """``writer`` just committed: their queries read the primary for a while, so they
        see their own change however far the replica lags."""
        if self.replica_engine is None:
            return
        now = time.monotonic()
        if len(self._primary_until) > 10_000:
            self._primary_until = {k: v for k, v in self._primary_until.items() if v > now}
        self._primary_until[writer] = now + self.read_your_writes_seconds

    def query_engine(self, writer: str | None) -> AsyncEngine:
        """Where a query request reads: the replica, unless there is none or ``writer``
        wrote recently."""
        if self.replica_engine is None or (writer is not None and self._primary_until.get(writer, 0.0) > time.monotonic()):
            return self.engine
        return self.replica_engine

    async def dispose(self) -> None:
        if self.replica_engine is not None:
            await self.replica_engine.dispose()
        await self.engine.dispose()
        if self.write_engine is not self.engine:
            await self.write_engine.dispose()


class _Primary:
    def __init__(self, reads: RequestReads):
        self.reads = reads

    async def execute(self, statement, parameters: dict[str, Any] | None = None) -> Result:
        if self.reads.db.replica_engine is None:
            return await self.reads.execute(statement, parameters)
        async with self.reads.db.read() as session:
            return await session.execute(statement, parameters)


class RequestReads:
    """The reads of one request through one connection, checked out on first use and given
    back by ``close``. Its statements take turns (a connection runs one at a time) and run
    in autocommit mode: no BEGIN or ROLLBACK around them, nothing held between them.

    ``shared=False`` (a WebSocket connection, which lives long) reads through a fresh
    session each time instead, so no connection is held while the socket idles."""

    def __init__(self, db: Database, shared: bool = True):
        self.db = db
        self.shared = shared
        # Who is reading (``kind:id``), once known: decides replica or primary.
        self.reader: str | None = None
        self._connection: AsyncConnection | None = None
        self._lock = asyncio.Lock()

    async def _connect(self) -> AsyncConnection:
        if self._connection is None:
            connection = await self.db.query_engine(self.reader).connect()
            self._connection = await connection.execution_options(isolation_level="AUTOCOMMIT")
        return self._connection

    async def execute(self, statement, parameters: dict[str, Any] | None = None) -> Result:
        """A Core statement's buffered result."""
        if not self.shared:
            async with self.db.read() as session:
                return await session.execute(statement, parameters)
        async with self._lock:
            return await (await self._connect()).execute(statement, parameters)

    async def all(self, statement, parameters: dict[str, Any] | None = None) -> list[Any]:
        """``execute(statement, parameters).all()``: on the asyncpg connection itself where
        the database is PostgreSQL (``DriverReads``), the same rows either way."""
        driver = self.db.driver_reads
        if driver is None or not self.shared:
            return list((await self.execute(statement, parameters)).all())
        async with self._lock:
            return await driver.all(await self._connect(), statement, parameters)

    @property
    def primary(self) -> _Primary:
        """These reads where the answer must never lag (who is signed in, and whether their
        session still stands): the primary when there is a replica, else the same connection."""
        return _Primary(self)

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """An ORM session on the request's connection, for reads that want entities; the
        other reads of the request wait until the block ends. With a replica, this reads
        the primary (who is signed in, and whether their session still stands, must never
        lag)."""
        if not self.shared or self.db.replica_engine is not None:
            async with self.db.read() as session:
                yield session
            return
        async with self._lock:
            session = AsyncSession(bind=await self._connect(), expire_on_commit=False, autoflush=False)
            try:
                yield session
            finally:
                await session.close()

    @asynccontextmanager
    async def apart(self) -> AsyncIterator[RequestReads]:
        """Reads of this request on a connection of their own, given back when the block
        ends: for a statement that can run while the request's connection runs another (two
        independent halves of one answer, each a statement of its own)."""
        reads = RequestReads(self.db, shared=self.shared)
        reads.reader = self.reader
        try:
            yield reads
        finally:
            await reads.close()

    async def close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            await connection.close()
