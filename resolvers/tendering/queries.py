"""Procurement as lists, narrowed to the caller's row scope and filters (``schema.tendering``
pages them); and the public notices, which need no sign-in and show public fields only."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from models.tendering import Bid, CommitteeMember, Qualification, Tender, TenderTemplate
from policies.scope import code_range
from policies.scope import tendering as scope
from resolvers.core.context import Actor
from resolvers.core.pagination import ListQuery

ORDER_FIELDS = ("created_at", "bid_deadline", "code", "ceiling_price")
# What the public sees: every tender from its publication on, and award publicity.
PUBLIC_STATUSES = ("published", "opened", "evaluated", "publicity", "awarded", "failed", "cancelled")
AWARD_PUBLIC_STATUSES = ("publicity", "awarded")


@dataclass
class TenderFilter:
    status: list[str] | None = None
    method: list[str] | None = None
    project_id: int | None = None
    region_prefix: str | None = None
    search: str | None = None


@dataclass
class TenderOrder:
    field: str = "created_at"
    direction: str = "desc"


def _filtered(stmt, filter: TenderFilter | None):
    T = Tender
    if filter:
        if filter.status:
            stmt = stmt.where(T.status.in_(filter.status))
        if filter.method:
            stmt = stmt.where(T.method.in_(filter.method))
        if filter.project_id is not None:
            stmt = stmt.where(T.project_id == filter.project_id)
        if filter.region_prefix:
            stmt = stmt.where(code_range(T.region_code, filter.region_prefix))
        if filter.search:
            stmt = stmt.where(T.title.icontains(filter.search, autoescape=True) | T.code.icontains(filter.search, autoescape=True))
    return stmt


def _ordered(stmt, order: TenderOrder | None) -> ListQuery:
    order = order or TenderOrder()
    if order.field not in ORDER_FIELDS:
        raise ValueError(f"tenders cannot be ordered by {order.field!r}")
    descending = order.direction == "desc"
    return ListQuery(stmt, [(getattr(Tender, order.field), descending), (Tender.id, descending)])


def tenders(actor: Actor, filter: TenderFilter | None = None, order: TenderOrder | None = None) -> ListQuery:
    return _ordered(_filtered(select(Tender).where(scope.tenders(actor)), filter), order)


def public_tenders(filter: TenderFilter | None = None, order: TenderOrder | None = None) -> ListQuery:
    """Tender notices: every tender from its publication on, whoever asks."""
    return _ordered(_filtered(select(Tender).where(Tender.status.in_(PUBLIC_STATUSES)), filter), order)


def public_awards(filter: TenderFilter | None = None) -> ListQuery:
    """Award publicity and results, the most recent publicity first."""
    stmt = _filtered(select(Tender).where(Tender.status.in_(AWARD_PUBLIC_STATUSES)), filter)
    return ListQuery(stmt, [(Tender.publicity_started_at, True), (Tender.id, True)])


def my_bids(actor: Actor) -> ListQuery:
    """The bids of the actor's organisation, latest first."""
    stmt = select(Bid).where(Bid.organisation_id == actor.organisation_id, scope.bids(actor))
    return ListQuery(stmt, [(Bid.created_at, True), (Bid.id, True)])


def my_evaluations(actor: Actor) -> ListQuery:
    """The actor's committee seats, latest first."""
    stmt = select(CommitteeMember).where(scope.person(CommitteeMember.user_id, actor))
    return ListQuery(stmt, [(CommitteeMember.drawn_at, True), (CommitteeMember.id, True)])


def tender_templates(actor: Actor, all_versions: bool = False) -> ListQuery:
    stmt = select(TenderTemplate).where(scope.tender_templates(actor))
    if not all_versions:
        stmt = stmt.where(TenderTemplate.is_latest.is_(True))
    return ListQuery(stmt, [(TenderTemplate.id, True)])


def qualifications(actor: Actor, organisation_id: int | None = None) -> ListQuery:
    stmt = select(Qualification).where(scope.qualifications(actor))
    if organisation_id is not None:
        stmt = stmt.where(Qualification.organisation_id == organisation_id)
    return ListQuery(stmt, [(Qualification.id, False)])
