"""Changes waiting for a second policy administrator (四眼原则, ``SMALLWORKS_POLICY_FOUR_EYES``).

A change is checked in full when it is proposed, and again when it is approved, against the
policy as it stands then (another change may have come first): it is applied only if it is
still good. It lapses ``SMALLWORKS_POLICY_CHANGE_TTL_HOURS`` after it was proposed. Nobody
approves their own change; its author may withdraw it.
"""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import Select, or_, select

from models.permissions import PendingPolicyChange, PolicyState, PolicyVersion
from policies.engine import region_prefix
from policies.scope import scope_for
from policies.subject import Actor as Subject
from resolvers.core import outbox
from resolvers.core.clock import today_in_china
from resolvers.core.context import UnitOfWork
from resolvers.core.errors import Problem, UserErrors
from resolvers.core.pagination import ListQuery
from resolvers.permissions.changes import Author, Change, apply, current_lines, guard, known, outcome_of

# Action → the mutation that takes it (availableActions).
PENDING_ACTIONS = {"approve": "approvePolicyChange", "reject": "rejectPolicyChange", "withdraw": "withdrawPolicyChange"}


def status_of(change: PendingPolicyChange, now) -> str:
    """Its status now: a pending change past its time has lapsed, whether or not anyone
    has looked at it since."""
    if change.status == "pending" and now >= change.expires_at:
        return "expired"
    return change.status


def changes_of(change: PendingPolicyChange) -> list[Change]:
    return [Change(op, tuple(line)) for op, line in json.loads(change.changes)]


async def propose(uow: UnitOfWork, kind: str, changes: list[Change], comment: str, restores: int | None) -> PendingPolicyChange:
    """Record a checked change for a second administrator, and tell the others."""
    actor = uow.require_actor()
    base = int((await uow.session.execute(select(PolicyState.version).where(PolicyState.id == 1))).scalar_one())
    pending = PendingPolicyChange(
        kind=kind,
        status="pending",
        created_at=uow.now,
        expires_at=uow.now + timedelta(hours=uow.settings.policy_change_ttl_hours),
        author_id=actor.id,
        author_name=actor.display_name,
        region_code=actor.region_code,
        comment=comment,
        changes=json.dumps([[c.op, list(c.line)] for c in changes], ensure_ascii=False),
        restores=restores,
        base_version=base,
    )
    uow.session.add(pending)
    await uow.session.flush()
    uow.audit("PendingPolicyChange", pending.id, {"kind": kind, "comment": comment, "changes": json.loads(pending.changes)})
    others = [uid for uid in await outbox.users_with_role_covering(uow, "policy_admin", actor.region_code) if uid != actor.id]
    payload = {"author": actor.display_name, "kind": kind, "changes": len(changes), "comment": comment}
    outbox.record(uow, "policy_change.proposed", "PendingPolicyChange", pending.id, payload, others, region_code=actor.region_code)
    return pending


def visible(actor: Subject) -> Select:
    """The pending changes a policy administrator sees: those proposed in their region."""
    return select(PendingPolicyChange).where(scope_for(PendingPolicyChange)(actor))


def listed(actor: Subject, now, status: str | None) -> ListQuery:
    """The pending changes the actor sees, newest first; by status as it is now (``pending``:
    open and not yet expired; ``expired``: lapsed, whether marked so or not)."""
    stmt = visible(actor)
    if status == "pending":
        stmt = stmt.where(PendingPolicyChange.status == "pending", PendingPolicyChange.expires_at > now)
    elif status == "expired":
        stmt = stmt.where(
            or_(
                PendingPolicyChange.status == "expired", (PendingPolicyChange.status == "pending") & (PendingPolicyChange.expires_at <= now)
            )
        )
    elif status is not None:
        stmt = stmt.where(PendingPolicyChange.status == status)
    return ListQuery(stmt, [(PendingPolicyChange.created_at, True), (PendingPolicyChange.id, True)])


def actions(actor: Subject | None, change: PendingPolicyChange, now) -> list[str]:
    """What ``actor`` may do to the change now (the gate decides the rest)."""
    if actor is None or actor.kind != "user" or status_of(change, now) != "pending":
        return []
    if change.author_id == actor.id:
        return ["withdraw"]
    return ["approve", "reject"]


async def _open(uow: UnitOfWork, change_id: int) -> PendingPolicyChange:
    actor = uow.require_actor()
    change = (await uow.session.execute(visible(actor).where(PendingPolicyChange.id == change_id).with_for_update())).scalar_one_or_none()
    if change is None:
        raise UserErrors(Problem("PENDING_CHANGE_NOT_FOUND", "id"))
    status = status_of(change, uow.now)
    if status == "expired":
        change.status = "expired"
        raise UserErrors(Problem("PENDING_CHANGE_EXPIRED", "id"))
    if status != "pending":
        raise UserErrors(Problem("PENDING_CHANGE_DECIDED", "id", {"status": status}))
    return change


async def approve(uow: UnitOfWork, operations: dict[str, str], change_id: int, comment: str) -> tuple[PendingPolicyChange, PolicyVersion]:
    """Apply a change another administrator proposed, checked again against the policy now."""
    actor = uow.require_actor()
    change = await _open(uow, change_id)
    if change.author_id == actor.id:
        raise UserErrors(Problem("OWN_CHANGE_APPROVAL", "id"))
    known_ = await known(uow, operations)
    # Checked as its author would be: in the author's region, and no self-grant of theirs.
    author = Author(region_prefix(change.region_code), change.author_id)
    outcome = outcome_of(author, known_, await current_lines(uow), changes_of(change))
    guard(known_, outcome.lines, today_in_china(uow.now))
    version = await apply(
        uow,
        change.kind,
        outcome,
        change.comment,
        restores=change.restores,
        author=(change.author_id, change.author_name),
        approved_by=(actor.id, actor.display_name),
    )
    _decide(uow, change, "applied", comment, version.number)
    return change, version


async def reject(uow: UnitOfWork, change_id: int, comment: str) -> PendingPolicyChange:
    actor = uow.require_actor()
    change = await _open(uow, change_id)
    if change.author_id == actor.id:
        raise UserErrors(Problem("OWN_CHANGE_APPROVAL", "id"))
    _decide(uow, change, "rejected", comment, None)
    return change


async def withdraw(uow: UnitOfWork, change_id: int) -> PendingPolicyChange:
    actor = uow.require_actor()
    change = await _open(uow, change_id)
    if change.author_id != actor.id:
        raise UserErrors(Problem("NOT_YOUR_CHANGE", "id"))
    _decide(uow, change, "withdrawn", "", None)
    return change


def _decide(uow: UnitOfWork, change: PendingPolicyChange, status: str, comment: str, version: int | None) -> None:
    actor = uow.require_actor()
    change.status, change.decided_by_id, change.decided_by_name = status, actor.id, actor.display_name
    change.decided_at, change.decision_comment, change.applied_version = uow.now, comment or None, version
    uow.audit(
        "PendingPolicyChange",
        change.id,
        {"status": {"before": "pending", "after": status}, "comment": comment},
        region_code=change.region_code,
    )
    if change.author_id != actor.id:
        payload = {"decision": status, "by": actor.display_name, "comment": comment}
        outbox.record(
            uow, "policy_change.decided", "PendingPolicyChange", change.id, payload, [change.author_id], region_code=change.region_code
        )
