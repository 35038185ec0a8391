"""Supervision, reports: the policy lines of the report queries. Reports have no tables of
their own (they aggregate the other domains' tables in SQL).

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from migrations.policy_lines import RULE, add_default_lines

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None

OPERATIONS = {
    "Query.volumeReport",
    "Query.fundFlowReport",
    "Query.cycleTimeReport",
    "Query.overBudgetReport",
    "Query.warningReport",
    "Query.rectificationReport",
    "Query.competitionReport",
}


def upgrade() -> None:
    add_default_lines(OPERATIONS)


def downgrade() -> None:
    op.get_bind().execute(sa.delete(RULE).where(RULE.c.ptype == "p", RULE.c.v2.in_(sorted(OPERATIONS))))
