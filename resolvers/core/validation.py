"""Small helpers that collect every validation problem before reporting them together."""

from __future__ import annotations

import re
from typing import overload

from stdnum.cn import uscc
from stdnum.exceptions import ValidationError

from resolvers.core.errors import BadInput, Problem, UserErrors

PHONE_RE = re.compile(r"^1[3-9]\d{9}$")
REGION_RE = re.compile(r"^\d{6}$")
USERNAME_RE = re.compile(r"^[A-Za-z0-9._-]{3,64}$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
BANK_ACCOUNT_RE = re.compile(r"^\d{8,30}$")
# Control characters other than tab and line breaks (NUL among them, which PostgreSQL
# refuses and SQLite stores), DEL, and the bidirectional overrides and isolates that make
# text display in another order than it is stored (a spoofed title or name).
UNPRINTABLE_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069]")


class Checks:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, code: str, field: str | None = None, **params) -> None:
        self.problems.append(Problem(code, field, params))

    def text(self, field: str, value: str | None, max_length: int, required: bool = True) -> str | None:
        value = value.strip() if isinstance(value, str) else value
        if not value:
            if required:
                self.add("REQUIRED", field)
            return None
        if len(value) > max_length:
            self.add("TOO_LONG", field, max=max_length)
        if UNPRINTABLE_RE.search(value):
            self.add("INVALID_CHARACTERS", field)
        return value

    @overload
    def pattern(self, field: str, value: str, regex: re.Pattern, code: str) -> str: ...

    @overload
    def pattern(self, field: str, value: str | None, regex: re.Pattern, code: str) -> str | None: ...

    def pattern(self, field: str, value: str | None, regex: re.Pattern, code: str) -> str | None:
        if value is None:
            return None
        value = value.strip().replace(" ", "")
        if not regex.match(value):
            self.add(code, field)
        return value

    def uscc(self, field: str, value: str | None) -> str | None:
        if not value:
            self.add("REQUIRED", field)
            return None
        try:
            return uscc.validate(value)
        except ValidationError as exc:
            self.add("INVALID_USCC", field, reason=str(exc))
            return uscc.compact(value)

    def raise_if_any(self) -> None:
        if self.problems:
            raise UserErrors(list(self.problems))


def printable(value: str | None) -> str | None:
    """A text argument of a query (a search string, a region prefix) as it is, refused as
    INVALID_CHARACTERS when it holds what ``Checks.text`` refuses in stored text (a NUL
    would otherwise reach PostgreSQL as an internal error)."""
    if value is not None and UNPRINTABLE_RE.search(value):
        raise BadInput("INVALID_CHARACTERS")
    return value
