"""Who sees which supervision rows. Reports have no rows of their own: they aggregate the
rows the projects, tendering, contracts, progress and payments scopes let the viewer see."""

from __future__ import annotations

# -- exports ----------------------------------------------------------------------------------
from sqlalchemy import ColumnElement, false

from models.supervision import ExportJob
from policies.scope import scope_of
from policies.subject import Actor


@scope_of(ExportJob)
def export_jobs(actor: Actor) -> ColumnElement[bool]:
    """An export job, and its file, is its requester's alone: an export holds what the
    requester's own row scope showed, which need not be what anyone else may see."""
    if actor.kind != "user":
        return false()
    return ExportJob.user_id == actor.id
