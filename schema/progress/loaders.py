"""DataLoaders of the progress domain."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from models.progress import (
    CheckIn,
    ChecklistTemplate,
    DailyLog,
    DailyLogCorrection,
    Inspection,
    InspectionItem,
    MilestoneStatusChange,
    ProgressWarning,
    Rectification,
    RectificationStatusChange,
    SitePhoto,
    WarningStatusChange,
)
from policies.scope import scope_for
from schema.core import loaders
from schema.core.loaders import KEYS, Batch, keys_in

loaders.by_id("daily_log", DailyLog)
loaders.by_id("site_photo", SitePhoto)
loaders.by_id("check_in", CheckIn)
loaders.children("photos_of_log", SitePhoto, SitePhoto.log_id, SitePhoto.uploaded_at, SitePhoto.id)
loaders.children("corrections_of_log", DailyLogCorrection, DailyLogCorrection.log_id, DailyLogCorrection.created_at, DailyLogCorrection.id)
loaders.children(
    "history_of_milestone",
    MilestoneStatusChange,
    MilestoneStatusChange.milestone_id,
    MilestoneStatusChange.occurred_at,
    MilestoneStatusChange.id,
)

loaders.by_id("checklist_template", ChecklistTemplate)
loaders.by_id("inspection", Inspection)
loaders.by_id("rectification", Rectification)
loaders.children("items_of_inspection", InspectionItem, InspectionItem.inspection_id, InspectionItem.sequence)
loaders.by_id("progress_warning", ProgressWarning)
loaders.children("warnings_of_contract", ProgressWarning, ProgressWarning.contract_id, ProgressWarning.raised_at, ProgressWarning.id)
loaders.children("rectifications_of_contract", Rectification, Rectification.contract_id, Rectification.due_date, Rectification.id)


def _last_logs(ctx: Any) -> Batch:
    """Each contract's latest daily log day (None without one), within the caller's scope."""

    async def batch(contract_ids: list[Any]) -> list[Any]:
        actor = await ctx.actor()
        if actor is None:
            return [None] * len(contract_ids)
        stmt = (
            select(DailyLog.contract_id, func.max(DailyLog.log_date))
            .where(keys_in(ctx.db.dialect, DailyLog.contract_id), scope_for(DailyLog)(actor))
            .group_by(DailyLog.contract_id)
        )
        found = dict(await ctx.reads.all(stmt, {KEYS: [int(i) for i in contract_ids]}))
        return [found.get(int(i)) for i in contract_ids]

    return batch


loaders.register("last_log_of_contract", _last_logs)
loaders.children(
    "history_of_rectification",
    RectificationStatusChange,
    RectificationStatusChange.rectification_id,
    RectificationStatusChange.occurred_at,
    RectificationStatusChange.id,
)
loaders.children(
    "history_of_warning", WarningStatusChange, WarningStatusChange.warning_id, WarningStatusChange.occurred_at, WarningStatusChange.id
)
