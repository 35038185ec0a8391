"""What the viewer may do to an object now, for ``availableActions`` and ``viewerCan…``
fields. A domain's service says which actions its row rules and lifecycle allow the actor
(the same predicates its mutations apply) and which root mutation performs each; this
keeps those the gate allows too. Every module's objects report their actions this way."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from policies.gate import allows
from policies.subject import Actor
from schema.core.context import Info


async def viewer_actions(info: Info, rules: Callable[[Actor], Iterable[str]], mutations: Mapping[str, str]) -> list[str]:
    """``rules(actor)``, in its order, keeping each action whose mutation (``mutations``)
    the gate lets the viewer run; nothing for an anonymous viewer."""
    actor = await info.context.actor()
    if actor is None:
        return []
    return [name for name in rules(actor) if await allows(info.context, "Mutation", mutations[name])]
