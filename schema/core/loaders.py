"""DataLoaders, created per request from a registry that each domain fills from
``schema/<domain>/loaders.py``.

Every batch filters by the same row-level scope as the lists (``policies.scope``), so
nested fields and ``node(id:)`` never show more than a list would. Batches read plain
rows (no ORM instances) through the request's one read connection (``ctx.reads``).
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from aiodataloader import DataLoader
from sqlalchemy import any_, bindparam, inspect, select
from sqlalchemy.dialects.postgresql import ARRAY

from policies.scope import scope_for

# A batch function: the results for a list of keys, in the same order.
Batch = Callable[[list[Any]], Coroutine[Any, Any, list[Any]]]
BatchFactory = Callable[[Any], Batch]

# Loader name (an attribute of ``Loaders``) -> a function of the request context that
# returns the batch function.
LOADERS: dict[str, BatchFactory] = {}


# The parameter that carries a batch's keys, given at execution.
KEYS = "loader_keys"


def keys_in(dialect: str, column: Any) -> Any:
    """``column IN (:KEYS)``. On PostgreSQL ``column = ANY(:KEYS)``, one array parameter:
    the statement's text stays the same whatever the number of keys, so nothing is
    rewritten per execution (an expanding IN is, once per key)."""
    if dialect == "postgresql":
        return column == any_(bindparam(KEYS, type_=ARRAY(column.type)))
    return column.in_(bindparam(KEYS, expanding=True))


def _per_actor(build: Callable[[Any, str], Any]) -> Callable[[Any, str], Any]:
    """A loader's statement for each (actor, dialect), made once: its row scope depends on
    no more than who is asking, and a statement object that is used again keeps its
    cache key, so executing it is a cache lookup."""
    return functools.lru_cache(maxsize=512)(build)


def register(name: str, factory: BatchFactory) -> None:
    if name in LOADERS:
        raise ValueError(f"a loader named {name!r} is already registered")
    LOADERS[name] = factory


def by_id(name: str, model: type[Any]) -> None:
    """``loaders.<name>.load(pk)``: the ``model`` row with that primary key, or None when it
    does not exist or lies outside the caller's scope."""
    (pk_column,) = inspect(model).primary_key
    columns = model.__table__.columns
    pk_index = [c.key for c in columns].index(pk_column.key)

    @_per_actor
    def statement(actor: Any, dialect: str) -> Any:
        return select(*columns).where(keys_in(dialect, pk_column), scope_for(model)(actor))

    def factory(ctx: Any) -> Batch:
        async def batch(ids: list[Any]) -> list[Any]:
            actor = await ctx.actor()
            if actor is None:
                return [None] * len(ids)
            wanted = [int(i) for i in ids]
            found = {row[pk_index]: row for row in await ctx.reads.all(statement(actor, ctx.db.dialect), {KEYS: wanted})}
            return [found.get(i) for i in wanted]

        return batch

    register(name, factory)


def children(name: str, model: type[Any], parent_column, *order_by) -> None:
    """``loaders.<name>.load(parent_id)``: the ``model`` rows of one parent, in order, for
    many parents in one statement."""
    columns = model.__table__.columns
    parent_index = [c.key for c in columns].index(parent_column.key)

    @_per_actor
    def statement(actor: Any, dialect: str) -> Any:
        return select(*columns).where(keys_in(dialect, parent_column), scope_for(model)(actor)).order_by(*order_by)

    def factory(ctx: Any) -> Batch:
        async def batch(parent_ids: list[Any]) -> list[Any]:
            actor = await ctx.actor()
            grouped: dict[int, list[Any]] = defaultdict(list)
            if actor is not None:
                wanted = [int(i) for i in parent_ids]
                for row in await ctx.reads.all(statement(actor, ctx.db.dialect), {KEYS: wanted}):
                    grouped[row[parent_index]].append(row)
            return [grouped[int(i)] for i in parent_ids]

        return batch

    register(name, factory)


def load_all_loaders() -> dict[str, BatchFactory]:
    from models import domain_modules

    domain_modules("schema", ".loaders")
    return LOADERS


@dataclass
class Loaders:
    """The request's DataLoaders, made on first use: ``ctx.loaders.project.load(id)``."""

    ctx: Any

    def __getattr__(self, name: str) -> DataLoader[Any, Any]:
        factory = LOADERS.get(name) or load_all_loaders().get(name)
        if factory is None:
            raise AttributeError(f"no loader named {name!r} is registered")
        loader: DataLoader[Any, Any] = DataLoader(factory(self.ctx))
        setattr(self, name, loader)
        return loader
