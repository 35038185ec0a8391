"""Permissions: a version number of the live policy, raised by every policy edit in the same
transaction, so each server process can tell cheaply that its loaded policy is stale.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "policy_state",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_policy_state")),
        sa.CheckConstraint("id = 1", name=op.f("ck_policy_state_single_row")),
    )
    state = sa.table("policy_state", sa.column("id", sa.Integer), sa.column("version", sa.BigInteger))
    op.bulk_insert(state, [{"id": 1, "version": 1}])


def downgrade() -> None:
    op.drop_table("policy_state")
