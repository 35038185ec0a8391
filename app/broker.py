"""Messages between server processes: live notifications for subscriptions (published by
whoever delivers an event) and policy changes (announced by the process that made one).
Heard by every server process through Redis pub/sub, or within this process when Redis
is absent (a single process, which already applied its own change)."""

from __future__ import annotations

import asyncio
import json
import os
from collections import defaultdict
from collections.abc import AsyncIterator

CHANNEL = "smallworks:notifications:{user_id}"
POLICY_CHANNEL = "smallworks:policy"


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

    async def announce_policy_change(self) -> None:
        pass

    async def policy_changes(self) -> AsyncIterator[str]:
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

    async def announce_policy_change(self) -> None:
        await self.redis.publish(POLICY_CHANNEL, str(os.getpid()))

    async def policy_changes(self) -> AsyncIterator[str]:
        """The process ids of processes that changed the policy, as they announce it."""
        pubsub = self.redis.pubsub()
        await pubsub.subscribe(POLICY_CHANNEL)
        try:
            async for message in pubsub.listen():
                if message.get("type") == "message":
                    yield message["data"].decode() if isinstance(message["data"], bytes) else str(message["data"])
        finally:
            await pubsub.aclose()

    async def close(self) -> None:
        await self.redis.aclose()
