"""Typed domain errors.

``UserErrors`` carries validation failures (returned in a mutation payload); the other
classes become GraphQL errors with ``extensions.code``. Messages are looked up by code in
``resolvers.messages`` in the caller's language; codes never change.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Problem:
    code: str
    field: str | None = None
    params: dict[str, Any] = dataclasses.field(default_factory=dict)


class UserErrors(Exception):
    """One or more validation failures; nothing was written."""

    def __init__(self, problems: list[Problem] | Problem):
        self.problems = problems if isinstance(problems, list) else [problems]
        super().__init__(", ".join(p.code for p in self.problems))


class DomainError(Exception):
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
    graphql_code = "NOT_FOUND"


class Conflict(DomainError):
    graphql_code = "CONFLICT"


class BadInput(DomainError):
    """A malformed request (bad ID, page size over the cap): a GraphQL error, not a user error."""

    graphql_code = "BAD_USER_INPUT"


class Throttled(DomainError):
    graphql_code = "TOO_MANY_REQUESTS"
