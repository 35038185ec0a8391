"""Projects (项目): application, documents, review chain, budget allocations: root query fields."""

from __future__ import annotations

import strawberry

from resolvers.core.validation import printable
from resolvers.projects import queries
from schema.core.connection import Connection, list_page
from schema.core.context import Info, signed_in_actor
from schema.core.node import decode_id
from schema.projects.inputs import ProjectFilter, ProjectOrder
from schema.projects.types import BudgetAllocation, Project, ProjectReview


@strawberry.type
class ProjectsQuery:
    @strawberry.field(description="Projects you can see. 项目列表。")
    async def projects(
        self,
        info: Info,
        filter: ProjectFilter | None = None,
        order_by: ProjectOrder | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Project] | None:
        ctx = info.context
        actor = await signed_in_actor(ctx)
        wanted = None
        if filter:
            wanted = queries.ProjectFilter(
                status=[s.value for s in filter.status] if filter.status is not None else None,
                category=[c.value for c in filter.category] if filter.category is not None else None,
                region_prefix=printable(filter.region_prefix),
                owner_organisation_id=decode_id(filter.owner_organisation_id, "Organisation") if filter.owner_organisation_id else None,
                budget_min=filter.budget_min,
                budget_max=filter.budget_max,
                planned_start_from=filter.planned_start_from,
                planned_start_to=filter.planned_start_to,
                search=printable(filter.search),
            )
        order = queries.ProjectOrder(field=order_by.field.value, direction=order_by.direction.value) if order_by else None
        return await list_page(info, queries.projects(actor, wanted, order), Project, first, after, last, before)

    @strawberry.field(description="One project by global ID, if you can see it. 项目详情。")
    async def project(self, info: Info, id: strawberry.ID) -> Project | None:
        row = await info.context.loaders.project.load(decode_id(id, "Project"))
        return Project.of(row) if row else None

    @strawberry.field(description="Review steps waiting for you, oldest first. 我的待审核。")
    async def my_review_queue(
        self, info: Info, first: int | None = None, after: str | None = None, last: int | None = None, before: str | None = None
    ) -> Connection[ProjectReview] | None:
        ctx = info.context
        actor = await signed_in_actor(ctx)
        return await list_page(info, queries.my_review_queue(actor), ProjectReview, first, after, last, before)

    @strawberry.field(description="Budget allocations you can see. 年度预算指标。")
    async def budget_allocations(
        self,
        info: Info,
        fiscal_year: int | None = None,
        organisation_id: strawberry.ID | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[BudgetAllocation] | None:
        ctx = info.context
        actor = await signed_in_actor(ctx)
        organisation = decode_id(organisation_id, "Organisation") if organisation_id else None
        return await list_page(
            info, queries.budget_allocations(actor, fiscal_year, organisation), BudgetAllocation, first, after, last, before
        )
