"""graphql-core's messages in the request's language: documents that do not parse or do not
fit the schema, and variables that do not coerce, are explained in zh-CN or en with the
same ``extensions.code``; a cached document serves both languages; the compiled path's
requests are explained the same way."""

from __future__ import annotations

import re

import pytest
from conftest import EXECUTOR
from graphql import GraphQLSchema, parse, validate

from schema import build_schema
from schema.core.graphql_messages import in_locale, transport_detail

pytestmark = pytest.mark.once

ZH, EN = {"Accept-Language": "zh-CN"}, {"Accept-Language": "en"}
CJK = re.compile(r"[\u4e00-\u9fff]")

PROJECTS_BY_FILTER = "query($f: ProjectFilter) { projects(filter: $f) { totalCount } }"

# (document, variables, en message, zh-CN message, code)
CASES = {
    "unknown field with a suggestion": (
        "{ viewer { rolez } }",
        None,
        "Cannot query field 'rolez' on type 'Viewer'. Did you mean 'roles'?",
        "类型 'Viewer' 上没有字段 'rolez'。您是否想用 'roles'？",
        "GRAPHQL_VALIDATION_FAILED",
    ),
    "unknown argument": (
        "{ projects(firs: 3) { totalCount } }",
        None,
        "Unknown argument 'firs' on field 'Query.projects'. Did you mean 'first'?",
        "字段 'Query.projects' 没有参数 'firs'。您是否想用 'first'？",
        "GRAPHQL_VALIDATION_FAILED",
    ),
    "required argument missing": (
        "{ project { id } }",
        None,
        "Argument 'Query.project(id:)' of type 'ID!' is required, but it was not provided.",
        "缺少必填参数 'Query.project(id:)'（类型 'ID!'）。",
        "GRAPHQL_VALIDATION_FAILED",
    ),
    "unknown type": (
        '{ node(id: "x") { ... on NoSuchType { id } } }',
        None,
        "Unknown type 'NoSuchType'.",
        "未知类型 'NoSuchType'。",
        "GRAPHQL_VALIDATION_FAILED",
    ),
    "selection on a scalar": (
        "{ viewer { kind { name } } }",
        None,
        "Field 'kind' must not have a selection since type 'String!' has no subfields.",
        "字段 'kind' 的类型 'String!' 没有子字段，不能带选择集。",
        "GRAPHQL_VALIDATION_FAILED",
    ),
    "object without a selection": (
        "{ viewer { user } }",
        None,
        "Field 'user' of type 'User' must have a selection of subfields. Did you mean 'user { ... }'?",
        "字段 'user'（类型 'User'）必须选择子字段。您是否想用 'user { ... }'？",
        "GRAPHQL_VALIDATION_FAILED",
    ),
    "literal of the wrong type": (
        '{ projects(first: "ten") { totalCount } }',
        None,
        'Int cannot represent non-integer value: "ten"',
        'Int 不能表示非整数值："ten"',
        "GRAPHQL_VALIDATION_FAILED",
    ),
    "variable in the wrong position": (
        "query($n: String) { projects(first: $n) { totalCount } }",
        {"n": "1"},
        "Variable '$n' of type 'String' used in position expecting type 'Int'.",
        "变量 '$n' 的类型为 'String'，不能用在需要类型 'Int' 的位置。",
        "GRAPHQL_VALIDATION_FAILED",
    ),
    "variable that is not an Int": (
        "query($n: Int) { projects(first: $n) { totalCount } }",
        {"n": "ten"},
        "Variable '$n' has invalid value: Int cannot represent non-integer value: 'ten'",
        "变量 '$n' 的值无效：Int 不能表示非整数值：'ten'",
        "BAD_USER_INPUT",
    ),
    "required variable missing": (
        "query($n: Int!) { projects(first: $n) { totalCount } }",
        {},
        "Variable '$n' has invalid value: Expected a value of non-null type 'Int!' to be provided.",
        "变量 '$n' 的值无效：缺少非空类型 'Int!' 的值。",
        "BAD_USER_INPUT",
    ),
    "variable with an unknown enum value": (
        PROJECTS_BY_FILTER,
        {"f": {"status": ["DRAFTT"]}},
        "Variable '$f' has invalid value at .status[0]: Value 'DRAFTT' does not exist in 'ProjectStatus' enum. "
        "Did you mean the enum value 'DRAFT'?",
        "变量 '$f' 的值无效（位于 .status[0]）：枚举 'ProjectStatus' 中没有值 'DRAFTT'。您是否想用枚举值 'DRAFT'？",
        "BAD_USER_INPUT",
    ),
    "variable with an unknown input field": (
        PROJECTS_BY_FILTER,
        {"f": {"stattus": ["DRAFT"]}},
        "Variable '$f' has invalid value: Expected value of type 'ProjectFilter' not to include unknown field 'stattus'. "
        "Did you mean 'status'? Found: {'stattus': ['DRAFT']}.",
        "变量 '$f' 的值无效：类型 'ProjectFilter' 没有字段 'stattus'。您是否想用 'status'？实际为：{'stattus': ['DRAFT']}。",
        "BAD_USER_INPUT",
    ),
    "variable that is not a date": (
        PROJECTS_BY_FILTER,
        {"f": {"plannedStartFrom": "2026-13-01"}},
        "Variable '$f' has invalid value at .plannedStartFrom: Value cannot represent a Date: \"2026-13-01\". month must be in 1..12",
        "变量 '$f' 的值无效（位于 .plannedStartFrom）：值 \"2026-13-01\" 不是有效的 Date（月份须在 1 到 12 之间）。",
        "BAD_USER_INPUT",
    ),
    "variable that is not a decimal": (
        PROJECTS_BY_FILTER,
        {"f": {"budgetMin": "lots"}},
        "Variable '$f' has invalid value at .budgetMin: Value cannot represent a Decimal: \"lots\".",
        "变量 '$f' 的值无效（位于 .budgetMin）：值 \"lots\" 不是有效的 Decimal。",
        "BAD_USER_INPUT",
    ),
    "syntax error": (
        "{ viewer { kind ",
        None,
        "Syntax Error: Expected Name, found <EOF>.",
        "语法错误：应为 名称，实际为 文档结尾。",
        "GRAPHQL_PARSE_FAILED",
    ),
    "unterminated string": (
        '{ projects(filter: {search: "道路}) { totalCount } }',
        None,
        "Syntax Error: Unterminated string.",
        "语法错误：字符串没有结束引号。",
        "GRAPHQL_PARSE_FAILED",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
async def test_graphql_errors_are_explained_in_the_request_language(api, case):
    """zh-CN first, then en, then zh-CN again: the document's validation is cached once (in
    English) and presented in each request's own language; the code never changes."""
    query, variables, en, zh, code = CASES[case]
    token = await api.token("owner")
    for headers, expected in ((ZH, zh), (EN, en), (ZH, zh), ({}, zh)):
        body = await api.gql(query, variables, token=token, headers=headers)
        assert [(e["message"], e["extensions"]["code"]) for e in body["errors"]] == [(expected, code)], headers


async def test_invalid_variables_of_a_compiled_document_are_explained_in_the_request_language(api, client):
    """A known document runs compiled; with variables that do not coerce it is answered by
    the general executor, in the request's language."""
    token = await api.token("owner")
    headers = {"Authorization": f"Bearer {token}"}
    valid = {"query": PROJECTS_BY_FILTER, "variables": {"f": {"status": ["DRAFT"]}}}
    await client.post("/graphql", json=valid, headers=headers)
    assert (await client.post("/graphql", json=valid, headers=headers)).headers[EXECUTOR] == "compiled"
    invalid = {"query": PROJECTS_BY_FILTER, "variables": {"f": {"status": ["NOPE"]}}}
    zh = (await client.post("/graphql", json=invalid, headers={**headers, **ZH})).json()["errors"]
    en = (await client.post("/graphql", json=invalid, headers={**headers, **EN})).json()["errors"]
    assert [e["message"] for e in zh] == ["变量 '$f' 的值无效（位于 .status[0]）：枚举 'ProjectStatus' 中没有值 'NOPE'。"]
    assert [e["message"] for e in en] == [
        "Variable '$f' has invalid value at .status[0]: Value 'NOPE' does not exist in 'ProjectStatus' enum."
    ]
    assert zh[0]["extensions"] == en[0]["extensions"] == {"code": "BAD_USER_INPUT"}


async def test_a_transport_error_is_explained_in_the_request_language(client):
    for headers, expected in ((ZH, "请求无效：无法将请求体解析为 JSON"), (EN, "Bad request: Unable to parse request body as JSON")):
        response = await client.post("/graphql", content=b"{not json", headers={"Content-Type": "application/json", **headers})
        assert response.json()["errors"][0]["message"] == expected


# Documents that graphql-core refuses for many different reasons; each message must be in
# the table (a graphql-core upgrade that rewords one fails here).
INVALID_DOCUMENTS = [
    "{ viewer { rolez } }",
    "{ node(id: 1) { kind } }",
    "{ projects(firs: 3) { totalCount } }",
    "{ project { id } }",
    "query($x: Contract) { viewer { kind } }",
    "query($x: Int) { viewer { kind } }",
    "{ viewer { kind { a } } }",
    "{ viewer { user } }",
    "query { viewer { kind } } query { viewer { kind } }",
    "query Q { viewer { kind } } query Q { viewer { kind } }",
    "{ viewer { ...Missing } }",
    "{ viewer { kind } } fragment F on Viewer { kind }",
    "{ viewer { ...F } } fragment F on Viewer { ...F }",
    "{ viewer { ... on Project { id } } }",
    "{ viewer { ...F } } fragment F on String { id }",
    "query($x: Int, $x: Int) { projects(first: $x) { totalCount } }",
    "query($x: Viewer) { viewer { kind } }",
    "{ projects(first: $n) { totalCount } }",
    "query($n: String) { projects(first: $n) { totalCount } }",
    '{ projects(first: "x") { totalCount } }',
    "{ projects(first: 1, first: 2) { totalCount } }",
    "{ projects(filter: {status: [DRAFTT]}) { totalCount } }",
    '{ projects(filter: {status: ["DRAFT"]}) { totalCount } }',
    "{ projects(filter: {stattus: [DRAFT]}) { totalCount } }",
    "{ projects(filter: {search: 1}) { totalCount } }",
    '{ projects(filter: {budgetMin: "lots"}) { totalCount } }',
    '{ projects(filter: {plannedStartFrom: "soon"}) { totalCount } }',
    "{ projects(first: 99999999999) { totalCount } }",
    "{ viewer @nope { kind } }",
    "{ viewer @include(if: true) @include(if: true) { kind } }",
    "subscription { notificationReceived { id } viewer2: notificationReceived { id } }",
    "{ nodes(ids: null) { id } }",
    "{ viewer { kind(x: 1) } }",
    "type Foo { a: Int }",
]
INVALID_SYNTAX = [
    "{ viewer { kind ",
    '{ viewer(a: "x\\q") { kind } }',
    "{ viewer { kind } } }",
    "{ a(b: 'c') }",
    "{ a(b: 01) }",
    "query($a: Int = $b) { a }",
]


@pytest.mark.parametrize("document", INVALID_DOCUMENTS)
def test_every_validation_message_has_a_translation(settings, document):
    errors = validate(_schema(settings), parse(document))
    assert errors
    for error in errors:
        assert CJK.search(in_locale(error.message, "zh-CN")), error.message
        assert in_locale(error.message, "en") == error.message


@pytest.mark.parametrize("document", INVALID_SYNTAX)
def test_every_syntax_message_has_a_translation(document):
    from graphql import GraphQLSyntaxError

    with pytest.raises(GraphQLSyntaxError) as raised:
        parse(document)
    translated = in_locale(raised.value.message, "zh-CN")
    assert translated.startswith("语法错误：") and CJK.search(translated.removeprefix("语法错误：")), raised.value.message


def test_a_message_the_table_does_not_know_stays_as_it_is():
    assert in_locale("Something graphql-core has not said before.", "zh-CN") == "Something graphql-core has not said before."
    assert transport_detail("A reason of the future", "zh-CN") == "A reason of the future"
    assert transport_detail("Unsupported content type", "en") == "Unsupported content type"
    assert transport_detail("Unsupported content type", "zh-CN") == "不支持的内容类型"


_SCHEMAS: dict[int, GraphQLSchema] = {}


def _schema(settings) -> GraphQLSchema:
    """The application's schema (development mode: suggestions on)."""
    if id(settings) not in _SCHEMAS:
        _SCHEMAS[id(settings)] = build_schema(settings)._schema
    return _SCHEMAS[id(settings)]
