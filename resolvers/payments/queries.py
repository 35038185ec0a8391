"""Payment requests and invoices as lists, narrowed to the caller's row scope and filters
(``schema.payments`` pages them)."""

from __future__ import annotations

from sqlalchemy import false, or_, select

from models.payments import Invoice, PaymentRequest
from policies.scope import scope_for
from resolvers.core.context import Actor
from resolvers.core.pagination import ListQuery


def awaiting(actor: Actor):
    """Requests waiting at a step the actor decides (the owner's staff for their own
    organisation, other roles for the region they cover)."""
    conditions = []
    for role in actor.roles:
        waiting = PaymentRequest.waiting_role == role
        if role == "owner_staff":
            conditions.append(waiting & (PaymentRequest.owner_organisation_id == actor.organisation_id))
        elif role == "contractor":
            conditions.append(waiting & (PaymentRequest.contractor_organisation_id == actor.organisation_id))
        else:
            conditions.append(waiting & PaymentRequest.region_code.startswith(actor.region_prefix, autoescape=True))
    return (PaymentRequest.status == "pending") & (or_(*conditions) if conditions else false())


def payment_requests(
    actor: Actor,
    contract_id: int | None = None,
    project_id: int | None = None,
    status: list[str] | None = None,
    awaiting_me: bool = False,
) -> ListQuery:
    stmt = select(PaymentRequest).where(scope_for(PaymentRequest)(actor))
    if contract_id is not None:
        stmt = stmt.where(PaymentRequest.contract_id == contract_id)
    if project_id is not None:
        stmt = stmt.where(PaymentRequest.project_id == project_id)
    if status:
        stmt = stmt.where(PaymentRequest.status.in_(status))
    if awaiting_me:
        stmt = stmt.where(awaiting(actor))
    return ListQuery(stmt, [(PaymentRequest.requested_at, True), (PaymentRequest.id, True)])


def invoices(actor: Actor, request_id: int | None = None, contract_id: int | None = None, status: list[str] | None = None) -> ListQuery:
    stmt = select(Invoice).where(scope_for(Invoice)(actor))
    if request_id is not None:
        stmt = stmt.where(Invoice.request_id == request_id)
    if contract_id is not None:
        stmt = stmt.where(Invoice.contract_id == contract_id)
    if status:
        stmt = stmt.where(Invoice.status.in_(status))
    return ListQuery(stmt, [(Invoice.uploaded_at, True), (Invoice.id, True)])
