"""Positions and distances in double precision: project sites, site photos' EXIF positions,
check-ins (as reported and in WGS-84) and their distances from the site.

They were FLOAT, which MariaDB stores in single precision and answers with six significant
digits: a site at 120.9934° E read back as 120.993°, some 40 m off, and every fence distance
measured from there. On MariaDB the columns become DOUBLE. PostgreSQL's FLOAT is double
precision already and SQLite stores every REAL in eight bytes whatever the declared type;
there the declared type is restated (SQLite rebuilds the tables, in batch mode), so that the
schema says what the models say.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

# table: [(column, nullable)]
COLUMNS = {
    'projects': [('latitude', True), ('longitude', True)],
    'site_photos': [('latitude', True), ('longitude', True), ('distance_m', True)],
    'check_ins': [
        ('latitude', False),
        ('longitude', False),
        ('wgs84_latitude', False),
        ('wgs84_longitude', False),
        ('accuracy_m', False),
        ('distance_m', True),
    ],
}


def _retype(old: sa.types.TypeEngine, new: sa.types.TypeEngine) -> None:
    for table, columns in COLUMNS.items():
        with op.batch_alter_table(table) as batch_op:
            for column, nullable in columns:
                batch_op.alter_column(column, type_=new, existing_type=old, existing_nullable=nullable)


def upgrade() -> None:
    _retype(sa.Float(), sa.Double())


def downgrade() -> None:
    _retype(sa.Double(), sa.Float())
