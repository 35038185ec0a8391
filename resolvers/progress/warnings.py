"""Warnings (预警): rules that look at the works and raise a warning once per occurrence.

Each warning has a kind, a severity, the subject it is about and the numbers behind it (from
which its explanation is written in either language). It is raised once per occurrence — the
unique ``(contract, kind, occurrence)`` makes a second raise of the same thing a no-op, on
every backend and under concurrent runs — and told to the owner's staff and the supervisor.
People acknowledge it, then resolve it with a comment.

Time-based rules run with the scheduled jobs (``@scheduled``: every minute in the worker and
the embedded loop); the geofence rule runs when a check-in or photo is flagged.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from models.contracts import Contract, ContractMilestone
from models.progress import DailyLog, ProgressWarning, Rectification, WarningStatusChange
from models.projects import Project
from resolvers.contracts import events as contract_events
from resolvers.contracts.service import party_of
from resolvers.core.context import UnitOfWork
from resolvers.core.errors import Forbidden
from resolvers.core.jobs import each_apart, scheduled
from resolvers.core.lifecycle import StateMachine, Transition
from resolvers.core.scoped import get_in_scope
from resolvers.core.validation import Checks
from resolvers.core.workdays import add_working_days, is_working_day

WARNING_LIFECYCLE = StateMachine(
    "ProgressWarning",
    [Transition("acknowledge", {"open"}, "acknowledged"), Transition("resolve", {"open", "acknowledged"}, "resolved")],
    statuses="WarningStatus",
    actions="WarningAction",
)
SEVERITY = {
    "milestone_overdue": "high",
    "no_daily_log": "medium",
    "outside_geofence": "medium",
    "rectification_overdue": "high",
    "works_ending": "medium",
}


async def raise_warning(
    uow: UnitOfWork, contract: Contract, kind: str, occurrence: str, subject: tuple[str, int], details: dict[str, Any]
) -> ProgressWarning | None:
    """Raise a warning unless this occurrence was raised before (whatever became of it).
    Returns the new warning, or None."""
    exists = (
        await uow.session.execute(
            select(ProgressWarning.id).where(
                ProgressWarning.contract_id == contract.id, ProgressWarning.kind == kind, ProgressWarning.occurrence == occurrence
            )
        )
    ).scalar_one_or_none()
    if exists is not None:
        return None
    warning = ProgressWarning(
        contract_id=contract.id,
        region_code=contract.region_code,
        kind=kind,
        severity=SEVERITY[kind],
        occurrence=occurrence,
        subject_type=subject[0],
        subject_id=subject[1],
        details=json.dumps(details, ensure_ascii=False, sort_keys=True),
        status="open",
        raised_at=uow.now,
        updated_at=uow.now,
    )
    try:
        async with uow.session.begin_nested():  # a concurrent run that raised it first wins quietly
            uow.session.add(warning)
            await uow.session.flush()
    except IntegrityError:
        return None
    recipients = await contract_events.people_of(uow, contract, ["owner", "supervisor"])
    contract_events.record(uow, "progress.warning", contract, recipients, kind=kind, severity=warning.severity, warning_id=warning.id)
    uow.audit("ProgressWarning", warning.id, {"kind": kind, "occurrence": occurrence, "details": details}, region_code=contract.region_code)
    return warning


# -- acknowledging and resolving -------------------------------------------------------------


async def _own(uow: UnitOfWork, warning_id: int) -> tuple[ProgressWarning, Contract]:
    warning = await get_in_scope(uow, ProgressWarning, warning_id, lock=True)
    contract = await uow.session.get(Contract, warning.contract_id)
    assert contract is not None
    if party_of(uow.require_actor(), contract) not in ("owner", "supervisor"):
        raise Forbidden("NOT_FOR_YOUR_PARTY", operation=uow.operation)
    return warning, contract


async def acknowledge(uow: UnitOfWork, warning_id: int) -> ProgressWarning:
    warning, _ = await _own(uow, warning_id)
    if not WARNING_LIFECYCLE.allows("acknowledge", warning.status):
        WARNING_LIFECYCLE.target("acknowledge", warning.status)
    actor = uow.require_actor()
    warning.acknowledged_at, warning.acknowledged_by = uow.now, actor.display_name
    WARNING_LIFECYCLE.apply(uow, warning, "acknowledge", WarningStatusChange, "warning_id")
    await uow.session.flush()
    return warning


async def resolve(uow: UnitOfWork, warning_id: int, comment: str | None) -> ProgressWarning:
    warning, _ = await _own(uow, warning_id)
    if not WARNING_LIFECYCLE.allows("resolve", warning.status):
        WARNING_LIFECYCLE.target("resolve", warning.status)
    checks = Checks()
    comment = checks.text("comment", comment, 2000)
    checks.raise_if_any()
    actor = uow.require_actor()
    warning.resolved_at, warning.resolved_by, warning.resolution = uow.now, actor.display_name, comment
    WARNING_LIFECYCLE.apply(uow, warning, "resolve", WarningStatusChange, "warning_id", comment)
    await uow.session.flush()
    return warning


# -- the rules ---------------------------------------------------------------------------------


async def _active(uow: UnitOfWork) -> list[Contract]:
    return list((await uow.session.execute(select(Contract).where(Contract.status == "active"))).scalars())


@scheduled
async def warn_of_overdue_milestones(uow: UnitOfWork, today: date) -> int:
    """A milestone whose planned date has passed and that is not accepted."""
    contracts = {c.id: c for c in await _active(uow)}
    if not contracts:
        return 0
    late = (
        await uow.session.execute(
            select(ContractMilestone).where(
                ContractMilestone.contract_id.in_(contracts), ContractMilestone.planned_date < today, ContractMilestone.status != "accepted"
            )
        )
    ).scalars()
    raised = []

    async def act(m: ContractMilestone) -> None:
        details = {"milestone": m.code, "name": m.name, "planned": m.planned_date.isoformat(), "days": (today - m.planned_date).days}
        raised.append(
            await raise_warning(
                uow, contracts[m.contract_id], "milestone_overdue", f"{m.id}:{m.planned_date}", ("ContractMilestone", m.id), details
            )
        )

    await each_apart(uow, list(late), act, "milestone overdue warning")
    return sum(1 for w in raised if w is not None)


@scheduled
async def warn_of_missing_logs(uow: UnitOfWork, today: date) -> int:
    """Works under way (a milestone in progress) with no daily log for
    ``progress_log_gap_working_days`` working days: once per gap (its last log)."""
    gap = uow.settings.progress_log_gap_working_days
    contracts = {c.id: c for c in await _active(uow)}
    if not contracts:
        return 0
    under_way = set(
        (
            await uow.session.execute(
                select(ContractMilestone.contract_id).where(
                    ContractMilestone.contract_id.in_(contracts), ContractMilestone.status.in_(("in_progress", "submitted", "rejected"))
                )
            )
        ).scalars()
    )
    last = dict(
        (
            await uow.session.execute(
                select(DailyLog.contract_id, func.max(DailyLog.log_date))
                .where(DailyLog.contract_id.in_(under_way))
                .group_by(DailyLog.contract_id)
            )
        ).all()
    )
    raised = []

    async def act(contract_id: int) -> None:
        contract = contracts[contract_id]
        since = last.get(contract_id) or contract.works_start - timedelta(days=1)
        if add_working_days(since, gap) >= today or not is_working_day(today):
            return
        details = {"since": since.isoformat(), "working_days": gap}
        raised.append(await raise_warning(uow, contract, "no_daily_log", f"since:{since}", ("Contract", contract_id), details))

    await each_apart(uow, sorted(under_way), act, "missing daily log warning")
    return sum(1 for w in raised if w is not None)


@scheduled
async def warn_of_overdue_rectifications(uow: UnitOfWork, today: date) -> int:
    """A rectification past its due date and not closed."""
    contracts = {c.id: c for c in await _active(uow)}
    if not contracts:
        return 0
    late = (
        await uow.session.execute(
            select(Rectification).where(
                Rectification.contract_id.in_(contracts), Rectification.due_date < today, Rectification.status != "closed"
            )
        )
    ).scalars()
    raised = []

    async def act(r: Rectification) -> None:
        details = {"item": r.description, "due": r.due_date.isoformat(), "days": (today - r.due_date).days}
        raised.append(
            await raise_warning(
                uow, contracts[r.contract_id], "rectification_overdue", f"{r.id}:{r.due_date}", ("Rectification", r.id), details
            )
        )

    await each_apart(uow, list(late), act, "overdue rectification warning")
    return sum(1 for w in raised if w is not None)


@scheduled
async def warn_of_works_ending(uow: UnitOfWork, today: date) -> int:
    """The works period ends within ``progress_works_ending_days`` with milestones outstanding."""
    days = uow.settings.progress_works_ending_days
    contracts = [c for c in await _active(uow) if 0 <= (c.works_end - today).days <= days]
    if not contracts:
        return 0
    outstanding = dict(
        (
            await uow.session.execute(
                select(ContractMilestone.contract_id, func.count(ContractMilestone.id))
                .where(ContractMilestone.contract_id.in_([c.id for c in contracts]), ContractMilestone.status != "accepted")
                .group_by(ContractMilestone.contract_id)
            )
        ).all()
    )
    raised = []

    async def act(contract: Contract) -> None:
        if not outstanding.get(contract.id):
            return
        details = {
            "works_end": contract.works_end.isoformat(),
            "outstanding": outstanding[contract.id],
            "days": (contract.works_end - today).days,
        }
        raised.append(await raise_warning(uow, contract, "works_ending", f"end:{contract.works_end}", ("Contract", contract.id), details))

    await each_apart(uow, contracts, act, "works ending warning")
    return sum(1 for w in raised if w is not None)


async def warn_outside_geofence(
    uow: UnitOfWork, contract: Contract, what: str, row_id: int, distance: float | None, flags: list[str]
) -> None:
    """When it happens: a check-in or photo outside the site's fence."""
    project = await uow.session.get(Project, contract.project_id)
    radius = project.geofence_radius_m if project is not None else None
    details = {"what": what, "distance_m": round(distance) if distance is not None else None, "radius_m": radius}
    subject = ("CheckIn" if what == "check_in" else "SitePhoto", row_id)
    await raise_warning(uow, contract, "outside_geofence", f"{what}:{row_id}", subject, details)


def explanation(kind: str, details: dict[str, Any], locale: str) -> str:
    """What raised a warning, with its numbers, in ``locale``."""
    from resolvers.core.i18n import Label, translate

    params: dict[str, Any] = {k: "" if v is None else v for k, v in details.items()}
    if "what" in params:
        params["what"] = Label("ProgressRecord", params["what"])
    return translate(f"WARNING_{kind.upper()}", locale, **params)
