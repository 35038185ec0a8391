"""The gate in front of every root Query, Mutation and Subscription field.

Deny unless a policy line allows one of the actor's roles the operation in the actor's
region. Anonymous callers act as the role ``public``; everyone else also holds it.
"""

from __future__ import annotations

from policies.engine import ACTIONS
from resolvers.core.errors import Forbidden, Unauthenticated

PUBLIC_ROLE = "public"
PUBLIC_REGION = "000000"


async def authorize(ctx, parent_type: str, field_name: str) -> None:
    operation = f"{parent_type}.{field_name}"
    action = ACTIONS[parent_type]
    if ctx.policy.stale:
        async with ctx.db.read() as session:
            await ctx.policy.refresh(session)
    actor = await ctx.actor()
    if actor is None:
        if ctx.policy.allows([PUBLIC_ROLE], PUBLIC_REGION, operation, action):
            return
        raise Unauthenticated()
    needed_scope = "write" if action == "write" else "read"
    if needed_scope not in actor.scopes:
        raise Forbidden("READ_ONLY_CLIENT" if actor.read_only else "FORBIDDEN", operation=operation)
    if ctx.policy.allows(actor.roles | {PUBLIC_ROLE}, actor.region_code, operation, action):
        return
    raise Forbidden(operation=operation)
