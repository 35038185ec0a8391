"""Who sees which payments: a request is seen by the contract's owner and contractor (each
organisation its own) and by those who oversee the region (administrators, auditors,
finance, reviewers, integrators). A contract's supervisor sees its contract but not its
money. Approvals, history, invoices and archive records follow their request.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, or_, select

from models.payments import Invoice, InvoiceArchive, PaymentApproval, PaymentRequest, PaymentRequestStatusChange
from policies.scope import REGION_WIDE_ROLES, in_region, scope_of
from policies.scope.projects import PROJECT_REVIEWING_ROLES
from policies.subject import Actor


@scope_of(PaymentRequest)
def payment_requests(actor: Actor) -> ColumnElement[bool]:
    conditions = []
    if actor.roles & (REGION_WIDE_ROLES | PROJECT_REVIEWING_ROLES):
        conditions.append(in_region(PaymentRequest.region_code, actor, REGION_WIDE_ROLES | PROJECT_REVIEWING_ROLES))
    if "owner_staff" in actor.roles:
        conditions.append(PaymentRequest.owner_organisation_id == actor.organisation_id)
    if "contractor" in actor.roles:
        conditions.append(PaymentRequest.contractor_organisation_id == actor.organisation_id)
    return or_(*conditions) if conditions else false()


def _follows_request(model) -> None:
    def scope(actor: Actor) -> ColumnElement[bool]:
        return model.request_id.in_(select(PaymentRequest.id).where(payment_requests(actor)))

    scope.__qualname__ = f"{model.__name__} rows of a visible payment request"
    scope_of(model)(scope)


for _model in (PaymentApproval, PaymentRequestStatusChange, Invoice):
    _follows_request(_model)


@scope_of(InvoiceArchive)
def invoice_archives(actor: Actor) -> ColumnElement[bool]:
    return InvoiceArchive.invoice_id.in_(
        select(Invoice.id).where(Invoice.request_id.in_(select(PaymentRequest.id).where(payment_requests(actor))))
    )
