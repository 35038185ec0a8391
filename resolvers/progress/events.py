"""What the progress of works tells whom (through the outbox)."""

from __future__ import annotations

from resolvers.contracts import events as contract_events
from resolvers.core.context import UnitOfWork


async def milestone_submitted(uow: UnitOfWork, contract, milestone) -> None:
    recipients = await contract_events.people_of(uow, contract, ["owner", "supervisor"])
    contract_events.record(uow, "milestone.submitted", contract, recipients, milestone=milestone.code, milestone_name=milestone.name)


async def milestone_rejected(uow: UnitOfWork, contract, milestone, reason: str) -> None:
    recipients = await contract_events.people_of(uow, contract, ["contractor", "supervisor"])
    contract_events.record(
        uow, "milestone.rejected", contract, recipients, milestone=milestone.code, milestone_name=milestone.name, reason=reason
    )


async def milestone_accepted(uow: UnitOfWork, contract, milestone, payable, *, final: bool) -> None:
    """To every party; the payments module reads ``terms`` (the terms now due) from it."""
    contract_events.record(
        uow,
        "milestone.accepted",
        contract,
        await contract_events.people_of(uow, contract),
        milestone=milestone.code,
        milestone_name=milestone.name,
        milestone_id=milestone.id,
        final="yes" if final else "no",
        terms=[{"id": t.id, "sequence": t.sequence, "amount": f"{t.amount}", "due_on": t.due_on.isoformat()} for t in payable],
    )


async def contract_completed(uow: UnitOfWork, contract, final_terms) -> None:
    contract_events.record(
        uow,
        "contract.completed",
        contract,
        await contract_events.people_of(uow, contract),
        terms=[{"id": t.id, "sequence": t.sequence, "amount": f"{t.amount}", "due_on": t.due_on.isoformat()} for t in final_terms],
    )


async def inspection_failed(uow: UnitOfWork, contract, inspection, failed: int, due) -> None:
    """Failed items to put right: the contractor, and the owner's staff."""
    recipients = await contract_events.people_of(uow, contract, ["contractor", "owner"])
    contract_events.record(
        uow, "inspection.failed", contract, recipients, failed=failed, due=due.isoformat(), inspector=inspection.inspector_name
    )


async def rectification_responded(uow: UnitOfWork, contract, rectification) -> None:
    recipients = await contract_events.people_of(uow, contract, ["supervisor"])
    contract_events.record(uow, "rectification.responded", contract, recipients, item=rectification.description)


async def rectification_decided(uow: UnitOfWork, contract, rectification, comment: str) -> None:
    recipients = await contract_events.people_of(uow, contract, ["contractor", "owner"])
    contract_events.record(
        uow, "rectification.decided", contract, recipients, item=rectification.description, status=rectification.status, comment=comment
    )
