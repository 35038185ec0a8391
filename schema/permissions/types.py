"""Permission administration: GraphQL types (policy lines, the catalogue of operations, role
assignments, explanations, previews, versions and pending changes)."""

from __future__ import annotations

import enum
import json
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import strawberry

from models import permissions as tables
from models.permissions import PENDING_STATUSES, POLICY_VERSION_KINDS
from resolvers.core.i18n import label as label_of
from resolvers.permissions import pending
from resolvers.permissions.explain import Effect, Explanation
from resolvers.permissions.grants import Assignment
from schema.core import loaders
from schema.core.context import Info
from schema.core.fields import column, enum_of, label, labels_in_request
from schema.core.node import Node, register_node, to_global_id
from schema.core.payload import UserError

if TYPE_CHECKING:

    class PolicyVersionKind(enum.Enum): ...

    class PendingPolicyChangeStatus(enum.Enum): ...

    class PendingPolicyChangeAction(enum.Enum): ...

    class PolicyVersionAction(enum.Enum): ...

else:
    PolicyVersionKind = enum_of("PolicyVersionKind", POLICY_VERSION_KINDS, "How a policy version came about. 权限策略版本类型。")
    PendingPolicyChangeStatus = enum_of(
        "PendingPolicyChangeStatus", PENDING_STATUSES, "Where a change waiting for a second administrator stands. 待审批变更状态。"
    )
    PendingPolicyChangeAction = enum_of(
        "PendingPolicyChangeAction", tuple(pending.PENDING_ACTIONS), "Something the viewer may do to a pending change now. 可执行操作。"
    )
    PolicyVersionAction = enum_of("PolicyVersionAction", ("rollback",), "Something the viewer may do to a version now. 可执行操作。")

loaders.by_id("policy_version", tables.PolicyVersion)
loaders.by_id("pending_policy_change", tables.PendingPolicyChange)


@strawberry.enum(description="Kind of policy line. 规则类型。")
class PolicyRuleType(enum.Enum):
    P = "p"
    G = "g"


@strawberry.enum(description="Add or remove a line. 添加或删除。")
class PolicyChangeOp(enum.Enum):
    ADD = "add"
    REMOVE = "remove"


@strawberry.type(
    description=(
        "One line of the Casbin policy. `p`: role, region, operation, action. `g`: role, inherited role, region; or a role "
        "granted to a person: user:<id>, role, region, and optionally the first and last day (YYYY-MM-DD). 权限规则。"
    )
)
class PolicyRule:
    ptype: PolicyRuleType = strawberry.field(description="p (permission) or g (role inheritance or grant). 规则类型。")

    @strawberry.field(description="Kind of line, in the request's language. 规则类型名称。")
    def ptype_label(self, info: Info) -> str:
        return labels_in_request(info, "PolicyRuleType", [self.ptype.value])[0]

    values: list[str] = strawberry.field(description="The line's values in order. 规则内容。")

    @classmethod
    def of(cls, ptype: str, values: Any) -> PolicyRule:
        return cls(ptype=PolicyRuleType(ptype), values=list(values))

    @classmethod
    def of_line(cls, line: Any) -> PolicyRule:
        return cls.of(line[0], line[1:])


@strawberry.type(description="A line to add or remove. 规则变更。")
class PolicyLineChange:
    op: PolicyChangeOp = strawberry.field(description="Add or remove. 添加或删除。")
    rule: PolicyRule = strawberry.field(description="The line. 规则。")

    @strawberry.field(description="Add or remove, in the request's language. 操作名称。")
    def op_label(self, info: Info) -> str:
        return labels_in_request(info, "PolicyChangeOp", [self.op.value])[0]

    @classmethod
    def of(cls, op: str, line: Any) -> PolicyLineChange:
        return cls(op=PolicyChangeOp(op), rule=PolicyRule.of_line(line))


@strawberry.type(description="An operation a policy line can allow: a root field or a guarded field. 可授权的操作。")
class PolicyOperation:
    name: str = strawberry.field(description="`Query.projects`, `Mutation.approveProject`, `User.phone`. 操作名称。")
    action: str = strawberry.field(description="read, write, subscribe or read_full (a guarded field unmasked). 动作。")
    module: str = strawberry.field(description="The module (domain) that defines it. 所属模块。")
    description_en: str = strawberry.field(description="What it does, in English. 英文说明。")
    description_zh: str = strawberry.field(description="What it does, in Chinese. 中文说明。")
    lines: list[PolicyRule] = strawberry.field(
        description="The permission lines that allow it (directly or as `Type.*`). 允许该操作的规则。"
    )

    @strawberry.field(description="What it does, in the request's language. 说明。")
    def description(self, info: Info) -> str:
        zh = info.context.meta.locale != "en"
        return (self.description_zh if zh else self.description_en) or self.description_en or self.description_zh

    @strawberry.field(description="No line allows it: nobody may run it. 无人可执行。")
    def dead(self) -> bool:
        return not self.lines


def _role_label(root: RoleAssignment, info: Info) -> str:
    return label_of("Role", root.role, info.context.meta.locale)


@strawberry.type(description="A role a person holds in a region: through their organisation, or granted to them. 角色分配。")
class RoleAssignment:
    user_id: strawberry.ID = strawberry.field(description="The person's user ID (global). 用户ID。")
    username: str = strawberry.field(description="Sign-in name. 登录名。")
    display_name: str = strawberry.field(description="Name. 姓名。")
    role: str = strawberry.field(description="The role (its code). 角色。")
    role_label: str = strawberry.field(resolver=_role_label, description="The role, in the request's language. 角色名称。")
    region_code: str = strawberry.field(description="The region it covers (a city covers its counties). 行政区划代码。")
    granted: bool = strawberry.field(
        description="Granted to the person (a `g, user:<id>, …` line), not held through their organisation. 是否单独授权。"
    )
    starts_on: date | None = strawberry.field(description="First day of a grant (China date), if it has one. 开始日期。")
    ends_on: date | None = strawberry.field(
        description="Last day of a grant (China date), if it has one (a temporary 代理 appointment). 结束日期。"
    )
    in_force: bool = strawberry.field(description="Whether it is in force today. 当前是否有效。")

    @classmethod
    def of(cls, found: Assignment) -> RoleAssignment:
        grant = found.grant
        return cls(
            user_id=strawberry.ID(to_global_id("User", found.user_id)),
            username=found.username,
            display_name=found.display_name,
            role=found.role,
            region_code=found.region,
            granted=grant is not None,
            starts_on=grant.starts_on if grant else None,
            ends_on=grant.ends_on if grant else None,
            in_force=found.in_force,
        )


@strawberry.type(description="One step of why a person may run an operation. 授权链中的一步。")
class PermissionStep:
    kind: str = strawberry.field(description="home_role, grant, inherits or line. 步骤类型。")
    role: str = strawberry.field(description="The role at this step. 角色。")
    region_code: str = strawberry.field(description="The region at this step (`*`: everywhere). 行政区划代码。")
    rule: PolicyRule | None = strawberry.field(description="The policy line of this step, if it is one. 规则。")

    @strawberry.field(description="The kind, in the request's language. 步骤类型名称。")
    def kind_label(self, info: Info) -> str:
        return label_of("PermissionStepKind", self.kind, info.context.meta.locale)


@strawberry.type(description="Whether a person may run an operation, and why (not). 权限解释。")
class PermissionExplanation:
    allowed: bool = strawberry.field(description="Allowed or denied. 是否允许。")
    operation: str = strawberry.field(description="The operation. 操作。")
    action: str = strawberry.field(description="Its action. 动作。")
    region_code: str | None = strawberry.field(description="The region asked about (null: anywhere). 行政区划代码。")
    steps: list[PermissionStep] = strawberry.field(
        description="When allowed: the role they hold (through their organisation or a grant), the role lines followed, the line "
        "that allows it. 授权链。"
    )
    nearest_rule: PolicyRule | None = strawberry.field(description="When denied: the line nearest to allowing it. 最接近的规则。")
    fix: PolicyLineChange | None = strawberry.field(
        description="When denied: a change that would allow it (preview it with previewPolicyChange). 建议的变更。"
    )
    reason: str | None = strawberry.field(description="When denied: role_missing, other_region or no_line. 拒绝原因。")
    errors: list[UserError] = strawberry.field(description="Why it could not be answered (an unknown operation…). 错误。")

    @strawberry.field(description="The reason, in the request's language. 拒绝原因说明。")
    def reason_label(self, info: Info) -> str | None:
        return None if self.reason is None else label_of("PermissionDenialReason", self.reason, info.context.meta.locale)

    @classmethod
    def of(cls, found: Explanation) -> PermissionExplanation:
        steps: list[PermissionStep] = []
        if found.allowed and found.place is not None and found.allowance is not None:
            allowance, place = found.allowance, found.place
            kind = "grant" if place.grant is not None else "home_role"
            grant_line = None
            if place.grant is not None:
                g = place.grant
                dates = [g.starts_on.isoformat() if g.starts_on else "", g.ends_on.isoformat() if g.ends_on else ""]
                while dates and not dates[-1]:
                    dates.pop()
                grant_line = PolicyRule.of("g", [f"user:{g.user_id}", g.role, g.region, *dates])
            steps.append(PermissionStep(kind=kind, role=allowance.role, region_code=place.region, rule=grant_line))
            steps += [
                PermissionStep(kind="inherits", role=s.inherited, region_code=s.line[3], rule=PolicyRule.of_line(s.line))
                for s in allowance.steps
            ]
            line = allowance.line
            steps.append(PermissionStep(kind="line", role=line[1], region_code=line[2], rule=PolicyRule.of_line(line)))
        return cls(
            allowed=found.allowed,
            operation=found.operation,
            action=found.action,
            region_code=found.region,
            steps=steps,
            nearest_rule=PolicyRule.of_line(found.nearest) if found.nearest else None,
            fix=PolicyLineChange.of(found.fix.op, found.fix.line) if found.fix else None,
            reason=found.reason.lower() or None if not found.allowed else None,
            errors=[],
        )


@strawberry.type(description="A person who would gain or lose an operation where they act. 权限变化。")
class PermissionEffect:
    user_id: strawberry.ID = strawberry.field(description="The person's user ID (global). 用户ID。")
    username: str = strawberry.field(description="Sign-in name. 登录名。")
    display_name: str = strawberry.field(description="Name. 姓名。")
    operation: str = strawberry.field(description="The operation. 操作。")
    region_code: str = strawberry.field(description="Where they act for it: their organisation's region, or a grant's. 行政区划代码。")

    @classmethod
    def of(cls, effect: Effect) -> PermissionEffect:
        person = effect.person
        return cls(
            user_id=strawberry.ID(to_global_id("User", person.id)),
            username=person.username,
            display_name=person.display_name,
            operation=effect.operation,
            region_code=effect.region,
        )


@strawberry.type(description="What a policy change would do, before anything is saved. 变更预览。")
class PolicyChangePreview:
    added: list[PolicyRule] = strawberry.field(description="Lines it adds. 新增规则。")
    removed: list[PolicyRule] = strawberry.field(description="Lines it removes. 删除规则。")
    gains: list[PermissionEffect] = strawberry.field(description="Who would gain which operation where. 获得权限。")
    losses: list[PermissionEffect] = strawberry.field(description="Who would lose which operation where. 失去权限。")
    refusals: list[UserError] = strawberry.field(
        description="What the guards would refuse on applying it (LAST_POLICY_ADMIN, PUBLIC_LOGIN_REQUIRED). 将被拒绝的原因。"
    )
    errors: list[UserError] = strawberry.field(description="Lines that are wrong (nothing previewed then). 校验错误。")


@register_node("policy_version")
@strawberry.type(description="A numbered version of the policy: who made it, when, why, and what it changed. 权限策略版本。")
class PolicyVersion(Node):
    row: strawberry.Private[tables.PolicyVersion]
    pk_attribute = "number"

    number: int = column("number", "The version number. 版本号。")
    kind: PolicyVersionKind = column("kind", "How it came about. 版本类型。", PolicyVersionKind)
    kind_label: str = label("kind", "PolicyVersionKind", "How it came about, in the request's language. 版本类型名称。")
    created_at: datetime = column("created_at", "When (UTC). 时间。")
    author_name: str = column("author_name", "Who made it. 变更人。")
    approved_by_name: str | None = column("approved_by_name", "Who approved it (four-eyes), if anyone. 审批人。")
    comment: str = column("comment", "Why. 变更说明。")
    restores: int | None = column("restores", "The version a rollback restored. 回滚到的版本。")

    @strawberry.field(description="Lines it added. 新增规则。")
    def added(self) -> list[PolicyRule]:
        return [PolicyRule.of_line(line) for line in json.loads(self.row.added)]

    @strawberry.field(description="Lines it removed. 删除规则。")
    def removed(self) -> list[PolicyRule]:
        return [PolicyRule.of_line(line) for line in json.loads(self.row.removed)]

    @strawberry.field(description="How many lines the policy held at this version. 规则总数。")
    def line_count(self) -> int:
        return len(json.loads(self.row.lines))

    @strawberry.field(description="Whether this is the version in force. 是否当前版本。")
    async def current(self, info: Info) -> bool:
        return self.row.number == info.context.policy.version

    @strawberry.field(description="What the viewer may do to this version now. 可执行操作。")
    async def available_actions(self, info: Info) -> list[PolicyVersionAction]:
        return [PolicyVersionAction(a) for a in await _version_actions(info, self.row)]

    @strawberry.field(description="The labels of `availableActions`, in order. 可执行操作名称。")
    async def available_action_labels(self, info: Info) -> list[str]:
        return labels_in_request(info, "PolicyVersionAction", await _version_actions(info, self.row))


async def _version_actions(info: Info, row: tables.PolicyVersion) -> list[str]:
    from schema.core.actions import viewer_actions

    current = info.context.policy.version
    return await viewer_actions(info, lambda actor: ["rollback"] if row.number != current else [], {"rollback": "rollbackPolicy"})


@register_node("pending_policy_change")
@strawberry.type(description="A policy change waiting for a second policy administrator (四眼原则). 待审批的权限变更。")
class PendingPolicyChange(Node):
    row: strawberry.Private[tables.PendingPolicyChange]

    kind: PolicyVersionKind = column("kind", "What kind of change. 变更类型。", PolicyVersionKind)
    kind_label: str = label("kind", "PolicyVersionKind", "The kind, in the request's language. 变更类型名称。")
    created_at: datetime = column("created_at", "When proposed (UTC). 提出时间。")
    expires_at: datetime = column("expires_at", "When it lapses unless decided (UTC). 过期时间。")
    author_name: str = column("author_name", "Who proposed it. 提出人。")
    comment: str = column("comment", "Why. 变更说明。")
    restores: int | None = column("restores", "For a rollback: the version it restores. 回滚到的版本。")
    base_version: int = column("base_version", "The policy version it was proposed against. 提出时的版本。")
    decided_by_name: str | None = column("decided_by_name", "Who decided it. 审批人。")
    decided_at: datetime | None = column("decided_at", "When decided (UTC). 审批时间。")
    decision_comment: str | None = column("decision_comment", "The decision's comment. 审批意见。")
    applied_version: int | None = column("applied_version", "The version it became, once approved. 生效版本。")

    @strawberry.field(description="Where it stands now (a pending change past its time has expired). 状态。")
    def status(self, info: Info) -> PendingPolicyChangeStatus:
        return PendingPolicyChangeStatus(pending.status_of(self.row, info.context.state.clock.now()))

    @strawberry.field(description="The status, in the request's language. 状态名称。")
    def status_label(self, info: Info) -> str:
        return label_of("PendingPolicyChangeStatus", pending.status_of(self.row, info.context.state.clock.now()), info.context.meta.locale)

    @strawberry.field(description="The lines it adds and removes. 变更内容。")
    def changes(self) -> list[PolicyLineChange]:
        return [PolicyLineChange.of(c.op, c.line) for c in pending.changes_of(self.row)]

    @strawberry.field(description="What the viewer may do to it now. 可执行操作。")
    async def available_actions(self, info: Info) -> list[PendingPolicyChangeAction]:
        return [PendingPolicyChangeAction(a) for a in await _pending_actions(info, self.row)]

    @strawberry.field(description="The labels of `availableActions`, in order. 可执行操作名称。")
    async def available_action_labels(self, info: Info) -> list[str]:
        return labels_in_request(info, "PendingPolicyChangeAction", await _pending_actions(info, self.row))


async def _pending_actions(info: Info, row: tables.PendingPolicyChange) -> list[str]:
    from schema.core.actions import viewer_actions

    now = info.context.state.clock.now()
    return await viewer_actions(info, lambda actor: pending.actions(actor, row, now), pending.PENDING_ACTIONS)
