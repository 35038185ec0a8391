"""The events of permission administration and the text of their notifications."""

from __future__ import annotations

from resolvers.core.i18n import register_labels
from resolvers.core.outbox import declare_events

declare_events(
    "permissions",
    {
        "policy.changed": (
            "权限策略已更新至第 {number} 版",
            "Policy version {number}",
            "{author}：{kind}，新增 {added} 条、删除 {removed} 条规则。说明：{comment}",
            "{author}: {kind}, {added} lines added and {removed} removed. Comment: {comment}",
        ),
        "role.granted": (
            "您被授予角色：{role}（{region}）",
            "Role granted to you: {role} ({region})",
            "{by} 授予您 {region} 的 {role} 角色，起止日期：{starts_on} 至 {ends_on}（空白表示不限）。",
            "{by} granted you {role} in {region}, from {starts_on} to {ends_on} (blank: open).",
        ),
        "role.revoked": (
            "您的角色已撤销：{role}（{region}）",
            "Role revoked: {role} ({region})",
            "{by} 撤销了您在 {region} 的 {role} 角色。",
            "{by} revoked your role {role} in {region}.",
        ),
        "policy_change.proposed": (
            "权限变更待审批",
            "Policy change awaiting approval",
            "{author} 提出了权限变更（{kind}，{changes} 项），需要另一位权限管理员审批。说明：{comment}",
            "{author} proposed a policy change ({kind}, {changes} lines) that another policy administrator must approve. Comment: {comment}",
        ),
        "policy_change.decided": (
            "您的权限变更已处理：{decision}",
            "Your policy change: {decision}",
            "{by} 处理了您提出的权限变更：{decision}。意见：{comment}",
            "{by} decided your policy change: {decision}. Comment: {comment}",
        ),
    },
    labels={"kind": "PolicyVersionKind", "role": "Role", "decision": "PendingPolicyChangeStatus"},
)
register_labels(
    "EventType",
    {
        "policy.changed": ("权限策略更新", "Policy changed"),
        "role.granted": ("角色授予", "Role granted"),
        "role.revoked": ("角色撤销", "Role revoked"),
        "policy_change.proposed": ("权限变更待审批", "Policy change proposed"),
        "policy_change.decided": ("权限变更已处理", "Policy change decided"),
    },
)
