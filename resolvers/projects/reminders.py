"""Time-based rules of the project lifecycle."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from models.notifications import ReminderSent
from models.projects import Project, ProjectReview
from resolvers.core import outbox
from resolvers.core.clock import today_in_china
from resolvers.core.context import UnitOfWork
from resolvers.core.jobs import reminder
from resolvers.core.workdays import add_working_days


@reminder
async def remind_overdue_reviews(uow: UnitOfWork, today: date) -> int:
    """Reviews waiting longer than ``review_reminder_working_days`` remind the people who
    may decide them: once per review, due date and person, however often this runs."""
    days = uow.settings.review_reminder_working_days
    rows = (
        await uow.session.execute(
            select(ProjectReview, Project).join(Project, Project.id == ProjectReview.project_id).where(ProjectReview.status == "pending")
        )
    ).all()
    sent = 0
    for review, project in rows:
        due = add_working_days(today_in_china(review.created_at), days)
        if today <= due:
            continue
        recipients = await outbox.users_with_role_covering(
            uow, review.role, project.region_code, exclude_organisation=project.owner_organisation_id
        )
        already = set(
            (
                await uow.session.execute(
                    select(ReminderSent.user_id).where(
                        ReminderSent.rule == "review_overdue", ReminderSent.subject_id == str(review.id), ReminderSent.due_date == due
                    )
                )
            ).scalars()
        )
        fresh = [u for u in recipients if u not in already]
        if not fresh:
            continue
        event = outbox.record(
            uow,
            "review.overdue",
            "ProjectReview",
            review.id,
            {"code": project.code, "title": project.title, "days": days, "due": due.isoformat()},
            fresh,
            region_code=project.region_code,
        )
        await uow.session.flush()
        for user_id in fresh:
            uow.session.add(
                ReminderSent(
                    rule="review_overdue", subject_id=str(review.id), due_date=due, user_id=user_id, event_id=event.id, sent_at=uow.now
                )
            )
        sent += len(fresh)
    return sent
