"""Background work that domains contribute: time-based reminder rules.

A domain registers its rules in ``resolvers/<domain>/reminders.py`` with ``@reminder``; the
worker (``workers.jobs.send_reminders``, every five minutes) and the embedded background
loop run every registered rule in one unit of work. A rule sends each reminder once per
subject, due date and person, however often it runs.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date

from resolvers.core.context import UnitOfWork

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
