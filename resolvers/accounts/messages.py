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
        "API_CLIENT_ALREADY_REVOKED": ("该接入客户端已被吊销。", "This API client is already revoked."),
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

register_labels("ApiClientAction", {"revoke": ("吊销", "Revoke")})


# zxcvbn's feedback sentences, in zh-CN and en (zxcvbn 4.x has no other language).
PASSWORD_HINTS = {
    "easy to guess": ("容易被猜到。", "It is easy to guess."),
    "Add another word or two. Uncommon words are better.": (
        "再加一两个词，不常见的词更好。",
        "Add another word or two. Uncommon words are better.",
    ),
    "Capitalization doesn't help very much.": ("大小写变化帮助不大。", "Capitalization doesn't help very much."),
    "Reversed words aren't much harder to guess.": ("倒写的单词并不更难猜。", "Reversed words aren't much harder to guess."),
    "Predictable substitutions like '@' instead of 'a' don't help very much.": (
        "用“@”代替“a”这类可预料的替换帮助不大。",
        "Predictable substitutions like '@' instead of 'a' don't help very much.",
    ),
    "Use a few words, avoid common phrases.": ("用几个词组合，避免常见短语。", "Use a few words, avoid common phrases."),
    "No need for symbols, digits, or uppercase letters.": (
        "不必非用符号、数字或大写字母。",
        "No need for symbols, digits, or uppercase letters.",
    ),
    "Straight rows of keys are easy to guess.": ("键盘上连成一排的按键容易被猜到。", "Straight rows of keys are easy to guess."),
    "Short keyboard patterns are easy to guess.": ("简短的键盘图形容易被猜到。", "Short keyboard patterns are easy to guess."),
    "This is a top-10 common password.": ("这是最常用的 10 个密码之一。", "This is a top-10 common password."),
    "This is a top-100 common password.": ("这是最常用的 100 个密码之一。", "This is a top-100 common password."),
    "This is a very common password.": ("这是非常常用的密码。", "This is a very common password."),
    "This is similar to a commonly used password.": ("与常用密码相似。", "This is similar to a commonly used password."),
    "A word by itself is easy to guess.": ("单个单词容易被猜到。", "A word by itself is easy to guess."),
    "All-uppercase is almost as easy to guess as all-lowercase.": (
        "全大写和全小写一样容易被猜到。",
        "All-uppercase is almost as easy to guess as all-lowercase.",
    ),
    "Use a longer keyboard pattern with more turns.": ("使用更长、转折更多的键盘图形。", "Use a longer keyboard pattern with more turns."),
    'Repeats like "aaa" are easy to guess.': ("“aaa”这样的重复容易被猜到。", 'Repeats like "aaa" are easy to guess.'),
    'Repeats like "abcabcabc" are only slightly harder to guess than "abc".': (
        "“abcabcabc”这样的重复只比“abc”难猜一点。",
        'Repeats like "abcabcabc" are only slightly harder to guess than "abc".',
    ),
    "Names and surnames by themselves are easy to guess.": (
        "单独的名字或姓氏容易被猜到。",
        "Names and surnames by themselves are easy to guess.",
    ),
    "Common names and surnames are easy to guess.": ("常见的名字和姓氏容易被猜到。", "Common names and surnames are easy to guess."),
    "Avoid repeated words and characters.": ("避免重复的词和字符。", "Avoid repeated words and characters."),
    'Sequences like "abc" or "6543" are easy to guess.': (
        "“abc”“6543”这样的序列容易被猜到。",
        'Sequences like "abc" or "6543" are easy to guess.',
    ),
    "Avoid sequences.": ("避免使用序列。", "Avoid sequences."),
    "Recent years are easy to guess.": ("近年的年份容易被猜到。", "Recent years are easy to guess."),
    "Dates are often easy to guess.": ("日期往往容易被猜到。", "Dates are often easy to guess."),
    "Avoid recent years.": ("避免使用近年的年份。", "Avoid recent years."),
    "Avoid years that are associated with you.": ("避免使用与你有关的年份。", "Avoid years that are associated with you."),
    "Avoid dates and years that are associated with you.": (
        "避免使用与你有关的日期和年份。",
        "Avoid dates and years that are associated with you.",
    ),
}
register_labels("PasswordHint", PASSWORD_HINTS)
