"""Quality (质量检查): checklists per project category, the supervisor's inspections against
them, and the rectifications (整改) that failed items open.

A checklist is versioned like a tender template: editing adds a version, and an inspection
keeps the version it was run against. An inspection answers every item of its checklist
exactly once, pass or fail, with remarks and the site photos that show it (an item that
requires a photo needs at least one). Each failed item opens a rectification for the
contractor with a due date: open → responded (the contractor's evidence) → closed (the
supervisor is satisfied), or back to open. A milestone cannot be accepted while a
rectification of an inspection of it is not closed.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select

from models.contracts import ContractMilestone
from models.progress import ChecklistTemplate, Inspection, InspectionItem, Rectification, RectificationStatusChange, SitePhoto
from models.projects import PROJECT_CATEGORIES, Project
from resolvers.core.clock import today_in_china
from resolvers.core.context import UnitOfWork
from resolvers.core.errors import Forbidden, Problem, UserErrors
from resolvers.core.i18n import Label
from resolvers.core.lifecycle import StateMachine, Transition
from resolvers.core.scoped import get_in_scope
from resolvers.core.validation import Checks
from resolvers.progress import events
from resolvers.progress.service import _contract_in_force, _require_party

RECTIFICATION_LIFECYCLE = StateMachine(
    "Rectification",
    [
        Transition("respond", {"open"}, "responded"),
        Transition("close", {"responded"}, "closed"),
        Transition("reopen", {"responded"}, "open"),
    ],
)
KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
MAX_ITEMS = 100
MAX_PHOTOS = 20


# -- checklists ------------------------------------------------------------------------------


@dataclass
class ItemData:
    key: str
    description: str | None
    photo_required: bool = False


def _require_keeper(uow: UnitOfWork) -> None:
    actor = uow.require_actor()
    if not actor.roles & {"platform_admin", "supervisor"}:
        raise Forbidden("NOT_A_CHECKLIST_KEEPER", operation=uow.operation)


def _items(checks: Checks, items: list[ItemData]) -> list[dict]:
    if not items:
        checks.add("ITEMS_REQUIRED", "items")
    if len(items) > MAX_ITEMS:
        checks.add("TOO_MANY_ENTRIES", "items", max=MAX_ITEMS)
        return []
    seen: set[str] = set()
    result = []
    for i, item in enumerate(items):
        if not KEY_RE.match(item.key or ""):
            checks.add("INVALID_ITEM_KEY", f"items.{i}.key")
        elif item.key in seen:
            checks.add("DUPLICATE_ITEM_KEY", f"items.{i}.key", ref=item.key)
        seen.add(item.key)
        description = checks.text(f"items.{i}.description", item.description, 500)
        result.append({"key": item.key, "description": description, "photo_required": bool(item.photo_required)})
    return result


async def create_template(uow: UnitOfWork, category: str, name: str | None, items: list[ItemData]) -> ChecklistTemplate:
    _require_keeper(uow)
    checks = Checks()
    if category not in PROJECT_CATEGORIES:
        checks.add("INVALID_CATEGORY", "category")
    name = checks.text("name", name, 200)
    rows = _items(checks, items)
    checks.raise_if_any()
    actor = uow.require_actor()
    template = ChecklistTemplate(
        category=category, name=name, items=json.dumps(rows, ensure_ascii=False), created_by_id=actor.id, created_at=uow.now
    )
    uow.session.add(template)
    await uow.session.flush()
    template.family_id = template.id
    await uow.session.flush()
    uow.audit("ChecklistTemplate", template.id, {"category": category, "name": name, "items": rows}, region_code=None)
    return template


async def update_template(uow: UnitOfWork, template_id: int, name: str | None, items: list[ItemData] | None) -> ChecklistTemplate:
    """A new version of a template (its latest version only); inspections keep theirs."""
    _require_keeper(uow)
    current = await get_in_scope(uow, ChecklistTemplate, template_id, lock=True)
    if not current.is_latest:
        raise UserErrors(Problem("TEMPLATE_NOT_LATEST", None))
    checks = Checks()
    new_name = checks.text("name", name, 200) if name is not None else current.name
    rows = _items(checks, items) if items is not None else json.loads(current.items)
    checks.raise_if_any()
    current.is_latest = False
    await uow.session.flush()
    actor = uow.require_actor()
    template = ChecklistTemplate(
        family_id=current.family_id,
        version=current.version + 1,
        category=current.category,
        name=new_name,
        items=json.dumps(rows, ensure_ascii=False),
        created_by_id=actor.id,
        created_at=uow.now,
    )
    uow.session.add(template)
    await uow.session.flush()
    uow.audit("ChecklistTemplate", template.id, {"version": template.version, "name": new_name, "items": rows}, region_code=None)
    return template


# -- inspections -----------------------------------------------------------------------------


@dataclass
class Answer:
    key: str
    passed: bool
    remarks: str | None = None
    photo_ids: list[int] = field(default_factory=list)


async def _photos_of(uow: UnitOfWork, checks: Checks, where: str, contract_id: int, ids: list[int]) -> list[int]:
    if len(ids) > MAX_PHOTOS:
        checks.add("TOO_MANY_ENTRIES", where, max=MAX_PHOTOS)
        return []
    if not ids:
        return []
    found = set(
        (await uow.session.execute(select(SitePhoto.id).where(SitePhoto.id.in_(ids), SitePhoto.contract_id == contract_id))).scalars()
    )
    if set(ids) - found:
        checks.add("PHOTO_NOT_OF_CONTRACT", where)
    return sorted(set(ids))


async def record_inspection(
    uow: UnitOfWork,
    contract_id: int,
    milestone_id: int | None,
    template_id: int,
    answers: list[Answer],
    note: str | None,
    rectification_due: date | None = None,
) -> Inspection:
    """The supervisor's inspection of a contract in force (of one of its milestones, when
    named): every item of the checklist answered once. Each failed item opens a rectification
    for the contractor, due ``rectification_due`` or ``progress_rectification_days`` from today."""
    contract = await _contract_in_force(uow, contract_id, lock=True)
    _require_party(uow, contract, "supervisor")
    template = await get_in_scope(uow, ChecklistTemplate, template_id)
    checks = Checks()
    project = await uow.session.get(Project, contract.project_id)
    assert project is not None
    if template.category != project.category:
        checks.add("TEMPLATE_OF_ANOTHER_CATEGORY", "templateId", category=Label("ProjectCategory", template.category))
    milestone = None
    if milestone_id is not None:
        milestone = await uow.session.get(ContractMilestone, milestone_id)
        if milestone is None or milestone.contract_id != contract.id:
            checks.add("MILESTONE_NOT_OF_CONTRACT", "milestoneId")
    items = json.loads(template.items)
    by_key = {a.key: a for a in answers}
    if len(by_key) != len(answers):
        checks.add("DUPLICATE_ITEM_KEY", "answers", ref="")
    unknown = sorted(set(by_key) - {i["key"] for i in items})
    for key in unknown:
        checks.add("UNKNOWN_CHECKLIST_ITEM", "answers", ref=key)
    for item in items:
        if item["key"] not in by_key:
            checks.add("ITEM_NOT_ANSWERED", "answers", ref=item["key"])
    today = today_in_china(uow.now)
    due = rectification_due or today + timedelta(days=uow.settings.progress_rectification_days)
    if due < today:
        checks.add("DUE_DATE_IN_PAST", "rectificationDue")
    note = checks.text("note", note, 5000, required=False) or ""
    answered: list[tuple[dict, Answer, list[int], str]] = []
    for i, item in enumerate(items):
        answer = by_key.get(item["key"])
        if answer is None:
            continue
        photos = await _photos_of(uow, checks, f"answers.{i}.photoIds", contract.id, answer.photo_ids)
        if item["photo_required"] and not photos:
            checks.add("PHOTO_REQUIRED", f"answers.{i}.photoIds", ref=item["key"])
        remarks = checks.text(f"answers.{i}.remarks", answer.remarks, 2000, required=not answer.passed) or ""
        answered.append((item, answer, photos, remarks))
    checks.raise_if_any()
    actor = uow.require_actor()
    inspection = Inspection(
        contract_id=contract.id,
        milestone_id=milestone.id if milestone is not None else None,
        template_id=template.id,
        region_code=contract.region_code,
        inspector_id=actor.id,
        inspector_name=actor.display_name,
        note=note,
        failed_items=sum(1 for _, a, _, _ in answered if not a.passed),
        inspected_at=uow.now,
    )
    uow.session.add(inspection)
    await uow.session.flush()
    opened: list[Rectification] = []
    for sequence, (item, answer, photos, remarks) in enumerate(answered, start=1):
        row = InspectionItem(
            inspection_id=inspection.id,
            contract_id=contract.id,
            sequence=sequence,
            key=item["key"],
            description=item["description"],
            photo_required=item["photo_required"],
            passed=answer.passed,
            remarks=remarks,
            photo_ids=json.dumps(photos),
        )
        uow.session.add(row)
        await uow.session.flush()
        if not answer.passed:
            rectification = Rectification(
                contract_id=contract.id,
                milestone_id=inspection.milestone_id,
                inspection_item_id=row.id,
                region_code=contract.region_code,
                status="open",
                description=f"{item['description']}：{remarks}",
                due_date=due,
                created_at=uow.now,
                updated_at=uow.now,
            )
            uow.session.add(rectification)
            opened.append(rectification)
    await uow.session.flush()
    uow.audit(
        "Inspection",
        inspection.id,
        {"template": template.id, "failed": [r.description for r in opened], "milestone": inspection.milestone_id},
        region_code=contract.region_code,
    )
    if opened:
        await events.inspection_failed(uow, contract, inspection, len(opened), due)
    return inspection


# -- rectifications --------------------------------------------------------------------------


async def _rectification(uow: UnitOfWork, rectification_id: int, *parties: str):
    rectification = await get_in_scope(uow, Rectification, rectification_id, lock=True)
    contract = await _contract_in_force(uow, rectification.contract_id)
    _require_party(uow, contract, *parties)
    return rectification, contract


def _move(uow: UnitOfWork, rectification: Rectification, action: str, comment: str | None) -> None:
    RECTIFICATION_LIFECYCLE.apply(uow, rectification, action, RectificationStatusChange, "rectification_id", comment)


async def respond(uow: UnitOfWork, rectification_id: int, response: str | None, photo_ids: list[int]) -> Rectification:
    """The contractor says what was put right, with the photos that show it."""
    rectification, contract = await _rectification(uow, rectification_id, "contractor")
    if not RECTIFICATION_LIFECYCLE.allows("respond", rectification.status):
        RECTIFICATION_LIFECYCLE.target("respond", rectification.status)
    checks = Checks()
    response = checks.text("response", response, 5000)
    photos = await _photos_of(uow, checks, "photoIds", contract.id, photo_ids)
    checks.raise_if_any()
    rectification.response, rectification.response_photo_ids, rectification.responded_at = response, json.dumps(photos), uow.now
    _move(uow, rectification, "respond", response)
    await uow.session.flush()
    await events.rectification_responded(uow, contract, rectification)
    return rectification


async def close(uow: UnitOfWork, rectification_id: int, comment: str | None) -> Rectification:
    rectification, contract = await _rectification(uow, rectification_id, "supervisor")
    if not RECTIFICATION_LIFECYCLE.allows("close", rectification.status):
        RECTIFICATION_LIFECYCLE.target("close", rectification.status)
    checks = Checks()
    comment = checks.text("comment", comment, 5000, required=False)
    checks.raise_if_any()
    rectification.closed_at = uow.now
    _move(uow, rectification, "close", comment)
    await uow.session.flush()
    await events.rectification_decided(uow, contract, rectification, comment or "")
    return rectification


async def reopen(uow: UnitOfWork, rectification_id: int, reason: str | None) -> Rectification:
    rectification, contract = await _rectification(uow, rectification_id, "supervisor")
    if not RECTIFICATION_LIFECYCLE.allows("reopen", rectification.status):
        RECTIFICATION_LIFECYCLE.target("reopen", rectification.status)
    checks = Checks()
    reason = checks.text("reason", reason, 5000)
    checks.raise_if_any()
    rectification.reopened += 1
    _move(uow, rectification, "reopen", reason)
    await uow.session.flush()
    await events.rectification_decided(uow, contract, rectification, reason or "")
    return rectification
