"""Notifications: the in-app inbox, channel preferences, webhooks and their delivery log: inputs, filters and payloads."""

from __future__ import annotations

import strawberry

from schema.core.payload import UserError
from schema.notifications.types import NotificationPreference, WebhookSubscription


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
