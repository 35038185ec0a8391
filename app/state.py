"""Long-lived services of one process: settings, database, policy engine, field cipher."""

from __future__ import annotations

from dataclasses import dataclass

from app.db import Database
from app.settings import Settings
from policies.engine import PolicyEngine
from resolvers.crypto import FieldCipher
from resolvers.storage import LocalStorage, Storage


@dataclass
class AppState:
    settings: Settings
    db: Database
    policy: PolicyEngine
    cipher: FieldCipher
    storage: Storage

    @classmethod
    def create(cls, settings: Settings) -> "AppState":
        return cls(
            settings=settings,
            db=Database(settings),
            policy=PolicyEngine(settings.policy_cache_seconds),
            cipher=FieldCipher(settings.key_ring, settings.data_key_id),
            storage=LocalStorage(settings.storage_dir),
        )

    async def close(self) -> None:
        await self.db.dispose()
