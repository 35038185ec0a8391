"""Construction progress (进度): root query fields."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import strawberry

from resolvers.core.clock import today_in_china
from resolvers.progress import actions as rules
from resolvers.progress import queries
from schema.contracts.types import Contract, ContractMilestone
from schema.core.actions import viewer_actions
from schema.core.connection import Connection, list_page
from schema.core.context import Info, signed_in_actor
from schema.core.fields import from_row, labels_in_request
from schema.core.node import decode_id
from schema.progress.types import (
    CheckIn,
    ChecklistTemplate,
    ContractProgress,
    DailyLog,
    Inspection,
    MilestoneAction,
    MilestoneProgress,
    MilestoneStatusChange,
    ProgressWarning,
    Rectification,
    RectificationStatus,
    WarningKind,
    WarningStatus,
)
from schema.projects.types import ProjectCategory


def _milestone_rule(milestone: Any, contract: Any, open_rectifications: int) -> Callable[[Any], list[str]]:
    return lambda actor: rules.milestone_actions(actor, milestone, contract, open_rectifications)


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

    @strawberry.field(description="The progress of a contract's works: milestones against plan, warnings, rectifications. 合同施工进度。")
    async def contract_progress(self, info: Info, contract_id: strawberry.ID) -> ContractProgress | None:
        loaders = info.context.loaders
        row = await loaders.contract.load(decode_id(contract_id, "Contract"))
        if row is None:
            return None
        milestones = await loaders.milestones_of_contract.load(row.id)
        histories = await loaders.history_of_milestone.load_many([m.id for m in milestones])
        warnings = await loaders.warnings_of_contract.load(row.id)
        rectifications = await loaders.rectifications_of_contract.load(row.id)
        today = today_in_china(info.context.state.clock.now())
        unresolved: dict[int, int] = {}
        for r in rectifications:
            if r.status != "closed" and r.milestone_id is not None:
                unresolved[r.milestone_id] = unresolved.get(r.milestone_id, 0) + 1
        shown = []
        for m, history in zip(milestones, histories, strict=True):
            offered = await viewer_actions(info, _milestone_rule(m, row, unresolved.get(m.id, 0)), rules.MILESTONE_ACTIONS)
            started = [h.occurred_at for h in history if h.action == "start"]
            submitted = [h.occurred_at for h in history if h.action == "submit"]
            if m.accepted_at is not None:
                late = (today_in_china(m.accepted_at) - m.planned_date).days
            else:
                late = max((today - m.planned_date).days, 0)
            shown.append(
                MilestoneProgress(
                    milestone=ContractMilestone.of(m),
                    planned_date=m.planned_date,
                    started_at=started[-1] if started else None,
                    submitted_at=submitted[-1] if submitted else None,
                    accepted_at=m.accepted_at,
                    days_late=late,
                    history=[from_row(MilestoneStatusChange, h) for h in history],
                    available_actions=[MilestoneAction(a) for a in offered],
                    available_action_labels=labels_in_request(info, "MilestoneAction", offered),
                )
            )
        accepted = sum((m.share for m in milestones if m.status == "accepted"), Decimal("0.00"))
        return ContractProgress(
            contract=Contract.of(row),
            percent_complete=accepted,
            days_behind=max([p.days_late for p in shown] + [0]),
            last_log_date=await loaders.last_log_of_contract.load(row.id),
            milestones=shown,
            open_warnings=[ProgressWarning.of(w) for w in warnings if w.status != "resolved"],
            open_rectifications=[Rectification.of(r) for r in rectifications if r.status != "closed"],
        )
