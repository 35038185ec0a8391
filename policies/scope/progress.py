"""Who sees the progress of which works: every row follows its contract's row scope
(``policies.scope.contracts``): the contract's parties and those who oversee its region.
Quality checklists are the platform's and readable by everyone signed in."""

from __future__ import annotations

from sqlalchemy import ColumnElement, select, true

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
from policies.scope import scope_for, scope_of
from policies.scope.contracts import follows_contract
from policies.subject import Actor

for _model in (
    DailyLog,
    DailyLogCorrection,
    SitePhoto,
    CheckIn,
    MilestoneStatusChange,
    Inspection,
    InspectionItem,
    Rectification,
    ProgressWarning,
):
    follows_contract(_model)


@scope_of(RectificationStatusChange)
def rectification_history(actor: Actor) -> ColumnElement[bool]:
    return RectificationStatusChange.rectification_id.in_(select(Rectification.id).where(scope_for(Rectification)(actor)))


@scope_of(ChecklistTemplate)
def checklist_templates(actor: Actor) -> ColumnElement[bool]:
    """Checklists are the platform's, one set per project category: everyone signed in reads them."""
    return true()


@scope_of(WarningStatusChange)
def warning_history(actor: Actor) -> ColumnElement[bool]:
    return WarningStatusChange.warning_id.in_(select(ProgressWarning.id).where(scope_for(ProgressWarning)(actor)))
