"""Payment requests raised by what happens to a contract: signing (the advance), a
milestone accepted, the works accepted (the final payment) — each through the outbox event
the contracts and progress modules record — and the end of the defect liability period
(retention), which a scheduled rule notices."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from models.contracts import Contract, PaymentTerm
from models.payments import PaymentRequest
from resolvers.core.context import SYSTEM_ACTOR, RequestMeta, UnitOfWork
from resolvers.core.jobs import each_apart, scheduled
from resolvers.core.outbox import reacts_to
from resolvers.core.transaction import unit_of_work
from resolvers.payments.service import ensure_requests


@reacts_to("contract.activated", "milestone.accepted", "contract.completed")
async def request_what_fell_due(state: Any, subject_id: str, payload: dict[str, Any]) -> None:
    """The contract's terms whose trigger is now met get their requests (idempotent)."""
    meta = RequestMeta(request_id=f"payments-for-contract-{subject_id}")
    async with unit_of_work(state, "reaction.payment_requests", SYSTEM_ACTOR, meta) as uow:
        await ensure_requests(uow, int(subject_id))


@scheduled
async def release_retention(uow: UnitOfWork, today: date) -> int:
    """Retention whose defect liability period has ended gets its request."""
    has_request = select(PaymentRequest.term_id).where(PaymentRequest.term_id == PaymentTerm.id)
    contracts = (
        (
            await uow.session.execute(
                select(Contract.id)
                .join(PaymentTerm, PaymentTerm.contract_id == Contract.id)
                .where(
                    Contract.status == "completed",
                    PaymentTerm.trigger_on == "retention",
                    PaymentTerm.status == "scheduled",
                    PaymentTerm.due_on <= today,
                    ~has_request.exists(),
                )
                .distinct()
            )
        )
        .scalars()
        .all()
    )
    opened = 0

    async def open_for(contract_id: int) -> None:
        nonlocal opened
        opened += len(await ensure_requests(uow, contract_id))

    await each_apart(uow, contracts, open_for, "retention requests")
    return opened
