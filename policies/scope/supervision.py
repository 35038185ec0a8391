"""Who sees which supervision rows. Reports have no rows of their own: they aggregate the
rows the projects, tendering, contracts, progress and payments scopes let the viewer see."""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, select, true

from models.projects import Project
from models.supervision import AuditCheckpoint, ExportJob, OcdsRelease, RedFlag, RedFlagRun, RedFlagStatusChange, RedFlagSupplier
from policies.scope import REGION_WIDE_ROLES, in_region, scope_for, scope_of
from policies.subject import Actor


# -- evidence
@scope_of(AuditCheckpoint)
def audit_checkpoints(actor: Actor) -> ColumnElement[bool]:
    """Checkpoints hold the chain's head hash and no region's content: auditors and platform
    administrators see all of them (to compare with what was published), nobody else any."""
    return true() if actor.roles & REGION_WIDE_ROLES else false()


# -- exports ----------------------------------------------------------------------------------


@scope_of(ExportJob)
def export_jobs(actor: Actor) -> ColumnElement[bool]:
    """An export job, and its file, is its requester's alone: an export holds what the
    requester's own row scope showed, which need not be what anyone else may see."""
    if actor.kind != "user":
        return false()
    return ExportJob.user_id == actor.id


# -- OCDS publication ----------------------------------------------------------------------------


@scope_of(OcdsRelease)
def ocds_releases(actor: Actor) -> ColumnElement[bool]:
    """A published release is public (``GET /ocds/releases``), but the GraphQL list shows
    which project and event each came from: it follows its project's row scope, so a
    county's auditor lists the releases of that county's projects only."""
    return OcdsRelease.project_id.in_(select(Project.id).where(scope_for(Project)(actor)))


# -- red flags ---------------------------------------------------------------------------------
# Red flags are leads for those who supervise public money: the auditors and platform
# administrators of the region, and the finance bureau (财政) that pays, see them. The owners
# and suppliers they are about do not (a flag shown to them would be a tip-off), nor do the
# competent department's reviewers or integrators' systems.


RED_FLAG_READERS = REGION_WIDE_ROLES | {"finance_officer"}


@scope_of(RedFlag)
def red_flags(actor: Actor) -> ColumnElement[bool]:
    return in_region(RedFlag.region_code, actor, RED_FLAG_READERS) if actor.roles & RED_FLAG_READERS else false()


def _of_visible_flag(model) -> None:
    def scope(actor: Actor) -> ColumnElement[bool]:
        return model.flag_id.in_(select(RedFlag.id).where(red_flags(actor)))

    scope.__qualname__ = f"{model.__name__} rows of a visible red flag"
    scope_of(model)(scope)


for _model in (RedFlagSupplier, RedFlagStatusChange):
    _of_visible_flag(_model)


@scope_of(RedFlagRun)
def red_flag_runs(actor: Actor) -> ColumnElement[bool]:
    return in_region(RedFlagRun.region_code, actor, ("platform_admin",)) if "platform_admin" in actor.roles else false()
