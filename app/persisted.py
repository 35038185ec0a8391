"""Where persisted queries live: texts clients registered by hash (Redis, shared by every
server process, when one is configured), and trusted documents (the database), read
through a short cache in each process."""

from __future__ import annotations

import time
from collections import OrderedDict

from sqlalchemy import select

from app.db import Database
from models.permissions import TrustedDocument

KEY = "smallworks:persisted-query:{digest}"


class RedisQueryStore:
    """Texts by hash in Redis, each kept ``ttl_seconds`` after it was last registered."""

    def __init__(self, url: str, ttl_seconds: int):
        from redis.asyncio import Redis

        self.redis = Redis.from_url(url)
        self.ttl_seconds = ttl_seconds

    async def get(self, digest: str) -> str | None:
        value = await self.redis.get(KEY.format(digest=digest))
        return value.decode() if isinstance(value, bytes) else value

    async def put(self, digest: str, text: str) -> None:
        await self.redis.set(KEY.format(digest=digest), text.encode(), ex=self.ttl_seconds)

    async def close(self) -> None:
        await self.redis.aclose()


class TrustedDocuments:
    """Registered documents by hash. What one lookup found, or did not find, holds for
    ``cache_seconds`` (or until ``forget``, when a change is announced), so a server
    neither reads the database per request nor misses a registration for long."""

    def __init__(self, db: Database, cache_seconds: float, maxsize: int = 10_000):
        self.db = db
        self.cache_seconds = cache_seconds
        self.maxsize = maxsize
        self._seen: OrderedDict[str, tuple[str | None, float]] = OrderedDict()

    async def get(self, digest: str) -> str | None:
        now = time.monotonic()
        seen = self._seen.get(digest)
        if seen is not None and now - seen[1] < self.cache_seconds:
            return seen[0]
        async with self.db.read() as session:
            text = await session.scalar(select(TrustedDocument.body).where(TrustedDocument.sha256 == digest))
        self._seen[digest] = (text, now)
        self._seen.move_to_end(digest)
        while len(self._seen) > self.maxsize:
            self._seen.popitem(last=False)
        return text

    def forget(self) -> None:
        self._seen.clear()
