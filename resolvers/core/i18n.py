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
    "TOO_MANY_ALIASES": (
        "查询使用了 {count} 个别名，超过上限 {limit} 个。",
        "The query uses {count} aliases, more than the limit of {limit}.",
    ),
    "TOO_MANY_TOKENS": (
        "查询超过 {limit} 个词法单元的上限。",
        "The query has more than the limit of {limit} tokens.",
    ),
    "CSRF_PREFLIGHT_REQUIRED": (
        "multipart 请求必须带有 GraphQL-Require-Preflight 请求头（防跨站请求伪造）。",
        "Multipart requests must carry a GraphQL-Require-Preflight header (CSRF protection).",
    ),
    "MUTATION_OVER_GET": ("变更操作不能通过 GET 请求发送，请使用 POST。", "Mutations cannot be sent over GET; use POST."),
    "BAD_REQUEST": ("请求无效：{detail}", "Bad request: {detail}"),
    # Notifications
    "UNKNOWN_EVENT_TYPE": ("未知的事件类型：{event_type}。", "Unknown event type: {event_type}."),
    "UNKNOWN_CHANNEL": ("未知的通知渠道：{channel}。", "Unknown notification channel: {channel}."),
    "UNKNOWN_LOCALE": ("语言须为 zh-CN 或 en。", "The locale must be zh-CN or en."),
    "INVALID_URL": ("地址须为 http(s) 网址。", "The URL must be an http(s) address."),
    "PRIVATE_ADDRESS": (
        "生产环境的 Webhook 地址不能指向内网、本机或无法解析的主机。",
        "In production a webhook URL cannot point at a private, loopback or unresolvable host.",
    ),
    "INSECURE_URL": ("生产环境的 Webhook 地址须使用 https。", "Webhook URLs must use https in production."),
    # Projects (项目申报与立项)
    "INVALID_TRANSITION": ("{entity} 当前状态为 {status}，不能执行 {action}。", "{entity} in status {status} does not allow {action}."),
    "INVALID_NUMBER": ("不是有效的数字。", "Not a valid number."),
    "NUMBER_TOO_LARGE": ("数值不能超过 {max}。", "Must be at most {max}."),
    "TOO_MANY_DECIMALS": ("最多保留 {places} 位小数。", "At most {places} decimal places."),
    "NEGATIVE_AMOUNT": ("金额不能为负数。", "The amount must not be negative."),
    "INVALID_CATEGORY": ("项目类别无效。", "Invalid project category."),
    "INVALID_COORDINATES": ("经纬度超出有效范围。", "Latitude or longitude out of range."),
    "TOO_MANY_LINE_ITEMS": ("预算明细不能超过 {max} 行。", "At most {max} budget lines."),
    "QUANTITY_NOT_POSITIVE": ("数量必须大于0。", "The quantity must be greater than 0."),
    "NOT_PROJECT_OWNER": ("只有建设单位经办人可以执行此操作：{operation}。", "Only the owner organisation's staff may do this: {operation}."),
    "STALE_VERSION": (
        "项目已被他人修改（当前版本 {current}，您的版本 {expected}），请刷新后重试。",
        "The project was changed by someone else (now version {current}, yours {expected}); reload and try again.",
    ),
    "PROJECT_LOCKED": ("项目状态为 {status}，不能修改。", "The project is {status} and can no longer be edited."),
    "INVALID_DOCUMENT_TYPE": ("文件类型无效。", "Invalid document type."),
    "INVALID_FILENAME": ("文件名无效。", "Invalid file name."),
    "INVALID_UPLOAD": ("请求中没有文件（请使用 GraphQL multipart 上传）。", "No file in the request (use a GraphQL multipart request)."),
    "EMPTY_FILE": ("文件为空。", "The file is empty."),
    "FILE_TOO_LARGE": ("文件过大（上限 {limit_mb} MB）。", "The file is too large (limit {limit_mb} MB)."),
    "FILE_TYPE_NOT_ALLOWED": (
        "不允许的文件类型（识别为 {detected}）；仅支持 PDF、OFD、图片、电子表格和 CAD 图纸。",
        "File type not allowed (detected {detected}); PDF, OFD, images, spreadsheets and CAD drawings are accepted.",
    ),
    "FILE_TYPE_MISMATCH": (
        "文件内容（{detected}）与声明的类型或扩展名（{claimed}）不符。",
        "The file's content ({detected}) does not match its claimed type or extension ({claimed}).",
    ),
    "MISSING_DOCUMENT": ("缺少必需的文件：{document_type}。", "A required document is missing: {document_type}."),
    "BUDGET_NOT_POSITIVE": ("预算金额必须大于0。", "The budget must be greater than 0."),
    "BUDGET_OVER_CEILING": ("预算金额超过小额工程上限 {ceiling} 元。", "The budget exceeds the small-works ceiling of CNY {ceiling}."),
    "LINE_ITEMS_MISMATCH": (
        "预算明细合计 {total} 元与预算金额 {budget} 元不一致。",
        "The budget lines add up to CNY {total}, not the budget of CNY {budget}.",
    ),
    "START_IN_PAST": ("计划开工日期不能早于今天。", "The planned start must not be in the past."),
    "END_NOT_AFTER_START": ("计划完工日期须晚于开工日期。", "The planned end must be after the planned start."),
    "LOCATION_OUTSIDE_CHINA": ("项目地点不在中国境内。", "The site is outside China."),
    "RADIUS_OUT_OF_RANGE": ("电子围栏半径须在 {min} 至 {max} 米之间。", "The geofence radius must be between {min} and {max} metres."),
    "INSUFFICIENT_ALLOCATION": (
        "{year} 年度预算指标余额不足（可用 {remaining} 元）。",
        "Not enough of the {year} budget allocation remains (CNY {remaining} available).",
    ),
    "NOT_YOUR_REVIEW": ("该审核环节不由您负责。", "This review step is not yours to decide."),
    "OWN_PROJECT_REVIEW": ("不能审核本单位的项目。", "You cannot review your own organisation's project."),
    "SAME_REVIEWER": ("同一轮申报中您已审核过其他环节。", "You already decided another step of this submission."),
    "REVIEW_ALREADY_DECIDED": ("该审核环节已处理。", "This review step has already been decided."),
    "INVALID_FISCAL_YEAR": ("年度无效。", "Invalid fiscal year."),
    "NOT_AN_OWNER": ("只能为建设单位设置预算指标。", "Allocations are set for owner organisations only."),
    "ALLOCATION_BELOW_RESERVED": (
        "指标不能低于已占用的 {reserved} 元。",
        "The allocation cannot be less than the CNY {reserved} already reserved.",
    ),
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
