"""What can be exported: every report and list registers an ``ExportSource`` here, and the
export job (``resolvers.supervision.exports``) streams any of them to XLSX or CSV.

A source knows its columns (which may depend on the arguments, a report grouped by region
has a region column), how to check the arguments a client sent (``parse``: raise
``resolvers.core.errors.BadInput`` for a bad one, before a job is queued), and how to stream its
rows in the viewer's row scope (``rows``: an async iterator of tuples in column order, read in
batches from the database, never the whole result in memory). ``total`` counts the rows when
that is cheap, so the job can report progress.

Sources are registered from the module that owns the query (reports from
``resolvers/supervision/reports.py``, lists from their domain-side module in this package),
so adding a report adds its export without editing the exporter.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy.ext.asyncio import AsyncSession

from policies.subject import Actor
from resolvers.core.i18n import Message

ColumnKind = Literal["text", "integer", "money", "decimal", "percent", "date", "datetime"]


@dataclass(frozen=True)
class Column:
    key: str
    title: Message  # (zh-CN, en), the header written in the requester's language
    kind: ColumnKind = "text"


@dataclass(frozen=True)
class ExportContext:
    """What a source reads with: a session of its own (the job's), the requester as an actor
    (row scope), the settings, and the requester's locale for labels of coded values."""

    session: AsyncSession
    actor: Actor
    settings: Any
    locale: str


Arguments = Mapping[str, Any]


@dataclass(frozen=True)
class ExportSource:
    name: str  # stable id, e.g. "report.volume", "list.projects"
    operation: str  # the root field whose policy line allows the export, e.g. "Query.volumeReport"
    title: Message
    columns: Callable[[Arguments], Sequence[Column]]
    parse: Callable[[Arguments], Arguments]  # checked, normalised arguments (JSON-compatible)
    rows: Callable[[ExportContext, Arguments], AsyncIterator[Sequence[Any]]]
    total: Callable[[ExportContext, Arguments], Awaitable[int | None]] | None = None


EXPORT_SOURCES: dict[str, ExportSource] = {}


def export_source(source: ExportSource) -> ExportSource:
    if source.name in EXPORT_SOURCES and EXPORT_SOURCES[source.name] is not source:
        raise ValueError(f"export source {source.name} is registered twice")
    EXPORT_SOURCES[source.name] = source
    return source
