"""One operation, one transaction: the unit of work every mutation, job and command runs in."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import TYPE_CHECKING, Any, Protocol, cast

from sqlalchemy import event
from sqlalchemy.engine import CursorResult, Result
from sqlalchemy.orm import Session, UOWTransaction

from policies.engine import PolicyEngine
from resolvers.core.audit import append_pending
from resolvers.core.context import Actor, RequestMeta, UnitOfWork

if TYPE_CHECKING:
    from resolvers.core.clock import Clock
    from resolvers.security.crypto import FieldCipher

log = logging.getLogger("smallworks")


class Dispatcher(Protocol):
    async def dispatch(self, event_ids: list[int]) -> None: ...


class Database(Protocol):
    def write(self) -> AbstractAsyncContextManager[Any]: ...

    def mark_written(self, writer: str) -> None: ...


class ChangeListener(Protocol):
    async def changed(self) -> None: ...


# Tables whose rows decide who an access token speaks for, declared by the domain that owns
# them: a transaction that writes one clears the cache of signed-in actors when it commits.
SIGN_IN_TABLES: set[str] = set()

# Session.info key: the tables a session has written to (by flushes and by bulk statements).
WRITTEN = "smallworks.written"


def sign_in_reads(*tables: str) -> None:
    SIGN_IN_TABLES.update(tables)


@event.listens_for(Session, "after_flush")
def _flushed(session: Session, flush_context: UOWTransaction) -> None:
    written = session.info.setdefault(WRITTEN, set())
    for instance in (*session.new, *session.dirty, *session.deleted):
        table = getattr(type(instance), "__tablename__", None)
        if table is not None:
            written.add(table)


@event.listens_for(Session, "do_orm_execute")
def _executed(state: Any) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        table = getattr(state.statement, "table", None)
        if table is not None:
            state.session.info.setdefault(WRITTEN, set()).add(table.name)


class Services(Protocol):
    """The long-lived services a unit of work draws on (``app.state.AppState``)."""

    @property
    def settings(self) -> Any: ...

    @property
    def db(self) -> Database: ...

    @property
    def cipher(self) -> FieldCipher: ...

    @property
    def policy(self) -> PolicyEngine: ...

    @property
    def dispatcher(self) -> Dispatcher: ...

    @property
    def signed_in(self) -> ChangeListener: ...

    @property
    def clock(self) -> Clock: ...


@asynccontextmanager
async def unit_of_work(state: Services, operation: str, actor: Actor | None, meta: RequestMeta) -> AsyncIterator[UnitOfWork]:
    """One transaction: commits (with its audit events chained in) if the block finishes,
    rolls back entirely if it raises."""
    uow: UnitOfWork | None = None
    try:
        async with state.db.write() as session:
            uow = UnitOfWork(
                session=session,
                settings=state.settings,
                cipher=state.cipher,
                policy=state.policy,
                meta=meta,
                now=state.clock.now(),
                operation=operation,
                actor=actor,
                clock=state.clock,
            )
            yield uow
            await append_pending(uow)
    except BaseException:
        # The transaction rolled back: undo what it did outside the database. Every hook
        # runs even if one fails, and the failure that rolled back is the one raised.
        for hook in reversed(uow.rollback_hooks if uow else []):
            try:
                await hook()
            except Exception:
                log.exception("a rollback hook of %s failed", operation)
        raise
    written = session.info.pop(WRITTEN, set())  # committed: the last flush is recorded too
    for hook in uow.commit_hooks:
        try:
            await hook()
        except Exception:
            log.exception("an after-commit hook of %s failed", operation)
    if uow.actor is not None:
        state.db.mark_written(f"{uow.actor.kind}:{uow.actor.id}")
    if uow.policy_changed:
        await state.policy.changed()
    if written & SIGN_IN_TABLES:
        await state.signed_in.changed()
    if uow.events:
        try:
            await state.dispatcher.dispatch([event.id for event in uow.events])
        except Exception:
            log.exception("dispatching events %s failed", [event.id for event in uow.events])


def rowcount(result: Result[Any]) -> int:
    """How many rows an UPDATE or DELETE matched. ``AsyncSession.execute`` returns a
    ``CursorResult`` for them, though it is annotated with the ``Result`` of a query."""
    return cast("CursorResult[Any]", result).rowcount
