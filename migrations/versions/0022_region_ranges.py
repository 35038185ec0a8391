"""Region scope as a range of codes: the pattern indexes of 0021 are no longer read.

The row scope (``policies.scope.in_region``) and every region filter now read a region as a
range of codes (``code >= '3301' AND code < '3302'``) instead of ``LIKE '3301%'``. The
column's own index serves a range under any collation, and the planner estimates a range
from the column's histogram, where it estimated the pattern index's LIKE badly and chose
nested loops over a city's rows (docs/reports-performance.md). The ``varchar_pattern_ops``
indexes 0021 added on PostgreSQL are dropped: they cost every insert and were not read.

Revision ID: 0022
Revises: 0021
Create Date: 2026-11-27
"""

from __future__ import annotations

from alembic import op

revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None

PREFIX_TABLES = ('projects', 'tenders', 'contracts', 'payment_requests')


def upgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        for table in PREFIX_TABLES:
            op.drop_index(f'ix_{table}_region_code_prefix', table_name=table)


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        for table in PREFIX_TABLES:
            op.create_index(
                f'ix_{table}_region_code_prefix', table, ['region_code'], unique=False, postgresql_ops={'region_code': 'varchar_pattern_ops'}
            )
