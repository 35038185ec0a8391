"""The one filter every report takes, checked the same way for a GraphQL field and for an
export (``parse_filter``): a region, a period, categories, procurement methods, project
statuses, and how to group the rows.

Arguments come as a JSON-compatible mapping with the GraphQL input's names
(``regionCode``, ``year``, ``quarter``, ``month``, ``categories``, ``methods``,
``statuses``, ``groupBy``, ``regionLevel``); coded values may be given as stored
(``road``) or as the GraphQL enum's name (``ROAD``). A bad argument raises ``BadInput`` with
a code of its own, whose message says what is wrong in zh-CN and en.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from models.projects import PROJECT_CATEGORIES, PROJECT_STATUSES
from models.tendering import METHODS
from policies.engine import region_prefix
from policies.subject import Actor
from resolvers.core.clock import SHANGHAI
from resolvers.core.errors import BadInput
from resolvers.core.i18n import Label
from resolvers.supervision.sql import REGION_LEVELS

# Every way a report's rows may be grouped. QUARTER and MONTH are periods of a year (2026 Q1),
# so grouping by either groups by the year too.
DIMENSIONS = ("region", "year", "quarter", "month", "category", "method", "status", "organisation", "warning_kind")

# The reports, and the dimensions each may be grouped by.
PROJECT_DIMENSIONS = ("region", "year", "quarter", "month", "category", "method", "status", "organisation")
REPORT_DIMENSIONS: dict[str, tuple[str, ...]] = {
    "volume": PROJECT_DIMENSIONS,
    # Allocations are an organisation's, per fiscal year: not per category, method or status.
    "fund_flow": ("region", "year", "organisation"),
    "cycle_time": PROJECT_DIMENSIONS,
    "over_budget": PROJECT_DIMENSIONS,
    "warning": (*PROJECT_DIMENSIONS, "warning_kind"),
    "rectification": PROJECT_DIMENSIONS,
    "competition": PROJECT_DIMENSIONS,
}
# Reports whose period is a fiscal year: a quarter or a month does not apply.
YEARLY_REPORTS = frozenset({"fund_flow"})

YEARS = (2000, 2100)
REGION_RE = re.compile(r"^[0-9]{6}$")
ARGUMENTS = ("regionCode", "year", "quarter", "month", "categories", "methods", "statuses", "groupBy", "regionLevel")


@dataclass(frozen=True)
class ReportFilter:
    """A checked report filter. Codes are the stored values (``road``, ``rfq``, ``approved``)."""

    report: str
    region_code: str | None = None
    year: int | None = None
    quarter: int | None = None
    month: int | None = None
    categories: tuple[str, ...] = ()
    methods: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    group_by: tuple[str, ...] = ()
    region_level: str = "county"

    @property
    def region_prefix(self) -> str | None:
        """The prefix the region code covers (``320500`` → ``3205``), None without one."""
        return None if self.region_code is None else region_prefix(self.region_code)

    def days(self) -> tuple[date, date] | None:
        """The period as China calendar days, the end excluded; None for all time."""
        if self.year is None:
            return None
        if self.month is not None:
            first = date(self.year, self.month, 1)
            after = date(self.year + (self.month == 12), self.month % 12 + 1, 1)
        elif self.quarter is not None:
            first = date(self.year, 3 * self.quarter - 2, 1)
            after = date(self.year + (self.quarter == 4), (3 * self.quarter) % 12 + 1, 1)
        else:
            first, after = date(self.year, 1, 1), date(self.year + 1, 1, 1)
        return first, after

    def instants(self) -> tuple[datetime, datetime] | None:
        """The period as UTC instants, the end excluded: its first and last China days from
        midnight in China (UTC+8); None for all time."""
        days = self.days()
        if days is None:
            return None
        return tuple(datetime.combine(day, time(), SHANGHAI) for day in days)  # type: ignore[return-value]

    def grouped(self, dimension: str) -> bool:
        return dimension in self.group_by

    def arguments(self) -> dict[str, Any]:
        """The filter as JSON-compatible arguments (what ``parse_filter`` reads back)."""
        return {
            "regionCode": self.region_code,
            "year": self.year,
            "quarter": self.quarter,
            "month": self.month,
            "categories": list(self.categories),
            "methods": list(self.methods),
            "statuses": list(self.statuses),
            "groupBy": list(self.group_by),
            "regionLevel": self.region_level,
        }


def valid_region(code: str) -> bool:
    """A province (``320000``), city (``320500``) or county (``320583``) code: six digits, a
    province that is not ``00``, and no county under a city ``00``."""
    if not REGION_RE.match(code):
        return False
    province, city, county = code[:2], code[2:4], code[4:]
    return province != "00" and not (city == "00" and county != "00")


def _invalid(argument: str) -> BadInput:
    return BadInput("REPORT_ARGUMENT_INVALID", argument=argument)


def _integer(arguments: Mapping[str, Any], name: str) -> int | None:
    value = arguments.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise _invalid(name)
    return value


def _codes(arguments: Mapping[str, Any], name: str, allowed: tuple[str, ...]) -> tuple[str, ...]:
    """A list of coded values, each as stored or as its enum name, without repeats."""
    values = arguments.get(name)
    if values is None:
        return ()
    if not isinstance(values, list | tuple):
        raise _invalid(name)
    codes: list[str] = []
    for value in values:
        code = value.lower() if isinstance(value, str) else None
        if code not in allowed:
            raise _invalid(name)
        if code not in codes:
            codes.append(code)
    return tuple(codes)


def parse_filter(report: str, arguments: Mapping[str, Any] | None) -> ReportFilter:
    """Check a report's filter; ``BadInput`` names the first problem."""
    if report not in REPORT_DIMENSIONS:
        raise ValueError(f"no report {report!r}")
    arguments = dict(arguments or {})
    unknown = sorted(set(arguments) - set(ARGUMENTS))
    if unknown:
        raise _invalid(unknown[0])

    region = arguments.get("regionCode")
    if region is not None:
        if not isinstance(region, str) or not valid_region(region):
            raise BadInput("REPORT_REGION_INVALID")

    year, quarter, month = (_integer(arguments, name) for name in ("year", "quarter", "month"))
    if year is not None and not YEARS[0] <= year <= YEARS[1]:
        raise BadInput("REPORT_YEAR_INVALID", min=YEARS[0], max=YEARS[1])
    if quarter is not None and not 1 <= quarter <= 4:
        raise BadInput("REPORT_QUARTER_INVALID")
    if month is not None and not 1 <= month <= 12:
        raise BadInput("REPORT_MONTH_INVALID")
    if (quarter is not None or month is not None) and year is None:
        raise BadInput("REPORT_YEAR_REQUIRED")
    if quarter is not None and month is not None and (month + 2) // 3 != quarter:
        raise BadInput("REPORT_MONTH_NOT_IN_QUARTER", month=month, quarter=quarter)
    if report in YEARLY_REPORTS and (quarter is not None or month is not None):
        raise BadInput("REPORT_PERIOD_YEAR_ONLY", report=Label("Report", report))

    group_by = arguments.get("groupBy")
    if group_by is None:
        group_by = []
    if not isinstance(group_by, list | tuple):
        raise _invalid("groupBy")
    dimensions: list[str] = []
    for value in group_by:
        dimension = value.lower() if isinstance(value, str) else None
        if dimension not in DIMENSIONS:
            raise _invalid("groupBy")
        if dimension in dimensions:
            raise BadInput("REPORT_DIMENSION_REPEATED", dimension=Label("ReportDimension", dimension))
        if dimension not in REPORT_DIMENSIONS[report]:
            raise BadInput("REPORT_DIMENSION_NOT_SUPPORTED", report=Label("Report", report), dimension=Label("ReportDimension", dimension))
        dimensions.append(dimension)

    level = arguments.get("regionLevel")
    level = "county" if level is None else level.lower() if isinstance(level, str) else None
    if level not in REGION_LEVELS:
        raise _invalid("regionLevel")

    return ReportFilter(
        report=report,
        region_code=region,
        year=year,
        quarter=quarter,
        month=month,
        categories=_codes(arguments, "categories", PROJECT_CATEGORIES),
        methods=_codes(arguments, "methods", METHODS),
        statuses=_codes(arguments, "statuses", PROJECT_STATUSES),
        group_by=tuple(dimensions),
        region_level=level,
    )


def check_region_in_scope(actor: Actor, f: ReportFilter) -> None:
    """A region outside the viewer's own region (neither within it nor covering it) can hold
    nothing they may see: refused, rather than answered with zeros that look like a fact."""
    if f.region_code is None:
        return
    mine, asked = actor.region_prefix, f.region_prefix or ""
    if not (asked.startswith(mine) or mine.startswith(asked)):
        raise BadInput("REPORT_REGION_OUT_OF_SCOPE")
