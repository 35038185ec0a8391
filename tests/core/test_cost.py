"""The node limit: the product of nested page sizes bounds what a query may ask for, it is
refused before any statement runs, and ``extensions.cost`` reports what each query asked
for, on both executors."""

from __future__ import annotations

import httpx
import pytest
import pytest_asyncio
from conftest import DEMO_PASSWORD, count_statements, make_settings
from graphql import parse

from schema.core.cost import plan_cost

pytestmark = pytest.mark.once

EXECUTOR = "X-Smallworks-Executor"


def nodes(query: str, variables: dict | None = None, operation: str | None = None, default_size: int = 20) -> int:
    return plan_cost(parse(query), operation).nodes(variables, default_size)


# -- the rule ---------------------------------------------------------------------------


def test_nested_connections_multiply():
    """``first: 100`` at three levels: 100 + 100·100 + 100·100·100."""
    query = """{ tenders(first: 100) { nodes { bids(first: 100) { edges { node {
        items(first: 100) { nodes { id } } } } } } } }"""
    assert nodes(query) == 100 + 100**2 + 100**3 == 1_010_100


def test_siblings_add_and_last_counts_like_first():
    query = "{ a: projects(first: 10) { nodes { id } } b: projects(last: 5) { nodes { id } } }"
    assert nodes(query) == 15


def test_a_connection_without_page_arguments_returns_its_default_page():
    assert nodes("{ projects { totalCount nodes { id } } }", default_size=20) == 20
    assert nodes("{ projects { edges { node { id } } } }", default_size=7) == 7


def test_a_field_that_only_counts_asks_for_no_nodes():
    assert nodes("{ projects { totalCount } viewer { kind } }") == 0


def test_variables_and_their_defaults_set_the_sizes():
    query = "query Q($n: Int = 30, $m: Int) { projects(first: $n) { nodes { reviews(first: $m) { nodes { id } } } } }"
    assert nodes(query, {}, default_size=20) == 30 + 30 * 20
    assert nodes(query, {"n": 2, "m": 3}) == 2 + 2 * 3


def test_a_value_that_is_not_a_count_counts_as_the_default_page():
    # The field itself refuses it when it runs; the limit does not fail on it first.
    assert nodes("query($n: Int) { projects(first: $n) { nodes { id } } }", {"n": "many"}) == 20
    assert nodes("query($n: Int) { projects(first: $n) { nodes { id } } }", {"n": True}) == 20


def test_fragments_are_counted_where_they_are_spread():
    query = """
      query { a: projects(first: 10) { ...P } b: projects(first: 20) { ...P } }
      fragment P on ProjectConnection { nodes { documents(first: 3) { nodes { id } } } }
    """
    assert nodes(query) == (10 + 30) + (20 + 60)


def test_nodes_by_id_asks_for_one_node_per_id():
    assert nodes('{ nodes(ids: ["a", "b", "c"]) { id } }') == 3
    assert nodes("query($ids: [ID!]!) { nodes(ids: $ids) { id } }", {"ids": ["a"] * 50}) == 50


def test_the_operation_named_is_the_one_counted():
    query = "query A { projects(first: 5) { nodes { id } } } query B { projects(first: 50) { nodes { id } } }"
    assert nodes(query, operation="A") == 5
    assert nodes(query, operation="B") == 50
    assert nodes(query, operation="C") == 0


def test_a_fragment_cycle_counts_nothing():
    """graphql-core refuses the cycle; counting it must not loop."""
    query = "query { viewer { ...A } } fragment A on Viewer { ...B } fragment B on Viewer { ...A }"
    assert nodes(query) == 0


# -- through the API --------------------------------------------------------------------


@pytest_asyncio.fixture(scope="module")
async def limited(state, database_url):
    """An app whose node limit is 150."""
    from app.main import create_app

    app = create_app(make_settings(database_url, max_query_nodes=150), state=None)
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50002))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        r = await client.post("/auth/token", data={"grant_type": "password", "username": "admin", "password": DEMO_PASSWORD})
        assert r.status_code == 200, r.text
        client.headers["Authorization"] = f"Bearer {r.json()['access_token']}"
        yield client, app.state.smallworks
    await app.state.smallworks.close()


TWO_PAGES = "query Two($n: Int) { a: projects(first: $n) { nodes { id } } b: projects(first: $n) { nodes { id } } }"


@pytest.mark.parametrize("executor", ["general", "compiled"])
async def test_a_query_over_the_limit_is_refused_before_any_statement(limited, executor):
    client, state = limited
    headers = {"Accept-Language": "en"} | ({EXECUTOR: "general"} if executor == "general" else {})
    body = {"query": TWO_PAGES, "variables": {"n": 100}}
    if executor == "compiled":
        # A known document runs compiled; make it known with a size under the limit.
        warm = await client.post("/graphql", json={"query": TWO_PAGES, "variables": {"n": 1}}, headers=headers)
        assert warm.json()["extensions"]["cost"] == {"requestedNodes": 2, "limit": 150}
    with count_statements(state) as statements:
        response = await client.post("/graphql", json=body, headers=headers)
    answer = response.json()
    assert answer["data"] is None
    [error] = answer["errors"]
    assert error["extensions"] == {"code": "GRAPHQL_VALIDATION_FAILED", "reason": "MAX_NODE_LIMIT_EXCEEDED"}
    assert error["message"] == (
        "The query may return up to 200 nodes, more than the limit of 150; ask for smaller pages or nest fewer connections."
    )
    assert answer["extensions"]["cost"] == {"requestedNodes": 200, "limit": 150}
    assert statements == []


async def test_the_refusal_is_in_the_callers_language(limited):
    client, _ = limited
    response = await client.post("/graphql", json={"query": TWO_PAGES, "variables": {"n": 80}})
    [error] = response.json()["errors"]
    assert error["message"] == "查询最多可返回 160 个节点，超过上限 150 个；请减小 `first`/`last` 或嵌套层级。"


@pytest.mark.parametrize("executor", ["general", "compiled"])
async def test_a_query_at_the_limit_runs_and_reports_its_cost(limited, executor):
    client, _ = limited
    headers = {EXECUTOR: "general"} if executor == "general" else {}
    body = {"query": TWO_PAGES, "variables": {"n": 75}}
    for _ in range(2):  # the second request of a text runs compiled
        response = await client.post("/graphql", json=body, headers=headers)
    answer = response.json()
    assert response.headers[EXECUTOR] == executor
    assert "errors" not in answer, answer
    assert answer["extensions"] == {"cost": {"requestedNodes": 150, "limit": 150}}


async def test_default_limit_admits_a_full_page_and_reports_it(api):
    token = await api.token("admin")
    body = await api.gql("{ projects(first: 100) { totalCount nodes { id } } viewer { kind } }", token=token)
    assert body["extensions"] == {"cost": {"requestedNodes": 100, "limit": 50_000}}


async def test_a_mutation_reports_its_cost_too(api):
    token = (await api.password_token("admin"))["access_token"]  # a session of its own
    body = await api.gql("mutation { logout { revoked } }", token=token)
    assert body["data"] == {"logout": {"revoked": True}}
    assert body["extensions"]["cost"] == {"requestedNodes": 0, "limit": 50_000}
