"""Accounts: the lists of organisations, users and API clients, narrowed to the caller's
row scope and filters (``schema.accounts.queries`` pages them)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from models.accounts import ApiClient, Organisation, User, UserRole
from policies.scope import accounts as scope
from resolvers.core.context import Actor
from resolvers.core.pagination import ListQuery


@dataclass
class OrganisationFilter:
    kind: str | None = None
    region_prefix: str | None = None
    search: str | None = None


@dataclass
class UserFilter:
    organisation_id: int | None = None
    role: str | None = None
    is_active: bool | None = None
    search: str | None = None


def organisations(actor: Actor, filter: OrganisationFilter | None = None) -> ListQuery:
    """Organisations the actor can see, by primary key."""
    stmt = select(Organisation).where(scope.organisations(actor))
    if filter:
        if filter.kind:
            stmt = stmt.where(Organisation.kind == filter.kind)
        if filter.region_prefix:
            stmt = stmt.where(Organisation.region_code.startswith(filter.region_prefix, autoescape=True))
        if filter.search:
            stmt = stmt.where(
                Organisation.name.contains(filter.search, autoescape=True)
                | Organisation.uscc.contains(filter.search.upper(), autoescape=True)
            )
    return ListQuery(stmt, [(Organisation.id, False)])


def users(actor: Actor, filter: UserFilter | None = None) -> ListQuery:
    """Users the actor can see, by primary key."""
    stmt = select(User).where(scope.users(actor))
    if filter:
        if filter.organisation_id is not None:
            stmt = stmt.where(User.organisation_id == filter.organisation_id)
        if filter.role:
            stmt = stmt.where(User.id.in_(select(UserRole.user_id).where(UserRole.role == filter.role)))
        if filter.is_active is not None:
            stmt = stmt.where(User.is_active.is_(filter.is_active))
        if filter.search:
            stmt = stmt.where(
                User.username.contains(filter.search, autoescape=True) | User.display_name.contains(filter.search, autoescape=True)
            )
    return ListQuery(stmt, [(User.id, False)])


def api_clients(actor: Actor) -> ListQuery:
    """Integrators' API clients the actor can see, by primary key."""
    return ListQuery(select(ApiClient).where(scope.api_clients(actor)), [(ApiClient.id, False)])
