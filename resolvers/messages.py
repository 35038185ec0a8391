"""Message catalogue: one entry per error code, in zh-CN (default) and en."""

from __future__ import annotations

from typing import Any

DEFAULT_LOCALE = "zh-CN"
LOCALES = ("zh-CN", "en")

MESSAGES: dict[str, tuple[str, str]] = {
    # code: (zh-CN, en)
    "UNAUTHENTICATED": ("需要登录，或登录凭证无效、已过期。", "Sign-in required, or the credentials are invalid or expired."),
    "FORBIDDEN": ("无权执行此操作：{operation}。", "You are not allowed to perform this operation: {operation}."),
    "READ_ONLY_CLIENT": ("第三方接口凭证只读，不能执行变更操作。", "API client credentials are read-only and cannot run mutations."),
    "NOT_FOUND": ("对象不存在或不可见。", "The object does not exist or is not visible to you."),
    "CONFLICT": ("数据已被他人修改，请刷新后重试。", "The data was changed by someone else; reload and try again."),
    "INTERNAL": ("服务器内部错误。", "Internal server error."),
    "INVALID_ID": ("无效的全局ID：{id}。", "Invalid global ID: {id}."),
    "WRONG_ID_TYPE": ("ID {id} 不是 {expected} 类型。", "ID {id} is not of type {expected}."),
    "PAGE_SIZE_EXCEEDED": (
        "请求 {requested} 条记录超过了 `{argument}` 的上限 {limit} 条。",
        "Requesting {requested} records on the `{argument}` argument exceeds the limit of {limit} records.",
    ),
    "PAGE_SIZE_NEGATIVE": ("`{argument}` 不能为负数。", "`{argument}` must not be negative."),
    "PAGE_BOTH_DIRECTIONS": ("不能同时使用 `first` 和 `last`。", "Passing both `first` and `last` is not supported."),
    "INVALID_CURSOR": ("无效的分页游标。", "Invalid pagination cursor."),
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
    "REQUIRED": ("必填项不能为空。", "This field is required."),
    "TOO_LONG": ("长度不能超过 {max} 个字符。", "Must be at most {max} characters."),
    "INVALID_USCC": ("统一社会信用代码无效（{reason}）。", "Invalid unified social credit code (统一社会信用代码): {reason}."),
    "DUPLICATE_USCC": ("该统一社会信用代码已登记。", "An organisation with this unified social credit code already exists."),
    "INVALID_REGION_CODE": ("行政区划代码须为6位数字。", "The region code must be 6 digits."),
    "REGION_OUT_OF_SCOPE": ("该行政区划不在您的管辖范围内。", "That region is outside your scope."),
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
        "角色 {role} 不适用于 {kind} 类型的单位。",
        "Role {role} does not fit an organisation of kind {kind}.",
    ),
    "INVALID_SCOPE": ("不支持的权限范围：{scope}。", "Unsupported scope: {scope}."),
    "INVALID_POLICY_RULE": ("权限规则无效：{reason}", "Invalid policy rule: {reason}"),
    "POLICY_RULE_EXISTS": ("该权限规则已存在。", "That policy rule already exists."),
    "POLICY_RULE_NOT_FOUND": ("该权限规则不存在。", "That policy rule does not exist."),
    "INVALID_TIME_RANGE": ("开始时间须早于结束时间。", "The start of the time range must be before its end."),
    "QUERY_TOO_DEEP": ("查询嵌套层级超过上限 {limit}。", "The query is nested deeper than the limit of {limit}."),
}


def negotiate(accept_language: str | None) -> str:
    """Pick zh-CN or en from an Accept-Language header (q-values honoured)."""
    if not accept_language:
        return DEFAULT_LOCALE
    choices = []
    for index, part in enumerate(accept_language.split(",")):
        lang, _, q = part.strip().partition(";q=")
        try:
            weight = float(q) if q else 1.0
        except ValueError:
            weight = 0.0
        choices.append((-weight, index, lang.strip().lower()))
    for _, _, lang in sorted(choices):
        if lang.startswith("zh"):
            return "zh-CN"
        if lang.startswith("en"):
            return "en"
    return DEFAULT_LOCALE


def translate(code: str, locale: str = DEFAULT_LOCALE, **params: Any) -> str:
    zh, en = MESSAGES.get(code, (code, code))
    template = en if locale == "en" else zh
    try:
        return template.format(**params)
    except (KeyError, IndexError):
        return template
