"""Typed domain errors.

``UserErrors`` carries validation failures (returned in a mutation payload); the other
classes become GraphQL errors with ``extensions.code``. Messages are looked up by code in
``resolvers.core.i18n`` in the caller's language; codes never change.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from policies.errors import DomainError, Forbidden, NotFound, Unauthenticated

__all__ = ["BadInput", "Conflict", "DomainError", "Forbidden", "NotFound", "Problem", "Unauthenticated", "UserErrors"]


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


class Conflict(DomainError):
    graphql_code = "CONFLICT"


class BadInput(DomainError):
    """A malformed request (bad ID, page size over the cap): a GraphQL error, not a user error."""

    graphql_code = "BAD_USER_INPUT"
