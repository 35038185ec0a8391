"""Contracts and signing keys as lists, narrowed to the caller's row scope and filters
(``schema.contracts`` pages them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal

from sqlalchemy import select

from models.contracts import Contract, SigningKey
from policies.scope import contracts as scope
from resolvers.core.clock import SHANGHAI
from resolvers.core.context import Actor
from resolvers.core.pagination import ListQuery

ORDER_FIELDS = ("created_at", "signed_at", "amount", "code")


@dataclass
class ContractFilter:
    status: list[str] | None = None
    contractor_id: int | None = None
    project_id: int | None = None
    region_prefix: str | None = None
    amount_min: Decimal | None = None
    amount_max: Decimal | None = None
    # Signing dates (China time), inclusive; a contract not yet signed has none.
    signed_from: date | None = None
    signed_to: date | None = None
    search: str | None = None


@dataclass
class ContractOrder:
    field: str = "created_at"
    direction: str = "desc"


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=SHANGHAI)


def contracts(actor: Actor, filter: ContractFilter | None = None, order: ContractOrder | None = None) -> ListQuery:
    C = Contract
    stmt = select(C).where(scope.contracts(actor))
    if filter:
        if filter.status:
            stmt = stmt.where(C.status.in_(filter.status))
        if filter.contractor_id is not None:
            stmt = stmt.where(C.contractor_organisation_id == filter.contractor_id)
        if filter.project_id is not None:
            stmt = stmt.where(C.project_id == filter.project_id)
        if filter.region_prefix:
            stmt = stmt.where(C.region_code.startswith(filter.region_prefix, autoescape=True))
        if filter.amount_min is not None:
            stmt = stmt.where(C.amount >= filter.amount_min)
        if filter.amount_max is not None:
            stmt = stmt.where(C.amount <= filter.amount_max)
        if filter.signed_from is not None:
            stmt = stmt.where(C.signed_at >= _day_start(filter.signed_from))
        if filter.signed_to is not None:
            stmt = stmt.where(C.signed_at < _day_start(filter.signed_to.fromordinal(filter.signed_to.toordinal() + 1)))
        if filter.search:
            stmt = stmt.where(
                C.title.icontains(filter.search, autoescape=True)
                | C.code.icontains(filter.search, autoescape=True)
                | C.number.icontains(filter.search, autoescape=True)
            )
    order = order or ContractOrder()
    if order.field not in ORDER_FIELDS:
        raise ValueError(f"contracts cannot be ordered by {order.field!r}")
    descending = order.direction == "desc"
    return ListQuery(stmt, [(getattr(C, order.field), descending), (C.id, descending)])


def signing_keys(actor: Actor, organisation_id: int | None = None, include_revoked: bool = False) -> ListQuery:
    stmt = select(SigningKey).where(scope.signing_keys(actor))
    if organisation_id is not None:
        stmt = stmt.where(SigningKey.organisation_id == organisation_id)
    if not include_revoked:
        stmt = stmt.where(SigningKey.revoked_at.is_(None))
    return ListQuery(stmt, [(SigningKey.id, True)])
