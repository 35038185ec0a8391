"""DataLoaders of the progress domain."""

from __future__ import annotations

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
    SitePhoto,
)
from schema.core import loaders

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
