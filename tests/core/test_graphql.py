"""GraphQL conventions and limits: Relay global IDs and cursor connections with a hard page
cap, a constant number of SQL statements per page, production hardening (no IDE, no
introspection, no suggestions, masked faults) and the limits that always apply (depth,
aliases, tokens, no mutations over GET, CSRF preflight for multipart)."""

from __future__ import annotations

import base64
import json
import secrets
from dataclasses import dataclass

import httpx
import pytest
import pytest_asyncio
from conftest import DEMO_PASSWORD, EXECUTOR, count_statements, global_id, make_settings, make_uscc, unique
from sqlalchemy import text

PASSWORD = "Kunshan-graphql-2026!"


# -- apps and clients ----------------------------------------------------------------


@dataclass
class Endpoint:
    """A client of one app and an administrator's token signed by that app."""

    mode: str
    client: httpx.AsyncClient
    token: str

    async def post(self, query: str, variables: dict | None = None, headers: dict | None = None) -> httpx.Response:
        h = {"Authorization": f"Bearer {self.token}", **(headers or {})}
        return await self.client.post("/graphql", json={"query": query, "variables": variables or {}}, headers=h)

    async def gql(self, query: str, variables: dict | None = None, headers: dict | None = None) -> dict:
        response = await self.post(query, variables, headers)
        assert response.status_code == 200, response.text
        return response.json()


async def _signed_in(client: httpx.AsyncClient, username: str = "admin") -> str:
    r = await client.post("/auth/token", data={"grant_type": "password", "username": username, "password": DEMO_PASSWORD})
    assert r.status_code == 200, r.text
    return r.json()["access_token"]


@pytest_asyncio.fixture(scope="module")
async def production(state, database_url):
    """The app as deployed: production settings with their own token secret and data key,
    on the shared database (``state`` has loaded the demo data). Its depth limit is small
    (see ``strict``)."""
    from app.main import create_app

    settings = make_settings(
        database_url,
        env="production",
        max_query_depth=3,
        jwt_secret=secrets.token_urlsafe(48),
        data_keys=json.dumps({"k1": base64.b64encode(secrets.token_bytes(32)).decode()}),
        data_key_id="k1",
        checkpoint_private_key=base64.b64encode(b"c" * 32).decode(),
    )
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50001))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield Endpoint("production", client, await _signed_in(client))
    await app.state.smallworks.close()


@pytest_asyncio.fixture(params=["test", "production"])
async def endpoint(request, client, api, production):
    """The same checks against the test-mode app and the production app."""
    if request.param == "production":
        return production
    return Endpoint("test", client, await api.token("admin"))


@pytest_asyncio.fixture(scope="module")
async def strict(state, database_url):
    """A test-mode app configured with a small depth limit (the schema has no cycles, so no
    valid query reaches the default limit of 12)."""
    from app.main import create_app

    app = create_app(make_settings(database_url, max_query_depth=3))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as client:
        yield Endpoint("strict", client, await _signed_in(client))
    await app.state.smallworks.close()


def error_of(body: dict) -> dict:
    assert body.get("errors"), body
    return body["errors"][0]


# -- Relay: Node and global IDs ------------------------------------------------------


async def test_node_returns_an_object_by_its_opaque_global_id(api):
    admin = await api.token("admin")
    viewer = (await api.ok("{ viewer { user { id username } organisation { id name } } }", token=admin))["viewer"]
    user_id, org_id = viewer["user"]["id"], viewer["organisation"]["id"]
    assert "User" not in user_id and ":" not in user_id
    data = await api.ok(
        """query($u: ID!, $o: ID!) {
             u: node(id: $u) { __typename id ... on User { username } }
             o: node(id: $o) { __typename id ... on Organisation { name } }
           }""",
        {"u": user_id, "o": org_id},
        token=admin,
    )
    assert data["u"] == {"__typename": "User", "id": user_id, "username": "admin"}
    assert data["o"] == {"__typename": "Organisation", "id": org_id, "name": viewer["organisation"]["name"]}


@pytest.mark.parametrize(
    "bad_id",
    [
        "!!!not-base64",
        base64.urlsafe_b64encode(b"NoSuchType:1").decode().rstrip("="),
        base64.urlsafe_b64encode(b"User:abc").decode().rstrip("="),
        base64.urlsafe_b64encode(b"User").decode().rstrip("="),
    ],
)
async def test_node_of_a_malformed_id_is_bad_user_input(api, bad_id):
    body = await api.gql(
        "query($id: ID!) { node(id: $id) { id } }", {"id": bad_id}, token=await api.token("admin"), headers={"Accept-Language": "en"}
    )
    assert body["data"] == {"node": None}
    error = error_of(body)
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "reason": "INVALID_ID"}
    assert error["message"] == f"Invalid global ID: {bad_id}."


async def test_node_of_a_missing_object_is_null(api):
    body = await api.gql("query($id: ID!) { node(id: $id) { id } }", {"id": global_id("User", 987654321)}, token=await api.token("admin"))
    assert body["data"] == {"node": None}


async def test_node_applies_the_row_scope_of_lists(api):
    """A contractor sees the people of their own company, not of another company, whether
    listing users or asking for one by ID."""
    admin = await api.token("admin")
    others = await api.ok('{ users(filter: {search: "contractor2"}) { nodes { id username } } }', token=admin)
    [other] = [u for u in others["users"]["nodes"] if u["username"] == "contractor2"]
    contractor = await api.token("contractor1")
    listed = await api.ok("{ users(first: 100) { nodes { id } } }", token=contractor)
    assert other["id"] not in {u["id"] for u in listed["users"]["nodes"]}
    body = await api.gql("query($id: ID!) { node(id: $id) { id } }", {"id": other["id"]}, token=contractor)
    assert body["data"] == {"node": None}


NODE = "query($id: ID!) { node(id: $id) { __typename id } }"


async def test_node_shows_only_kinds_one_may_list(api):
    """``node(id:)`` does not side-step the permission of a list: the policy lets only
    auditors list audit events, so an administrator's ``node`` of one is null; an evaluator,
    who may list organisations but not users, gets their organisation but not a colleague."""
    event = global_id("AuditEvent", 1)
    assert (await api.ok(NODE, {"id": event}, token=await api.token("auditor")))["node"] == {"__typename": "AuditEvent", "id": event}
    assert (await api.ok(NODE, {"id": event}, token=await api.token("admin")))["node"] is None

    expert = await api.token("expert1")
    viewer = (await api.ok("{ viewer { organisation { id } } }", token=expert))["viewer"]
    own = viewer["organisation"]["id"]
    assert (await api.ok(NODE, {"id": own}, token=expert))["node"] == {"__typename": "Organisation", "id": own}
    admin_user = (await api.ok("{ viewer { user { id } } }", token=await api.token("admin")))["viewer"]["user"]["id"]
    assert (await api.ok(NODE, {"id": admin_user}, token=expert))["node"] is None
    data = await api.ok("query($ids: [ID!]!) { nodes(ids: $ids) { id } }", {"ids": [own, admin_user]}, token=expert)
    assert data["nodes"] == [{"id": own}, None]


async def test_nodes_takes_at_most_one_page_of_ids(api):
    ids = [global_id("User", i) for i in range(1, 102)]
    body = await api.gql(
        "query($ids: [ID!]!) { nodes(ids: $ids) { id } }", {"ids": ids}, token=await api.token("admin"), headers={"Accept-Language": "en"}
    )
    error = error_of(body)
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "reason": "PAGE_SIZE_EXCEEDED"}
    assert error["message"] == "Requesting 101 records on the `ids` argument exceeds the limit of 100 records."


# -- connections: the page cap and paging --------------------------------------------


@pytest.mark.parametrize("field", ["organisations", "users", "auditEvents"])
async def test_more_than_100_per_page_is_refused_naming_the_limit(api, field):
    body = await api.gql(f"{{ {field}(first: 101) {{ totalCount }} }}", token=await api.token("auditor"), headers={"Accept-Language": "en"})
    assert body["data"] == {field: None}
    error = error_of(body)
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "reason": "PAGE_SIZE_EXCEEDED"}
    assert error["message"] == "Requesting 101 records on the `first` argument exceeds the limit of 100 records."


async def test_last_over_the_cap_is_refused(api):
    body = await api.gql("{ users(last: 250) { totalCount } }", token=await api.token("admin"), headers={"Accept-Language": "en"})
    assert error_of(body)["message"] == "Requesting 250 records on the `last` argument exceeds the limit of 100 records."


async def test_exactly_100_per_page_is_allowed(api):
    data = await api.ok("{ organisations(first: 100) { totalCount nodes { id } } }", token=await api.token("admin"))
    assert len(data["organisations"]["nodes"]) == min(100, data["organisations"]["totalCount"])


@pytest.mark.parametrize("argument", ["first", "last"])
async def test_negative_page_size_is_refused(api, argument):
    body = await api.gql(f"{{ users({argument}: -1) {{ totalCount }} }}", token=await api.token("admin"), headers={"Accept-Language": "en"})
    error = error_of(body)
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "reason": "PAGE_SIZE_NEGATIVE"}
    assert error["message"] == f"`{argument}` must not be negative."


async def test_first_and_last_together_are_refused(api):
    body = await api.gql(
        "{ organisations(first: 5, last: 5) { totalCount } }", token=await api.token("admin"), headers={"Accept-Language": "en"}
    )
    error = error_of(body)
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "reason": "PAGE_BOTH_DIRECTIONS"}
    assert error["message"] == "Passing both `first` and `last` is not supported."


def _cursor(raw: str) -> str:
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        "bm90IGpzb24",  # not JSON
        _cursor('"a"'),  # not a list
        _cursor("[1, 2]"),  # wrong width
        _cursor('["a"]'),  # text where the key is a number
        _cursor("[true]"),
        _cursor("[null]"),
        _cursor("[1.5]"),
        _cursor("[99999999999999999999999]"),  # beyond a 64-bit key
        _cursor('[{"dt": "2020-01-01T00:00:00"}]'),
        _cursor('[{"d": "2020-01-01"}]'),  # a day where the key is a number
        _cursor('[{"d": "2020-02-30"}]'),
        _cursor('[{"dec": "abc"}]'),
        _cursor('[{"x": 1}]'),
    ],
)
@pytest.mark.parametrize("argument", ["after", "before"])
async def test_a_forged_cursor_is_refused(api, cursor, argument):
    """Cursors are client input: one that does not fit the ordering is refused as bad input
    on every backend, never passed on to the database."""
    body = await api.gql(
        f"query($c: String) {{ users(first: 5, {argument}: $c) {{ totalCount }} }}",
        {"c": cursor},
        token=await api.token("admin"),
        headers={"Accept-Language": "en"},
    )
    assert body["data"] == {"users": None}
    error = error_of(body)
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "reason": "INVALID_CURSOR"}
    assert error["message"] == "Invalid pagination cursor."


async def test_first_zero_returns_no_items_but_says_more_exist(api):
    data = await api.ok("{ users(first: 0) { totalCount edges { cursor } pageInfo { hasNextPage } } }", token=await api.token("admin"))
    assert data["users"]["edges"] == []
    assert data["users"]["totalCount"] > 0
    assert data["users"]["pageInfo"]["hasNextPage"] is True


async def test_without_first_a_page_has_the_default_size(api):
    await _enough_users(api, 21)
    data = await api.ok("{ users { totalCount pageInfo { hasNextPage } nodes { id } } }", token=await api.token("admin"))
    assert len(data["users"]["nodes"]) == 20
    assert data["users"]["pageInfo"]["hasNextPage"] is True


async def _page_forward(api, token: str, field: str, size: int) -> tuple[list[str], int]:
    query = f"""query($first: Int, $after: String) {{
      {field}(first: $first, after: $after) {{
        totalCount pageInfo {{ hasNextPage hasPreviousPage startCursor endCursor }} edges {{ cursor node {{ id }} }}
      }}
    }}"""
    ids, after, total = [], None, None
    while True:
        page = (await api.ok(query, {"first": size, "after": after}, token=token))[field]
        total = page["totalCount"]
        assert len(page["edges"]) <= size
        assert page["pageInfo"]["hasPreviousPage"] is (after is not None)
        if page["edges"]:
            assert page["pageInfo"]["startCursor"] == page["edges"][0]["cursor"]
            assert page["pageInfo"]["endCursor"] == page["edges"][-1]["cursor"]
        ids += [e["node"]["id"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            return ids, total
        after = page["pageInfo"]["endCursor"]


async def _page_backward(api, token: str, field: str, size: int) -> list[str]:
    query = f"""query($last: Int, $before: String) {{
      {field}(last: $last, before: $before) {{ pageInfo {{ hasPreviousPage startCursor }} nodes {{ id }} }}
    }}"""
    pages, before = [], None
    while True:
        page = (await api.ok(query, {"last": size, "before": before}, token=token))[field]
        assert len(page["nodes"]) <= size
        pages.insert(0, [n["id"] for n in page["nodes"]])
        if not page["pageInfo"]["hasPreviousPage"]:
            return [i for p in pages for i in p]
        before = page["pageInfo"]["startCursor"]


@pytest.mark.parametrize("field", ["organisations", "users"])
async def test_paging_forward_and_backward_returns_every_item_once(api, field):
    """Small pages in both directions cover the whole list, in the same order, each item
    exactly once, and add up to ``totalCount``."""
    admin = await api.token("admin")
    await _enough_users(api, 25)
    forward, total = await _page_forward(api, admin, field, 7)
    assert len(forward) == total == len(set(forward))
    assert total >= 9
    everything = (await api.ok(f"{{ {field}(first: 100) {{ nodes {{ id }} }} }}", token=admin))[field]["nodes"]
    if total <= 100:
        assert forward == [n["id"] for n in everything]
    backward = await _page_backward(api, admin, field, 7)
    assert backward == forward


async def test_total_count_follows_the_filter(api):
    admin = await api.token("admin")
    marker = unique("计数")
    for _ in range(3):
        await _create_organisation(api, admin, name=f"{marker}单位{unique()}")
    data = await api.ok(
        "query($s: String) { organisations(first: 2, filter: {search: $s}) { totalCount nodes { id } pageInfo { hasNextPage } } }",
        {"s": marker},
        token=admin,
    )
    assert data["organisations"]["totalCount"] == 3
    assert len(data["organisations"]["nodes"]) == 2
    assert data["organisations"]["pageInfo"]["hasNextPage"] is True


# -- SQL statements per page ---------------------------------------------------------


async def _create_organisation(api, token: str, **overrides) -> dict:
    values = {"name": unique("接口测试单位"), "kind": "CONTRACTOR", "uscc": make_uscc(), "regionCode": "320583"}
    values.update(overrides)
    data = await api.ok(
        "mutation($input: CreateOrganisationInput!) { createOrganisation(input: $input) { organisation { id name } errors { code } } }",
        {"input": values},
        token=token,
    )
    assert data["createOrganisation"]["errors"] == []
    return data["createOrganisation"]["organisation"]


async def _enough_users(api, wanted: int) -> None:
    """Makes sure the administrator can see at least ``wanted`` users, spread over several
    organisations and holding roles."""
    admin = await api.token("admin")
    total = (await api.ok("{ users(first: 1) { totalCount } }", token=admin))["users"]["totalCount"]
    orgs = [await _create_organisation(api, admin) for _ in range(min(3, max(wanted - total, 0)))]
    for i in range(max(wanted - total, 0)):
        data = await api.ok(
            "mutation($input: CreateUserInput!) { createUser(input: $input) { errors { code } } }",
            {
                "input": {
                    "username": unique("gql.user."),
                    "displayName": "分页用户",
                    "organisationId": orgs[i % len(orgs)]["id"],
                    "password": PASSWORD,
                    "roles": ["CONTRACTOR"],
                }
            },
            token=admin,
        )
        assert data["createUser"]["errors"] == []


async def _statements(api, state, query: str, token: str, size: int, field: str) -> int:
    with count_statements(state) as statements:
        data = await api.ok(query, {"n": size}, token=token)
    assert len(data[field]["nodes"]) == size
    return len(statements)


USERS_PAGE = """query($n: Int) { users(first: $n) {
  totalCount nodes { id username roles organisation { id name } } } }"""
ORGANISATIONS_PAGE = "query($n: Int) { organisations(first: $n) { totalCount nodes { id name kind uscc } } }"
AUDIT_PAGE = "query($n: Int) { auditEvents(first: $n) { totalCount nodes { id sequence operation targetId changes } } }"


@pytest.mark.parametrize(
    "field, query, user",
    [("users", USERS_PAGE, "admin"), ("organisations", ORGANISATIONS_PAGE, "admin"), ("auditEvents", AUDIT_PAGE, "auditor")],
)
async def test_statement_count_does_not_grow_with_page_size(api, state, field, query, user):
    """A page of 50 (with nested organisation and roles for users) costs the same number of
    SQL statements as a page of 5: nested fields are batched, not loaded row by row."""
    await _enough_users(api, 51)
    admin = await api.token("admin")
    while (await api.ok("{ organisations(first: 1) { totalCount } }", token=admin))["organisations"]["totalCount"] < 51:
        await _create_organisation(api, admin)
    token = await api.token(user)
    await api.ok(query, {"n": 1}, token=token)  # a policy reload, if one is due, happens here
    small = await _statements(api, state, query, token, 5, field)
    large = await _statements(api, state, query, token, 50, field)
    assert small == large
    assert small <= 8


# -- production mode -----------------------------------------------------------------


async def test_graphiql_is_served_only_outside_production(client, production):
    dev = await client.get("/graphql", headers={"Accept": "text/html"})
    assert dev.status_code == 200 and "graphiql" in dev.text.lower()
    prod = await production.client.get("/graphql", headers={"Accept": "text/html"})
    assert prod.status_code in (400, 404, 405)
    assert "graphiql" not in prod.text.lower() and "<html" not in prod.text.lower()


async def test_introspection_is_refused_in_production(api, production):
    """Outside production the schema can be introspected, signed in or not (GraphiQL needs
    it); production refuses it."""
    query = "{ __schema { types { name } } }"
    dev = await api.ok(query)
    assert any(t["name"] == "Organisation" for t in dev["__schema"]["types"])
    body = await production.gql(query)
    assert body["data"] is None
    error = error_of(body)
    assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert "introspection" in error["message"].lower()


async def test_typename_needs_no_permission(endpoint):
    body = await endpoint.client.post("/graphql", json={"query": "{ __typename }"})
    assert body.json()["data"] == {"__typename": "Query"}


async def test_no_field_suggestions_in_production(api, production):
    query = "{ viewer { kindd } }"
    english = {"Accept-Language": "en"}
    dev = error_of(await api.gql(query, token=await api.token("admin"), headers=english))
    assert "Did you mean" in dev["message"]
    assert "您是否想用 'kind'" in error_of(await api.gql(query, token=await api.token("admin")))["message"]
    prod = error_of(await production.gql(query, headers=english))
    assert prod["message"] == "Cannot query field 'kindd' on type 'Viewer'."
    assert prod["extensions"] == {"code": "GRAPHQL_VALIDATION_FAILED"}
    assert error_of(await production.gql(query))["message"] == "类型 'Viewer' 上没有字段 'kindd'。"


async def test_unexpected_faults_are_masked_in_production(state, production, database_url):
    """Phone numbers sealed with a data key that the running app does not hold cannot be
    decrypted: an unexpected fault. Production answers INTERNAL without any detail; in test
    mode the detail is shown to help debugging."""
    from app.main import create_app

    query = '{ users(first: 1, filter: {search: "auditor"}) { nodes { username phone } } }'
    body = await production.gql(query, headers={"Accept-Language": "en"})
    assert body["data"] == {"users": {"nodes": [{"username": "auditor", "phone": None}]}}
    error = error_of(body)
    assert error["message"] == "Internal server error."
    assert error["extensions"]["code"] == "INTERNAL" and len(error["extensions"]["requestId"]) >= 16
    assert "decrypt" not in json.dumps(body)

    other_key = json.dumps({"k1": base64.b64encode(secrets.token_bytes(32)).decode()})
    app = create_app(make_settings(database_url, data_keys=other_key, data_key_id="k1"))
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as client:
            token = await _signed_in(client)
            r = await client.post("/graphql", json={"query": query}, headers={"Authorization": f"Bearer {token}"})
        error = error_of(r.json())
        assert error["extensions"]["code"] == "INTERNAL"
        assert "decrypt" in error["message"]
    finally:
        await app.state.smallworks.close()


def test_database_errors_are_never_shown_even_in_development(caplog):
    """A database error's text carries SQL and parameters: the client gets INTERNAL and the
    request id, in development too; the log has the detail and the same request id."""
    from types import SimpleNamespace

    from graphql import GraphQLError
    from sqlalchemy.exc import DBAPIError

    from schema.core.extensions import ErrorPresentation

    presentation = ErrorPresentation(production=False)
    presentation.execution_context = SimpleNamespace(context=SimpleNamespace(meta=SimpleNamespace(locale="en", request_id="req-123")))
    fault = DBAPIError("SELECT secret FROM accounts WHERE token = $1", ("hunter2",), Exception("boom"))
    shown = presentation._present(GraphQLError("x", path=["users"], original_error=fault), "en")
    assert shown.message == "Internal server error."
    assert shown.extensions == {"code": "INTERNAL", "requestId": "req-123"}
    assert "req-123" in caplog.text and "SELECT secret" in caplog.text
    other = presentation._present(GraphQLError("x", path=["users"], original_error=ValueError("not from the database")), "en")
    assert other.message == "not from the database"  # development still shows other faults


# -- limits that always apply --------------------------------------------------------


@pytest_asyncio.fixture(params=["test", "production"])
async def shallow(request, strict, production):
    """An app of either mode whose depth limit is 3."""
    return strict if request.param == "test" else production


async def test_a_query_deeper_than_the_limit_is_refused(shallow):
    """Depth counts levels of nested fields: with a limit of 3, ``viewer → user → organisation
    → name`` (four levels) is refused before anything runs, ``viewer → user → username`` runs."""
    ok = await shallow.gql("{ viewer { user { username } } }")
    assert ok["data"] == {"viewer": {"user": {"username": "admin"}}}
    body = await shallow.gql("{ viewer { user { organisation { name } } } }", headers={"Accept-Language": "en"})
    assert body["data"] is None
    error = error_of(body)
    assert error["extensions"] == {"code": "GRAPHQL_VALIDATION_FAILED", "reason": "QUERY_TOO_DEEP"}
    assert error["message"] == "The query is nested deeper than the limit of 3."
    zh = error_of(await shallow.gql("{ viewer { user { organisation { name } } } }"))
    assert zh["message"] == "查询嵌套层级超过上限 3。"


async def test_depth_counts_fields_inside_fragments(shallow):
    query = """
      query { viewer { ...Who } }
      fragment Who on Viewer { user { ... on User { organisation { name } } } }
    """
    error = error_of(await shallow.gql(query))
    assert error["extensions"] == {"code": "GRAPHQL_VALIDATION_FAILED", "reason": "QUERY_TOO_DEEP"}


async def test_introspection_adds_no_depth(strict):
    """Introspection is not a data query; its nesting is not counted (production refuses it)."""
    query = '{ __type(name: "User") { fields { type { ofType { ofType { name } } } } } }'
    data = (await strict.gql(query))["data"]
    assert data["__type"]["fields"]


async def test_too_many_aliases_are_refused(endpoint):
    many = "{ " + " ".join(f"a{i}: viewer {{ kind }}" for i in range(100)) + " }"
    body = await endpoint.gql(many, headers={"Accept-Language": "en"})
    assert body["data"] is None
    error = error_of(body)
    assert error["extensions"] == {"code": "GRAPHQL_VALIDATION_FAILED", "reason": "TOO_MANY_ALIASES"}
    assert error["message"] == "The query uses 100 aliases, more than the limit of 30."


async def test_thirty_aliases_are_allowed(endpoint):
    query = "{ " + " ".join(f"a{i}: viewer {{ kind }}" for i in range(30)) + " }"
    data = (await endpoint.gql(query))["data"]
    assert len(data) == 30 and data["a29"] == {"kind": "user"}


async def test_aliases_in_fragments_count_each_time_they_are_spread(endpoint):
    query = (
        "query { " + " ".join(f"v{i}: viewer {{ ...Kinds }}" for i in range(4)) + " } "
        "fragment Kinds on Viewer { " + " ".join(f"k{i}: kind" for i in range(7)) + " }"
    )
    error = error_of(await endpoint.gql(query, headers={"Accept-Language": "en"}))
    assert error["message"] == "The query uses 32 aliases, more than the limit of 30."


async def test_a_huge_document_is_refused_by_token_count(endpoint):
    huge = "{ viewer { " + " ".join(["kind"] * 2500) + " } }"
    body = await endpoint.gql(huge, headers={"Accept-Language": "en"})
    assert body["data"] is None
    error = error_of(body)
    assert error["extensions"] == {"code": "GRAPHQL_VALIDATION_FAILED", "reason": "TOO_MANY_TOKENS"}
    assert error["message"] == "The query has more than the limit of 2000 tokens."


async def test_a_query_over_get_works(endpoint):
    r = await endpoint.client.get(
        "/graphql", params={"query": "{ viewer { kind } }"}, headers={"Authorization": f"Bearer {endpoint.token}"}
    )
    assert r.status_code == 200
    assert r.json()["data"] == {"viewer": {"kind": "user"}}


async def _audit_head(state) -> int:
    async with state.db.read() as session:
        return (await session.execute(text("SELECT seq FROM audit_head WHERE id = 1"))).scalar_one()


async def test_a_mutation_over_get_is_refused(endpoint, state):
    """Refused before it runs (so a cross-site link cannot change anything): nothing is written."""
    before = await _audit_head(state)
    r = await endpoint.client.get(
        "/graphql",
        params={
            "query": 'mutation { createOrganisation(input: {name: "GET", kind: OWNER, uscc: "%s", regionCode: "320583"}) { errors { code } } }'
            % make_uscc()
        },
        headers={"Authorization": f"Bearer {endpoint.token}"},
    )
    assert (r.status_code, r.headers["allow"]) == (405, "POST")  # GraphQL over HTTP: 405 Method Not Allowed
    assert error_of(r.json())["extensions"] == {"code": "MUTATION_OVER_GET"}
    assert await _audit_head(state) == before
    english = await endpoint.client.get(
        "/graphql",
        params={"query": "mutation { logout { revoked } }"},
        headers={"Authorization": f"Bearer {endpoint.token}", "Accept-Language": "en"},
    )
    assert error_of(english.json())["message"] == "Mutations cannot be sent over GET; use POST."


def _multipart(query: str) -> dict:
    """A GraphQL multipart request (the file upload spec) carrying no files."""
    return {"operations": (None, json.dumps({"query": query, "variables": {}})), "map": (None, "{}")}


async def test_multipart_without_preflight_header_is_refused(endpoint):
    r = await endpoint.client.post(
        "/graphql", files=_multipart("{ viewer { kind } }"), headers={"Authorization": f"Bearer {endpoint.token}"}
    )
    assert r.status_code == 400
    error = error_of(r.json())
    assert error["extensions"] == {"code": "CSRF_PREFLIGHT_REQUIRED"}
    assert "GraphQL-Require-Preflight" in error["message"]


async def test_multipart_with_preflight_header_is_accepted(endpoint):
    r = await endpoint.client.post(
        "/graphql",
        files=_multipart("{ viewer { kind } }"),
        headers={"Authorization": f"Bearer {endpoint.token}", "GraphQL-Require-Preflight": "true"},
    )
    assert r.status_code == 200, r.text
    assert r.json()["data"] == {"viewer": {"kind": "user"}}


# -- errors: codes and languages -----------------------------------------------------


async def test_errors_carry_a_code(endpoint):
    """Refusals, malformed input and unknown fields each carry ``extensions.code``."""
    anonymous = await endpoint.client.post("/graphql", json={"query": "{ users(first: 1) { totalCount } }"})
    assert error_of(anonymous.json())["extensions"]["code"] == "UNAUTHENTICATED"
    assert error_of(await endpoint.gql("{ verifyAuditTrail { valid } }"))["extensions"]["code"] == "FORBIDDEN"
    assert error_of(await endpoint.gql('{ node(id: "x") { id } }'))["extensions"]["code"] == "BAD_USER_INPUT"
    assert error_of(await endpoint.gql("{ nope }"))["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert error_of(await endpoint.gql("{ viewer { "))["extensions"]["code"] == "GRAPHQL_PARSE_FAILED"
    assert error_of(await endpoint.gql("query { viewer { kind } } }"))["extensions"]["code"] == "GRAPHQL_PARSE_FAILED"


@pytest.mark.parametrize(
    "accept_language, message",
    [
        (None, "请求 101 条记录超过了 `first` 的上限 100 条。"),
        ("zh-CN,zh;q=0.9", "请求 101 条记录超过了 `first` 的上限 100 条。"),
        ("en-GB,en;q=0.9", "Requesting 101 records on the `first` argument exceeds the limit of 100 records."),
        ("fr-FR, en;q=0.5, zh;q=0.4", "Requesting 101 records on the `first` argument exceeds the limit of 100 records."),
    ],
)
async def test_messages_follow_accept_language(api, accept_language, message):
    headers = {"Accept-Language": accept_language} if accept_language else {}
    body = await api.gql("{ users(first: 101) { totalCount } }", token=await api.token("admin"), headers=headers)
    error = error_of(body)
    assert error["message"] == message
    assert error["extensions"]["code"] == "BAD_USER_INPUT"


async def test_user_errors_are_translated_too(api):
    """Validation failures in a mutation payload follow the same language negotiation."""
    admin = await api.token("admin")
    query = "mutation($input: CreateOrganisationInput!) { createOrganisation(input: $input) { errors { code field message } } }"
    variables = {"input": {"name": "x", "kind": "OWNER", "uscc": make_uscc(), "regionCode": "32058"}}
    en = (await api.ok(query, variables, token=admin, headers={"Accept-Language": "en"}))["createOrganisation"]["errors"]
    zh = (await api.ok(query, variables, token=admin))["createOrganisation"]["errors"]
    assert en == [{"code": "INVALID_REGION_CODE", "field": "regionCode", "message": "The region code must be 6 digits."}]
    assert zh == [{"code": "INVALID_REGION_CODE", "field": "regionCode", "message": "行政区划代码须为6位数字。"}]


WEBHOOK = """mutation($input: CreateWebhookSubscriptionInput!) {
  createWebhookSubscription(input: $input) { subscription { id } errors { code field } }
}"""


@pytest.mark.parametrize(
    "url, code",
    [
        ("http://hooks.example.org/smallworks", "INSECURE_URL"),
        ("https://127.0.0.1:8443/hook", "PRIVATE_ADDRESS"),
        ("https://localhost/hook", "PRIVATE_ADDRESS"),
        ("https://10.1.2.3/hook", "PRIVATE_ADDRESS"),
        ("https://[::1]/hook", "PRIVATE_ADDRESS"),
        ("https://no-such-host.invalid/hook", "PRIVATE_ADDRESS"),
    ],
)
async def test_production_webhooks_must_be_https_to_public_hosts(production, url, code):
    """A webhook is a request the servers make: in production it may not reach their own network."""
    org = (await production.gql("{ viewer { organisation { id } } }"))["data"]["viewer"]["organisation"]["id"]
    body = await production.gql(WEBHOOK, {"input": {"organisationId": org, "url": url, "eventTypes": ["project.approved"]}})
    payload = body["data"]["createWebhookSubscription"]
    assert payload == {"subscription": None, "errors": [{"code": code, "field": "url"}]}


async def test_malformed_bodies_are_answered_4xx_with_a_code(api, app):
    """A body that is not UTF-8 is a 400, not a traceback; a body over the limit is a 413,
    told by its Content-Length or, without one, as soon as more than the limit arrived."""
    import httpx

    bad = await api.client.post(
        "/graphql", content=b'{"query": "{ viewer { kind } }\xff\xfe"}', headers={"Content-Type": "application/json"}
    )
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"

    limit = app.state.smallworks.settings.max_request_bytes
    padded = b'{"query": "{ viewer { kind } }' + b" " * limit + b'"}'
    big = await api.client.post("/graphql", content=padded, headers={"Content-Type": "application/json", "Accept-Language": "zh-CN"})
    assert big.status_code == 413
    error = big.json()["errors"][0]
    assert error["extensions"]["code"] == "REQUEST_TOO_LARGE" and str(limit) in error["message"]

    async def chunks():
        for _ in range(limit // 65536 + 2):
            yield b" " * 65536

    streamed = await api.client.post("/graphql", content=chunks(), headers={"Content-Type": "application/json"})
    assert streamed.status_code == 413
    fine = await api.client.post("/graphql", json={"query": "{ __typename }"})
    assert fine.status_code == 200 and fine.json()["data"] == {"__typename": "Query"}
    assert (await api.client.get("/healthz")).status_code == 200
    assert isinstance(api.client, httpx.AsyncClient)


async def test_ids_no_table_can_hold_are_invalid_ids_and_repeated_only_in_part(api):
    """A global ID whose number overflows BIGINT, or whose digits are not ASCII, is
    INVALID_ID (not a database overflow, which was INTERNAL); the error repeats at most 64
    characters of it."""
    token = await api.token("owner")
    huge = global_id("Project", 999999999999999999999)
    superscript = global_id("Project", "²")
    long = "A" * 10_000
    for query, variables in (
        ("query($id: ID!) { project(id: $id) { code } }", {"id": huge}),
        ("query($id: ID!) { project(id: $id) { code } }", {"id": superscript}),
        ("query($id: ID!) { node(id: $id) { id } }", {"id": huge}),
        ("query($id: ID!) { node(id: $id) { id } }", {"id": long}),
        ("query($ids: [ID!]!) { nodes(ids: $ids) { id } }", {"ids": [huge]}),
        ("query($id: ID!) { project(id: $id) { code } }", {"id": long}),
    ):
        response = await api.post(query, variables, token=token)
        assert response.status_code == 200
        error = response.json()["errors"][0]
        assert error["extensions"] == {"code": "BAD_USER_INPUT", "reason": "INVALID_ID"}, (variables, error)
        assert len(error["message"]) < 100


# -- faults and transports ------------------------------------------------------------


@pytest.mark.parametrize("executor", ["general", "compiled"])
async def test_a_subscription_over_http_is_refused_with_its_code(api, executor):
    token = await api.token("owner")
    headers = {"Authorization": f"Bearer {token}", "Accept-Language": "en"} | ({EXECUTOR: "general"} if executor == "general" else {})
    for _ in range(2):  # a repeated text would run compiled, were it a query
        response = await api.client.post("/graphql", json={"query": "subscription { notificationReceived { eventType } }"}, headers=headers)
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error == {
        "message": "Subscriptions are served over WebSocket (the graphql-transport-ws protocol) at /graphql.",
        "extensions": {"code": "SUBSCRIPTION_OVER_HTTP"},
    }


async def test_a_database_fault_while_finding_the_caller_is_internal_with_a_request_id(api, tmp_path):
    """The database is unreachable when the gate asks who is calling: each root field is
    INTERNAL with the request id, on both executors, and the answer shows no SQL."""
    from app.main import create_app

    broken = create_app(make_settings(f"sqlite+aiosqlite:///{tmp_path / 'missing' / 'no.db'}"))
    token = await api.token("owner")  # signed with the same development secret
    transport = httpx.ASGITransport(app=broken)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            for _ in range(2):  # the second request of a text tries the compiled path first
                response = await client.post(
                    "/graphql", json={"query": "{ viewer { kind } }"}, headers={"Authorization": f"Bearer {token}", "Accept-Language": "en"}
                )
                assert response.status_code == 200, response.text
                body = response.json()
                [error] = body["errors"]
                assert error["extensions"]["code"] == "INTERNAL" and len(error["extensions"]["requestId"]) >= 16
                assert error["message"] == "Internal server error."
                assert "sqlite" not in response.text.lower() and "select" not in response.text.lower()
    finally:
        await broken.state.smallworks.close()
