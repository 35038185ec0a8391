"""DataLoaders of the accounts domain."""

from __future__ import annotations

import functools
from collections import defaultdict

from sqlalchemy import select

from models.accounts import ApiClient, Organisation, User, UserRole
from schema.core import loaders

loaders.by_id("organisation", Organisation)
loaders.by_id("user", User)
loaders.by_id("api_client", ApiClient)


@functools.lru_cache(maxsize=4)
def _roles_statement(dialect: str):
    return select(UserRole.user_id, UserRole.role).where(loaders.keys_in(dialect, UserRole.user_id))


def _roles_of_users(ctx):
    async def batch(user_ids):
        rows = await ctx.reads.all(_roles_statement(ctx.db.dialect), {loaders.KEYS: list(user_ids)})
        roles = defaultdict(list)
        for user_id, role in rows:
            roles[user_id].append(role)
        return [sorted(roles[i]) for i in user_ids]

    return batch


loaders.register("roles_of_user", _roles_of_users)
