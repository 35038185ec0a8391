"""What a viewer may do to the progress of works now, by the same rules the mutations apply
(``service``, ``quality``, ``warnings``); the permission gate is applied by the caller."""

from __future__ import annotations

from datetime import date
from typing import Any

from policies.subject import Actor
from resolvers.contracts.service import party_of
from resolvers.progress.quality import RECTIFICATION_LIFECYCLE
from resolvers.progress.service import MILESTONE_LIFECYCLE
from resolvers.progress.warnings import WARNING_LIFECYCLE

LOG_ACTIONS = {"update": "updateDailyLog", "correct": "correctDailyLog", "upload_photo": "uploadSitePhoto"}
MILESTONE_ACTIONS = {"start": "startMilestone", "submit": "submitMilestone", "accept": "acceptMilestone", "reject": "rejectMilestone"}
RECTIFICATION_ACTIONS = {"respond": "respondToRectification", "close": "closeRectification", "reopen": "reopenRectification"}
WARNING_ACTIONS = {"acknowledge": "acknowledgeWarning", "resolve": "resolveWarning"}


def log_actions(actor: Actor, log: Any, contract: Any, today: date) -> list[str]:
    if party_of(actor, contract) != "contractor":
        return []
    return ["update" if today == log.log_date else "correct", "upload_photo"]


def milestone_actions(actor: Actor, milestone: Any, contract: Any, open_rectifications: int) -> list[str]:
    if contract.status != "active":
        return []
    party = party_of(actor, contract)
    found = []
    if party == "contractor":
        found += [a for a in ("start", "submit") if MILESTONE_LIFECYCLE.allows(a, milestone.status)]
    if party == "owner" and milestone.status == "submitted":
        found += (["accept"] if not open_rectifications else []) + ["reject"]
    return found


def rectification_actions(actor: Actor, rectification: Any, contract: Any) -> list[str]:
    if contract.status != "active":
        return []
    party = party_of(actor, contract)
    wanted = {"contractor": ("respond",), "supervisor": ("close", "reopen")}.get(party or "", ())
    return [a for a in wanted if RECTIFICATION_LIFECYCLE.allows(a, rectification.status)]


def warning_actions(actor: Actor, warning: Any, contract: Any) -> list[str]:
    if party_of(actor, contract) not in ("owner", "supervisor"):
        return []
    return [a for a in WARNING_ACTIONS if WARNING_LIFECYCLE.allows(a, warning.status)]
