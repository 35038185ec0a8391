"""Tendering and bidding (招标采购): root query fields."""

from __future__ import annotations

import strawberry

from resolvers.core.validation import printable
from resolvers.tendering import queries
from schema.core.connection import Connection, list_page
from schema.core.context import Info, signed_in_actor
from schema.core.node import decode_id
from schema.tendering.inputs import TenderFilter, TenderOrder
from schema.tendering.types import Bid, CommitteeMember, PublicAward, PublicTender, Qualification, Tender, TenderTemplate


def _filter(filter: TenderFilter | None) -> queries.TenderFilter | None:
    if filter is None:
        return None
    return queries.TenderFilter(
        status=[s.value for s in filter.status] if filter.status is not None else None,
        method=[m.value for m in filter.method] if filter.method is not None else None,
        project_id=decode_id(filter.project_id, "Project") if filter.project_id else None,
        region_prefix=printable(filter.region_prefix),
        search=printable(filter.search),
    )


def _order(order_by: TenderOrder | None) -> queries.TenderOrder | None:
    return queries.TenderOrder(field=order_by.field.value, direction=order_by.direction.value) if order_by else None


@strawberry.type
class TenderingQuery:
    @strawberry.field(description="Tenders you can see. 招标列表。")
    async def tenders(
        self,
        info: Info,
        filter: TenderFilter | None = None,
        order_by: TenderOrder | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Tender] | None:
        actor = await signed_in_actor(info.context)
        return await list_page(info, queries.tenders(actor, _filter(filter), _order(order_by)), Tender, first, after, last, before)

    @strawberry.field(description="One tender by global ID, if you can see it. 招标详情。")
    async def tender(self, info: Info, id: strawberry.ID) -> Tender | None:
        row = await info.context.loaders.tender.load(decode_id(id, "Tender"))
        return Tender.of(row) if row else None

    @strawberry.field(description="Your organisation's bids with their receipts. 本单位投标。")
    async def my_bids(
        self, info: Info, first: int | None = None, after: str | None = None, last: int | None = None, before: str | None = None
    ) -> Connection[Bid] | None:
        actor = await signed_in_actor(info.context)
        return await list_page(info, queries.my_bids(actor), Bid, first, after, last, before)

    @strawberry.field(description="Your committee seats. 我的评标任务。")
    async def my_evaluations(
        self, info: Info, first: int | None = None, after: str | None = None, last: int | None = None, before: str | None = None
    ) -> Connection[CommitteeMember] | None:
        actor = await signed_in_actor(info.context)
        return await list_page(info, queries.my_evaluations(actor), CommitteeMember, first, after, last, before)

    @strawberry.field(description="Tender templates you can see (latest versions unless allVersions). 招标模板。")
    async def tender_templates(
        self,
        info: Info,
        all_versions: bool = False,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[TenderTemplate] | None:
        actor = await signed_in_actor(info.context)
        return await list_page(info, queries.tender_templates(actor, all_versions), TenderTemplate, first, after, last, before)

    @strawberry.field(description="Qualifications you can see. 资质证书。")
    async def qualifications(
        self,
        info: Info,
        organisation_id: strawberry.ID | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Qualification] | None:
        actor = await signed_in_actor(info.context)
        organisation = decode_id(organisation_id, "Organisation") if organisation_id else None
        return await list_page(info, queries.qualifications(actor, organisation), Qualification, first, after, last, before)

    @strawberry.field(description="Published tender notices; no sign-in needed. 招标公告（公开）。")
    async def public_tenders(
        self,
        info: Info,
        filter: TenderFilter | None = None,
        order_by: TenderOrder | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[PublicTender] | None:
        return await list_page(info, queries.public_tenders(_filter(filter), _order(order_by)), PublicTender, first, after, last, before)

    @strawberry.field(description="Award publicity and results; no sign-in needed. 中标公示（公开）。")
    async def public_awards(
        self,
        info: Info,
        filter: TenderFilter | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[PublicAward] | None:
        return await list_page(info, queries.public_awards(_filter(filter)), PublicAward, first, after, last, before)
