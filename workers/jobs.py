"""arq job functions. Each takes the worker context (``ctx["state"]`` is the AppState)."""

from __future__ import annotations

from arq.worker import Retry

from resolvers import load_domains
from resolvers.core.clock import today_in_china
from resolvers.core.context import SYSTEM_ACTOR, RequestMeta
from resolvers.core.jobs import BACKGROUND_JOBS, PERIODIC, REMINDERS, SCHEDULED
from resolvers.core.transaction import unit_of_work
from workers.delivery import RetryLater
from workers.delivery import deliver_event as _deliver_event
from workers.delivery import deliver_webhook as _deliver_webhook
from workers.dispatch import reconcile
from workers.metrics import counted


@counted
async def deliver_event(ctx, event_id: int) -> str:
    state = ctx["state"]
    try:
        return await _deliver_event(state, event_id, state.dispatcher.schedule_webhook)
    except RetryLater as retry:
        raise Retry(defer=retry.defer) from retry


@counted
async def deliver_webhook(ctx, event_id: int, subscription_id: int) -> str:
    try:
        return await _deliver_webhook(ctx["state"], event_id, subscription_id)
    except RetryLater as retry:
        raise Retry(defer=retry.defer) from retry


@counted
async def reconcile_outbox(ctx) -> int:
    return await reconcile(ctx["state"])


@counted
async def send_reminders(ctx) -> int:
    """Time-based rules. Each rule sends a reminder once per subject, due date and person."""
    state = ctx["state"]
    async with unit_of_work(state, "cron.reminders", SYSTEM_ACTOR, RequestMeta(request_id="cron-reminders")) as uow:
        today = today_in_china(uow.now)  # the service's clock, as the scheduled rules read it
        sent = 0
        for rule in REMINDERS:
            sent += await rule(uow, today)
        return sent


@counted
async def run_scheduled(ctx) -> int:
    """Time-based transitions (``resolvers.core.jobs.scheduled``), each rule in a unit of work
    of its own: a rule that fails is retried at the next run without undoing the others."""
    state = ctx["state"]
    changed = 0
    failures = []
    for rule in SCHEDULED:
        name = f"cron.{rule.__name__}"
        try:
            async with unit_of_work(state, name, SYSTEM_ACTOR, RequestMeta(request_id=name)) as uow:
                changed += await rule(uow, today_in_china(uow.now))
        except Exception as exc:  # reported below, after the other rules had their turn
            failures.append(exc)
    if failures:
        raise failures[0]
    return changed


# -- evidence: periodic work
@counted
async def run_periodic(ctx) -> int:
    """Every ``@periodic`` job (``resolvers.core.jobs.periodic``), each on its own: one that
    fails is reported after the others had their turn, and tried again at the next run."""
    state = ctx["state"]
    done = 0
    failures = []
    for _name, job in sorted(PERIODIC.items()):
        try:
            await job(state)
            done += 1
        except Exception as exc:  # reported below, after the other jobs had their turn
            failures.append(exc)
    if failures:
        raise failures[0]
    return done


def domain_jobs() -> list:
    """Every domain's background job as an arq job function of the same name."""
    load_domains()
    made = []
    for name, job in sorted(BACKGROUND_JOBS.items()):

        async def run(ctx, *args, _job=job):
            return await _job(ctx["state"], *args)

        run.__name__ = run.__qualname__ = name
        made.append(counted(run))
    return made
