"""Contracts (合同): drafting from an awarded tender, editing, sending for signature,
amendments (变更) and termination. Signing and verification live in ``signatures``.

Lifecycle: draft → pending_signature → active (every party signed) → completed;
terminated from any of them. The contract's rows (clauses, milestones, payment terms) are
the draft being written, then the version in force; each version keeps its content as the
canonical JSON the parties sign. An active contract changes only by an amendment: a new
version whose content waits, with its own signatures, until every party has signed it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, func, select

from models.accounts import Organisation
from models.base import FEN
from models.contracts import (
    Contract,
    ContractClause,
    ContractDocument,
    ContractMilestone,
    ContractSignature,
    ContractStatusChange,
    ContractVersion,
    PaymentTerm,
    SigningKey,
)
from models.projects import Project
from models.tendering import Bid, Tender
from policies.subject import Actor as Subject
from resolvers.contracts import content as cc
from resolvers.contracts import events
from resolvers.contracts.events import PARTY_ROLES, parties_of
from resolvers.core.audit import canonical_json
from resolvers.core.clock import today_in_china
from resolvers.core.context import UnitOfWork
from resolvers.core.errors import Forbidden, Problem, UserErrors
from resolvers.core.i18n import Label
from resolvers.core.lifecycle import StateMachine, Transition
from resolvers.core.money import decimal_field
from resolvers.core.scoped import get_in_scope
from resolvers.core.validation import Checks
from resolvers.projects.service import PROJECT_LIFECYCLE, Upload, check_upload, next_code
from resolvers.projects.service import transition as project_transition
from resolvers.security.keys import encrypted_column
from resolvers.security.storage import Storage

CONTRACT_LIFECYCLE = StateMachine(
    "Contract",
    [
        Transition("submit", {"draft"}, "pending_signature"),
        Transition("activate", {"pending_signature"}, "active"),
        Transition("complete", {"active"}, "completed"),
        Transition("terminate", {"draft", "pending_signature", "active"}, "terminated"),
    ],
)
EDITABLE_STATUSES = frozenset({"draft", "pending_signature"})
MAX_DOCUMENTS = 20
# Signing the contract moves its project from tendering to contracted.
PROJECT_LIFECYCLE.add(Transition("sign_contract", {"tendering"}, "contracted"))

# A server-held signing key's private half is sealed by the data key (rotation re-seals it).
encrypted_column(SigningKey, "private_key", "signing_keys.private_key", lambda row: f"signing_keys.private_key:{row.id}")


# -- input ----------------------------------------------------------------------------------


@dataclass
class ClauseData:
    kind: str
    title: str | None
    text: str | None
    fields: dict[str, Any] = field(default_factory=dict)


@dataclass
class MilestoneData:
    code: str
    name: str | None
    planned_date: date
    share: str | Decimal | None


@dataclass
class TermData:
    name: str | None
    percentage: str | Decimal | None
    trigger: str
    milestone_code: str | None = None
    due_days: int | None = None


@dataclass
class ContractData:
    """Fields of a draft, an edit or an amendment; on an edit or amendment, None keeps a
    field as it is and a list replaces the whole list."""

    tender_id: int | None = None
    supervisor_id: int | None = None
    clear_supervisor: bool = False
    number: str | None = None
    title: str | None = None
    amount: str | Decimal | None = None
    amount_reason: str | None = None
    works_start: date | None = None
    works_end: date | None = None
    defect_liability_months: int | None = None
    clauses: list[ClauseData] | None = None
    milestones: list[MilestoneData] | None = None
    payment_terms: list[TermData] | None = None
    expected_version: int | None = None


# -- rules and helpers ------------------------------------------------------------------------


def owns(actor: Subject, contract: Contract) -> bool:
    """Owner staff of the contract's owner organisation."""
    return actor.organisation_id == contract.owner_organisation_id and "owner_staff" in actor.roles


def party_of(actor: Subject, contract: Contract) -> str | None:
    """The party the actor acts for: their organisation is that party and they hold its role."""
    for party, organisation_id in parties_of(contract).items():
        if actor.organisation_id == organisation_id and PARTY_ROLES[party] in actor.roles:
            return party
    return None


def limits(uow: UnitOfWork) -> cc.Limits:
    return cc.Limits(uow.settings.contract_advance_max_percent, uow.settings.contract_retention_max_percent)


def require_owner(uow: UnitOfWork, contract: Contract) -> None:
    if not owns(uow.require_actor(), contract):
        raise Forbidden("NOT_CONTRACT_OWNER", operation=uow.operation)


async def get_contract(uow: UnitOfWork, contract_id: int, *, lock: bool = False) -> Contract:
    return await get_in_scope(uow, Contract, contract_id, lock=lock)


def _check_version(contract: Contract, expected: int | None) -> None:
    if expected is not None and expected != contract.version:
        raise UserErrors(Problem("STALE_CONTRACT_VERSION", "expectedVersion", {"expected": expected, "current": contract.version}))


def transition(uow: UnitOfWork, contract: Contract, action: str, comment: str | None = None) -> None:
    CONTRACT_LIFECYCLE.apply(uow, contract, action, ContractStatusChange, "contract_id", comment)
    if contract.status == "terminated" and contract.signed_at is None:
        # Ended before it was in force: the award may be drafted into a contract again. A
        # contract that was signed keeps its award: ending it is not a new award.
        contract.active_for_tender = None


def sha256_of(content: dict[str, Any]) -> tuple[str, str]:
    """The canonical JSON of a content object and its SHA-256 (hex)."""
    text = canonical_json(content)
    return text, hashlib.sha256(text.encode("utf-8")).hexdigest()


async def open_version(uow: UnitOfWork, contract: Contract) -> ContractVersion | None:
    """The version being drafted or signed, if any."""
    stmt = select(ContractVersion).where(ContractVersion.open_for_contract == contract.id).with_for_update()
    return (await uow.session.execute(stmt)).scalar_one_or_none()


async def _parties(uow: UnitOfWork, contract: Contract) -> list[cc.Party]:
    ids = parties_of(contract)
    rows = {o.id: o for o in (await uow.session.execute(select(Organisation).where(Organisation.id.in_(ids.values())))).scalars()}
    return [cc.Party(role, oid, rows[oid].name, rows[oid].uscc) for role, oid in ids.items()]


async def content_of(uow: UnitOfWork, contract: Contract, version: int, parties: list[cc.Party] | None = None) -> cc.ContractContent:
    """The contract's content as its rows hold it, as version ``version``. ``parties``: the
    parties as a version names them (an organisation renamed since keeps its signed name)."""
    session = uow.session
    project_code, tender_code = (
        await session.execute(
            select(Project.code, Tender.code).join(Tender, Tender.project_id == Project.id).where(Tender.id == contract.tender_id)
        )
    ).one()
    clauses = (
        await session.execute(select(ContractClause).where(ContractClause.contract_id == contract.id).order_by(ContractClause.sequence))
    ).scalars()
    milestones = list(
        (
            await session.execute(
                select(ContractMilestone).where(ContractMilestone.contract_id == contract.id).order_by(ContractMilestone.sequence)
            )
        ).scalars()
    )
    codes = {m.id: m.code for m in milestones}
    terms = (
        await session.execute(select(PaymentTerm).where(PaymentTerm.contract_id == contract.id).order_by(PaymentTerm.sequence))
    ).scalars()
    documents = (
        await session.execute(
            select(ContractDocument).where(ContractDocument.contract_id == contract.id).order_by(ContractDocument.sequence)
        )
    ).scalars()
    return cc.ContractContent(
        code=contract.code,
        number=contract.number,
        title=contract.title,
        project_code=project_code,
        tender_code=tender_code,
        amount=contract.amount,
        award_value=contract.award_value,
        amount_reason=contract.amount_reason,
        works_start=contract.works_start,
        works_end=contract.works_end,
        defect_liability_months=contract.defect_liability_months,
        parties=parties if parties is not None else await _parties(uow, contract),
        clauses=[cc.Clause(c.kind, c.title, c.text, json.loads(c.fields)) for c in clauses],
        milestones=[cc.Milestone(m.code, m.name, m.planned_date, m.share) for m in milestones],
        terms=[
            cc.Term(t.name, t.percentage, t.trigger_on, codes.get(t.milestone_id) if t.milestone_id else None, t.due_days, t.amount)
            for t in terms
        ],
        documents=[cc.Document(d.name, d.filename, d.sha256, d.size) for d in documents],
        version=version,
    )


def _merge(checks: Checks, uow: UnitOfWork, base: cc.ContractContent, data: ContractData) -> cc.ContractContent:
    """``base`` with the changes of ``data``, every rule checked (problems go to ``checks``)."""
    number = checks.text("number", data.number, 50) if data.number is not None else base.number
    title = checks.text("title", data.title, 200) if data.title is not None else base.title
    amount = base.amount
    if data.amount is not None:
        parsed = decimal_field(checks, "amount", data.amount, FEN)
        if parsed is not None and parsed <= 0:
            checks.add("AMOUNT_NOT_POSITIVE", "amount")
        elif parsed is not None:
            amount = parsed
    reason = base.amount_reason
    if data.amount_reason is not None:
        reason = checks.text("amountReason", data.amount_reason, 2000, required=False)
    if amount == base.award_value:
        reason = None
    elif not reason:
        checks.add("AMOUNT_REASON_REQUIRED", "amountReason", award=f"{base.award_value:,.2f}")
    start = data.works_start or base.works_start
    end = data.works_end or base.works_end
    if start and end and end < start:
        checks.add("WORKS_END_BEFORE_START", "worksEnd")
    months = base.defect_liability_months if data.defect_liability_months is None else data.defect_liability_months
    if not 0 <= months <= 120:
        checks.add("NUMBER_OUT_OF_RANGE", "defectLiabilityMonths")
    clauses = base.clauses
    if data.clauses is not None:
        clauses = cc.check_clauses(checks, [cc.Clause(c.kind, c.title or "", c.text or "", c.fields) for c in data.clauses])
    warranty = [c for c in clauses if c.kind == "warranty" and c.fields.get("defectLiabilityMonths") is not None]
    if warranty and data.defect_liability_months is None:
        months = warranty[0].fields["defectLiabilityMonths"]
    elif warranty and warranty[0].fields["defectLiabilityMonths"] != months:
        checks.add("WARRANTY_PERIOD_MISMATCH", "defectLiabilityMonths", months=warranty[0].fields["defectLiabilityMonths"])
    milestones = base.milestones
    if data.milestones is not None:
        milestones = []
        for i, m in enumerate(data.milestones):
            share = cc.percent(checks, f"milestones.{i}.share", m.share)
            milestones.append(cc.Milestone((m.code or "").strip().upper(), (m.name or "").strip(), m.planned_date, share or Decimal("0")))
    cc.check_milestones(checks, milestones, start, end)
    terms = base.terms
    if data.payment_terms is not None:
        terms = []
        for i, t in enumerate(data.payment_terms):
            pct = cc.percent(checks, f"paymentTerms.{i}.percentage", t.percentage)
            terms.append(cc.Term((t.name or "").strip(), pct or Decimal("0"), t.trigger, t.milestone_code, t.due_days))
    cc.check_terms(checks, terms, {m.code.upper() for m in milestones}, limits(uow))
    return cc.ContractContent(
        code=base.code,
        number=number or base.number,
        title=title or base.title,
        project_code=base.project_code,
        tender_code=base.tender_code,
        amount=amount,
        award_value=base.award_value,
        amount_reason=reason,
        works_start=start,
        works_end=end,
        defect_liability_months=months,
        parties=base.parties,
        clauses=clauses,
        milestones=milestones,
        terms=cc.with_amounts(terms, amount) if all(t.percentage for t in terms) else terms,
        documents=base.documents,
        version=base.version,
    )


async def _check_number(uow: UnitOfWork, checks: Checks, owner_id: int, number: str, contract_id: int | None) -> None:
    stmt = select(Contract.code).where(Contract.owner_organisation_id == owner_id, Contract.number == number)
    if contract_id is not None:
        stmt = stmt.where(Contract.id != contract_id)
    taken = (await uow.session.execute(stmt)).scalar_one_or_none()
    if taken is not None:
        checks.add("CONTRACT_NUMBER_TAKEN", "number", ref=taken)


async def _supervisor(uow: UnitOfWork, checks: Checks, organisation_id: int | None) -> int | None:
    if organisation_id is None:
        return None
    kind = (await uow.session.execute(select(Organisation.kind).where(Organisation.id == organisation_id))).scalar_one_or_none()
    if kind != "supervisor":
        checks.add("NOT_A_SUPERVISOR", "supervisorId")
        return None
    return organisation_id


async def write_rows(uow: UnitOfWork, contract: Contract, content: cc.ContractContent) -> None:
    """Make the contract's rows hold ``content``. Milestones and terms keep their rows (and
    ids) where their code (a milestone) or sequence (a term) stays, so progress and payments
    that refer to them follow the contract through amendments."""
    session = uow.session
    contract.number, contract.title = content.number, content.title
    contract.amount, contract.amount_reason = content.amount, content.amount_reason
    contract.works_start, contract.works_end = content.works_start, content.works_end
    contract.defect_liability_months = content.defect_liability_months
    contract.updated_at = uow.now
    await session.execute(delete(ContractClause).where(ContractClause.contract_id == contract.id))
    for i, c in enumerate(content.clauses, start=1):
        session.add(
            ContractClause(contract_id=contract.id, sequence=i, kind=c.kind, title=c.title, text=c.text, fields=canonical_json(c.fields))
        )
    existing = {
        m.code: m for m in (await session.execute(select(ContractMilestone).where(ContractMilestone.contract_id == contract.id))).scalars()
    }
    terms = {t.sequence: t for t in (await session.execute(select(PaymentTerm).where(PaymentTerm.contract_id == contract.id))).scalars()}
    # Terms and milestones are renumbered: park the old sequences out of the way first.
    for milestone in existing.values():
        milestone.sequence = -milestone.id
    for term in terms.values():
        term.sequence = -term.id
    await session.flush()
    wanted = {m.code for m in content.milestones}
    by_code: dict[str, ContractMilestone] = {}
    for i, m in enumerate(content.milestones, start=1):
        found = existing.get(m.code)
        if found is None:
            found = ContractMilestone(contract_id=contract.id, code=m.code)
            session.add(found)
        milestone = found
        milestone.sequence, milestone.name, milestone.planned_date, milestone.share = i, m.name, m.planned_date, m.share
        by_code[m.code] = milestone
    await session.flush()
    for i, t in enumerate(content.terms, start=1):
        kept = terms.pop(i, None)
        if kept is None:
            kept = PaymentTerm(contract_id=contract.id, status="scheduled")
            session.add(kept)
        term = kept
        term.sequence, term.name, term.percentage, term.trigger_on = i, t.name, t.percentage, t.trigger
        term.amount = t.amount if t.amount is not None else Decimal("0")
        term.milestone_id = by_code[t.milestone_code].id if t.milestone_code else None
        term.due_days = t.due_days
    for dropped in terms.values():
        await session.delete(dropped)
    await session.flush()
    for code, gone in existing.items():
        if code not in wanted:
            await session.delete(gone)
    await session.flush()


async def _store_version(uow: UnitOfWork, version: ContractVersion, content: cc.ContractContent) -> bool:
    """Put ``content`` into ``version``; True when its hash changed."""
    text, digest = sha256_of(cc.canonical(content))
    changed = digest != version.content_sha256
    version.content, version.content_sha256 = text, digest
    return changed


async def void_signatures(uow: UnitOfWork, contract: Contract, version: ContractVersion, reason: str) -> list[ContractSignature]:
    """Void every standing signature of ``version``: any change to signed content does."""
    standing = list(
        (
            await uow.session.execute(
                select(ContractSignature).where(ContractSignature.version_id == version.id, ContractSignature.standing.is_not(None))
            )
        ).scalars()
    )
    for s in standing:
        s.standing, s.voided_at, s.void_reason = None, uow.now, reason
    if standing:
        version.voided_rounds += 1
        uow.audit(
            "Contract",
            contract.id,
            {"signatures_voided": [s.party for s in standing], "version": version.number, "reason": reason},
            region_code=contract.region_code,
        )
        await events.signatures_voided(uow, contract, version, [s.party for s in standing])
    return standing


# -- drafting ---------------------------------------------------------------------------------


async def draft_contract(uow: UnitOfWork, data: ContractData) -> Contract:
    """Draft the contract of an awarded tender with its winner. Drafted later than
    ``contract_draft_days`` after the award, it is still drafted, with a warning."""
    actor = uow.require_actor()
    assert data.tender_id is not None  # required by the GraphQL input
    tender = await get_in_scope(uow, Tender, data.tender_id, lock=True)
    if not (actor.organisation_id == tender.owner_organisation_id and "owner_staff" in actor.roles):
        raise Forbidden("NOT_CONTRACT_OWNER", operation=uow.operation)
    if tender.status != "awarded" or tender.recommended_bid_id is None or tender.award_value is None or tender.awarded_at is None:
        raise UserErrors(Problem("TENDER_NOT_AWARDED", "tenderId", {"status": Label("TenderStatus", tender.status)}))
    live = (await uow.session.execute(select(Contract.code).where(Contract.active_for_tender == tender.id))).scalar_one_or_none()
    if live is not None:
        raise UserErrors(Problem("CONTRACT_EXISTS", "tenderId", {"code": live}))
    winner = await uow.session.get(Bid, tender.recommended_bid_id)
    project = await uow.session.get(Project, tender.project_id)
    assert winner is not None and project is not None
    checks = Checks()
    number = checks.text("number", data.number, 50)
    supervisor = await _supervisor(uow, checks, data.supervisor_id)
    for name, value in (("worksStart", data.works_start), ("worksEnd", data.works_end)):
        if value is None:
            checks.add("REQUIRED", name)
    for name, rows in (("milestones", data.milestones), ("paymentTerms", data.payment_terms)):
        if rows is None:
            checks.add("REQUIRED", name)
    if number:
        await _check_number(uow, checks, tender.owner_organisation_id, number, None)
    checks.raise_if_any()
    assert data.works_start and data.works_end and number
    contract = Contract(
        code=await next_code(uow, uow.settings.contract_code_prefix),
        number=number,
        title=project.title,
        project_id=project.id,
        tender_id=tender.id,
        active_for_tender=tender.id,
        award_bid_id=winner.id,
        owner_organisation_id=tender.owner_organisation_id,
        contractor_organisation_id=winner.organisation_id,
        supervisor_organisation_id=supervisor,
        region_code=tender.region_code,
        status="draft",
        amount=tender.award_value,
        award_value=tender.award_value,
        works_start=data.works_start,
        works_end=data.works_end,
        defect_liability_months=uow.settings.contract_defect_liability_months,
        awarded_at=tender.awarded_at,
        latest_version=1,
        created_by_id=actor.id if actor.kind == "user" else None,
        created_at=uow.now,
        updated_at=uow.now,
    )
    base = cc.ContractContent(
        code=contract.code,
        number=number,
        title=project.title,
        project_code=project.code,
        tender_code=tender.code,
        amount=tender.award_value,
        award_value=tender.award_value,
        amount_reason=None,
        works_start=data.works_start,
        works_end=data.works_end,
        defect_liability_months=contract.defect_liability_months,
        parties=[],
        clauses=[],
        milestones=[],
        terms=[],
    )
    content = _merge(checks, uow, base, data)
    checks.raise_if_any()
    days = (today_in_china(uow.now) - today_in_china(tender.awarded_at)).days
    if days > uow.settings.contract_draft_days:
        contract.drafted_late_days = days - uow.settings.contract_draft_days
    uow.session.add(contract)
    await uow.session.flush()
    await write_rows(uow, contract, content)
    content.parties = await _parties(uow, contract)
    version = ContractVersion(
        contract_id=contract.id, open_for_contract=contract.id, number=1, kind="original", status="draft", content="", content_sha256=""
    )
    version.created_by_id, version.created_at = contract.created_by_id, uow.now
    await _store_version(uow, version, content)
    uow.session.add(version)
    uow.session.add(
        ContractStatusChange(
            contract_id=contract.id,
            from_status=None,
            to_status="draft",
            action="draft",
            actor_id=actor.id,
            actor_name=actor.display_name,
            occurred_at=uow.now,
        )
    )
    await uow.session.flush()
    uow.audit(
        "Contract",
        contract.id,
        {
            "drafted_from": tender.code,
            "amount": f"{contract.amount}",
            "content_sha256": version.content_sha256,
            "late_days": contract.drafted_late_days,
        },
        region_code=contract.region_code,
    )
    if contract.drafted_late_days:
        await events.drafted_late(uow, contract, days)
    return contract


async def update_contract(uow: UnitOfWork, contract_id: int, data: ContractData) -> Contract:
    """Change a contract before it is in force. A change to content that a party has
    already signed voids every signature of it."""
    contract, version = await _editable(uow, contract_id)
    _check_version(contract, data.expected_version)
    checks = Checks()
    base = await content_of(uow, contract, version.number)
    supervisor = contract.supervisor_organisation_id
    if data.clear_supervisor:
        supervisor = None
    elif data.supervisor_id is not None:
        supervisor = await _supervisor(uow, checks, data.supervisor_id)
    content = _merge(checks, uow, base, data)
    if data.number is not None and content.number != contract.number:
        await _check_number(uow, checks, contract.owner_organisation_id, content.number, contract.id)
    checks.raise_if_any()
    before = canonical_json(cc.canonical(base))
    contract.supervisor_organisation_id = supervisor
    await write_rows(uow, contract, content)
    content.parties = await _parties(uow, contract)
    await _content_changed(uow, contract, version, content, json.loads(before))
    await uow.session.flush()
    return contract


async def _content_changed(
    uow: UnitOfWork, contract: Contract, version: ContractVersion, content: cc.ContractContent, before: dict[str, Any]
) -> None:
    """Store the open version's new content; if its hash changed, audit the change and void
    every signature already made over the old content."""
    if await _store_version(uow, version, content):
        uow.audit(
            "Contract", contract.id, {"content_before": before, "content_sha256": version.content_sha256}, region_code=contract.region_code
        )
        await void_signatures(uow, contract, version, "content_changed")


async def _editable(uow: UnitOfWork, contract_id: int) -> tuple[Contract, ContractVersion]:
    contract = await get_contract(uow, contract_id, lock=True)
    require_owner(uow, contract)
    if contract.status not in EDITABLE_STATUSES:
        raise UserErrors(Problem("CONTRACT_LOCKED", None, {"status": Label("ContractStatus", contract.status)}))
    version = await open_version(uow, contract)
    assert version is not None
    return contract, version


async def attach_document(uow: UnitOfWork, storage: Storage, contract_id: int, name: str | None, upload: Upload) -> ContractDocument:
    """Attach a document before the contract is in force. Its SHA-256 joins the signed
    content, so attaching one voids signatures already made."""
    contract, version = await _editable(uow, contract_id)
    checks = Checks()
    name = checks.text("name", name, 200)
    filename, media = check_upload(checks, "file", upload, uow.settings.upload_max_bytes)
    count = (
        await uow.session.execute(select(func.count(ContractDocument.id)).where(ContractDocument.contract_id == contract.id))
    ).scalar_one()
    if count >= MAX_DOCUMENTS:
        checks.add("TOO_MANY_ENTRIES", "file", max=MAX_DOCUMENTS)
    checks.raise_if_any()
    assert media is not None and name is not None
    before = cc.canonical(await content_of(uow, contract, version.number))
    key, created = await storage.put(upload.data)
    if created:
        uow.on_rollback(lambda: storage.delete(key))
    last = (
        await uow.session.execute(select(func.max(ContractDocument.sequence)).where(ContractDocument.contract_id == contract.id))
    ).scalar()
    document = ContractDocument(
        contract_id=contract.id,
        sequence=(last or 0) + 1,
        name=name,
        filename=filename,
        media_type=media.mime,
        size=len(upload.data),
        sha256=key,
        storage_key=key,
        uploaded_by_id=uow.require_actor().id,
        uploaded_at=uow.now,
    )
    uow.session.add(document)
    contract.updated_at = uow.now
    await uow.session.flush()
    await _content_changed(uow, contract, version, await content_of(uow, contract, version.number), before)
    uow.audit("Contract", contract.id, {"document_attached": {"name": name, "sha256": key}}, region_code=contract.region_code)
    return document


async def remove_document(uow: UnitOfWork, document_id: int) -> Contract:
    """Take a document off a contract before it is in force (the stored file stays: other
    rows may name the same content)."""
    document = await get_in_scope(uow, ContractDocument, document_id)
    contract, version = await _editable(uow, document.contract_id)
    before = cc.canonical(await content_of(uow, contract, version.number))
    await uow.session.delete(document)
    contract.updated_at = uow.now
    await uow.session.flush()
    await _content_changed(uow, contract, version, await content_of(uow, contract, version.number), before)
    uow.audit(
        "Contract", contract.id, {"document_removed": {"name": document.name, "sha256": document.sha256}}, region_code=contract.region_code
    )
    return contract


async def submit_for_signature(uow: UnitOfWork, contract_id: int, expected_version: int | None = None) -> Contract:
    """Send the draft to the parties for signature: its content is final unless changed again."""
    contract = await get_contract(uow, contract_id, lock=True)
    require_owner(uow, contract)
    _check_version(contract, expected_version)
    if not CONTRACT_LIFECYCLE.allows("submit", contract.status):
        raise UserErrors(Problem("CONTRACT_NOT_DRAFT", None, {"status": Label("ContractStatus", contract.status)}))
    version = await open_version(uow, contract)
    assert version is not None
    version.status, version.submitted_at = "pending_signature", uow.now
    transition(uow, contract, "submit")
    await uow.session.flush()
    await events.submitted(uow, contract, version)
    return contract


# -- amendments and termination ----------------------------------------------------------------


async def _check_paid_terms(uow: UnitOfWork, checks: Checks, contract: Contract, proposed: cc.ContractContent) -> None:
    """A term already paid (or being paid) keeps its name, share, trigger and amount; a
    milestone under way keeps its code."""
    terms = (await uow.session.execute(select(PaymentTerm).where(PaymentTerm.contract_id == contract.id))).scalars()
    for term in terms:
        if term.status != "paid":
            continue
        new = proposed.terms[term.sequence - 1] if term.sequence <= len(proposed.terms) else None
        if new is None or (new.name, new.percentage, new.trigger, new.amount) != (term.name, term.percentage, term.trigger_on, term.amount):
            checks.add("TERM_ALREADY_PAID", "paymentTerms", sequence=term.sequence, name=term.name)
    codes = {m.code for m in proposed.milestones}
    started = (
        await uow.session.execute(
            select(ContractMilestone.code).where(ContractMilestone.contract_id == contract.id, ContractMilestone.status != "planned")
        )
    ).scalars()
    for code in started:
        if code not in codes:
            checks.add("MILESTONE_UNDER_WAY", "milestones", ref=code)


async def propose_amendment(uow: UnitOfWork, contract_id: int, reason: str | None, data: ContractData) -> ContractVersion:
    """An amendment of an active contract: a new version for every party to sign. Proposed
    again while open, it replaces the open one's content and voids its signatures."""
    contract = await get_contract(uow, contract_id, lock=True)
    require_owner(uow, contract)
    if contract.status != "active":
        raise UserErrors(Problem("CONTRACT_NOT_ACTIVE", None, {"status": Label("ContractStatus", contract.status)}))
    _check_version(contract, data.expected_version)
    checks = Checks()
    reason = checks.text("reason", reason, 2000)
    if data.supervisor_id is not None or data.clear_supervisor:
        checks.add("PARTIES_FIXED", "supervisorId")
    version = await open_version(uow, contract)
    number = version.number if version is not None else contract.latest_version + 1
    effective = await content_of(uow, contract, number)
    proposed = _merge(checks, uow, effective, data)
    if data.number is not None and proposed.number != contract.number:
        await _check_number(uow, checks, contract.owner_organisation_id, proposed.number, contract.id)
    await _check_paid_terms(uow, checks, contract, proposed)
    if not checks.problems and cc.canonical(proposed) == cc.canonical(effective):
        checks.add("NOTHING_CHANGED", None)
    checks.raise_if_any()
    actor = uow.require_actor()
    if version is None:
        version = ContractVersion(
            contract_id=contract.id,
            open_for_contract=contract.id,
            number=number,
            kind="amendment",
            status="pending_signature",
            content="",
            content_sha256="",
            created_by_id=actor.id if actor.kind == "user" else None,
            created_at=uow.now,
            submitted_at=uow.now,
        )
        uow.session.add(version)
        contract.latest_version = number
        await uow.session.flush()
    else:
        await void_signatures(uow, contract, version, "amendment_changed")
    version.reason = reason
    await _store_version(uow, version, proposed)
    contract.updated_at = uow.now
    await uow.session.flush()
    uow.audit(
        "Contract",
        contract.id,
        {"amendment": number, "reason": reason, "content_sha256": version.content_sha256},
        region_code=contract.region_code,
    )
    await events.amendment_proposed(uow, contract, version)
    return version


async def withdraw_amendment(uow: UnitOfWork, contract_id: int, reason: str | None) -> Contract:
    contract = await get_contract(uow, contract_id, lock=True)
    require_owner(uow, contract)
    version = await open_version(uow, contract)
    if version is None or version.kind != "amendment":
        raise UserErrors(Problem("NO_OPEN_AMENDMENT", None))
    checks = Checks()
    reason = checks.text("reason", reason, 2000)
    checks.raise_if_any()
    await void_signatures(uow, contract, version, "amendment_withdrawn")
    version.status, version.open_for_contract, version.closed_at = "withdrawn", None, uow.now
    contract.updated_at = uow.now
    uow.audit("Contract", contract.id, {"amendment_withdrawn": version.number, "reason": reason}, region_code=contract.region_code)
    await events.amendment_withdrawn(uow, contract, version, reason or "")
    await uow.session.flush()
    return contract


async def terminate_contract(uow: UnitOfWork, contract_id: int, reason: str | None) -> Contract:
    """End a contract for good (a draft abandoned, or a contract in force ended early).
    A contract ended before it was in force frees its tender for another."""
    contract = await get_contract(uow, contract_id, lock=True)
    require_owner(uow, contract)
    if not CONTRACT_LIFECYCLE.allows("terminate", contract.status):
        raise UserErrors(Problem("CONTRACT_CLOSED", None, {"status": Label("ContractStatus", contract.status)}))
    checks = Checks()
    reason = checks.text("reason", reason, 2000)
    checks.raise_if_any()
    version = await open_version(uow, contract)
    if version is not None:
        await void_signatures(uow, contract, version, "terminated")
        version.status, version.open_for_contract, version.closed_at = "withdrawn", None, uow.now
    sent = contract.status != "draft"
    transition(uow, contract, "terminate", reason)
    contract.terminated_at, contract.termination_reason = uow.now, reason
    await uow.session.flush()
    await events.terminated(uow, contract, reason or "", sent=sent)
    return contract


# -- coming into force --------------------------------------------------------------------------


async def come_into_force(uow: UnitOfWork, contract: Contract, version: ContractVersion) -> None:
    """Every party has signed ``version``: the original makes the contract active (and the
    project contracted, and the advance due); an amendment becomes the contract's rows."""
    version.status, version.open_for_contract, version.activated_at = "active", None, uow.now
    if version.kind == "original":
        transition(uow, contract, "activate")
        contract.signed_at, contract.effective_version = uow.now, version.number
        project = await uow.session.get(Project, contract.project_id, with_for_update=True)
        assert project is not None
        if PROJECT_LIFECYCLE.allows("sign_contract", project.status):
            await project_transition(uow, project, "sign_contract", contract.code)
        today = today_in_china(uow.now)
        terms = (
            await uow.session.execute(
                select(PaymentTerm).where(PaymentTerm.contract_id == contract.id, PaymentTerm.trigger_on == "signing")
            )
        ).scalars()
        for term in terms:
            term.status = "due"
            term.due_on = today + timedelta(days=term.due_days if term.due_days is not None else uow.settings.contract_advance_due_days)
        await uow.session.flush()
        await events.activated(uow, contract)
        return
    previous = (
        await uow.session.execute(
            select(ContractVersion).where(
                ContractVersion.contract_id == contract.id, ContractVersion.status == "active", ContractVersion.id != version.id
            )
        )
    ).scalars()
    for old in previous:
        old.status, old.closed_at = "superseded", uow.now
    proposed = cc.from_canonical(json.loads(version.content), await _parties(uow, contract))
    await write_rows(uow, contract, proposed)
    contract.effective_version = version.number
    uow.audit(
        "Contract", contract.id, {"amended": version.number, "content_sha256": version.content_sha256}, region_code=contract.region_code
    )
    await events.amended(uow, contract, version)


# -- what a viewer may do -------------------------------------------------------------------------

CONTRACT_ACTIONS = {
    "update": "updateContract",
    "submit_for_signature": "submitContractForSignature",
    "sign": "signContract",
    "propose_amendment": "proposeContractAmendment",
    "withdraw_amendment": "withdrawContractAmendment",
    "terminate": "terminateContract",
}


@dataclass
class Viewing:
    """What a viewer's actions depend on beyond the contract row, loaded by the caller."""

    open_version: ContractVersion | None = None
    signed_parties: frozenset[str] = frozenset()


def contract_actions(actor: Subject, contract: Contract, viewing: Viewing) -> list[str]:
    """The actions the lifecycle and row rules let ``actor`` take on ``contract`` now, by
    the same rules the mutations apply; the gate is applied by the caller."""
    found: list[str] = []
    open_ = viewing.open_version
    if owns(actor, contract):
        if contract.status in EDITABLE_STATUSES:
            found.append("update")
        if CONTRACT_LIFECYCLE.allows("submit", contract.status):
            found.append("submit_for_signature")
        if contract.status == "active":
            found.append("propose_amendment")
            if open_ is not None and open_.kind == "amendment":
                found.append("withdraw_amendment")
        if CONTRACT_LIFECYCLE.allows("terminate", contract.status):
            found.append("terminate")
    party = party_of(actor, contract)
    if party is not None and open_ is not None and open_.status == "pending_signature" and party not in viewing.signed_parties:
        found.append("sign")
    return [a for a in CONTRACT_ACTIONS if a in found]
