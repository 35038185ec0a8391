"""Who sees which audit events."""

from __future__ import annotations

from sqlalchemy import ColumnElement

from models.audit import AuditEvent
from policies.scope import REGION_WIDE_ROLES, in_region, scope_of
from policies.subject import Actor


@scope_of(AuditEvent)
def audit_events(actor: Actor) -> ColumnElement[bool]:
    """Auditors and platform administrators: every event of their region; everyone else:
    what they did themselves."""
    if actor.roles & REGION_WIDE_ROLES:
        return in_region(AuditEvent.region_code, actor, REGION_WIDE_ROLES)
    return (AuditEvent.actor_type == actor.kind) & (AuditEvent.actor_id == actor.id)
