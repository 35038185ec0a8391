"""Notifications: over which channels each domain event reaches whom (the events and their
text are declared by the domains that emit them, ``resolvers.core.outbox``), and the rules
that make delivery idempotent (one notification, one e-mail and one successful webhook
delivery per event and recipient, however often a job runs)."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlparse

from sqlalchemy import select, update

from models.accounts import Organisation, User
from models.notifications import (
    CHANNELS,
    EmailDelivery,
    Notification,
    NotificationPreference,
    OutboxEvent,
    WebhookSubscription,
)
from resolvers.core import outbox
from resolvers.core.context import UnitOfWork
from resolvers.core.scoped import get_in_scope
from resolvers.core.transaction import rowcount
from resolvers.core.validation import Checks
from resolvers.security.keys import encrypted_column

# -- what a delivery job does ---------------------------------------------------------


@dataclass
class PlannedEmail:
    delivery_id: int
    to_address: str
    subject: str
    body: str


@dataclass
class Plan:
    """The outcome of recording an event's in-app effects: what else is left to do."""

    already_done: bool
    new_notifications: list[Notification]
    emails: list[PlannedEmail]
    webhook_subscription_ids: list[int]
    # The event itself, for the reactions of later domains (``resolvers.core.outbox.reacts_to``).
    event_type: str = ""
    subject_id: str = ""
    payload: dict[str, Any] = field(default_factory=dict)


def _channels(preferences: dict[tuple[int, str], NotificationPreference], user: User, event_type: str) -> tuple[set[str], str]:
    """A person's channels for an event type: their preference for it, else for ``*``,
    else in-app plus e-mail when they have an address."""
    pref = preferences.get((user.id, event_type)) or preferences.get((user.id, "*"))
    if pref is None:
        return ({"in_app", "email"} if user.email else {"in_app"}), "zh-CN"
    return set(pref.channels.split(",")) & set(CHANNELS), pref.locale


async def plan_delivery(session, event_id: int, now: datetime, email_enabled: bool) -> Plan:
    """Record the event's in-app notifications and e-mail intentions (idempotently) and
    return what remains: e-mails not yet sent and webhook subscriptions to call."""
    event = (await session.execute(select(OutboxEvent).where(OutboxEvent.id == event_id).with_for_update())).scalar_one_or_none()
    if event is None or event.status == "done":
        return Plan(True, [], [], [])
    payload = json.loads(event.payload)
    recipients = json.loads(event.recipients)
    users = (await session.execute(select(User).where(User.id.in_(recipients), User.is_active.is_(True)))).scalars().all()
    prefs = {
        (p.user_id, p.event_type): p
        for p in (
            await session.execute(
                select(NotificationPreference).where(
                    NotificationPreference.user_id.in_(recipients), NotificationPreference.event_type.in_([event.event_type, "*"])
                )
            )
        ).scalars()
    }
    have = set((await session.execute(select(Notification.user_id).where(Notification.event_id == event.id))).scalars())
    mailed = {d.user_id: d for d in (await session.execute(select(EmailDelivery).where(EmailDelivery.event_id == event.id))).scalars()}
    new_notifications = []
    for user in users:
        channels, locale = _channels(prefs, user, event.event_type)
        title, body = outbox.render(event.event_type, payload, locale)
        if "in_app" in channels and user.id not in have:
            note = Notification(
                event_id=event.id,
                user_id=user.id,
                event_type=event.event_type,
                title=title,
                body=body,
                subject_type=event.subject_type,
                subject_id=event.subject_id,
                created_at=now,
            )
            session.add(note)
            new_notifications.append(note)
        if email_enabled and "email" in channels and user.email and user.id not in mailed:
            mailed[user.id] = EmailDelivery(event_id=event.id, user_id=user.id, to_address=user.email, created_at=now)
            session.add(mailed[user.id])
    await session.flush()
    emails = []
    for user in users:
        delivery = mailed.get(user.id)
        if delivery is not None and delivery.sent_at is None:
            _, locale = _channels(prefs, user, event.event_type)
            subject, body = outbox.render(event.event_type, payload, locale)
            emails.append(PlannedEmail(delivery.id, delivery.to_address, subject, body))
    org_ids = json.loads(event.organisation_ids)
    subscriptions = []
    if org_ids:
        for sub in (
            await session.execute(
                select(WebhookSubscription).where(WebhookSubscription.organisation_id.in_(org_ids), WebhookSubscription.is_active.is_(True))
            )
        ).scalars():
            types = {t.strip() for t in sub.event_types.split(",")}
            if "*" in types or event.event_type in types:
                subscriptions.append(sub.id)
    return Plan(False, new_notifications, emails, subscriptions, event.event_type, event.subject_id, payload)


async def mark_done(session, event_id: int, now: datetime) -> None:
    await session.execute(update(OutboxEvent).where(OutboxEvent.id == event_id).values(status="done", completed_at=now, last_error=None))


def webhook_body(event: OutboxEvent) -> bytes:
    return json.dumps(
        {
            "id": event.id,
            "type": event.event_type,
            "subject": {"type": event.subject_type, "id": event.subject_id},
            "payload": json.loads(event.payload),
            "occurredAt": event.created_at.isoformat(),
        },
        ensure_ascii=False,
        separators=(",", ":"),
        sort_keys=True,
    ).encode("utf-8")


# -- the person's side: in-app list, read state, preferences ------------------------------


async def mark_read(uow: UnitOfWork, notification_ids: list[int] | None) -> int:
    """Mark the caller's notifications read (all unread ones when no ids are given)."""
    actor = uow.require_actor()
    stmt = update(Notification).where(Notification.user_id == actor.id, Notification.read_at.is_(None))
    if notification_ids is not None:
        stmt = stmt.where(Notification.id.in_(notification_ids))
    marked = rowcount(await uow.session.execute(stmt.values(read_at=uow.now).execution_options(synchronize_session=False)))
    if marked:
        uow.audit("Notification", actor.id, {"marked_read": marked})
    return marked


async def set_preference(uow: UnitOfWork, event_type: str, channels: list[str], locale: str) -> NotificationPreference:
    actor = uow.require_actor()
    checks = Checks()
    if event_type != "*" and event_type not in outbox.EVENT_TYPES:
        checks.add("UNKNOWN_EVENT_TYPE", "eventType", event_type=event_type)
    unknown = [c for c in channels if c not in CHANNELS]
    if unknown:
        checks.add("UNKNOWN_CHANNEL", "channels", channel=unknown[0])
    if locale not in ("zh-CN", "en"):
        checks.add("UNKNOWN_LOCALE", "locale")
    checks.raise_if_any()
    pref = (
        await uow.session.execute(
            select(NotificationPreference).where(
                NotificationPreference.user_id == actor.id, NotificationPreference.event_type == event_type
            )
        )
    ).scalar_one_or_none()
    before = {"channels": pref.channels, "locale": pref.locale} if pref else None
    if pref is None:
        pref = NotificationPreference(user_id=actor.id, event_type=event_type)
        uow.session.add(pref)
    pref.channels = ",".join(sorted(set(channels)))
    pref.locale = locale
    await uow.session.flush()
    uow.audit("NotificationPreference", pref.id, {"before": before, "after": {"channels": pref.channels, "locale": locale}})
    return pref


# -- webhooks -------------------------------------------------------------------------


WEBHOOK_SECRET_CONTEXT = "webhook_subscriptions.secret"
encrypted_column(WebhookSubscription, "secret", WEBHOOK_SECRET_CONTEXT, lambda row: f"{WEBHOOK_SECRET_CONTEXT}:{row.id}")


async def create_webhook(uow: UnitOfWork, organisation_id: int, url: str, event_types: list[str]) -> tuple[WebhookSubscription, str]:
    """Subscribe a receiver to an organisation's events; returns the subscription and its
    secret (shown once, kept encrypted)."""
    org = await get_in_scope(uow, Organisation, organisation_id, in_own_region=True)
    checks = Checks()
    checked_url = checks.text("url", url, 500)
    if checked_url:
        parsed = urlparse(checked_url)
        if parsed.scheme not in ("https", "http") or not parsed.netloc:
            checks.add("INVALID_URL", "url")
        elif parsed.scheme == "http" and uow.settings.production:
            checks.add("INSECURE_URL", "url")
        elif uow.settings.production and not await _public_host(parsed.hostname or ""):
            # In production a webhook may not reach into the servers' own network.
            checks.add("PRIVATE_ADDRESS", "url")
    types = sorted(set(event_types)) or ["*"]
    for t in types:
        if t != "*" and t not in outbox.EVENT_TYPES:
            checks.add("UNKNOWN_EVENT_TYPE", "eventTypes", event_type=t)
    checks.raise_if_any()
    assert checked_url is not None  # a missing url was reported above
    url = checked_url
    secret = secrets.token_urlsafe(32)
    sub = WebhookSubscription(organisation_id=org.id, url=url, event_types=",".join(types), secret="-", is_active=True, created_at=uow.now)
    uow.session.add(sub)
    await uow.session.flush()
    sub.secret = uow.cipher.encrypt(secret, f"{WEBHOOK_SECRET_CONTEXT}:{sub.id}")
    uow.audit(
        "WebhookSubscription",
        sub.id,
        {"organisation_id": org.id, "url": url, "event_types": types, "secret": "[redacted]"},
        region_code=org.region_code,
    )
    return sub, secret


async def _public_host(host: str) -> bool:
    """Every address the host name resolves to is a public (global) one."""
    import asyncio
    import ipaddress
    import socket

    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        return False
    addresses = {str(info[4][0]) for info in infos}
    return bool(addresses) and all(ipaddress.ip_address(a.split("%")[0]).is_global for a in addresses)


def webhook_secret(cipher, sub: WebhookSubscription) -> str:
    return cipher.decrypt(sub.secret, f"{WEBHOOK_SECRET_CONTEXT}:{sub.id}")


async def delete_webhook(uow: UnitOfWork, subscription_id: int) -> WebhookSubscription:
    sub = await get_in_scope(uow, WebhookSubscription, subscription_id)
    sub.is_active = False
    uow.audit("WebhookSubscription", sub.id, {"is_active": {"before": True, "after": False}})
    return sub
