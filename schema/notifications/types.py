"""Notifications: the in-app inbox, channel preferences, webhooks and their delivery log: GraphQL types."""

from __future__ import annotations

from datetime import datetime

import strawberry

from models import notifications as tables
from schema.core.context import Info
from schema.core.fields import column, label, labels_in_request
from schema.core.node import Node, register_node


@register_node("notification")
@strawberry.type(description="An in-app notification. 站内通知。")
class Notification(Node):
    row: strawberry.Private[tables.Notification]

    event_type: str = column("event_type", "Event type, e.g. project.submitted. 事件类型。")

    event_type_label: str = label("event_type", "EventType", "Event type, in the request's language. 事件类型名称。")

    title: str = column("title", "Title. 标题。")

    body: str = column("body", "Text. 内容。")

    subject_type: str = column("subject_type", "Type of what it is about, e.g. Project. 相关对象类型。")

    @strawberry.field(description="Global ID of what it is about. 相关对象。")
    def subject_id(self) -> strawberry.ID:
        from schema.core.node import to_global_id

        return strawberry.ID(to_global_id(self.row.subject_type, self.row.subject_id))

    created_at: datetime = column("created_at", "When (UTC). 时间。")

    read_at: datetime | None = column("read_at", "When read (UTC), null while unread. 阅读时间。")


@strawberry.type(description="A notification as pushed to a live subscription. 实时通知。")
class LiveNotification:
    id: strawberry.ID = strawberry.field(description="Global ID of the notification. 通知ID。")
    event_type: str = strawberry.field(description="Event type. 事件类型。")

    @strawberry.field(description="Event type, in the language of the subscription's connection. 事件类型名称。")
    def event_type_label(self, info: Info) -> str:
        return labels_in_request(info, "EventType", [self.event_type])[0]

    title: str = strawberry.field(description="Title. 标题。")
    body: str = strawberry.field(description="Text. 内容。")
    subject_id: strawberry.ID = strawberry.field(description="Global ID of what it is about. 相关对象。")
    created_at: datetime = strawberry.field(description="When (UTC). 时间。")


@strawberry.type(description="Channels chosen for an event type. 通知偏好。")
class NotificationPreference:
    event_type: str = strawberry.field(description="Event type, or * for all. 事件类型。")
    channels: list[str] = strawberry.field(description="in_app, email. 渠道。")
    locale: str = strawberry.field(description="zh-CN or en. 语言。")

    @strawberry.field(description="Event type, in the request's language. 事件类型名称。")
    def event_type_label(self, info: Info) -> str:
        return labels_in_request(info, "EventType", [self.event_type])[0]

    @strawberry.field(description="The channels' labels in the request's language, in the order of `channels`. 渠道名称。")
    def channel_labels(self, info: Info) -> list[str]:
        return labels_in_request(info, "NotificationChannel", self.channels)

    @strawberry.field(description="`locale`, in the request's language. 语言名称。")
    def locale_label(self, info: Info) -> str:
        return labels_in_request(info, "Locale", [self.locale])[0]


@register_node("webhook_subscription")
@strawberry.type(description="An organisation's webhook: events POSTed as signed JSON. Webhook 订阅。")
class WebhookSubscription(Node):
    row: strawberry.Private[tables.WebhookSubscription]

    url: str = column("url", "Receiver URL. 接收地址。")

    @strawberry.field(description="Event types delivered (* for all). 订阅的事件类型。")
    def event_types(self) -> list[str]:
        return self.row.event_types.split(",")

    @strawberry.field(description="The labels of `eventTypes` in the request's language, in the same order. 订阅的事件类型名称。")
    def event_type_labels(self, info: Info) -> list[str]:
        return labels_in_request(info, "EventType", self.row.event_types.split(","))

    is_active: bool = column("is_active", "Whether deliveries continue. 是否有效。")

    created_at: datetime = column("created_at", "When created (UTC). 创建时间。")


@strawberry.type(description="One attempt to deliver an event to a webhook. Webhook 投递记录。")
class WebhookDelivery:
    row: strawberry.Private[tables.WebhookDelivery]

    event_id: int = column("event_id", "Outbox event id. 事件编号。")

    attempt: int = column("attempt", "Attempt number, from 1. 第几次尝试。")

    status_code: int | None = column("status_code", "HTTP status answered, null if none. HTTP 状态码。")

    success: bool = column("success", "2xx received. 是否成功。")

    error: str | None = column("error", "What went wrong. 错误。")

    duration_ms: int | None = column("duration_ms", "Round trip in milliseconds. 耗时（毫秒）。")

    attempted_at: datetime = column("attempted_at", "When (UTC). 时间。")
