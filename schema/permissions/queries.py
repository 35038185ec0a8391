"""The live permission policy, readable and editable at run time: root query fields."""

from __future__ import annotations

import strawberry

from resolvers.permissions import queries
from schema.core.context import Info
from schema.permissions.types import PolicyRule


@strawberry.type
class PermissionsQuery:
    @strawberry.field(description="The live policy, optionally for one role or operation. 当前权限规则。")
    async def policy_rules(self, info: Info, role: str | None = None, operation: str | None = None) -> list[PolicyRule] | None:
        async with info.context.read() as session:
            rows = await queries.policy_rules(session, role, operation)
        return [PolicyRule.of(r.ptype, r.values()) for r in rows]
