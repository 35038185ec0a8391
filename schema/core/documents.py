"""Parsed and validated documents, cached by query text.

Front ends send the same few documents again and again. The first request of a text
parses and validates it; every later one takes the parsed document and its validation
result from a bounded LRU shared by all requests of one schema, and neither parses nor
validates. The validation rules are fixed per schema (built once), so a text's result
cannot change while the schema lives.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from threading import Lock

from graphql import DocumentNode, GraphQLError
from strawberry.extensions import SchemaExtension


@dataclass(frozen=True)
class CachedDocument:
    document: DocumentNode
    errors: tuple[GraphQLError, ...]


class DocumentCache:
    def __init__(self, maxsize: int):
        self.maxsize = maxsize
        self.hits = 0
        self.misses = 0
        self._entries: OrderedDict[str, CachedDocument] = OrderedDict()
        self._lock = Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, text: str) -> CachedDocument | None:
        with self._lock:
            entry = self._entries.get(text)
            if entry is None:
                self.misses += 1
                return None
            self._entries.move_to_end(text)
            self.hits += 1
            return entry

    def peek(self, text: str) -> CachedDocument | None:
        """The entry of a text, if cached, without counting a hit or refreshing it."""
        return self._entries.get(text)

    def put(self, text: str, entry: CachedDocument) -> None:
        with self._lock:
            self._entries[text] = entry
            self._entries.move_to_end(text)
            while len(self._entries) > self.maxsize:
                self._entries.popitem(last=False)

    def extension(self) -> Callable[[], SchemaExtension]:
        """A factory of the per-request extension that reads and fills this cache."""
        return lambda: _CachedDocuments(self)


class _CachedDocuments(SchemaExtension):
    def __init__(self, cache: DocumentCache):
        self.cache = cache
        self._hit: CachedDocument | None = None
        self._parsed: DocumentNode | None = None

    def on_parse(self) -> Iterator[None]:
        ec = self.execution_context
        self._hit = self.cache.get(ec.query) if ec.query and ec.graphql_document is None else None
        if self._hit is not None:
            ec.graphql_document = self._hit.document  # strawberry skips parsing
        yield
        if self._hit is None:
            self._parsed = ec.graphql_document  # None when the text did not parse

    def on_validate(self) -> Iterator[None]:
        ec = self.execution_context
        if self._hit is not None:
            ec.pre_execution_errors = list(self._hit.errors)  # strawberry skips validation
        yield
        if self._hit is None and self._parsed is not None and ec.query and ec.pre_execution_errors is not None:
            self.cache.put(ec.query, CachedDocument(self._parsed, tuple(ec.pre_execution_errors)))
