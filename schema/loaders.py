"""DataLoaders, created per request. Each batch opens its own short-lived read session and
filters by the same row-level scope as lists, so nested fields never show more."""

from __future__ import annotations

from collections import defaultdict

from aiodataloader import DataLoader
from sqlalchemy import select

from models.accounts import Organisation, User, UserRole
from models.audit import AuditEvent
from models.auth import ApiClient
from policies import scope


class Loaders:
    def __init__(self, ctx):
        self._ctx = ctx
        self.organisation = DataLoader(self._organisations)
        self.user = DataLoader(self._users)
        self.api_client = DataLoader(self._api_clients)
        self.audit_event = DataLoader(self._audit_events)
        self.roles_of_user = DataLoader(self._roles_of_users)

    async def _organisations(self, ids):
        return await self._by_id(Organisation, Organisation.id, scope.organisations, ids)

    async def _users(self, ids):
        return await self._by_id(User, User.id, scope.users, ids)

    async def _api_clients(self, ids):
        return await self._by_id(ApiClient, ApiClient.id, scope.api_clients, ids)

    async def _audit_events(self, ids):
        return await self._by_id(AuditEvent, AuditEvent.seq, scope.audit_events, ids)

    async def _by_id(self, model, pk_column, scope_fn, ids):
        actor = await self._ctx.actor()
        if actor is None:
            return [None] * len(ids)
        wanted = [int(i) for i in ids]
        async with self._ctx.db.read() as session:
            rows = (await session.execute(select(model).where(pk_column.in_(wanted), scope_fn(actor)))).scalars().all()
        found = {getattr(r, pk_column.key): r for r in rows}
        return [found.get(i) for i in wanted]

    async def _roles_of_users(self, user_ids):
        async with self._ctx.db.read() as session:
            rows = (await session.execute(select(UserRole.user_id, UserRole.role).where(UserRole.user_id.in_(list(user_ids))))).all()
        roles = defaultdict(list)
        for user_id, role in rows:
            roles[user_id].append(role)
        return [sorted(roles[i]) for i in user_ids]
