"""Supervision, report indexes: what the reports' plans on a province of 100,000 projects
(bench/province.py) showed they need; docs/reports-performance.md gives each its EXPLAIN.

- ``ix_project_status_changes_action_project``: when each project first reached an event
  (submitted, approved, …), read from the index alone instead of the whole history table.
- ``ix_<table>_region_code_prefix`` (PostgreSQL): a region's rows by the prefix of their
  code (``LIKE '3301%'``, the row scope and the reports' region filter). A plain b-tree
  serves such a LIKE only under the C collation; ``varchar_pattern_ops`` under any. MariaDB
  and SQLite use the column's own index for it, so they get none.

Revision ID: 0021
Revises: 0020
Create Date: 2026-11-27
"""

from __future__ import annotations

from alembic import op

revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None

# Every index this revision adds (bench/province.py drops and remakes them to time the
# reports without and with them).
PREFIX_TABLES = ('projects', 'tenders', 'contracts', 'payment_requests')
INDEXES = ('ix_project_status_changes_action_project', *(f'ix_{table}_region_code_prefix' for table in PREFIX_TABLES))


def upgrade() -> None:
    with op.batch_alter_table('project_status_changes', schema=None) as batch_op:
        batch_op.create_index('ix_project_status_changes_action_project', ['action', 'project_id', 'occurred_at'], unique=False)
    if op.get_bind().dialect.name == 'postgresql':
        for table in PREFIX_TABLES:
            op.create_index(
                f'ix_{table}_region_code_prefix', table, ['region_code'], unique=False, postgresql_ops={'region_code': 'varchar_pattern_ops'}
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        for table in reversed(PREFIX_TABLES):
            op.drop_index(f'ix_{table}_region_code_prefix', table_name=table)
    with op.batch_alter_table('project_status_changes', schema=None) as batch_op:
        batch_op.drop_index('ix_project_status_changes_action_project')
