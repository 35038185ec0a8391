"""Reminders of a contract's key dates: the advance payment due, each milestone's planned
date, the end of the works period and the end of the defect liability period. Each goes to
the parties' people a number of days ahead (settings ``contract_remind_*_days``), once per
date and person however often the rule runs; a date moved by an amendment is a new date and
is reminded again. And a tender awarded longer than ``contract_draft_days`` ago without a
contract is a warning to its owner's staff and the region's auditors, once."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from sqlalchemy import select

from models.contracts import Contract, ContractMilestone, PaymentTerm
from models.notifications import ReminderSent
from models.tendering import Tender
from resolvers.contracts import events
from resolvers.core import outbox
from resolvers.core.clock import today_in_china
from resolvers.core.context import UnitOfWork
from resolvers.core.jobs import reminder

RULE = "contract_key_date"


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (the month's last day when it has fewer days)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return date(year, month, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def defect_period_end(contract: Contract) -> date | None:
    if contract.completed_at is None:
        return None
    return add_months(today_in_china(contract.completed_at), contract.defect_liability_months)


async def _not_yet_reminded(uow: UnitOfWork, rule: str, subject: str, due: date, recipients: list[int]) -> list[int]:
    already = set(
        (
            await uow.session.execute(
                select(ReminderSent.user_id).where(
                    ReminderSent.rule == rule, ReminderSent.subject_id == subject, ReminderSent.due_date == due
                )
            )
        ).scalars()
    )
    return [u for u in recipients if u not in already]


def _sent(uow: UnitOfWork, rule: str, subject: str, due: date, users: list[int], event_id: int) -> None:
    for user_id in users:
        uow.session.add(ReminderSent(rule=rule, subject_id=subject, due_date=due, user_id=user_id, event_id=event_id, sent_at=uow.now))


async def _remind(uow: UnitOfWork, contract: Contract, what: str, subject: str, due: date, today: date, parties: list[str]) -> int:
    fresh = await _not_yet_reminded(uow, RULE, subject, due, await events.people_of(uow, contract, parties))
    if not fresh:
        return 0
    event = events.record(uow, "contract.reminder", contract, fresh, what=what, due=due.isoformat(), days=(due - today).days)
    await uow.session.flush()
    _sent(uow, RULE, subject, due, fresh, event.id)
    await uow.session.flush()
    return len(fresh)


def _within(today: date, due: date | None, days_before: int) -> bool:
    return due is not None and 0 <= (due - today).days <= days_before


@reminder
async def remind_contract_key_dates(uow: UnitOfWork, today: date) -> int:
    s = uow.settings
    sent = 0
    live = list((await uow.session.execute(select(Contract).where(Contract.status.in_(("active", "completed"))))).scalars())
    by_id = {c.id: c for c in live}
    active = [c.id for c in live if c.status == "active"]
    if active:
        terms: Iterable[PaymentTerm] = (
            await uow.session.execute(
                select(PaymentTerm).where(PaymentTerm.contract_id.in_(active), PaymentTerm.status == "due", PaymentTerm.due_on.is_not(None))
            )
        ).scalars()
        for term in list(terms):
            if _within(today, term.due_on, s.contract_remind_advance_days):
                assert term.due_on is not None
                contract = by_id[term.contract_id]
                sent += await _remind(uow, contract, "advance_payment", f"term:{term.id}", term.due_on, today, ["owner", "contractor"])
        milestones = (
            await uow.session.execute(
                select(ContractMilestone).where(
                    ContractMilestone.contract_id.in_(active), ContractMilestone.status.in_(("planned", "in_progress"))
                )
            )
        ).scalars()
        for m in list(milestones):
            if _within(today, m.planned_date, s.contract_remind_milestone_days):
                contract = by_id[m.contract_id]
                sent += await _remind(
                    uow, contract, "milestone", f"milestone:{m.id}", m.planned_date, today, ["owner", "contractor", "supervisor"]
                )
    for contract in live:
        if contract.status == "active" and _within(today, contract.works_end, s.contract_remind_works_end_days):
            sent += await _remind(
                uow, contract, "works_end", f"works_end:{contract.id}", contract.works_end, today, ["owner", "contractor", "supervisor"]
            )
        end = defect_period_end(contract)
        if contract.status == "completed" and end is not None and _within(today, end, s.contract_remind_defect_end_days):
            sent += await _remind(uow, contract, "defect_end", f"defect_end:{contract.id}", end, today, ["owner", "contractor"])
    return sent


@reminder
async def remind_contracts_not_drafted(uow: UnitOfWork, today: date) -> int:
    """An awarded tender whose contract is not drafted ``contract_draft_days`` after the award."""
    limit = uow.settings.contract_draft_days
    live = select(Contract.tender_id).where(Contract.active_for_tender.is_not(None))
    tenders = (
        await uow.session.execute(select(Tender).where(Tender.status == "awarded", Tender.awarded_at.is_not(None), Tender.id.not_in(live)))
    ).scalars()
    sent = 0
    for tender in list(tenders):
        assert tender.awarded_at is not None
        due = today_in_china(tender.awarded_at) + timedelta(days=limit)
        if today <= due:
            continue
        recipients = await outbox.staff_of(uow, tender.owner_organisation_id, "owner_staff")
        recipients += await outbox.users_with_role_covering(uow, "auditor", tender.region_code)
        fresh = await _not_yet_reminded(uow, "contract_not_drafted", str(tender.id), due, sorted(set(recipients)))
        if not fresh:
            continue
        event = outbox.record(
            uow,
            "contract.not_drafted",
            "Tender",
            tender.id,
            {"code": tender.code, "title": tender.title, "days": (today - today_in_china(tender.awarded_at)).days, "limit": limit},
            fresh,
            organisation_ids=[tender.owner_organisation_id],
            region_code=tender.region_code,
        )
        await uow.session.flush()
        _sent(uow, "contract_not_drafted", str(tender.id), due, fresh, event.id)
        sent += len(fresh)
    await uow.session.flush()
    return sent
