"""Notifications: the in-app inbox, channel preferences, webhooks and their delivery log: root mutation fields."""

from __future__ import annotations

import strawberry

from resolvers.notifications import service as svc
from schema.core.context import Info
from schema.core.node import decode_id
from schema.core.payload import run_mutation
from schema.notifications.inputs import (
    CreateWebhookSubscriptionInput,
    DeleteWebhookSubscriptionInput,
    MarkNotificationsReadInput,
    MarkNotificationsReadPayload,
    NotificationPreferencePayload,
    SetNotificationPreferenceInput,
    WebhookSubscriptionPayload,
)
from schema.notifications.queries import _pref
from schema.notifications.types import WebhookSubscription


@strawberry.type
class NotificationsMutation:
    @strawberry.mutation(description="Mark your notifications read. 标记通知已读。")
    async def mark_notifications_read(
        self, info: Info, input: MarkNotificationsReadInput | None = None
    ) -> MarkNotificationsReadPayload | None:
        ids = [decode_id(i, "Notification") for i in input.ids] if input and input.ids is not None else None
        count, errors = await run_mutation(info, svc.mark_read, ids)
        return MarkNotificationsReadPayload(count=count or 0, errors=errors)

    @strawberry.mutation(description="Choose your channels for an event type. 设置通知偏好。")
    async def set_notification_preference(self, info: Info, input: SetNotificationPreferenceInput) -> NotificationPreferencePayload | None:
        pref, errors = await run_mutation(info, svc.set_preference, input.event_type, input.channels, input.locale)
        return NotificationPreferencePayload(preference=_pref(pref) if pref else None, errors=errors)

    @strawberry.mutation(description="Subscribe a receiver to an organisation's events. 创建 Webhook 订阅。")
    async def create_webhook_subscription(self, info: Info, input: CreateWebhookSubscriptionInput) -> WebhookSubscriptionPayload | None:
        created, errors = await run_mutation(
            info, svc.create_webhook, decode_id(input.organisation_id, "Organisation"), input.url, input.event_types
        )
        if created is None:
            return WebhookSubscriptionPayload(subscription=None, errors=errors)
        sub, secret = created
        return WebhookSubscriptionPayload(subscription=WebhookSubscription.of(sub), secret=secret)

    @strawberry.mutation(description="Stop a webhook. 停用 Webhook。")
    async def delete_webhook_subscription(self, info: Info, input: DeleteWebhookSubscriptionInput) -> WebhookSubscriptionPayload | None:
        sub, errors = await run_mutation(info, svc.delete_webhook, decode_id(input.id, "WebhookSubscription"))
        return WebhookSubscriptionPayload(subscription=WebhookSubscription.of(sub) if sub else None, errors=errors)
