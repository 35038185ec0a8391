"""Projects as lists: projects, the review steps waiting for the caller and budget
allocations, narrowed to the caller's row scope and filters (``schema.projects.queries``
pages them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from models.projects import BudgetAllocation, Project, ProjectReview
from policies.scope import code_range
from policies.scope import projects as scope
from resolvers.core.context import Actor
from resolvers.core.money import amount_argument
from resolvers.core.pagination import ListQuery

# The columns a project list may be sorted by.
ORDER_FIELDS = ("created_at", "updated_at", "code", "title", "budget_amount")


@dataclass
class ProjectFilter:
    status: list[str] | None = None
    category: list[str] | None = None
    region_prefix: str | None = None
    owner_organisation_id: int | None = None
    budget_min: Decimal | None = None
    budget_max: Decimal | None = None
    planned_start_from: date | None = None
    planned_start_to: date | None = None
    search: str | None = None


@dataclass
class ProjectOrder:
    field: str = "created_at"  # one of ORDER_FIELDS
    direction: str = "desc"  # asc | desc


def projects(actor: Actor, filter: ProjectFilter | None = None, order: ProjectOrder | None = None) -> ListQuery:
    """Projects the actor can see, newest first unless ``order`` says otherwise (ties
    broken by primary key in the same direction). Budget bounds must be exact to the fen
    (BAD_USER_INPUT naming ``filter.budgetMin``/``filter.budgetMax`` otherwise)."""
    P = Project
    stmt = select(P).where(scope.projects(actor))
    if filter:
        if filter.status:
            stmt = stmt.where(P.status.in_(filter.status))
        if filter.category:
            stmt = stmt.where(P.category.in_(filter.category))
        if filter.region_prefix:
            stmt = stmt.where(code_range(P.region_code, filter.region_prefix))
        if filter.owner_organisation_id is not None:
            stmt = stmt.where(P.owner_organisation_id == filter.owner_organisation_id)
        if filter.budget_min is not None:
            stmt = stmt.where(P.budget_amount >= amount_argument("filter.budgetMin", filter.budget_min))
        if filter.budget_max is not None:
            stmt = stmt.where(P.budget_amount <= amount_argument("filter.budgetMax", filter.budget_max))
        if filter.planned_start_from:
            stmt = stmt.where(P.planned_start >= filter.planned_start_from)
        if filter.planned_start_to:
            stmt = stmt.where(P.planned_start <= filter.planned_start_to)
        if filter.search:
            # Case-insensitive on every backend (PostgreSQL's LIKE alone is not).
            stmt = stmt.where(P.title.icontains(filter.search, autoescape=True) | P.code.icontains(filter.search, autoescape=True))
    order = order or ProjectOrder()
    if order.field not in ORDER_FIELDS:
        raise ValueError(f"projects cannot be ordered by {order.field!r}")
    column = getattr(P, order.field)
    descending = order.direction == "desc"
    return ListQuery(stmt, [(column, descending), (P.id, descending)])


def my_review_queue(actor: Actor) -> ListQuery:
    """Review steps waiting for the actor's decision, oldest first."""
    R = ProjectReview
    return ListQuery(select(R).where(scope.review_queue(actor)), [(R.created_at, False), (R.id, False)])


def budget_allocations(actor: Actor, fiscal_year: int | None = None, organisation_id: int | None = None) -> ListQuery:
    """Budget allocations the actor can see, by primary key."""
    A = BudgetAllocation
    stmt = select(A).where(scope.budget_allocations(actor))
    if fiscal_year is not None:
        stmt = stmt.where(A.fiscal_year == fiscal_year)
    if organisation_id is not None:
        stmt = stmt.where(A.organisation_id == organisation_id)
    return ListQuery(stmt, [(A.id, False)])
