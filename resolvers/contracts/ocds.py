"""How a contract reads in OCDS 1.1.5: its status, its milestones' status and the ids of its
milestones and amendments. The contract's ``ocds`` GraphQL field, the payment's OCDS
transaction and the OCDS publication (``resolvers.supervision.ocds_map``) read them from here."""

from __future__ import annotations

from datetime import datetime

# contractStatus.csv: a completed contract has ended as planned (terminated, in OCDS terms).
CONTRACT_STATUS = {"draft": "pending", "pending_signature": "pending", "active": "active", "completed": "terminated"}
# milestoneStatus.csv: anything not yet decided is scheduled.
MILESTONE_STATUS = {"accepted": "met", "rejected": "notMet"}


def contract_status(status: str, signed_at: datetime | None) -> str:
    """A contract terminated before every party signed was never in force: cancelled."""
    if status == "terminated" and signed_at is None:
        return "cancelled"
    return CONTRACT_STATUS.get(status, "terminated")


def milestone_status(status: str) -> str:
    return MILESTONE_STATUS.get(status, "scheduled")


def milestone_id(contract_code: str, milestone_code: str) -> str:
    return f"{contract_code}-{milestone_code}"


def amendment_id(contract_code: str, version_number: int) -> str:
    return f"{contract_code}-v{version_number}"
