"""Who sees which supervision rows. Reports have no rows of their own: they aggregate the
rows the projects, tendering, contracts, progress and payments scopes let the viewer see."""

from __future__ import annotations

from sqlalchemy import ColumnElement, select

from models.projects import Project
from models.supervision import OcdsRelease
from policies.scope import scope_for, scope_of
from policies.subject import Actor

# -- OCDS publication ----------------------------------------------------------------------------


@scope_of(OcdsRelease)
def ocds_releases(actor: Actor) -> ColumnElement[bool]:
    """A published release is public (``GET /ocds/releases``), but the GraphQL list shows
    which project and event each came from: it follows its project's row scope, so a
    county's auditor lists the releases of that county's projects only."""
    return OcdsRelease.project_id.in_(select(Project.id).where(scope_for(Project)(actor)))
