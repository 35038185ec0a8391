"""The live permission policy, readable and editable at run time: root mutation fields."""

from __future__ import annotations

import strawberry

from resolvers.permissions import service as svc
from schema.core.context import Info
from schema.core.payload import run_mutation
from schema.permissions.inputs import PolicyRuleInput, PolicyRulePayload
from schema.permissions.types import PolicyRule


@strawberry.type
class PermissionsMutation:
    @strawberry.mutation(description="Add a policy line; effective at once. 添加权限规则。")
    async def add_policy_rule(self, info: Info, input: PolicyRuleInput) -> PolicyRulePayload | None:
        row, errors = await run_mutation(info, svc.add_rule, input.ptype.value, input.values)
        return PolicyRulePayload(rule=PolicyRule.of(row.ptype, row.values()) if row else None, errors=errors)

    @strawberry.mutation(description="Remove a policy line; effective at once. 删除权限规则。")
    async def remove_policy_rule(self, info: Info, input: PolicyRuleInput) -> PolicyRulePayload | None:
        rule, errors = await run_mutation(info, svc.remove_rule, input.ptype.value, input.values)
        return PolicyRulePayload(rule=PolicyRule.of(rule.ptype, rule.values) if rule else None, errors=errors)
