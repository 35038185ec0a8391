"""Notifications: the in-app inbox, channel preferences, webhooks and their delivery log,
and the live ``notificationReceived`` subscription."""

from __future__ import annotations

from datetime import datetime
from typing import AsyncGenerator

import strawberry
from sqlalchemy import select
from strawberry.types import Info

from models import notifications as m
from models.accounts import Organisation as OrganisationModel
from policies.scope import legacy as scope
from resolvers.notifications import service as svc
from resolvers.core.errors import Forbidden, NotFound
from schema.core.base import Connection, Node, UserError, column, decode_id, list_page, register_node, run_mutation


@register_node("notification")
@strawberry.type(description="An in-app notification. 站内通知。")
class Notification(Node):
    m: strawberry.Private[m.Notification]

    @classmethod
    def of(cls, row: m.Notification) -> "Notification":
        return cls(pk=row.id, m=row)

    event_type: str = column("event_type", "Event type, e.g. project.submitted. 事件类型。")

    title: str = column("title", "Title. 标题。")

    body: str = column("body", "Text. 内容。")

    subject_type: str = column("subject_type", "Type of what it is about, e.g. Project. 相关对象类型。")

    @strawberry.field(description="Global ID of what it is about. 相关对象。")
    def subject_id(self) -> strawberry.ID:
        from schema.core.base import to_global_id

        return strawberry.ID(to_global_id(self.m.subject_type, self.m.subject_id))

    created_at: datetime = column("created_at", "When (UTC). 时间。")

    read_at: datetime | None = column("read_at", "When read (UTC), null while unread. 阅读时间。")


@strawberry.type(description="A notification as pushed to a live subscription. 实时通知。")
class LiveNotification:
    id: strawberry.ID = strawberry.field(description="Global ID of the notification. 通知ID。")
    event_type: str = strawberry.field(description="Event type. 事件类型。")
    title: str = strawberry.field(description="Title. 标题。")
    body: str = strawberry.field(description="Text. 内容。")
    subject_id: strawberry.ID = strawberry.field(description="Global ID of what it is about. 相关对象。")
    created_at: datetime = strawberry.field(description="When (UTC). 时间。")


@strawberry.type(description="Channels chosen for an event type. 通知偏好。")
class NotificationPreference:
    event_type: str = strawberry.field(description="Event type, or * for all. 事件类型。")
    channels: list[str] = strawberry.field(description="in_app, email. 渠道。")
    locale: str = strawberry.field(description="zh-CN or en. 语言。")


@register_node("webhook_subscription")
@strawberry.type(description="An organisation's webhook: events POSTed as signed JSON. Webhook 订阅。")
class WebhookSubscription(Node):
    m: strawberry.Private[m.WebhookSubscription]

    @classmethod
    def of(cls, row: m.WebhookSubscription) -> "WebhookSubscription":
        return cls(pk=row.id, m=row)

    url: str = column("url", "Receiver URL. 接收地址。")

    @strawberry.field(description="Event types delivered (* for all). 订阅的事件类型。")
    def event_types(self) -> list[str]:
        return self.m.event_types.split(",")

    is_active: bool = column("is_active", "Whether deliveries continue. 是否有效。")

    created_at: datetime = column("created_at", "When created (UTC). 创建时间。")


@strawberry.type(description="One attempt to deliver an event to a webhook. Webhook 投递记录。")
class WebhookDelivery:
    m: strawberry.Private[m.WebhookDelivery]

    event_id: int = column("event_id", "Outbox event id. 事件编号。")

    attempt: int = column("attempt", "Attempt number, from 1. 第几次尝试。")

    status_code: int | None = column("status_code", "HTTP status answered, null if none. HTTP 状态码。")

    success: bool = column("success", "2xx received. 是否成功。")

    error: str | None = column("error", "What went wrong. 错误。")

    duration_ms: int | None = column("duration_ms", "Round trip in milliseconds. 耗时（毫秒）。")

    attempted_at: datetime = column("attempted_at", "When (UTC). 时间。")


@strawberry.input(description="Mark notifications read. 标记已读。")
class MarkNotificationsReadInput:
    ids: list[strawberry.ID] | None = strawberry.field(default=None, description="These, or all unread when omitted. 通知ID。")


@strawberry.type(description="Result of marking read. 标记结果。")
class MarkNotificationsReadPayload:
    count: int = strawberry.field(description="How many were marked. 标记数量。")
    errors: list[UserError] = strawberry.field(description="Errors. 错误。")


@strawberry.input(description="Choose channels for an event type. 设置通知偏好。")
class SetNotificationPreferenceInput:
    event_type: str = strawberry.field(description="Event type, or * for all. 事件类型。")
    channels: list[str] = strawberry.field(description="Subset of in_app, email. 渠道。")
    locale: str = strawberry.field(default="zh-CN", description="zh-CN or en. 语言。")


@strawberry.type(description="Result of setting a preference. 偏好设置结果。")
class NotificationPreferencePayload:
    preference: NotificationPreference | None = strawberry.field(description="The preference. 偏好。")
    errors: list[UserError] = strawberry.field(description="Validation failures. 校验错误。")


@strawberry.input(description="Subscribe an organisation's receiver. 创建 Webhook 订阅。")
class CreateWebhookSubscriptionInput:
    organisation_id: strawberry.ID = strawberry.field(description="Organisation whose events are sent. 单位。")
    url: str = strawberry.field(description="Receiver URL (https in production). 接收地址。")
    event_types: list[str] = strawberry.field(default_factory=list, description="Event types; empty for all. 事件类型。")


@strawberry.input(description="Stop a webhook. 停用 Webhook。")
class DeleteWebhookSubscriptionInput:
    id: strawberry.ID = strawberry.field(description="Subscription. 订阅。")


@strawberry.type(description="Result of a webhook mutation. Webhook 操作结果。")
class WebhookSubscriptionPayload:
    subscription: WebhookSubscription | None = strawberry.field(description="The subscription. 订阅。")
    secret: str | None = strawberry.field(
        default=None, description="HMAC key for X-Smallworks-Signature; shown once. 签名密钥（仅显示一次）。"
    )
    errors: list[UserError] = strawberry.field(default_factory=list, description="Validation failures. 校验错误。")


def _pref(row: m.NotificationPreference) -> NotificationPreference:
    return NotificationPreference(event_type=row.event_type, channels=row.channels.split(","), locale=row.locale)


@strawberry.type
class NotificationsQuery:
    @strawberry.field(description="Your in-app notifications, newest first. 我的通知。")
    async def notifications(
        self, info: Info, unread_only: bool = False,
        first: int | None = None, after: str | None = None, last: int | None = None, before: str | None = None,
    ) -> Connection[Notification] | None:
        ctx = info.context
        actor = await ctx.actor()
        N = m.Notification
        stmt = select(N).where(scope.notifications(actor))
        if unread_only:
            stmt = stmt.where(N.read_at.is_(None))
        return await list_page(info, stmt, [(N.id, True)], Notification.of, first, after, last, before)

    @strawberry.field(description="Your channel preferences. 我的通知偏好。")
    async def notification_preferences(self, info: Info) -> list[NotificationPreference] | None:
        actor = await info.context.actor()
        async with info.context.db.read() as session:
            rows = (await session.execute(select(m.NotificationPreference).where(m.NotificationPreference.user_id == actor.id)
                                          .order_by(m.NotificationPreference.event_type))).scalars().all()
        return [_pref(r) for r in rows]

    @strawberry.field(description="Webhook subscriptions you can see. Webhook 订阅。")
    async def webhook_subscriptions(
        self, info: Info, first: int | None = None, after: str | None = None, last: int | None = None, before: str | None = None
    ) -> Connection[WebhookSubscription] | None:
        ctx = info.context
        actor = await ctx.actor()
        W = m.WebhookSubscription
        return await list_page(info, select(W).where(scope.webhook_subscriptions(actor)), [(W.id, False)], WebhookSubscription.of, first, after, last, before)

    @strawberry.field(description="Delivery attempts of a webhook, newest first. Webhook 投递记录。")
    async def webhook_deliveries(
        self, info: Info, subscription_id: strawberry.ID,
        first: int | None = None, after: str | None = None, last: int | None = None, before: str | None = None,
    ) -> Connection[WebhookDelivery] | None:
        ctx = info.context
        sub = await ctx.loaders.webhook_subscription.load(decode_id(subscription_id, "WebhookSubscription"))
        if sub is None:
            raise NotFound()
        D = m.WebhookDelivery
        return await list_page(info, select(D).where(D.subscription_id == sub.id), [(D.id, True)], lambda row: WebhookDelivery(m=row), first, after, last, before)


@strawberry.type
class NotificationsMutation:
    @strawberry.mutation(description="Mark your notifications read. 标记通知已读。")
    async def mark_notifications_read(self, info: Info, input: MarkNotificationsReadInput | None = None) -> MarkNotificationsReadPayload | None:
        ids = [decode_id(i, "Notification") for i in input.ids] if input and input.ids is not None else None
        count, errors = await run_mutation(info, svc.mark_read, ids)
        return MarkNotificationsReadPayload(count=count or 0, errors=errors)

    @strawberry.mutation(description="Choose your channels for an event type. 设置通知偏好。")
    async def set_notification_preference(self, info: Info, input: SetNotificationPreferenceInput) -> NotificationPreferencePayload | None:
        pref, errors = await run_mutation(info, svc.set_preference, input.event_type, input.channels, input.locale)
        return NotificationPreferencePayload(preference=_pref(pref) if pref else None, errors=errors)

    @strawberry.mutation(description="Subscribe a receiver to an organisation's events. 创建 Webhook 订阅。")
    async def create_webhook_subscription(self, info: Info, input: CreateWebhookSubscriptionInput) -> WebhookSubscriptionPayload | None:
        created, errors = await run_mutation(info, svc.create_webhook, decode_id(input.organisation_id, "Organisation"), input.url, input.event_types)
        if created is None:
            return WebhookSubscriptionPayload(subscription=None, errors=errors)
        sub, secret = created
        return WebhookSubscriptionPayload(subscription=WebhookSubscription.of(sub), secret=secret)

    @strawberry.mutation(description="Stop a webhook. 停用 Webhook。")
    async def delete_webhook_subscription(self, info: Info, input: DeleteWebhookSubscriptionInput) -> WebhookSubscriptionPayload | None:
        sub, errors = await run_mutation(info, svc.delete_webhook, decode_id(input.id, "WebhookSubscription"))
        return WebhookSubscriptionPayload(subscription=WebhookSubscription.of(sub) if sub else None, errors=errors)


@strawberry.type(description="Live updates over graphql-transport-ws. 实时订阅。")
class Subscription:
    @strawberry.subscription(description="Your notifications as they are delivered. 实时接收我的通知。")
    async def notification_received(self, info: Info) -> AsyncGenerator[LiveNotification, None]:
        ctx = info.context
        actor = await ctx.actor()
        if actor is None or actor.kind != "user":  # only people have an inbox (see scope.notifications)
            raise Forbidden(operation="Subscription.notificationReceived")
        return _live_notifications(ctx, actor.id)


async def _live_notifications(ctx, user_id: int) -> AsyncGenerator[LiveNotification, None]:
    """The notifications published for one person, as they come."""
    from schema.core.base import to_global_id

    async for message in ctx.state.broker.subscribe(user_id):
        yield LiveNotification(
            id=strawberry.ID(to_global_id("Notification", message["id"])),
            event_type=message["eventType"],
            title=message["title"],
            body=message["body"],
            subject_id=strawberry.ID(to_global_id(message["subjectType"], message["subjectId"])),
            created_at=datetime.fromisoformat(message["createdAt"]),
        )
