"""Refusals. ``DomainError`` is the base of every typed error the service raises (the rest
are in ``resolvers.core.errors``); these three are the permission outcomes, defined here
so the gate and row scope need nothing from the service layer."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """An error with a stable code, presented as a GraphQL error with ``extensions.code``
    (``graphql_code``) and, when it is more specific, ``extensions.reason`` (``code``)."""

    graphql_code = "INTERNAL"

    def __init__(self, code: str | None = None, **params: Any):
        self.code = code or self.graphql_code
        self.params = params
        super().__init__(self.code)


class Unauthenticated(DomainError):
    graphql_code = "UNAUTHENTICATED"


class Forbidden(DomainError):
    graphql_code = "FORBIDDEN"


class NotFound(DomainError):
    """Absent, or outside the caller's row scope: the two are never told apart."""

    graphql_code = "NOT_FOUND"
