"""Accounts: organisations, users, roles, API clients, sign-in: root query fields."""

from __future__ import annotations

import strawberry

from resolvers.accounts import queries
from resolvers.core.validation import printable
from schema.accounts.inputs import OrganisationFilter, UserFilter
from schema.accounts.types import ApiClient, Organisation, Role, User, Viewer
from schema.core.connection import Connection, list_page
from schema.core.context import Info, signed_in_actor
from schema.core.node import decode_id


@strawberry.type
class AccountsQuery:
    @strawberry.field(description="Who is signed in. 当前登录者。")
    async def viewer(self, info: Info) -> Viewer | None:
        ctx = info.context
        actor = await signed_in_actor(ctx)
        org = await ctx.loaders.organisation.load(actor.organisation_id)
        user = await ctx.loaders.user.load(actor.id) if actor.kind == "user" else None
        return Viewer(
            kind=actor.kind,
            roles=[Role(r) for r in sorted(actor.roles)],
            scopes=sorted(actor.scopes),
            region_code=actor.region_code,
            user=User.of(user) if user else None,
            organisation=Organisation.of(org) if org else None,
        )

    @strawberry.field(description="Organisations you can see. 单位列表。")
    async def organisations(
        self,
        info: Info,
        filter: OrganisationFilter | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Organisation] | None:
        ctx = info.context
        actor = await signed_in_actor(ctx)
        wanted = None
        if filter:
            wanted = queries.OrganisationFilter(
                kind=filter.kind.value if filter.kind else None,
                region_prefix=printable(filter.region_prefix),
                search=printable(filter.search),
            )
        return await list_page(info, queries.organisations(actor, wanted), Organisation, first, after, last, before)

    @strawberry.field(description="Users you can see. 用户列表。")
    async def users(
        self,
        info: Info,
        filter: UserFilter | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[User] | None:
        ctx = info.context
        actor = await signed_in_actor(ctx)
        wanted = None
        if filter:
            wanted = queries.UserFilter(
                organisation_id=decode_id(filter.organisation_id, "Organisation") if filter.organisation_id else None,
                role=filter.role.value if filter.role else None,
                is_active=filter.is_active,
                search=printable(filter.search),
            )
        return await list_page(info, queries.users(actor, wanted), User, first, after, last, before)

    @strawberry.field(description="Integrators' API clients you can see. 第三方接口凭证列表。")
    async def api_clients(
        self, info: Info, first: int | None = None, after: str | None = None, last: int | None = None, before: str | None = None
    ) -> Connection[ApiClient] | None:
        ctx = info.context
        actor = await signed_in_actor(ctx)
        return await list_page(info, queries.api_clients(actor), ApiClient, first, after, last, before)
