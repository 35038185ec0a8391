"""What the project lifecycle tells whom (through the outbox, resolvers.events)."""

from __future__ import annotations

from models.projects import Project, ProjectReview
from resolvers.core import outbox as events
from resolvers.core.context import UnitOfWork


def _payload(project: Project, **extra) -> dict:
    return {"code": project.code, "title": project.title, "budget": f"{project.budget_amount:,.2f}", "status": project.status, **extra}


async def _deciders(uow: UnitOfWork, project: Project, role: str) -> list[int]:
    """Who may decide a step of ``role`` for this project: that role in scope of its
    region, outside the owner organisation."""
    return await events.users_with_role_covering(uow, role, project.region_code, exclude_organisation=project.owner_organisation_id)


async def _owner_staff(uow: UnitOfWork, project: Project) -> list[int]:
    return await events.staff_of(uow, project.owner_organisation_id, "owner_staff")


def _record(uow: UnitOfWork, event_type: str, project: Project, recipients: list[int], **extra) -> None:
    events.record(
        uow,
        event_type,
        "Project",
        project.id,
        _payload(project, **extra),
        recipients,
        organisation_ids=[project.owner_organisation_id],
        region_code=project.region_code,
    )


async def review_opened(uow: UnitOfWork, project: Project, review: ProjectReview) -> None:
    """A step waits for decision: the people who may decide it hear of it."""
    event_type = "project.submitted" if review.step == 1 else "project.review_step"
    _record(uow, event_type, project, await _deciders(uow, project, review.role), step=review.step, role=review.role)


async def review_decided(uow: UnitOfWork, project: Project, review: ProjectReview, approved: bool, comment: str | None) -> None:
    _record(
        uow,
        "project.review_decided",
        project,
        await _owner_staff(uow, project),
        step=review.step,
        decision="approved" if approved else "rejected",
        comment=comment or "",
    )


async def status_changed(uow: UnitOfWork, project: Project, action: str, comment: str | None) -> None:
    """approve, reject and cancel tell the owner's staff (and, for cancel, whoever had a
    step waiting)."""
    event_type = {"approve": "project.approved", "reject": "project.rejected", "cancel": "project.cancelled"}.get(action)
    if event_type is None:
        return
    recipients = await _owner_staff(uow, project)
    _record(uow, event_type, project, recipients, comment=comment or "")
