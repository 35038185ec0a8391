"""Adding default policy lines in a migration.

The first migration loads the whole of policies/default_policy.csv. A later migration
that adds operations calls ``add_default_lines`` with their names, so databases migrated
before it get the new lines too; lines already present (or removed on purpose by an
administrator before the operation existed) are not duplicated.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from policies.engine import read_policy_file

RULE = sa.table("casbin_rule", *(sa.column(c, sa.String) for c in ("ptype", "v0", "v1", "v2", "v3", "v4", "v5")))


def add_default_lines(objects: set[str]) -> None:
    conn = op.get_bind()
    for ptype, *values in read_policy_file():
        if ptype != "p" or values[2] not in objects:
            continue
        values += [""] * (6 - len(values))
        row = {"ptype": ptype, **{f"v{i}": v for i, v in enumerate(values)}}
        exists = conn.execute(sa.select(sa.func.count()).select_from(RULE).where(*(RULE.c[k] == v for k, v in row.items()))).scalar()
        if not exists:
            conn.execute(RULE.insert().values(**row))
