"""Accounts and sign-in: messages by code, in zh-CN and en."""

from __future__ import annotations

from resolvers.core.i18n import register, register_labels

register(
    "accounts",
    {
        "INVALID_CREDENTIALS": ("用户名或密码错误。", "Incorrect username or password."),
        "ACCOUNT_DISABLED": ("账户已停用。", "The account is disabled."),
        "TOO_MANY_ATTEMPTS": (
            "登录失败次数过多，请在 {retry_after} 秒后重试。",
            "Too many failed sign-in attempts; try again in {retry_after} seconds.",
        ),
        "INVALID_REFRESH_TOKEN": ("刷新令牌无效或已过期，请重新登录。", "The refresh token is invalid or expired; sign in again."),
        "REFRESH_TOKEN_REUSED": (
            "刷新令牌已被使用过，为安全起见该登录会话已全部注销。",
            "The refresh token was already used; the whole sign-in session has been revoked for safety.",
        ),
        "PASSWORD_TOO_SHORT": ("密码至少需要 {min_length} 个字符。", "The password must have at least {min_length} characters."),
        "PASSWORD_TOO_WEAK": ("密码强度不足：{hint}", "The password is too weak: {hint}"),
        "PASSWORD_INCORRECT": ("当前密码错误。", "The current password is incorrect."),
        "INVALID_USCC": ("统一社会信用代码无效（{reason}）。", "Invalid unified social credit code (统一社会信用代码): {reason}."),
        "DUPLICATE_USCC": ("该统一社会信用代码已登记。", "An organisation with this unified social credit code already exists."),
        "INVALID_PHONE": ("手机号码格式无效。", "Invalid mobile phone number."),
        "INVALID_BANK_ACCOUNT": ("银行账号须为8至30位数字。", "The bank account number must be 8 to 30 digits."),
        "INVALID_USERNAME": (
            "用户名须为3至64位字母、数字、点、下划线或连字符。",
            "The username must be 3 to 64 letters, digits, dots, underscores or hyphens.",
        ),
        "DUPLICATE_USERNAME": ("用户名已被占用。", "That username is already taken."),
        "INVALID_EMAIL": ("电子邮箱格式无效。", "Invalid e-mail address."),
        "UNKNOWN_ROLE": ("未知角色：{role}。", "Unknown role: {role}."),
        "ROLE_NOT_ALLOWED_FOR_ORGANISATION": (
            "角色“{role}”不适用于{kind}。",
            "The role “{role}” does not fit an organisation of kind “{kind}”.",
        ),
        "INVALID_SCOPE": ("不支持的权限范围：{scope}。", "Unsupported scope: {scope}."),
    },
)

register_labels(
    "OrganisationKind",
    {
        "owner": ("建设单位", "Owner"),
        "contractor": ("施工单位", "Contractor"),
        "supervisor": ("监理单位", "Supervisor"),
        "auditor": ("审计机关", "Auditor"),
        "finance": ("财政部门", "Finance bureau"),
        "platform": ("平台运营单位", "Platform operator"),
    },
)

register_labels(
    "Role",
    {
        "platform_admin": ("平台管理员", "Platform administrator"),
        "policy_admin": ("权限管理员", "Policy administrator"),
        "owner_staff": ("建设单位经办人", "Owner staff"),
        "reviewer": ("审核人员", "Reviewer"),
        "finance_officer": ("财政审核人员", "Finance officer"),
        "evaluator": ("评审专家", "Evaluator"),
        "contractor": ("施工单位人员", "Contractor"),
        "supervisor": ("监理人员", "Supervisor"),
        "auditor": ("审计人员", "Auditor"),
        "integrator": ("第三方系统", "Integrator"),
    },
)

register_labels(
    "UserAction",
    {
        "update": ("修改资料", "Edit"),
        "set_roles": ("设置角色", "Set roles"),
        "unlock": ("解除登录锁定", "Unlock sign-in"),
    },
)

register_labels("OrganisationAction", {"update": ("修改单位信息", "Edit")})
