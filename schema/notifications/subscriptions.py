"""Notifications: the in-app inbox, channel preferences, webhooks and their delivery log: root subscription fields."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import datetime

import strawberry

from resolvers.core.errors import Forbidden
from schema.core.context import Info
from schema.notifications.types import LiveNotification


@strawberry.type
class NotificationsSubscription:
    @strawberry.subscription(description="Your notifications as they are delivered. 实时接收我的通知。")
    async def notification_received(self, info: Info) -> AsyncGenerator[LiveNotification, None]:
        ctx = info.context
        actor = await ctx.actor()
        if actor is None or actor.kind != "user":  # only people have an inbox (see scope.notifications)
            raise Forbidden(operation="Subscription.notificationReceived")
        return _live_notifications(ctx, actor.id)


async def _live_notifications(ctx, user_id: int) -> AsyncGenerator[LiveNotification, None]:
    """The notifications published for one person, as they come."""
    from schema.core.node import to_global_id

    async for message in ctx.state.broker.subscribe(user_id):
        yield LiveNotification(
            id=strawberry.ID(to_global_id("Notification", message["id"])),
            event_type=message["eventType"],
            title=message["title"],
            body=message["body"],
            subject_id=strawberry.ID(to_global_id(message["subjectType"], message["subjectId"])),
            created_at=datetime.fromisoformat(message["createdAt"]),
        )
