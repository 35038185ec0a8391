"""The live permission policy, readable and editable at run time: GraphQL types."""

from __future__ import annotations

import enum

import strawberry


@strawberry.enum(description="Kind of policy line. 规则类型。")
class PolicyRuleType(enum.Enum):
    P = "p"
    G = "g"


@strawberry.type(
    description=("One line of the Casbin policy. `p`: role, region, operation, action. `g`: role, inherited role, region. 权限规则。")
)
class PolicyRule:
    ptype: PolicyRuleType = strawberry.field(description="p (permission) or g (role inheritance). 规则类型。")
    values: list[str] = strawberry.field(description="The line's values in order. 规则内容。")

    @classmethod
    def of(cls, ptype: str, values) -> PolicyRule:
        return cls(ptype=PolicyRuleType(ptype), values=list(values))
