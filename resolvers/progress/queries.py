"""Daily logs and check-ins as lists, narrowed to the caller's row scope and filters
(``schema.progress`` pages them)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from models.progress import CheckIn, ChecklistTemplate, DailyLog, Inspection, ProgressWarning, Rectification
from policies.scope import scope_for
from resolvers.core.context import Actor
from resolvers.core.pagination import ListQuery


def daily_logs(actor: Actor, contract_id: int | None = None, since: date | None = None, until: date | None = None) -> ListQuery:
    stmt = select(DailyLog).where(scope_for(DailyLog)(actor))
    if contract_id is not None:
        stmt = stmt.where(DailyLog.contract_id == contract_id)
    if since is not None:
        stmt = stmt.where(DailyLog.log_date >= since)
    if until is not None:
        stmt = stmt.where(DailyLog.log_date <= until)
    return ListQuery(stmt, [(DailyLog.log_date, True), (DailyLog.id, True)])


def check_ins(actor: Actor, contract_id: int | None = None, flagged_only: bool = False) -> ListQuery:
    stmt = select(CheckIn).where(scope_for(CheckIn)(actor))
    if contract_id is not None:
        stmt = stmt.where(CheckIn.contract_id == contract_id)
    if flagged_only:
        stmt = stmt.where(CheckIn.flags != "[]")
    return ListQuery(stmt, [(CheckIn.checked_in_at, True), (CheckIn.id, True)])


def checklist_templates(actor: Actor, category: str | None = None, all_versions: bool = False) -> ListQuery:
    stmt = select(ChecklistTemplate).where(scope_for(ChecklistTemplate)(actor))
    if category is not None:
        stmt = stmt.where(ChecklistTemplate.category == category)
    if not all_versions:
        stmt = stmt.where(ChecklistTemplate.is_latest.is_(True))
    return ListQuery(stmt, [(ChecklistTemplate.id, True)])


def inspections(actor: Actor, contract_id: int | None = None) -> ListQuery:
    stmt = select(Inspection).where(scope_for(Inspection)(actor))
    if contract_id is not None:
        stmt = stmt.where(Inspection.contract_id == contract_id)
    return ListQuery(stmt, [(Inspection.inspected_at, True), (Inspection.id, True)])


def rectifications(actor: Actor, contract_id: int | None = None, status: list[str] | None = None) -> ListQuery:
    stmt = select(Rectification).where(scope_for(Rectification)(actor))
    if contract_id is not None:
        stmt = stmt.where(Rectification.contract_id == contract_id)
    if status:
        stmt = stmt.where(Rectification.status.in_(status))
    return ListQuery(stmt, [(Rectification.due_date, False), (Rectification.id, False)])


def warnings(actor: Actor, contract_id: int | None = None, status: list[str] | None = None, kind: list[str] | None = None) -> ListQuery:
    stmt = select(ProgressWarning).where(scope_for(ProgressWarning)(actor))
    if contract_id is not None:
        stmt = stmt.where(ProgressWarning.contract_id == contract_id)
    if status:
        stmt = stmt.where(ProgressWarning.status.in_(status))
    if kind:
        stmt = stmt.where(ProgressWarning.kind.in_(kind))
    return ListQuery(stmt, [(ProgressWarning.raised_at, True), (ProgressWarning.id, True)])
