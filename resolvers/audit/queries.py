"""The audit trail as a list: events narrowed to the caller's row scope and filters, newest
first (``schema.audit.queries`` pages them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from models.audit import AuditEvent
from policies.scope import audit as scope
from resolvers.core.context import Actor
from resolvers.core.errors import BadInput
from resolvers.core.pagination import ListQuery
from resolvers.core.validation import printable


@dataclass
class AuditEventFilter:
    """``target`` is one target as (type, key), as a global ID names it; ``actor`` one
    actor as (``user`` | ``client``, id)."""

    target: tuple[str, str] | None = None
    target_type: str | None = None
    actor: tuple[str, int] | None = None
    operation: str | None = None
    occurred_after: datetime | None = None
    occurred_before: datetime | None = None


def audit_events(actor: Actor, filter: AuditEventFilter | None = None) -> ListQuery:
    """Audit events the actor can see, newest first; INVALID_TIME_RANGE when the window
    is empty or reversed."""
    M = AuditEvent
    stmt = select(M).where(scope.audit_events(actor))
    if filter:
        if filter.target is not None:
            target_type, target_key = filter.target
            stmt = stmt.where(M.target_type == target_type, M.target_id == target_key)
        if filter.target_type:
            stmt = stmt.where(M.target_type == printable(filter.target_type))
        if filter.actor is not None:
            actor_type, actor_id = filter.actor
            stmt = stmt.where(M.actor_type == actor_type, M.actor_id == actor_id)
        if filter.operation:
            stmt = stmt.where(M.operation == printable(filter.operation))
        if filter.occurred_after and filter.occurred_before and filter.occurred_after >= filter.occurred_before:
            raise BadInput("INVALID_TIME_RANGE")
        if filter.occurred_after:
            stmt = stmt.where(M.occurred_at >= filter.occurred_after)
        if filter.occurred_before:
            stmt = stmt.where(M.occurred_at < filter.occurred_before)
    return ListQuery(stmt, [(M.seq, True)])
