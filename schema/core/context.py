"""What a resolver may ask of ``info.context`` (``app.context.RequestContext`` provides it)."""

from __future__ import annotations

from collections.abc import Iterable, MutableMapping
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from itertools import islice
from typing import TYPE_CHECKING, Any, Protocol

from strawberry.types import Info as StrawberryInfo

from policies.engine import PolicyEngine
from resolvers.core.context import Actor, RequestMeta, UnitOfWork
from resolvers.core.errors import Unauthenticated
from resolvers.security.crypto import FieldCipher

if TYPE_CHECKING:
    from schema.core.loaders import Loaders


@dataclass
class Observed:
    """What a request's GraphQL execution did, for its log line, metrics and trace span
    (``app.observe`` reads it): the operations that ran, as (type, name or None), noted only
    for a document that validated; the codes of the errors answered, and of the user
    errors in mutation payloads."""

    operations: list[tuple[str, str | None]] = field(default_factory=list)
    error_codes: list[str] = field(default_factory=list)
    user_error_codes: list[str] = field(default_factory=list)

    # A WebSocket's context lives as long as the connection: what it notes is bounded.
    LIMIT = 100

    def ran(self, operation_type: str, name: str | None) -> None:
        if len(self.operations) < self.LIMIT:
            self.operations.append((operation_type, name))

    def answered(self, codes: Iterable[str]) -> None:
        self.error_codes.extend(islice(codes, max(0, self.LIMIT - len(self.error_codes))))

    def refused(self, codes: Iterable[str]) -> None:
        self.user_error_codes.extend(islice(codes, max(0, self.LIMIT - len(self.user_error_codes))))


class Context(Protocol):
    """The request context: who asks (``actor``), in which language (``meta``), the
    request's DataLoaders, units of work for mutations, and the process's services."""

    @property
    def settings(self) -> Any: ...

    @property
    def state(self) -> Any: ...

    @property
    def db(self) -> Any: ...

    @property
    def policy(self) -> PolicyEngine: ...

    @property
    def cipher(self) -> FieldCipher: ...

    @property
    def meta(self) -> RequestMeta: ...

    @property
    def response_headers(self) -> MutableMapping[str, str]:
        """Headers to send with the HTTP response (none over a WebSocket)."""
        ...

    @property
    def loaders(self) -> Loaders: ...

    @property
    def observed(self) -> Observed:
        """What ran and what was answered, for the request's log line and metrics."""
        ...

    async def actor(self) -> Actor | None: ...

    @property
    def reads(self) -> Any:
        """The request's read connection: ``await ctx.reads.execute(statement)``."""
        ...

    def read(self) -> AbstractAsyncContextManager[Any]:
        """An ORM session on the request's one read connection (shared by its loaders)."""
        ...

    def unit_of_work(self, operation: str) -> AbstractAsyncContextManager[UnitOfWork]: ...


Info = StrawberryInfo[Context, Any]


async def signed_in_actor(ctx: Context) -> Actor:
    """The caller of a field that is for signed-in callers only. The permission gate lets an
    anonymous caller through only where a policy line opens the field to ``public``; such a
    caller gets the answer the gate gives anonymous callers everywhere else."""
    actor = await ctx.actor()
    if actor is None:
        raise Unauthenticated()
    return actor
