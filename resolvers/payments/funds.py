"""Where the money stands (资金流向): per contract, per project, and per organisation and
fiscal year. Each figure is an aggregate computed by the database, and each view is one
SELECT however many rows it covers (correlated subqueries, no Python loops over payments).

- requested: the amounts of live requests (pending, approved, paid);
- approved: the amounts of requests approved or paid;
- paid: what was paid (which may differ from what was approved, with a reason);
- retention held: the retention terms not yet paid;
- outstanding: the contract amount not yet paid.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Select, select

from models.contracts import Contract, PaymentTerm
from models.payments import LIVE_REQUEST_STATUSES, PaymentRequest
from models.projects import BudgetAllocation, BudgetReservation, Project
from policies.scope import scope_for
from resolvers.payments.service import fen_sum

# Contracts whose amount counts as contracted: signed and not terminated.
BINDING = ("active", "completed")


def _requests(by: Any, key: Any) -> dict[str, Any]:
    """The request figures of the rows where ``by`` (a request column) equals ``key``."""

    def total(expression: Any, *statuses: str) -> Any:
        return select(fen_sum(expression)).where(by == key, PaymentRequest.status.in_(statuses)).scalar_subquery()

    return {
        "requested": total(PaymentRequest.amount, *LIVE_REQUEST_STATUSES),
        "approved": total(PaymentRequest.amount, "approved", "paid"),
        "paid": total(PaymentRequest.paid_amount, "paid"),
    }


def contract_funds(actor: Any, which: Callable[[Any], Any]) -> Select:
    """One row per visible contract of ``which(Contract.id)`` (a condition on the id): id,
    budget (its project's), amount, requested, approved, paid, retention held."""
    figures = _requests(PaymentRequest.contract_id, Contract.id)
    retention = (
        select(fen_sum(PaymentTerm.amount))
        .where(PaymentTerm.contract_id == Contract.id, PaymentTerm.trigger_on == "retention", PaymentTerm.status != "paid")
        .scalar_subquery()
    )
    return (
        select(
            Contract.id,
            Project.budget_amount.label("budget"),
            Contract.amount.label("contract_amount"),
            figures["requested"].label("requested"),
            figures["approved"].label("approved"),
            figures["paid"].label("paid"),
            retention.label("retention_held"),
        )
        .join(Project, Project.id == Contract.project_id)
        .where(which(Contract.id), scope_for(Contract)(actor))
    )


def project_funds(actor: Any, which: Callable[[Any], Any]) -> Select:
    """One row per visible project of ``which(Project.id)``: id, budget, contracted (its binding contracts'
    amounts), requested, approved, paid, retention held."""
    figures = _requests(PaymentRequest.project_id, Project.id)
    contracted = select(fen_sum(Contract.amount)).where(Contract.project_id == Project.id, Contract.status.in_(BINDING)).scalar_subquery()
    retention = (
        select(fen_sum(PaymentTerm.amount))
        .join(Contract, Contract.id == PaymentTerm.contract_id)
        .where(
            Contract.project_id == Project.id,
            Contract.status.in_(BINDING),
            PaymentTerm.trigger_on == "retention",
            PaymentTerm.status != "paid",
        )
        .scalar_subquery()
    )
    return select(
        Project.id,
        Project.budget_amount.label("budget"),
        contracted.label("contract_amount"),
        figures["requested"].label("requested"),
        figures["approved"].label("approved"),
        figures["paid"].label("paid"),
        retention.label("retention_held"),
    ).where(which(Project.id), scope_for(Project)(actor))


def budget_execution(actor: Any, fiscal_year: int, organisation_id: int | None = None) -> Select:
    """One row per visible allocation of ``fiscal_year``: organisation, allocation, reserved,
    contracted and paid — the last two over the projects holding a reservation on it."""
    holding = select(BudgetReservation.project_id).where(
        BudgetReservation.allocation_id == BudgetAllocation.id, BudgetReservation.released_at.is_(None)
    )
    contracted = select(fen_sum(Contract.amount)).where(Contract.project_id.in_(holding), Contract.status.in_(BINDING)).scalar_subquery()
    paid = (
        select(fen_sum(PaymentRequest.paid_amount))
        .where(PaymentRequest.project_id.in_(holding), PaymentRequest.status == "paid")
        .scalar_subquery()
    )
    stmt = select(
        BudgetAllocation.id,
        BudgetAllocation.organisation_id,
        BudgetAllocation.fiscal_year,
        BudgetAllocation.amount.label("allocation"),
        BudgetAllocation.reserved,
        contracted.label("contracted"),
        paid.label("paid"),
    ).where(BudgetAllocation.fiscal_year == fiscal_year, scope_for(BudgetAllocation)(actor))
    if organisation_id is not None:
        stmt = stmt.where(BudgetAllocation.organisation_id == organisation_id)
    return stmt.order_by(BudgetAllocation.organisation_id)
