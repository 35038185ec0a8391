"""Who sees which projects, their documents, reviews, line items, status history and the
owners' budget allocations."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import ColumnElement, false, or_, select
from sqlalchemy.orm import aliased

from models.projects import BudgetAllocation, Project, ProjectDocument, ProjectLineItem, ProjectReview, ProjectStatusChange
from policies.scope import REGION_WIDE_ROLES, belonging, in_region, scope_of
from policies.subject import Actor

# Roles that see every non-draft project of their region (reviewing, paying, integrating).
PROJECT_REVIEWING_ROLES = frozenset({"reviewer", "finance_officer", "integrator"})

# Later modules add the projects an actor takes part in (a contractor's tenders, an
# expert's evaluations): each a condition on ``Project``, registered by their scope module.
PARTICIPATION: list[Callable[[Actor], ColumnElement[bool]]] = []


@scope_of(Project)
def projects(actor: Actor) -> ColumnElement[bool]:
    """Owners see their own organisation's projects, drafts included; reviewers, finance
    and integrators the submitted-or-later projects of their region; platform admins and
    auditors everything in their region. Contractors, supervisors and evaluators see only
    the processes they take part in (``PARTICIPATION``, added by later modules)."""
    conditions = []
    if actor.roles & REGION_WIDE_ROLES:
        conditions.append(in_region(Project.region_code, actor, REGION_WIDE_ROLES))
    if actor.roles & PROJECT_REVIEWING_ROLES:
        conditions.append(in_region(Project.region_code, actor, PROJECT_REVIEWING_ROLES) & (Project.status != "draft"))
    if "owner_staff" in actor.roles:
        conditions.append(Project.owner_organisation_id == actor.organisation_id)
    conditions.extend(participation(actor) for participation in PARTICIPATION)
    return or_(*conditions) if conditions else false()


def review_queue(actor: Actor) -> ColumnElement[bool]:
    """Pending review steps the actor may decide: their role, their region, not their own
    organisation's project, and not a round in which they already decided a step."""
    earlier = aliased(ProjectReview)
    decided_before = (
        select(earlier.id)
        .where(earlier.project_id == ProjectReview.project_id, earlier.round == ProjectReview.round, earlier.reviewer_id == actor.id)
        .exists()
    )
    others = select(Project.id).where(Project.owner_organisation_id != actor.organisation_id)
    # Each step's role where the actor holds it: a role granted for three counties decides
    # the steps of those counties only.
    by_role = [(ProjectReview.role == role) & in_region(ProjectReview.region_code, actor, (role,)) for role in sorted(actor.roles)]
    return (ProjectReview.status == "pending") & or_(*by_role) & ProjectReview.project_id.in_(others) & ~decided_before


@scope_of(BudgetAllocation)
def budget_allocations(actor: Actor) -> ColumnElement[bool]:
    return belonging(BudgetAllocation.organisation_id, actor, REGION_WIDE_ROLES | {"finance_officer", "reviewer"})


def _of_visible_project(column, actor: Actor) -> ColumnElement[bool]:
    return column.in_(select(Project.id).where(projects(actor)))


@scope_of(ProjectDocument)
def project_documents(actor: Actor) -> ColumnElement[bool]:
    return _of_visible_project(ProjectDocument.project_id, actor)


@scope_of(ProjectReview)
def project_reviews(actor: Actor) -> ColumnElement[bool]:
    return _of_visible_project(ProjectReview.project_id, actor)


@scope_of(ProjectLineItem)
def project_line_items(actor: Actor) -> ColumnElement[bool]:
    return _of_visible_project(ProjectLineItem.project_id, actor)


@scope_of(ProjectStatusChange)
def project_status_changes(actor: Actor) -> ColumnElement[bool]:
    return _of_visible_project(ProjectStatusChange.project_id, actor)
