"""The live permission policy, readable and editable at run time: GraphQL types."""

from __future__ import annotations

import enum

import strawberry

from schema.core.context import Info
from schema.core.fields import labels_in_request


@strawberry.enum(description="Kind of policy line. 规则类型。")
class PolicyRuleType(enum.Enum):
    P = "p"
    G = "g"


@strawberry.type(
    description=("One line of the Casbin policy. `p`: role, region, operation, action. `g`: role, inherited role, region. 权限规则。")
)
class PolicyRule:
    ptype: PolicyRuleType = strawberry.field(description="p (permission) or g (role inheritance). 规则类型。")

    @strawberry.field(description="Kind of line, in the request's language. 规则类型名称。")
    def ptype_label(self, info: Info) -> str:
        return labels_in_request(info, "PolicyRuleType", [self.ptype.value])[0]

    values: list[str] = strawberry.field(description="The line's values in order. 规则内容。")

    @classmethod
    def of(cls, ptype: str, values) -> PolicyRule:
        return cls(ptype=PolicyRuleType(ptype), values=list(values))
