"""Domain events: recorded in the transaction that causes them (the outbox), delivered
after commit by the worker. Recipients are decided here, when the change happens.

Event types are a registry: each domain declares the events it emits, with the zh-CN and
en notification text of each, in ``resolvers/<domain>/templates.py``. Recording an event
of an undeclared type is a programming error. Payloads keep coded values as they are
stored (webhook receivers get ``"decision": "approved"``); the notification text shows
their labels in the recipient's language.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from models.accounts import Organisation, User, UserRole
from models.notifications import OutboxEvent
from policies.engine import region_prefix
from resolvers.core.audit import canonical_json
from resolvers.core.context import UnitOfWork
from resolvers.core.i18n import label


@dataclass(frozen=True)
class EventType:
    """An event a domain emits, with the title and body of its notification in each
    language; ``{name}`` placeholders are filled from the event's payload."""

    name: str
    domain: str
    zh_title: str
    en_title: str
    zh_body: str
    en_body: str
    # Payload key -> the label set of its coded values (``resolvers.core.i18n``).
    labels: tuple[tuple[str, str], ...] = ()


EVENT_TYPES: dict[str, EventType] = {}


def declare_events(domain: str, templates: dict[str, tuple[str, str, str, str]], labels: dict[str, str] | None = None) -> None:
    """Register ``{event type: (zh-CN title, en title, zh-CN body, en body)}``. ``labels``:
    the payload keys that hold coded values, with their label sets; the text shows such a
    value's label (``{"decision": "ReviewStatus"}``). Each event type is labelled for
    people in the ``EventType`` label set."""
    coded = tuple(sorted((labels or {}).items()))
    for name, (zh_title, en_title, zh_body, en_body) in templates.items():
        declared = EventType(name, domain, zh_title, en_title, zh_body, en_body, coded)
        if EVENT_TYPES.get(name, declared) != declared:
            raise ValueError(f"event type {name} is declared twice")
        EVENT_TYPES[name] = declared


class _Blank(dict):
    def __missing__(self, key):
        return ""


# What a later domain does when an event of an earlier one is delivered (a milestone accepted
# raises its payment request): registered with ``@reacts_to`` in ``resolvers/<domain>/``, run
# by the worker for each delivery of the event before anyone is notified, after the commit
# that recorded it. A reaction takes the process's services and the event's subject id and
# payload, opens its own unit of work, and must be idempotent: a delivery that failed half-way
# runs every reaction of the event again.
Reaction = Callable[[Any, str, dict[str, Any]], Awaitable[None]]

REACTIONS: dict[str, list[Reaction]] = {}


def reacts_to(*event_types: str) -> Callable[[Reaction], Reaction]:
    def register(reaction: Reaction) -> Reaction:
        for event_type in event_types:
            if reaction not in REACTIONS.setdefault(event_type, []):
                REACTIONS[event_type].append(reaction)
        return reaction

    return register


@dataclass(frozen=True)
class Delivery:
    """The event whose reactions are running: a reaction that keeps one effect per event (an
    OCDS release) keys it by ``event_id``, which no redelivery changes."""

    event_id: int
    event_type: str


_DELIVERING: ContextVar[Delivery | None] = ContextVar("smallworks_delivering", default=None)


@contextmanager
def delivering(event_id: int, event_type: str) -> Iterator[None]:
    """Run the reactions of one event inside this block (``workers.delivery``)."""
    token = _DELIVERING.set(Delivery(event_id, event_type))
    try:
        yield
    finally:
        _DELIVERING.reset(token)


def delivered() -> Delivery:
    """The event being delivered, for a reaction that needs more than its subject and payload."""
    current = _DELIVERING.get()
    if current is None:
        raise RuntimeError("not inside the delivery of an outbox event")
    return current


def render(event_type: str, payload: dict, locale: str) -> tuple[str, str]:
    """Title and body of an event's notification in ``locale`` (zh-CN unless ``en``)."""
    declared = EVENT_TYPES.get(event_type)
    if declared is None:
        return event_type, ""
    values = _Blank(payload, event=event_type)
    for key, labels in declared.labels:
        if isinstance(values.get(key), str):
            values[key] = label(labels, values[key], locale)
    if locale == "en":
        return declared.en_title.format_map(values), declared.en_body.format_map(values).strip()
    return declared.zh_title.format_map(values), declared.zh_body.format_map(values).strip()


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
    if event_type not in EVENT_TYPES:
        raise ValueError(f"event type {event_type} is not declared (resolvers/<domain>/templates.py)")
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
                select(User.id)
                .join(UserRole, UserRole.user_id == User.id)
                .where(User.organisation_id == organisation_id, UserRole.role == role, User.is_active.is_(True))
            )
        ).scalars()
    )
