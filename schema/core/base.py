"""Shared GraphQL building blocks: Node and global IDs, connections, user errors, and the
one helper every mutation goes through."""

from __future__ import annotations

import base64
import binascii
from typing import Any, Awaitable, Callable, Generic, TypeVar

import strawberry
from sqlalchemy.exc import IntegrityError
from strawberry.types import Info

from resolvers.core.errors import BadInput, Conflict, Problem, UserErrors
from resolvers.core.i18n import translate
from resolvers.core.pagination import Page, PageArgs, paginate

T = TypeVar("T")

# GraphQL type name -> (DataLoader attribute on ``Loaders``, Strawberry class). Filled by
# ``register_node``; ``node(id:)`` resolves through the same scoped loaders as nested fields.
NODE_TYPES: dict[str, tuple[str, type]] = {}


def to_global_id(type_name: str, pk: Any) -> str:
    return base64.urlsafe_b64encode(f"{type_name}:{pk}".encode()).decode().rstrip("=")


def from_global_id(global_id: str) -> tuple[str, str]:
    try:
        raw = base64.urlsafe_b64decode(global_id + "=" * (-len(global_id) % 4)).decode()
        type_name, _, pk = raw.partition(":")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise BadInput("INVALID_ID", id=global_id) from None
    if not type_name or not pk:
        raise BadInput("INVALID_ID", id=global_id)
    return type_name, pk


def decode_id(global_id: strawberry.ID | str, expected: str) -> int:
    type_name, pk = from_global_id(str(global_id))
    if type_name != expected:
        raise BadInput("WRONG_ID_TYPE", id=global_id, expected=expected)
    if not pk.isdigit():
        raise BadInput("INVALID_ID", id=global_id)
    return int(pk)


def register_node(loader: str):
    def wrap(cls):
        NODE_TYPES[cls.__strawberry_definition__.name] = (loader, cls)
        return cls

    return wrap


@strawberry.interface(description="An object with a global ID (Relay). 可按全局ID获取的对象。")
class Node:
    pk: strawberry.Private[Any]

    @strawberry.field(description="Opaque global ID. 全局唯一标识。")
    def id(self) -> strawberry.ID:
        return strawberry.ID(to_global_id(self.__strawberry_definition__.name, self.pk))


@strawberry.type(description="Where a page sits in the whole list (Relay). 分页信息。")
class PageInfo:
    has_next_page: bool = strawberry.field(description="More items follow. 是否有下一页。")
    has_previous_page: bool = strawberry.field(description="Items precede. 是否有上一页。")
    start_cursor: str | None = strawberry.field(description="Cursor of the first edge. 首条游标。")
    end_cursor: str | None = strawberry.field(description="Cursor of the last edge. 末条游标。")


@strawberry.type(description="One item of a page with its cursor. 分页条目。")
class Edge(Generic[T]):
    cursor: str = strawberry.field(description="Pass as `after` or `before`. 分页游标。")
    node: T = strawberry.field(description="The item. 条目。")


@strawberry.type(description="A page of items (Relay cursor connection, at most 100 per page). 分页列表。")
class Connection(Generic[T]):
    edges: list[Edge[T]] = strawberry.field(description="Items with cursors. 条目及游标。")
    page_info: PageInfo = strawberry.field(description="Paging state. 分页信息。")
    _count: strawberry.Private[Callable[[], Awaitable[int]]]

    @strawberry.field(description="Number of items across all pages. 总数。")
    async def total_count(self) -> int:
        return await self._count()

    @strawberry.field(description="The items without cursors. 条目列表。")
    def nodes(self) -> list[T]:
        return [edge.node for edge in self.edges]


def page_args(first: int | None, after: str | None, last: int | None, before: str | None) -> PageArgs:
    return PageArgs(first=first, after=after, last=last, before=before)


def connection(info: Info, page: Page, wrap: Callable[[Any], Any]) -> Connection:
    ctx = info.context

    async def count() -> int:
        async with ctx.db.read() as session:
            return (await session.execute(page.count_statement)).scalar_one()

    edges = [Edge(cursor=c, node=wrap(r)) for c, r in zip(page.cursors, page.rows)]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=page.has_next_page,
            has_previous_page=page.has_previous_page,
            start_cursor=page.cursors[0] if page.cursors else None,
            end_cursor=page.cursors[-1] if page.cursors else None,
        ),
        _count=count,
    )


async def list_page(
    info: Info,
    statement,
    order: list[tuple[Any, bool]],
    wrap: Callable[[Any], Any],
    first: int | None,
    after: str | None,
    last: int | None,
    before: str | None,
) -> Connection:
    """One page of ``statement`` as a connection. ``order`` is (column, descending) pairs
    ending with a unique column; cursors carry those columns' values."""
    ctx = info.context
    async with ctx.db.read() as session:
        page = await paginate(
            session, statement, order, page_args(first, after, last, before),
            max_size=ctx.settings.page_size_max, default_size=ctx.settings.page_size_default,
            key=lambda row: [getattr(row, column.key) for column, _ in order],
        )
    return connection(info, page, wrap)


@strawberry.type(description="A validation failure; nothing was changed. 校验错误（未做任何修改）。")
class UserError:
    code: str = strawberry.field(description="Stable machine-readable code. 错误代码（稳定不变）。")
    field: str | None = strawberry.field(description="The input field concerned, if any. 相关输入字段。")
    message: str = strawberry.field(description="Human-readable, in the request's language. 错误说明。")

    @classmethod
    def of(cls, problem: Problem, locale: str) -> "UserError":
        return cls(code=problem.code, field=problem.field, message=translate(problem.code, locale, **problem.params))


async def run_mutation(info: Info, fn: Callable[..., Awaitable[Any]], *args: Any, **kwargs: Any) -> tuple[Any, list[UserError]]:
    """Run ``fn(uow, ...)`` in one transaction. Returns ``(result, [])`` after commit, or
    ``(None, user_errors)`` after a full rollback."""
    ctx = info.context
    try:
        async with ctx.unit_of_work(f"Mutation.{info.field_name}") as uow:
            result = await fn(uow, *args, **kwargs)
        return result, []
    except UserErrors as exc:
        return None, [UserError.of(p, ctx.meta.locale) for p in exc.problems]
    except IntegrityError as exc:  # a uniqueness race lost to a concurrent writer
        raise Conflict() from exc


def in_input(value: Any) -> bool:
    """True when an optional input field was given (Strawberry's UNSET means absent)."""
    return value is not strawberry.UNSET


def column(attribute: str, description: str, convert: Callable[[Any], Any] | None = None):
    """A field that shows one attribute of the wrapped model row (``self.m``), optionally
    converted (e.g. to a GraphQL enum); its GraphQL type is the class annotation."""

    def resolve(root) -> Any:
        value = getattr(root.m, attribute)
        return convert(value) if convert is not None and value is not None else value

    resolve.__annotations__.pop("return", None)
    return strawberry.field(resolver=resolve, description=description)


def enum_of(name: str, values: tuple[str, ...], description: str):
    """A GraphQL enum whose values are the model's allowed values (one list, in models/)."""
    import enum

    return strawberry.enum(enum.Enum(name, {value.upper(): value for value in values}), description=description)
