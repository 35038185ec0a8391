"""Loading one row the way every mutation must: inside the actor's row scope, or NOT_FOUND.

A row outside the scope and a row that does not exist give the same answer, so nobody
learns of another organisation's objects by guessing IDs.
"""

from __future__ import annotations

from typing import Any, Protocol, TypeVar, runtime_checkable

from sqlalchemy import inspect, select

from policies.scope import scope_for
from resolvers.core.context import UnitOfWork
from resolvers.core.errors import NotFound

T = TypeVar("T")


@runtime_checkable
class Regional(Protocol):
    """A row that lies in a region (``in_own_region``)."""

    region_code: str


async def get_in_scope(uow: UnitOfWork, model: type[T], pk: Any, *, lock: bool = False, in_own_region: bool = False) -> T:
    """The ``model`` row with primary key ``pk`` if the actor's row scope
    (``policies.scope``) includes it, else ``NotFound``. ``lock`` takes a row lock for the
    rest of the transaction; ``in_own_region`` also requires the row's ``region_code``
    to lie in the actor's own region (for changes a city-level viewer may see but not make)."""
    actor = uow.require_actor()
    scope = scope_for(model)
    (pk_column,) = inspect(model).primary_key
    stmt = select(model).where(pk_column == pk, scope(actor))
    if lock:
        stmt = stmt.with_for_update()
    row = (await uow.session.execute(stmt)).scalar_one_or_none()
    if row is None:
        raise NotFound()
    if in_own_region:
        assert isinstance(row, Regional), f"{model.__name__} rows have no region_code"
        if not row.region_code.startswith(actor.region_prefix):
            raise NotFound()
    return row
