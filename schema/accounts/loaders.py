"""DataLoaders of the accounts domain."""

from __future__ import annotations

import functools
from collections import defaultdict

from sqlalchemy import select

from models.accounts import ApiClient, Organisation, User, UserRole
from resolvers.accounts.auth import locked_until
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


def _sign_in_locked_until(ctx):
    async def batch(usernames):
        locks = await locked_until(ctx.reads, ctx.settings, ctx.state.clock.now(), usernames)
        return [locks.get(name) for name in usernames]

    return batch


loaders.register("sign_in_locked_until", _sign_in_locked_until)
