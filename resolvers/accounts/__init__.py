"""Organisations, users, roles, API clients and sign-in."""

from resolvers.accounts import messages  # noqa: F401  (registers this domain's message codes)
