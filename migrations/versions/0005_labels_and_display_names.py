"""Labels: everyone may read the labels of coded values (``Query.enumLabels``).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from migrations.policy_lines import add_default_lines

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

def upgrade() -> None:
    add_default_lines({"Query.enumLabels"})


def downgrade() -> None:
    op.execute(sa.text("DELETE FROM casbin_rule WHERE ptype = 'p' AND v2 = 'Query.enumLabels'"))
