"""Time as the business counts it: stored in UTC, dated in China (Asia/Shanghai)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from models.base import utcnow

SHANGHAI = ZoneInfo("Asia/Shanghai")


def today_in_china(now: datetime) -> date:
    """The calendar date in China at the UTC instant ``now``."""
    return now.astimezone(SHANGHAI).date()


class Clock:
    """The time a process's units of work run at (``UnitOfWork.now``): the system's UTC
    time, moved forward by ``advance``, so that a test can let time pass (a sign-in delay
    run out, a throttling window close) without waiting for it."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def now(self) -> datetime:
        return utcnow() + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += timedelta(seconds=seconds)


def china_time(moment: datetime) -> str:
    """A point in time as people in China read it, for messages: ``2026-12-01 10:00 (UTC+8)``."""
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M (UTC+8)")
