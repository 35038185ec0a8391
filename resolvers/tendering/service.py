"""Tenders (招标/采购): templates, drafting, publication, amendments, clarifications and
cancellation.

Lifecycle: draft → published → opened → evaluated → publicity → awarded; published →
failed (too few valid bids at opening, 流标); cancelled before opening. Publishing moves
the project to ``tendering``; a failed or cancelled tender moves it back to ``approved``
so that a new round can start. Bids, opening and evaluation live in ``bids`` and
``evaluation``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from models.accounts import Organisation, User, UserRole
from models.base import FEN
from models.projects import Project
from models.tendering import (
    METHODS,
    QUALIFICATION_GRADES,
    QUALIFICATION_KINDS,
    Bid,
    Clarification,
    ExpertSpecialty,
    Tender,
    TenderAmendment,
    TenderInvitation,
    TenderStatusChange,
    TenderTemplate,
)
from policies.engine import region_prefix
from policies.subject import Actor as Subject
from resolvers.core.audit import canonical_json, changes_of, snapshot
from resolvers.core.clock import SHANGHAI, china_time, today_in_china
from resolvers.core.context import Actor, UnitOfWork
from resolvers.core.errors import Forbidden, Problem, UserErrors
from resolvers.core.i18n import Label
from resolvers.core.lifecycle import StateMachine, Transition
from resolvers.core.money import decimal_field
from resolvers.core.scoped import get_in_scope
from resolvers.core.validation import Checks
from resolvers.core.workdays import add_working_days, is_working_day
from resolvers.projects import service as projects
from resolvers.projects.service import PROJECT_LIFECYCLE, next_code
from resolvers.security.keys import encrypted_column
from resolvers.tendering import draw, events, scoring, sealing

TENDER_LIFECYCLE = StateMachine(
    "Tender",
    [
        Transition("publish", {"draft"}, "published"),
        Transition("amend", {"published"}, "published"),
        Transition("open", {"published"}, "opened"),
        Transition("fail", {"published", "opened"}, "failed"),
        Transition("complete_evaluation", {"opened"}, "evaluated"),
        Transition("start_publicity", {"evaluated"}, "publicity"),
        Transition("reevaluate", {"publicity"}, "opened"),
        Transition("award", {"publicity"}, "awarded"),
        Transition("cancel", {"draft", "published"}, "cancelled"),
    ],
)
EDITABLE_STATUSES = frozenset({"draft"})
CLOSED_STATUSES = frozenset({"failed", "cancelled"})
# Methods whose suppliers are invited (the rest are open to the region's registered suppliers).
SELECTIVE_METHODS = frozenset({"rfq", "competitive_negotiation"})

# A tender moves its project: publishing starts tendering; failing or cancelling ends it.
PROJECT_LIFECYCLE.add(
    Transition("start_tendering", {"approved"}, "tendering"),
    Transition("end_tendering", {"tendering"}, "approved"),
)

# The tender's private sealing key is wrapped by the data key (key rotation re-wraps it).
encrypted_column(Tender, "sealing_private_key", "tenders.sealing_private_key", lambda row: f"tenders.sealing_key:{row.id}")

KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
MAX_REQUIREMENTS = 20  # also the most files a bid may carry (one per required document)
MAX_INVITED = 50


# -- input ------------------------------------------------------------------------


@dataclass
class DocumentRequirement:
    key: str
    name: str


@dataclass
class ItemRequirement:
    key: str
    question: str


@dataclass
class CriterionData:
    key: str
    name: str
    kind: str
    weight: str | Decimal


@dataclass
class TemplateData:
    """A template's content; on update, None keeps the previous version's value."""

    name: str | None = None
    method: str | None = None
    required_documents: list[DocumentRequirement] | None = None
    required_items: list[ItemRequirement] | None = None
    criteria: list[CriterionData] | None = None
    notice_text: str | None = None


@dataclass
class TenderData:
    """Fields of a create or update; on update, None leaves a field as it is."""

    project_id: int | None = None
    template_id: int | None = None
    title: str | None = None
    ceiling_price: str | Decimal | None = None
    bid_deadline: datetime | None = None
    opening_time: datetime | None = None
    clarification_deadline: datetime | None = None
    invited_supplier_ids: list[int] | None = None
    required_qualification_kind: str | None = None
    required_qualification_grade: str | None = None
    committee_size: int | None = None
    required_documents: list[DocumentRequirement] | None = None
    required_items: list[ItemRequirement] | None = None
    criteria: list[CriterionData] | None = None
    notice_text: str | None = None
    clear_qualification: bool = False
    expected_version: int | None = None


@dataclass
class Amendment:
    summary: str | None
    notice_text: str | None = None
    required_documents: list[DocumentRequirement] | None = None
    required_items: list[ItemRequirement] | None = None
    bid_deadline: datetime | None = None
    opening_time: datetime | None = None


def _json(value) -> str:
    return canonical_json(value)


def loads(text: str | None) -> Any:
    return json.loads(text) if text else []


def _check_keys(checks: Checks, prefix: str, keys: list[str]) -> None:
    seen: set[str] = set()
    for i, key in enumerate(keys):
        if not KEY_RE.match(key or ""):
            checks.add("INVALID_KEY", f"{prefix}.{i}.key")
        elif key in seen:
            checks.add("DUPLICATE_KEY", f"{prefix}.{i}.key", key=key)
        seen.add(key)


def _requirements(checks: Checks, field: str, rows: list | None, text: str, max_length: int) -> list[dict] | None:
    """Required documents (``text`` "name") or items ("question"): keys checked, text checked."""
    if rows is None:
        return None
    if len(rows) > MAX_REQUIREMENTS:
        checks.add("TOO_MANY_REQUIREMENTS", field, max=MAX_REQUIREMENTS)
    _check_keys(checks, field, [r.key for r in rows])
    return [{"key": r.key, text: checks.text(f"{field}.{i}.{text}", getattr(r, text), max_length)} for i, r in enumerate(rows)]


def _documents(checks: Checks, rows: list[DocumentRequirement] | None) -> list[dict] | None:
    return _requirements(checks, "requiredDocuments", rows, "name", 200)


def _items(checks: Checks, rows: list[ItemRequirement] | None) -> list[dict] | None:
    return _requirements(checks, "requiredItems", rows, "question", 1000)


def _criteria(checks: Checks, method: str | None, rows: list[CriterionData] | None) -> list[dict] | None:
    if rows is None:
        return None
    if len(rows) > MAX_REQUIREMENTS:
        checks.add("TOO_MANY_REQUIREMENTS", "criteria", max=MAX_REQUIREMENTS)
    _check_keys(checks, "criteria", [r.key for r in rows])
    parsed = []
    for i, row in enumerate(rows):
        name = checks.text(f"criteria.{i}.name", row.name, 200)
        if row.kind not in ("price", "quality"):
            checks.add("INVALID_CRITERION_KIND", f"criteria.{i}.kind")
        weight = decimal_field(checks, f"criteria.{i}.weight", row.weight, FEN, Decimal("100"))
        parsed.append({"key": row.key, "name": name, "kind": row.kind, "weight": weight})
    if method and not checks.problems and (method == "simple_tender" or rows):
        for code, params in scoring.check_criteria(method, criteria_of(parsed)):
            checks.add(code, "criteria", **params)
    return [{**c, "weight": str(c["weight"])} for c in parsed]


def criteria_of(rows: Sequence[dict]) -> list[scoring.Criterion]:
    return [scoring.Criterion(key=r["key"], name=r["name"], kind=r["kind"], weight=Decimal(str(r["weight"]))) for r in rows]


# -- who -----------------------------------------------------------------------------


def owns(actor: Subject, tender: Tender | TenderTemplate) -> bool:
    """Owner staff of the organisation that runs the tender (or keeps the template)."""
    return actor.organisation_id == tender.owner_organisation_id and "owner_staff" in actor.roles


def require_owner(uow: UnitOfWork, tender: Tender | TenderTemplate) -> None:
    if not owns(uow.require_actor(), tender):
        raise Forbidden("NOT_TENDER_OWNER", operation=uow.operation)


def require_supplier(uow: UnitOfWork) -> Actor:
    actor = uow.require_actor()
    if not actor.has_role("contractor") or actor.organisation_kind != "contractor":
        raise Forbidden("NOT_A_SUPPLIER", operation=uow.operation)
    return actor


async def get_tender(uow: UnitOfWork, tender_id: int, *, lock: bool = False) -> Tender:
    return await get_in_scope(uow, Tender, tender_id, lock=lock)


def _check_version(tender: Tender, expected: int | None) -> None:
    if expected is not None and expected != tender.version:
        raise UserErrors(Problem("STALE_TENDER_VERSION", "expectedVersion", {"expected": expected, "current": tender.version}))


async def transition(uow: UnitOfWork, tender: Tender, action: str, comment: str | None = None) -> None:
    """Move the tender through ``TENDER_LIFECYCLE``: status history and audit; a closed tender
    stops being its project's active one."""
    TENDER_LIFECYCLE.apply(uow, tender, action, TenderStatusChange, "tender_id", comment)
    if tender.status in CLOSED_STATUSES:
        tender.active_for_project = None
        tender.closed_at = uow.now


async def move_project(uow: UnitOfWork, tender: Tender, action: str, comment: str | None = None) -> None:
    project = await uow.session.get(Project, tender.project_id, with_for_update=True)
    assert project is not None
    if PROJECT_LIFECYCLE.allows(action, project.status):
        await projects.transition(uow, project, action, comment)


# -- templates ----------------------------------------------------------------------


async def create_template(uow: UnitOfWork, data: TemplateData) -> TenderTemplate:
    actor = uow.require_actor()
    org = await uow.session.get(Organisation, actor.organisation_id)
    if org is None or org.kind != "owner" or not actor.has_role("owner_staff"):
        raise Forbidden("NOT_TENDER_OWNER", operation=uow.operation)
    checks = Checks()
    name = checks.text("name", data.name, 200)
    if data.method not in METHODS:
        checks.add("REQUIRED" if not data.method else "INVALID_METHOD", "method")
    documents = _documents(checks, data.required_documents or [])
    items = _items(checks, data.required_items or [])
    criteria = _criteria(checks, data.method, data.criteria or [])
    notice = checks.text("noticeText", data.notice_text, 20000, required=False) or ""
    checks.raise_if_any()
    template = TenderTemplate(
        version=1,
        is_latest=True,
        owner_organisation_id=org.id,
        name=name,
        method=data.method,
        required_documents=_json(documents),
        required_items=_json(items),
        criteria=_json(criteria),
        notice_text=notice,
        created_by_id=actor.id if actor.kind == "user" else None,
        created_at=uow.now,
    )
    uow.session.add(template)
    await uow.session.flush()
    template.family_id = template.id
    await uow.session.flush()
    uow.audit("TenderTemplate", template.id, changes_of(template, None), region_code=org.region_code)
    return template


async def update_template(uow: UnitOfWork, template_id: int, data: TemplateData) -> TenderTemplate:
    """A new version of the template; tenders made from earlier versions keep theirs."""
    current = await get_in_scope(uow, TenderTemplate, template_id, lock=True)
    require_owner(uow, current)
    if not current.is_latest:
        raise UserErrors(Problem("TEMPLATE_NOT_LATEST", "id"))
    checks = Checks()
    name = checks.text("name", data.name, 200) if data.name is not None else current.name
    method = data.method if data.method is not None else current.method
    if method not in METHODS:
        checks.add("INVALID_METHOD", "method")
    documents = _documents(checks, data.required_documents)
    items = _items(checks, data.required_items)
    criteria = _criteria(checks, method, data.criteria if data.criteria is not None else _criterion_data(current.criteria))
    notice = checks.text("noticeText", data.notice_text, 20000, required=False) if data.notice_text is not None else current.notice_text
    checks.raise_if_any()
    current.is_latest = False
    version = TenderTemplate(
        family_id=current.family_id,
        version=current.version + 1,
        is_latest=True,
        owner_organisation_id=current.owner_organisation_id,
        name=name,
        method=method,
        required_documents=_json(documents) if documents is not None else current.required_documents,
        required_items=_json(items) if items is not None else current.required_items,
        criteria=_json(criteria),
        notice_text=notice or "",
        created_by_id=uow.require_actor().id,
        created_at=uow.now,
    )
    uow.session.add(version)
    await uow.session.flush()
    uow.audit("TenderTemplate", version.id, {**changes_of(version, snapshot(current)), "previous_version": current.id})
    return version


def _criterion_data(text: str) -> list[CriterionData]:
    return [CriterionData(c["key"], c["name"], c["kind"], c["weight"]) for c in loads(text)]


# -- drafting -------------------------------------------------------------------------


async def _check_suppliers(uow: UnitOfWork, checks: Checks, ids: list[int]) -> list[int]:
    if len(ids) > MAX_INVITED:
        checks.add("TOO_MANY_INVITED", "invitedSupplierIds", max=MAX_INVITED)
        return []
    wanted = sorted(set(ids))
    found = {row.id: row for row in (await uow.session.execute(select(Organisation).where(Organisation.id.in_(wanted)))).scalars()}
    for i, org_id in enumerate(wanted):
        org = found.get(org_id)
        if org is None or org.kind != "contractor":
            checks.add("NOT_A_CONTRACTOR", f"invitedSupplierIds.{i}")
    return wanted


def _check_times(
    checks: Checks, now: datetime, deadline: datetime | None, opening: datetime | None, clarification: datetime | None
) -> None:
    if deadline is not None and deadline <= now:
        checks.add("DEADLINE_IN_PAST", "bidDeadline")
    if deadline is not None and opening is not None and opening < deadline:
        checks.add("OPENING_BEFORE_DEADLINE", "openingTime")
    if clarification is not None:
        if clarification <= now:
            checks.add("CLARIFICATION_DEADLINE_IN_PAST", "clarificationDeadline")
        elif deadline is not None and clarification >= deadline:
            checks.add("CLARIFICATION_AFTER_DEADLINE", "clarificationDeadline")


def _check_qualification(checks: Checks, kind: str | None, grade: str | None) -> None:
    if kind is None and grade is None:
        return
    if kind not in QUALIFICATION_KINDS:
        checks.add("INVALID_QUALIFICATION_KIND", "requiredQualification.kind")
    if grade not in QUALIFICATION_GRADES:
        checks.add("INVALID_QUALIFICATION_GRADE", "requiredQualification.grade")


def _check_committee(uow: UnitOfWork, checks: Checks, size: int | None) -> None:
    if size is None:
        return
    code = draw.validate_committee_size(size, uow.settings.committee_minimum_size)
    if code is not None:
        checks.add(code, "committeeSize", minimum=uow.settings.committee_minimum_size)
    elif size > uow.settings.committee_maximum_size:
        checks.add("COMMITTEE_TOO_LARGE", "committeeSize", maximum=uow.settings.committee_maximum_size)


async def _invite(uow: UnitOfWork, tender: Tender, supplier_ids: list[int]) -> None:
    existing = (await uow.session.execute(select(TenderInvitation).where(TenderInvitation.tender_id == tender.id))).scalars().all()
    for row in existing:
        if row.organisation_id not in supplier_ids:
            await uow.session.delete(row)
    have = {row.organisation_id for row in existing}
    for org_id in supplier_ids:
        if org_id not in have:
            uow.session.add(TenderInvitation(tender_id=tender.id, organisation_id=org_id, invited_at=uow.now))
    await uow.session.flush()


async def create_tender(uow: UnitOfWork, data: TenderData) -> Tender:
    actor = uow.require_actor()
    assert data.project_id is not None and data.template_id is not None  # required by the GraphQL input
    project = await projects.get_project(uow, data.project_id, lock=True)
    if not projects.owns(actor, project):
        raise Forbidden("NOT_TENDER_OWNER", operation=uow.operation)
    template = await get_in_scope(uow, TenderTemplate, data.template_id)
    if template.owner_organisation_id != project.owner_organisation_id:
        raise UserErrors(Problem("TEMPLATE_OF_ANOTHER_OWNER", "templateId"))
    if project.status != "approved":
        raise UserErrors(Problem("PROJECT_NOT_APPROVED", "projectId", {"status": Label("ProjectStatus", project.status)}))
    active = (await uow.session.execute(select(Tender.code).where(Tender.active_for_project == project.id))).scalar_one_or_none()
    if active is not None:
        raise UserErrors(Problem("TENDER_ALREADY_ACTIVE", "projectId", {"code": active}))
    checks = Checks()
    title = checks.text("title", data.title, 200, required=False) or project.title
    ceiling = decimal_field(checks, "ceilingPrice", data.ceiling_price, FEN)
    if ceiling is None and data.ceiling_price is None:
        checks.add("REQUIRED", "ceilingPrice")
    elif ceiling is not None and ceiling <= 0:
        checks.add("CEILING_NOT_POSITIVE", "ceilingPrice")
    elif ceiling is not None and ceiling > project.budget_amount:
        checks.add("CEILING_OVER_BUDGET", "ceilingPrice", budget=f"{project.budget_amount:,.2f}")
    for name, value in (
        ("bidDeadline", data.bid_deadline),
        ("openingTime", data.opening_time),
        ("clarificationDeadline", data.clarification_deadline),
    ):
        if value is None:
            checks.add("REQUIRED", name)
    _check_times(checks, uow.now, data.bid_deadline, data.opening_time, data.clarification_deadline)
    suppliers = await _check_suppliers(uow, checks, data.invited_supplier_ids or [])
    _check_qualification(checks, data.required_qualification_kind, data.required_qualification_grade)
    _check_committee(uow, checks, data.committee_size)
    documents = _documents(checks, data.required_documents)
    items = _items(checks, data.required_items)
    criteria = _criteria(checks, template.method, data.criteria)
    notice = checks.text("noticeText", data.notice_text, 20000, required=False) if data.notice_text is not None else None
    checks.raise_if_any()
    assert data.bid_deadline and data.opening_time and data.clarification_deadline and ceiling is not None
    rounds = (await uow.session.execute(select(func.count(Tender.id)).where(Tender.project_id == project.id))).scalar_one()
    tender = Tender(
        code=await next_code(uow, uow.settings.tender_code_prefix),
        project_id=project.id,
        active_for_project=project.id,
        round=rounds + 1,
        owner_organisation_id=project.owner_organisation_id,
        region_code=project.region_code,
        template_id=template.id,
        title=title,
        method=template.method,
        status="draft",
        ceiling_price=ceiling,
        bid_deadline=data.bid_deadline,
        opening_time=data.opening_time,
        clarification_deadline=data.clarification_deadline,
        required_documents=_json(documents) if documents is not None else template.required_documents,
        required_items=_json(items) if items is not None else template.required_items,
        criteria=_json(criteria) if criteria is not None else template.criteria,
        notice_text=notice if notice is not None else template.notice_text,
        required_qualification_kind=data.required_qualification_kind,
        required_qualification_grade=data.required_qualification_grade,
        minimum_suppliers=uow.settings.tender_minimum_suppliers,
        committee_size=data.committee_size or uow.settings.committee_minimum_size,
        publicity_days=uow.settings.award_publicity_days,
        created_by_id=actor.id if actor.kind == "user" else None,
        created_at=uow.now,
        updated_at=uow.now,
    )
    uow.session.add(tender)
    await uow.session.flush()
    keys = sealing.new_tender_keys(uow.cipher, tender.id)
    tender.sealing_public_key, tender.sealing_private_key = keys.public_key, keys.wrapped_private_key
    await _invite(uow, tender, suppliers)
    uow.session.add(
        TenderStatusChange(
            tender_id=tender.id,
            from_status=None,
            to_status="draft",
            action="create",
            actor_id=actor.id,
            actor_name=actor.display_name,
            occurred_at=uow.now,
        )
    )
    await uow.session.flush()
    uow.audit("Tender", tender.id, {**changes_of(tender, None), "invited": suppliers}, region_code=tender.region_code)
    return tender


async def update_tender(uow: UnitOfWork, tender_id: int, data: TenderData) -> Tender:
    tender = await get_tender(uow, tender_id, lock=True)
    require_owner(uow, tender)
    _check_version(tender, data.expected_version)
    if tender.status not in EDITABLE_STATUSES:
        raise UserErrors(Problem("TENDER_LOCKED", None, {"status": Label("TenderStatus", tender.status)}))
    project = await uow.session.get(Project, tender.project_id)
    assert project is not None
    checks = Checks()
    title = checks.text("title", data.title, 200) if data.title is not None else None
    ceiling = decimal_field(checks, "ceilingPrice", data.ceiling_price, FEN)
    if ceiling is not None and ceiling <= 0:
        checks.add("CEILING_NOT_POSITIVE", "ceilingPrice")
    elif ceiling is not None and ceiling > project.budget_amount:
        checks.add("CEILING_OVER_BUDGET", "ceilingPrice", budget=f"{project.budget_amount:,.2f}")
    deadline = data.bid_deadline or tender.bid_deadline
    opening = data.opening_time or tender.opening_time
    clarification = data.clarification_deadline or tender.clarification_deadline
    _check_times(checks, uow.now, deadline, opening, clarification)
    suppliers = await _check_suppliers(uow, checks, data.invited_supplier_ids) if data.invited_supplier_ids is not None else None
    kind = None if data.clear_qualification else (data.required_qualification_kind or tender.required_qualification_kind)
    grade = None if data.clear_qualification else (data.required_qualification_grade or tender.required_qualification_grade)
    _check_qualification(checks, kind, grade)
    _check_committee(uow, checks, data.committee_size)
    documents = _documents(checks, data.required_documents)
    items = _items(checks, data.required_items)
    criteria = _criteria(checks, tender.method, data.criteria)
    notice = checks.text("noticeText", data.notice_text, 20000, required=False) if data.notice_text is not None else None
    checks.raise_if_any()
    before = snapshot(tender)
    if title:
        tender.title = title
    if ceiling is not None:
        tender.ceiling_price = ceiling
    tender.bid_deadline, tender.opening_time, tender.clarification_deadline = deadline, opening, clarification
    tender.required_qualification_kind, tender.required_qualification_grade = kind, grade
    if data.committee_size is not None:
        tender.committee_size = data.committee_size
    if documents is not None:
        tender.required_documents = _json(documents)
    if items is not None:
        tender.required_items = _json(items)
    if criteria is not None:
        tender.criteria = _json(criteria)
    if notice is not None:
        tender.notice_text = notice
    tender.updated_at = uow.now
    if suppliers is not None:
        await _invite(uow, tender, suppliers)
    await uow.session.flush()
    changes = changes_of(tender, before)
    changes.pop("version", None)
    if suppliers is not None:
        changes["invited"] = suppliers
    uow.audit("Tender", tender.id, changes, region_code=tender.region_code)
    return tender


# -- publication ----------------------------------------------------------------------


def working_days_between(start: datetime, end: datetime) -> int:
    """Working days after ``start``'s date up to and including ``end``'s date (China time)."""
    day, last = today_in_china(start), today_in_china(end)
    count = 0
    while day < last:
        day += timedelta(days=1)
        if is_working_day(day):
            count += 1
    return count


async def expert_pool(uow: UnitOfWork, tender: Tender, category: str) -> list[int]:
    """The experts a committee may be drawn from: active users with the evaluator role and a
    specialty matching the project's category, of an organisation whose region covers the
    tender's, and not of the owner organisation."""
    rows = (
        await uow.session.execute(
            select(User.id, Organisation.region_code, Organisation.id)
            .join(UserRole, UserRole.user_id == User.id)
            .join(Organisation, Organisation.id == User.organisation_id)
            .join(ExpertSpecialty, ExpertSpecialty.user_id == User.id)
            .where(UserRole.role == "evaluator", User.is_active.is_(True), ExpertSpecialty.category == category)
        )
    ).all()
    return sorted(
        {uid for uid, region, org in rows if tender.region_code.startswith(region_prefix(region)) and org != tender.owner_organisation_id}
    )


async def publish_tender(uow: UnitOfWork, tender_id: int, draw_commitment: str | None, expected_version: int | None = None) -> Tender:
    """Publish the notice. Every problem is reported at once: the response period, the
    invited suppliers, the criteria, the commitment to the committee draw and the pool."""
    tender = await get_tender(uow, tender_id, lock=True)
    require_owner(uow, tender)
    _check_version(tender, expected_version)
    TENDER_LIFECYCLE.target("publish", tender.status)
    project = await uow.session.get(Project, tender.project_id, with_for_update=True)
    assert project is not None
    s = uow.settings
    checks = Checks()
    commitment = (draw_commitment or "").strip().lower()
    if not re.fullmatch(r"[0-9a-f]{64}", commitment):
        checks.add("INVALID_DRAW_COMMITMENT", "drawCommitment")
    if project.status != "approved":
        checks.add("PROJECT_NOT_APPROVED", "projectId", status=Label("ProjectStatus", project.status))
    _check_times(checks, uow.now, tender.bid_deadline, tender.opening_time, tender.clarification_deadline)
    days = working_days_between(uow.now, tender.bid_deadline)
    if days < s.tender_response_working_days:
        earliest = add_working_days(today_in_china(uow.now), s.tender_response_working_days)
        checks.add(
            "RESPONSE_PERIOD_TOO_SHORT", "bidDeadline", minimum=s.tender_response_working_days, days=days, earliest=earliest.isoformat()
        )
    if tender.ceiling_price > project.budget_amount:
        checks.add("CEILING_OVER_BUDGET", "ceilingPrice", budget=f"{project.budget_amount:,.2f}")
    if tender.method in SELECTIVE_METHODS:
        invited = (
            await uow.session.execute(select(func.count(TenderInvitation.id)).where(TenderInvitation.tender_id == tender.id))
        ).scalar_one()
        if invited < tender.minimum_suppliers:
            checks.add(
                "TOO_FEW_INVITED",
                "invitedSupplierIds",
                minimum=tender.minimum_suppliers,
                invited=invited,
                method=Label("TenderMethod", tender.method),
            )
    for code, params in scoring.check_criteria(tender.method, criteria_of(loads(tender.criteria))):
        checks.add(code, "criteria", **params)
    pool = await expert_pool(uow, tender, project.category)
    if len(pool) < tender.committee_size:
        checks.add(
            "EXPERT_POOL_TOO_SMALL",
            "committeeSize",
            size=tender.committee_size,
            available=len(pool),
            category=Label("ProjectCategory", project.category),
        )
    checks.raise_if_any()
    tender.draw_commitment = commitment
    tender.draw_pool = _json(pool)
    tender.published_at = uow.now
    await transition(uow, tender, "publish")
    uow.audit("Tender", tender.id, {"draw_commitment": commitment, "draw_pool": pool}, region_code=tender.region_code)
    await move_project(uow, tender, "start_tendering")
    await uow.session.flush()
    await events.published(uow, tender)
    return tender


def _extended_deadline(uow: UnitOfWork, tender: Tender) -> datetime | None:
    """The deadline a change of documents now leads to: unchanged while at least the
    minimum response period remains, else that many working days from today, at the same
    time of day."""
    minimum = uow.settings.tender_response_working_days
    if working_days_between(uow.now, tender.bid_deadline) >= minimum:
        return None
    day = add_working_days(today_in_china(uow.now), minimum)
    local = tender.bid_deadline.astimezone(SHANGHAI)
    extended = datetime.combine(day, local.timetz()).astimezone(tender.bid_deadline.tzinfo)
    return max(extended, tender.bid_deadline)


async def amend_tender(uow: UnitOfWork, tender_id: int, amendment: Amendment) -> Tender:
    """Change a published tender's documents before the deadline. Within the minimum
    response period of the deadline, the deadline (and the opening with it) moves so that
    the full period remains; every participant is told."""
    tender = await get_tender(uow, tender_id, lock=True)
    require_owner(uow, tender)
    TENDER_LIFECYCLE.target("amend", tender.status)
    now = uow.current_time()
    if now >= tender.bid_deadline:
        raise UserErrors(Problem("BID_DEADLINE_PASSED", None, {"deadline": china_time(tender.bid_deadline)}))
    checks = Checks()
    summary = checks.text("summary", amendment.summary, 2000)
    documents = _documents(checks, amendment.required_documents)
    items = _items(checks, amendment.required_items)
    notice = checks.text("noticeText", amendment.notice_text, 20000, required=False) if amendment.notice_text is not None else None
    new_deadline = amendment.bid_deadline or tender.bid_deadline
    new_opening = amendment.opening_time or (tender.opening_time + (new_deadline - tender.bid_deadline))
    if amendment.bid_deadline is not None and amendment.bid_deadline < tender.bid_deadline:
        checks.add("DEADLINE_MOVED_EARLIER", "bidDeadline")
    if new_opening < new_deadline:
        checks.add("OPENING_BEFORE_DEADLINE", "openingTime")
    changed = [
        name for name, value in (("noticeText", notice), ("requiredDocuments", documents), ("requiredItems", items)) if value is not None
    ]
    if not changed and amendment.bid_deadline is None and amendment.opening_time is None:
        checks.add("NOTHING_TO_AMEND", None)
    checks.raise_if_any()
    before_deadline = tender.bid_deadline
    before = snapshot(tender)
    if documents is not None:
        tender.required_documents = _json(documents)
    if items is not None:
        tender.required_items = _json(items)
    if notice is not None:
        tender.notice_text = notice
    tender.bid_deadline, tender.opening_time = new_deadline, new_opening
    if changed:
        tender.documents_changed_at = now
        extended = _extended_deadline(uow, tender)
        if extended is not None and extended > tender.bid_deadline:
            shift = extended - tender.bid_deadline
            tender.bid_deadline = extended
            tender.opening_time = tender.opening_time + shift
            tender.deadline_extensions += 1
    number = (
        await uow.session.execute(select(func.count(TenderAmendment.id)).where(TenderAmendment.tender_id == tender.id))
    ).scalar_one() + 1
    record = TenderAmendment(
        tender_id=tender.id,
        number=number,
        summary=summary,
        changed=_json(changed),
        deadline_before=before_deadline,
        deadline_after=tender.bid_deadline,
        created_at=now,
    )
    uow.session.add(record)
    tender.updated_at = now
    await uow.session.flush()
    changes = changes_of(tender, before)
    changes.pop("version", None)
    uow.audit("Tender", tender.id, {**changes, "amendment": number, "summary": summary}, region_code=tender.region_code)
    await events.amended(uow, tender, record)
    return tender


async def cancel_tender(uow: UnitOfWork, tender_id: int, reason: str | None) -> Tender:
    tender = await get_tender(uow, tender_id, lock=True)
    require_owner(uow, tender)
    checks = Checks()
    reason = checks.text("reason", reason, 2000)
    checks.raise_if_any()
    published = tender.status == "published"
    tender.close_reason = reason
    await transition(uow, tender, "cancel", reason)
    if published:
        await move_project(uow, tender, "end_tendering", reason)
    await uow.session.flush()
    await events.cancelled(uow, tender, reason or "")
    return tender


# -- clarifications --------------------------------------------------------------------


async def ask_clarification(uow: UnitOfWork, tender_id: int, question: str | None) -> Clarification:
    actor = require_supplier(uow)
    tender = await get_tender(uow, tender_id)
    checks = Checks()
    question = checks.text("question", question, 2000)
    checks.raise_if_any()
    if tender.status != "published":
        raise UserErrors(Problem("TENDER_NOT_OPEN_FOR_BIDS", None, {"status": Label("TenderStatus", tender.status)}))
    if uow.current_time() >= tender.clarification_deadline:
        raise UserErrors(Problem("CLARIFICATION_CLOSED", None, {"deadline": china_time(tender.clarification_deadline)}))
    row = Clarification(
        tender_id=tender.id, asked_by_organisation_id=actor.organisation_id, question=question, status="open", asked_at=uow.now
    )
    uow.session.add(row)
    await uow.session.flush()
    uow.audit("Clarification", row.id, {"tender": tender.code, "question": question}, region_code=tender.region_code)
    await events.question_asked(uow, tender, row)
    return row


async def answer_clarification(uow: UnitOfWork, clarification_id: int, answer: str | None) -> Clarification:
    row = await get_in_scope(uow, Clarification, clarification_id, lock=True)
    tender = await get_tender(uow, row.tender_id, lock=True)
    require_owner(uow, tender)
    checks = Checks()
    answer = checks.text("answer", answer, 5000)
    checks.raise_if_any()
    if row.status != "open":
        raise UserErrors(Problem("CLARIFICATION_ALREADY_ANSWERED", None))
    if tender.status != "published":
        raise UserErrors(Problem("TENDER_NOT_OPEN_FOR_BIDS", None, {"status": Label("TenderStatus", tender.status)}))
    if uow.current_time() >= tender.bid_deadline:  # an answer after bids close can inform no bid
        raise UserErrors(Problem("BID_DEADLINE_PASSED", None, {"deadline": china_time(tender.bid_deadline)}))
    row.status, row.answer, row.answered_at = "answered", answer, uow.now
    await uow.session.flush()
    uow.audit("Clarification", row.id, {"answer": answer}, region_code=tender.region_code)
    await events.clarified(uow, tender, row)
    return row


# -- what the viewer may do --------------------------------------------------------------

TENDER_ACTIONS = {
    "update": "updateTender",
    "publish": "publishTender",
    "amend": "amendTender",
    "cancel": "cancelTender",
    "answer_clarification": "answerClarification",
    "open": "openTender",
    "start_publicity": "startAwardPublicity",
    "answer_objection": "answerObjection",
    "ask_clarification": "askClarification",
    "submit_bid": "submitBid",
    "file_objection": "fileObjection",
    "request_final_quotes": "requestFinalQuotes",
    "open_final_quotes": "openFinalQuotes",
    "submit_final_quote": "submitFinalQuote",
    "decline_evaluation": "declineEvaluation",
    "declare_conflict": "declareEvaluationConflict",
    "submit_evaluation": "submitEvaluation",
}


def bid_count_shown(tender: Tender, now: datetime) -> bool:
    """Others learn how many bids a tender holds only once its deadline has passed."""
    return now >= tender.bid_deadline


@dataclass
class Viewing:
    """What the actions of a viewer depend on beyond the tender row, loaded by the caller."""

    now: datetime
    invited: bool = False
    own_bid: Bid | None = None
    open_clarifications: int = 0
    open_objections: int = 0
    seat_status: str | None = None  # the viewer's committee seat in the current round


def tender_actions(actor: Subject, tender: Tender, viewing: Viewing) -> list[str]:
    """The actions the lifecycle and row rules let ``actor`` take on ``tender`` now, by the
    same rules the mutations apply; the gate is applied by the caller."""
    found: list[str] = []
    now = viewing.now
    if owns(actor, tender):
        if tender.status in EDITABLE_STATUSES:
            found += ["update", "publish"]
        if tender.status == "published" and now < tender.bid_deadline:
            found.append("amend")
        if TENDER_LIFECYCLE.allows("cancel", tender.status):
            found.append("cancel")
        if tender.status == "published" and viewing.open_clarifications and now < tender.bid_deadline:
            found.append("answer_clarification")
        if tender.status == "published" and now >= tender.opening_time:
            found.append("open")
        if tender.status == "opened" and tender.method == "competitive_negotiation":
            if tender.final_quote_deadline is None:
                found.append("request_final_quotes")
            elif tender.final_quotes_opened_at is None and now >= tender.final_quote_deadline:
                found.append("open_final_quotes")
        if tender.status == "evaluated":
            found.append("start_publicity")
        if viewing.open_objections:
            found.append("answer_objection")
    if "contractor" in actor.roles and tender.status == "published":
        may_bid = viewing.invited or tender.method not in SELECTIVE_METHODS
        if now < tender.clarification_deadline:
            found.append("ask_clarification")
        if may_bid and now < tender.bid_deadline:
            found.append("submit_bid")
    if (
        "contractor" in actor.roles
        and tender.status == "publicity"
        and viewing.own_bid is not None
        and viewing.own_bid.opened_at is not None
        and tender.publicity_ends_at is not None
        and now < tender.publicity_ends_at
    ):
        found.append("file_objection")
    if (
        "contractor" in actor.roles
        and tender.status == "opened"
        and tender.final_quote_deadline is not None
        and tender.final_quotes_opened_at is None
        and now < tender.final_quote_deadline
        and viewing.own_bid is not None
        and viewing.own_bid.status == "opened"
        and viewing.own_bid.opened_hash == viewing.own_bid.receipt_hash
    ):
        found.append("submit_final_quote")
    if tender.status == "opened" and viewing.seat_status == "drawn":
        found += ["decline_evaluation", "declare_conflict"]
        if tender.method != "competitive_negotiation" or tender.final_quotes_opened_at is not None:
            found.append("submit_evaluation")
    return found
