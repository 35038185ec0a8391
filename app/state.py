"""Long-lived services of one process: settings, database, policy engine, field cipher,
the cache of who is signed in, the clock."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from typing import Any

from app.db import Database
from app.settings import Settings
from policies.engine import PolicyEngine
from resolvers import load_domains
from resolvers.accounts.signed_in import SignedInCache
from resolvers.core.clock import Clock
from resolvers.security.crypto import FieldCipher
from resolvers.security.passwords import configure_hasher
from resolvers.security.storage import LocalStorage, Storage


@dataclass
class AppState:
    settings: Settings
    db: Database
    policy: PolicyEngine
    cipher: FieldCipher
    storage: Storage
    signed_in: SignedInCache
    broker: Any = None
    dispatcher: Any = None
    trusted: Any = None  # app.persisted.TrustedDocuments
    queries: Any = None  # where client-registered persisted queries are kept
    # The time units of work run at (tests move it forward).
    clock: Clock = field(default_factory=Clock)

    @classmethod
    def create(cls, settings: Settings) -> AppState:
        from app.broker import LocalBroker, RedisBroker
        from app.persisted import RedisQueryStore, TrustedDocuments
        from schema.core.documents import LocalQueryStore
        from workers.dispatch import ArqDispatcher, InProcessDispatcher

        load_domains()  # every domain's message codes, event types, reminder rules and encrypted columns
        configure_hasher(settings.password_hash_time_cost, settings.password_hash_memory_kib, settings.password_hash_parallelism)
        # Settings validation requires it to name a key of the ring (generated in development).
        assert settings.data_key_id is not None

        db = Database(settings)
        state = cls(
            settings=settings,
            db=db,
            policy=PolicyEngine(settings.policy_cache_seconds, sessions=db.read),
            cipher=FieldCipher(settings.key_ring, settings.data_key_id),
            storage=LocalStorage(settings.storage_dir),
            signed_in=SignedInCache(settings.sign_in_cache_seconds),
            broker=RedisBroker(settings.redis_url) if settings.redis_url else LocalBroker(),
        )
        state.dispatcher = ArqDispatcher(state) if settings.redis_url else InProcessDispatcher(state)
        state.trusted = TrustedDocuments(db, settings.trusted_documents_cache_seconds)
        state.queries = (
            RedisQueryStore(settings.redis_url, settings.persisted_query_ttl_seconds)
            if settings.redis_url
            else LocalQueryStore(settings.document_cache_size)
        )
        state.policy.on_change = partial(state.broker.announce, "policy")
        state.signed_in.on_change = partial(state.broker.announce, "sign-in")
        return state

    async def close(self) -> None:
        await self.policy.close()
        await self.dispatcher.close()
        await self.broker.close()
        if hasattr(self.queries, "close"):
            await self.queries.close()
        await self.db.dispose()
