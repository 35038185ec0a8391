"""Who sees the progress of which works: every row follows its contract's row scope
(``policies.scope.contracts``): the contract's parties and those who oversee its region.
Quality checklists are the platform's and readable by everyone signed in."""

from __future__ import annotations

from sqlalchemy import ColumnElement, select, true

from models.contracts import Contract
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
from policies.scope import scope_of
from policies.scope.contracts import contracts
from policies.subject import Actor


def _follows_contract(model) -> None:
    def scope(actor: Actor) -> ColumnElement[bool]:
        return model.contract_id.in_(select(Contract.id).where(contracts(actor)))

    scope.__qualname__ = f"{model.__name__} rows of a visible contract"
    scope_of(model)(scope)


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
    _follows_contract(_model)


@scope_of(RectificationStatusChange)
def rectification_history(actor: Actor) -> ColumnElement[bool]:
    return RectificationStatusChange.rectification_id.in_(select(Rectification.id).where(scope_for_rectifications(actor)))


def scope_for_rectifications(actor: Actor) -> ColumnElement[bool]:
    return Rectification.contract_id.in_(select(Contract.id).where(contracts(actor)))


@scope_of(ChecklistTemplate)
def checklist_templates(actor: Actor) -> ColumnElement[bool]:
    """Checklists are the platform's, one set per project category: everyone signed in reads them."""
    return true()


@scope_of(WarningStatusChange)
def warning_history(actor: Actor) -> ColumnElement[bool]:
    return WarningStatusChange.warning_id.in_(
        select(ProgressWarning.id).where(ProgressWarning.contract_id.in_(select(Contract.id).where(contracts(actor))))
    )
