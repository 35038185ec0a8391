"""graphql-core's messages in the request's language.

graphql-core (and strawberry's scalars and transport) report a document that does not parse
or does not fit the schema, and variables that do not coerce, in English. Their messages are
stable strings (``graphql/validation/rules/*.py``, ``graphql/utilities/validate_input_value.py``,
``graphql/execution/values.py``, ``graphql/language/lexer.py`` and ``parser.py``); this module
holds a table of them with their zh-CN text and rewrites a message where it is presented
(``schema.core.extensions.ErrorPresentation``, transport errors in ``app.main``), for each
request in its own language. Parsing and validation results are cached once per document
text, in English, so one document serves requests in both languages.

A message matches one pattern of the table in full; quoted names (fields, types,
variables, values) stay as they are. A message that matches none stays in English, as it
does for ``en``. Suggestions (``Did you mean 'roles'?``, absent in production) are
translated with the message.
"""

from __future__ import annotations

import re
from collections.abc import Callable

ZH = "zh-CN"

Rule = tuple[re.Pattern[str], str]


def _rules(table: list[tuple[str, str]]) -> list[Rule]:
    return [(re.compile(pattern, re.DOTALL), template) for pattern, template in table]


_QUOTED = r"'(?P<{}>[^']*)'"


def _q(name: str) -> str:
    """A quoted name: ``'roles'``."""
    return _QUOTED.format(name)


# -- documents that do not fit the schema (graphql/validation/rules) ------------------------

_VALIDATION = _rules(
    [
        (rf"Cannot query field {_q('field')} on type {_q('type')}\.", "类型 '{type}' 上没有字段 '{field}'。"),
        (rf"Unknown argument {_q('argument')} on field {_q('field')}\.", "字段 '{field}' 没有参数 '{argument}'。"),
        (rf"Unknown argument {_q('argument')} on directive {_q('directive')}\.", "指令 '{directive}' 没有参数 '{argument}'。"),
        (rf"Unknown argument {_q('argument')} on fragment {_q('fragment')}\.", "片段 '{fragment}' 没有参数 '{argument}'。"),
        (
            rf"Argument {_q('argument')} of type {_q('type')} is required, but it was not provided\.",
            "缺少必填参数 '{argument}'（类型 '{type}'）。",
        ),
        (
            rf"Fragment {_q('fragment')} argument {_q('argument')} of type {_q('type')} is required, but it was not provided\.",
            "片段 '{fragment}' 缺少必填参数 '{argument}'（类型 '{type}'）。",
        ),
        (rf"Unknown type {_q('type')}\.", "未知类型 '{type}'。"),
        (rf"Unknown fragment {_q('fragment')}\.", "未知片段 '{fragment}'。"),
        (rf"Unknown directive {_q('directive')}\.", "未知指令 '{directive}'。"),
        (rf"Directive {_q('directive')} may not be used on (?P<location>\w+)\.", "指令 '{directive}' 不能用于 {location}。"),
        (
            rf"The directive {_q('directive')} can only be used once at this location\.",
            "指令 '{directive}' 在此位置只能使用一次。",
        ),
        (
            rf"Variable '\$(?P<variable>[^']*)' is not defined by operation {_q('operation')}\.",
            "变量 '${variable}' 未在操作 '{operation}' 中定义。",
        ),
        (r"Variable '\$(?P<variable>[^']*)' is not defined\.", "变量 '${variable}' 未定义。"),
        (
            rf"Variable '\$(?P<variable>[^']*)' is never used in operation {_q('operation')}\.",
            "变量 '${variable}' 未在操作 '{operation}' 中使用。",
        ),
        (
            rf"Variable '\$(?P<variable>[^']*)' is never used in fragment {_q('fragment')}\.",
            "变量 '${variable}' 未在片段 '{fragment}' 中使用。",
        ),
        (r"Variable '\$(?P<variable>[^']*)' is never used\.", "变量 '${variable}' 未被使用。"),
        (
            rf"Variable '\$(?P<variable>[^']*)' of type {_q('variable_type')} used in position expecting type {_q('type')}\.",
            "变量 '${variable}' 的类型为 '{variable_type}'，不能用在需要类型 '{type}' 的位置。",
        ),
        (
            rf"Variable '\$(?P<variable>[^']*)' is of type {_q('variable_type')} but must be non-nullable "
            rf"to be used for OneOf Input Object {_q('type')}\.",
            "变量 '${variable}' 的类型为 '{variable_type}'，用于 OneOf 输入类型 '{type}' 时须为非空类型。",
        ),
        (
            rf"Variable '\$(?P<variable>[^']*)' cannot be non-input type {_q('type')}\.",
            "变量 '${variable}' 的类型不能是非输入类型 '{type}'。",
        ),
        (
            rf"Field {_q('field')} must not have a selection since type {_q('type')} has no subfields\.",
            "字段 '{field}' 的类型 '{type}' 没有子字段，不能带选择集。",
        ),
        (
            rf"Field {_q('field')} of type {_q('type')} must have a selection of subfields\.",
            "字段 '{field}'（类型 '{type}'）必须选择子字段。",
        ),
        (
            rf"Field {_q('field')} of type {_q('type')} must have at least one field selected\.",
            "字段 '{field}'（类型 '{type}'）至少要选择一个子字段。",
        ),
        (r"This anonymous operation must be the only defined operation\.", "匿名操作必须是文档中唯一的操作。"),
        (
            r"There can be only one (?P<what>operation|fragment|argument|variable|input field) named '(?P<name>[^']*)'\.",
            "名为 '{name}' 的{what}只能有一个。",
        ),
        (rf"Fragment {_q('fragment')} is never used\.", "片段 '{fragment}' 未被使用。"),
        (
            rf"Cannot spread fragment {_q('fragment')} within itself via (?P<via>.+)\.",
            "片段 '{fragment}' 不能经由 {via} 展开自身。",
        ),
        (rf"Cannot spread fragment {_q('fragment')} within itself\.", "片段 '{fragment}' 不能展开自身。"),
        (
            rf"Fragment {_q('fragment')} cannot be spread here as objects of type {_q('parent')} can never be of type {_q('type')}\.",
            "片段 '{fragment}' 不能在此展开：'{parent}' 类型的对象不可能是 '{type}' 类型。",
        ),
        (
            rf"Fragment cannot be spread here as objects of type {_q('parent')} can never be of type {_q('type')}\.",
            "片段不能在此展开：'{parent}' 类型的对象不可能是 '{type}' 类型。",
        ),
        (
            rf"Fragment {_q('fragment')} cannot condition on non composite type {_q('type')}\.",
            "片段 '{fragment}' 不能以非复合类型 '{type}' 为条件。",
        ),
        (rf"Fragment cannot condition on non composite type {_q('type')}\.", "片段不能以非复合类型 '{type}' 为条件。"),
        (r"The (?P<definition>.+) definition is not executable\.", "定义 {definition} 不可执行。"),
        (r"The (?P<operation>query|mutation|subscription) operation is not supported by the schema\.", "本服务不支持 {operation} 操作。"),
        (r"(?P<who>Anonymous Subscription|Subscription '[^']*') must select only one top level field\.", "{who}只能选择一个顶层字段。"),
        (r"(?P<who>Anonymous Subscription|Subscription '[^']*') must select one top level field\.", "{who}必须选择一个顶层字段。"),
        (
            r"(?P<who>Anonymous Subscription|Subscription '[^']*') must not select an introspection top level field\.",
            "{who}不能以内省字段为顶层字段。",
        ),
        (
            r"(?P<who>Anonymous Subscription|Subscription '[^']*') must not use `@skip` or `@include` directives in the top level selection\.",
            "{who}的顶层选择不能使用 `@skip` 或 `@include` 指令。",
        ),
        (
            rf"GraphQL introspection has been disabled, but the requested query contained the field {_q('field')}\.",
            "GraphQL 内省（introspection）已禁用，但查询包含字段 '{field}'。",
        ),
        (r"Maximum introspection depth exceeded", "内省查询嵌套过深。"),
        (r"Too many validation errors, error limit reached\. Validation aborted\.", "校验错误过多，已停止校验。"),
        (r"Validation aborted\.", "已停止校验。"),
        # Choosing the operation to run (graphql/execution).
        (r"Must provide operation name if query contains multiple operations\.", "文档包含多个操作时必须提供操作名（operationName）。"),
        (rf"Unknown operation named {_q('operation')}\.", "没有名为 '{operation}' 的操作。"),
        (r"Must provide an operation\.", "文档中没有操作。"),
    ]
)

# -- values that do not fit their type (validation of literals, coercion of variables) ----------

_VALUES = _rules(
    [
        (
            r"Variable '\$(?P<variable>[^']*)' has invalid (?P<default>default )?value at (?P<path>[^:]+): (?P<inner>.+)",
            "变量 '${variable}' 的{default}值无效（位于 {path}）：{inner}",
        ),
        (
            r"Variable '\$(?P<variable>[^']*)' has invalid (?P<default>default )?value: (?P<inner>.+)",
            "变量 '${variable}' 的{default}值无效：{inner}",
        ),
        (
            rf"Argument {_q('argument')} has invalid (?P<default>default )?value at (?P<path>[^:]+): (?P<inner>.+)",
            "参数 '{argument}' 的{default}值无效（位于 {path}）：{inner}",
        ),
        (
            rf"Argument {_q('argument')} has invalid (?P<default>default )?value: (?P<inner>.+)",
            "参数 '{argument}' 的{default}值无效：{inner}",
        ),
        (
            rf"Argument {_q('argument')} of required type {_q('type')} was not provided\.",
            "缺少必填参数 '{argument}'（类型 '{type}'）。",
        ),
        (r"Variable values are nested too deeply\.", "变量的值嵌套过深。"),
        (rf"Expected a value of non-null type {_q('type')} to be provided\.", "缺少非空类型 '{type}' 的值。"),
        (rf"Expected value of non-null type {_q('type')} not to be None\.", "非空类型 '{type}' 的值不能为 null。"),
        (rf"Expected value of type {_q('type')} to be an object, found: (?P<found>.*)\.", "类型 '{type}' 的值须为对象，实际为：{found}。"),
        (
            rf"Expected value of type {_q('type')} to include required field {_q('field')}, found: (?P<found>.*)\.",
            "类型 '{type}' 的值缺少必填字段 '{field}'，实际为：{found}。",
        ),
        (
            rf"Expected value of type {_q('type')} not to include unknown field {_q('field')}\. "
            r"Did you mean (?P<options>'.*')\? Found: (?P<found>.*)\.",
            "类型 '{type}' 没有字段 '{field}'。您是否想用 {options}？实际为：{found}。",
        ),
        (
            rf"Expected value of type {_q('type')} not to include unknown field {_q('field')}, found: (?P<found>.*)\.",
            "类型 '{type}' 没有字段 '{field}'，实际为：{found}。",
        ),
        (
            rf"Expected value of type {_q('type')}, but encountered error '(?P<error>.*)'; found: (?P<found>.*)\.",
            "值 {found} 不是有效的 '{type}'（{error}）。",
        ),
        (rf"Expected value of type {_q('type')}, found: (?P<found>.*)\.", "值 {found} 不是有效的 '{type}'。"),
        (rf"Expected value of type {_q('type')} to be valid, found: (?P<found>.*)\.", "值 {found} 不是有效的 '{type}'。"),
        (
            rf"Expected variable '\$(?P<variable>[^']*)' provided to type {_q('type')} to provide a runtime value\.",
            "变量 '${variable}'（用于类型 '{type}'）没有提供值。",
        ),
        (
            rf"Expected variable '\$(?P<variable>[^']*)' provided to non-null type {_q('type')} not to be None\.",
            "变量 '${variable}'（用于非空类型 '{type}'）不能为 null。",
        ),
        (
            rf"Expected variable '\$(?P<variable>[^']*)' provided to field {_q('field')} for OneOf Input Object type {_q('type')} "
            r"to provide a runtime value\.",
            "变量 '${variable}'（用于 OneOf 输入类型 '{type}' 的字段 '{field}'）没有提供值。",
        ),
        (
            rf"Expected variable '\$(?P<variable>[^']*)' provided to field {_q('field')} for OneOf Input Object type {_q('type')} "
            r"not to be None\.",
            "变量 '${variable}'（用于 OneOf 输入类型 '{type}' 的字段 '{field}'）不能为 null。",
        ),
        (
            rf"Within OneOf Input Object type {_q('type')}, exactly one field must be specified, "
            r"and the value for that field must be non-null\.",
            "OneOf 输入类型 '{type}' 须恰好指定一个字段，且其值不能为 null。",
        ),
        # Scalars and enums (graphql/type).
        (r"Int cannot represent non-integer value: (?P<found>.*)", "Int 不能表示非整数值：{found}"),
        (r"Int cannot represent non 32-bit signed integer value: (?P<found>.*)", "Int 不能表示超出 32 位有符号整数范围的值：{found}"),
        (r"Float cannot represent non numeric value: (?P<found>.*)", "Float 不能表示非数值：{found}"),
        (r"String cannot represent a non string value: (?P<found>.*)", "String 不能表示非字符串值：{found}"),
        (r"String cannot represent value: (?P<found>.*)", "String 不能表示值：{found}"),
        (r"Boolean cannot represent a non boolean value: (?P<found>.*)", "Boolean 不能表示非布尔值：{found}"),
        (r"ID cannot represent a non-string and non-integer value: (?P<found>.*)", "ID 不能表示既非字符串也非整数的值：{found}"),
        (r"ID cannot represent value: (?P<found>.*)", "ID 不能表示值：{found}"),
        (rf"Value {_q('value')} does not exist in {_q('enum')} enum\.", "枚举 '{enum}' 中没有值 '{value}'。"),
        (
            rf"Enum {_q('enum')} cannot represent non-enum value: (?P<found>.*)\.",
            "枚举 '{enum}' 的值须为不加引号的枚举值，实际为：{found}。",
        ),
        (rf"Enum {_q('enum')} cannot represent non-string value: (?P<found>.*)\.", "枚举 '{enum}' 的值须为字符串，实际为：{found}。"),
        (rf"Enum {_q('enum')} cannot represent value: (?P<found>.*)", "枚举 '{enum}' 不能表示值：{found}"),
        # strawberry's scalars (Decimal, Date, DateTime, ...).
        (r'Value cannot represent a (?P<type>\w+): "(?P<found>.*)"\. Expected a string\.', '值 "{found}" 不是有效的 {type}：须为字符串。'),
        (r'Value cannot represent a (?P<type>\w+): "(?P<found>.*)"\. (?P<detail>.+)', '值 "{found}" 不是有效的 {type}（{detail}）。'),
        (r'Value cannot represent a (?P<type>\w+): "(?P<found>.*)"\.', '值 "{found}" 不是有效的 {type}。'),
    ]
)

# What Python's date and time parsing says (the detail of strawberry's Date and DateTime errors).
_DETAILS = _rules(
    [
        (r"Invalid isoformat string: (?P<found>.*)", "不是 ISO 8601 格式：{found}"),
        (r"month must be in 1\.\.12", "月份须在 1 到 12 之间"),
        (r"day is out of range for month", "日期超出该月的天数"),
        (r"hour must be in 0\.\.23", "小时须在 0 到 23 之间"),
        (r"minute must be in 0\.\.59", "分钟须在 0 到 59 之间"),
        (r"second must be in 0\.\.59", "秒须在 0 到 59 之间"),
        (r"microsecond must be in 0\.\.999999", "微秒须在 0 到 999999 之间"),
        (r"year (?P<year>-?\d+) is out of range", "年份 {year} 超出范围"),
    ]
)

# -- documents that are not GraphQL (graphql/language: "Syntax Error: ...") ---------------

_SYNTAX = _rules(
    [
        (r"Expected (?P<expected>.+), found (?P<token>.+)\.", "应为 {expected}，实际为 {token}。"),
        (r"Unexpected (?P<token>(?!character|single quote|'\.\.'|variable|description).+)\.", "意外的 {token}。"),
        (r"Unterminated string\.", "字符串没有结束引号。"),
        (r"Unexpected character: (?P<found>.+)\.", "意外的字符：{found}。"),
        (r"Invalid character: (?P<found>.+)\.", "无效字符：{found}。"),
        (r"Invalid character within String: (?P<found>.+)\.", "字符串中有无效字符：{found}。"),
        (r"Invalid character escape sequence: (?P<found>.+)\.", "无效的转义序列：{found}。"),
        (r"Invalid Unicode escape sequence: (?P<found>.+)\.", "无效的 Unicode 转义序列：{found}。"),
        (
            r"Unexpected single quote character \('\), did you mean to use a double quote \(\"\)\?",
            "意外的单引号（'），字符串须使用双引号（\"）。",
        ),
        (r"Unexpected '\.\.', did you mean '\.\.\.'\?", "意外的 '..'，是否应为 '...'？"),
        (r"Invalid number, expected digit but got: (?P<found>.+)\.", "数字无效：此处应为数字，实际为 {found}。"),
        (r"Invalid number, unexpected digit after 0: (?P<found>.+)\.", "数字无效：0 之后不能紧跟数字 {found}。"),
        (
            r"Invalid number, expected digit before '\.', did you mean '(?P<number>[^']*)'\?",
            "数字无效：'.' 之前须有数字，是否应为 '{number}'？",
        ),
        (r"Unexpected variable '\$(?P<variable>[^']*)' in constant value\.", "常量值中不能使用变量 '${variable}'。"),
        (r"Document is nested too deeply\. Parsing aborted\.", "文档嵌套过深，已停止解析。"),
        (r"Document contains more than (?P<limit>\d+) (?P<what>tokens|comments)\.(?: Parsing aborted\.)?", "文档的{what}超过 {limit} 个。"),
        (r"Source contains more than (?P<limit>\d+) code points\.", "文档超过 {limit} 个字符。"),
        (r"(?P<token>.+) is reserved and cannot be used for an enum value\.", "{token} 是保留字，不能用作枚举值。"),
    ]
)

# -- transport (strawberry's HTTP errors, shown as the detail of BAD_REQUEST) --------------

_TRANSPORT = _rules(
    [
        (r"Unable to parse request body as JSON", "无法将请求体解析为 JSON"),
        (r"No GraphQL query found in the request", "请求中没有 GraphQL 查询"),
        (r"Unable to parse the multipart body", "无法解析 multipart 请求体"),
        (r"File\(s\) missing in form data", "表单数据中缺少文件"),
        (r"Unsupported content type", "不支持的内容类型"),
        (r"GraphQL only supports GET and POST requests\.", "GraphQL 只支持 GET 和 POST 请求。"),
        (r"Not Found", "未找到"),
        (r"Batching is not enabled", "未启用批量请求"),
        (r"Too many operations", "操作过多"),
        (r"Can't get GraphQL operation type", "无法确定 GraphQL 操作类型"),
        (r'Unknown operation named "(?P<operation>.*)"\.', '没有名为 "{operation}" 的操作。'),
        (
            r"(?P<operations>queries|mutations|subscriptions) are not allowed when using (?P<method>\w+)",
            "{operations}不能通过 {method} 请求发送",
        ),
        (
            r"The GraphQL operation's `(?P<member>query|variables|extensions)` must be (?P<kind>a string|an object) or null, if provided\.",
            "GraphQL 请求的 `{member}` 须为{kind}或 null。",
        ),
    ]
)

_SUGGESTION = re.compile(
    r"(?P<body>.*?) Did you mean (?:(?P<sub>to use an inline fragment on|the enum value) )?(?P<options>'.*')\?", re.DOTALL
)
_SYNTAX_PREFIX = "Syntax Error: "

_WORDS = {
    # operation, fragment … (UniqueNames rules)
    "operation": "操作",
    "fragment": "片段",
    "argument": "参数",
    "variable": "变量",
    "input field": "输入字段",
    "tokens": "词法单元",
    "comments": "注释",
    "Anonymous Subscription": "匿名订阅",
    "default ": "默认",
    "queries": "查询",
    "mutations": "变更",
    "subscriptions": "订阅",
    "a string": "字符串",
    "an object": "对象",
}
# Token kinds in syntax errors: ``Name 'foo'``, ``<EOF>``, ``'}'``.
_TOKEN_KINDS = {
    "<EOF>": "文档结尾",
    "<SOF>": "文档开头",
    "Name": "名称",
    "Int": "整数",
    "Float": "浮点数",
    "String": "字符串",
    "BlockString": "块字符串",
    "Comment": "注释",
}


def _options(text: str) -> str:
    """``'a', 'b', or 'c'`` (graphql-core's or-list) as ``'a'、'b' 或 'c'``."""
    items = [f"'{item}'" for item in re.findall(r"'([^']*)'", text)]
    if len(items) < 2:
        return "".join(items) or text
    return f"{'、'.join(items[:-1])} 或 {items[-1]}"


def _token(text: str) -> str:
    kind, _, value = text.partition(" ")
    return f"{_TOKEN_KINDS[kind]} {value}".rstrip() if kind in _TOKEN_KINDS else text


def _who(text: str) -> str:
    if text.startswith("Subscription "):
        return f"订阅 {text.removeprefix('Subscription ')} "
    return _WORDS.get(text, text)


def _apply(rules: list[Rule], message: str, groups: dict[str, Callable[[str], str]]) -> str | None:
    for pattern, template in rules:
        match = pattern.fullmatch(message)
        if match is None:
            continue
        values = {name: (groups[name](value) if name in groups else value) for name, value in match.groupdict(default="").items()}
        return template.format(**values)
    return None


def _detail(text: str) -> str:
    return _apply(_DETAILS, text, {}) or text


def _value_message(message: str) -> str | None:
    return _apply(_VALUES, message, {"inner": _in_chinese, "default": lambda w: _WORDS.get(w, w), "options": _options, "detail": _detail})


def _in_chinese(message: str) -> str:
    """``message`` in zh-CN, or as it is when the table does not know it."""
    if message.startswith(_SYNTAX_PREFIX):
        description = message.removeprefix(_SYNTAX_PREFIX)
        translated = _apply(_SYNTAX, description, {"expected": _token, "token": _token, "what": lambda w: _WORDS.get(w, w)})
        return f"语法错误：{translated or description}"
    translated = _value_message(message)
    if translated is not None:
        return translated
    body, suggestion = message, ""
    suggested = _SUGGESTION.fullmatch(message)
    if suggested is not None:
        body = suggested["body"]
        options = _options(suggested["options"])
        if suggested["sub"] == "to use an inline fragment on":
            suggestion = f"您是否想在 {options} 上使用内联片段？"
        elif suggested["sub"] == "the enum value":
            suggestion = f"您是否想用枚举值 {options}？"
        else:
            suggestion = f"您是否想用 {options}？"
    translated = _apply(_VALIDATION, body, {"what": lambda w: _WORDS.get(w, w), "who": _who}) or _value_message(body)
    if translated is None:
        return message
    return translated + suggestion


def in_locale(message: str, locale: str) -> str:
    """A message of graphql-core or strawberry in ``locale`` (zh-CN or en)."""
    return _in_chinese(message) if locale == ZH else message


def transport_detail(detail: str, locale: str) -> str:
    """A transport error's detail (strawberry's reason for a 4xx) in ``locale``."""
    if locale != ZH:
        return detail
    return _apply(_TRANSPORT, detail, {"operations": lambda w: _WORDS.get(w, w), "kind": lambda w: _WORDS.get(w, w)}) or detail
