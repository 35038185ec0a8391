"""Who sees which supervision rows. Reports have no rows of their own: they aggregate the
rows the projects, tendering, contracts, progress and payments scopes let the viewer see."""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, true

from models.supervision import AuditCheckpoint, ExportJob
from policies.scope import REGION_WIDE_ROLES, scope_of
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
