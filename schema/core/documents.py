"""Parsed and validated documents, cached by query text, and persisted queries by hash.

Front ends send the same few documents again and again. The first request of a text
parses and validates it; every later one takes the parsed document and its validation
result from a bounded LRU shared by all requests of one schema, and neither parses nor
validates. The validation rules are fixed per schema (built once), so a text's result
cannot change while the schema lives.

Clients may send a query's SHA-256 instead of its text (automatic persisted queries, as
Apollo Client and urql do): ``extensions.persistedQuery = {"version": 1, "sha256Hash":
...}``. A hash this process has not seen is answered ``PERSISTED_QUERY_NOT_FOUND``; the
client sends text and hash once, the hash is checked and kept, and from then on the hash
alone names the query, on POST or on a cacheable GET.
"""

from __future__ import annotations

import hashlib
import re
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


class PersistedQueryError(Exception):
    """A persisted-query request that cannot run: ``code`` says why, ``status`` is the HTTP
    status to answer with (404 for an unknown hash), ``legacy_status`` the one for a client
    that accepts only ``application/json``: 200 for an unknown hash, as such clients expect
    a GraphQL answer to retry with the text."""

    def __init__(self, code: str, status: int, legacy_status: int | None = None):
        super().__init__(code)
        self.code = code
        self.status = status
        self.legacy_status = status if legacy_status is None else legacy_status


_SHA256 = re.compile(r"[0-9a-f]{64}")


class PersistedQueries:
    """Query texts by SHA-256 (lowercase hex), a bounded LRU."""

    def __init__(self, maxsize: int):
        self.maxsize = maxsize
        self._texts: OrderedDict[str, str] = OrderedDict()
        self._lock = Lock()

    def resolve(self, query: object, extensions: object) -> str | None:
        """The query text a request names: its own (checked against the hash it gives, and
        kept) or the one kept for its hash. None: the request names no query."""
        persisted = extensions.get("persistedQuery") if isinstance(extensions, dict) else None
        if persisted is None:
            return query if isinstance(query, str) else None
        digest = persisted.get("sha256Hash") if isinstance(persisted, dict) else None
        if not isinstance(persisted, dict) or persisted.get("version") != 1 or not isinstance(digest, str) or not _SHA256.fullmatch(digest):
            raise PersistedQueryError("PERSISTED_QUERY_INVALID", 400)
        if isinstance(query, str):
            if hashlib.sha256(query.encode()).hexdigest() != digest:
                raise PersistedQueryError("PERSISTED_QUERY_HASH_MISMATCH", 400)
            with self._lock:
                self._texts[digest] = query
                self._texts.move_to_end(digest)
                while len(self._texts) > self.maxsize:
                    self._texts.popitem(last=False)
            return query
        with self._lock:
            text = self._texts.get(digest)
            if text is not None:
                self._texts.move_to_end(digest)
        if text is None:
            raise PersistedQueryError("PERSISTED_QUERY_NOT_FOUND", 404, legacy_status=200)
        return text
