"""Domain events: recorded in the transaction that causes them (the outbox), delivered
after commit by the worker. Recipients are decided here, when the change happens."""

from __future__ import annotations

import json
from typing import Any, Iterable

from sqlalchemy import select

from models.accounts import Organisation, User, UserRole
from models.notifications import OutboxEvent
from policies.engine import region_prefix
from resolvers.core.audit import canonical_json
from resolvers.core.context import UnitOfWork


def record(
    uow: UnitOfWork,
    event_type: str,
    subject_type: str,
    subject_id: Any,
    payload: dict[str, Any],
    recipients: Iterable[int],
    organisation_ids: Iterable[int] = (),
    region_code: str | None = None,
) -> OutboxEvent:
    """Add an event to the unit of work; it is dispatched once the transaction commits."""
    event = OutboxEvent(
        event_type=event_type,
        subject_type=subject_type,
        subject_id=str(subject_id),
        payload=canonical_json(payload),
        recipients=json.dumps(sorted(set(recipients))),
        organisation_ids=json.dumps(sorted(set(organisation_ids))),
        region_code=region_code,
        status="pending",
        created_at=uow.now,
    )
    uow.session.add(event)
    uow.events.append(event)
    return event


async def users_with_role_covering(uow: UnitOfWork, role: str, region_code: str, exclude_organisation: int | None = None) -> list[int]:
    """Active users holding ``role`` whose organisation's region covers ``region_code``
    (a city-level reviewer covers the counties below it)."""
    rows = (
        await uow.session.execute(
            select(User.id, Organisation.region_code, Organisation.id)
            .join(UserRole, UserRole.user_id == User.id)
            .join(Organisation, Organisation.id == User.organisation_id)
            .where(UserRole.role == role, User.is_active.is_(True))
        )
    ).all()
    return [uid for uid, region, org in rows if region_code.startswith(region_prefix(region)) and org != exclude_organisation]


async def staff_of(uow: UnitOfWork, organisation_id: int, role: str) -> list[int]:
    return list(
        (
            await uow.session.execute(
                select(User.id).join(UserRole, UserRole.user_id == User.id)
                .where(User.organisation_id == organisation_id, UserRole.role == role, User.is_active.is_(True))
            )
        ).scalars()
    )
