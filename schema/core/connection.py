"""Relay cursor connections over keyset pagination (``resolvers.core.pagination``)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

import strawberry

from resolvers.core.pagination import ListQuery, Page, PageArgs, as_rows, paginate
from schema.core.context import Info
from schema.core.fields import maker, rows

T = TypeVar("T")


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
    """Edges and nodes are made from the page's rows when asked for."""

    @strawberry.field(description="Items with cursors. 条目及游标。")
    def edges(self) -> list[Edge[T]]:
        page, make = self._page, maker(self._shows)
        return [Edge(cursor=page.cursor(i), node=make(row)) for i, row in enumerate(page.rows)]

    page_info: PageInfo = strawberry.field(description="Paging state. 分页信息。")
    _page: strawberry.Private[Page]
    _shows: strawberry.Private[type]  # the item type, made from each row (``fields.maker``)
    _count: strawberry.Private[Callable[[], Awaitable[int]]]

    @strawberry.field(description="Number of items across all pages. 总数。")
    async def total_count(self) -> int:
        return await self._count()

    @strawberry.field(description="The items without cursors. 条目列表。")
    @rows(lambda connection: connection._page.rows)
    def nodes(self) -> list[T]:
        make = maker(self._shows)
        return [make(row) for row in self._page.rows]


def page_args(first: int | None, after: str | None, last: int | None, before: str | None) -> PageArgs:
    return PageArgs(first=first, after=after, last=last, before=before)


def connection(info: Info, page: Page, shows: type) -> Connection:
    ctx = info.context

    async def count() -> int:
        return (await ctx.reads.execute(page.count_statement)).scalar_one()

    last = len(page.rows) - 1
    return Connection(
        page_info=PageInfo(
            has_next_page=page.has_next_page,
            has_previous_page=page.has_previous_page,
            start_cursor=page.cursor(0) if page.rows else None,
            end_cursor=page.cursor(last) if page.rows else None,
        ),
        _page=page,
        _shows=shows,
        _count=count,
    )


async def list_page(
    info: Info,
    query: ListQuery,
    shows: type,
    first: int | None,
    after: str | None,
    last: int | None,
    before: str | None,
) -> Connection:
    """One page of a service-layer list (``resolvers.<domain>.queries``) as a connection of
    ``shows`` (the item type); cursors carry the values of the list's order columns."""
    ctx = info.context
    order = query.order
    page = await paginate(
        ctx.reads.all,
        as_rows(query.statement),
        order,
        page_args(first, after, last, before),
        max_size=ctx.settings.page_size_max,
        default_size=ctx.settings.page_size_default,
        key=lambda row: [getattr(row, column.key) for column, _ in order],
    )
    return connection(info, page, shows)
