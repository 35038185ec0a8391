"""Who sees which supervision rows. Reports have no rows of their own: they aggregate the
rows the projects, tendering, contracts, progress and payments scopes let the viewer see."""

from __future__ import annotations
