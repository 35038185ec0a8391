"""Notifications: the in-app inbox, preferences, webhooks and live updates.

The root fields this domain adds to the schema: ``Query``, ``Mutation`` and ``Subscription``
(``schema.root`` merges every domain's). Importing it registers its DataLoaders."""

from schema.notifications import loaders  # noqa: F401  (registers this domain's DataLoaders)
from schema.notifications.mutations import NotificationsMutation as Mutation
from schema.notifications.queries import NotificationsQuery as Query
from schema.notifications.subscriptions import NotificationsSubscription as Subscription

__all__ = ["Query", "Mutation", "Subscription"]
