"""Messages between server processes: live notifications for subscriptions (published by
whoever delivers an event) and announcements of changes that other processes' caches must
apply (the policy, who is signed in), by the process that made them. Heard by every
server process through Redis pub/sub, or within this process when Redis is absent (a
single process, which already applied its own change)."""

from __future__ import annotations

import asyncio
import json
import os
import socket
from collections import defaultdict
from collections.abc import AsyncIterator

CHANNEL = "smallworks:notifications:{user_id}"
ANNOUNCEMENTS = "smallworks:changed:{topic}"  # topics: policy, sign-in


def sender() -> str:
    """This process among every server process of every host (asked each time: a forked
    worker is another process)."""
    return f"{socket.gethostname()}:{os.getpid()}"


class LocalBroker:
    def __init__(self) -> None:
        self._queues: dict[int, set[asyncio.Queue]] = defaultdict(set)

    async def publish(self, user_id: int, message: dict) -> None:
        for queue in list(self._queues.get(user_id, ())):
            queue.put_nowait(message)

    async def subscribe(self, user_id: int) -> AsyncIterator[dict]:
        queue: asyncio.Queue = asyncio.Queue()
        self._queues[user_id].add(queue)
        try:
            while True:
                yield await queue.get()
        finally:
            self._queues[user_id].discard(queue)

    async def announce(self, topic: str) -> None:
        pass

    async def announcements(self, topic: str) -> AsyncIterator[str]:
        """Nothing to hear: in one process the change is applied where it is made."""
        await asyncio.Event().wait()
        yield ""

    async def close(self) -> None:
        pass


class RedisBroker:
    def __init__(self, url: str) -> None:
        from redis.asyncio import Redis

        self.redis = Redis.from_url(url)

    async def publish(self, user_id: int, message: dict) -> None:
        await self.redis.publish(CHANNEL.format(user_id=user_id), json.dumps(message, ensure_ascii=False))

    async def subscribe(self, user_id: int) -> AsyncIterator[dict]:
        pubsub = self.redis.pubsub()
        await pubsub.subscribe(CHANNEL.format(user_id=user_id))
        try:
            async for message in pubsub.listen():
                if message.get("type") == "message":
                    yield json.loads(message["data"])
        finally:
            await pubsub.aclose()

    async def announce(self, topic: str) -> None:
        await self.redis.publish(ANNOUNCEMENTS.format(topic=topic), sender())

    async def announcements(self, topic: str) -> AsyncIterator[str]:
        """Who changed ``topic`` (``sender()`` of that process), as they announce it."""
        pubsub = self.redis.pubsub()
        await pubsub.subscribe(ANNOUNCEMENTS.format(topic=topic))
        try:
            async for message in pubsub.listen():
                if message.get("type") == "message":
                    yield message["data"].decode() if isinstance(message["data"], bytes) else str(message["data"])
        finally:
            await pubsub.aclose()

    async def close(self) -> None:
        await self.redis.aclose()
