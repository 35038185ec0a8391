"""Adding default policy lines in a migration.

The first migration loads every file of policies/lines/. A later migration that adds a
domain or operations calls ``add_domain_lines`` (a domain's whole file) or
``add_default_lines`` (named operations), so databases migrated before it get the new
lines too; lines already present are not duplicated.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from policies.engine import default_lines, domain_lines

RULE = sa.table("casbin_rule", *(sa.column(c, sa.String) for c in ("ptype", "v0", "v1", "v2", "v3", "v4", "v5")))


def add_domain_lines(domain: str) -> None:
    """Every line of ``policies/lines/<domain>.csv`` that the database lacks."""
    _add(domain_lines(domain))


def add_default_lines(objects: set[str]) -> None:
    """The default lines that allow the named operations, where the database lacks them."""
    _add([line for line in default_lines() if line[0] == "p" and line[3] in objects])


def _add(lines: list[list[str]]) -> None:
    conn = op.get_bind()
    for ptype, *values in lines:
        values += [""] * (6 - len(values))
        row = {"ptype": ptype, **{f"v{i}": v for i, v in enumerate(values)}}
        exists = conn.execute(sa.select(sa.func.count()).select_from(RULE).where(*(RULE.c[k] == v for k, v in row.items()))).scalar()
        if not exists:
            conn.execute(RULE.insert().values(**row))


def remove_domain_lines(domain: str) -> None:
    """Every line of ``policies/lines/<domain>.csv`` (a downgrade that drops the domain)."""
    conn = op.get_bind()
    for ptype, *values in domain_lines(domain):
        values += [""] * (6 - len(values))
        conn.execute(RULE.delete().where(RULE.c.ptype == ptype, *(RULE.c[f"v{i}"] == v for i, v in enumerate(values))))
