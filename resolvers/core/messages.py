"""The kernel's messages: transport and permission refusals, paging, validation and money;
and the labels of the kernel's coded values."""

from __future__ import annotations

from resolvers.core.i18n import register, register_labels

# GraphQL errors (``extensions.code`` / ``extensions.reason``), never payload user errors.
register(
    "core",
    {
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
        "QUERY_TOO_DEEP": ("查询嵌套层级超过上限 {limit}。", "The query is nested deeper than the limit of {limit}."),
        "TOO_MANY_ALIASES": (
            "查询使用了 {count} 个别名，超过上限 {limit} 个。",
            "The query uses {count} aliases, more than the limit of {limit}.",
        ),
        "MAX_NODE_LIMIT_EXCEEDED": (
            "查询最多可返回 {nodes} 个节点，超过上限 {limit} 个；请减小 `first`/`last` 或嵌套层级。",
            "The query may return up to {nodes} nodes, more than the limit of {limit}; ask for smaller pages or nest fewer connections.",
        ),
        "OPERATION_NAME_REQUIRED": (
            "文档包含多个操作，须用 operationName 指明执行哪一个。",
            "The document holds several operations: operationName must say which one to run.",
        ),
        "TOO_MANY_TOKENS": ("查询超过 {limit} 个词法单元的上限。", "The query has more than the limit of {limit} tokens."),
        "CSRF_PREFLIGHT_REQUIRED": (
            "multipart 请求必须带有 GraphQL-Require-Preflight 请求头（防跨站请求伪造）。",
            "Multipart requests must carry a GraphQL-Require-Preflight header (CSRF protection).",
        ),
        "SUBSCRIPTION_OVER_HTTP": (
            "订阅须通过 WebSocket（graphql-transport-ws 协议）连接 /graphql。",
            "Subscriptions are served over WebSocket (the graphql-transport-ws protocol) at /graphql.",
        ),
        "MUTATION_OVER_GET": ("变更操作不能通过 GET 请求发送，请使用 POST。", "Mutations cannot be sent over GET; use POST."),
        "BAD_REQUEST": ("请求无效：{detail}", "Bad request: {detail}"),
        "OPERATION_RESOLUTION_FAILURE": (
            "无法确定要执行的操作（operationName：{name}）。",
            "The operation to run cannot be determined (operationName: {name}).",
        ),
        "METHOD_NOT_ALLOWED": ("GraphQL 请求须用 GET 或 POST 发送。", "GraphQL requests must use GET or POST."),
        "NOT_ACCEPTABLE": (
            "Accept 请求头须接受 application/graphql-response+json 或 application/json。",
            "The Accept header must allow application/graphql-response+json or application/json.",
        ),
        "UNSUPPORTED_MEDIA_TYPE": (
            "POST 请求体须为 UTF-8 编码的 application/json（上传文件用 multipart/form-data）。",
            "A POST body must be application/json in UTF-8 (multipart/form-data for uploads).",
        ),
        "REQUEST_TOO_LARGE": ("请求体超过 {limit} 字节的上限。", "The request body is larger than the limit of {limit} bytes."),
        "DOCUMENT_NOT_TRUSTED": (
            "此服务器只执行已登记的查询文档，该文档未登记。",
            "This server runs registered documents only, and this document is not registered.",
        ),
        "PERSISTED_QUERY_NOT_FOUND": (
            "服务器尚未登记此查询哈希，请连同查询文本重新发送。",
            "The server does not know this query hash yet; send it again with the query text.",
        ),
        "PERSISTED_QUERY_HASH_MISMATCH": (
            "查询文本的 SHA-256 与请求中的 sha256Hash 不符。",
            "The SHA-256 of the query text does not match the request's sha256Hash.",
        ),
        "PERSISTED_QUERY_INVALID": (
            'persistedQuery 须为 {{"version": 1, "sha256Hash": 64 位十六进制}}。',
            'persistedQuery must be {{"version": 1, "sha256Hash": 64 hexadecimal digits}}.',
        ),
    },
    user_errors=False,
)

register(
    "core",
    {
        "REQUIRED": ("必填项不能为空。", "This field is required."),
        "TOO_LONG": ("长度不能超过 {max} 个字符。", "Must be at most {max} characters."),
        "INVALID_CHARACTERS": (
            "含有不允许的控制字符或文字方向控制字符。",
            "Contains control characters or text-direction overrides, which are not allowed.",
        ),
        "INVALID_TIME_RANGE": ("开始时间须早于结束时间。", "The start of the time range must be before its end."),
        "REGION_OUT_OF_SCOPE": ("该行政区划不在您的管辖范围内。", "That region is outside your scope."),
        "INVALID_REGION_CODE": ("行政区划代码须为6位数字。", "The region code must be 6 digits."),
        "INVALID_TRANSITION": (
            "{entity}当前状态为“{status}”，不能执行“{action}”。",
            "{entity} in status “{status}” does not allow the action “{action}”.",
        ),
        "INVALID_NUMBER": ("不是有效的数字。", "Not a valid number."),
        "NUMBER_TOO_LARGE": ("数值不能超过 {max}。", "Must be at most {max}."),
        "TOO_MANY_DECIMALS": ("最多保留 {places} 位小数。", "At most {places} decimal places."),
        "NEGATIVE_AMOUNT": ("金额不能为负数。", "The amount must not be negative."),
    },
)

register_labels("OrderDirection", {"asc": ("升序", "Ascending"), "desc": ("降序", "Descending")})

# Who acted (audit events, the signed-in viewer).
register_labels(
    "ActorType",
    {
        "user": ("用户", "User"),
        "client": ("第三方接口凭证", "API client"),
        "system": ("系统", "System"),
        "anonymous": ("匿名访问者", "Anonymous"),
    },
)

register_labels("Locale", {"zh-CN": ("简体中文", "Simplified Chinese"), "en": ("英语", "English")})

# What a stored file is, by the media type sniffed from its content (resolvers.security.storage).
register_labels(
    "MediaType",
    {
        "application/pdf": ("PDF 文档", "PDF document"),
        "application/ofd": ("OFD 版式文档", "OFD document"),
        "image/png": ("PNG 图片", "PNG image"),
        "image/jpeg": ("JPEG 图片", "JPEG image"),
        "image/gif": ("GIF 图片", "GIF image"),
        "image/webp": ("WebP 图片", "WebP image"),
        "image/tiff": ("TIFF 图片", "TIFF image"),
        "image/bmp": ("BMP 图片", "BMP image"),
        "image/heic": ("HEIC 图片", "HEIC image"),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ("Excel 工作簿（XLSX）", "Excel workbook (XLSX)"),
        "application/vnd.ms-excel": ("Excel 工作簿（XLS）", "Excel workbook (XLS)"),
        "application/vnd.oasis.opendocument.spreadsheet": ("OpenDocument 电子表格", "OpenDocument spreadsheet"),
        "image/vnd.dwg": ("DWG 图纸", "DWG drawing"),
        "image/vnd.dxf": ("DXF 图纸", "DXF drawing"),
        "application/zip": ("ZIP 压缩包", "ZIP archive"),
    },
)
