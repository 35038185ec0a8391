"""Notifications as lists: the inbox, channel preferences, webhook subscriptions and their
delivery log, narrowed to the caller's row scope (``schema.notifications.queries`` pages
them)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models.notifications import (
    Notification,
    NotificationPreference,
    WebhookDelivery,
    WebhookSubscription,
)
from policies.scope import notifications as scope
from resolvers.core.context import Actor
from resolvers.core.pagination import ListQuery


def notifications(actor: Actor, unread_only: bool = False) -> ListQuery:
    """The actor's in-app notifications, newest first."""
    N = Notification
    stmt = select(N).where(scope.notifications(actor))
    if unread_only:
        stmt = stmt.where(N.read_at.is_(None))
    return ListQuery(stmt, [(N.id, True)])


async def notification_preferences(session: AsyncSession, actor: Actor) -> list[NotificationPreference]:
    """The actor's channel preferences, by event type."""
    stmt = select(NotificationPreference).where(NotificationPreference.user_id == actor.id).order_by(NotificationPreference.event_type)
    return list((await session.execute(stmt)).scalars().all())


def webhook_subscriptions(actor: Actor) -> ListQuery:
    """Webhook subscriptions the actor can see, by primary key."""
    W = WebhookSubscription
    return ListQuery(select(W).where(scope.webhook_subscriptions(actor)), [(W.id, False)])


def webhook_deliveries(subscription_id: int) -> ListQuery:
    """Delivery attempts of one webhook subscription, newest first. The caller has already
    found the subscription within the actor's scope."""
    D = WebhookDelivery
    return ListQuery(select(D).where(D.subscription_id == subscription_id), [(D.id, True)])
