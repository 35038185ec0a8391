"""The live permission policy, readable and editable at run time."""

from __future__ import annotations

import enum

import strawberry
from sqlalchemy import select
from strawberry.types import Info

from models.permissions import CasbinRule
from resolvers.permissions import service as svc
from schema.core.base import UserError, run_mutation


@strawberry.enum(description="Kind of policy line. 规则类型。")
class PolicyRuleType(enum.Enum):
    P = "p"
    G = "g"


@strawberry.type(
    description=(
        "One line of the Casbin policy. `p`: role, region, operation, action. "
        "`g`: role, inherited role, region. 权限规则。"
    )
)
class PolicyRule:
    ptype: PolicyRuleType = strawberry.field(description="p (permission) or g (role inheritance). 规则类型。")
    values: list[str] = strawberry.field(description="The line's values in order. 规则内容。")

    @classmethod
    def of(cls, ptype: str, values) -> "PolicyRule":
        return cls(ptype=PolicyRuleType(ptype), values=list(values))


@strawberry.input(description="A policy line to add or remove. 权限规则。")
class PolicyRuleInput:
    ptype: PolicyRuleType = strawberry.field(description="p or g. 规则类型。")
    values: list[str] = strawberry.field(
        description="p: [role, region, operation, action]; g: [role, inherited role, region]. 规则内容。"
    )


@strawberry.type(description="Result of a policy edit. 权限规则操作结果。")
class PolicyRulePayload:
    rule: PolicyRule | None = strawberry.field(description="The rule added or removed. 规则。")
    errors: list[UserError] = strawberry.field(description="Validation failures. 校验错误。")


@strawberry.type
class PermissionsQuery:
    @strawberry.field(description="The live policy, optionally for one role or operation. 当前权限规则。")
    async def policy_rules(self, info: Info, role: str | None = None, operation: str | None = None) -> list[PolicyRule] | None:
        stmt = select(CasbinRule).order_by(CasbinRule.ptype, CasbinRule.v0, CasbinRule.v2, CasbinRule.id)
        if role:
            stmt = stmt.where(CasbinRule.v0 == role)
        if operation:
            stmt = stmt.where(CasbinRule.ptype == "p", CasbinRule.v2 == operation)
        async with info.context.db.read() as session:
            rows = (await session.execute(stmt)).scalars().all()
        return [PolicyRule.of(r.ptype, r.values()) for r in rows]


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
