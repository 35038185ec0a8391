"""Permission administration: inputs and payloads."""

from __future__ import annotations

from datetime import date

import strawberry

from resolvers.permissions.changes import Change
from schema.core.payload import UserError
from schema.permissions.types import PendingPolicyChange, PolicyChangeOp, PolicyRule, PolicyRuleType, PolicyVersion


@strawberry.input(description="A policy line to add or remove. 权限规则。")
class PolicyRuleInput:
    ptype: PolicyRuleType = strawberry.field(description="p or g. 规则类型。")
    values: list[str] = strawberry.field(
        description="p: [role, region, operation, action]; g: [role, inherited role, region] or [user:<id>, role, region, "
        "starts_on?, ends_on?]. 规则内容。"
    )


@strawberry.type(description="Result of a policy edit. 权限规则操作结果。")
class PolicyRulePayload:
    rule: PolicyRule | None = strawberry.field(description="The rule added or removed. 规则。")
    errors: list[UserError] = strawberry.field(description="Validation failures. 校验错误。")


@strawberry.input(description="Add or remove one line, as part of a change. 一项规则变更。")
class PolicyLineChangeInput:
    op: PolicyChangeOp = strawberry.field(description="Add or remove. 添加或删除。")
    ptype: PolicyRuleType = strawberry.field(description="p or g. 规则类型。")
    values: list[str] = strawberry.field(description="The line's values, as in PolicyRuleInput. 规则内容。")

    def change(self) -> Change:
        return Change(self.op.value, (self.ptype.value, *self.values))


@strawberry.input(description="Several lines changed at once: one transaction, one version, one audit event. 批量权限变更。")
class ApplyPolicyChangeInput:
    changes: list[PolicyLineChangeInput] = strawberry.field(description="The lines to add and remove. 变更内容。")
    comment: str = strawberry.field(description="Why (required). 变更说明。")


@strawberry.input(description="Grant a role to a person in a region, for a while or open-ended. 授予角色。")
class GrantRoleInput:
    user_id: strawberry.ID = strawberry.field(description="The person (a User). 用户。")
    role: str = strawberry.field(description="The role (its code, e.g. reviewer). 角色。")
    region_code: str = strawberry.field(description="The region (a city covers its counties). 行政区划代码。")
    starts_on: date | None = strawberry.field(default=None, description="First day (China date); today when left out. 开始日期。")
    ends_on: date | None = strawberry.field(default=None, description="Last day (China date): a temporary 代理 appointment. 结束日期。")
    comment: str | None = strawberry.field(default=None, description="Why. 说明。")


@strawberry.input(description="Take a granted role away from a person in a region. 撤销角色。")
class RevokeRoleInput:
    user_id: strawberry.ID = strawberry.field(description="The person (a User). 用户。")
    role: str = strawberry.field(description="The role. 角色。")
    region_code: str = strawberry.field(description="The region of the grant. 行政区划代码。")
    comment: str | None = strawberry.field(default=None, description="Why. 说明。")


@strawberry.input(description="Restore the lines of an earlier version, as a new version. 回滚权限策略。")
class RollbackPolicyInput:
    version: int = strawberry.field(description="The version to restore. 要恢复的版本。")
    comment: str = strawberry.field(description="Why (required). 说明。")


@strawberry.input(description="Replace the policy with a CSV file's lines, every line checked before anything applies. 导入权限策略。")
class ImportPolicyInput:
    csv: str = strawberry.field(description="Casbin CSV, one line per row (as exportPolicy writes it). CSV 内容。")
    comment: str = strawberry.field(description="Why (required). 说明。")


@strawberry.input(description="Decide a change waiting for a second administrator. 审批权限变更。")
class DecidePolicyChangeInput:
    id: strawberry.ID = strawberry.field(description="The pending change. 待审批变更。")
    comment: str | None = strawberry.field(default=None, description="Why. 意见。")


@strawberry.type(description="A policy change: applied as a new version, or waiting for a second administrator. 权限变更结果。")
class PolicyChangePayload:
    version: PolicyVersion | None = strawberry.field(description="The new version, when applied. 新版本。")
    pending: PendingPolicyChange | None = strawberry.field(description="The change waiting for approval (four-eyes rule). 待审批变更。")
    errors: list[UserError] = strawberry.field(description="Why nothing changed. 校验错误。")
