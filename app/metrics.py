"""Prometheus metrics of the server process, answered at ``/metrics``.

Counted as requests finish (``app.observe``): HTTP requests by route and status; GraphQL
requests and their latency by operation name and executor; GraphQL errors and mutation
user errors by code. Read at scrape time: the outbox backlog (one grouped count on an
indexed column) and the database pools of this process. Background jobs are counted where
they run (``workers.metrics``).

Label values stay bounded whatever clients send: an operation is named only when its
document validated and ran, and only the first ``SMALLWORKS_METRICS_MAX_OPERATIONS``
names a process sees get their own label (later ones count as ``(other)``); error codes
are the registered codes (anything else counts as ``OTHER``).

Several server processes (``smallworks serve --workers N``) share their metrics through
prometheus_client's multiprocess mode: ``PROMETHEUS_MULTIPROC_DIR`` names a directory
they all write to, and whichever process answers a scrape reads them all. ``serve`` with
more than one worker makes one for the run when it is not set.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Iterator

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4
from sqlalchemy import func, select

from models.base import utcnow
from models.notifications import OutboxEvent

log = logging.getLogger("smallworks.metrics")

CONTENT_TYPE = CONTENT_TYPE_PLAIN_0_0_4
# prometheus_client decides this once, when it is imported, from the same variable.
MULTIPROCESS_DIR = os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None

UNNAMED = "(unnamed)"  # an operation without a name
OTHER = "(other)"  # a name past the limit of distinct names
NONE = "(none)"  # no operation ran: the document did not parse or validate, or the request was refused before
BATCH = "(batch)"  # several operations in one request
OTHER_CODE = "OTHER"

HTTP_REQUESTS = Counter(
    "smallworks_http_requests", "HTTP requests answered, by method, route template and status.", ["method", "route", "status"]
)
HTTP_DURATION = Histogram("smallworks_http_request_duration_seconds", "Time to answer an HTTP request, by route template.", ["route"])
GRAPHQL_REQUESTS = Counter(
    "smallworks_graphql_requests",
    "GraphQL requests over HTTP, by operation name and executor (compiled, general, none).",
    ["operation", "executor"],
)
GRAPHQL_DURATION = Histogram(
    "smallworks_graphql_request_duration_seconds",
    "Time to answer a GraphQL request over HTTP, by operation name and executor.",
    ["operation", "executor"],
)
GRAPHQL_ERRORS = Counter(
    "smallworks_graphql_errors",
    "Errors in GraphQL responses (execution, validation and transport errors), by extensions.code.",
    ["operation", "code"],
)
USER_ERRORS = Counter("smallworks_graphql_user_errors", "User errors in mutation payloads, by code.", ["operation", "code"])
DB_POOL_CONNECTIONS = Gauge(
    "smallworks_db_pool_connections",
    "Database connections of the pools (checked_out: in use; idle: open, waiting), by engine.",
    ["engine", "state"],
    multiprocess_mode="livesum",
)
DB_POOL_SIZE = Gauge(
    "smallworks_db_pool_size", "Configured size of the database pools (overflow comes on top).", ["engine"], multiprocess_mode="livesum"
)

METHODS = frozenset(("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"))
OUTBOX_STATUSES = ("pending", "dispatched", "failed")


class BoundedLabels:
    """Label values as they come, the first ``limit`` distinct ones; after that ``other``."""

    def __init__(self, limit: int, other: str):
        self.limit = limit
        self.other = other
        self._known: set[str] = set()

    def __call__(self, value: str) -> str:
        if value in self._known:
            return value
        if len(self._known) < self.limit:
            self._known.add(value)
            return value
        return self.other


class ErrorCodes:
    """Error code labels: codes of the form the app gives (``UPPER_SNAKE``), at most 200."""

    def __init__(self) -> None:
        self._labels = BoundedLabels(200, OTHER_CODE)

    def __call__(self, code: object) -> str:
        if isinstance(code, str) and 0 < len(code) <= 64 and code.replace("_", "").isalnum() and code.isupper() and code.isascii():
            return self._labels(code)
        return OTHER_CODE


def engines(db) -> dict[str, object]:
    """The process's engines by label: ``primary`` (reads and writes), ``write`` (SQLite's
    writer, beside the primary that reads), ``replica``."""
    found: dict[str, object] = {"primary": db.engine}
    if db.write_engine is not db.engine:
        found["write"] = db.write_engine
    if db.replica_engine is not None:
        found["replica"] = db.replica_engine
    return found


def refresh_pools(db) -> None:
    """Set the pool gauges from this process's pools (a few attribute reads)."""
    for name, engine in engines(db).items():
        pool = engine.pool  # type: ignore[attr-defined]
        if not hasattr(pool, "checkedout"):
            continue  # a pool that keeps no count (NullPool, StaticPool)
        DB_POOL_CONNECTIONS.labels(name, "checked_out").set(pool.checkedout())
        DB_POOL_CONNECTIONS.labels(name, "idle").set(pool.checkedin())
        DB_POOL_SIZE.labels(name).set(pool.size())


class _Outbox:
    """The outbox gauges of one scrape, read from the database just before."""

    def __init__(self, counts: dict[str, int], oldest_age: float):
        self.counts = counts
        self.oldest_age = oldest_age

    def collect(self) -> Iterator[Metric]:
        events = GaugeMetricFamily(
            "smallworks_outbox_events", "Outbox events not done, by status (pending, dispatched, failed).", labels=["status"]
        )
        for status in OUTBOX_STATUSES:
            events.add_metric([status], self.counts.get(status, 0))
        yield events
        yield GaugeMetricFamily(
            "smallworks_outbox_oldest_unsent_age_seconds",
            "Age of the oldest outbox event not yet delivered (pending or dispatched); 0 when there is none.",
            value=self.oldest_age,
        )


async def _outbox(state) -> _Outbox:
    statement = (
        select(OutboxEvent.status, func.count(), func.min(OutboxEvent.created_at))
        .where(OutboxEvent.status.in_(OUTBOX_STATUSES))
        .group_by(OutboxEvent.status)
    )
    async with state.db.read() as session:
        rows = (await session.execute(statement)).all()
    counts = {status: count for status, count, _ in rows}
    unsent = [oldest for status, _, oldest in rows if status != "failed" and oldest is not None]
    age = max(0.0, (utcnow() - min(unsent)).total_seconds()) if unsent else 0.0
    return _Outbox(counts, age)


class _Forward:
    """The process's default registry inside a scrape's registry."""

    def collect(self) -> Iterator[Metric]:
        yield from REGISTRY.collect()


async def scrape(state, timeout: float = 5.0) -> bytes:
    """The exposition of this process's metrics (of all server processes in multiprocess
    mode), with the outbox gauges read now. Without the database, the outbox gauges are
    left out (alert on their absence) and the rest is answered."""
    refresh_pools(state.db)
    registry = CollectorRegistry(auto_describe=False)
    if MULTIPROCESS_DIR:
        from prometheus_client import multiprocess

        multiprocess.MultiProcessCollector(registry, path=MULTIPROCESS_DIR)
    else:
        registry.register(_Forward())
    try:
        registry.register(await asyncio.wait_for(_outbox(state), timeout))
    except Exception as exc:
        log.warning("outbox metrics left out of a scrape: %s", type(exc).__name__)
    return generate_latest(registry)


def process_ended() -> None:
    """In multiprocess mode: this process's live gauges stop counting."""
    if MULTIPROCESS_DIR:
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(os.getpid(), MULTIPROCESS_DIR)
