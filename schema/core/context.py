"""What a resolver may ask of ``info.context`` (``app.context.RequestContext`` provides it)."""

from __future__ import annotations

from collections.abc import MutableMapping
from contextlib import AbstractAsyncContextManager
from typing import TYPE_CHECKING, Any, Protocol

from strawberry.types import Info as StrawberryInfo

from policies.engine import PolicyEngine
from resolvers.core.context import Actor, RequestMeta, UnitOfWork
from resolvers.core.errors import Unauthenticated
from resolvers.security.crypto import FieldCipher

if TYPE_CHECKING:
    from schema.core.loaders import Loaders


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
