"""The per-request context: who is asking, sessions, DataLoaders, units of work."""

from __future__ import annotations

import asyncio
import ipaddress
import logging
from collections.abc import AsyncIterator, MutableMapping, Sequence
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
from resolvers.permissions.grants import with_grants
from resolvers.security.tokens import InvalidToken, decode_access_token
from schema.core.context import Observed

log = logging.getLogger("smallworks")

# The contexts made for the HTTP request the running task serves, for ``app.observe`` (who
# asked, what ran); the last one is the one that answered (a request the compiled path
# hands over to the general executor gets a second).
REQUEST_CONTEXTS: ContextVar[list[RequestContext] | None] = ContextVar("smallworks_request_contexts", default=None)


Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """An address as proxies write it (``203.0.113.7``, ``203.0.113.7:5412``,
    ``[2001:db8::7]:5412``, ``::ffff:203.0.113.7``), or None if it is not one."""
    text = text.strip()
    if text.startswith("["):
        text = text[1:].partition("]")[0]
    elif text.count(":") == 1:
        text = text.partition(":")[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def client_address(headers, peer: str | None, trusted: Sequence[Network] = ()) -> str | None:
    """Who is asking. The peer of the connection, unless it is one of the ``trusted``
    proxies: then X-Forwarded-For, read from the right (each proxy appends the address it
    was reached from), names the first address that is not a trusted proxy. Anyone can
    write X-Forwarded-For, so only what trusted proxies appended is believed."""
    peer_ip = _ip(peer) if peer else None
    if peer_ip is None:
        return peer
    if not any(peer_ip in network for network in trusted):
        return str(peer_ip)
    hops = [hop for value in headers.getlist("x-forwarded-for") for hop in value.split(",") if hop.strip()]
    nearest = peer_ip
    for hop in reversed(hops):
        hop_ip = _ip(hop)
        if hop_ip is None:
            break  # not an address: what lies left of it cannot be believed either
        if not any(hop_ip in network for network in trusted):
            return str(hop_ip)
        nearest = hop_ip
    return str(nearest)


def request_meta(headers, client_host: str | None, trusted_proxies: Sequence[Network] = ()) -> RequestMeta:
    """The meta data of a request from the connection's peer ``client_host``."""
    # The id app.observe settled for this request, else the client's if well formed.
    request_id = REQUEST_ID.get() or well_formed_request_id(headers.get("x-request-id")) or new_request_id()
    return RequestMeta(
        request_id=request_id,
        client_address=client_address(headers, client_host, trusted_proxies),
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
        # Headers of the HTTP response (``Retry-After`` of a throttled login); the GraphQL
        # app puts the response's own in place.
        self.response_headers: MutableMapping[str, str] = {}
        self.connection_params: dict | None = None  # graphql-transport-ws connection_init payload
        self._actor: asyncio.Future | None = None
        # The permission gate's decision for each root field of the running operation.
        self.gate_decisions: dict[str, Exception | None] | None = None
        self.observed = Observed()

    @classmethod
    def for_request(cls, state: AppState, request, *, shared_reads: bool = True) -> RequestContext:
        """The context of an HTTP request or WebSocket: its meta data and bearer token."""
        client = request.client.host if request.client else None
        meta = request_meta(request.headers, client, state.settings.trusted_proxy_networks)
        context = cls(state, meta, bearer_token(request.headers.get("authorization")), shared_reads=shared_reads)
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
            actor = await with_grants(self.policy, actor, self.state.clock.now())
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
