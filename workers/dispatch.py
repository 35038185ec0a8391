"""Handing committed outbox events to the worker.

With Redis configured, each event becomes an arq job whose id is the event id, so a
dispatch repeated after a crash does not run twice. Without Redis (the embedded default)
the same job functions run in this process. Either way, ``reconcile`` finds events that
were committed but never handed over or never finished, and hands them over again."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from sqlalchemy import select, update

from models.base import utcnow
from models.notifications import OutboxEvent
from resolvers.core.jobs import BACKGROUND_JOBS
from workers.delivery import RetryLater, deliver_event, deliver_webhook
from workers.metrics import job_run

log = logging.getLogger("smallworks.dispatch")


def event_job_id(event_id: int) -> str:
    return f"event-{event_id}"


def webhook_job_id(event_id: int, subscription_id: int) -> str:
    return f"webhook-{event_id}-{subscription_id}"


async def _mark_dispatched(state, event_id: int) -> None:
    async with state.db.write() as session:
        await session.execute(
            update(OutboxEvent)
            .where(OutboxEvent.id == event_id, OutboxEvent.status.in_(("pending", "dispatched")))
            .values(status="dispatched", dispatched_at=utcnow(), dispatch_count=OutboxEvent.dispatch_count + 1)
        )


class ArqDispatcher:
    def __init__(self, state):
        self.state = state
        self._pool = None

    async def pool(self):
        if self._pool is None:
            from arq import create_pool
            from arq.connections import RedisSettings

            settings = RedisSettings.from_dsn(self.state.settings.redis_url)
            settings.conn_retries = 0
            self._pool = await create_pool(settings)
        return self._pool

    async def dispatch(self, event_ids: list[int]) -> None:
        for event_id in event_ids:
            await self.enqueue_event(event_id)

    async def enqueue_event(self, event_id: int, again: bool = False) -> bool:
        """Queue the event's job. ``again``: the job ran before without finishing the
        event (it failed for good, or its result outlived it); clear that result first."""
        from arq.jobs import Job, JobStatus

        job_id = event_job_id(event_id)
        try:
            pool = await self.pool()
            if again:
                status = await Job(job_id, pool).status()
                if status in (JobStatus.queued, JobStatus.deferred, JobStatus.in_progress):
                    return True
                await pool.delete(f"arq:result:{job_id}")
            await pool.enqueue_job("deliver_event", event_id, _job_id=job_id)
        except Exception as exc:
            log.warning("event %s not dispatched (%s); reconcile will retry", event_id, exc)
            await self._reset()
            return False
        await _mark_dispatched(self.state, event_id)
        return True

    async def enqueue_job(self, name: str, *args, job_id: str) -> None:
        """Queue a domain's background job (``resolvers.core.jobs.background_job``); a job
        id already queued or kept as a result is not queued twice."""
        pool = await self.pool()
        await pool.enqueue_job(name, *args, _job_id=job_id)

    async def schedule_webhook(self, event_id: int, subscription_id: int) -> None:
        pool = await self.pool()
        await pool.enqueue_job("deliver_webhook", event_id, subscription_id, _job_id=webhook_job_id(event_id, subscription_id))

    async def _reset(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            try:
                await pool.aclose()
            except Exception:
                pass

    async def close(self) -> None:
        await self._reset()


class InProcessDispatcher:
    """Runs the job functions in this process: right after commit, with webhook retries
    (backoff) in background tasks. Failures stay in the outbox for ``reconcile``."""

    def __init__(self, state) -> None:
        self.state = state
        self._tasks: set[asyncio.Task] = set()

    async def dispatch(self, event_ids: list[int]) -> None:
        for event_id in event_ids:
            await self.enqueue_event(event_id)

    async def enqueue_event(self, event_id: int, again: bool = False) -> bool:
        await _mark_dispatched(self.state, event_id)
        try:
            async with job_run("deliver_event"):
                await deliver_event(self.state, event_id, self.schedule_webhook)
        except Exception as exc:
            log.warning("event %s not delivered yet: %s", event_id, exc)
        return True

    async def enqueue_job(self, name: str, *args, job_id: str) -> None:
        """Run a domain's background job now; a failure is raised to the caller (the
        reaction that queued it), so the event that asked for it is delivered again."""
        async with job_run(name):
            await BACKGROUND_JOBS[name](self.state, *args)

    async def schedule_webhook(self, event_id: int, subscription_id: int) -> None:
        try:
            async with job_run("deliver_webhook"):
                await deliver_webhook(self.state, event_id, subscription_id)
        except RetryLater as retry:
            self._spawn(self._retry_webhook(event_id, subscription_id, retry.defer))

    async def _retry_webhook(self, event_id: int, subscription_id: int, defer: float) -> None:
        while True:
            await asyncio.sleep(defer)
            try:
                async with job_run("deliver_webhook"):
                    await deliver_webhook(self.state, event_id, subscription_id)
                return
            except RetryLater as retry:
                defer = retry.defer

    def _spawn(self, coroutine) -> None:
        task = asyncio.get_running_loop().create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)


async def reconcile(state) -> int:
    """Hand over again every event that is committed but not done: never dispatched
    (Redis was down at commit) or dispatched long ago without finishing (worker killed,
    retries exhausted)."""
    now = utcnow()
    settings = state.settings
    async with state.db.read() as session:
        rows = (
            await session.execute(
                select(OutboxEvent.id, OutboxEvent.status, OutboxEvent.dispatched_at, OutboxEvent.dispatch_count)
                .where(
                    OutboxEvent.status.in_(("pending", "dispatched")),
                    OutboxEvent.created_at < now - timedelta(seconds=settings.outbox_grace_seconds),
                )
                .order_by(OutboxEvent.id)
                .limit(1000)
            )
        ).all()
    handed = 0
    stale_before = now - timedelta(seconds=settings.outbox_redispatch_seconds)
    for event_id, status, dispatched_at, dispatch_count in rows:
        if status == "pending":
            handed += await state.dispatcher.enqueue_event(event_id)
        elif dispatched_at is None or dispatched_at < stale_before:
            if dispatch_count >= settings.outbox_max_dispatches:
                await _give_up(state, event_id)
            else:
                handed += await state.dispatcher.enqueue_event(event_id, again=True)
    return handed


async def _give_up(state, event_id: int) -> None:
    """An event handed over ``outbox_max_dispatches`` times without finishing (say, mail to
    an address that bounces every time) is marked failed, with its last error kept for an
    operator, instead of being retried forever."""
    async with state.db.write() as session:
        await session.execute(
            update(OutboxEvent)
            .where(OutboxEvent.id == event_id, OutboxEvent.status == "dispatched")
            .values(status="failed", completed_at=utcnow())
        )
    log.warning("event %s failed after %s dispatches", event_id, state.settings.outbox_max_dispatches)
