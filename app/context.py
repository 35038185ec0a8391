"""The per-request context: who is asking, sessions, DataLoaders, units of work."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from contextvars import ContextVar
from functools import cached_property

from sqlalchemy.ext.asyncio import AsyncSession

from app.db import RequestReads
from app.logs import REQUEST_ID, new_request_id, well_formed_request_id
from app.state import AppState
from resolvers.accounts.auth import load_actor
from resolvers.core.context import Actor, RequestMeta, UnitOfWork
from resolvers.core.i18n import negotiate
from resolvers.core.transaction import unit_of_work
from resolvers.security.tokens import InvalidToken, decode_access_token
from schema.core.context import Observed

log = logging.getLogger("smallworks")

# The contexts made for the HTTP request the running task serves, for ``app.observe`` (who
# asked, what ran); the last one is the one that answered (a request the compiled path
# hands over to the general executor gets a second).
REQUEST_CONTEXTS: ContextVar[list[RequestContext] | None] = ContextVar("smallworks_request_contexts", default=None)


def request_meta(headers, client_host: str | None) -> RequestMeta:
    # The id app.observe settled for this request, else the client's if well formed.
    request_id = REQUEST_ID.get() or well_formed_request_id(headers.get("x-request-id")) or new_request_id()
    return RequestMeta(
        request_id=request_id,
        client_address=client_host,
        user_agent=headers.get("user-agent"),
        locale=negotiate(headers.get("accept-language")),
    )


def bearer_token(authorization: str | None) -> str | None:
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


class RequestContext:
    def __init__(self, state: AppState, meta: RequestMeta, token: str | None, *, shared_reads: bool = True):
        self.state = state
        self.settings = state.settings
        self.db = state.db
        self.reads = RequestReads(state.db, shared=shared_reads)
        self.policy = state.policy
        self.cipher = state.cipher
        self.meta = meta
        self.token = token
        self.token_error: str | None = None
        self.connection_params: dict | None = None  # graphql-transport-ws connection_init payload
        self._actor: asyncio.Future | None = None
        # The permission gate's decision for each root field of the running operation.
        self.gate_decisions: dict[str, Exception | None] | None = None
        self.observed = Observed()

    @classmethod
    def for_request(cls, state: AppState, request, *, shared_reads: bool = True) -> RequestContext:
        """The context of an HTTP request or WebSocket: its meta data and bearer token."""
        client = request.client.host if request.client else None
        context = cls(
            state, request_meta(request.headers, client), bearer_token(request.headers.get("authorization")), shared_reads=shared_reads
        )
        contexts = REQUEST_CONTEXTS.get()
        if contexts is not None:
            contexts.append(context)
        return context

    def known_actor(self) -> Actor | None:
        """The signed-in actor if the request has already loaded it (never loads it)."""
        future = self._actor
        if future is None or not future.done() or future.cancelled() or future.exception() is not None:
            return None
        return future.result()

    async def actor(self) -> Actor | None:
        """The signed-in actor, or None (anonymous, or a token that is no longer valid:
        ``token_error`` then says why). Loaded once per request, however many root fields
        ask at the same time."""
        if self._actor is None:
            self._actor = asyncio.ensure_future(self._load_actor())
        return await self._actor

    async def _load_actor(self) -> Actor | None:
        if not self.token:
            return None
        try:
            claims = decode_access_token(self.settings, self.token)
        except InvalidToken as exc:
            self.token_error = str(exc)
            return None
        # On the request's read connection, from the primary when there is a replica.
        actor = await load_actor(self.reads.primary, claims, self.state.signed_in)
        if actor is None:
            self.token_error = "the token's account or session is no longer active"
        else:
            self.reads.reader = f"{actor.kind}:{actor.id}"
        return actor

    def set_actor(self, actor: Actor | None) -> None:
        """Act for someone established another way (a signed download link)."""
        future = asyncio.get_running_loop().create_future()
        future.set_result(actor)
        self._actor = future

    def read(self) -> AbstractAsyncContextManager[AsyncSession]:
        """An ORM session on the request's read connection."""
        return self.reads.session()

    async def close(self) -> None:
        """Give back what the request holds (its read connection)."""
        await self.reads.close()

    @cached_property
    def loaders(self):
        from schema.core.loaders import Loaders

        return Loaders(self)

    @asynccontextmanager
    async def unit_of_work(self, operation: str) -> AsyncIterator[UnitOfWork]:
        async with unit_of_work(self.state, operation, await self.actor(), self.meta) as uow:
            yield uow
