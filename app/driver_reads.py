"""Reads of rows on PostgreSQL run on the asyncpg connection itself.

List pages and DataLoader batches are SELECTs of a few shapes run again and again. Run
through SQLAlchemy, each execution still builds an execution context, a cursor result and
its row objects: for the read path's batches that took 3.3 ms where asyncpg takes 1.4 ms
for the same SQL. Here each statement shape (SQLAlchemy's cache key) is compiled by
SQLAlchemy once (its SQL, its parameters in order with their bind processors, its columns
with their result processors), and each execution is one ``fetch`` on the request's
connection with this statement's values (the cache key's parameters), whose records become
tuples with named fields, converted exactly as SQLAlchemy converts them (the same
processors). The engine's ``before_cursor_execute`` and ``after_cursor_execute``
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


def _row_maker(keys: list[str], processors: list[Callable[[Any], Any] | None]) -> Callable[[Any], Any] | None:
    """record -> a tuple with the columns as named fields, each converted by its processor;
    None when the columns' names cannot all be attribute names."""
    if len(set(keys)) != len(keys) or not all(k.isidentifier() and not keyword.iskeyword(k) and not k.startswith("_") for k in keys):
        return None
    cls = _tuple_class("Row", keys)
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


_UNPREPARED: Any = object()


class DriverReads:
    """Prepared statements by SQLAlchemy's cache key (the statement's structure; its values
    are the key's parameters), a bounded LRU."""

    def __init__(self, dialect: Any, maxsize: int = 2048):
        self.dialect = dialect
        self.maxsize = maxsize
        self._prepared: OrderedDict[Any, _Prepared | None] = OrderedDict()
        self._lock = Lock()

    async def prepare(self, raw: Any, statement: Any, cache_key: Any) -> _Prepared | None:
        """The statement's SQL, parameters and row maker, compiled by SQLAlchemy against its
        cache key; the columns' type codes come from asyncpg's own preparation, as
        SQLAlchemy takes them from the cursor. None: read it through SQLAlchemy (SQL that
        SQLAlchemy finishes at execution, columns without attribute names)."""
        dialect = self.dialect
        compiled = dialect.statement_compiler(dialect, statement, cache_key=cache_key)
        prepared: _Prepared | None = None
        if compiled.positiontup is not None and "POSTCOMPILE" not in compiled.string:
            attributes = (await raw.driver_connection.prepare(compiled.string)).get_attributes()
            columns = compiled._result_columns
            if len(attributes) == len(columns):
                try:
                    processors = [c[3]._cached_result_processor(dialect, a.type.oid) for c, a in zip(columns, attributes, strict=True)]
                except Exception:
                    processors = None
                row = _row_maker([c[0] for c in columns], processors) if processors is not None else None
                if row is not None:
                    prepared = _Prepared(compiled.string, tuple(compiled.positiontup), dict(compiled._bind_processors), compiled, row)
        with self._lock:
            self._prepared[cache_key.key] = prepared
            while len(self._prepared) > self.maxsize:
                self._prepared.popitem(last=False)
        return prepared

    async def all(self, connection: Any, statement: Any, parameters: dict[str, Any] | None) -> list[Any]:
        """The rows of ``statement`` with ``parameters``, on the asyncpg connection under
        ``connection`` (an AsyncConnection in autocommit mode)."""
        cache_key = statement._generate_cache_key()
        prepared = None
        if cache_key is not None and not cache_key.params:
            with self._lock:
                prepared = self._prepared.get(cache_key.key, _UNPREPARED)
                if prepared is not _UNPREPARED:
                    self._prepared.move_to_end(cache_key.key)
            if prepared is _UNPREPARED:
                prepared = await self.prepare(await connection.get_raw_connection(), statement, cache_key)
        if prepared is None:
            return list((await connection.execute(statement, parameters)).all())
        values = prepared.compiled.construct_params(parameters or {}, extracted_parameters=cache_key.bindparams)
        bind = prepared.bind
        arguments = [bind[name](values[name]) if name in bind else values[name] for name in prepared.positions]
        sync = connection.sync_connection
        raw = await connection.get_raw_connection()
        if sync._has_events or sync.engine._has_events:
            # What listens for statements (logging, counting, tracing) hears these too: with
            # no cursor, and a bare object for the execution context, on which a listener may
            # keep what it needs between before and after (a trace span).
            listened, parameters_seen = _Listened(), tuple(arguments)
            sync.dispatch.before_cursor_execute(sync, None, prepared.sql, parameters_seen, listened, False)
            try:
                records = await raw.driver_connection.fetch(prepared.sql, *arguments)
            finally:
                sync.dispatch.after_cursor_execute(sync, None, prepared.sql, parameters_seen, listened, False)
        else:
            records = await raw.driver_connection.fetch(prepared.sql, *arguments)
        row = prepared.row
        return [row(record) for record in records]


class _Listened:
    """The execution context given to statement listeners for a statement run on the
    driver's connection."""
