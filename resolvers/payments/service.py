"""Payment requests (付款申请): raised when a term's trigger is met, decided step by step
along the approval chain, and paid.

No payment without basis (杜绝白条) — each of these is checked in the transaction that acts,
with the contract's row locked, so concurrent approvals and payments of one contract queue
behind one another:
- a request names a term whose trigger is met (the contract signed, the milestone accepted,
  the works accepted, the defect liability period over), else ``TERM_NOT_DUE``;
- a term has one live request (a unique column), so it is paid at most once;
- the approved and paid requests of a contract never add up to more than its amount;
- retention is neither requested, approved nor paid before its release date;
- the finance step approves only a request whose verified invoices add up to its amount.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import case, func, select, type_coerce

from models.accounts import Organisation
from models.base import FEN, Money
from models.contracts import Contract, ContractMilestone, PaymentTerm
from models.payments import (
    COUNTED_INVOICE_STATUSES,
    Invoice,
    PaymentApproval,
    PaymentRequest,
    PaymentRequestStatusChange,
)
from models.projects import Project
from policies.subject import Actor as Subject
from resolvers.accounts.service import BANK_ACCOUNT_RE, bank_account_context
from resolvers.contracts.service import get_contract, owns
from resolvers.core.clock import today_in_china
from resolvers.core.context import UnitOfWork
from resolvers.core.errors import Forbidden, Problem, UserErrors
from resolvers.core.i18n import Label
from resolvers.core.lifecycle import StateMachine, Transition
from resolvers.core.money import decimal_field
from resolvers.core.scoped import get_in_scope
from resolvers.core.validation import Checks
from resolvers.payments import events, idempotency
from resolvers.projects.service import PROJECT_LIFECYCLE, next_code
from resolvers.projects.service import transition as project_transition
from resolvers.security.keys import encrypted_column

PAYMENT_LIFECYCLE = StateMachine(
    "PaymentRequest",
    [
        # A step of the chain approved, another to come: the request stays pending.
        Transition("approve_step", {"pending"}, "pending"),
        Transition("approve", {"pending"}, "approved"),
        Transition("reject", {"pending"}, "rejected"),
        Transition("cancel", {"pending", "approved"}, "cancelled"),
        Transition("pay", {"approved"}, "paid"),
    ],
    statuses="PaymentRequestStatus",
    actions="PaymentRequestAction",
)
# The project is settled (closed) once every term of its contract is paid.
PROJECT_LIFECYCLE.add(Transition("settle", {"completed"}, "closed"))

PAYABLE_CONTRACT_STATUSES = ("active", "completed")
BANK_REFERENCE_RE = re.compile(r"^[A-Za-z0-9-]{4,64}$")

# Bank accounts of a payment: sealed with the column and the row's id as associated data.
PAYER_CONTEXT = "payment_requests.payer_account"
PAYEE_CONTEXT = "payment_requests.payee_account"


def payer_context(request_id: int) -> str:
    return f"{PAYER_CONTEXT}:{request_id}"


def payee_context(request_id: int) -> str:
    return f"{PAYEE_CONTEXT}:{request_id}"


encrypted_column(PaymentRequest, "payer_account", PAYER_CONTEXT, lambda row: payer_context(row.id))
encrypted_column(PaymentRequest, "payee_account", PAYEE_CONTEXT, lambda row: payee_context(row.id))


def chain_of(request: PaymentRequest) -> list[str]:
    return request.chain.split(",")


def step_role(request: PaymentRequest) -> str | None:
    """The role that decides the step the request waits at (None once decided)."""
    chain = chain_of(request)
    return chain[request.step] if request.status == "pending" and request.step < len(chain) else None


def may_decide(actor: Subject, request: PaymentRequest, role: str | None) -> bool:
    """The owner's staff decide for the owner (the contractor's people for the contractor,
    should a chain name them); any other role decides for the region it covers."""
    if role is None or role not in actor.roles:
        return False
    if role == "owner_staff":
        return actor.organisation_id == request.owner_organisation_id
    if role == "contractor":
        return actor.organisation_id == request.contractor_organisation_id
    return request.region_code.startswith(actor.region_prefix)


def may_pay(actor: Subject, request: PaymentRequest) -> bool:
    return "finance_officer" in actor.roles and request.region_code.startswith(actor.region_prefix)


def is_finance_step(request: PaymentRequest, role: str) -> bool:
    """The step that needs verified invoices: finance's, or the last if no step is finance's."""
    chain = chain_of(request)
    return role == "finance_officer" or ("finance_officer" not in chain and request.step == len(chain) - 1)


# -- reading ------------------------------------------------------------------------------


def fen_sum(expression: Any) -> Any:
    """SUM of a money expression as an exact amount (0.00 over no rows)."""
    return type_coerce(func.coalesce(func.sum(expression), 0), Money())


def committed_amount() -> Any:
    """What a request commits of its contract's amount: the sum paid once paid, its amount
    once approved, nothing before."""
    return case(
        (PaymentRequest.status == "paid", PaymentRequest.paid_amount),
        (PaymentRequest.status == "approved", PaymentRequest.amount),
        else_=0,
    )


async def committed(uow: UnitOfWork, contract_id: int, excluding: int) -> Decimal:
    """The approved and paid amounts of a contract's requests, but ``excluding``'s."""
    stmt = select(fen_sum(committed_amount())).where(PaymentRequest.contract_id == contract_id, PaymentRequest.id != excluding)
    return (await uow.session.execute(stmt)).scalar_one()


async def invoiced(uow: UnitOfWork, request_id: int, statuses: tuple[str, ...] = COUNTED_INVOICE_STATUSES) -> tuple[Decimal, int]:
    """The total and the count of a request's invoices in ``statuses``."""
    stmt = select(fen_sum(Invoice.total_amount), func.count(Invoice.id)).where(
        Invoice.request_id == request_id, Invoice.status.in_(statuses)
    )
    total, count = (await uow.session.execute(stmt)).one()
    return total, count


async def contract_locked(uow: UnitOfWork, contract_id: int) -> Contract:
    """The contract with its row locked: every change of its payments queues here."""
    return await get_contract(uow, contract_id, lock=True)


async def _request(uow: UnitOfWork, request_id: int, *, lock: bool = False) -> PaymentRequest:
    return await get_in_scope(uow, PaymentRequest, request_id, lock=lock)


async def _term(uow: UnitOfWork, request: PaymentRequest) -> PaymentTerm:
    term = await uow.session.get(PaymentTerm, request.term_id)
    assert term is not None
    return term


def _payable(contract: Contract) -> None:
    if contract.status not in PAYABLE_CONTRACT_STATUSES:
        raise UserErrors(Problem("CONTRACT_NOT_PAYABLE", None, {"status": Label("ContractStatus", contract.status)}))


def _released(request: PaymentRequest, today: date) -> None:
    if request.release_on is not None and today < request.release_on:
        raise UserErrors(Problem("RETENTION_NOT_RELEASED", None, {"release_on": request.release_on.isoformat()}))


# -- triggers and new requests ----------------------------------------------------------------


def trigger_met_on(term: PaymentTerm, contract: Contract, milestone: ContractMilestone | None, today: date) -> date | None:
    """The day (China) the term's trigger was met, or None while it is not."""
    if term.trigger_on == "signing":
        return today_in_china(contract.signed_at) if contract.signed_at else None
    if term.trigger_on == "milestone":
        accepted = milestone is not None and milestone.status == "accepted" and milestone.accepted_at is not None
        return today_in_china(milestone.accepted_at) if accepted else None  # type: ignore[union-attr,arg-type]
    if term.trigger_on == "final_acceptance":
        return today_in_china(contract.completed_at) if contract.completed_at else None
    # Retention: the works accepted and the defect liability period over.
    if contract.completed_at is None or term.due_on is None or today < term.due_on:
        return None
    return term.due_on


async def _milestone_of(uow: UnitOfWork, term: PaymentTerm) -> ContractMilestone | None:
    return await uow.session.get(ContractMilestone, term.milestone_id) if term.milestone_id else None


async def _live_request_of(uow: UnitOfWork, term_id: int) -> PaymentRequest | None:
    return (await uow.session.execute(select(PaymentRequest).where(PaymentRequest.live_for_term == term_id))).scalar_one_or_none()


async def _open(uow: UnitOfWork, contract: Contract, term: PaymentTerm, met_on: date, origin: str, note: str | None) -> PaymentRequest:
    actor = uow.require_actor()
    request = PaymentRequest(
        code=await next_code(uow, uow.settings.payment_code_prefix),
        contract_id=contract.id,
        term_id=term.id,
        project_id=contract.project_id,
        region_code=contract.region_code,
        owner_organisation_id=contract.owner_organisation_id,
        contractor_organisation_id=contract.contractor_organisation_id,
        live_for_term=term.id,
        origin=origin,
        trigger_on=term.trigger_on,
        triggered_on=met_on,
        release_on=term.due_on if term.trigger_on == "retention" else None,
        amount=term.amount,
        status="pending",
        chain=uow.settings.payment_approval_chain,
        step=0,
        waiting_role=uow.settings.payment_approval_chain.split(",")[0],
        note=note,
        requested_by_id=actor.id if actor.kind == "user" else None,
        requested_at=uow.now,
        updated_at=uow.now,
    )
    uow.session.add(request)
    if term.trigger_on == "retention" and term.status == "scheduled":
        term.status = "due"
    await uow.session.flush()
    uow.session.add(
        PaymentRequestStatusChange(
            request_id=request.id,
            contract_id=contract.id,
            from_status=None,
            to_status="pending",
            action="raise",
            actor_id=actor.id,
            actor_name=actor.display_name,
            comment=note,
            occurred_at=uow.now,
        )
    )
    uow.audit(
        "PaymentRequest",
        request.id,
        {
            "raised": request.code,
            "origin": origin,
            "term": term.sequence,
            "amount": f"{request.amount}",
            "triggered_on": met_on.isoformat(),
        },
        region_code=request.region_code,
    )
    await _carry_invoices(uow, request)
    role = chain_of(request)[0]
    recipients = set(await events.deciders(uow, request, role))
    recipients |= set(await events.contractor_and_owner(uow, request))
    events.record(uow, "payment.requested", request, contract, term, sorted(recipients), role=role)
    return request


async def _carry_invoices(uow: UnitOfWork, request: PaymentRequest) -> None:
    """Invoices of an earlier request for the same term that ended without payment (rejected
    or cancelled) move to the new one: an invoice is booked once, so it cannot be uploaded again."""
    earlier = select(PaymentRequest.id).where(
        PaymentRequest.term_id == request.term_id, PaymentRequest.status.in_(("rejected", "cancelled"))
    )
    rows = (await uow.session.execute(select(Invoice).where(Invoice.request_id.in_(earlier), Invoice.status != "rejected"))).scalars().all()
    for invoice in rows:
        uow.audit("Invoice", invoice.id, {"moved": {"before": invoice.request_id, "after": request.id}}, region_code=invoice.region_code)
        invoice.request_id = request.id


async def ensure_requests(uow: UnitOfWork, contract_id: int) -> list[PaymentRequest]:
    """Open a request (automatic) for every term of the contract whose trigger is met and
    that has neither a live request nor a payment. Idempotent: run again, it opens nothing."""
    contract = await contract_locked(uow, contract_id)
    if contract.status not in PAYABLE_CONTRACT_STATUSES:
        return []
    today = today_in_china(uow.now)
    terms = (
        await uow.session.execute(
            select(PaymentTerm).where(PaymentTerm.contract_id == contract.id, PaymentTerm.status != "paid").order_by(PaymentTerm.sequence)
        )
    ).scalars()
    live = set(
        (
            await uow.session.execute(
                select(PaymentRequest.term_id).where(PaymentRequest.contract_id == contract.id, PaymentRequest.live_for_term.is_not(None))
            )
        ).scalars()
    )
    # A term whose request was rejected or cancelled is raised again by hand, not automatically.
    ended = set(
        (
            await uow.session.execute(
                select(PaymentRequest.term_id).where(PaymentRequest.contract_id == contract.id, PaymentRequest.live_for_term.is_(None))
            )
        ).scalars()
    )
    opened = []
    for term in terms:
        if term.id in live or term.id in ended or term.amount <= 0:
            continue
        met_on = trigger_met_on(term, contract, await _milestone_of(uow, term), today)
        if met_on is not None:
            opened.append(await _open(uow, contract, term, met_on, "automatic", None))
    return opened


async def raise_request(uow: UnitOfWork, term_id: int, note: str | None, key: str | None = None) -> PaymentRequest:
    """Owner staff raise a request by hand, against a term whose trigger is met and that has
    no live request (one automatic request was rejected, say)."""

    async def act() -> PaymentRequest:
        checks = Checks()
        text = checks.text("note", note, 2000, required=False)
        checks.raise_if_any()
        term = await get_in_scope(uow, PaymentTerm, term_id)
        contract = await contract_locked(uow, term.contract_id)
        if not owns(uow.require_actor(), contract):
            raise Forbidden("NOT_CONTRACT_OWNER", operation=uow.operation)
        _payable(contract)
        await uow.session.refresh(term)
        existing = await _live_request_of(uow, term.id)
        if existing is not None:
            raise UserErrors(
                Problem(
                    "TERM_ALREADY_REQUESTED",
                    "termId",
                    {"term": term.name, "code": existing.code, "status": Label("PaymentRequestStatus", existing.status)},
                )
            )
        today = today_in_china(uow.now)
        if term.trigger_on == "retention" and contract.completed_at is not None and term.due_on is not None and today < term.due_on:
            raise UserErrors(Problem("RETENTION_NOT_RELEASED", "termId", {"release_on": term.due_on.isoformat()}))
        met_on = trigger_met_on(term, contract, await _milestone_of(uow, term), today)
        if met_on is None or term.status == "paid":
            raise UserErrors(Problem("TERM_NOT_DUE", "termId", {"term": term.name, "trigger": Label("PaymentTrigger", term.trigger_on)}))
        return await _open(uow, contract, term, met_on, "manual", text)

    return await idempotency.once(uow, key, "raisePaymentRequest", {"term": term_id, "note": note}, act, lambda i: _request(uow, i))


# -- deciding -------------------------------------------------------------------------------


async def _decided_by(uow: UnitOfWork, request_id: int) -> set[int]:
    rows = await uow.session.execute(select(PaymentApproval.actor_id).where(PaymentApproval.request_id == request_id))
    return {a for a in rows.scalars() if a is not None}


async def _deciding(uow: UnitOfWork, request_id: int, action: str) -> tuple[PaymentRequest, Contract, PaymentTerm, str]:
    """The request (locked, then its contract locked) and the role of its step, if the actor
    may decide it now."""
    request = await _request(uow, request_id)
    contract = await contract_locked(uow, request.contract_id)
    await uow.session.refresh(request, with_for_update=True)
    PAYMENT_LIFECYCLE.target(action, request.status)
    role = step_role(request)
    actor = uow.require_actor()
    if not may_decide(actor, request, role):
        raise Forbidden("NOT_YOUR_STEP", operation=uow.operation, role=Label("Role", role or ""))
    if actor.id in await _decided_by(uow, request.id):
        raise Forbidden("SAME_APPROVER", operation=uow.operation)
    return request, contract, await _term(uow, request), role  # type: ignore[return-value]


def _record_step(uow: UnitOfWork, request: PaymentRequest, role: str, decision: str, comment: str | None) -> None:
    actor = uow.require_actor()
    uow.session.add(
        PaymentApproval(
            request_id=request.id,
            contract_id=request.contract_id,
            step=request.step,
            role=role,
            decision=decision,
            comment=comment,
            actor_id=actor.id,
            actor_name=actor.display_name,
            decided_at=uow.now,
        )
    )


def _move(uow: UnitOfWork, request: PaymentRequest, action: str, comment: str | None) -> None:
    PAYMENT_LIFECYCLE.apply(
        uow, request, action, PaymentRequestStatusChange, "request_id", comment, extra={"contract_id": request.contract_id}
    )


async def approve(uow: UnitOfWork, request_id: int, comment: str | None, key: str | None = None) -> PaymentRequest:
    """Approve the step the request waits at. The finance step needs verified invoices that
    add up to the amount; the last step commits the amount against the contract's."""

    async def act() -> PaymentRequest:
        checks = Checks()
        text = checks.text("comment", comment, 2000, required=False)
        checks.raise_if_any()
        request, contract, term, role = await _deciding(uow, request_id, "approve")
        _payable(contract)
        _released(request, today_in_china(uow.now))
        if is_finance_step(request, role):
            _, waiting = await invoiced(uow, request.id, ("uploaded",))
            if waiting:
                raise UserErrors(Problem("INVOICES_NOT_VERIFIED", None, {"count": waiting}))
            total, _ = await invoiced(uow, request.id, ("verified", "archived"))
            if total != request.amount:
                raise UserErrors(Problem("INVOICES_DO_NOT_COVER", None, {"invoiced": f"{total:,.2f}", "amount": f"{request.amount:,.2f}"}))
        last = request.step == len(chain_of(request)) - 1
        if last:
            await _within_contract(uow, contract, request, request.amount, "approval")
        _record_step(uow, request, role, "approved", text)
        request.step += 1
        _move(uow, request, "approve" if last else "approve_step", text)
        request.waiting_role = step_role(request)
        actor = uow.require_actor()
        if last:
            request.approved_at = uow.now
            payers = set(await events.deciders(uow, request, "finance_officer")) | set(await events.contractor_and_owner(uow, request))
            events.record(uow, "payment.approved", request, contract, term, sorted(payers))
        else:
            following = chain_of(request)[request.step]
            events.record(
                uow,
                "payment.step_approved",
                request,
                contract,
                term,
                await events.deciders(uow, request, following),
                role=following,
                approver=actor.display_name,
            )
        await uow.session.flush()
        return request

    return await idempotency.once(
        uow, key, "approvePaymentRequest", {"id": request_id, "comment": comment}, act, lambda i: _request(uow, i)
    )


async def _within_contract(uow: UnitOfWork, contract: Contract, request: PaymentRequest, amount: Decimal, what: str) -> None:
    total = await committed(uow, contract.id, excluding=request.id) + amount
    if total > contract.amount:
        raise UserErrors(
            Problem(
                "OVER_CONTRACT_AMOUNT",
                None,
                {"what": Label("PaymentWhat", what), "total": f"{total:,.2f}", "contract": f"{contract.amount:,.2f}"},
            )
        )


def _end(request: PaymentRequest, now, reason: str) -> None:
    request.live_for_term, request.closed_at, request.close_reason, request.waiting_role = None, now, reason, None


async def reject(uow: UnitOfWork, request_id: int, comment: str | None, key: str | None = None) -> PaymentRequest:
    """Reject the request at the step it waits at, with the reason. The term stays due: the
    owner's staff may raise it again, and its invoices go with it."""

    async def act() -> PaymentRequest:
        checks = Checks()
        text = checks.text("comment", comment, 2000)
        checks.raise_if_any()
        request, contract, term, role = await _deciding(uow, request_id, "reject")
        _record_step(uow, request, role, "rejected", text)
        _move(uow, request, "reject", text)
        _end(request, uow.now, text or "")
        actor = uow.require_actor()
        events.record(
            uow,
            "payment.rejected",
            request,
            contract,
            term,
            await events.contractor_and_owner(uow, request),
            approver=actor.display_name,
            comment=text,
        )
        await uow.session.flush()
        return request

    return await idempotency.once(uow, key, "rejectPaymentRequest", {"id": request_id, "comment": comment}, act, lambda i: _request(uow, i))


async def cancel(uow: UnitOfWork, request_id: int, reason: str | None, key: str | None = None) -> PaymentRequest:
    """The owner's staff withdraw a request not yet paid."""

    async def act() -> PaymentRequest:
        checks = Checks()
        text = checks.text("reason", reason, 2000)
        checks.raise_if_any()
        request = await _request(uow, request_id)
        contract = await contract_locked(uow, request.contract_id)
        await uow.session.refresh(request, with_for_update=True)
        if not owns(uow.require_actor(), contract):
            raise Forbidden("NOT_CONTRACT_OWNER", operation=uow.operation)
        _move(uow, request, "cancel", text)
        _end(request, uow.now, text or "")
        term = await _term(uow, request)
        events.record(uow, "payment.cancelled", request, contract, term, await events.contractor_and_owner(uow, request), reason=text)
        await uow.session.flush()
        return request

    return await idempotency.once(uow, key, "cancelPaymentRequest", {"id": request_id, "reason": reason}, act, lambda i: _request(uow, i))


# -- paying -------------------------------------------------------------------------------


@dataclass
class PaymentData:
    paid_on: date
    amount: Decimal
    bank_reference: str
    payer_account: str | None = None
    payee_account: str | None = None
    difference_reason: str | None = None


async def _account(uow: UnitOfWork, checks: Checks, field: str, given: str | None, organisation_id: int) -> str | None:
    """The account given, or the organisation's settlement account on record."""
    if given:
        return checks.pattern(field, given, BANK_ACCOUNT_RE, "INVALID_BANK_ACCOUNT")
    organisation = await uow.session.get(Organisation, organisation_id)
    assert organisation is not None
    stored = uow.cipher.decrypt(organisation.bank_account_number, bank_account_context(organisation.id))
    if not stored:
        checks.add("BANK_ACCOUNT_REQUIRED", field, organisation=organisation.name)
    return stored


async def record_payment(uow: UnitOfWork, request_id: int, data: PaymentData, key: str | None = None) -> PaymentRequest:
    """Finance records the payment of an approved request. Paying another sum than approved
    needs a reason and stays visible (``difference``); the contract's total holds either way."""

    async def act() -> PaymentRequest:
        request = await _request(uow, request_id)
        contract = await contract_locked(uow, request.contract_id)
        await uow.session.refresh(request, with_for_update=True)
        if not may_pay(uow.require_actor(), request):
            raise Forbidden("FORBIDDEN", operation=uow.operation)
        PAYMENT_LIFECYCLE.target("pay", request.status)
        today = today_in_china(uow.now)
        checks = Checks()
        amount = decimal_field(checks, "amount", data.amount, FEN)
        if amount is not None and amount <= 0:
            checks.add("PAYMENT_AMOUNT_INVALID", "amount")
        reference = checks.pattern("bankReference", data.bank_reference, BANK_REFERENCE_RE, "INVALID_BANK_REFERENCE")
        reason = checks.text("differenceReason", data.difference_reason, 2000, required=False)
        if amount is not None and amount > 0 and amount != request.amount and not reason:
            checks.add("PAYMENT_DIFFERENCE_REASON_REQUIRED", "differenceReason", paid=f"{amount:,.2f}", approved=f"{request.amount:,.2f}")
        if data.paid_on > today:
            checks.add("PAID_ON_IN_FUTURE", "paidOn")
        elif request.approved_at is not None and data.paid_on < today_in_china(request.approved_at):
            checks.add("PAID_BEFORE_APPROVAL", "paidOn", approved_on=today_in_china(request.approved_at).isoformat())
        payer = await _account(uow, checks, "payerAccount", data.payer_account, request.owner_organisation_id)
        payee = await _account(uow, checks, "payeeAccount", data.payee_account, request.contractor_organisation_id)
        checks.raise_if_any()
        assert amount is not None
        _payable(contract)
        _released(request, today)
        await _within_contract(uow, contract, request, amount, "payment")
        request.paid_amount, request.paid_on, request.bank_reference = amount, data.paid_on, reference
        request.payer_account = uow.cipher.encrypt(payer, payer_context(request.id))
        request.payee_account = uow.cipher.encrypt(payee, payee_context(request.id))
        request.difference_reason = reason if amount != request.amount else None
        request.paid_at, request.paid_by_name = uow.now, uow.require_actor().display_name
        _move(uow, request, "pay", reason)
        uow.audit(
            "PaymentRequest",
            request.id,
            {
                "paid": f"{amount}",
                "approved": f"{request.amount}",
                "paid_on": data.paid_on.isoformat(),
                "bank_reference": reference,
                "payer_account": "[redacted]",
                "payee_account": "[redacted]",
            },
            region_code=request.region_code,
        )
        term = await _term(uow, request)
        term.status, term.paid_at = "paid", uow.now
        await uow.session.flush()
        events.record(
            uow,
            "payment.paid",
            request,
            contract,
            term,
            await events.contractor_and_owner(uow, request),
            paid=f"{amount:,.2f}",
            paid_on=data.paid_on.isoformat(),
        )
        await _settle_if_done(uow, contract)
        return request

    inputs = {"id": request_id, **{k: v for k, v in vars(data).items() if k not in ("payer_account", "payee_account")}}
    inputs["accounts"] = idempotency.fingerprint("accounts", {"payer": data.payer_account, "payee": data.payee_account})
    return await idempotency.once(uow, key, "recordPayment", inputs, act, lambda i: _request(uow, i))


async def _settle_if_done(uow: UnitOfWork, contract: Contract) -> None:
    """A completed contract whose every term is paid settles its project (closed)."""
    if contract.status != "completed":
        return
    unpaid = (
        await uow.session.execute(
            select(func.count(PaymentTerm.id)).where(PaymentTerm.contract_id == contract.id, PaymentTerm.status != "paid")
        )
    ).scalar_one()
    if unpaid:
        return
    project = await uow.session.get(Project, contract.project_id, with_for_update=True)
    assert project is not None
    if PROJECT_LIFECYCLE.allows("settle", project.status):
        await project_transition(uow, project, "settle", contract.code)


# -- what a viewer may do -------------------------------------------------------------------

REQUEST_ACTIONS = {
    "approve": "approvePaymentRequest",
    "reject": "rejectPaymentRequest",
    "cancel": "cancelPaymentRequest",
    "pay": "recordPayment",
    "upload_invoice": "uploadInvoice",
}


def request_actions(actor: Subject, request: Any, contract: Any, decided_by: set[int]) -> list[str]:
    """What ``actor`` may do to the request now, by the rules the mutations apply (the
    finance step's invoices are checked when it is pressed, and said then)."""
    if contract is None or contract.status not in PAYABLE_CONTRACT_STATUSES:
        return []
    found = []
    if request.status == "pending" and may_decide(actor, request, step_role(request)) and actor.id not in decided_by:
        found += ["approve", "reject"]
    if PAYMENT_LIFECYCLE.allows("cancel", request.status) and owns(actor, contract):
        found.append("cancel")
    if request.status == "approved" and may_pay(actor, request):
        found.append("pay")
    if request.status == "pending" and "contractor" in actor.roles and actor.organisation_id == request.contractor_organisation_id:
        found.append("upload_invoice")
    return found
