"""Notifications: the in-app inbox, channel preferences, webhooks and their delivery log: root query fields."""

from __future__ import annotations

import strawberry

from models import notifications as tables
from resolvers.core.errors import NotFound
from resolvers.notifications import queries
from schema.core.connection import Connection, list_page
from schema.core.context import Info, signed_in_actor
from schema.core.node import decode_id
from schema.notifications.types import (
    Notification,
    NotificationPreference,
    WebhookDelivery,
    WebhookSubscription,
)


def _pref(row: tables.NotificationPreference) -> NotificationPreference:
    return NotificationPreference(event_type=row.event_type, channels=row.channels.split(","), locale=row.locale)


@strawberry.type
class NotificationsQuery:
    @strawberry.field(description="Your in-app notifications, newest first. 我的通知。")
    async def notifications(
        self,
        info: Info,
        unread_only: bool = False,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Notification] | None:
        ctx = info.context
        actor = await signed_in_actor(ctx)
        return await list_page(info, queries.notifications(actor, unread_only), Notification, first, after, last, before)

    @strawberry.field(description="Your channel preferences. 我的通知偏好。")
    async def notification_preferences(self, info: Info) -> list[NotificationPreference] | None:
        actor = await signed_in_actor(info.context)
        async with info.context.read() as session:
            rows = await queries.notification_preferences(session, actor)
        return [_pref(r) for r in rows]

    @strawberry.field(description="Webhook subscriptions you can see. Webhook 订阅。")
    async def webhook_subscriptions(
        self, info: Info, first: int | None = None, after: str | None = None, last: int | None = None, before: str | None = None
    ) -> Connection[WebhookSubscription] | None:
        ctx = info.context
        actor = await signed_in_actor(ctx)
        return await list_page(info, queries.webhook_subscriptions(actor), WebhookSubscription, first, after, last, before)

    @strawberry.field(description="Delivery attempts of a webhook, newest first. Webhook 投递记录。")
    async def webhook_deliveries(
        self,
        info: Info,
        subscription_id: strawberry.ID,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[WebhookDelivery] | None:
        ctx = info.context
        sub = await ctx.loaders.webhook_subscription.load(decode_id(subscription_id, "WebhookSubscription"))
        if sub is None:
            raise NotFound()
        return await list_page(info, queries.webhook_deliveries(sub.id), WebhookDelivery, first, after, last, before)
