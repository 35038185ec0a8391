"""Row-level scope: one function per entity, returning a SQL condition.

Lists, ``node(id:)``, nested fields (through DataLoaders) and exports all filter with
these functions, so what a person can see is decided in exactly one place.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, or_, select, true

from models.accounts import Organisation, User
from models.audit import AuditEvent
from models.auth import ApiClient

# Roles that see everything inside their region (the rest see their own organisation's rows).
REGION_WIDE_ROLES = frozenset({"platform_admin", "auditor"})


def _in_region(column, actor) -> ColumnElement[bool]:
    prefix = actor.region_prefix
    return true() if prefix == "" else column.startswith(prefix, autoescape=True)


def organisations(actor) -> ColumnElement[bool]:
    """The organisation directory of one's region, and one's own organisation."""
    return or_(_in_region(Organisation.region_code, actor), Organisation.id == actor.organisation_id)


def users(actor) -> ColumnElement[bool]:
    if actor.roles & REGION_WIDE_ROLES:
        in_region = select(Organisation.id).where(_in_region(Organisation.region_code, actor))
        return User.organisation_id.in_(in_region)
    return User.organisation_id == actor.organisation_id


def api_clients(actor) -> ColumnElement[bool]:
    if actor.roles & REGION_WIDE_ROLES:
        in_region = select(Organisation.id).where(_in_region(Organisation.region_code, actor))
        return ApiClient.organisation_id.in_(in_region)
    return ApiClient.organisation_id == actor.organisation_id


def audit_events(actor) -> ColumnElement[bool]:
    if actor.roles & REGION_WIDE_ROLES:
        return _in_region(AuditEvent.region_code, actor)
    return (AuditEvent.actor_type == actor.kind) & (AuditEvent.actor_id == actor.id)
