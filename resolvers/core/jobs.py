"""Background work that domains contribute: time-based reminder rules and scheduled
transitions, and ``each_apart`` for a rule that acts on many rows.

A domain registers its rules in ``resolvers/<domain>/reminders.py`` with ``@reminder``; the
worker (``workers.jobs.send_reminders``, every five minutes) and the embedded background
loop run every registered rule in one unit of work. A rule sends each reminder once per
subject, due date and person, however often it runs.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable
from datetime import date
from typing import Any, TypeVar

from resolvers.core.context import UnitOfWork

log = logging.getLogger("smallworks")
T = TypeVar("T")

ReminderRule = Callable[[UnitOfWork, date], Awaitable[int]]

REMINDERS: list[ReminderRule] = []


def reminder(rule: ReminderRule) -> ReminderRule:
    """Register ``rule(uow, today_in_china) -> reminders sent``."""
    if rule not in REMINDERS:
        REMINDERS.append(rule)
    return rule


# Time-based transitions (a publicity period ends, so the tender is awarded): registered
# with ``@scheduled`` in ``resolvers/<domain>/<module>.py``; the worker runs each rule every
# minute in a unit of work of its own, so one rule's failure does not undo another's work.
ScheduledRule = Callable[[UnitOfWork, date], Awaitable[int]]

SCHEDULED: list[ScheduledRule] = []


def scheduled(rule: ScheduledRule) -> ScheduledRule:
    """Register ``rule(uow, today_in_china) -> objects changed``."""
    if rule not in SCHEDULED:
        SCHEDULED.append(rule)
    return rule


# Work a domain hands to the worker (archiving an invoice): registered with
# ``@background_job``; ``state.dispatcher.enqueue_job(name, *args, job_id=...)`` queues one (an
# arq job of the same name, or a run in this process without Redis). A job takes the
# process's services and plain arguments and must be idempotent: the same job id is queued
# once, but a job cut off half-way runs again from the start.
BackgroundJob = Callable[..., Awaitable[Any]]

BACKGROUND_JOBS: dict[str, BackgroundJob] = {}


def background_job(job: BackgroundJob) -> BackgroundJob:
    BACKGROUND_JOBS[job.__name__] = job
    return job


# -- evidence: periodic work ----------------------------------------------------------------
# Work a domain wants done every so often that is no transition of rows (signing a checkpoint
# of the audit chain and publishing it): registered with ``@periodic``; the worker
# (``workers.jobs.run_periodic``, every minute) and the embedded background loop call each job
# with the process's services. A job decides itself whether it is due (by its own interval
# setting), opens the units of work it needs, and must be idempotent: two processes may run it
# at the same moment.
PeriodicJob = Callable[[Any], Awaitable[Any]]

PERIODIC: dict[str, PeriodicJob] = {}


def periodic(job: PeriodicJob) -> PeriodicJob:
    PERIODIC[job.__name__] = job
    return job


async def each_apart(uow: UnitOfWork, items: Iterable[T], act: Callable[[T], Awaitable[Any]], what: str) -> int:
    """``act`` on each item in a savepoint of its own: an item that fails is rolled back
    alone (its rows, audit events and outbox events) and logged, and the others go ahead, so
    one broken row cannot hold back a scheduled rule for everyone. Returns how many succeeded."""
    done = 0
    for item in items:
        events, audits = len(uow.events), len(uow.audit_events)
        try:
            async with uow.session.begin_nested():
                await act(item)
        except Exception:
            del uow.events[events:]
            del uow.audit_events[audits:]
            log.exception("%s failed for %r; the others go ahead", what, item)
            continue
        done += 1
    return done
