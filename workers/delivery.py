"""Delivering one outbox event, and one webhook call. The same functions run under arq
(``workers.settings``) and in-process when no Redis is configured (``workers.dispatch``).

Every effect is recorded with the event id (unique constraints), so running a job twice,
or again after the worker died half-way, changes nothing the second time."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from sqlalchemy import func, select, update

from models.base import utcnow
from models.notifications import EmailDelivery, OutboxEvent, WebhookDelivery, WebhookSubscription
from resolvers import load_domains
from resolvers.core.outbox import REACTIONS, delivering
from resolvers.notifications.service import mark_done, plan_delivery, webhook_body, webhook_secret
from workers.channels import post_webhook, send_email

log = logging.getLogger("smallworks.worker")


class RetryLater(Exception):
    """The job should run again after ``defer`` seconds (arq's Retry, or a sleep in-process)."""

    def __init__(self, defer: float, reason: str):
        super().__init__(reason)
        self.defer = defer


async def deliver_event(state, event_id: int, schedule_webhook: Callable[[int, int], Awaitable[None]]) -> str:
    async with state.db.write() as session:
        plan = await plan_delivery(session, event_id, utcnow(), email_enabled=bool(state.settings.smtp_host))
    if plan.already_done:
        return "already done"
    await _react(state, event_id, plan)
    for note in plan.new_notifications:
        await state.broker.publish(
            note.user_id,
            {
                "id": note.id,
                "eventType": note.event_type,
                "title": note.title,
                "body": note.body,
                "subjectType": note.subject_type,
                "subjectId": note.subject_id,
                "createdAt": note.created_at.isoformat(),
            },
        )
    failures = []
    for email in plan.emails:
        try:
            await send_email(state.settings, email.to_address, email.subject, email.body)
        except Exception as exc:
            failures.append(f"{email.to_address}: {exc}")
            async with state.db.write() as session:
                await session.execute(update(EmailDelivery).where(EmailDelivery.id == email.delivery_id).values(error=str(exc)[:500]))
            continue
        async with state.db.write() as session:
            await session.execute(update(EmailDelivery).where(EmailDelivery.id == email.delivery_id).values(sent_at=utcnow(), error=None))
    for subscription_id in plan.webhook_subscription_ids:
        await schedule_webhook(event_id, subscription_id)
    if failures:
        async with state.db.write() as session:
            await session.execute(update(OutboxEvent).where(OutboxEvent.id == event_id).values(last_error="; ".join(failures)[:2000]))
        raise RetryLater(state.settings.worker_retry_seconds, "e-mail not sent: " + "; ".join(failures))
    async with state.db.write() as session:
        await mark_done(session, event_id, utcnow())
    return f"{len(plan.new_notifications)} notifications, {len(plan.emails)} e-mails, {len(plan.webhook_subscription_ids)} webhooks"


async def _react(state, event_id: int, plan) -> None:
    """The reactions of later domains to the event, each idempotent; one that fails leaves
    the event undone, to be delivered (and every reaction run) again."""
    load_domains()
    for reaction in REACTIONS.get(plan.event_type, ()):
        try:
            with delivering(event_id, plan.event_type):
                await reaction(state, plan.subject_id, plan.payload)
        except Exception as exc:
            log.exception("reaction %s to event %s failed", reaction.__qualname__, event_id)
            async with state.db.write() as session:
                await session.execute(
                    update(OutboxEvent).where(OutboxEvent.id == event_id).values(last_error=f"{reaction.__qualname__}: {exc}"[:2000])
                )
            raise RetryLater(state.settings.worker_retry_seconds, f"reaction {reaction.__qualname__} failed: {exc}") from exc


async def deliver_webhook(state, event_id: int, subscription_id: int) -> str:
    """One attempt; raises RetryLater with exponential backoff until max attempts."""
    settings = state.settings
    async with state.db.read() as session:
        done = (
            await session.execute(
                select(WebhookDelivery.id).where(
                    WebhookDelivery.subscription_id == subscription_id,
                    WebhookDelivery.event_id == event_id,
                    WebhookDelivery.success.is_(True),
                )
            )
        ).first()
        if done:
            return "already delivered"
        attempts = (
            await session.execute(
                select(func.count())
                .select_from(WebhookDelivery)
                .where(WebhookDelivery.subscription_id == subscription_id, WebhookDelivery.event_id == event_id)
            )
        ).scalar_one()
        sub = await session.get(WebhookSubscription, subscription_id)
        event = await session.get(OutboxEvent, event_id)
    if sub is None or event is None or not sub.is_active:
        return "subscription gone"
    attempt = attempts + 1
    result = await post_webhook(
        sub.url, webhook_secret(state.cipher, sub), webhook_body(event), event.event_type, event.id, settings.webhook_timeout_seconds
    )
    async with state.db.write() as session:
        session.add(
            WebhookDelivery(
                subscription_id=sub.id,
                event_id=event.id,
                attempt=attempt,
                status_code=result.status_code,
                success=result.success,
                error=result.error,
                duration_ms=result.duration_ms,
                attempted_at=utcnow(),
            )
        )
    if result.success:
        return f"delivered on attempt {attempt}"
    if attempt >= settings.webhook_max_attempts:
        log.warning("webhook %s gave up on event %s after %s attempts: %s", sub.id, event.id, attempt, result.error)
        return f"gave up after {attempt} attempts"
    raise RetryLater(settings.webhook_backoff_seconds * 2 ** (attempt - 1), result.error or "failed")
