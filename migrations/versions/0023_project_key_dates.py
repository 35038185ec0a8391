"""Projects: key dates (applied, approved, tendered, signed, works started, accepted, settled)
and the method of the latest tender.

Each is when the project's status history first recorded the step (``models.projects.
KEY_DATES``); the history row that records one sets it from now on. The cycle-time and
volume reports read them instead of aggregating the history: on the province bench that
aggregate alone took half a second of every province-wide cycle-time report
(docs/reports-performance.md). The history index by action 0021 added only served that
aggregate and is dropped. ``tender_method`` is the procurement method of the project's
latest tender (written with the tender, ``models.tendering``), which the reports read instead
of finding each project's latest tender.

Revision ID: 0023
Revises: 0022
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from models.base import UTCDateTime

revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None

# As models.projects.KEY_DATES when this revision was written.
KEY_DATES = {
    'submit': 'applied_at',
    'approve': 'approved_at',
    'start_tendering': 'tendered_at',
    'sign_contract': 'signed_at',
    'start_works': 'works_started_at',
    'complete_works': 'accepted_at',
    'settle': 'settled_at',
}


def upgrade() -> None:
    with op.batch_alter_table('projects', schema=None) as batch_op:
        for column in KEY_DATES.values():
            batch_op.add_column(sa.Column(column, UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('tender_method', sa.String(length=30), nullable=True))
    projects = sa.table('projects', sa.column('id'), *(sa.column(c) for c in KEY_DATES.values()))
    history = sa.table('project_status_changes', sa.column('project_id'), sa.column('action'), sa.column('occurred_at'))
    for action, column in KEY_DATES.items():
        first = (
            sa.select(sa.func.min(history.c.occurred_at))
            .where(history.c.project_id == projects.c.id, history.c.action == action)
            .scalar_subquery()
        )
        op.execute(projects.update().values({column: first}))
    op.execute(
        sa.text(
            'UPDATE projects SET tender_method = (SELECT t.method FROM tenders t WHERE t.id = '
            '(SELECT max(l.id) FROM tenders l WHERE l.project_id = projects.id))'
        )
    )
    with op.batch_alter_table('project_status_changes', schema=None) as batch_op:
        batch_op.drop_index('ix_project_status_changes_action_project')


def downgrade() -> None:
    with op.batch_alter_table('project_status_changes', schema=None) as batch_op:
        batch_op.create_index('ix_project_status_changes_action_project', ['action', 'project_id', 'occurred_at'], unique=False)
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.drop_column('tender_method')
        for column in reversed(KEY_DATES.values()):
            batch_op.drop_column(column)
