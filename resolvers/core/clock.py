"""Time as the business counts it: stored in UTC, dated in China (Asia/Shanghai)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def today_in_china(now: datetime) -> date:
    """The calendar date in China at the UTC instant ``now``."""
    return now.astimezone(SHANGHAI).date()
