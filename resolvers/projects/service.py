"""Project application and approval (项目申报与立项).

Lifecycle: draft → submitted → approved | rejected; a rejected project is edited and
submitted again; cancelled from any status before contracting. Approval walks a
configurable review chain and reserves the project's budget from the owner's annual
allocation; cancellation releases it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from models.accounts import Organisation
from models.base import FEN, MILLI
from models.projects import (
    DOCUMENT_TYPES,
    PROJECT_CATEGORIES,
    BudgetAllocation,
    BudgetReservation,
    CodeSequence,
    Project,
    ProjectDocument,
    ProjectLineItem,
    ProjectReview,
    ProjectStatusChange,
)
from policies.subject import Actor
from resolvers.core.audit import changes_of, snapshot
from resolvers.core.clock import today_in_china
from resolvers.core.context import UnitOfWork
from resolvers.core.errors import Forbidden, Problem, UserErrors
from resolvers.core.i18n import LABELS, Either, Label, Text
from resolvers.core.lifecycle import StateMachine, Transition
from resolvers.core.money import MAX_AMOUNT, decimal_field
from resolvers.core.scoped import get_in_scope
from resolvers.core.transaction import rowcount
from resolvers.core.validation import Checks
from resolvers.projects import events as project_events
from resolvers.security.storage import ALLOWED, MediaType, Storage, claim_mismatch, sniff

PROJECT_LIFECYCLE = StateMachine(
    "Project",
    [
        Transition("submit", {"draft", "rejected"}, "submitted"),
        Transition("approve", {"submitted"}, "approved"),
        Transition("reject", {"submitted"}, "rejected"),
        # Later modules extend this with the statuses before contracting (tendering).
        Transition("cancel", {"draft", "submitted", "approved", "rejected"}, "cancelled"),
    ],
)
EDITABLE_STATUSES = frozenset({"draft", "rejected"})

# Documents every application needs, and those some categories need in addition.
REQUIRED_DOCUMENTS = ("proposal", "budget_table")
REQUIRED_DOCUMENTS_BY_CATEGORY = {
    "road": ("construction_drawing",),
    "building_repair": ("construction_drawing",),
    "water": ("construction_drawing",),
}

# Mainland China, Hainan and the islands, as a bounding box (WGS-84).
CHINA_LATITUDE = (3.8, 53.6)
CHINA_LONGITUDE = (73.5, 135.1)

MAX_LINE_ITEMS = 200
# A file name is one line: no control characters at all (line breaks and tabs included),
# and no text-direction overrides (``invoice‮fdp.exe`` shows as ``invoiceexe.pdf``).
FILENAME_UNSAFE_RE = re.compile("[\x00-\x1f\x7f\u202a-\u202e\u2066-\u2069]")
# Largest amount and quantity accepted: well inside the integer fen and thousandths the
# columns hold on every backend, and so that quantity × unit price stays exact.
MAX_QUANTITY = Decimal("999999999.999")


# -- input ------------------------------------------------------------------------


@dataclass
class LineItemData:
    name: str | None
    quantity: str | Decimal | None
    unit: str | None
    unit_price: str | Decimal | None


@dataclass
class Location:
    latitude: float
    longitude: float
    radius_m: int


@dataclass
class ProjectData:
    """Fields of a create or update; on update, None leaves a field as it is."""

    title: str | None = None
    description: str | None = None
    category: str | None = None
    budget_amount: str | Decimal | None = None
    funding_source: str | None = None
    location: Location | None = None
    planned_start: date | None = None
    planned_end: date | None = None
    line_items: list[LineItemData] | None = None
    expected_version: int | None = None


def _check_data(data: ProjectData, creating: bool) -> tuple[Checks, Decimal | None, list[tuple[str, Decimal, str, Decimal]] | None]:
    checks = Checks()
    if creating or data.title is not None:
        data.title = checks.text("title", data.title, 200)
    if data.description is not None:
        data.description = checks.text("description", data.description, 5000, required=False) or ""
    if creating or data.category is not None:
        if data.category not in PROJECT_CATEGORIES:
            checks.add("REQUIRED" if not data.category else "INVALID_CATEGORY", "category")
    if data.funding_source is not None:
        data.funding_source = checks.text("fundingSource", data.funding_source, 200, required=False) or ""
    budget = decimal_field(checks, "budgetAmount", data.budget_amount, FEN)
    if budget is not None and budget < 0:
        checks.add("NEGATIVE_AMOUNT", "budgetAmount")
    if data.location is not None:
        loc = data.location
        if not (-90 <= loc.latitude <= 90) or not (-180 <= loc.longitude <= 180):
            checks.add("INVALID_COORDINATES", "location")
    items = None
    if data.line_items is not None:
        if len(data.line_items) > MAX_LINE_ITEMS:
            checks.add("TOO_MANY_LINE_ITEMS", "lineItems", max=MAX_LINE_ITEMS)
        items = []
        for i, item in enumerate(data.line_items):
            prefix = f"lineItems.{i}"
            name = checks.text(f"{prefix}.name", item.name, 200)
            unit = checks.text(f"{prefix}.unit", item.unit, 20)
            quantity = decimal_field(checks, f"{prefix}.quantity", item.quantity, MILLI, MAX_QUANTITY)
            price = decimal_field(checks, f"{prefix}.unitPrice", item.unit_price, FEN)
            if quantity is None and item.quantity is None:
                checks.add("REQUIRED", f"{prefix}.quantity")
            if price is None and item.unit_price is None:
                checks.add("REQUIRED", f"{prefix}.unitPrice")
            if quantity is not None and quantity <= 0:
                checks.add("QUANTITY_NOT_POSITIVE", f"{prefix}.quantity")
            if price is not None and price < 0:
                checks.add("NEGATIVE_AMOUNT", f"{prefix}.unitPrice")
            if quantity is not None and price is not None and line_amount(quantity, price) > MAX_AMOUNT:
                checks.add("NUMBER_TOO_LARGE", prefix, max=f"{MAX_AMOUNT:,}")
            if name and unit and quantity is not None and price is not None:
                items.append((name, quantity, unit, price))
    return checks, budget, items


def line_amount(quantity: Decimal, unit_price: Decimal) -> Decimal:
    return (quantity * unit_price).quantize(FEN, rounding=ROUND_HALF_UP)


# -- helpers ----------------------------------------------------------------------


def fiscal_year_of(uow: UnitOfWork, project: Project) -> int:
    """The fiscal year whose allocation a project draws on: the year of its planned start,
    or the current year in China while it has none."""
    return project.planned_start.year if project.planned_start else today_in_china(uow.now).year


async def next_code(uow: UnitOfWork, prefix: str) -> str:
    """``XM-2026-000123``: the next number of this prefix and year (China time). The counter
    row is updated in this transaction, so concurrent creators queue on its lock and a
    rolled-back creation gives its number back.

    The counter is created or bumped by one upsert. Creating it with a plain INSERT and
    bumping it after a duplicate-key error deadlocks on MariaDB when several transactions
    start a new counter at once: each failed INSERT keeps a shared lock on the new row,
    and their UPDATEs then wait for one another. An upsert takes the exclusive lock at once.
    """
    year = today_in_china(uow.now).year
    name = f"{prefix}-{year}"
    bump = CodeSequence.last_value + 1
    dialect = (await uow.session.connection()).dialect.name
    if dialect in ("postgresql", "sqlite"):
        from sqlalchemy.dialects import postgresql, sqlite

        upsert: postgresql.Insert | sqlite.Insert = (
            postgresql.insert(CodeSequence) if dialect == "postgresql" else sqlite.insert(CodeSequence)
        )
        await uow.session.execute(
            upsert.values(name=name, last_value=1).on_conflict_do_update(index_elements=[CodeSequence.name], set_={"last_value": bump})
        )
    elif dialect == "mysql":
        from sqlalchemy.dialects.mysql import insert as mysql_insert

        await uow.session.execute(mysql_insert(CodeSequence).values(name=name, last_value=1).on_duplicate_key_update(last_value=bump))
    else:  # any other database: bump, or create the counter if it does not exist yet
        for _ in range(3):
            bumped = await uow.session.execute(update(CodeSequence).where(CodeSequence.name == name).values(last_value=bump))
            if rowcount(bumped) == 1:
                break
            try:
                async with uow.session.begin_nested():
                    await uow.session.execute(insert(CodeSequence).values(name=name, last_value=1))
                break
            except IntegrityError:
                continue  # another transaction created the counter first; bump it instead
    value = (await uow.session.execute(select(CodeSequence.last_value).where(CodeSequence.name == name))).scalar_one()
    return f"{name}-{value:06d}"


async def get_project(uow: UnitOfWork, project_id: int, *, lock: bool = False) -> Project:
    """The project if the actor may see it (``policies.scope.projects``), else NOT_FOUND."""
    return await get_in_scope(uow, Project, project_id, lock=lock)


def owns(actor: Actor, project: Project) -> bool:
    """Whether the actor works on the project as its owner: owner staff of its organisation."""
    return actor.organisation_id == project.owner_organisation_id and "owner_staff" in actor.roles


def _require_owner(uow: UnitOfWork, project: Project) -> None:
    if not owns(uow.require_actor(), project):
        raise Forbidden("NOT_PROJECT_OWNER", operation=uow.operation)


def review_refusal(actor: Actor, project: Project, review: ProjectReview, reviews: Iterable[ProjectReview]) -> str | None:
    """Why the actor may not decide ``review`` of ``project`` (``reviews``: the project's
    reviews, to find the actor's own decisions), or None when they may."""
    if review.role not in actor.roles or not project.region_code.startswith(actor.region_prefix):
        return "NOT_YOUR_REVIEW"
    if actor.organisation_id == project.owner_organisation_id:
        return "OWN_PROJECT_REVIEW"
    if any(r.round == review.round and r.reviewer_id == actor.id for r in reviews):
        return "SAME_REVIEWER"
    return None


# What the viewer may do to a project, and the root mutation that does each: the gate
# decides that field, the rules below decide the rest (``project_actions``).
PROJECT_ACTIONS = {
    "update": "updateProject",
    "upload_document": "uploadProjectDocument",
    "submit": "submitProject",
    "approve": "decideProjectReview",
    "reject": "decideProjectReview",
    "cancel": "cancelProject",
}


def project_actions(actor: Actor, project: Project, reviews: Sequence[ProjectReview]) -> list[str]:
    """The actions the lifecycle and the row rules let ``actor`` take on ``project`` now, by
    the same rules its mutations apply (``reviews``: the project's reviews). The gate, which
    decides the mutation itself, is applied by the caller. Whether the data is complete
    (documents, budget) is not a permission: the mutation reports what is missing."""
    found: list[str] = []
    if owns(actor, project):
        if project.status in EDITABLE_STATUSES:
            found += ["update", "upload_document"]
        found += [a for a in ("submit", "cancel") if PROJECT_LIFECYCLE.allows(a, project.status)]
    pending = [r for r in reviews if r.status == "pending" and r.round == project.submission_count]
    if pending and review_actions(actor, project, pending[0], reviews):
        found += ["approve", "reject"]
    return found


REVIEW_ACTIONS = {"decide": "decideProjectReview"}


def review_actions(actor: Actor, project: Project, review: ProjectReview, reviews: Sequence[ProjectReview]) -> list[str]:
    """``decide`` while ``review`` is the step waiting on a submitted project and
    ``decide_review``'s rules let ``actor`` decide it; the gate is applied by the caller."""
    if review.status != "pending" or project.status != "submitted" or review_refusal(actor, project, review, reviews) is not None:
        return []
    return ["decide"]


def _check_version(project: Project, expected: int | None) -> None:
    if expected is not None and expected != project.version:
        raise UserErrors(Problem("STALE_VERSION", "expectedVersion", {"expected": expected, "current": project.version}))


async def transition(uow: UnitOfWork, project: Project, action: str, comment: str | None = None) -> None:
    """Move the project through ``PROJECT_LIFECYCLE``, record the status history and audit."""
    PROJECT_LIFECYCLE.apply(uow, project, action, ProjectStatusChange, "project_id", comment)
    await project_events.status_changed(uow, project, action, comment)


async def _replace_line_items(uow: UnitOfWork, project: Project, items: list[tuple[str, Decimal, str, Decimal]]) -> list[dict]:
    existing = (await uow.session.execute(select(ProjectLineItem).where(ProjectLineItem.project_id == project.id))).scalars().all()
    for row in existing:
        await uow.session.delete(row)
    await uow.session.flush()
    rows = []
    for position, (name, quantity, unit, price) in enumerate(items, start=1):
        row = ProjectLineItem(
            project_id=project.id,
            position=position,
            name=name,
            quantity=quantity,
            unit=unit,
            unit_price=price,
            amount=line_amount(quantity, price),
        )
        uow.session.add(row)
        rows.append({"name": name, "quantity": str(quantity), "unit": unit, "unitPrice": str(price), "amount": str(row.amount)})
    return rows


# -- create, update, documents ------------------------------------------------------


async def create_project(uow: UnitOfWork, data: ProjectData) -> Project:
    actor = uow.require_actor()
    checks, budget, items = _check_data(data, creating=True)
    checks.raise_if_any()
    org = await uow.session.get(Organisation, actor.organisation_id)
    if org is None or org.kind != "owner" or not actor.has_role("owner_staff"):
        raise Forbidden("NOT_PROJECT_OWNER", operation=uow.operation)
    project = Project(
        code=await next_code(uow, uow.settings.project_code_prefix),
        title=data.title,
        description=data.description or None,
        owner_organisation_id=org.id,
        region_code=org.region_code,
        category=data.category,
        budget_amount=budget if budget is not None else Decimal("0.00"),
        funding_source=data.funding_source or None,
        planned_start=data.planned_start,
        planned_end=data.planned_end,
        status="draft",
        created_by_id=actor.id if actor.kind == "user" else None,
        created_at=uow.now,
        updated_at=uow.now,
    )
    if data.location:
        project.latitude, project.longitude, project.geofence_radius_m = (
            data.location.latitude,
            data.location.longitude,
            data.location.radius_m,
        )
    uow.session.add(project)
    await uow.session.flush()
    changes = changes_of(project, None)
    if items:
        changes["line_items"] = {"before": None, "after": await _replace_line_items(uow, project, items)}
    uow.session.add(
        ProjectStatusChange(
            project_id=project.id,
            from_status=None,
            to_status="draft",
            action="create",
            actor_id=actor.id,
            actor_name=actor.display_name,
            occurred_at=uow.now,
        )
    )
    uow.audit("Project", project.id, changes, region_code=project.region_code)
    return project


async def update_project(uow: UnitOfWork, project_id: int, data: ProjectData) -> Project:
    project = await get_project(uow, project_id, lock=True)
    _require_owner(uow, project)
    _check_version(project, data.expected_version)
    if project.status not in EDITABLE_STATUSES:
        raise UserErrors(Problem("PROJECT_LOCKED", None, {"status": Label("ProjectStatus", project.status)}))
    checks, budget, items = _check_data(data, creating=False)
    checks.raise_if_any()
    before = snapshot(project)
    for attribute in ("title", "category", "planned_start", "planned_end"):
        value = getattr(data, attribute)
        if value is not None:
            setattr(project, attribute, value)
    if data.description is not None:
        project.description = data.description or None
    if data.funding_source is not None:
        project.funding_source = data.funding_source or None
    if budget is not None:
        project.budget_amount = budget
    if data.location is not None:
        project.latitude, project.longitude, project.geofence_radius_m = (
            data.location.latitude,
            data.location.longitude,
            data.location.radius_m,
        )
    project.updated_at = uow.now
    await uow.session.flush()
    changes = changes_of(project, before)
    changes.pop("version", None)
    if items is not None:
        changes["line_items"] = {"after": await _replace_line_items(uow, project, items)}
    uow.audit("Project", project.id, changes, region_code=project.region_code)
    return project


@dataclass
class Upload:
    filename: str
    content_type: str | None
    data: bytes


def _content(mime: str | None) -> Text | str:
    """What a file's content is, for a message: its kind and media type."""
    if mime is None:
        return Text("FILE_CONTENT_UNKNOWN")
    if mime not in LABELS.get("MediaType", {}):
        return mime
    return Text("FILE_CONTENT", name=Label("MediaType", mime), media_type=mime)


def _claim(kind: str, claimed: str, media: MediaType) -> Text:
    """The part of an upload's claim that disagrees with its content, for a message."""
    if kind == "type":
        return Text("CLAIMED_MEDIA_TYPE", claimed=claimed)
    expected = Either(f".{extension}" for extension in media.extensions)
    if kind == "extension":
        return Text("CLAIMED_EXTENSION", extension=claimed, expected=expected)
    return Text("CLAIMED_NO_EXTENSION", filename=claimed, expected=expected)


def check_upload(checks: Checks, field: str, upload: Upload, limit: int) -> tuple[str, MediaType | None]:
    """The upload's file name (its last path part) and its media type sniffed from the
    content, with every problem added to ``checks``: a bad name, an empty or oversized file,
    a type not on the allow-list, or content that disagrees with the claimed type."""
    media = None
    filename = (upload.filename or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    if not filename or len(filename) > 255 or FILENAME_UNSAFE_RE.search(filename):
        checks.add("INVALID_FILENAME", field)
    if len(upload.data) == 0:
        checks.add("EMPTY_FILE", field)
    elif len(upload.data) > limit:
        checks.add("FILE_TOO_LARGE", field, limit_mb=f"{limit / 1048576:.3g}", size_mb=f"{len(upload.data) / 1048576:.3g}")
    else:
        sniffed = sniff(upload.data)
        media = ALLOWED.get(sniffed or "")
        if media is None:
            checks.add("FILE_TYPE_NOT_ALLOWED", field, detected=_content(sniffed))
        elif (mismatch := claim_mismatch(media, upload.content_type, filename)) is not None:
            checks.add("FILE_TYPE_MISMATCH", field, detected=_content(media.mime), claim=_claim(mismatch.kind, mismatch.claimed, media))
            media = None
    return filename, media


async def upload_document(uow: UnitOfWork, storage: Storage, project_id: int, document_type: str, upload: Upload) -> ProjectDocument:
    """Store a new version of a project document. Content is checked before anything is
    written: size, sniffed type on the allow-list, and agreement with the claimed type."""
    project = await get_project(uow, project_id, lock=True)
    _require_owner(uow, project)
    if project.status not in EDITABLE_STATUSES:
        raise UserErrors(Problem("PROJECT_LOCKED", None, {"status": Label("ProjectStatus", project.status)}))
    checks = Checks()
    if document_type not in DOCUMENT_TYPES:
        checks.add("INVALID_DOCUMENT_TYPE", "documentType")
    filename, media = check_upload(checks, "file", upload, uow.settings.upload_max_bytes)
    checks.raise_if_any()
    assert media is not None  # an empty, oversized or unknown file was reported above
    versions = (
        (
            await uow.session.execute(
                select(ProjectDocument.version).where(
                    ProjectDocument.project_id == project.id, ProjectDocument.document_type == document_type
                )
            )
        )
        .scalars()
        .all()
    )
    key, created = await storage.put(upload.data)
    if created:
        # Nothing stays stored if the transaction does not commit.
        uow.on_rollback(lambda: storage.delete(key))
    document = ProjectDocument(
        project_id=project.id,
        document_type=document_type,
        version=max(versions, default=0) + 1,
        filename=filename,
        media_type=media.mime,
        size_bytes=len(upload.data),
        sha256=key,
        storage_key=key,
        uploaded_by_id=uow.require_actor().id,
        uploaded_at=uow.now,
    )
    uow.session.add(document)
    project.updated_at = uow.now
    await uow.session.flush()
    uow.audit("ProjectDocument", document.id, changes_of(document, None), region_code=project.region_code)
    return document


# -- submission -------------------------------------------------------------------


async def _allocation(uow: UnitOfWork, project: Project) -> BudgetAllocation | None:
    year = fiscal_year_of(uow, project)
    return (
        await uow.session.execute(
            select(BudgetAllocation).where(
                BudgetAllocation.organisation_id == project.owner_organisation_id, BudgetAllocation.fiscal_year == year
            )
        )
    ).scalar_one_or_none()


async def submission_problems(uow: UnitOfWork, project: Project) -> list[Problem]:
    """Every reason the project cannot be submitted, all at once."""
    s = uow.settings
    problems: list[Problem] = []
    add = lambda code, field_name, **params: problems.append(Problem(code, field_name, params))  # noqa: E731

    # Documents required for the category.
    present = set(
        (await uow.session.execute(select(ProjectDocument.document_type).where(ProjectDocument.project_id == project.id))).scalars()
    )
    for document_type in REQUIRED_DOCUMENTS + REQUIRED_DOCUMENTS_BY_CATEGORY.get(project.category, ()):
        if document_type not in present:
            add("MISSING_DOCUMENT", "documents", document_type=Label("DocumentType", document_type))

    # Budget and its line items.
    budget = project.budget_amount
    if budget <= 0:
        add("BUDGET_NOT_POSITIVE", "budgetAmount")
    elif budget > s.small_works_ceiling:
        add("BUDGET_OVER_CEILING", "budgetAmount", ceiling=f"{s.small_works_ceiling:,.2f}")
    items = (await uow.session.execute(select(ProjectLineItem.amount).where(ProjectLineItem.project_id == project.id))).scalars().all()
    if not items:
        add("REQUIRED", "lineItems")
    elif sum(items, Decimal("0.00")) != budget:
        add("LINE_ITEMS_MISMATCH", "lineItems", total=f"{sum(items, Decimal('0.00')):,.2f}", budget=f"{budget:,.2f}")

    # Dates.
    if project.planned_start is None:
        add("REQUIRED", "plannedStart")
    elif project.planned_start < today_in_china(uow.now):
        add("START_IN_PAST", "plannedStart")
    if project.planned_end is None:
        add("REQUIRED", "plannedEnd")
    elif project.planned_start is not None and project.planned_end <= project.planned_start:
        add("END_NOT_AFTER_START", "plannedEnd")

    # Site.
    if project.latitude is None or project.longitude is None:
        add("REQUIRED", "location")
    else:
        if not (
            CHINA_LATITUDE[0] <= project.latitude <= CHINA_LATITUDE[1] and CHINA_LONGITUDE[0] <= project.longitude <= CHINA_LONGITUDE[1]
        ):
            add("LOCATION_OUTSIDE_CHINA", "location")
        radius = project.geofence_radius_m
        if radius is None or not (s.geofence_radius_min_m <= radius <= s.geofence_radius_max_m):
            add("RADIUS_OUT_OF_RANGE", "location.radiusMeters", min=s.geofence_radius_min_m, max=s.geofence_radius_max_m)
    if not project.funding_source:
        add("REQUIRED", "fundingSource")

    # The owner's remaining allocation for the fiscal year.
    if budget > 0:
        allocation = await _allocation(uow, project)
        remaining = allocation.amount - allocation.reserved if allocation else Decimal("0.00")
        if remaining < budget:
            year = fiscal_year_of(uow, project)
            add("INSUFFICIENT_ALLOCATION", "budgetAmount", year=year, remaining=f"{remaining:,.2f}")
    return problems


def review_chain(uow: UnitOfWork) -> list[str]:
    return [r.strip() for r in uow.settings.review_chain.split(",") if r.strip()]


async def submit_project(uow: UnitOfWork, project_id: int, comment: str | None = None, expected_version: int | None = None) -> Project:
    project = await get_project(uow, project_id, lock=True)
    _require_owner(uow, project)
    _check_version(project, expected_version)
    checks = Checks()
    comment = checks.text("comment", comment, 2000, required=False)
    checks.raise_if_any()
    PROJECT_LIFECYCLE.target("submit", project.status)
    problems = await submission_problems(uow, project)
    if problems:
        raise UserErrors(problems)
    project.submission_count += 1
    await transition(uow, project, "submit", comment)
    review = ProjectReview(
        project_id=project.id,
        round=project.submission_count,
        step=1,
        role=review_chain(uow)[0],
        region_code=project.region_code,
        status="pending",
        created_at=uow.now,
    )
    uow.session.add(review)
    await uow.session.flush()
    await project_events.review_opened(uow, project, review)
    return project


# -- review -----------------------------------------------------------------------


async def decide_review(uow: UnitOfWork, review_id: int, approve: bool, comment: str | None) -> ProjectReview:
    actor = uow.require_actor()
    review = await get_in_scope(uow, ProjectReview, review_id)
    project = await get_project(uow, review.project_id, lock=True)
    same_round = (
        await uow.session.scalars(select(ProjectReview).where(ProjectReview.project_id == project.id, ProjectReview.round == review.round))
    ).all()
    refusal = review_refusal(actor, project, review, same_round)
    if refusal is not None and refusal != "SAME_REVIEWER":
        raise Forbidden(refusal, operation=uow.operation)
    checks = Checks()
    comment = checks.text("comment", comment, 2000, required=not approve)
    checks.raise_if_any()
    if review.status != "pending" or project.status != "submitted":
        raise UserErrors(Problem("REVIEW_ALREADY_DECIDED", None))
    if refusal is not None:  # the actor decided an earlier step of this round
        raise Forbidden(refusal, operation=uow.operation)
    # Compare-and-set: of two reviewers deciding at once, one wins.
    decided = await uow.session.execute(
        update(ProjectReview)
        .where(ProjectReview.id == review.id, ProjectReview.status == "pending")
        .values(
            status="approved" if approve else "rejected",
            reviewer_id=actor.id,
            reviewer_name=actor.display_name,
            comment=comment,
            decided_at=uow.now,
        )
        .execution_options(synchronize_session="fetch")
    )
    if rowcount(decided) != 1:
        raise UserErrors(Problem("REVIEW_ALREADY_DECIDED", None))
    uow.audit(
        "ProjectReview",
        review.id,
        {"decision": "approved" if approve else "rejected", "comment": comment, "step": review.step, "round": review.round},
        region_code=project.region_code,
    )
    chain = review_chain(uow)
    await project_events.review_decided(uow, project, review, approve, comment)
    if not approve:
        await transition(uow, project, "reject", comment)
    elif review.step >= len(chain):
        await _reserve_budget(uow, project)
        await transition(uow, project, "approve", comment)
    else:
        following = ProjectReview(
            project_id=project.id,
            round=review.round,
            step=review.step + 1,
            role=chain[review.step],
            region_code=project.region_code,
            status="pending",
            created_at=uow.now,
        )
        uow.session.add(following)
        project.updated_at = uow.now
        await uow.session.flush()
        await project_events.review_opened(uow, project, following)
    await uow.session.flush()
    await uow.session.refresh(review)
    return review


async def _reserve_budget(uow: UnitOfWork, project: Project) -> None:
    """Take the project's budget from the allocation in one conditional UPDATE, so
    concurrent approvals can never overdraw it: each waits for the row lock of the one
    before and re-checks the condition against what that one left."""
    from sqlalchemy import literal

    from models.base import Money

    allocation = await _allocation(uow, project)
    amount = project.budget_amount
    remaining = Decimal("0.00")
    if allocation is not None:
        # The amount is bound as Money (integer fen, like the columns it is compared with).
        needed = literal(amount, Money())
        reserved = await uow.session.execute(
            update(BudgetAllocation)
            .where(BudgetAllocation.id == allocation.id, BudgetAllocation.reserved + needed <= BudgetAllocation.amount)
            .values(reserved=BudgetAllocation.reserved + needed, updated_at=uow.now)
            .execution_options(synchronize_session=False)
        )
        if rowcount(reserved) == 1:
            uow.session.add(BudgetReservation(project_id=project.id, allocation_id=allocation.id, amount=amount, reserved_at=uow.now))
            uow.audit(
                "BudgetAllocation",
                allocation.id,
                {"reserved": {"project": project.code, "amount": str(amount)}},
                region_code=project.region_code,
            )
            return
        total, held = (
            await uow.session.execute(
                select(BudgetAllocation.amount, BudgetAllocation.reserved).where(BudgetAllocation.id == allocation.id)
            )
        ).one()
        remaining = total - held
    year = fiscal_year_of(uow, project)
    raise UserErrors(Problem("INSUFFICIENT_ALLOCATION", "budgetAmount", {"year": year, "remaining": f"{remaining:,.2f}"}))


async def release_budget(uow: UnitOfWork, project: Project) -> None:
    reservation = (
        await uow.session.execute(
            select(BudgetReservation).where(BudgetReservation.project_id == project.id, BudgetReservation.released_at.is_(None))
        )
    ).scalar_one_or_none()
    if reservation is None:
        return
    await uow.session.execute(
        update(BudgetAllocation)
        .where(BudgetAllocation.id == reservation.allocation_id)
        .values(reserved=BudgetAllocation.reserved - reservation.amount, updated_at=uow.now)
        .execution_options(synchronize_session=False)
    )
    reservation.released_at = uow.now
    uow.audit(
        "BudgetAllocation",
        reservation.allocation_id,
        {"released": {"project": project.code, "amount": str(reservation.amount)}},
        region_code=project.region_code,
    )


async def cancel_project(uow: UnitOfWork, project_id: int, reason: str | None) -> Project:
    project = await get_project(uow, project_id, lock=True)
    _require_owner(uow, project)
    checks = Checks()
    reason = checks.text("reason", reason, 2000)
    checks.raise_if_any()
    PROJECT_LIFECYCLE.target("cancel", project.status)
    await release_budget(uow, project)
    await uow.session.execute(
        update(ProjectReview)
        .where(ProjectReview.project_id == project.id, ProjectReview.status == "pending")
        .values(status="withdrawn", decided_at=uow.now)
        .execution_options(synchronize_session=False)
    )
    await transition(uow, project, "cancel", reason)
    await uow.session.flush()
    return project


# -- budget allocations -----------------------------------------------------------


async def set_allocation(uow: UnitOfWork, organisation_id: int, fiscal_year: int, amount) -> BudgetAllocation:
    uow.require_actor()
    checks = Checks()
    value = decimal_field(checks, "amount", amount, FEN)
    if value is not None and value < 0:
        checks.add("NEGATIVE_AMOUNT", "amount")
    if not (2000 <= fiscal_year <= 2100):
        checks.add("INVALID_FISCAL_YEAR", "fiscalYear")
    checks.raise_if_any()
    if value is None:  # no amount at all (the GraphQL input requires one)
        raise UserErrors(Problem("REQUIRED", "amount"))
    org = await get_in_scope(uow, Organisation, organisation_id, in_own_region=True)
    if org.kind != "owner":
        raise UserErrors(Problem("NOT_AN_OWNER", "organisationId"))
    allocation = (
        await uow.session.execute(
            select(BudgetAllocation)
            .where(BudgetAllocation.organisation_id == org.id, BudgetAllocation.fiscal_year == fiscal_year)
            .with_for_update()
        )
    ).scalar_one_or_none()
    before = snapshot(allocation) if allocation else None
    if allocation is None:
        allocation = BudgetAllocation(
            organisation_id=org.id, fiscal_year=fiscal_year, amount=value, reserved=Decimal("0.00"), updated_at=uow.now
        )
        uow.session.add(allocation)
    else:
        if value < allocation.reserved:
            raise UserErrors(Problem("ALLOCATION_BELOW_RESERVED", "amount", {"reserved": f"{allocation.reserved:,.2f}"}))
        allocation.amount = value
        allocation.updated_at = uow.now
    await uow.session.flush()
    uow.audit("BudgetAllocation", allocation.id, changes_of(allocation, before), region_code=org.region_code)
    return allocation
