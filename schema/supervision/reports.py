"""Reports (统计报表): the shared filter, the group every row carries, one row type per report,
and the root fields (``ReportsQuery``). The figures are computed by the database
(``resolvers.supervision.reports``); this module maps them."""

from __future__ import annotations

import asyncio
import enum
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from resolvers.core.i18n import translate
from resolvers.supervision import reports
from resolvers.supervision.report_filter import DIMENSIONS, parse_filter
from resolvers.supervision.reports import STAGES, Group, Reading
from resolvers.supervision.sql import REGION_LEVELS
from schema.accounts.types import Organisation
from schema.core.context import Info, signed_in_actor
from schema.core.fields import column, enum_of, from_row, label, labels_in_request, selects
from schema.progress.types import WarningKind
from schema.projects.types import ProjectCategory, ProjectStatus
from schema.tendering.types import TenderMethod

if TYPE_CHECKING:  # what type checkers see of the enums below (see ``enum_of``)

    class ReportDimension(enum.Enum): ...

    class RegionLevel(enum.Enum):
        COUNTY = "county"

    class CycleStage(enum.Enum): ...

else:
    ReportDimension = enum_of(
        "ReportDimension",
        DIMENSIONS,
        "What a report's rows are grouped by. REGION: the region code at the filter's level; YEAR, QUARTER, MONTH: of the report's "
        "period date in China time (QUARTER and MONTH are periods of a year, so they group by the year too); CATEGORY, STATUS, "
        "ORGANISATION: the project's category, status and owner organisation; METHOD: the procurement method of the project's "
        "latest tender (of the tender itself in the competition report); WARNING_KIND: the warnings report only. 报表分组维度。",
    )
    RegionLevel = enum_of("RegionLevel", REGION_LEVELS, "The level regions are grouped at. 行政区划层级。")
    CycleStage = enum_of("CycleStage", tuple(stage for stage, _, _ in STAGES), "A stage of a project's life. 办理阶段。")


@strawberry.input(
    description="What a report counts and how it groups it; every field may be left out. Periods are China time (UTC+8). 报表筛选与分组条件。"
)
class ReportFilter:
    region_code: str | None = strawberry.field(
        default=None,
        description="A province (320000), city (320500) or county (320583) code: everything in it. Your own scope applies "
        "in any case. 行政区划代码（含下级）。",
    )
    year: int | None = strawberry.field(default=None, description="The year (China time). 年度。")
    quarter: int | None = strawberry.field(default=None, description="A quarter of the year, 1–4 (needs the year). 季度。")
    month: int | None = strawberry.field(default=None, description="A month of the year, 1–12 (needs the year). 月份。")
    categories: list[ProjectCategory] | None = strawberry.field(default=None, description="Any of these project categories. 项目类别。")
    methods: list[TenderMethod] | None = strawberry.field(default=None, description="Any of these procurement methods. 采购方式。")
    statuses: list[ProjectStatus] | None = strawberry.field(default=None, description="Any of these project statuses. 项目状态。")
    group_by: list[ReportDimension] | None = strawberry.field(
        default=None, description="Group the rows by these, in this order; none: the total only. 分组维度。"
    )
    region_level: RegionLevel | None = strawberry.field(
        default=None, description="The level REGION groups at; COUNTY if left out. 按行政区划分组的层级。"
    )


def arguments_of(f: ReportFilter | None) -> dict[str, Any]:
    """The input as the JSON-compatible arguments ``parse_filter`` checks (and an export keeps)."""
    if f is None:
        return {}

    def values(items: list[Any] | None) -> list[str] | None:
        return None if items is None else [item.value for item in items]

    return {
        "regionCode": f.region_code,
        "year": f.year,
        "quarter": f.quarter,
        "month": f.month,
        "categories": values(f.categories),
        "methods": values(f.methods),
        "statuses": values(f.statuses),
        "groupBy": values(f.group_by),
        "regionLevel": f.region_level.value if f.region_level is not None else None,
    }


@strawberry.type(
    description="Which group a report row counts: the keys the report is grouped by (the others null), or the total. 报表分组。"
)
class ReportGroup:
    row: strawberry.Private[Group]

    total: bool = column("total", "Whether this is the total row (every key null). 是否合计行。")
    region_code: str | None = column("region_code", "The region (at the filter's level) when grouped by REGION. 行政区划代码。")
    region_level: RegionLevel | None = column("region_level", "The level of the region code. 行政区划层级。", RegionLevel)
    region_level_label: str | None = label("region_level", "RegionLevel", "The level, in the request's language. 行政区划层级名称。")
    year: int | None = column("year", "The year, when grouped by YEAR, QUARTER or MONTH. 年度。")
    quarter: int | None = column("quarter", "The quarter of the year (1–4), when grouped by QUARTER. 季度。")
    month: int | None = column("month", "The month of the year (1–12), when grouped by MONTH. 月份。")
    category: ProjectCategory | None = column("category", "The project category. 项目类别。", ProjectCategory)
    category_label: str | None = label("category", "ProjectCategory", "Category, in the request's language. 项目类别名称。")
    method: TenderMethod | None = column(
        "method", "The procurement method; null in a METHOD group of projects never put out to tender. 采购方式。", TenderMethod
    )
    method_label: str | None = label("method", "TenderMethod", "Method, in the request's language. 采购方式名称。")
    status: ProjectStatus | None = column("status", "The project status. 项目状态。", ProjectStatus)
    status_label: str | None = label("status", "ProjectStatus", "Status, in the request's language. 项目状态名称。")
    warning_kind: WarningKind | None = column("warning_kind", "The kind of warning. 预警类型。", WarningKind)
    warning_kind_label: str | None = label("warning_kind", "WarningKind", "Kind, in the request's language. 预警类型名称。")
    organisation_name: str | None = column(
        "organisation_name", "The owner organisation's name, when grouped by ORGANISATION. 建设单位名称。"
    )

    @strawberry.field(description="The owner organisation, when grouped by ORGANISATION and you may see it. 建设单位。")
    async def organisation(self, info: Info) -> Organisation | None:
        if self.row.organisation_id is None:
            return None
        found = await info.context.loaders.organisation.load(self.row.organisation_id)
        return Organisation.of(found) if found is not None else None

    @strawberry.field(description="The period in words, such as 2026年第1季度 or 2026 Q1. 期间。")
    def period_label(self, info: Info) -> str | None:
        return reports.period_words(self.row, info.context.meta.locale)

    @strawberry.field(description="The whole group in words, its keys in the order grouped, or Total. 分组名称。")
    def label(self, info: Info) -> str:
        return reports.group_words(self.row, info.context.meta.locale)


def group_of(line: Any) -> ReportGroup:
    return from_row(ReportGroup, line.group)


GROUP = "The group this row counts. 分组。"


@strawberry.type(description="Projects applied for and their money, in one group. 项目数量与资金（一组）。")
class VolumeRow:
    row: strawberry.Private[Any]
    group: ReportGroup = strawberry.field(description=GROUP)
    projects: int = column("projects", "Projects applied for. 申报项目数。")
    budget: Decimal = column("budget", "Their budgets, CNY. 预算金额（元）。")
    contracts: int = column("contracts", "Their contracts in force or completed. 已签合同数。")
    contract_amount: Decimal = column("contract_amount", "Those contracts' amounts, CNY. 合同金额（元）。")
    paid: Decimal = column("paid", "Paid on them, CNY. 已支付金额（元）。")
    retention_held: Decimal = column("retention_held", "Retention not yet paid, CNY. 未付质保金（元）。")


@strawberry.type(description="Where allocated money went, in one group. 资金流向（一组）。")
class FundFlowRow:
    row: strawberry.Private[Any]
    group: ReportGroup = strawberry.field(description=GROUP)
    allocation: Decimal = column("allocation", "Budget allocations (预算指标), CNY. 预算指标（元）。")
    reserved: Decimal = column("reserved", "Reserved by approved projects, CNY. 已占用（元）。")
    contracted: Decimal = column("contracted", "Contracted by those projects, CNY. 已签合同（元）。")
    paid: Decimal = column("paid", "Paid, CNY. 已支付（元）。")
    retention_held: Decimal = column("retention_held", "Retention not yet paid, CNY. 未付质保金（元）。")


@strawberry.type(
    description="How long one stage took, in one group: calendar days (elapsed time / 24 h), to two decimals. "
    "Median: the middle value (the mean of the two middle values for an even count); p90: nearest rank, the value at "
    "rank ⌈0.9·n⌉ in ascending order. 办理时长（一组一阶段）。"
)
class CycleTimeRow:
    row: strawberry.Private[Any]
    group: ReportGroup = strawberry.field(description=GROUP)
    stage: CycleStage = column("stage", "The stage. 阶段。", CycleStage)
    stage_label: str = label("stage", "CycleStage", "The stage, in the request's language. 阶段名称。")
    projects: int = column("projects", "Projects that went through the stage. 项目数。")
    median_days: Decimal | None = column("median_days", "Median, in days. 中位数（天）。")
    p90_days: Decimal | None = column("p90_days", "90th percentile, in days. 第90百分位（天）。")
    target_days: Decimal | None = column(
        "target_days", "The target for application to approval, in days (other stages: null). 目标时长（天）。"
    )
    target_met: bool | None = column("target_met", "Whether the median is within the target (application to approval only). 是否达到目标。")


@strawberry.type(description="Projects whose contract or payments went above their budget, in one group. 超预算情况（一组）。")
class OverBudgetRow:
    row: strawberry.Private[Any]
    group: ReportGroup = strawberry.field(description=GROUP)
    projects: int = column("projects", "Projects with a contract in force or completed. 已签合同项目数。")
    over_budget: int = column("over_budget", "Of them, contracted or paid above the budget. 超预算项目数。")
    contract_over_budget: int = column("contract_over_budget", "Contracted above the budget. 合同金额超预算项目数。")
    paid_over_budget: int = column("paid_over_budget", "Paid above the budget. 支付金额超预算项目数。")
    rate: Decimal | None = column("rate", "Over budget, in percent of the projects. 超预算比例（%）。")
    excess: Decimal = column("excess", "By how much, CNY: the larger of contracted and paid, less the budget. 超出金额（元）。")


@strawberry.type(
    description="Warnings and how long they stayed open, in one group: to their resolution, or until now while not resolved; "
    "days to two decimals, median and nearest-rank p90 as in cycle times. 预警情况（一组）。"
)
class WarningRow:
    row: strawberry.Private[Any]
    group: ReportGroup = strawberry.field(description=GROUP)
    warnings: int = column("warnings", "Warnings raised. 预警数。")
    open: int = column("open", "Still open. 未处理。")
    acknowledged: int = column("acknowledged", "Acknowledged, not resolved. 已知悉未处理完毕。")
    resolved: int = column("resolved", "Resolved. 已处理。")
    median_days_open: Decimal | None = column("median_days_open", "Median days open. 持续天数中位数。")
    p90_days_open: Decimal | None = column("p90_days_open", "90th percentile of days open. 持续天数第90百分位。")


@strawberry.type(description="Rectifications (整改) and those overdue, in one group; overdue is judged on China dates. 整改情况（一组）。")
class RectificationRow:
    row: strawberry.Private[Any]
    group: ReportGroup = strawberry.field(description=GROUP)
    rectifications: int = column("rectifications", "Rectifications due in the period. 整改数。")
    closed: int = column("closed", "Closed. 已关闭。")
    closed_late: int = column("closed_late", "Closed after the day they were due. 逾期关闭。")
    open_overdue: int = column("open_overdue", "Not closed, and past the day they were due. 逾期未关闭。")
    not_yet_due: int = column("not_yet_due", "Not closed, not yet due. 未到期。")
    overdue_rate: Decimal | None = column("overdue_rate", "Closed late or open past due, in percent. 逾期比例（%）。")


@strawberry.type(
    description="Competition for tenders opened, in one group. Shares are of the contract value of contracts in force or "
    "completed awarded from those tenders; the Herfindahl–Hirschman index is on the 0–10,000 scale (the suppliers' shares in "
    "percent, squared and summed: 10,000 is one supplier). 竞争情况（一组）。"
)
class CompetitionRow:
    row: strawberry.Private[Any]
    group: ReportGroup = strawberry.field(description=GROUP)
    tenders: int = column("tenders", "Tenders opened. 开标项目数。")
    bids: int = column("bids", "Bids opened. 投标数。")
    bids_per_tender: Decimal | None = column("bids_per_tender", "Bids per tender. 平均投标数。")
    single_bid_tenders: int = column("single_bid_tenders", "Tenders with a single bid. 单一投标项目数。")
    single_bid_share: Decimal | None = column("single_bid_share", "Tenders with a single bid, in percent. 单一投标比例（%）。")
    contracts: int = column("contracts", "Contracts awarded from them, in force or completed. 合同数。")
    contract_value: Decimal = column("contract_value", "Their value, CNY. 合同金额（元）。")
    suppliers: int = column("suppliers", "Distinct suppliers awarded. 中标供应商数。")
    top_supplier_share: Decimal | None = column(
        "top_supplier_share", "The largest supplier's share of the value, in percent. 最大供应商份额（%）。"
    )
    herfindahl: Decimal | None = column("herfindahl", "Herfindahl–Hirschman index, 0–10,000. 赫芬达尔指数。")


@strawberry.type(description="What every report says about itself. 报表说明。")
class ReportHeading:
    row: strawberry.Private[Any]
    group_by: list[ReportDimension] = strawberry.field(description="What the rows are grouped by, in order. 分组维度。")

    @strawberry.field(description="The groupings, in the request's language. 分组维度名称。")
    def group_by_labels(self, info: Info) -> list[str]:
        return labels_in_request(info, "ReportDimension", list(self.row.filter.group_by))

    @strawberry.field(description="Which date places a row in a period, in the request's language. 统计期间依据。")
    def period_basis(self, info: Info) -> str:
        return translate(reports.PERIOD_BASIS[self.row.filter.report], info.context.meta.locale)


def heading(report: reports.Report) -> ReportHeading:
    return ReportHeading(row=report, group_by=[ReportDimension(d) for d in report.filter.group_by])


def _rows(cls: type, lines: list[Any]) -> list[Any]:
    return [from_row(cls, line, group=group_of(line)) for line in lines]


@strawberry.type(description="Projects applied for and their money: budgets, contracts, payments, retention. 项目数量与资金。")
class VolumeReport:
    heading: ReportHeading = strawberry.field(description="How the report is grouped and dated. 报表说明。")
    rows: list[VolumeRow] = strawberry.field(description="One row per group, in the order of the keys. 分组数据。")
    total: VolumeRow = strawberry.field(description="Everything the filter covers. 合计。")


@strawberry.type(description="Fund flow: allocation → reserved → contracted → paid → retention. 资金流向。")
class FundFlowReport:
    heading: ReportHeading = strawberry.field(description="How the report is grouped and dated. 报表说明。")
    rows: list[FundFlowRow] = strawberry.field(description="One row per group, in the order of the keys. 分组数据。")
    total: FundFlowRow = strawberry.field(description="Everything the filter covers. 合计。")


@strawberry.type(description="Cycle times of each stage, median and 90th percentile. 办理时长。")
class CycleTimeReport:
    heading: ReportHeading = strawberry.field(description="How the report is grouped and dated. 报表说明。")
    target_days: Decimal = strawberry.field(description="The target for application to approval, in days. 申报至批准目标时长（天）。")
    rows: list[CycleTimeRow] = strawberry.field(description="One row per group and stage. 分组数据。")
    total: list[CycleTimeRow] = strawberry.field(description="One row per stage over everything the filter covers. 各阶段合计。")
    filter: strawberry.Private[Any]
    reading: strawberry.Private[Any]
    # The headline's lines when the request selects them, computed alongside the report.
    headline_lines: strawberry.Private[asyncio.Task[list[CycleTimeRow]] | None] = None

    @strawberry.field(
        description="The headline: application to approval per region (at the filter's level) and month of approval, against "
        "the target, under the same filter (its groupBy aside). 申报至批准时长（按地区、月份）。"
    )
    async def headline(self, info: Info) -> list[CycleTimeRow]:
        if self.headline_lines is not None:
            return await self.headline_lines
        report = await reports.headline(info.context.reads, self.reading, self.filter)
        return _rows(CycleTimeRow, report.rows)


def _headline_apart(info: Info, reading: Reading, f: Any) -> asyncio.Task[list[CycleTimeRow]]:
    """The headline, started before the report's own statement and read on a connection of
    its own, so that the database computes the two at the same time (on a province, each
    takes a few tenths of a second)."""

    async def compute() -> list[CycleTimeRow]:
        async with info.context.reads.apart() as reads:
            report = await reports.headline(reads, reading, f)
        # Its rows are made here too, while the report's statement may still run.
        return _rows(CycleTimeRow, report.rows)

    task = asyncio.ensure_future(compute())
    # Looked at even when no resolver awaits it (the report failed, or the request ended).
    task.add_done_callback(lambda done: done.cancelled() or done.exception())
    return task


@strawberry.type(description="Over budget: projects whose contract or payments exceed the budget. 超预算情况。")
class OverBudgetReport:
    heading: ReportHeading = strawberry.field(description="How the report is grouped and dated. 报表说明。")
    rows: list[OverBudgetRow] = strawberry.field(description="One row per group, in the order of the keys. 分组数据。")
    total: OverBudgetRow = strawberry.field(description="Everything the filter covers. 合计。")


@strawberry.type(description="Warnings by kind and how long they stayed open. 预警情况。")
class WarningReport:
    heading: ReportHeading = strawberry.field(description="How the report is grouped and dated. 报表说明。")
    rows: list[WarningRow] = strawberry.field(description="One row per group, in the order of the keys. 分组数据。")
    total: WarningRow = strawberry.field(description="Everything the filter covers. 合计。")


@strawberry.type(description="Rectifications and those overdue. 整改情况。")
class RectificationReport:
    heading: ReportHeading = strawberry.field(description="How the report is grouped and dated. 报表说明。")
    rows: list[RectificationRow] = strawberry.field(description="One row per group, in the order of the keys. 分组数据。")
    total: RectificationRow = strawberry.field(description="Everything the filter covers. 合计。")


@strawberry.type(description="Competition: bids per tender, single bids, supplier concentration. 竞争情况。")
class CompetitionReport:
    heading: ReportHeading = strawberry.field(description="How the report is grouped and dated. 报表说明。")
    rows: list[CompetitionRow] = strawberry.field(description="One row per group, in the order of the keys. 分组数据。")
    total: CompetitionRow = strawberry.field(description="Everything the filter covers. 合计。")


async def _reading(info: Info, name: str, filter: ReportFilter | None) -> tuple[Reading, Any]:
    """Who reads the report ``name`` now, and its filter, checked."""
    actor = await signed_in_actor(info.context)
    f = parse_filter(name, arguments_of(filter))
    return Reading(actor, info.context.state.clock.now(), info.context.settings), f


async def _report(info: Info, reading: Reading, f: Any) -> reports.Report:
    return await reports.run(info.context.reads, reading, f, max_rows=info.context.settings.report_max_rows)


async def _run(info: Info, name: str, filter: ReportFilter | None) -> tuple[reports.Report, Reading]:
    reading, f = await _reading(info, name, filter)
    return await _report(info, reading, f), reading


def _single(cls: type, row_cls: type, report: reports.Report) -> Any:
    (total,) = report.totals
    return cls(heading=heading(report), rows=_rows(row_cls, report.rows), total=from_row(row_cls, total, group=group_of(total)))


FilterArgument = Annotated[ReportFilter | None, strawberry.argument(description="What to count and how to group it. 筛选与分组。")]

PERIODS = (
    " Filters by region (a code covers what lies below it), period (year, quarter, month, in China time), category, "
    "procurement method and project status, and groups by any of them; rows you may not see are never counted."
)


@strawberry.type
class ReportsQuery:
    @strawberry.field(
        description="Projects applied for, their budgets, contracts, payments and retention held. A project's period is its "
        "first application (first submission)." + PERIODS + " 项目数量与资金统计。"
    )
    async def volume_report(self, info: Info, filter: FilterArgument = None) -> VolumeReport:
        report, _ = await _run(info, "volume", filter)
        return _single(VolumeReport, VolumeRow, report)

    @strawberry.field(
        description="Fund flow per organisation and fiscal year: allocation, reserved by approved projects, contracted, paid, "
        "retention held. The period is the allocation's fiscal year (no quarter or month); region and ORGANISATION are the "
        "allocation's organisation; categories, methods and statuses narrow the projects, not the allocation."
        + " 资金流向统计（预算指标→占用→合同→支付→质保金）。"
    )
    async def fund_flow_report(self, info: Info, filter: FilterArgument = None) -> FundFlowReport:
        report, _ = await _run(info, "fund_flow", filter)
        return _single(FundFlowReport, FundFlowRow, report)

    @strawberry.field(
        description="Cycle times, median and 90th percentile in days, of each stage: application → approval → tender published → "
        "contract signed → works started → final acceptance → final payment, each from the project's status history (the first "
        "time it got there). A stage counts in the period in which it ended. Application to approval is shown against the "
        "target (SMALLWORKS_REPORT_APPROVAL_TARGET_DAYS)." + PERIODS + " 办理时长统计。"
    )
    async def cycle_time_report(self, info: Info, filter: FilterArgument = None) -> CycleTimeReport:
        reading, f = await _reading(info, "cycle_time", filter)
        headline = _headline_apart(info, reading, f) if selects(info, "headline") else None
        try:
            report = await _report(info, reading, f)
        except BaseException:
            if headline is not None:
                headline.cancel()
            raise
        return CycleTimeReport(
            heading=heading(report),
            target_days=Decimal(info.context.settings.report_approval_target_days).quantize(reports.HUNDREDTH),
            rows=_rows(CycleTimeRow, report.rows),
            total=_rows(CycleTimeRow, report.totals),
            filter=report.filter,
            reading=reading,
            headline_lines=headline,
        )

    @strawberry.field(
        description="Over-budget rate: projects with a contract in force or completed whose contract amount or payments exceed "
        "the budget. A project's period is the day its contract was first signed." + PERIODS + " 超预算统计。"
    )
    async def over_budget_report(self, info: Info, filter: FilterArgument = None) -> OverBudgetReport:
        report, _ = await _run(info, "over_budget", filter)
        return _single(OverBudgetReport, OverBudgetRow, report)

    @strawberry.field(
        description="Warnings of the works by kind (group by WARNING_KIND), and how long they stayed open. A warning's period is "
        "the day it was raised." + PERIODS + " 预警统计。"
    )
    async def warning_report(self, info: Info, filter: FilterArgument = None) -> WarningReport:
        report, _ = await _run(info, "warning", filter)
        return _single(WarningReport, WarningRow, report)

    @strawberry.field(
        description="Rectifications (整改) closed, closed late, and open past their due date. A rectification's period is its due "
        "date." + PERIODS + " 整改统计。"
    )
    async def rectification_report(self, info: Info, filter: FilterArgument = None) -> RectificationReport:
        report, _ = await _run(info, "rectification", filter)
        return _single(RectificationReport, RectificationRow, report)

    @strawberry.field(
        description="Competition: bids per tender, the share of single-bid tenders, the top supplier's share of contract value and "
        "the Herfindahl–Hirschman index (0–10,000). A tender's period is the day it was opened; METHOD is the tender's own."
        + PERIODS
        + " 竞争情况统计。"
    )
    async def competition_report(self, info: Info, filter: FilterArgument = None) -> CompetitionReport:
        report, _ = await _run(info, "competition", filter)
        return _single(CompetitionReport, CompetitionRow, report)
