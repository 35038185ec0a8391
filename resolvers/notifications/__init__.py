"""Notifications: in-app inbox, e-mail, webhooks, preferences."""

from resolvers.notifications import messages  # noqa: F401  (registers this domain's message codes)
