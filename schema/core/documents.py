"""Parsed and validated documents, cached by query text, and persisted queries by hash.

Front ends send the same few documents again and again. The first request of a text
parses and validates it; every later one takes the parsed document and its validation
result from a bounded LRU shared by all requests of one schema, and neither parses nor
validates. The validation rules are fixed per schema (built once), so a text's result
cannot change while the schema lives.

Clients may send a query's SHA-256 instead of its text (automatic persisted queries, as
Apollo Client and urql do): ``extensions.persistedQuery = {"version": 1, "sha256Hash":
...}``. A hash no server has seen is answered ``PERSISTED_QUERY_NOT_FOUND``; the client
sends text and hash once, the hash is checked and kept (in Redis, for every process, when
one is configured), and from then on the hash alone names the query, on POST or on a
cacheable GET. Trusted documents, registered by operators (``smallworks trusted-documents
add``), are known by hash to every server; in trusted-documents mode
(``SMALLWORKS_TRUSTED_DOCUMENTS_ONLY``) they are the only documents that run.
"""

from __future__ import annotations

import hashlib
import re
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from threading import Lock
from typing import Protocol

from graphql import DocumentNode, GraphQLError
from graphql.execution import ExecutionResult as GraphQLExecutionResult
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from resolvers.core.errors import DomainError


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


class DocumentNotTrusted(DomainError):
    graphql_code = "GRAPHQL_VALIDATION_FAILED"


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


def digest_of(text: str) -> str:
    """A document's name as a persisted query: the SHA-256 of its UTF-8 text, lowercase hex."""
    return hashlib.sha256(text.encode()).hexdigest()


class QueryStore(Protocol):
    """Where texts that clients registered by hash are kept (Redis, shared by every
    process, or this process's memory)."""

    async def get(self, digest: str) -> str | None: ...

    async def put(self, digest: str, text: str) -> None: ...


class LocalQueryStore:
    """Query texts by hash in this process, a bounded LRU."""

    def __init__(self, maxsize: int):
        self.maxsize = maxsize
        self._texts: OrderedDict[str, str] = OrderedDict()
        self._lock = Lock()

    async def get(self, digest: str) -> str | None:
        with self._lock:
            text = self._texts.get(digest)
            if text is not None:
                self._texts.move_to_end(digest)
            return text

    async def put(self, digest: str, text: str) -> None:
        with self._lock:
            self._texts[digest] = text
            self._texts.move_to_end(digest)
            while len(self._texts) > self.maxsize:
                self._texts.popitem(last=False)


TrustedLookup = Callable[[str], Awaitable[str | None]]


async def _nothing_trusted(digest: str) -> str | None:
    return None


class PersistedQueries:
    """The text each request names. ``trusted`` finds a registered document by its hash
    (every server knows those); ``store`` keeps what clients register themselves. With
    ``trusted_only`` a server runs registered documents only, sent by hash or as text,
    and clients cannot register any."""

    def __init__(self, store: QueryStore, trusted: TrustedLookup = _nothing_trusted, *, trusted_only: bool = False):
        self.store = store
        self.trusted = trusted
        self.trusted_only = trusted_only

    async def resolve(self, query: object, extensions: object) -> str | None:
        """The query text a request names: its own (checked against the hash it gives, and
        kept) or the one kept for its hash. None: the request names no query."""
        persisted = extensions.get("persistedQuery") if isinstance(extensions, dict) else None
        if persisted is None:
            if isinstance(query, str) and self.trusted_only and await self.trusted(digest_of(query)) is None:
                raise PersistedQueryError("DOCUMENT_NOT_TRUSTED", 400)
            return query if isinstance(query, str) else None
        digest = persisted.get("sha256Hash") if isinstance(persisted, dict) else None
        if not isinstance(persisted, dict) or persisted.get("version") != 1 or not isinstance(digest, str) or not _SHA256.fullmatch(digest):
            raise PersistedQueryError("PERSISTED_QUERY_INVALID", 400)
        if isinstance(query, str):
            if digest_of(query) != digest:
                raise PersistedQueryError("PERSISTED_QUERY_HASH_MISMATCH", 400)
            if await self.trusted(digest) is None:
                if self.trusted_only:
                    raise PersistedQueryError("DOCUMENT_NOT_TRUSTED", 400)
                await self.store.put(digest, query)
            return query
        text = await self.trusted(digest)
        if text is None and self.trusted_only:
            raise PersistedQueryError("DOCUMENT_NOT_TRUSTED", 400)
        if text is None:
            text = await self.store.get(digest)
        if text is None:
            raise PersistedQueryError("PERSISTED_QUERY_NOT_FOUND", 404, legacy_status=200)
        return text


class TrustedDocumentsOnly(SchemaExtension):
    """In trusted-documents mode, refuses an operation whose document is not registered,
    whatever its transport (HTTP requests are checked when their text is resolved; this
    covers subscriptions over WebSocket)."""

    async def on_execute(self) -> AsyncIterator[None]:
        ec = self.execution_context
        trusted = getattr(getattr(ec.context, "state", None), "trusted", None)
        if ec.query is not None and (trusted is None or await trusted.get(digest_of(ec.query)) is None):
            refusal = DocumentNotTrusted("DOCUMENT_NOT_TRUSTED")
            if ec.operation_type == OperationType.SUBSCRIPTION:
                raise refusal  # the stream never opens
            ec.result = GraphQLExecutionResult(data=None, errors=[GraphQLError(refusal.code, original_error=refusal)])
        yield
