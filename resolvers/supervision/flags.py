"""Red flags (风险预警): computed, stored, acknowledged and listed.

What each rule looks at is in ``flag_rules``. This module reads the tendering, contracts,
payments and progress tables: per process in Python (one tender's bids), per region and
year in SQL where it is aggregation (each outlier rule is one statement: the values of a
region's processes, buyers or tenderers, their ranks by window functions and their quartiles
as weighted sums over the ranks, the same on SQLite, PostgreSQL and MariaDB).

When flags are computed: the events that change a process (a tender published, amended,
cancelled, opened, failed, evaluated, awarded, an objection answered, final quotes opened)
or a contract's own flags (a payment made, a milestone or the works accepted, a check-in
outside the fence) mark their region and year stale, one small UPDATE in a reaction; the
scheduled rule (every minute) computes the stale regions and years in full
(``recompute_region``), each at most once per ``red_flag_recompute_interval_seconds`` and at
most ``red_flag_groups_per_run`` per run, and refreshes the current and last year's once a
day (daily logs and check-ins raise no event, so SW02 is refreshed this way). A burst of
events (an import, a busy morning) costs one computation of its region, whatever its size;
flags appear within a minute or two of what raised them.

Computing is idempotent: a flag is unique per (code, subject, year); found again, its numbers
are brought up to date; no longer found, it is cleared (an acknowledgement is never touched,
and comes back with the flag if it holds again). Each change is audited and kept in the
flag's history; a flag raised (or holding again) is told to the auditors of its region.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Select,
    and_,
    case,
    cast,
    delete,
    func,
    insert,
    or_,
    select,
    type_coerce,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from models.accounts import Organisation, User
from models.contracts import Contract, ContractMilestone, PaymentTerm
from models.payments import PaymentRequest
from models.progress import CheckIn, DailyLog
from models.supervision import RED_FLAG_CODES, RED_FLAG_LEVELS, RED_FLAG_STATUSES, RedFlag, RedFlagRun, RedFlagStatusChange, RedFlagSupplier
from models.tendering import Bid, Tender
from policies.engine import region_prefix
from policies.scope import code_range, scope_for
from policies.subject import Actor
from resolvers.core import outbox
from resolvers.core.clock import SHANGHAI, china_time
from resolvers.core.context import SYSTEM_ACTOR, RequestMeta, UnitOfWork
from resolvers.core.errors import BadInput, Problem, UserErrors
from resolvers.core.jobs import each_apart, scheduled
from resolvers.core.lifecycle import StateMachine, Transition
from resolvers.core.outbox import reacts_to
from resolvers.core.pagination import ListQuery
from resolvers.core.scoped import get_in_scope
from resolvers.core.transaction import rowcount, unit_of_work
from resolvers.core.validation import REGION_RE, Checks, printable
from resolvers.supervision import flag_rules as rules
from resolvers.supervision.flag_rules import (
    DECIDED_STATUSES,
    VALID_BID_STATUSES,
    CheckInSeen,
    Found,
    Measured,
    Payment,
    Process,
    ProcessBid,
    from_ppm,
    money,
    ratio_text,
    year_of,
    year_window,
)

RED_FLAG_LIFECYCLE = StateMachine(
    "RedFlag",
    [
        Transition("acknowledge", {"open"}, "acknowledged"),
        # The computation's moves: the flag stops holding, or holds again (acknowledged again
        # if an auditor had acknowledged it before).
        Transition("clear", {"open", "acknowledged"}, "cleared"),
        Transition("reopen", {"cleared"}, "open"),
        Transition("reinstate", {"cleared"}, "acknowledged"),
    ],
)
# What a viewer may do to a flag, and the root mutation that does it.
RED_FLAG_ACTIONS = {"acknowledge": "acknowledgeRedFlag"}
# The tenders' statuses whose disqualifications are final (R038).
ASSESSED_STATUSES = (*DECIDED_STATUSES, "failed")


# -- statistics in SQL -----------------------------------------------------------------------


def floor_ratio(numerator: Any, denominator: Any) -> ColumnElement[int]:
    """⌊numerator × 10⁶ ÷ denominator⌋ for non-negative integers and a positive denominator,
    exact on every backend: the remainder is taken off first, so the division is exact even
    where ``/`` of integers gives a decimal (MariaDB)."""
    scaled = numerator * 1_000_000
    return cast((scaled - scaled % denominator) / denominator, BigInteger)


def with_percentiles(values: Any, **percentiles: int) -> Select:
    """``values`` (a subquery with columns ``grp``, ``key`` and an integer ``v``) with, on
    each row, ``n`` (the members of its group) and for each name given 100 × the p-th
    percentile of ``v`` in its group, by linear interpolation between the closest ranks (as
    ``percentile_cont`` and Excel's ``QUARTILE.INC``): with h = (n − 1)·p/100, the value of
    rank ⌊h⌋ weighs 1 − (h − ⌊h⌋) and the next one h − ⌊h⌋. The weights are whole hundredths,
    so the result is an exact integer: no backend rounds it."""
    rank = func.row_number().over(partition_by=values.c.grp, order_by=(values.c.v, values.c.key))
    count = func.count().over(partition_by=values.c.grp)
    ranked = select(values, rank.label("rn"), count.label("n")).subquery()
    rn, n = ranked.c.rn, ranked.c.n
    columns = []
    for name, p in percentiles.items():
        m = (n - 1) * p  # 100·h
        lower = and_(100 * (rn - 1) <= m, m < 100 * rn)  # rank ⌊h⌋ (0-based) is rn − 1
        upper = and_(100 * (rn - 2) <= m, m < 100 * (rn - 1))
        weight = case((lower, 100 * rn - m), (upper, m - 100 * (rn - 2)), else_=0)
        columns.append(func.sum(weight * ranked.c.v).over(partition_by=ranked.c.grp).label(name))
    return select(*ranked.c, *columns)


def _hundredths(value: Any) -> Decimal:
    return Decimal(int(value)) / 100


def _measured(row: Any) -> Measured:
    """A row of ``with_percentiles(values, q1=25, q3=75)`` over ratios in millionths."""
    q1, q3 = _hundredths(row.q1) / rules.PPM, _hundredths(row.q3) / rules.PPM
    return Measured(group=row.grp, key=int(row.key), value=from_ppm(row.v), count=int(row.n), q1=q1, q3=q3, row=row)


def _tenders_of(prefix: str, year: int) -> ColumnElement[bool]:
    start, end = year_window(year)
    return and_(code_range(Tender.region_code, prefix), Tender.published_at >= start, Tender.published_at < end)


# -- what the rules read ----------------------------------------------------------------------


async def _processes(uow: UnitOfWork, which: ColumnElement[bool]) -> tuple[list[Process], dict[int, str], dict[int, str]]:
    """The tenders ``which`` selects with their opened bids, the names of their bidders and
    buyers, and their codes."""
    tenders = (
        await uow.session.execute(
            select(
                Tender.id,
                Tender.code,
                Tender.region_code,
                Tender.project_id,
                Tender.owner_organisation_id,
                Tender.method,
                Tender.status,
                Tender.criteria,
                Tender.ceiling_price,
                Tender.published_at,
                Tender.bid_deadline,
                Tender.final_quote_deadline,
                Tender.recommended_bid_id,
                Tender.opened_at,
            ).where(which, Tender.published_at.is_not(None))
        )
    ).all()
    bids: dict[int, list[ProcessBid]] = defaultdict(list)
    if any(t.opened_at is not None for t in tenders):
        opened = select(Tender.id).where(which, Tender.opened_at.is_not(None))
        for b in await uow.session.execute(
            select(
                Bid.id, Bid.tender_id, Bid.organisation_id, Bid.status, Bid.opened_price, Bid.submitted_at, Bid.final_submitted_at
            ).where(Bid.tender_id.in_(opened), Bid.opened_at.is_not(None))
        ):
            bids[b.tender_id].append(ProcessBid(b.id, b.organisation_id, b.status, b.opened_price, b.submitted_at, b.final_submitted_at))
    processes = [
        Process(
            tender_id=t.id,
            region_code=t.region_code,
            project_id=t.project_id,
            buyer_id=t.owner_organisation_id,
            method=t.method,
            status=t.status,
            criteria=t.criteria,
            ceiling=t.ceiling_price,
            published_at=t.published_at,
            bid_deadline=t.bid_deadline,
            final_quote_deadline=t.final_quote_deadline,
            recommended_bid_id=t.recommended_bid_id,
            bids=tuple(sorted(bids.get(t.id, ()), key=lambda b: b.id)),
        )
        for t in tenders
    ]
    organisations = {b.organisation_id for p in processes for b in p.bids} | {p.buyer_id for p in processes}
    return processes, await _names(uow, organisations), {t.id: t.code for t in tenders}


async def _names(uow: UnitOfWork, ids: Iterable[int]) -> dict[int, str]:
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    return dict((await uow.session.execute(select(Organisation.id, Organisation.name).where(Organisation.id.in_(wanted)))).all())


def _process_subject(found: Found, codes: dict[int, str]) -> Found:
    found.title = codes.get(found.tender_id or 0, found.subject)
    return found


async def _gap_flags(uow: UnitOfWork, prefix: str, year: int, names: dict[int, str], codes: dict[int, str]) -> list[Found]:
    """R024 and R058: the difference between the second-lowest valid bid and the winning
    (lowest) one, relative to the winning one, against its region's fences."""
    price = type_coerce(Bid.opened_price, BigInteger)
    decided = and_(_tenders_of(prefix, year), Tender.status.in_(DECIDED_STATUSES), Tender.recommended_bid_id.is_not(None))
    ranked = (
        select(
            Bid.tender_id,
            Tender.region_code.label("grp"),
            Bid.organisation_id,
            price.label("price"),
            func.row_number().over(partition_by=Bid.tender_id, order_by=(price, Bid.id)).label("place"),
        )
        .join(Tender, Tender.id == Bid.tender_id)
        .where(decided, Bid.status.in_(VALID_BID_STATUSES), Bid.opened_price.is_not(None))
        .subquery()
    )
    two = (
        select(
            ranked.c.grp,
            ranked.c.tender_id.label("key"),
            func.max(case((ranked.c.place == 1, ranked.c.price))).label("lowest"),
            func.max(case((ranked.c.place == 2, ranked.c.price))).label("second"),
            func.max(case((ranked.c.place == 2, ranked.c.organisation_id))).label("second_org"),
        )
        .where(ranked.c.place <= 2)
        .group_by(ranked.c.grp, ranked.c.tender_id)
        .having(func.count() == 2)
        .subquery()
    )
    winner = aliased(Bid)
    values = (
        select(
            two.c.grp,
            two.c.key,
            floor_ratio(two.c.second - two.c.lowest, two.c.lowest).label("v"),
            two.c.lowest,
            two.c.second,
            two.c.second_org,
            winner.organisation_id.label("winner_org"),
            Tender.owner_organisation_id.label("buyer"),
            Tender.project_id,
        )
        .join(Tender, Tender.id == two.c.key)
        .join(winner, winner.id == Tender.recommended_bid_id)
        # Cardinal excludes a process whose winner is not the lowest valid bid.
        .where(type_coerce(winner.opened_price, BigInteger) == two.c.lowest)
        .subquery()
    )
    members = [_measured(row) for row in await uow.session.execute(with_percentiles(values, q1=25, q3=75))]
    s = uow.settings
    found = []
    for code, low, fixed in (("R024", True, s.red_flag_close_second_price_ratio), ("R058", False, s.red_flag_heavy_discount_ratio)):
        for m, fence in rules.outliers(members, low=low, fixed=fixed, settings=s):
            row = m.row
            winner_org, second_org = int(row.winner_org), int(row.second_org)
            numbers = {
                "gap": ratio_text(m.value),
                "winner_price": money(Decimal(int(row.lowest)) / 100),
                "second_price": money(Decimal(int(row.second)) / 100),
                "winner": names.get(winner_org, ""),
                "second": names.get(second_org, ""),
                **fence.numbers(),
            }
            concerned = (winner_org, second_org) if code == "R024" else (winner_org,)
            f = Found(
                code,
                "process",
                f"tender:{m.key}",
                year,
                m.group,
                numbers,
                tender_id=m.key,
                project_id=int(row.project_id),
                buyer_id=int(row.buyer),
                supplier_id=winner_org,
                suppliers=tuple(sorted(set(concerned))),
            )
            found.append(_process_subject(f, codes))
    return found


async def _win_ratio_flags(uow: UnitOfWork, prefix: str, year: int, names: dict[int, str]) -> list[Found]:
    """R025: top tenderers (valid bids at least the ``red_flag_top_tenderer_percentile``th
    percentile) whose ratio of wins to valid bids is a low outlier."""
    s = uow.settings
    decided = and_(_tenders_of(prefix, year), Tender.status.in_(DECIDED_STATUSES), Tender.recommended_bid_id.is_not(None))
    per = (
        select(
            Tender.region_code.label("grp"),
            Bid.organisation_id.label("key"),
            func.count().label("valid"),  # one bid per tenderer and tender (uq_bids_bidder)
            func.sum(case((Bid.id == Tender.recommended_bid_id, 1), else_=0)).label("wins"),
        )
        .join(Tender, Tender.id == Bid.tender_id)
        .where(decided, Bid.status.in_(VALID_BID_STATUSES))
        .group_by(Tender.region_code, Bid.organisation_id)
        .subquery()
    )
    ratios = select(per.c.grp, per.c.key, floor_ratio(per.c.wins, per.c.valid).label("v"), per.c.valid, per.c.wins).subquery()
    counts = select(per.c.grp, per.c.key, per.c.valid.label("v")).subquery()
    members = [_measured(row) for row in await uow.session.execute(with_percentiles(ratios, q1=25, q3=75))]
    if not members:
        return []
    top = {
        row.grp: _hundredths(row.top) for row in await uow.session.execute(with_percentiles(counts, top=s.red_flag_top_tenderer_percentile))
    }
    found = []
    for m, fence in rules.outliers(members, low=True, fixed=s.red_flag_unsuccessful_ratio, settings=s):
        valid = int(m.row.valid)
        if valid < top[m.group]:
            continue
        numbers = {
            "supplier": names.get(m.key, ""),
            "valid": valid,
            "wins": int(m.row.wins),
            "ratio": ratio_text(m.value),
            "percentile": s.red_flag_top_tenderer_percentile,
            "top": _number(top[m.group]),
            **fence.numbers(),
        }
        f = Found("R025", "supplier", f"supplier:{m.key}@{m.group}", year, m.group, numbers, supplier_id=m.key, suppliers=(m.key,))
        f.title = names.get(m.key, "")
        found.append(f)
    return found


def _number(value: Decimal) -> str:
    return str(value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize())


async def _disqualification_flags(uow: UnitOfWork, prefix: str, year: int, names: dict[int, str]) -> list[Found]:
    """R038, of buyers and of tenderers: the ratio of disqualified bids to bids submitted, in
    processes whose assessment is over, against the upper fence."""
    s = uow.settings
    assessed = and_(_tenders_of(prefix, year), Tender.status.in_(ASSESSED_STATUSES), Bid.opened_at.is_not(None))
    disqualified = func.sum(case((Bid.status == "disqualified", 1), else_=0))
    found = []
    for level, who, minimum in (
        ("buyer", Tender.owner_organisation_id, func.count(func.distinct(Bid.tender_id)) >= s.red_flag_minimum_processes),
        ("supplier", Bid.organisation_id, func.count() >= s.red_flag_minimum_submitted_bids),
    ):
        per = (
            select(Tender.region_code.label("grp"), who.label("key"), func.count().label("submitted"), disqualified.label("disqualified"))
            .join(Tender, Tender.id == Bid.tender_id)
            .where(assessed)
            .group_by(Tender.region_code, who)
            .having(minimum)
            .subquery()
        )
        values = select(per, floor_ratio(per.c.disqualified, per.c.submitted).label("v")).subquery()
        members = [_measured(row) for row in await uow.session.execute(with_percentiles(values, q1=25, q3=75))]
        for m, fence in rules.outliers(members, low=False, fixed=s.red_flag_disqualified_ratio, settings=s):
            numbers = {
                "name": names.get(m.key, ""),
                "submitted": int(m.row.submitted),
                "disqualified": int(m.row.disqualified),
                "ratio": ratio_text(m.value),
                **fence.numbers(),
            }
            ids = {"buyer_id": m.key} if level == "buyer" else {"supplier_id": m.key, "suppliers": (m.key,)}
            f = Found("R038", level, f"{level}:{m.key}@{m.group}", year, m.group, numbers, **ids)
            f.title = names.get(m.key, "")
            found.append(f)
    return found


def _contract_found(code: str, contract: Any, year: int, numbers: dict[str, Any]) -> Found:
    f = Found(
        code,
        "process",
        f"contract:{contract.contract_id}",
        year,
        contract.region_code,
        numbers,
        tender_id=contract.tender_id,
        contract_id=contract.contract_id,
        project_id=contract.project_id,
        buyer_id=contract.owner_organisation_id,
        supplier_id=contract.contractor_organisation_id,
        suppliers=(contract.contractor_organisation_id,),
    )
    f.title = contract.contract_code
    return f


_CONTRACT_COLUMNS = (
    Contract.id.label("contract_id"),
    Contract.code.label("contract_code"),
    Contract.region_code,
    Contract.tender_id,
    Contract.project_id,
    Contract.owner_organisation_id,
    Contract.contractor_organisation_id,
)


async def _early_payment_flags(uow: UnitOfWork, contracts: ColumnElement[bool], year: int | None) -> list[Found]:
    """SW01: payments made before the milestone (or the final acceptance) they pay for was
    accepted, of the contracts selected, paid in ``year`` (every year when None)."""
    stmt = (
        select(
            *_CONTRACT_COLUMNS,
            PaymentRequest.code,
            PaymentRequest.amount,
            PaymentRequest.paid_amount,
            PaymentRequest.paid_on,
            PaymentRequest.paid_at,
            PaymentRequest.trigger_on,
            ContractMilestone.name.label("milestone"),
            ContractMilestone.accepted_at,
            Contract.completed_at,
        )
        .join(PaymentTerm, PaymentTerm.id == PaymentRequest.term_id)
        .join(Contract, Contract.id == PaymentRequest.contract_id)
        .outerjoin(ContractMilestone, ContractMilestone.id == PaymentTerm.milestone_id)
        .where(
            contracts,
            PaymentRequest.status == "paid",
            PaymentRequest.trigger_on.in_(("milestone", "final_acceptance")),
            PaymentRequest.paid_on.is_not(None),
            PaymentRequest.paid_at.is_not(None),
        )
        .order_by(PaymentRequest.contract_id, PaymentRequest.paid_on, PaymentRequest.id)
    )
    if year is not None:
        stmt = stmt.where(PaymentRequest.paid_on >= date(year, 1, 1), PaymentRequest.paid_on <= date(year, 12, 31))
    early: dict[tuple[int, int], list[Payment]] = defaultdict(list)
    contract_of: dict[int, Any] = {}
    for row in await uow.session.execute(stmt):
        milestone = row.trigger_on == "milestone"
        payment = Payment(
            request=row.code,
            amount=row.paid_amount if row.paid_amount is not None else row.amount,
            paid_on=row.paid_on,
            paid_at=row.paid_at,
            trigger=row.trigger_on,
            basis_name=row.milestone if milestone else None,
            accepted_at=row.accepted_at if milestone else row.completed_at,
        )
        if rules.paid_early(payment):
            early[(row.contract_id, row.paid_on.year)].append(payment)
            contract_of[row.contract_id] = row
    return [
        _contract_found(
            "SW01", contract_of[contract_id], paid_year, rules.early_payment_numbers(contract_of[contract_id].contract_code, payments)
        )
        for (contract_id, paid_year), payments in sorted(early.items())
    ]


async def _far_check_in_flags(uow: UnitOfWork, contracts: ColumnElement[bool], year: int | None) -> list[Found]:
    """SW02: days a contract's log records work and every check-in of the contractor's people
    was far from the site, of the contracts selected, in ``year`` (every year when None)."""
    threshold = uow.settings.red_flag_check_in_distance_m
    window = []
    if year is not None:
        start, end = year_window(year)
        window = [CheckIn.checked_in_at >= start, CheckIn.checked_in_at < end]
    contractors = and_(contracts, User.organisation_id == Contract.contractor_organisation_id)
    seen = (
        select(CheckIn.contract_id, CheckIn.checked_in_at, CheckIn.distance_m)
        .join(Contract, Contract.id == CheckIn.contract_id)
        .join(User, User.id == CheckIn.user_id)
        .where(contractors, *window, CheckIn.distance_m.is_not(None))
    )
    far = list(await uow.session.execute(seen.where(CheckIn.distance_m > threshold)))
    if not far:
        return []
    candidates = sorted({row.contract_id for row in far})
    near = await uow.session.execute(seen.where(CheckIn.contract_id.in_(candidates), CheckIn.distance_m <= threshold))
    check_ins: dict[int, list[CheckInSeen]] = defaultdict(list)
    for row in (*far, *near):
        check_ins[row.contract_id].append(CheckInSeen(row.checked_in_at, row.distance_m))
    logs = select(DailyLog.contract_id, DailyLog.log_date).where(DailyLog.contract_id.in_(candidates), DailyLog.crew_count > 0)
    if year is not None:
        logs = logs.where(DailyLog.log_date >= date(year, 1, 1), DailyLog.log_date <= date(year, 12, 31))
    logged: dict[int, list[date]] = defaultdict(list)
    for row in await uow.session.execute(logs):
        logged[row.contract_id].append(row.log_date)
    details = {row.contract_id: row for row in await uow.session.execute(select(*_CONTRACT_COLUMNS).where(Contract.id.in_(candidates)))}
    found = []
    for contract_id in candidates:
        days = rules.far_days(logged.get(contract_id, ()), check_ins[contract_id], threshold)
        by_year: dict[int, list[tuple[date, float]]] = defaultdict(list)
        for day, distance in days:
            by_year[day.year].append((day, distance))
        for day_year, those in sorted(by_year.items()):
            if len(those) >= uow.settings.red_flag_far_check_in_days:
                contract = details[contract_id]
                numbers = rules.far_check_in_numbers(contract.contract_code, those, threshold)
                found.append(_contract_found("SW02", contract, day_year, numbers))
    return found


# -- storing what was found -------------------------------------------------------------------


@dataclass
class Settled:
    """What settling changed."""

    raised: int = 0
    reopened: int = 0
    updated: int = 0
    cleared: int = 0
    holding: int = 0

    @property
    def changes(self) -> int:
        return self.raised + self.reopened + self.updated + self.cleared


class _Recipients:
    """The auditors whose region covers a flag's, looked up once per region."""

    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow
        self.known: dict[str, list[int]] = {}

    async def of(self, region_code: str) -> list[int]:
        if region_code not in self.known:
            self.known[region_code] = await outbox.users_with_role_covering(self.uow, "auditor", region_code)
        return self.known[region_code]


async def _tell(uow: UnitOfWork, flag: RedFlag, title: str, recipients: _Recipients) -> None:
    numbers = rules.numbers_of(flag.numbers)
    outbox.record(
        uow,
        "red_flag.raised",
        "RedFlag",
        flag.id,
        {
            "flag": flag.code,
            "level": flag.level,
            "region": flag.region_code,
            "year": flag.year,
            "subject": title,
            "explanation_zh": rules.explanation(flag.code, flag.level, numbers, "zh-CN"),
            "explanation_en": rules.explanation(flag.code, flag.level, numbers, "en"),
        },
        await recipients.of(flag.region_code),
        region_code=flag.region_code,
    )


def _history(uow: UnitOfWork, flag: RedFlag, action: str, before: str | None) -> None:
    actor = uow.require_actor()
    uow.session.add(
        RedFlagStatusChange(
            flag_id=flag.id,
            from_status=before,
            to_status=flag.status,
            action=action,
            actor_id=actor.id,
            actor_name=actor.display_name,
            occurred_at=uow.now,
        )
    )


def _new_flag(found: Found, now: datetime) -> RedFlag:
    return RedFlag(
        code=found.code,
        level=found.level,
        subject=found.subject,
        year=found.year,
        region_code=found.region_code,
        tender_id=found.tender_id,
        contract_id=found.contract_id,
        project_id=found.project_id,
        buyer_organisation_id=found.buyer_id,
        supplier_organisation_id=found.supplier_id,
        numbers=found.numbers_json,
        status="open",
        raised_at=now,
        last_seen_at=now,
        updated_at=now,
    )


async def _insert(uow: UnitOfWork, rows: list[RedFlag]) -> bool:
    try:
        async with uow.session.begin_nested():
            uow.session.add_all(rows)
            await uow.session.flush()
    except IntegrityError:
        return False
    return True


async def _raise(uow: UnitOfWork, new: list[Found], recipients: _Recipients) -> int:
    """Store the flags found for the first time, all in one statement; should a concurrent
    computation have stored some of them first, one by one, leaving those to it."""
    if not new:
        return 0
    made = [(f, _new_flag(f, uow.now)) for f in new]
    if not await _insert(uow, [flag for _, flag in made]):
        made = []
        for f in new:
            flag = _new_flag(f, uow.now)
            if await _insert(uow, [flag]):
                made.append((f, flag))
    for found, flag in made:
        uow.session.add_all(RedFlagSupplier(flag_id=flag.id, organisation_id=organisation_id) for organisation_id in found.suppliers)
        _history(uow, flag, "raise", None)
        changes = {"code": found.code, "level": found.level, "subject": found.subject, "year": found.year, "numbers": found.numbers}
        uow.audit("RedFlag", flag.id, changes, region_code=flag.region_code, operation=uow.operation)
        await _tell(uow, flag, found.title, recipients)
    return len(made)


async def settle(uow: UnitOfWork, found: Sequence[Found], scope: ColumnElement[bool]) -> Settled:
    """Make the stored flags within ``scope`` what ``found`` says: raise the new ones, bring
    the numbers of the others up to date, clear those no longer found."""
    wanted = {f.key: f for f in found}
    rows = (await uow.session.execute(select(RedFlag).where(scope).order_by(RedFlag.id).with_for_update())).scalars().all()
    existing = {(r.code, r.subject, r.year): r for r in rows}
    links: dict[int, set[int]] = defaultdict(set)
    if rows:
        for flag_id, organisation_id in await uow.session.execute(
            select(RedFlagSupplier.flag_id, RedFlagSupplier.organisation_id).where(
                RedFlagSupplier.flag_id.in_(select(RedFlag.id).where(scope))
            )
        ):
            links[flag_id].add(organisation_id)
    recipients = _Recipients(uow)
    result = Settled()
    untouched: list[int] = []
    now = uow.now
    result.raised = await _raise(uow, [f for key, f in wanted.items() if key not in existing], recipients)
    for key, f in wanted.items():
        flag = existing.get(key)
        if flag is None:
            continue
        result.holding += 1
        touched = False
        new_numbers = f.numbers_json
        if flag.numbers != new_numbers:
            before = rules.numbers_of(flag.numbers)
            uow.audit("RedFlag", flag.id, {"numbers": {"before": before, "after": f.numbers}}, region_code=flag.region_code)
            flag.numbers = new_numbers
            result.updated += 1
            touched = True
        for attribute, value in (
            ("region_code", f.region_code),
            ("tender_id", f.tender_id),
            ("contract_id", f.contract_id),
            ("project_id", f.project_id),
            ("buyer_organisation_id", f.buyer_id),
            ("supplier_organisation_id", f.supplier_id),
        ):
            if getattr(flag, attribute) != value:
                setattr(flag, attribute, value)
                touched = True
        if flag.status == "cleared":
            action = "reinstate" if flag.acknowledged_at is not None else "reopen"
            RED_FLAG_LIFECYCLE.apply(uow, flag, action, RedFlagStatusChange, "flag_id")
            flag.cleared_at = None
            result.reopened += 1
            touched = True
            if action == "reopen":
                await _tell(uow, flag, f.title, recipients)
        have, should = links.get(flag.id, set()), set(f.suppliers)
        if have != should:
            if have - should:
                await uow.session.execute(
                    delete(RedFlagSupplier).where(
                        RedFlagSupplier.flag_id == flag.id, RedFlagSupplier.organisation_id.in_(sorted(have - should))
                    )
                )
            for organisation_id in sorted(should - have):
                uow.session.add(RedFlagSupplier(flag_id=flag.id, organisation_id=organisation_id))
        if touched:
            flag.last_seen_at = flag.updated_at = now
        else:
            untouched.append(flag.id)
    for key, flag in existing.items():
        if key not in wanted and flag.status != "cleared":
            RED_FLAG_LIFECYCLE.apply(uow, flag, "clear", RedFlagStatusChange, "flag_id")
            flag.cleared_at = now
            result.cleared += 1
    await uow.session.flush()
    for chunk in range(0, len(untouched), 500):
        await uow.session.execute(
            update(RedFlag)
            .where(RedFlag.id.in_(untouched[chunk : chunk + 500]))
            .values(last_seen_at=now)
            .execution_options(synchronize_session=False)
        )
    return result


# -- computing --------------------------------------------------------------------------------


async def recompute_region(uow: UnitOfWork, region_code: str, year: int) -> Settled:
    """Every rule over the processes, buyers, tenderers and contracts of a region (a province,
    city or county code covers what lies below it; fences are per county) and a year."""
    prefix = region_prefix(region_code)
    processes, names, codes = await _processes(uow, _tenders_of(prefix, year))
    found = [_process_subject(f, codes) for p in processes for f in rules.process_flags(p, names, uow.settings)]
    found += await _gap_flags(uow, prefix, year, names, codes)
    found += await _win_ratio_flags(uow, prefix, year, names)
    found += await _disqualification_flags(uow, prefix, year, names)
    contracts = code_range(Contract.region_code, prefix)
    found += await _early_payment_flags(uow, contracts, year)
    found += await _far_check_in_flags(uow, contracts, year)
    return await settle(uow, found, and_(code_range(RedFlag.region_code, prefix), RedFlag.year == year))


async def mark_stale(uow: UnitOfWork, region_code: str, year: int) -> None:
    """Something that changes the flags of a region and year has happened."""
    stale = (
        update(RedFlagRun)
        .where(RedFlagRun.region_code == region_code, RedFlagRun.year == year)
        .values(stale_since=func.coalesce(RedFlagRun.stale_since, uow.now))
    )
    if rowcount(await uow.session.execute(stale.execution_options(synchronize_session=False))):
        return
    try:
        async with uow.session.begin_nested():
            await uow.session.execute(insert(RedFlagRun).values(region_code=region_code, year=year, stale_since=uow.now))
    except IntegrityError:
        pass  # marked by a concurrent transaction


TENDER_EVENTS = (
    "tender.published",
    "tender.amended",
    "tender.cancelled",
    "tender.opened",
    "tender.failed",
    "tender.evaluated",
    "tender.objection_answered",
    "tender.awarded",
    "tender.final_quotes_opened",
)
CONTRACT_EVENTS = ("payment.paid", "milestone.accepted", "contract.completed", "progress.warning")


@reacts_to(*TENDER_EVENTS)
async def tender_changed(state: Any, subject_id: str, payload: dict[str, Any]) -> None:
    """A process changed: its region and year are computed again at the next scheduled run."""
    async with unit_of_work(state, "reaction.red_flags", SYSTEM_ACTOR, RequestMeta(request_id=f"red-flags-{payload.get('code')}")) as uow:
        tender = (
            await uow.session.execute(select(Tender.region_code, Tender.published_at).where(Tender.code == payload.get("code")))
        ).first()
        if tender is not None and tender.published_at is not None:
            await mark_stale(uow, tender.region_code, year_of(tender.published_at))


@reacts_to(*CONTRACT_EVENTS)
async def contract_changed(state: Any, subject_id: str, payload: dict[str, Any]) -> None:
    """A payment made, a milestone or the works accepted, a check-in outside the fence: the
    contract's region is computed again for this year (SW01, SW02)."""
    if payload.get("kind", "outside_geofence") != "outside_geofence":
        return  # the other warnings change no flag
    async with unit_of_work(state, "reaction.red_flags", SYSTEM_ACTOR, RequestMeta(request_id=f"red-flags-{payload.get('code')}")) as uow:
        region = (await uow.session.execute(select(Contract.region_code).where(Contract.code == payload.get("code")))).scalar_one_or_none()
        if region is not None:
            await mark_stale(uow, region, year_of(uow.now))


@scheduled
async def recompute_red_flags(uow: UnitOfWork, today: date) -> int:
    """The stale regions and years first (each at most once per
    ``red_flag_recompute_interval_seconds``), then the current and last year's once a day."""
    s = uow.settings
    midnight = datetime.combine(today, time(), SHANGHAI)
    settled_before = uow.now - timedelta(seconds=s.red_flag_recompute_interval_seconds)
    never = RedFlagRun.computed_at.is_(None)
    due = or_(
        and_(RedFlagRun.stale_since.is_not(None), or_(never, RedFlagRun.computed_at < settled_before)),
        and_(RedFlagRun.year >= today.year - 1, or_(never, RedFlagRun.computed_at < midnight)),
    )
    runs = [
        (row.id, row.region_code, row.year)
        for row in await uow.session.execute(
            select(RedFlagRun.id, RedFlagRun.region_code, RedFlagRun.year)
            .where(due)
            .order_by(RedFlagRun.stale_since.is_(None), RedFlagRun.computed_at.is_not(None), RedFlagRun.computed_at, RedFlagRun.id)
            .limit(s.red_flag_groups_per_run)
        )
    ]
    changed = 0

    async def run(group: tuple[int, str, int]) -> None:
        nonlocal changed
        run_id, region_code, year = group
        changed += (await recompute_region(uow, region_code, year)).changes
        await uow.session.execute(
            update(RedFlagRun)
            .where(RedFlagRun.id == run_id)
            .values(computed_at=uow.now, stale_since=case((RedFlagRun.stale_since <= uow.now, None), else_=RedFlagRun.stale_since))
            .execution_options(synchronize_session=False)
        )

    await each_apart(uow, runs, run, "red flags of a region and year")
    return changed


# -- acknowledging ----------------------------------------------------------------------------


def red_flag_actions(actor: Actor, flag: Any) -> list[str]:
    """An open flag of the actor's own region may be acknowledged (the gate decides who)."""
    if flag.status == "open" and flag.region_code.startswith(region_prefix(actor.region_code)):
        return ["acknowledge"]
    return []


async def acknowledge(uow: UnitOfWork, flag_id: int, comment: str | None) -> RedFlag:
    """An auditor has looked into a flag: what they found, in a comment (required)."""
    flag = await get_in_scope(uow, RedFlag, flag_id, lock=True, in_own_region=True)
    checks = Checks()
    comment = checks.text("comment", comment, 2000)
    checks.raise_if_any()
    if flag.status == "acknowledged":
        assert flag.acknowledged_at is not None
        by = flag.acknowledged_by_name or ""
        raise UserErrors(Problem("RED_FLAG_ALREADY_ACKNOWLEDGED", "id", {"by": by, "at": china_time(flag.acknowledged_at)}))
    RED_FLAG_LIFECYCLE.target("acknowledge", flag.status)
    actor = uow.require_actor()
    flag.acknowledged_at = uow.now
    flag.acknowledged_by_id = actor.id if actor.kind == "user" else None
    flag.acknowledged_by_name = actor.display_name
    flag.acknowledgement = comment
    RED_FLAG_LIFECYCLE.apply(uow, flag, "acknowledge", RedFlagStatusChange, "flag_id", comment)
    await uow.session.flush()
    return flag


# -- lists and counts -------------------------------------------------------------------------

GROUP_BY = ("code", "region", "year", "buyer", "supplier")


@dataclass(frozen=True)
class RedFlagFilter:
    codes: list[str] | None = None
    levels: list[str] | None = None
    statuses: list[str] | None = None
    region_code: str | None = None  # a province, city or county code covers what lies below it
    year: int | None = None
    buyer_id: int | None = None
    supplier_id: int | None = None
    tender_id: int | None = None


def _conditions(actor: Actor, wanted: RedFlagFilter | None) -> list[ColumnElement[bool]]:
    conditions = [scope_for(RedFlag)(actor)]
    if wanted is None:
        return conditions
    if wanted.codes:
        conditions.append(RedFlag.code.in_([c for c in wanted.codes if c in RED_FLAG_CODES]))
    if wanted.levels:
        conditions.append(RedFlag.level.in_([v for v in wanted.levels if v in RED_FLAG_LEVELS]))
    if wanted.statuses:
        conditions.append(RedFlag.status.in_([v for v in wanted.statuses if v in RED_FLAG_STATUSES]))
    if wanted.region_code is not None:
        code = printable(wanted.region_code.strip())
        if code is None or not REGION_RE.match(code):
            raise BadInput("INVALID_REGION_CODE")
        conditions.append(code_range(RedFlag.region_code, region_prefix(code)))
    if wanted.year is not None:
        conditions.append(RedFlag.year == wanted.year)
    if wanted.buyer_id is not None:
        conditions.append(RedFlag.buyer_organisation_id == wanted.buyer_id)
    if wanted.supplier_id is not None:
        conditions.append(
            or_(
                RedFlag.supplier_organisation_id == wanted.supplier_id,
                RedFlag.id.in_(select(RedFlagSupplier.flag_id).where(RedFlagSupplier.organisation_id == wanted.supplier_id)),
            )
        )
    if wanted.tender_id is not None:
        conditions.append(RedFlag.tender_id == wanted.tender_id)
    return conditions


def red_flags(actor: Actor, wanted: RedFlagFilter | None = None) -> ListQuery:
    """The flags the actor may see, latest raised first."""
    return ListQuery(select(RedFlag).where(*_conditions(actor, wanted)), [(RedFlag.raised_at, True), (RedFlag.id, True)])


def red_flag_counts(actor: Actor, wanted: RedFlagFilter | None, group_by: str) -> Select:
    """How many flags (in all and per status) per code, region, year, buyer or supplier, in
    one GROUP BY; rows ``key``, ``name`` (an organisation's), ``total``, ``open``,
    ``acknowledged``, ``cleared``, most flags first."""
    if group_by not in GROUP_BY:
        raise ValueError(f"cannot group red flags by {group_by!r}")
    per_status = [func.sum(case((RedFlag.status == status, 1), else_=0)).label(status) for status in RED_FLAG_STATUSES]
    total = func.count(RedFlag.id).label("total")
    conditions = _conditions(actor, wanted)
    if group_by in ("buyer", "supplier"):
        if group_by == "buyer":
            key: Any = RedFlag.buyer_organisation_id
            stmt = select(key.label("key"), Organisation.name.label("name"), total, *per_status).join(Organisation, Organisation.id == key)
        else:
            key = RedFlagSupplier.organisation_id
            stmt = (
                select(key.label("key"), Organisation.name.label("name"), total, *per_status)
                .join(RedFlagSupplier, RedFlagSupplier.flag_id == RedFlag.id)
                .join(Organisation, Organisation.id == key)
            )
        return stmt.where(*conditions).group_by(key, Organisation.name).order_by(total.desc(), key)
    key = {"code": RedFlag.code, "region": RedFlag.region_code, "year": RedFlag.year}[group_by]
    return select(key.label("key"), total, *per_status).where(*conditions).group_by(key).order_by(total.desc(), key)


# -- export -----------------------------------------------------------------------------------


def _export_rows_statement(actor: Actor, wanted: RedFlagFilter | None) -> Select:
    buyer, supplier = aliased(Organisation), aliased(Organisation)
    return (
        select(RedFlag, Tender.code.label("tender_code"), buyer.name.label("buyer_name"), supplier.name.label("supplier_name"))
        .outerjoin(Tender, Tender.id == RedFlag.tender_id)
        .outerjoin(buyer, buyer.id == RedFlag.buyer_organisation_id)
        .outerjoin(supplier, supplier.id == RedFlag.supplier_organisation_id)
        .where(*_conditions(actor, wanted))
    )


async def export_rows(session: Any, actor: Actor, wanted: RedFlagFilter | None, locale: str, batch: int = 500) -> AsyncIterator[list[Any]]:
    """The flags of ``red_flags`` as rows for a file, read in keyset batches (latest first)."""
    from resolvers.core.i18n import label

    after: tuple[datetime, int] | None = None
    while True:
        stmt = _export_rows_statement(actor, wanted)
        if after is not None:
            stmt = stmt.where(or_(RedFlag.raised_at < after[0], and_(RedFlag.raised_at == after[0], RedFlag.id < after[1])))
        rows = (await session.execute(stmt.order_by(RedFlag.raised_at.desc(), RedFlag.id.desc()).limit(batch))).all()
        for row in rows:
            flag = row[0]
            yield [
                flag.code,
                label("RedFlagCode", flag.code, locale),
                label("RedFlagLevel", flag.level, locale),
                flag.region_code,
                flag.year,
                row.tender_code,
                row.buyer_name,
                row.supplier_name,
                rules.explanation(flag.code, flag.level, rules.numbers_of(flag.numbers), locale),
                label("RedFlagStatus", flag.status, locale),
                flag.raised_at,
                flag.acknowledged_by_name,
                flag.acknowledged_at,
                flag.acknowledgement,
            ]
        if len(rows) < batch:
            return
        after = (rows[-1][0].raised_at, rows[-1][0].id)


def _parse_export(arguments: Any) -> dict[str, Any]:
    """The arguments of an export of the list, checked: ``codes``, ``levels``, ``statuses``
    (lists of values, in either case), ``regionCode`` (6 digits), ``year``."""
    if not isinstance(arguments, dict):
        raise BadInput("RED_FLAG_FILTER_INVALID", name="arguments")
    parsed: dict[str, Any] = {}
    for name, allowed, convert in (
        ("codes", RED_FLAG_CODES, str.upper),
        ("levels", RED_FLAG_LEVELS, str.lower),
        ("statuses", RED_FLAG_STATUSES, str.lower),
    ):
        value = arguments.get(name)
        if value is None:
            continue
        if not isinstance(value, list) or not all(isinstance(v, str) and convert(v) in allowed for v in value):
            raise BadInput("RED_FLAG_FILTER_INVALID", name=name)
        parsed[name] = sorted({convert(v) for v in value})
    region = arguments.get("regionCode")
    if region is not None:
        if not isinstance(region, str) or not REGION_RE.match(region):
            raise BadInput("INVALID_REGION_CODE")
        parsed["regionCode"] = region
    year = arguments.get("year")
    if year is not None:
        if not isinstance(year, int) or isinstance(year, bool) or not 2000 <= year <= 2100:
            raise BadInput("RED_FLAG_FILTER_INVALID", name="year")
        parsed["year"] = year
    unknown = sorted(set(arguments) - {"codes", "levels", "statuses", "regionCode", "year"})
    if unknown:
        raise BadInput("RED_FLAG_FILTER_INVALID", name=unknown[0])
    return parsed


def _filter_of(arguments: Any) -> RedFlagFilter:
    return RedFlagFilter(
        codes=arguments.get("codes"),
        levels=arguments.get("levels"),
        statuses=arguments.get("statuses"),
        region_code=arguments.get("regionCode"),
        year=arguments.get("year"),
    )


def _register_export() -> None:
    from resolvers.supervision.sources import Column, ExportSource, export_source

    columns = (
        Column("code", ("代码", "Code")),
        Column("flag", ("预警类型", "Flag")),
        Column("level", ("层级", "Level")),
        Column("region", ("行政区划", "Region")),
        Column("year", ("年度", "Year"), "integer"),
        Column("tender", ("招标编号", "Tender")),
        Column("buyer", ("采购人", "Buyer")),
        Column("supplier", ("供应商", "Supplier")),
        Column("explanation", ("说明", "Explanation")),
        Column("status", ("状态", "Status")),
        Column("raised_at", ("发现时间", "Raised"), "datetime"),
        Column("acknowledged_by", ("确认人", "Acknowledged by")),
        Column("acknowledged_at", ("确认时间", "Acknowledged"), "datetime"),
        Column("acknowledgement", ("确认意见", "Comment")),
    )

    async def rows(ctx: Any, arguments: Any) -> AsyncIterator[Sequence[Any]]:
        async for row in export_rows(ctx.session, ctx.actor, _filter_of(arguments), ctx.locale):
            yield row

    async def total(ctx: Any, arguments: Any) -> int:
        stmt = select(func.count()).select_from(RedFlag).where(*_conditions(ctx.actor, _filter_of(arguments)))
        return int((await ctx.session.execute(stmt)).scalar_one())

    export_source(
        ExportSource(
            name="list.red_flags",
            operation="Query.redFlags",
            title=("风险预警", "Red flags"),
            columns=lambda arguments: columns,
            parse=_parse_export,
            rows=rows,
            total=total,
        )
    )


_register_export()
