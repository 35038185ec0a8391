"""Who sees the progress of which works: every row follows its contract's row scope
(``policies.scope.contracts``): the contract's parties and those who oversee its region."""

from __future__ import annotations

from sqlalchemy import ColumnElement, select

from models.contracts import Contract
from models.progress import CheckIn, DailyLog, DailyLogCorrection, MilestoneStatusChange, SitePhoto
from policies.scope import scope_of
from policies.scope.contracts import contracts
from policies.subject import Actor


def _follows_contract(model) -> None:
    def scope(actor: Actor) -> ColumnElement[bool]:
        return model.contract_id.in_(select(Contract.id).where(contracts(actor)))

    scope.__qualname__ = f"{model.__name__} rows of a visible contract"
    scope_of(model)(scope)


for _model in (DailyLog, DailyLogCorrection, SitePhoto, CheckIn, MilestoneStatusChange):
    _follows_contract(_model)
