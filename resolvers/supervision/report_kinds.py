"""The reports, each as data (``report_pipeline.Spec``) and its base: what one row of it is,
which date places the row in a period, and what a group adds up.

- volume and money: projects applied for (their first submission), budgets, binding contracts
  (in force or completed), payments made, retention not yet paid;
- fund flow: per allocation (an owner organisation's fiscal year), what its projects reserved,
  contracted, were paid and hold back;
- cycle times: each stage of a project's life, from its key dates (when its status history
  first recorded each step), counted when it ended;
- over budget: projects whose binding contracts or payments exceed the budget, by the day the
  first contract was signed;
- warnings: how long each stayed open (to its resolution, or to the moment of reading);
- rectifications: closed, closed late, open past their due date (China dates);
- competition: per opened tender, its opened bids and the binding contract awarded from it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Date, Integer, Select, case, func, literal, literal_column, null, select, union_all

from models.accounts import Organisation
from models.base import UTCDateTime
from models.contracts import Contract
from models.progress import ProgressWarning, Rectification
from models.projects import BudgetAllocation, BudgetReservation, Project
from models.tendering import Bid, Tender
from policies.scope import scope_for
from resolvers.core.clock import today_in_china
from resolvers.payments.funds import BINDING
from resolvers.payments.service import fen_sum
from resolvers.supervision.report_filter import ReportFilter
from resolvers.supervision.report_pipeline import (
    EVENTS,
    HUNDREDTH,
    Group,
    Reading,
    Spec,
    contracts_of_projects,
    count_of,
    given,
    in_days,
    in_period,
    in_region,
    money_of,
    paid_of_projects,
    percent,
    project_conditions,
    project_keys,
    ratio,
    retention_of_projects,
    rounded,
)
from resolvers.supervision.sql import as_double, china_date, days_between, median, nearest_rank, ranks

# The stages of cycle times, in order: (stage, from event, to event).
STAGES = (
    ("application_to_approval", "applied", "approved"),
    ("approval_to_tender", "approved", "tendered"),
    ("tender_to_contract", "tendered", "signed"),
    ("contract_to_works", "signed", "started"),
    ("works_to_acceptance", "started", "accepted"),
    ("acceptance_to_final_payment", "accepted", "settled"),
)
HEADLINE_STAGE = "application_to_approval"


# -- the lines of each report ----------------------------------------------------------------------


@dataclass(frozen=True)
class VolumeLine:
    group: Group
    projects: int
    budget: Decimal
    contracts: int
    contract_amount: Decimal
    paid: Decimal
    retention_held: Decimal


@dataclass(frozen=True)
class FundFlowLine:
    group: Group
    allocation: Decimal
    reserved: Decimal
    contracted: Decimal
    paid: Decimal
    retention_held: Decimal


@dataclass(frozen=True)
class CycleTimeLine:
    group: Group
    stage: str
    projects: int
    median_days: Decimal | None
    p90_days: Decimal | None
    target_days: Decimal | None  # the application-to-approval target, on that stage's lines only
    target_met: bool | None


@dataclass(frozen=True)
class OverBudgetLine:
    group: Group
    projects: int
    over_budget: int
    contract_over_budget: int
    paid_over_budget: int
    rate: Decimal | None  # percent of the projects
    excess: Decimal


@dataclass(frozen=True)
class WarningLine:
    group: Group
    warnings: int
    open: int
    acknowledged: int
    resolved: int
    median_days_open: Decimal | None
    p90_days_open: Decimal | None


@dataclass(frozen=True)
class RectificationLine:
    group: Group
    rectifications: int
    closed: int
    closed_late: int
    open_overdue: int
    not_yet_due: int
    overdue_rate: Decimal | None  # percent: closed late or open past due


@dataclass(frozen=True)
class CompetitionLine:
    group: Group
    tenders: int
    bids: int
    bids_per_tender: Decimal | None
    single_bid_tenders: int
    single_bid_share: Decimal | None  # percent of the tenders
    contracts: int
    contract_value: Decimal
    suppliers: int
    top_supplier_share: Decimal | None  # percent of the contract value
    herfindahl: Decimal | None  # 0–10,000


# -- volume and money ------------------------------------------------------------------------------


def volume_base(reading: Reading, f: ReportFilter) -> Select:
    actor = reading.actor
    contracts, paid, retention = contracts_of_projects(actor, f), paid_of_projects(actor, f), retention_of_projects(actor, f)
    stmt = (
        select(
            *project_keys(),
            Project.applied_at.label("at"),
            Project.budget_amount.label("budget"),
            contracts.c.contracts.label("contracts"),
            contracts.c.amount.label("contract_amount"),
            paid.c.paid.label("paid"),
            retention.c.held.label("retention_held"),
        )
        .select_from(Project)
        .outerjoin(contracts, contracts.c.project_id == Project.id)
        .outerjoin(paid, paid.c.project_id == Project.id)
        .outerjoin(retention, retention.c.project_id == Project.id)
    )
    return stmt.where(*project_conditions(actor, f), Project.applied_at.is_not(None), *given(in_period(Project.applied_at, f)))


VOLUME = Spec(
    name="volume",
    period="at",
    measures=lambda r: [
        func.count().label("projects"),
        fen_sum(r.c.budget).label("budget"),
        func.coalesce(func.sum(r.c.contracts), 0).label("contracts"),
        fen_sum(r.c.contract_amount).label("contract_amount"),
        fen_sum(r.c.paid).label("paid"),
        fen_sum(r.c.retention_held).label("retention_held"),
    ],
    line=lambda row, group, reading: VolumeLine(
        group,
        count_of(row.projects),
        money_of(row.budget),
        count_of(row.contracts),
        money_of(row.contract_amount),
        money_of(row.paid),
        money_of(row.retention_held),
    ),
)


# -- fund flow -------------------------------------------------------------------------------------


def fund_flow_base(reading: Reading, f: ReportFilter) -> Select:
    """One row per visible allocation; what its projects reserved, contracted, paid and hold
    back (narrowed to the filter's categories, statuses and methods; the allocation itself is
    the organisation's whole year)."""
    actor = reading.actor
    # The region is the organisation's: every project of the allocation counts.
    contracts, paid, retention = contracts_of_projects(actor), paid_of_projects(actor), retention_of_projects(actor)
    flows = (
        select(
            BudgetReservation.allocation_id,
            fen_sum(BudgetReservation.amount).label("reserved"),
            fen_sum(contracts.c.amount).label("contracted"),
            fen_sum(paid.c.paid).label("paid"),
            fen_sum(retention.c.held).label("retention_held"),
        )
        .select_from(BudgetReservation)
        .join(Project, Project.id == BudgetReservation.project_id)
        .outerjoin(contracts, contracts.c.project_id == Project.id)
        .outerjoin(paid, paid.c.project_id == Project.id)
        .outerjoin(retention, retention.c.project_id == Project.id)
    )
    flows = flows.where(BudgetReservation.released_at.is_(None), *project_conditions(actor, f, region=False))
    flows_sq = flows.group_by(BudgetReservation.allocation_id).subquery("allocation_flows")
    return (
        select(
            Organisation.region_code.label("region_code"),
            null().label("category"),
            null().label("method"),
            null().label("status"),
            BudgetAllocation.organisation_id.label("organisation_id"),
            BudgetAllocation.fiscal_year.label("fiscal_year"),
            BudgetAllocation.amount.label("allocation"),
            flows_sq.c.reserved,
            flows_sq.c.contracted,
            flows_sq.c.paid,
            flows_sq.c.retention_held,
        )
        .select_from(BudgetAllocation)
        .join(Organisation, Organisation.id == BudgetAllocation.organisation_id)
        .outerjoin(flows_sq, flows_sq.c.allocation_id == BudgetAllocation.id)
        .where(
            scope_for(BudgetAllocation)(actor),
            *given(
                in_region(Organisation.region_code, f),
                BudgetAllocation.fiscal_year == f.year if f.year is not None else None,
            ),
        )
    )


FUND_FLOW = Spec(
    name="fund_flow",
    period="fiscal_year",
    measures=lambda r: [
        fen_sum(r.c.allocation).label("allocation"),
        fen_sum(r.c.reserved).label("reserved"),
        fen_sum(r.c.contracted).label("contracted"),
        fen_sum(r.c.paid).label("paid"),
        fen_sum(r.c.retention_held).label("retention_held"),
    ],
    line=lambda row, group, reading: FundFlowLine(
        group, money_of(row.allocation), money_of(row.reserved), money_of(row.contracted), money_of(row.paid), money_of(row.retention_held)
    ),
)


# -- cycle times -----------------------------------------------------------------------------------


def cycle_time_base(reading: Reading, f: ReportFilter, stages: Sequence[tuple[str, str, str]] = STAGES) -> Any:
    """One row per project and stage it went through: the stage's days, and when it ended."""
    actor = reading.actor
    lives = (
        select(*project_keys(), *(column.label(name) for name, column in EVENTS.items()))
        .select_from(Project)
        .where(*project_conditions(actor, f))
    )
    lives_cte = lives.cte("project_lives")
    order = {stage: index for index, (stage, _, _) in enumerate(STAGES)}
    parts = [
        select(
            *(lives_cte.c[name] for name in ("region_code", "category", "method", "status", "organisation_id")),
            literal_column(str(order[stage]), Integer).label("stage_order"),
            lives_cte.c[end].label("at"),
            days_between(lives_cte.c[start], lives_cte.c[end]).label("days"),
        ).where(lives_cte.c[start].is_not(None), lives_cte.c[end].is_not(None), *given(in_period(lives_cte.c[end], f)))
        for stage, start, end in stages
    ]
    return union_all(*parts) if len(parts) > 1 else parts[0]


def _cycle_line(row: Any, group: Group, reading: Reading) -> CycleTimeLine:
    median_days, p90_days = rounded(row.median_days), rounded(row.p90_days)
    target = target_met = None
    # The rows carry the stage's number only (narrower rows to sort than with its name).
    stage = STAGES[int(row.stage_order)][0]
    if stage == HEADLINE_STAGE:
        target = Decimal(reading.settings.report_approval_target_days).quantize(HUNDREDTH)
        target_met = None if median_days is None else median_days <= target
    return CycleTimeLine(group, stage, count_of(row.projects), median_days, p90_days, target, target_met)


def _percentile_windows(column: str) -> Callable[[Any, list[Any]], list[Any]]:
    def windows(rows: Any, partition: list[Any]) -> list[Any]:
        rank, count = ranks(rows.c[column], partition)
        return [rank.label("value_rank"), count.label("value_count")]

    return windows


CYCLE_TIME = Spec(
    name="cycle_time",
    period="at",
    fixed=("stage_order",),
    order=("stage_order",),
    windows=_percentile_windows("days"),
    measures=lambda r: [
        func.count(r.c.days).label("projects"),
        median(r.c.days, r.c.value_rank, r.c.value_count).label("median_days"),
        nearest_rank(r.c.days, r.c.value_rank, r.c.value_count, 90).label("p90_days"),
    ],
    line=_cycle_line,
    totals=tuple({"stage_order": index} for index in range(len(STAGES))),
)


# -- over budget -----------------------------------------------------------------------------------


def over_budget_base(reading: Reading, f: ReportFilter) -> Select:
    """One row per project with a binding contract: its budget, contracted and paid."""
    actor = reading.actor
    contracts, paid = contracts_of_projects(actor, f), paid_of_projects(actor, f)
    stmt = (
        select(
            *project_keys(),
            contracts.c.first_signed.label("at"),
            Project.budget_amount.label("budget"),
            contracts.c.amount.label("contracted"),
            func.coalesce(paid.c.paid, 0).label("paid"),
        )
        .select_from(Project)
        .join(contracts, contracts.c.project_id == Project.id)
        .outerjoin(paid, paid.c.project_id == Project.id)
    )
    return stmt.where(*project_conditions(actor, f), *given(in_period(contracts.c.first_signed, f)))


def _over_budget_measures(r: Any) -> list[Any]:
    contract_over = r.c.contracted > r.c.budget
    paid_over = r.c.paid > r.c.budget
    over = contract_over | paid_over
    highest = case((r.c.contracted >= r.c.paid, r.c.contracted), else_=r.c.paid)
    return [
        func.count().label("projects"),
        func.count(case((over, 1))).label("over_budget"),
        func.count(case((contract_over, 1))).label("contract_over_budget"),
        func.count(case((paid_over, 1))).label("paid_over_budget"),
        fen_sum(case((over, highest - r.c.budget))).label("excess"),
    ]


OVER_BUDGET = Spec(
    name="over_budget",
    period="at",
    measures=_over_budget_measures,
    line=lambda row, group, reading: OverBudgetLine(
        group,
        count_of(row.projects),
        count_of(row.over_budget),
        count_of(row.contract_over_budget),
        count_of(row.paid_over_budget),
        percent(count_of(row.over_budget), count_of(row.projects)),
        money_of(row.excess),
    ),
)


# -- warnings and rectifications ---------------------------------------------------------------------


def warning_base(reading: Reading, f: ReportFilter) -> Select:
    """One row per warning: its kind, status, and how long it stayed open (to its resolution,
    or to the moment of reading while it is not resolved)."""
    actor = reading.actor
    until = func.coalesce(ProgressWarning.resolved_at, literal(reading.now, UTCDateTime()))
    stmt = (
        select(
            *project_keys(region=ProgressWarning.region_code),
            ProgressWarning.kind.label("warning_kind"),
            ProgressWarning.raised_at.label("at"),
            ProgressWarning.status.label("warning_status"),
            days_between(ProgressWarning.raised_at, until).label("days_open"),
        )
        .select_from(ProgressWarning)
        .join(Contract, Contract.id == ProgressWarning.contract_id)
        .join(Project, Project.id == Contract.project_id)
    )
    return stmt.where(
        scope_for(ProgressWarning)(actor),
        *project_conditions(actor, f, region=False),
        *given(in_region(ProgressWarning.region_code, f), in_period(ProgressWarning.raised_at, f)),
    )


WARNING = Spec(
    name="warning",
    period="at",
    windows=_percentile_windows("days_open"),
    measures=lambda r: [
        func.count().label("warnings"),
        func.count(case((r.c.warning_status == "open", 1))).label("open"),
        func.count(case((r.c.warning_status == "acknowledged", 1))).label("acknowledged"),
        func.count(case((r.c.warning_status == "resolved", 1))).label("resolved"),
        median(r.c.days_open, r.c.value_rank, r.c.value_count).label("median_days"),
        nearest_rank(r.c.days_open, r.c.value_rank, r.c.value_count, 90).label("p90_days"),
    ],
    line=lambda row, group, reading: WarningLine(
        group,
        count_of(row.warnings),
        count_of(row.open),
        count_of(row.acknowledged),
        count_of(row.resolved),
        rounded(row.median_days),
        rounded(row.p90_days),
    ),
)


def rectification_base(reading: Reading, f: ReportFilter) -> Select:
    """One row per rectification: when it was due, and when it was closed (a China date)."""
    actor = reading.actor
    stmt = (
        select(
            *project_keys(region=Rectification.region_code),
            Rectification.due_date.label("on"),
            Rectification.due_date.label("due_date"),
            Rectification.status.label("rectification_status"),
            china_date(Rectification.closed_at).label("closed_on"),
            literal(today_in_china(reading.now), Date()).label("today"),
        )
        .select_from(Rectification)
        .join(Contract, Contract.id == Rectification.contract_id)
        .join(Project, Project.id == Contract.project_id)
    )
    return stmt.where(
        scope_for(Rectification)(actor),
        *project_conditions(actor, f, region=False),
        *given(in_region(Rectification.region_code, f), in_days(Rectification.due_date, f)),
    )


def _rectification_measures(r: Any) -> list[Any]:
    closed = r.c.rectification_status == "closed"
    return [
        func.count().label("rectifications"),
        func.count(case((closed, 1))).label("closed"),
        func.count(case((closed & (r.c.closed_on > r.c.due_date), 1))).label("closed_late"),
        func.count(case((~closed & (r.c.due_date < r.c.today), 1))).label("open_overdue"),
        func.count(case((~closed & (r.c.due_date >= r.c.today), 1))).label("not_yet_due"),
    ]


RECTIFICATION = Spec(
    name="rectification",
    period="on",
    measures=_rectification_measures,
    line=lambda row, group, reading: RectificationLine(
        group,
        count_of(row.rectifications),
        count_of(row.closed),
        count_of(row.closed_late),
        count_of(row.open_overdue),
        count_of(row.not_yet_due),
        percent(count_of(row.closed_late) + count_of(row.open_overdue), count_of(row.rectifications)),
    ),
)


# -- competition -------------------------------------------------------------------------------------


def competition_base(reading: Reading, f: ReportFilter) -> Select:
    """One row per opened tender: its bids, and the binding contract awarded from it (the
    supplier and the amount), if any."""
    actor = reading.actor
    bids = (
        select(Bid.tender_id, func.count().label("bids"))
        .where(Bid.opened_at.is_not(None), scope_for(Bid)(actor))
        .group_by(Bid.tender_id)
        .subquery("tender_bids")
    )
    awarded = (
        select(Contract.tender_id, Contract.contractor_organisation_id.label("supplier_id"), Contract.amount.label("value"))
        .where(Contract.status.in_(BINDING), scope_for(Contract)(actor))
        .subquery("tender_contracts")
    )
    return (
        select(
            Tender.region_code.label("region_code"),
            Project.category.label("category"),
            Tender.method.label("method"),
            Project.status.label("status"),
            Tender.owner_organisation_id.label("organisation_id"),
            Tender.opened_at.label("at"),
            func.coalesce(bids.c.bids, 0).label("bids"),
            awarded.c.supplier_id,
            awarded.c.value,
        )
        .select_from(Tender)
        .join(Project, Project.id == Tender.project_id)
        .outerjoin(bids, bids.c.tender_id == Tender.id)
        .outerjoin(awarded, awarded.c.tender_id == Tender.id)
        .where(
            scope_for(Tender)(actor),
            Tender.opened_at.is_not(None),
            *project_conditions(actor, f, region=False, method=False),
            *given(
                in_region(Tender.region_code, f),
                Tender.method.in_(f.methods) if f.methods else None,
                in_period(Tender.opened_at, f),
            ),
        )
    )


def _per_supplier(r: Any) -> list[Any]:
    """The first step, per group and supplier (the tenders without a binding contract are the
    group's rows of no supplier): its tenders, bids, single-bid tenders, contracts and value."""
    return [
        func.count().label("tenders"),
        func.coalesce(func.sum(r.c.bids), 0).label("bids"),
        func.count(case((r.c.bids == 1, 1))).label("single_bid_tenders"),
        func.count(r.c.value).label("contracts"),
        func.sum(r.c.value).label("value"),
    ]


def _competition_measures(r: Any) -> list[Any]:
    """The second step, per group, over its suppliers' rows."""
    supplier = r.c.supplier_id.is_not(None)
    squares = func.sum(case((supplier, as_double(r.c.value) * as_double(r.c.value))))
    total = as_double(func.sum(r.c.value))
    return [
        func.sum(r.c.tenders).label("tenders"),
        func.sum(r.c.bids).label("bids"),
        func.sum(r.c.single_bid_tenders).label("single_bid_tenders"),
        func.sum(r.c.contracts).label("contracts"),
        fen_sum(r.c.value).label("contract_value"),
        func.count(r.c.supplier_id).label("suppliers"),
        func.max(case((supplier, r.c.value))).label("top_value"),
        # Herfindahl–Hirschman index on the 0–10,000 scale: the sum of the suppliers' squared
        # shares of the contract value, in percent (a double: the squares outgrow 64 bits).
        (10000.0 * squares / func.nullif(total * total, 0)).label("herfindahl"),
    ]


def _competition_line(row: Any, group: Group, reading: Reading) -> CompetitionLine:
    tenders, bids, value = count_of(row.tenders), count_of(row.bids), money_of(row.contract_value)
    top = row.top_value
    return CompetitionLine(
        group,
        tenders,
        bids,
        ratio(bids, tenders),
        count_of(row.single_bid_tenders),
        percent(count_of(row.single_bid_tenders), tenders),
        count_of(row.contracts),
        value,
        count_of(row.suppliers),
        percent(top, value) if top is not None else None,
        rounded(row.herfindahl),
    )


COMPETITION = Spec(
    name="competition",
    period="at",
    inner=("supplier_id",),
    inner_measures=_per_supplier,
    measures=_competition_measures,
    line=_competition_line,
)


REPORTS: dict[str, tuple[Spec, Callable[[Reading, ReportFilter], Any]]] = {
    "volume": (VOLUME, volume_base),
    "fund_flow": (FUND_FLOW, fund_flow_base),
    "cycle_time": (CYCLE_TIME, cycle_time_base),
    "over_budget": (OVER_BUDGET, over_budget_base),
    "warning": (WARNING, warning_base),
    "rectification": (RECTIFICATION, rectification_base),
    "competition": (COMPETITION, competition_base),
}
