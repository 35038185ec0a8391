"""Who sees which notifications and webhook subscriptions."""

from __future__ import annotations

from sqlalchemy import ColumnElement, false

from models.notifications import Notification, WebhookSubscription
from policies.scope import belonging, scope_of
from policies.subject import Actor


@scope_of(Notification)
def notifications(actor: Actor) -> ColumnElement[bool]:
    """Each person's inbox is their own."""
    if actor.kind != "user":
        return false()
    return Notification.user_id == actor.id


@scope_of(WebhookSubscription)
def webhook_subscriptions(actor: Actor) -> ColumnElement[bool]:
    return belonging(WebhookSubscription.organisation_id, actor)
