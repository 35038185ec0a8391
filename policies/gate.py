"""Every permission decision, behind one small interface:

- ``authorize``: may the caller run this root Query, Mutation or Subscription field?
- ``may_read_through``: may the caller fetch an object by ID (``node``)? Only if the policy
  lets them list its type, so a list's permission cannot be side-stepped item by item.
- ``sees_in_full``: may the viewer see a guarded field (phone, bank account) unmasked?
- ``may_run``: may the viewer run a root field? For showing, next to an object, what only
  those who may act on it should see (when an account is locked, to whoever may unlock it).

Deny unless a policy line allows one of the actor's roles the operation in the actor's
region. Anonymous callers act as the role ``public``; everyone else also holds it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from policies.engine import ACTIONS, PolicyEngine
from policies.errors import Forbidden, Unauthenticated
from policies.subject import Actor

PUBLIC_ROLE = "public"
PUBLIC_REGION = "000000"


class GateContext(Protocol):
    """What the gate needs of a request: the live policy and the caller."""

    @property
    def policy(self) -> PolicyEngine: ...

    async def actor(self) -> Actor | None: ...


def actor_allowed(policy: PolicyEngine, actor: Actor, operation: str, action: str) -> bool:
    """Whether a line allows the actor ``operation``: one of the roles of their organisation
    (or ``public``) in its region, or a role granted to them in force, in the grant's region."""
    home = (actor.home_roles if actor.home_roles is not None else actor.roles) | {PUBLIC_ROLE}
    if policy.allows(home, actor.region_code, operation, action):
        return True
    return any(policy.allows((role,), region, operation, action) for role, region in actor.grants)


async def _fresh_policy(ctx: GateContext) -> PolicyEngine:
    await ctx.policy.ready()
    return ctx.policy


async def authorize(ctx: GateContext, parent_type: str, field_name: str) -> None:
    """Raise ``Unauthenticated`` or ``Forbidden`` unless the caller may run the root field."""
    operation = f"{parent_type}.{field_name}"
    action = ACTIONS[parent_type]
    policy = await _fresh_policy(ctx)
    actor = await ctx.actor()
    if actor is None:
        if policy.allows([PUBLIC_ROLE], PUBLIC_REGION, operation, action):
            return
        raise Unauthenticated()
    needed_scope = "write" if action == "write" else "read"
    if needed_scope not in actor.scopes:
        raise Forbidden("READ_ONLY_CLIENT" if actor.read_only else "FORBIDDEN", operation=operation)
    if actor_allowed(policy, actor, operation, action):
        return
    raise Forbidden(operation=operation)


async def allows(ctx: GateContext, parent_type: str, field_name: str) -> bool:
    """Whether ``authorize`` would let the caller run the root field."""
    try:
        await authorize(ctx, parent_type, field_name)
    except (Forbidden, Unauthenticated):
        return False
    return True


async def may_read_through(ctx: GateContext, list_operations: Iterable[str]) -> bool:
    """Whether the caller may see objects of a type fetched by ID: signed in, and allowed
    at least one of the root lists of that type (a type no list shows is not guarded)."""
    actor = await ctx.actor()
    if actor is None:
        return False
    operations = list(list_operations)
    if not operations:
        return True
    policy = await _fresh_policy(ctx)
    return any(actor_allowed(policy, actor, operation, "read") for operation in operations)


# Fields shown masked unless a ``read_full`` line allows them (``Type.field``): each module
# names its own with ``guarded`` where it masks them, and the catalogue of operations lists them.
GUARDED_FIELDS: set[str] = set()


def guarded(field: str) -> str:
    """Declare ``field`` (``User.phone``) a guarded field; returns it."""
    GUARDED_FIELDS.add(field)
    return field


def sees_in_full(policy: PolicyEngine, viewer: Actor | None, guarded_field: str, *, own: bool) -> bool:
    """A guarded field is shown in full to its owner (``own``) and to roles with a
    ``read_full`` line for it (``User.phone``); everyone else sees it masked."""
    if own:
        return True
    return viewer is not None and actor_allowed(policy, viewer, guarded_field, "read_full")


def may_run(policy: PolicyEngine, viewer: Actor | None, parent_type: str, field_name: str) -> bool:
    """Whether ``viewer`` (signed in) may run the root field, as ``authorize`` decides it."""
    if viewer is None:
        return False
    action = ACTIONS[parent_type]
    if ("write" if action == "write" else "read") not in viewer.scopes:
        return False
    return actor_allowed(policy, viewer, f"{parent_type}.{field_name}", action)
