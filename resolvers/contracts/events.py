"""What a contract tells whom (through the outbox): the parties' people who act for them
(owner staff, the contractor's and the supervisor's staff), decided when the change happens."""

from __future__ import annotations

from resolvers.core import outbox
from resolvers.core.clock import china_time
from resolvers.core.context import UnitOfWork

# The role a person acts in for each party.
PARTY_ROLES = {"owner": "owner_staff", "contractor": "contractor", "supervisor": "supervisor"}


def parties_of(contract) -> dict[str, int]:
    """Each party's organisation: owner, contractor and, when there is one, supervisor."""
    found = {"owner": contract.owner_organisation_id, "contractor": contract.contractor_organisation_id}
    if contract.supervisor_organisation_id is not None:
        found["supervisor"] = contract.supervisor_organisation_id
    return found


async def people_of(uow: UnitOfWork, contract, parties: list[str] | None = None) -> list[int]:
    """Active people acting for the named parties (every party when None)."""
    users: set[int] = set()
    for party, organisation_id in parties_of(contract).items():
        if parties is None or party in parties:
            users |= set(await outbox.staff_of(uow, organisation_id, PARTY_ROLES[party]))
    return sorted(users)


def record(uow: UnitOfWork, event_type: str, contract, recipients: list[int], parties: list[str] | None = None, **extra):
    """``parties``: the parties whose organisations' webhooks hear it (every party when None)."""
    organisations = [oid for party, oid in parties_of(contract).items() if parties is None or party in parties]
    return outbox.record(
        uow,
        event_type,
        "Contract",
        contract.id,
        {"code": contract.code, "number": contract.number, "title": contract.title, "amount": f"{contract.amount:,.2f}", **extra},
        recipients,
        organisation_ids=sorted(set(organisations)),
        region_code=contract.region_code,
    )


# A draft is the owner's alone until it is sent for signature: what happens to it is told to
# the owner (and the region's auditors) only.
DRAFT_PARTIES = ["owner"]


async def drafted_late(uow: UnitOfWork, contract, days: int) -> None:
    recipients = await people_of(uow, contract, DRAFT_PARTIES)
    recipients += await outbox.users_with_role_covering(uow, "auditor", contract.region_code)
    record(
        uow, "contract.drafted_late", contract, sorted(set(recipients)), DRAFT_PARTIES, days=days, limit=uow.settings.contract_draft_days
    )


async def submitted(uow: UnitOfWork, contract, version) -> None:
    record(uow, "contract.submitted", contract, await people_of(uow, contract), version=version.number, sha256=version.content_sha256)


async def signed(uow: UnitOfWork, contract, version, party: str, waiting: list[str]) -> None:
    others = [p for p in parties_of(contract) if p != party]
    record(
        uow,
        "contract.signed",
        contract,
        await people_of(uow, contract, others),
        version=version.number,
        party=party,
        waiting=len(waiting),
    )


async def signatures_voided(uow: UnitOfWork, contract, version, parties: list[str]) -> None:
    record(uow, "contract.signatures_voided", contract, await people_of(uow, contract, parties), version=version.number)


async def activated(uow: UnitOfWork, contract) -> None:
    record(uow, "contract.activated", contract, await people_of(uow, contract), signed_at=china_time(contract.signed_at))


async def amendment_proposed(uow: UnitOfWork, contract, version) -> None:
    record(
        uow, "contract.amendment_proposed", contract, await people_of(uow, contract), version=version.number, reason=version.reason or ""
    )


async def amendment_withdrawn(uow: UnitOfWork, contract, version, reason: str) -> None:
    record(uow, "contract.amendment_withdrawn", contract, await people_of(uow, contract), version=version.number, reason=reason)


async def amended(uow: UnitOfWork, contract, version) -> None:
    record(uow, "contract.amended", contract, await people_of(uow, contract), version=version.number, reason=version.reason or "")


async def terminated(uow: UnitOfWork, contract, reason: str, *, sent: bool) -> None:
    """``sent``: it had been sent for signature; a draft ended unsent is told to its owner only."""
    parties = None if sent else DRAFT_PARTIES
    record(uow, "contract.terminated", contract, await people_of(uow, contract, parties), parties, reason=reason)
