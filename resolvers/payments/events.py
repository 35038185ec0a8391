"""What payments tell whom (through the outbox): the people who decide the next step, the
contractor who is paid, the owner who pays, and finance who checks invoices."""

from __future__ import annotations

from models.payments import PaymentRequest
from resolvers.core import outbox
from resolvers.core.context import UnitOfWork


async def deciders(uow: UnitOfWork, request: PaymentRequest, role: str) -> list[int]:
    """Who may decide a step of ``role``: the owner's staff for the owner; anyone else with
    the role whose region covers the contract's (finance of the county or the city above)."""
    if role == "owner_staff":
        return await outbox.staff_of(uow, request.owner_organisation_id, role)
    return await outbox.users_with_role_covering(uow, role, request.region_code)


async def contractor_and_owner(uow: UnitOfWork, request: PaymentRequest) -> list[int]:
    return sorted(
        set(await outbox.staff_of(uow, request.contractor_organisation_id, "contractor"))
        | set(await outbox.staff_of(uow, request.owner_organisation_id, "owner_staff"))
    )


def record(uow: UnitOfWork, event_type: str, request: PaymentRequest, contract, term, recipients: list[int], **extra) -> None:
    outbox.record(
        uow,
        event_type,
        "PaymentRequest",
        request.id,
        {
            "request": request.code,
            "code": contract.code,
            "title": contract.title,
            "term": term.name,
            "amount": f"{request.amount:,.2f}",
            **extra,
        },
        recipients,
        organisation_ids=[request.owner_organisation_id, request.contractor_organisation_id],
        region_code=request.region_code,
    )
