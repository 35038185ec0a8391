"""Row-level scope: one function per entity, returning a SQL condition.

Lists, ``node(id:)``, nested fields (through DataLoaders), mutations that load a row and
exports all filter with these functions, so what a person can see is decided in exactly
one place. Each domain keeps its functions in ``policies/scope/<domain>.py`` and registers
them against their model with ``@scope_of(Model)``; ``SCOPES`` is the registry (the
generic ``node`` loader and the checks that every table has a scope read it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from sqlalchemy import ColumnElement, false, or_, select, true

from models.accounts import Organisation
from policies.subject import Actor

ScopeFn = Callable[[Actor], ColumnElement[bool]]

# Model class -> the function that says which of its rows an actor may see.
SCOPES: dict[type, ScopeFn] = {}

# Roles that see everything inside their region (the rest see their own organisation's rows).
REGION_WIDE_ROLES = frozenset({"platform_admin", "auditor"})


def scope_of(model: type) -> Callable[[ScopeFn], ScopeFn]:
    """Register ``fn`` as the row scope of ``model``."""

    def register(fn: ScopeFn) -> ScopeFn:
        if model in SCOPES and SCOPES[model] is not fn:
            raise ValueError(f"{model.__name__} already has a row scope: {SCOPES[model].__qualname__}")
        SCOPES[model] = fn
        return fn

    return register


def load_all() -> dict[type, ScopeFn]:
    """Import every domain's scope module (``policies.scope.<domain>``) and return the registry."""
    from models import domain_modules

    domain_modules("policies.scope")
    return SCOPES


_loaded = False


def scope_for(model: type) -> ScopeFn:
    """The registered row scope of ``model``. Every domain's scope module is loaded first,
    since a later domain may widen an earlier one's scope (``PARTICIPATION`` of projects)."""
    global _loaded
    if not _loaded:
        load_all()
        _loaded = True
    scope = SCOPES.get(model)
    if scope is None:
        raise LookupError(f"{model.__name__} has no registered row scope (policies/scope/<domain>.py)")
    return scope


def code_range(column, prefix: str) -> ColumnElement[bool]:
    """``column`` (a region code) starts with ``prefix``; every row for the empty prefix.
    Written as a range of codes rather than ``LIKE 'prefix%'``: a B-tree index on the column
    serves a range under any collation and its estimates stay good, where PostgreSQL serves a
    prefix LIKE only under the C collation or with a pattern operator class
    (docs/reports-performance.md). Codes are ASCII digits: ``3205`` covers ``3205 ≤ code <
    3206``, ``99`` covers ``99 ≤ code``. Any other prefix (a filter typed by hand) is a LIKE."""
    if prefix == "":
        return true()
    if not (prefix.isascii() and prefix.isdigit()):
        return column.startswith(prefix, autoescape=True)
    if set(prefix) == {"9"}:
        return column >= prefix
    return (column >= prefix) & (column < str(int(prefix) + 1).zfill(len(prefix)))


def in_region(column, actor: Actor, roles: Iterable[str] | None = None) -> ColumnElement[bool]:
    """Rows whose region code lies in a region where the actor holds one of ``roles`` (any
    of their roles when None): their organisation's region for the roles they hold there,
    and the region of each role granted to them (a city covers its counties)."""
    prefixes = actor.region_prefixes(roles)
    if not prefixes:
        return false()
    return or_(*(code_range(column, prefix) for prefix in prefixes)) if len(prefixes) > 1 else code_range(column, prefixes[0])


def belonging(organisation_column, actor: Actor, region_wide_roles: frozenset[str] = REGION_WIDE_ROLES) -> ColumnElement[bool]:
    """Rows of organisations in the regions where the actor holds a region-wide role; and
    rows of the actor's own organisation."""
    own = organisation_column == actor.organisation_id
    if actor.roles & region_wide_roles:
        regional = organisation_column.in_(select(Organisation.id).where(in_region(Organisation.region_code, actor, region_wide_roles)))
        return regional if not actor.grants else or_(regional, own)
    return own
