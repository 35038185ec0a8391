"""Background job metrics: runs by job and outcome, and their duration.

The same jobs run in the arq worker (``smallworks worker``, which serves these at
``SMALLWORKS_WORKER_METRICS_PORT`` when it is set) and, without Redis, inside the server
process (its ``/metrics``)."""

from __future__ import annotations

import asyncio
import functools
import os
import sys
import time
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from typing import Any, ParamSpec, TypeVar

from prometheus_client import Counter, Histogram

from workers.delivery import RetryLater

JOBS = Counter("smallworks_background_jobs", "Background job runs, by job and outcome (ok, retry, error, cancelled).", ["job", "outcome"])
JOB_DURATION = Histogram(
    "smallworks_background_job_duration_seconds",
    "Time a background job ran, by job.",
    ["job"],
    buckets=(0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 120, 300),
)

P = ParamSpec("P")
T = TypeVar("T")


@asynccontextmanager
async def job_run(job: str) -> AsyncIterator[None]:
    """Count one run of ``job`` by how it ends: ok, retry (it asked to run again later),
    error, cancelled (a timeout or shutdown)."""
    started = time.perf_counter()
    outcome = "error"
    try:
        yield
        outcome = "ok"
    except asyncio.CancelledError:
        outcome = "cancelled"
        raise
    except Exception as exc:
        if _asks_again(exc):
            outcome = "retry"
        raise
    finally:
        JOBS.labels(job, outcome).inc()
        JOB_DURATION.labels(job).observe(time.perf_counter() - started)


def _asks_again(exc: Exception) -> bool:
    """RetryLater, or arq's Retry: the job is to run again later. (A server process without
    Redis never imports arq, so an exception there cannot be its Retry.)"""
    if isinstance(exc, RetryLater):
        return True
    arq_worker = sys.modules.get("arq.worker")
    return arq_worker is not None and isinstance(exc, arq_worker.Retry)


def counted(function: Callable[P, Coroutine[Any, Any, T]]) -> Callable[P, Coroutine[Any, Any, T]]:
    """A job function whose runs are counted under its name (arq names it the same)."""

    @functools.wraps(function)
    async def run(*args: P.args, **kwargs: P.kwargs) -> T:
        async with job_run(function.__name__):
            return await function(*args, **kwargs)

    return run


def serve_metrics(port: int, host: str) -> Any:
    """Serve this process's metrics over HTTP (a thread), for the arq worker."""
    from prometheus_client import REGISTRY, CollectorRegistry, start_http_server

    registry = REGISTRY
    path = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if path:
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry, path=path)
    server, _ = start_http_server(port, host, registry=registry)
    return server
