"""Labels and display names: everyone may read the labels of coded values
(``Query.enumLabels``); status history and review steps recorded with a username show the
person's display name.

The audit trail is not rewritten: its events are hash-chained as recorded, and events
recorded before this revision keep the username they name.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from migrations.policy_lines import add_default_lines

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

USERS = sa.table("users", sa.column("id", sa.BigInteger), sa.column("username", sa.String), sa.column("display_name", sa.String))


def _show_display_names(table: str, id_column: str, name_column: str) -> None:
    """``name_column`` := the user's display name where it holds that user's username."""
    rows = sa.table(table, sa.column(id_column, sa.BigInteger), sa.column(name_column, sa.String))
    person = (USERS.c.id == rows.c[id_column]) & (USERS.c.username == rows.c[name_column]) & (USERS.c.display_name != "")
    op.execute(
        rows.update()
        .where(sa.exists(sa.select(USERS.c.id).where(person)))
        .values({name_column: sa.select(USERS.c.display_name).where(person).scalar_subquery()})
    )


def upgrade() -> None:
    add_default_lines({"Query.enumLabels"})
    _show_display_names("project_status_changes", "actor_id", "actor_name")
    _show_display_names("project_reviews", "reviewer_id", "reviewer_name")


def downgrade() -> None:
    # Display names are what these columns are meant to hold; the usernames are not restored.
    op.execute(sa.text("DELETE FROM casbin_rule WHERE ptype = 'p' AND v2 = 'Query.enumLabels'"))
