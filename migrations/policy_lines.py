"""Adding default policy lines in a migration.

The first migration loads every file of policies/lines/. A later migration that adds a
domain or operations calls ``add_domain_lines`` (a domain's whole file) or
``add_default_lines`` (named operations), so databases migrated before it get the new
lines too; lines already present are not duplicated. Once policy versions are kept
(0024), lines added this way make a version of their own (``record_version``), so that a
rollback to an earlier version is one an administrator can see coming.
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

from models.base import UTCDateTime, utcnow
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
    added = []
    for ptype, *values in lines:
        padded = values + [""] * (6 - len(values))
        row = {"ptype": ptype, **{f"v{i}": v for i, v in enumerate(padded)}}
        exists = conn.execute(sa.select(sa.func.count()).select_from(RULE).where(*(RULE.c[k] == v for k, v in row.items()))).scalar()
        if not exists:
            conn.execute(RULE.insert().values(**row))
            added.append([ptype, *values])
    if added and sa.inspect(conn).has_table("policy_versions"):
        record_version(added)


def record_version(added: list[list[str]]) -> None:
    """A new policy version (``migration``, by the system) holding every line now, after a
    migration added ``added``."""
    conn = op.get_bind()
    state = sa.table("policy_state", sa.column("id", sa.Integer), sa.column("version", sa.BigInteger))
    versions = sa.table(
        "policy_versions",
        *(sa.column(c, sa.String) for c in ("kind", "author_name", "comment", "added", "removed", "lines")),
        sa.column("number", sa.BigInteger),
        sa.column("created_at", UTCDateTime()),
    )
    number = (conn.execute(sa.select(state.c.version).where(state.c.id == 1)).scalar() or 0) + 1
    conn.execute(state.update().where(state.c.id == 1).values(version=number))
    rows = conn.execute(sa.select(RULE).order_by(RULE.c.ptype, RULE.c.v0, RULE.c.v1, RULE.c.v2, RULE.c.v3, RULE.c.v4, RULE.c.v5)).all()
    lines = []
    for row in rows:
        values = [row.v0, row.v1, row.v2, row.v3, row.v4, row.v5]
        while values and values[-1] == "":
            values.pop()
        lines.append([row.ptype, *values])
    conn.execute(
        versions.insert().values(
            number=number,
            kind="migration",
            created_at=utcnow(),
            author_name="system",
            comment="",
            added=json.dumps(added, ensure_ascii=False),
            removed="[]",
            lines=json.dumps(lines, ensure_ascii=False),
        )
    )


def remove_domain_lines(domain: str) -> None:
    """Every line of ``policies/lines/<domain>.csv`` (a downgrade that drops the domain)."""
    conn = op.get_bind()
    for ptype, *values in domain_lines(domain):
        values += [""] * (6 - len(values))
        conn.execute(RULE.delete().where(RULE.c.ptype == ptype, *(RULE.c[f"v{i}"] == v for i, v in enumerate(values))))
