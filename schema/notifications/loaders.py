"""DataLoaders of the notifications domain."""

from __future__ import annotations

from models.notifications import Notification, WebhookSubscription
from schema.core import loaders

loaders.by_id("notification", Notification)
loaders.by_id("webhook_subscription", WebhookSubscription)
