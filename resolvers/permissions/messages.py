"""Permission administration: messages by code, in zh-CN and en."""

from __future__ import annotations

from resolvers.core.i18n import register, register_labels

register(
    "permissions",
    {
        "INVALID_POLICY_RULE": ("权限规则无效：{reason}", "Invalid policy rule: {reason}"),
        "POLICY_RULE_EXISTS": ("该权限规则已存在。", "That policy rule already exists."),
        "POLICY_RULE_NOT_FOUND": ("该权限规则不存在。", "That policy rule does not exist."),
        "UNKNOWN_ROLE_SUGGESTED": ("未知角色“{value}”，是否应为“{suggestion}”？", "Unknown role “{value}”; did you mean “{suggestion}”?"),
        "UNKNOWN_REGION": ("未知行政区划代码“{value}”。", "Unknown region code “{value}”."),
        "UNKNOWN_REGION_SUGGESTED": (
            "未知行政区划代码“{value}”，是否应为“{suggestion}”？",
            "Unknown region code “{value}”; did you mean “{suggestion}”?",
        ),
        "UNKNOWN_OPERATION": ("未知操作“{value}”。", "Unknown operation “{value}”."),
        "UNKNOWN_OPERATION_SUGGESTED": (
            "未知操作“{value}”，是否应为“{suggestion}”？",
            "Unknown operation “{value}”; did you mean “{suggestion}”?",
        ),
        "ACTION_MISMATCH": ("{operation} 的动作应为 {action}。", "The action of {operation} is {action}."),
        "UNKNOWN_USER": ("用户“{value}”不存在或已停用。", "User “{value}” does not exist or is not active."),
        "SELF_GRANT": ("不能为自己授予或撤销角色。", "You cannot grant a role to yourself, or revoke one of yours."),
        "INVALID_GRANT_DATE": ("日期“{value}”无效，应为 YYYY-MM-DD。", "“{value}” is not a date (YYYY-MM-DD)."),
        "GRANT_ENDS_BEFORE_IT_STARTS": ("授权的结束日期早于开始日期。", "The grant ends before it starts."),
        "GRANT_NOT_FOUND": ("该用户在该地区没有被授予此角色。", "The person holds no grant of that role in that region."),
        "LAST_POLICY_ADMIN": (
            "该变更将使所有在职用户都无法再编辑权限策略。",
            "This change would leave no active user able to edit the policy.",
        ),
        "PUBLIC_LOGIN_REQUIRED": (
            "该变更将使公众（public）无法登录（Mutation.login）。",
            "This change would stop the public from signing in (Mutation.login).",
        ),
        "POLICY_CHANGE_EMPTY": ("该变更不改变任何规则。", "The change changes no line."),
        "POLICY_CHANGE_DUPLICATE": ("同一规则在本次变更中出现了两次。", "The same line appears twice in the change."),
        "POLICY_VERSION_NOT_FOUND": ("权限策略版本 {version} 不存在。", "Policy version {version} does not exist."),
        "PENDING_CHANGE_NOT_FOUND": ("待审批的权限变更不存在。", "No such pending policy change."),
        "PENDING_CHANGE_EXPIRED": ("该权限变更已过期。", "The pending change has lapsed."),
        "PENDING_CHANGE_DECIDED": ("该权限变更已处理（{status}）。", "The change was already decided ({status})."),
        "OWN_CHANGE_APPROVAL": ("不能审批自己提出的权限变更。", "You cannot decide a change you proposed."),
        "NOT_YOUR_CHANGE": ("只有提出人可以撤回该变更。", "Only its author may withdraw a change."),
    },
)

register_labels("PolicyRuleType", {"p": ("权限规则", "Permission"), "g": ("角色继承或授权", "Role inheritance or grant")})
register_labels("PolicyChangeOp", {"add": ("添加", "Add"), "remove": ("删除", "Remove")})
register_labels(
    "PolicyVersionKind",
    {
        "migration": ("系统升级", "Migration"),
        "change": ("规则变更", "Change"),
        "grant": ("授予角色", "Role granted"),
        "revoke": ("撤销角色", "Role revoked"),
        "rollback": ("回滚", "Rollback"),
        "import": ("导入", "Import"),
    },
)
register_labels(
    "PendingPolicyChangeStatus",
    {
        "pending": ("待审批", "Pending"),
        "applied": ("已生效", "Applied"),
        "rejected": ("已驳回", "Rejected"),
        "withdrawn": ("已撤回", "Withdrawn"),
        "expired": ("已过期", "Expired"),
    },
)
register_labels(
    "PendingPolicyChangeAction",
    {"approve": ("批准", "Approve"), "reject": ("驳回", "Reject"), "withdraw": ("撤回", "Withdraw")},
)
register_labels("PolicyVersionAction", {"rollback": ("回滚到此版本", "Roll back to this version")})
register_labels(
    "PermissionStepKind",
    {
        "home_role": ("所在单位的角色", "Role of their organisation"),
        "grant": ("授予的角色", "Role granted"),
        "inherits": ("角色继承", "Inherited role"),
        "line": ("权限规则", "Permission line"),
    },
)
register_labels(
    "PermissionDenialReason",
    {
        "role_missing": ("缺少所需角色", "A role is missing"),
        "other_region": ("规则只适用于其他地区", "The line is for another region"),
        "no_line": ("没有任何规则允许该操作", "No line allows the operation"),
    },
)
