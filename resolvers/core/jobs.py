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
