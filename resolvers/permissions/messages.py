"""Permission administration: messages by code, in zh-CN and en."""

from __future__ import annotations

from resolvers.core.i18n import register, register_labels

register(
    "permissions",
    {
        "INVALID_POLICY_RULE": ("权限规则无效：{reason}", "Invalid policy rule: {reason}"),
        "POLICY_RULE_EXISTS": ("该权限规则已存在。", "That policy rule already exists."),
        "POLICY_RULE_NOT_FOUND": ("该权限规则不存在。", "That policy rule does not exist."),
    },
)

register_labels("PolicyRuleType", {"p": ("权限规则", "Permission"), "g": ("角色继承", "Role inheritance")})
