"""Notifications: in-app inbox, e-mail, webhooks, preferences."""
