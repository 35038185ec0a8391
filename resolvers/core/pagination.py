"""Keyset (cursor) pagination over any ordered SELECT, for every connection.

A cursor encodes the sort-key values of a row; the next page is the rows strictly after
it in the ordering, so pages stay stable while rows are inserted, and each page costs one
statement whatever its size.
"""

from __future__ import annotations

import base64
import json
import math
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.types import TypeDecorator

from resolvers.core.errors import BadInput


@dataclass(frozen=True)
class ListQuery:
    """A list as the service layer defines it: the rows (already narrowed to the caller's
    row scope and filters) and their order, as (column, descending) pairs ending with a
    unique column. The schema layer turns it into pages."""

    statement: Select
    order: list[tuple[Any, bool]]


@dataclass(frozen=True)
class PageArgs:
    first: int | None = None
    after: str | None = None
    last: int | None = None
    before: str | None = None


@dataclass
class Page:
    rows: list[Any]
    key: Callable[[Any], Sequence[Any]]  # a row's values of the order columns
    has_next_page: bool
    has_previous_page: bool
    statement: Select  # the list's, without paging

    @property
    def count_statement(self) -> Select:
        """How many rows the whole list has (built when a client asks for totalCount)."""
        return select(func.count()).select_from(self.statement.order_by(None).subquery())

    def cursor(self, index: int) -> str:
        """The cursor of ``rows[index]``, made when asked for: most pages are read for
        their rows and the last cursor only."""
        return encode_cursor(self.key(self.rows[index]))


def _encode_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"dt": value.isoformat()}
    if isinstance(value, date):  # a day, as lists ordered by one carry it (daily logs)
        return {"d": value.isoformat()}
    if isinstance(value, Decimal):
        return {"dec": str(value)}
    return value


def _decode_value(value: Any) -> Any:
    if isinstance(value, dict):
        if "dt" in value:
            return datetime.fromisoformat(value["dt"])
        if "d" in value:
            return date.fromisoformat(value["d"])
        if "dec" in value:
            return Decimal(value["dec"])
        raise ValueError(value)
    return value


def encode_cursor(values: Sequence[Any]) -> str:
    raw = json.dumps([_encode_value(v) for v in values], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, width: int) -> list[Any]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        decoded = json.loads(raw)
        if not isinstance(decoded, list):
            raise ValueError(decoded)
        values = [_decode_value(v) for v in decoded]
    except (ValueError, TypeError, ArithmeticError):  # decimal.InvalidOperation is an ArithmeticError
        raise BadInput("INVALID_CURSOR") from None
    if len(values) != width:
        raise BadInput("INVALID_CURSOR")
    return values


def _python_type(column) -> type | None:
    type_ = column.type
    if isinstance(type_, TypeDecorator):
        type_ = type_.impl_instance
    try:
        return type_.python_type
    except NotImplementedError:
        return None


def _fits(column, value: Any) -> bool:
    """Whether a cursor value can be compared with ``column`` (a cursor is client input:
    a forged one must be refused, not reach the database as a type error)."""
    if value is None or isinstance(value, bool):
        return False
    python_type = _python_type(column)
    if python_type is None or python_type is object:
        return True
    if issubclass(python_type, datetime):
        return isinstance(value, datetime) and value.tzinfo is not None
    if issubclass(python_type, date):
        return isinstance(value, date) and not isinstance(value, datetime)
    if issubclass(python_type, str):
        return isinstance(value, str)
    if issubclass(python_type, (int, float, Decimal)):
        integral = issubclass(python_type, int) and not isinstance(column.type, TypeDecorator)
        if isinstance(value, int):
            return -(2**63) <= value < 2**63
        if isinstance(value, float):
            return math.isfinite(value) and not integral
        if isinstance(value, Decimal):
            return value.is_finite() and not integral
        return False
    return True


def _cursor_values(cursor: str, order: Sequence[tuple[Any, bool]]) -> list[Any]:
    values = decode_cursor(cursor, len(order))
    if not all(_fits(column, value) for (column, _), value in zip(order, values, strict=True)):
        raise BadInput("INVALID_CURSOR")
    return values


def _beyond(order: Sequence[tuple[Any, bool]], values: Sequence[Any]):
    """Rows strictly after ``values`` in ``order`` ((column, descending) pairs)."""
    clauses = []
    for i, (column, descending) in enumerate(order):
        equal_before = [order[j][0] == values[j] for j in range(i)]
        step = column < values[i] if descending else column > values[i]
        clauses.append(and_(*equal_before, step))
    return or_(*clauses)


def check_size(name: str, value: int | None, limit: int) -> None:
    if value is None:
        return
    if value < 0:
        raise BadInput("PAGE_SIZE_NEGATIVE", argument=name)
    if value > limit:
        raise BadInput("PAGE_SIZE_EXCEEDED", argument=name, requested=value, limit=limit)


def as_rows(statement: Select) -> Select:
    """``select(Model)`` as a select of the model's table columns: the page comes back as
    plain rows (read once by the GraphQL layer), without ORM instances and their
    identity-map bookkeeping. Other statements are returned as they are."""
    descriptions = statement.column_descriptions
    if len(descriptions) == 1 and descriptions[0].get("entity") is not None and descriptions[0]["type"] is descriptions[0]["entity"]:
        table = descriptions[0]["entity"].__table__
        return statement.with_only_columns(*table.columns, maintain_column_froms=True)
    return statement


async def paginate(
    rows_of: Callable[[Select], Awaitable[Sequence[Any]]],
    statement: Select,
    order: Sequence[tuple[Any, bool]],
    args: PageArgs,
    *,
    max_size: int,
    default_size: int,
    key: Callable[[Any], Sequence[Any]],
) -> Page:
    """``rows_of`` runs a statement and returns its rows; ``order`` must end with a unique
    column (the primary key); ``key`` returns a row's values for those columns, in the same
    order."""
    check_size("first", args.first, max_size)
    check_size("last", args.last, max_size)
    if args.first is not None and args.last is not None:
        raise BadInput("PAGE_BOTH_DIRECTIONS")
    backwards = args.last is not None or (args.before is not None and args.first is None)
    size = args.last if backwards else args.first
    size = default_size if size is None else size
    stmt = statement
    if args.after:
        stmt = stmt.where(_beyond(order, _cursor_values(args.after, order)))
    if args.before:
        reverse = [(c, not d) for c, d in order]
        stmt = stmt.where(_beyond(reverse, _cursor_values(args.before, order)))
    walk = [(c, not d) for c, d in order] if backwards else list(order)
    stmt = stmt.order_by(*[(c.desc() if d else c.asc()) for c, d in walk]).limit(size + 1)
    rows = list(await rows_of(stmt))
    more = len(rows) > size
    rows = rows[:size]
    if backwards:
        rows.reverse()
    if backwards:
        return Page(rows, key, has_next_page=args.before is not None, has_previous_page=more, statement=statement)
    return Page(rows, key, has_next_page=more, has_previous_page=args.after is not None, statement=statement)
