"""The live permission policy, readable and editable at run time: inputs, filters and payloads."""

from __future__ import annotations

import strawberry

from schema.core.payload import UserError
from schema.permissions.types import PolicyRule, PolicyRuleType


@strawberry.input(description="A policy line to add or remove. 权限规则。")
class PolicyRuleInput:
    ptype: PolicyRuleType = strawberry.field(description="p or g. 规则类型。")
    values: list[str] = strawberry.field(description="p: [role, region, operation, action]; g: [role, inherited role, region]. 规则内容。")


@strawberry.type(description="Result of a policy edit. 权限规则操作结果。")
class PolicyRulePayload:
    rule: PolicyRule | None = strawberry.field(description="The rule added or removed. 规则。")
    errors: list[UserError] = strawberry.field(description="Validation failures. 校验错误。")
