"""Construction progress (进度): root query fields."""

from __future__ import annotations

from datetime import date

import strawberry

from resolvers.progress import queries
from schema.core.connection import Connection, list_page
from schema.core.context import Info, signed_in_actor
from schema.core.node import decode_id
from schema.progress.types import (
    CheckIn,
    ChecklistTemplate,
    DailyLog,
    Inspection,
    ProgressWarning,
    Rectification,
    RectificationStatus,
    WarningKind,
    WarningStatus,
)
from schema.projects.types import ProjectCategory


@strawberry.type
class ProgressQuery:
    @strawberry.field(description="Daily logs you can see, latest day first. 施工日志。")
    async def daily_logs(
        self,
        info: Info,
        contract_id: strawberry.ID | None = None,
        since: date | None = None,
        until: date | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[DailyLog] | None:
        actor = await signed_in_actor(info.context)
        contract = decode_id(contract_id, "Contract") if contract_id else None
        return await list_page(info, queries.daily_logs(actor, contract, since, until), DailyLog, first, after, last, before)

    @strawberry.field(description="Check-ins you can see, latest first. 定位打卡记录。")
    async def check_ins(
        self,
        info: Info,
        contract_id: strawberry.ID | None = None,
        flagged_only: bool = False,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[CheckIn] | None:
        actor = await signed_in_actor(info.context)
        contract = decode_id(contract_id, "Contract") if contract_id else None
        return await list_page(info, queries.check_ins(actor, contract, flagged_only), CheckIn, first, after, last, before)

    @strawberry.field(description="Quality checklists (latest versions unless allVersions). 质量检查表。")
    async def checklist_templates(
        self,
        info: Info,
        category: ProjectCategory | None = None,
        all_versions: bool = False,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[ChecklistTemplate] | None:
        actor = await signed_in_actor(info.context)
        query = queries.checklist_templates(actor, category.value if category else None, all_versions)
        return await list_page(info, query, ChecklistTemplate, first, after, last, before)

    @strawberry.field(description="Quality inspections you can see, latest first. 质量检查记录。")
    async def inspections(
        self,
        info: Info,
        contract_id: strawberry.ID | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Inspection] | None:
        actor = await signed_in_actor(info.context)
        contract = decode_id(contract_id, "Contract") if contract_id else None
        return await list_page(info, queries.inspections(actor, contract), Inspection, first, after, last, before)

    @strawberry.field(description="Rectifications you can see, the earliest due first. 整改事项。")
    async def rectifications(
        self,
        info: Info,
        contract_id: strawberry.ID | None = None,
        status: list[RectificationStatus] | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Rectification] | None:
        actor = await signed_in_actor(info.context)
        contract = decode_id(contract_id, "Contract") if contract_id else None
        statuses = [s.value for s in status] if status else None
        return await list_page(info, queries.rectifications(actor, contract, statuses), Rectification, first, after, last, before)

    @strawberry.field(description="Warnings about the works you can see, latest first. 施工预警。")
    async def progress_warnings(
        self,
        info: Info,
        contract_id: strawberry.ID | None = None,
        status: list[WarningStatus] | None = None,
        kind: list[WarningKind] | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[ProgressWarning] | None:
        actor = await signed_in_actor(info.context)
        contract = decode_id(contract_id, "Contract") if contract_id else None
        query = queries.warnings(actor, contract, [s.value for s in status] if status else None, [k.value for k in kind] if kind else None)
        return await list_page(info, query, ProgressWarning, first, after, last, before)
