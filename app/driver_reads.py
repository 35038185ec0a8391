"""Batch reads on PostgreSQL run on the asyncpg connection itself.

A DataLoader batch is one SELECT whose statement object is made once per actor
(``schema.core.loaders``). Run through SQLAlchemy, each execution still builds an
execution context, a cursor result and its row objects: for the read path's four batches
that took 3.3 ms where asyncpg takes 1.4 ms for the same SQL. Here a statement is compiled
by SQLAlchemy once (its SQL, its parameters in order with their bind processors, its
columns with their result processors), and each execution is one ``fetch`` on the
request's connection, whose records become tuples with named fields, converted exactly as
SQLAlchemy converts them (the same processors). The engine's ``before_cursor_execute``
listeners hear each statement, as they would from SQLAlchemy. Everything else, and every
other backend, reads through SQLAlchemy.
"""

from __future__ import annotations

import keyword
from collections import OrderedDict, namedtuple
from collections.abc import Callable
from dataclasses import dataclass
from threading import Lock
from typing import Any

# collections.namedtuple by another name: its fields are known only at run time.
_tuple_class: Callable[..., type] = namedtuple


@dataclass(frozen=True)
class _Prepared:
    sql: str
    positions: tuple[str, ...]
    bind: dict[str, Callable[[Any], Any]]
    compiled: Any
    row: Callable[[Any], Any]


def _row_maker(keys: list[str], processors: list[Callable[[Any], Any] | None]) -> Callable[[Any], Any]:
    """record -> a tuple with the columns as named fields, each converted by its processor."""
    names = [k if k.isidentifier() and not keyword.iskeyword(k) and not k.startswith("_") else f"c{i}" for i, k in enumerate(keys)]
    if len(set(names)) != len(names):
        names = [f"c{i}" for i in range(len(keys))]
    cls = _tuple_class("Row", names)
    namespace: dict[str, Any] = {"new": tuple.__new__, "cls": cls}
    values = []
    for i, process in enumerate(processors):
        if process is None:
            values.append(f"r[{i}]")
        else:
            namespace[f"p{i}"] = process
            values.append(f"p{i}(r[{i}])")
    source = f"def row(r):\n    return new(cls, ({', '.join(values)},))\n"
    exec(compile(source, "<driver row>", "exec"), namespace)
    return namespace["row"]


class DriverReads:
    """Prepared statements by statement object (the loaders keep theirs), a bounded LRU."""

    def __init__(self, dialect: Any, maxsize: int = 2048):
        self.dialect = dialect
        self.maxsize = maxsize
        self._prepared: OrderedDict[Any, _Prepared | None] = OrderedDict()
        self._lock = Lock()

    def prepare(self, statement: Any) -> _Prepared | None:
        """The statement's SQL, parameters and row maker; None when a column's conversion
        depends on what the driver reports of it (numeric types: their processors want the
        column's type code), so it is read through SQLAlchemy."""
        with self._lock:
            if statement in self._prepared:
                self._prepared.move_to_end(statement)
                return self._prepared[statement]
        compiled = statement.compile(dialect=self.dialect)
        dialect = self.dialect
        columns = compiled._result_columns
        prepared: _Prepared | None
        try:
            processors = [c[3]._cached_result_processor(dialect, None) for c in columns]
        except Exception:
            prepared = None
        else:
            prepared = _Prepared(
                sql=compiled.string,
                positions=tuple(compiled.positiontup or ()),
                bind=dict(compiled._bind_processors),
                compiled=compiled,
                row=_row_maker([c[0] for c in columns], processors),
            )
        with self._lock:
            self._prepared[statement] = prepared
            while len(self._prepared) > self.maxsize:
                self._prepared.popitem(last=False)
        return prepared

    async def all(self, connection: Any, statement: Any, parameters: dict[str, Any] | None) -> list[Any]:
        """The rows of ``statement`` with ``parameters``, on the asyncpg connection under
        ``connection`` (an AsyncConnection in autocommit mode)."""
        prepared = self.prepare(statement)
        if prepared is None:
            return list((await connection.execute(statement, parameters)).all())
        values = prepared.compiled.construct_params(parameters or {})
        bind = prepared.bind
        arguments = [bind[name](values[name]) if name in bind else values[name] for name in prepared.positions]
        sync = connection.sync_connection
        if sync._has_events or sync.engine._has_events:
            # What listens for statements (logging, counting) hears these too; there is no
            # cursor or execution context to give it.
            sync.dispatch.before_cursor_execute(sync, None, prepared.sql, tuple(arguments), None, False)
        raw = await connection.get_raw_connection()
        records = await raw.driver_connection.fetch(prepared.sql, *arguments)
        row = prepared.row
        return [row(record) for record in records]
