"""Editing the live permission policy."""

from resolvers.permissions import messages  # noqa: F401  (registers this domain's message codes)
