"""Row-level scope: one function per entity, returning a SQL condition.

Lists, ``node(id:)``, nested fields (through DataLoaders) and exports all filter with
these functions, so what a person can see is decided in exactly one place.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, or_, select, true
from sqlalchemy.orm import aliased

from models.accounts import Organisation, User
from models.audit import AuditEvent
from models.accounts import ApiClient
from models.notifications import Notification, WebhookSubscription
from models.projects import BudgetAllocation, Project, ProjectDocument, ProjectLineItem, ProjectReview, ProjectStatusChange

# Roles that see everything inside their region (the rest see their own organisation's rows).
REGION_WIDE_ROLES = frozenset({"platform_admin", "auditor"})


def _in_region(column, actor) -> ColumnElement[bool]:
    prefix = actor.region_prefix
    return true() if prefix == "" else column.startswith(prefix, autoescape=True)


def organisations(actor) -> ColumnElement[bool]:
    """The organisation directory of one's region, and one's own organisation."""
    return or_(_in_region(Organisation.region_code, actor), Organisation.id == actor.organisation_id)


def _belonging(organisation_column, actor, region_wide_roles=REGION_WIDE_ROLES) -> ColumnElement[bool]:
    """Rows of organisations in the actor's region for the region-wide roles; otherwise
    rows of the actor's own organisation."""
    if actor.roles & region_wide_roles:
        return organisation_column.in_(select(Organisation.id).where(_in_region(Organisation.region_code, actor)))
    return organisation_column == actor.organisation_id


def users(actor) -> ColumnElement[bool]:
    return _belonging(User.organisation_id, actor)


def api_clients(actor) -> ColumnElement[bool]:
    return _belonging(ApiClient.organisation_id, actor)


def audit_events(actor) -> ColumnElement[bool]:
    if actor.roles & REGION_WIDE_ROLES:
        return _in_region(AuditEvent.region_code, actor)
    return (AuditEvent.actor_type == actor.kind) & (AuditEvent.actor_id == actor.id)


# Roles that see every non-draft project of their region (reviewing, paying, integrating).
PROJECT_REVIEWING_ROLES = frozenset({"reviewer", "finance_officer", "integrator"})


def projects(actor) -> ColumnElement[bool]:
    """Owners see their own organisation's projects, drafts included; reviewers, finance
    and integrators the submitted-or-later projects of their region; platform admins and
    auditors everything in their region. Contractors, supervisors and evaluators see only
    the processes they take part in (added by the tender and contract modules)."""
    conditions = []
    if actor.roles & REGION_WIDE_ROLES:
        conditions.append(_in_region(Project.region_code, actor))
    if actor.roles & PROJECT_REVIEWING_ROLES:
        conditions.append(_in_region(Project.region_code, actor) & (Project.status != "draft"))
    if "owner_staff" in actor.roles:
        conditions.append(Project.owner_organisation_id == actor.organisation_id)
    return or_(*conditions) if conditions else false()


def review_queue(actor) -> ColumnElement[bool]:
    """Pending review steps the actor may decide: their role, their region, not their own
    organisation's project, and not a round in which they already decided a step."""
    earlier = aliased(ProjectReview)
    decided_before = (
        select(earlier.id)
        .where(earlier.project_id == ProjectReview.project_id, earlier.round == ProjectReview.round, earlier.reviewer_id == actor.id)
        .exists()
    )
    others = select(Project.id).where(Project.owner_organisation_id != actor.organisation_id)
    return (
        (ProjectReview.status == "pending")
        & ProjectReview.role.in_(sorted(actor.roles))
        & _in_region(ProjectReview.region_code, actor)
        & ProjectReview.project_id.in_(others)
        & ~decided_before
    )


def budget_allocations(actor) -> ColumnElement[bool]:
    return _belonging(BudgetAllocation.organisation_id, actor, REGION_WIDE_ROLES | {"finance_officer", "reviewer"})


def _of_visible_project(column, actor) -> ColumnElement[bool]:
    return column.in_(select(Project.id).where(projects(actor)))


def project_documents(actor) -> ColumnElement[bool]:
    return _of_visible_project(ProjectDocument.project_id, actor)


def project_reviews(actor) -> ColumnElement[bool]:
    return _of_visible_project(ProjectReview.project_id, actor)


def project_line_items(actor) -> ColumnElement[bool]:
    return _of_visible_project(ProjectLineItem.project_id, actor)


def project_status_changes(actor) -> ColumnElement[bool]:
    return _of_visible_project(ProjectStatusChange.project_id, actor)


def notifications(actor) -> ColumnElement[bool]:
    """Each person's inbox is their own."""
    if actor.kind != "user":
        return false()
    return Notification.user_id == actor.id


def webhook_subscriptions(actor) -> ColumnElement[bool]:
    return _belonging(WebhookSubscription.organisation_id, actor)
