"""Who sees which supervision rows. Reports have no rows of their own: they aggregate the
rows the projects, tendering, contracts, progress and payments scopes let the viewer see."""

from __future__ import annotations

# -- red flags ---------------------------------------------------------------------------------
# Red flags are leads for those who supervise public money: the auditors and platform
# administrators of the region, and the finance bureau (财政) that pays, see them. The owners
# and suppliers they are about do not (a flag shown to them would be a tip-off), nor do the
# competent department's reviewers or integrators' systems.
from sqlalchemy import ColumnElement, false, select

from models.supervision import RedFlag, RedFlagRun, RedFlagStatusChange, RedFlagSupplier
from policies.scope import REGION_WIDE_ROLES, in_region, scope_of
from policies.subject import Actor

RED_FLAG_READERS = REGION_WIDE_ROLES | {"finance_officer"}


@scope_of(RedFlag)
def red_flags(actor: Actor) -> ColumnElement[bool]:
    return in_region(RedFlag.region_code, actor) if actor.roles & RED_FLAG_READERS else false()


def _of_visible_flag(model) -> None:
    def scope(actor: Actor) -> ColumnElement[bool]:
        return model.flag_id.in_(select(RedFlag.id).where(red_flags(actor)))

    scope.__qualname__ = f"{model.__name__} rows of a visible red flag"
    scope_of(model)(scope)


for _model in (RedFlagSupplier, RedFlagStatusChange):
    _of_visible_flag(_model)


@scope_of(RedFlagRun)
def red_flag_runs(actor: Actor) -> ColumnElement[bool]:
    return in_region(RedFlagRun.region_code, actor) if "platform_admin" in actor.roles else false()
