"""How a report is computed: one SELECT of aggregates over a report-specific *base*, on
PostgreSQL, MariaDB and SQLite alike (``resolvers.supervision.report_kinds`` has the bases).

A base selects one row per counted thing (a project, an allocation, a stage of a project, a
warning, a rectification, a tender) with the columns the report may be grouped by and the
values it adds up, already narrowed by the filter on the tables' own columns, so their
indexes apply; and every table it reads through its registered row scope
(``policies.scope.scope_for``), the projects' scope wherever a project is joined, so a county
auditor's totals exclude every other county.

``aggregate`` reads the base twice, once with the group keys of the filter's dimensions and
once as the total (``UNION ALL``): the total comes from the same statement, and a median of
everything is a real median, not a mean of the groups' medians. Window functions rank values
within each group for the percentiles (``resolvers.supervision.sql``). The rows come back
ordered by their keys, the total first (last for exports); the number of statements never
depends on the number of groups. Python only makes lines of the aggregated rows: ratios of two
exact sums, and rounding.

Dimensions: ``region`` at the filter's level (province, city or county code); ``year``,
``quarter``, ``month`` of the report's period date in China time (UTC+8; quarters and months
of a year: grouping by either groups by the year too); the project's ``category``, ``status``
and owner ``organisation``; ``method``, the procurement method of the project's latest tender
(NULL for a project never put out to tender); and ``warning_kind`` for warnings.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import BigInteger, Date, Integer, Select, case, cast, func, literal, literal_column, null, select, tuple_, union_all
from sqlalchemy.engine import make_url

from models.accounts import Organisation
from models.base import UTCDateTime
from models.contracts import Contract, PaymentTerm
from models.payments import PaymentRequest
from models.projects import Project
from policies.scope import code_range, scope_for
from policies.subject import Actor
from resolvers.payments.funds import BINDING
from resolvers.payments.service import fen_sum
from resolvers.supervision.report_filter import ReportFilter
from resolvers.supervision.sql import china_local, month_of, quarter_of, region_at, year_of

HUNDREDTH = Decimal("0.01")

# The group keys every report's rows carry, NULL where the report is not grouped by them.
# A numeric key's NULL is cast to its type (PostgreSQL would read a bare NULL as text); a
# text key's is left bare (MariaDB would give a cast one the connection's collation, which
# no UNION with the tables' columns accepts).
KEY_TYPES = {
    "region_code": None,
    "year": Integer(),
    "quarter": Integer(),
    "month": Integer(),
    "category": None,
    "method": None,
    "status": None,
    "organisation_id": BigInteger(),
    "warning_kind": None,
}
KEYS = tuple(KEY_TYPES)


def no_key(name: str) -> Any:
    """The NULL of a key a row is not grouped by."""
    type_ = KEY_TYPES[name]
    return null() if type_ is None else cast(null(), type_)


# The events of a project's life: its key dates, when its status history first recorded
# each step (``models.projects.KEY_DATES``).
EVENTS = {
    "applied": Project.applied_at,
    "approved": Project.approved_at,
    "tendered": Project.tendered_at,  # the project's first tender published
    "signed": Project.signed_at,
    "started": Project.works_started_at,  # its first milestone started
    "accepted": Project.accepted_at,  # the final acceptance
    "settled": Project.settled_at,  # its last payment term paid
}


# -- what a report gives back ----------------------------------------------------------------


@dataclass(frozen=True)
class Group:
    """Which group a line counts: the keys it is grouped by (the rest None), or the total."""

    total: bool
    dimensions: tuple[str, ...]
    region_code: str | None = None
    region_level: str | None = None
    year: int | None = None
    quarter: int | None = None
    month: int | None = None
    category: str | None = None
    method: str | None = None
    status: str | None = None
    organisation_id: int | None = None
    organisation_name: str | None = None
    warning_kind: str | None = None


@dataclass(frozen=True)
class Report:
    """A report's lines: one per group (ordered by the keys) and its total line(s) (one, or
    one per stage for cycle times)."""

    filter: ReportFilter
    rows: list[Any]
    totals: list[Any]


@dataclass(frozen=True)
class Reading:
    """What a report is read with: who asks (row scope), the moment it is read at (open
    warnings, overdue rectifications), and the settings (the approval target)."""

    actor: Actor
    now: datetime
    settings: Any

    @property
    def grouping_sets(self) -> bool:
        """Whether the database groups by GROUPING SETS (PostgreSQL): the total and the
        groups in one pass over the base, instead of the base read twice (``aggregate``)."""
        return make_url(self.settings.database_url).get_backend_name() == "postgresql"


# -- rounding and ratios (of figures the database summed) -------------------------------------


def rounded(value: Any) -> Decimal | None:
    """A figure the database computed (a double or a numeric), to two decimals."""
    if value is None:
        return None
    return Decimal(str(value)).quantize(HUNDREDTH, rounding=ROUND_HALF_UP)


def percent(part: Any, whole: Any) -> Decimal | None:
    """``part`` as a percentage of ``whole``, exact then rounded to two decimals; None of nothing."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(HUNDREDTH, rounding=ROUND_HALF_UP)


def ratio(part: Any, whole: Any) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(HUNDREDTH, rounding=ROUND_HALF_UP)


def count_of(value: Any) -> int:
    """A count or a sum of counts (MariaDB gives SUM as a decimal)."""
    return int(value or 0)


def money_of(value: Decimal | None) -> Decimal:
    """A sum of money; 0.00 where nothing was summed."""
    return Decimal("0.00") if value is None else value


# -- the filter, on a base's own columns ---------------------------------------------------------


def in_period(column: Any, f: ReportFilter) -> Any:
    """``column`` (a UTC timestamp) within the filter's period, counted in China time; None
    without a period. A range on the column itself, so an index on it applies."""
    instants = f.instants()
    if instants is None:
        return None
    start, end = instants
    return (column >= literal(start, UTCDateTime())) & (column < literal(end, UTCDateTime()))


def in_days(column: Any, f: ReportFilter) -> Any:
    """``column`` (a China calendar date) within the filter's period; None without one."""
    days = f.days()
    if days is None:
        return None
    first, after = days
    return (column >= literal(first, Date())) & (column < literal(after, Date()))


def in_region(column: Any, f: ReportFilter) -> Any:
    """``column`` (a region code) within the filter's region; None without one. A range of
    codes, as the row scope's (``policies.scope.code_range``)."""
    prefix = f.region_prefix
    return code_range(column, prefix) if prefix else None


def given(*conditions: Any) -> list[Any]:
    """The conditions that apply (a filter left out gives None)."""
    return [c for c in conditions if c is not None]


def regional(column: Any, f: ReportFilter | None) -> list[Any]:
    """``column`` in the filter's region, when there is a filter with a region."""
    return given(in_region(column, f)) if f is not None else []


def project_conditions(actor: Actor, f: ReportFilter, *, region: bool = True, method: bool = True) -> list[Any]:
    """The projects' row scope and the filter's region, categories, statuses and methods
    (``region``, ``method`` False: a report that filters its own column by them)."""
    return given(
        scope_for(Project)(actor),
        in_region(Project.region_code, f) if region else None,
        Project.category.in_(f.categories) if f.categories else None,
        Project.status.in_(f.statuses) if f.statuses else None,
        Project.tender_method.in_(f.methods) if f.methods and method else None,
    )


def project_keys(region: Any = None) -> list[Any]:
    """The group-key columns of a project's row. The method is the project's latest
    tender's (``Project.tender_method``; NULL for a project never put out to tender)."""
    return [
        (Project.region_code if region is None else region).label("region_code"),
        Project.category.label("category"),
        Project.tender_method.label("method"),
        Project.status.label("status"),
        Project.owner_organisation_id.label("organisation_id"),
    ]


def contracts_of_projects(actor: Actor, f: ReportFilter | None = None) -> Any:
    """(project_id, contracts, amount, first_signed): the binding (signed, not terminated)
    contracts of each project (of the filter's region, when given)."""
    return (
        select(
            Contract.project_id,
            func.count().label("contracts"),
            fen_sum(Contract.amount).label("amount"),
            func.min(Contract.signed_at).label("first_signed"),
        )
        .where(Contract.status.in_(BINDING), scope_for(Contract)(actor), *regional(Contract.region_code, f))
        .group_by(Contract.project_id)
        .subquery("project_contracts")
    )


def paid_of_projects(actor: Actor, f: ReportFilter | None = None) -> Any:
    """(project_id, paid): what was paid on each project's payment requests."""
    return (
        select(PaymentRequest.project_id, fen_sum(PaymentRequest.paid_amount).label("paid"))
        .where(PaymentRequest.status == "paid", scope_for(PaymentRequest)(actor), *regional(PaymentRequest.region_code, f))
        .group_by(PaymentRequest.project_id)
        .subquery("project_payments")
    )


def retention_of_projects(actor: Actor, f: ReportFilter | None = None) -> Any:
    """(project_id, held): the retention terms of each project's binding contracts not yet paid."""
    return (
        select(Contract.project_id, fen_sum(PaymentTerm.amount).label("held"))
        .join(Contract, Contract.id == PaymentTerm.contract_id)
        .where(
            PaymentTerm.trigger_on == "retention",
            PaymentTerm.status != "paid",
            Contract.status.in_(BINDING),
            scope_for(PaymentTerm)(actor),
            *regional(Contract.region_code, f),
        )
        .group_by(Contract.project_id)
        .subquery("project_retention")
    )


# -- a report, as data, and the statement it makes --------------------------------------------------------------------------


@dataclass(frozen=True)
class Spec:
    """How one report aggregates its base.

    ``period``: how the base's period column is named and read (``at``, a UTC timestamp;
    ``on``, a China date; ``fiscal_year``, a year). ``fixed``: keys every line has, the total
    lines too (a cycle time's stage). ``windows``: window columns over the base rows of each
    group (given the group's partition). ``measures``: the aggregates of a group, given the
    (ranked) rows. ``line``: the line of one aggregated row. ``totals``: the fixed keys of
    the total lines, which a report has even when it counts nothing."""

    name: str
    period: str
    measures: Callable[[Any], list[Any]]
    line: Callable[[Any, Group, Reading], Any]
    fixed: tuple[str, ...] = ()
    order: tuple[str, ...] = ()
    windows: Callable[[Any, list[Any]], list[Any]] | None = None
    # The values of the fixed keys of the total lines (one line of no fixed keys by default).
    totals: tuple[dict[str, Any], ...] = ({},)
    # Whether the database may group it by GROUPING SETS where it can (``aggregate``): not
    # when its windows compute more than the percentiles' ranks.
    grouping_sets: bool = True
    # Grouped in two steps: first also by these keys (a supplier), with ``inner_measures``,
    # then those rows by the group alone with ``measures`` (the suppliers' shares of their
    # group, without windows over every base row).
    inner: tuple[str, ...] = ()
    inner_measures: Callable[[Any], list[Any]] | None = None


def _key_columns(base: Any, f: ReportFilter, period: str) -> dict[str, Any]:
    """The group-key expressions of the filter's dimensions, over the base's columns."""
    keys: dict[str, Any] = {}
    if f.grouped("region"):
        keys["region_code"] = region_at(base.c.region_code, f.region_level)
    if f.grouped("year") or f.grouped("quarter") or f.grouped("month"):
        if period == "fiscal_year":
            keys["year"] = base.c.fiscal_year
        else:
            local = china_local(base.c.at) if period == "at" else base.c.on
            keys["year"] = year_of(local)
            if f.grouped("quarter"):
                keys["quarter"] = quarter_of(local)
            if f.grouped("month"):
                keys["month"] = month_of(local)
    for dimension, column in (("category", "category"), ("method", "method"), ("status", "status"), ("warning_kind", "warning_kind")):
        if f.grouped(dimension):
            keys[column] = base.c[column]
    if f.grouped("organisation"):
        keys["organisation_id"] = base.c.organisation_id
    return keys


def aggregate(
    spec: Spec, f: ReportFilter, base: Any, *, total_first: bool = True, limit: int | None = None, grouping_sets: bool = False
) -> Select:
    """The one statement of a report: the base's rows with their group keys and as the total,
    ranked where the report needs it, grouped, with the owner organisations' names.

    Portably the base is read twice (``UNION ALL``), once as the total and once with the
    group keys, and window functions rank each group's values for the percentiles. With
    ``grouping_sets`` (PostgreSQL) it is read once and grouped by ``GROUPING SETS`` (the
    total, and the groups), and the percentiles are ordered-set aggregates
    (``resolvers.supervision.sql``): over the province's 490,000 stage durations half the
    time."""
    base = base.cte(f"{spec.name}_base")
    keys = _key_columns(base, f, spec.period)
    values = [c for c in base.c if c.key not in (*KEYS, "at", "on", "fiscal_year", *spec.fixed, *spec.inner)]
    fixed = [base.c[name] for name in spec.fixed]
    group = _grouping_sets if grouping_sets and spec.grouping_sets else _expanded
    if spec.inner:
        # First by the group and the inner keys, then by the group alone.
        assert spec.inner_measures is not None
        first_spec = dataclasses.replace(spec, fixed=(*spec.fixed, *spec.inner), measures=spec.inner_measures, inner=())
        first = group(first_spec, f, keys, [*fixed, *(base.c[name] for name in spec.inner)], values).subquery("first")
        by_group = [first.c.is_total, *(first.c[name] for name in KEYS), *(first.c[name] for name in spec.fixed)]
        grouped = select(*by_group, *spec.measures(first)).group_by(*by_group).subquery("grouped")
    else:
        grouped = group(spec, f, keys, fixed, values).subquery("grouped")

    named = select(grouped, Organisation.name.label("organisation_name")).outerjoin(
        Organisation, Organisation.id == grouped.c.organisation_id
    )
    ordering: list[Any] = [grouped.c.is_total.desc() if total_first else grouped.c.is_total]
    for name in (*KEYS, *spec.order):
        column = grouped.c[name]
        ordering += [case((column.is_(None), 1), else_=0), column]
    named = named.order_by(*ordering)
    if limit is not None:
        named = named.limit(limit)
    return named


def _expanded(spec: Spec, f: ReportFilter, keys: dict[str, Any], fixed: list[Any], values: list[Any]) -> Select:
    """The base's rows twice, as the total and with their group keys; ranked; grouped."""

    def branch(total: bool) -> Select:
        flag = literal_column("1" if total else "0", Integer).label("is_total")
        columns = [(no_key(name) if total or name not in keys else keys[name]).label(name) for name in KEYS]
        return select(flag, *columns, *fixed, *values)

    branches = [branch(True)] + ([branch(False)] if f.group_by else [])
    expanded = (union_all(*branches) if len(branches) > 1 else branches[0]).subquery("expanded")
    group = [expanded.c.is_total, *(expanded.c[name] for name in KEYS), *(expanded.c[name] for name in spec.fixed)]
    rows: Any = expanded
    if spec.windows is not None:
        rows = select(expanded, *spec.windows(expanded, group)).subquery("ranked")
    group = [rows.c[c.key] for c in group]
    return select(*group, *spec.measures(rows)).group_by(*group)


def _grouping_sets(spec: Spec, f: ReportFilter, keys: dict[str, Any], fixed: list[Any], values: list[Any]) -> Select:
    """The base's rows once, with their group keys, grouped by the total's set and the
    groups' set. The percentiles need no ranks here: the rank columns are NULL."""
    ranks = [null().label("value_rank"), null().label("value_count")] if spec.windows is not None else []
    rows = select(*(column.label(name) for name, column in keys.items()), *fixed, *values, *ranks).subquery("keyed")
    grouped_keys = [rows.c[name] for name in keys]
    fixed_keys = [rows.c[name] for name in spec.fixed]
    flag: Any
    if grouped_keys:
        # GROUPING(key) is 1 in the total's rows (where the key was not grouped by), also
        # for a group whose key is NULL (projects never put out to tender).
        flag = case((func.grouping(grouped_keys[0]) == 1, 1), else_=0)
        group_by: list[Any] = [func.grouping_sets(tuple_(*fixed_keys), tuple_(*grouped_keys, *fixed_keys))]
    else:
        flag, group_by = literal_column("1", Integer), fixed_keys
    columns = [(rows.c[name] if name in keys else no_key(name)).label(name) for name in KEYS]
    # No rows give no group at all, as in the portable statement (not a total of nothing).
    return select(flag.label("is_total"), *columns, *fixed_keys, *spec.measures(rows)).group_by(*group_by).having(func.count() > 0)


def group_of(row: Any, f: ReportFilter) -> Group:
    total = bool(row.is_total)

    def number(value: Any) -> int | None:
        return None if value is None else int(value)

    return Group(
        total=total,
        dimensions=() if total else f.group_by,
        region_code=row.region_code,
        region_level=None if total or not f.grouped("region") else f.region_level,
        year=number(row.year),
        quarter=number(row.quarter),
        month=number(row.month),
        category=row.category,
        method=row.method,
        status=row.status,
        organisation_id=number(row.organisation_id),
        organisation_name=row.organisation_name,
        warning_kind=row.warning_kind,
    )


class Nothing:
    """The aggregates of no rows (GROUP BY gives no group at all for them): every key and
    figure NULL but those given, so a report of nothing still has its total line(s)."""

    is_total = 1

    def __init__(self, **known: Any):
        self.__dict__.update(known)

    def __getattr__(self, name: str) -> None:
        return None


def empty_totals(spec: Spec) -> list[Any]:
    """The total line(s) of no rows: one, or one per value of the fixed keys (a stage)."""
    return [Nothing(**keys) for keys in spec.totals]


def completed_totals(spec: Spec, totals: list[Any]) -> list[Any]:
    """The total rows, with those the database could not give (nothing to count) added, in
    the order of ``spec.totals``."""
    if len(totals) == len(spec.totals):
        return totals
    given = {tuple(getattr(row, key) for key in spec.fixed): row for row in totals}
    return [given.get(tuple(keys.get(key) for key in spec.fixed), Nothing(**keys)) for keys in spec.totals]


def lines_of(spec: Spec, f: ReportFilter, reading: Reading, rows: Sequence[Any]) -> Report:
    totals = completed_totals(spec, [row for row in rows if row.is_total])
    return Report(
        f,
        [spec.line(row, group_of(row, f), reading) for row in rows if not row.is_total],
        [spec.line(row, group_of(row, f), reading) for row in totals],
    )
