"""Reports (统计报表), computed by the database: every figure is an aggregate of a GROUP BY
(and, for medians and percentiles, of window functions, or on PostgreSQL of ordered-set
aggregates), one SELECT per report whatever the number of groups, on PostgreSQL, MariaDB and
SQLite alike, over only the rows the reader may see. ``report_pipeline`` says how a report is computed, ``report_kinds`` what each report
counts, ``report_filter`` which filter they share.

This module runs them: for a GraphQL field (``run``, ``headline``), for an export (``stream``,
``count_lines``), and registers each report as an export source; and it writes a group in
words (a label, an export cell) in the reader's language.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Sequence
from typing import Any

from sqlalchemy import Select, func, select

from models.base import utcnow
from resolvers.core.errors import BadInput
from resolvers.core.i18n import Message, label, translate
from resolvers.supervision import report_messages  # noqa: F401  (the codes and labels the reports use)
from resolvers.supervision.report_filter import ReportFilter, check_region_in_scope, parse_filter
from resolvers.supervision.report_kinds import CYCLE_TIME, HEADLINE_STAGE, REPORTS, STAGES, cycle_time_base
from resolvers.supervision.report_pipeline import (
    HUNDREDTH,
    Group,
    Reading,
    Report,
    aggregate,
    completed_totals,
    empty_totals,
    group_of,
    lines_of,
)
from resolvers.supervision.sources import Arguments, Column, ColumnKind, ExportContext, ExportSource, export_source

__all__ = ["HUNDREDTH", "STAGES", "Group", "Reading", "Report", "headline", "run", "stream"]


def statement(reading: Reading, f: ReportFilter, *, total_first: bool = True, limit: int | None = None) -> Select:
    """The one SELECT of the report ``f.report`` for the reader."""
    check_region_in_scope(reading.actor, f)
    spec, base = REPORTS[f.report]
    return aggregate(spec, f, base(reading, f), total_first=total_first, limit=limit, grouping_sets=reading.grouping_sets)


async def run(reads: Any, reading: Reading, f: ReportFilter, max_rows: int | None = None) -> Report:
    """The report ``f.report``, read through ``reads`` (``await reads.all(statement)``). With
    ``max_rows``, a report of more groups than that is refused (REPORT_TOO_MANY_ROWS): an
    export streams any number of them."""
    spec, _ = REPORTS[f.report]
    # The total comes first: the groups after it, one more than allowed to tell if there are too many.
    limit = None if max_rows is None else max_rows + len(STAGES) + 1
    rows = await reads.all(statement(reading, f, limit=limit))
    report = lines_of(spec, f, reading, rows)
    if max_rows is not None and len(report.rows) > max_rows:
        raise BadInput("REPORT_TOO_MANY_ROWS", limit=max_rows)
    return report


async def headline(reads: Any, reading: Reading, f: ReportFilter) -> Report:
    """The seed's headline figure: application to approval, per region (at the filter's level)
    and month of approval, against the target, under the same filter."""
    f = dataclasses.replace(f, group_by=("region", "month"))
    check_region_in_scope(reading.actor, f)
    stages = [s for s in STAGES if s[0] == HEADLINE_STAGE]
    headline_order = [stage for stage, _, _ in STAGES].index(HEADLINE_STAGE)
    spec = dataclasses.replace(CYCLE_TIME, totals=({"stage_order": headline_order},))
    rows = await reads.all(aggregate(spec, f, cycle_time_base(reading, f, stages), grouping_sets=reading.grouping_sets))
    return lines_of(spec, f, reading, rows)


async def stream(session: Any, reading: Reading, f: ReportFilter, batch: int = 500) -> AsyncIterator[Any]:
    """The report's lines, the groups first and the total(s) last, read in batches from a
    server-side cursor (an export of any size)."""
    spec, _ = REPORTS[f.report]
    result = await session.stream(statement(reading, f, total_first=False).execution_options(yield_per=batch))
    totals: list[Any] = []
    async for partition in result.partitions(batch):
        for row in partition:
            if row.is_total:
                totals.append(row)  # the last few rows
            else:
                yield spec.line(row, group_of(row, f), reading)
    for row in completed_totals(spec, totals):
        yield spec.line(row, group_of(row, f), reading)


async def count_lines(session: Any, reading: Reading, f: ReportFilter) -> int:
    """How many lines the report has: its groups, and its total line(s)."""
    spec, _ = REPORTS[f.report]
    inner = statement(reading, f).order_by(None).subquery()
    groups = (await session.execute(select(func.count()).select_from(inner).where(inner.c.is_total == 0))).scalar_one()
    return int(groups) + len(empty_totals(spec))


# -- the words of a group (GraphQL labels and export cells) -----------------------------------------


def period_words(group: Group, locale: str) -> str | None:
    """The group's period as people read it (``2026年第1季度`` / ``2026 Q1``), None if it has none."""
    if group.year is None:
        return None
    if group.month is not None:
        return translate("REPORT_PERIOD_MONTH", locale, year=group.year, month=group.month)
    if group.quarter is not None:
        return translate("REPORT_PERIOD_QUARTER", locale, year=group.year, quarter=group.quarter)
    return translate("REPORT_PERIOD_YEAR", locale, year=group.year)


def method_words(group: Group, locale: str) -> str | None:
    """The label of the group's procurement method; for the group of projects never put out
    to tender, words that say so."""
    if group.method is not None:
        return label("TenderMethod", group.method, locale)
    return translate("REPORT_NO_METHOD", locale) if "method" in group.dimensions else None


def dimension_words(group: Group, dimension: str, locale: str) -> str | None:
    """The value of one of the group's keys in words."""
    if dimension == "region":
        return group.region_code
    if dimension in ("year", "quarter", "month"):
        return period_words(group, locale)
    if dimension == "category":
        return None if group.category is None else label("ProjectCategory", group.category, locale)
    if dimension == "method":
        return method_words(group, locale)
    if dimension == "status":
        return None if group.status is None else label("ProjectStatus", group.status, locale)
    if dimension == "organisation":
        return group.organisation_name
    if dimension == "warning_kind":
        return None if group.warning_kind is None else label("WarningKind", group.warning_kind, locale)
    raise ValueError(dimension)


def group_words(group: Group, locale: str) -> str:
    """The whole group in words, its keys in the order grouped (``320583 · 2026年3月 · 道路``),
    or ``合计`` / ``Total``."""
    if group.total:
        return translate("REPORT_TOTAL", locale)
    words: list[str] = []
    for dimension in group.dimensions:
        text = dimension_words(group, dimension, locale)
        if text is not None and text not in words:
            words.append(text)
    return " · ".join(words)


# Which date places a report's rows in a period (the words are in report_messages).
PERIOD_BASIS = {
    "volume": "REPORT_PERIOD_BASIS_APPLIED",
    "fund_flow": "REPORT_PERIOD_BASIS_FISCAL_YEAR",
    "cycle_time": "REPORT_PERIOD_BASIS_STAGE_END",
    "over_budget": "REPORT_PERIOD_BASIS_SIGNED",
    "warning": "REPORT_PERIOD_BASIS_RAISED",
    "rectification": "REPORT_PERIOD_BASIS_DUE",
    "competition": "REPORT_PERIOD_BASIS_OPENED",
}


# -- exports ---------------------------------------------------------------------------------------
# Every report is an export source (``resolvers.supervision.sources``): its filter checked as the
# GraphQL field checks it, its lines streamed, the groups first and the total(s) last.

DIMENSION_COLUMNS: dict[str, tuple[str, Message]] = {
    "region": ("region_code", ("行政区划代码", "Region code")),
    "year": ("period", ("期间", "Period")),
    "quarter": ("period", ("期间", "Period")),
    "month": ("period", ("期间", "Period")),
    "category": ("category", ("项目类别", "Category")),
    "method": ("method", ("采购方式", "Procurement method")),
    "status": ("status", ("项目状态", "Project status")),
    "organisation": ("organisation", ("建设单位", "Owner organisation")),
    "warning_kind": ("warning_kind", ("预警类型", "Warning kind")),
}

# report -> (its root field, its title, its measures: (attribute, kind, title))
EXPORTED: dict[str, tuple[str, Message, list[tuple[str, ColumnKind, Message]]]] = {
    "volume": (
        "Query.volumeReport",
        ("项目数量与资金统计", "Projects and money"),
        [
            ("projects", "integer", ("申报项目数", "Projects applied for")),
            ("budget", "money", ("预算金额（元）", "Budget (CNY)")),
            ("contracts", "integer", ("已签合同数", "Contracts")),
            ("contract_amount", "money", ("合同金额（元）", "Contract amount (CNY)")),
            ("paid", "money", ("已支付（元）", "Paid (CNY)")),
            ("retention_held", "money", ("未付质保金（元）", "Retention held (CNY)")),
        ],
    ),
    "fund_flow": (
        "Query.fundFlowReport",
        ("资金流向统计", "Fund flow"),
        [
            ("allocation", "money", ("预算指标（元）", "Allocation (CNY)")),
            ("reserved", "money", ("已占用（元）", "Reserved (CNY)")),
            ("contracted", "money", ("已签合同（元）", "Contracted (CNY)")),
            ("paid", "money", ("已支付（元）", "Paid (CNY)")),
            ("retention_held", "money", ("未付质保金（元）", "Retention held (CNY)")),
        ],
    ),
    "cycle_time": (
        "Query.cycleTimeReport",
        ("办理时长统计", "Cycle times"),
        [
            ("stage", "text", ("阶段", "Stage")),
            ("projects", "integer", ("项目数", "Projects")),
            ("median_days", "decimal", ("中位数（天）", "Median (days)")),
            ("p90_days", "decimal", ("第90百分位（天）", "90th percentile (days)")),
            ("target_days", "decimal", ("目标（天）", "Target (days)")),
            ("target_met", "text", ("是否达标", "Target met")),
        ],
    ),
    "over_budget": (
        "Query.overBudgetReport",
        ("超预算统计", "Over budget"),
        [
            ("projects", "integer", ("已签合同项目数", "Projects with a contract")),
            ("over_budget", "integer", ("超预算项目数", "Over budget")),
            ("contract_over_budget", "integer", ("合同超预算", "Contract over budget")),
            ("paid_over_budget", "integer", ("支付超预算", "Paid over budget")),
            ("rate", "decimal", ("超预算比例（%）", "Rate (%)")),
            ("excess", "money", ("超出金额（元）", "Excess (CNY)")),
        ],
    ),
    "warning": (
        "Query.warningReport",
        ("预警统计", "Warnings"),
        [
            ("warnings", "integer", ("预警数", "Warnings")),
            ("open", "integer", ("未处理", "Open")),
            ("acknowledged", "integer", ("已知悉", "Acknowledged")),
            ("resolved", "integer", ("已处理", "Resolved")),
            ("median_days_open", "decimal", ("持续天数中位数", "Median days open")),
            ("p90_days_open", "decimal", ("持续天数第90百分位", "90th percentile of days open")),
        ],
    ),
    "rectification": (
        "Query.rectificationReport",
        ("整改统计", "Rectifications"),
        [
            ("rectifications", "integer", ("整改数", "Rectifications")),
            ("closed", "integer", ("已关闭", "Closed")),
            ("closed_late", "integer", ("逾期关闭", "Closed late")),
            ("open_overdue", "integer", ("逾期未关闭", "Open past due")),
            ("not_yet_due", "integer", ("未到期", "Not yet due")),
            ("overdue_rate", "decimal", ("逾期比例（%）", "Overdue (%)")),
        ],
    ),
    "competition": (
        "Query.competitionReport",
        ("竞争情况统计", "Competition"),
        [
            ("tenders", "integer", ("开标项目数", "Tenders opened")),
            ("bids", "integer", ("投标数", "Bids")),
            ("bids_per_tender", "decimal", ("平均投标数", "Bids per tender")),
            ("single_bid_tenders", "integer", ("单一投标项目数", "Single-bid tenders")),
            ("single_bid_share", "decimal", ("单一投标比例（%）", "Single-bid share (%)")),
            ("contracts", "integer", ("合同数", "Contracts")),
            ("contract_value", "money", ("合同金额（元）", "Contract value (CNY)")),
            ("suppliers", "integer", ("中标供应商数", "Suppliers")),
            ("top_supplier_share", "decimal", ("最大供应商份额（%）", "Top supplier's share (%)")),
            ("herfindahl", "decimal", ("赫芬达尔指数（0–10000）", "Herfindahl index (0–10,000)")),
        ],
    ),
}


def group_columns(f: ReportFilter) -> list[tuple[str, Message]]:
    """The columns of a line's group: one per grouped dimension (a period is one column),
    or a single "group" column for a report of the total only."""
    columns: list[tuple[str, Message]] = []
    for dimension in f.group_by:
        column = DIMENSION_COLUMNS[dimension]
        if column not in columns:
            columns.append(column)
    return columns or [("group", ("分组", "Group"))]


def export_columns(report: str, arguments: Arguments) -> list[Column]:
    f = parse_filter(report, arguments)
    measures = EXPORTED[report][2]
    return [Column(key, title) for key, title in group_columns(f)] + [Column(key, title, kind) for key, kind, title in measures]


def export_cells(line: Any, f: ReportFilter, locale: str) -> tuple[Any, ...]:
    """A line as the cells of an export row, in column order; coded values as their labels."""
    group: Group = line.group
    cells: list[Any] = []
    for index, (key, _) in enumerate(group_columns(f)):
        if group.total:
            cells.append(translate("REPORT_TOTAL", locale) if index == 0 else None)
        elif key == "group":
            cells.append(group_words(group, locale))
        else:
            dimension = {"region_code": "region", "period": "year"}.get(key, key)
            cells.append(dimension_words(group, dimension, locale))
    for attribute, _, _ in EXPORTED[f.report][2]:
        value = getattr(line, attribute)
        if attribute == "stage":
            value = label("CycleStage", value, locale)
        elif attribute == "target_met" and value is not None:
            value = translate("REPORT_TARGET_MET" if value else "REPORT_TARGET_MISSED", locale)
        cells.append(value)
    return tuple(cells)


def _source(report: str) -> ExportSource:
    operation, title, _ = EXPORTED[report]

    def parse(arguments: Arguments) -> Arguments:
        return parse_filter(report, arguments).arguments()

    async def rows(ctx: ExportContext, arguments: Arguments) -> AsyncIterator[Sequence[Any]]:
        f = parse_filter(report, arguments)
        reading = Reading(ctx.actor, utcnow(), ctx.settings)
        async for line in stream(ctx.session, reading, f):
            yield export_cells(line, f, ctx.locale)

    async def total(ctx: ExportContext, arguments: Arguments) -> int | None:
        return await count_lines(ctx.session, Reading(ctx.actor, utcnow(), ctx.settings), parse_filter(report, arguments))

    return ExportSource(
        name=f"report.{report}",
        operation=operation,
        title=title,
        columns=lambda arguments: export_columns(report, arguments),
        parse=parse,
        rows=rows,
        total=total,
    )


for _report in EXPORTED:
    export_source(_source(_report))
