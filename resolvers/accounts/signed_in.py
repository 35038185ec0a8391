"""Who each access token speaks for, kept for a few seconds per process.

Every request with a token needs its actor: the user, their organisation's kind and region
and their roles, and whether the sign-in session still stands. Looking that up is one
statement per request, as much as the data of a small query. The cache keeps the answer
for ``sign_in_cache_seconds``. A transaction that writes the tables the answer comes from
(declared with ``resolvers.core.transaction.sign_in_reads``) clears it when it commits,
here and, through Redis, in every other server process; the time limit bounds what is
missed otherwise (a change made directly in the database, or several processes without
Redis).

A lookup that began before a change and ends after it could store what the change
undid: each entry is stored only if no change came in between (``generation``).
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from typing import Any

from models.accounts import ApiClient, AuthSession, Organisation, User, UserRole
from resolvers.core.transaction import sign_in_reads

MISSING: Any = object()

# What ``auth.load_actor`` reads. (Refresh tokens and sign-in failures are not among them.)
sign_in_reads(*(model.__tablename__ for model in (Organisation, User, UserRole, AuthSession, ApiClient)))


class SignedInCache:
    def __init__(self, seconds: float, maxsize: int = 10_000):
        self.seconds = seconds
        self.maxsize = maxsize
        self.generation = 0
        self.on_change: Callable[[], Awaitable[None]] | None = None  # tells other processes
        self._entries: OrderedDict[Hashable, tuple[float, Any]] = OrderedDict()

    def get(self, key: Hashable) -> Any:
        """The actor (or None: no longer signed in) kept for ``key``, or ``MISSING``."""
        entry = self._entries.get(key)
        if entry is None:
            return MISSING
        if entry[0] <= time.monotonic():
            self._entries.pop(key, None)
            return MISSING
        return entry[1]

    def put(self, key: Hashable, actor: Any, generation: int) -> None:
        """Keep ``actor`` for ``key`` if nothing changed since ``generation`` was read."""
        if self.seconds <= 0 or generation != self.generation:
            return
        self._entries[key] = (time.monotonic() + self.seconds, actor)
        self._entries.move_to_end(key)
        while len(self._entries) > self.maxsize:
            self._entries.popitem(last=False)

    def forget(self) -> None:
        """Drop every entry (a change was committed, here or in another process)."""
        self.generation += 1
        self._entries.clear()

    async def changed(self) -> None:
        """A change committed in this process: forget, and tell the other processes."""
        self.forget()
        if self.on_change is not None:
            await self.on_change()
