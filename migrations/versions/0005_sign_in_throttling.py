"""Sign-in throttling by account, by account and address, and by address: failed sign-ins
are counted through indexes on (username, time) and (address, time), and a successful
sign-in from one address ends the account's run of failures from the others without
forgetting them for their own address. An administrator may unlock an account.

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
    with op.batch_alter_table("login_failures", schema=None) as batch_op:
        batch_op.add_column(sa.Column("account_cleared", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.drop_index(batch_op.f("ix_login_failures_username"))
        batch_op.drop_index(batch_op.f("ix_login_failures_client_address"))
        batch_op.create_index("ix_login_failures_username_occurred_at", ["username", "occurred_at"], unique=False)
        batch_op.create_index("ix_login_failures_client_address_occurred_at", ["client_address", "occurred_at"], unique=False)
    add_default_lines({"Mutation.unlockUser"})


def downgrade() -> None:
    op.execute(sa.text("DELETE FROM casbin_rule WHERE ptype = 'p' AND v2 = 'Mutation.unlockUser'"))
    with op.batch_alter_table("login_failures", schema=None) as batch_op:
        batch_op.drop_index("ix_login_failures_client_address_occurred_at")
        batch_op.drop_index("ix_login_failures_username_occurred_at")
        batch_op.create_index(batch_op.f("ix_login_failures_client_address"), ["client_address"], unique=False)
        batch_op.create_index(batch_op.f("ix_login_failures_username"), ["username"], unique=False)
        batch_op.drop_column("account_cleared")
