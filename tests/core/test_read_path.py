"""The read path: the gate decides root fields once per operation, documents are parsed and
validated once per text, and a request's reads share one connection."""

from __future__ import annotations

import asyncio
import gc

import pytest
import strawberry
import strawberry.schema.schema as strawberry_schema
from conftest import BACKEND, count_statements
from strawberry.extensions import SchemaExtension

from app.context import RequestContext, request_meta

VIEWER_AND_USERS = """
query Mixed {
  me: viewer { kind }
  again: viewer { kind }
  ...Lists
}
fragment Lists on Query { trail: auditEvents(first: 1) { totalCount } }
"""


async def test_a_refused_root_field_is_null_with_its_error_while_the_others_run(api):
    # Contractors may read the viewer but not the audit trail; the list sits in a fragment
    # under an alias, and the viewer is asked twice under two aliases.
    token = await api.token("contractor1")
    body = await api.gql(VIEWER_AND_USERS, token=token)
    assert body["data"]["me"] == body["data"]["again"] == {"kind": "user"}
    assert body["data"]["trail"] is None
    assert [(e["path"], e["extensions"]["code"]) for e in body["errors"]] == [(["trail"], "FORBIDDEN")]


async def test_the_gate_adds_no_per_field_hook(app):
    schema = app.routes[0].endpoint.schema
    hooked = [e for e in schema.extensions if isinstance(e, type) and e.resolve is not SchemaExtension.resolve]
    assert hooked == []
    # Only root fields carry the gate's decision; nested fields keep strawberry's resolvers.
    project = schema._schema.type_map["Project"]
    assert all(
        getattr(f.resolve, "__name__", "") != "resolver" or f.resolve.__qualname__.startswith("Schema") for f in project.fields.values()
    )


async def test_the_gate_asks_the_policy_once_per_root_field_not_per_field(api, state, monkeypatch):
    token = await api.token("owner")
    asked: list[str] = []
    original = state.policy.allows

    def counting(roles, region, obj, act):
        asked.append(obj)
        return original(roles, region, obj, act)

    monkeypatch.setattr(state.policy, "allows", counting)
    query = "{ projects(first: 20) { nodes { id code title lineItems { name } documents { filename } } } }"
    for executor in ("general", "compiled"):
        asked.clear()
        await api.ok(query, token=token, headers={"X-Smallworks-Executor": executor})
        assert asked == ["Query.projects"], executor


async def test_a_repeated_document_is_neither_parsed_nor_validated_again(api, app, monkeypatch):
    schema = app.routes[0].endpoint.schema
    token = await api.token("owner")
    query = "query RepeatMe { viewer { kind roles } }"
    await api.ok(query, token=token)  # the first request of this text parses and validates it

    calls = {"parse": 0, "validate": 0}
    parse, validate = strawberry_schema.parse, strawberry_schema.validate_document

    def counting_parse(*args, **kwargs):
        calls["parse"] += 1
        return parse(*args, **kwargs)

    def counting_validate(*args, **kwargs):
        calls["validate"] += 1
        return validate(*args, **kwargs)

    monkeypatch.setattr(strawberry_schema, "parse", counting_parse)
    monkeypatch.setattr(strawberry_schema, "validate_document", counting_validate)
    hits = schema.documents.hits
    general = {"X-Smallworks-Executor": "general"}  # the compiled path reads no document at all
    for _ in range(3):
        await api.ok(query, token=token, headers=general)
    assert calls == {"parse": 0, "validate": 0}
    assert schema.documents.hits == hits + 3
    # A new text is parsed and validated once.
    await api.ok(query + " ", token=token, headers=general)
    assert calls == {"parse": 1, "validate": 1}


async def test_a_cached_invalid_document_keeps_its_errors(api):
    token = await api.token("owner")
    for _ in range(2):
        body = await api.gql("{ viewer { noSuchField } }", token=token)
        assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


@pytest.mark.skipif(BACKEND != "sqlite", reason="reads no table; runs once, in the SQLite run")
async def test_memory_stays_flat_over_ten_thousand_requests(state, app):
    """Executes the same operations 10,000 times through the schema with a fresh request
    context each time; the number of live objects must not grow with the requests."""
    schema = app.routes[0].endpoint.schema
    queries = ["{ __typename }", "query A { __typename }", "query B { __typename }"]

    async def run(n: int) -> None:
        for i in range(n):
            ctx = RequestContext(state, request_meta({}, "127.0.0.1"), None)
            result = await schema.execute(queries[i % 3], context_value=ctx)
            assert result.errors is None

    await run(500)  # warm up: caches filled, lazy imports done
    gc.collect()
    before = len(gc.get_objects())
    await run(10_000)
    gc.collect()
    after = len(gc.get_objects())
    assert after - before < 500, (before, after)


async def test_loader_batches_of_one_request_share_one_connection(api, state):
    from sqlalchemy import event

    token = await api.token("owner")
    query = (
        "{ projects(first: 20) { pageInfo { hasNextPage } nodes { id ownerOrganisation { name } "
        "lineItems { name } statusHistory { toStatus } documents { filename } } } }"
    )
    await api.ok(query, token=token)  # the process has loaded its policy; the document is known
    checkouts: list[int] = []

    def on_checkout(dbapi_connection, record, proxy):
        checkouts.append(id(dbapi_connection))

    engine = state.db.engine.sync_engine
    event.listen(engine, "checkout", on_checkout)
    try:
        for executor in ("general", "compiled"):
            checkouts.clear()
            with count_statements(state) as statements:
                response = await api.post(query, token=token, headers={"X-Smallworks-Executor": executor})
            assert response.headers["X-Smallworks-Executor"] == executor
            selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
            assert len(checkouts) == 1, (executor, checkouts)
            # The page, owners, line items, status history and documents; who is signed in
            # was looked up by the first request and is kept (``SignedInCache``).
            assert len(selects) == 5, (executor, selects)
    finally:
        event.remove(engine, "checkout", on_checkout)


@pytest.mark.skipif(BACKEND == "sqlite", reason="read replicas are for PostgreSQL and MariaDB")
async def test_queries_read_the_replica_except_right_after_the_readers_own_write(state, database_url):
    """With SMALLWORKS_DATABASE_READ_URL, query requests read the replica; a person who just
    wrote reads the primary for a while (read-your-writes); sign-in checks always read the
    primary. The 'replica' here is the same database under a second engine, so where each
    read went is seen from the engines' checkouts."""
    import httpx
    from conftest import Api, make_settings
    from sqlalchemy import event

    from app.main import create_app
    from app.state import AppState

    replica_state = AppState.create(make_settings(database_url, database_read_url=database_url, read_your_writes_seconds=1.0))
    assert replica_state.db.replica_engine is not None
    app = create_app(state=replica_state)
    went: list[str] = []
    listeners = [
        (replica_state.db.engine.sync_engine, lambda *a: went.append("primary")),
        (replica_state.db.replica_engine.sync_engine, lambda *a: went.append("replica")),
    ]
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://replica") as client:
            api = Api(client)
            owner, finance = await api.token("owner"), await api.token("finance")
            for engine, listener in listeners:
                event.listen(engine, "checkout", listener)
            query = "{ projects(first: 5) { nodes { id lineItems { name } } } }"
            once = {"X-Smallworks-Executor": "compiled"}  # one request each (no executor comparison)
            await api.ok(query, token=owner, headers=once)  # loads the policy once
            await asyncio.sleep(1.1)  # signing in wrote (the sign-in session): let that window pass

            replica_state.signed_in.forget()  # the sign-in check runs again, on the primary
            went.clear()
            await api.ok(query, token=owner, headers=once)
            assert went == ["primary", "replica"]  # the sign-in check, then the data
            went.clear()
            await api.ok(query, token=owner, headers=once)
            assert went == ["replica"]  # who is signed in is kept: the data only

            # Any committed change of the owner's (here: marking no notification read).
            marked = await api.ok("mutation { markNotificationsRead(input: {ids: []}) { errors { code } } }", token=owner)
            assert marked["markNotificationsRead"]["errors"] == []

            went.clear()
            await api.ok(query, token=owner, headers=once)
            assert went == ["primary"]  # the writer reads its own write
            went.clear()
            await api.ok(query, token=finance, headers=once)
            assert went == ["primary", "replica"]  # everyone else still reads the replica (the sign-in check first)
    finally:
        for engine, listener in listeners:
            if event.contains(engine, "checkout", listener):
                event.remove(engine, "checkout", listener)
        await replica_state.close()


READ_PATH = """query ReadPath { projects(first: 100) {
  pageInfo { hasNextPage endCursor }
  nodes { id code title status budgetAmount createdAt
    ownerOrganisation { name }
    lineItems { position name quantity unit unitPrice amount }
    statusHistory { fromStatus toStatus action actorName comment occurredAt }
    documents { id documentType version filename mediaType sizeBytes sha256 uploadedAt } } } }"""

NODES = """query Nodes($ids: [ID!]!) {
  nodes(ids: $ids) { __typename id ... on Project { code ...Owner } ... on Organisation { name kind } }
  viewer { roles user { username phone } organisation { name bankAccountNumber } }
}
fragment Owner on Project { ownerOrganisation { id name } }"""


async def test_known_queries_run_compiled_with_the_same_bytes_as_the_general_executor(api):
    """The second request of a text runs on the compiled path; its answer is byte for byte
    the general executor's, for nested lists, fragments, interfaces, variables and masked
    fields alike."""
    from conftest import EXECUTOR

    token = await api.token("owner")
    page = (await api.ok(READ_PATH, token=token))["projects"]["nodes"]
    ids = [page[0]["id"], "T3JnYW5pc2F0aW9uOjE", "UHJvamVjdDo5OTk5OTk5"]  # a project, an organisation, one that does not exist
    for query, variables in ((READ_PATH, {}), (NODES, {"ids": ids})):
        body = {"query": query, "variables": variables}
        headers = {"Authorization": f"Bearer {token}"}
        await api.client.post("/graphql", json=body, headers=headers)  # now a known document
        compiled = await api.client.post("/graphql", json=body, headers=headers)
        general = await api.client.post("/graphql", json=body, headers={**headers, EXECUTOR: "general"})
        assert (compiled.headers[EXECUTOR], general.headers[EXECUTOR]) == ("compiled", "general")
        assert compiled.content == general.content
        assert "errors" not in compiled.json()


async def test_what_the_compiled_path_cannot_answer_runs_on_the_general_executor(api):
    from conftest import EXECUTOR

    token = await api.token("contractor1")
    headers = {"Authorization": f"Bearer {token}"}
    for query in (
        "{ viewer { kind } trail: auditEvents(first: 1) { totalCount } }",  # a refused root field
        "query($skip: Boolean!) { viewer { kind @skip(if: $skip) } }",  # a directive
        "{ __schema { queryType { name } } }",  # introspection
    ):
        for _ in range(2):
            response = await api.client.post("/graphql", json={"query": query, "variables": {"skip": False}}, headers=headers)
        assert response.headers[EXECUTOR] == "general"


DOCUMENT_VERSIONS = """query Versions { projects(first: 20) { nodes { code
  latest: documents { version documentType downloadUrl }
  every: documents(allVersions: true) { id version documentType }
  reviews { round step status project { code } } } } }"""


async def test_loaded_fields_with_arguments_and_resolvers_answer_alike_on_both_paths(api):
    """``documents(allVersions:)`` narrows loaded rows by its argument; ``downloadUrl`` needs
    the object; ``reviews { project }`` loads back up the tree. The compiled path reads rows
    where the selection allows and objects where it does not, and answers byte for byte as
    the general executor. (Download links carry their expiry time: compared without them.)"""
    from conftest import EXECUTOR
    from factories import new_owner, ready, submit, upload_ok

    owner = await new_owner(api)
    project = await ready(api, owner)
    await upload_ok(api, owner, project["id"], "PROPOSAL")  # a second version
    assert (await submit(api, owner, project["id"]))["errors"] == []  # a review step
    token = owner.staff.token
    body = {"query": DOCUMENT_VERSIONS}
    headers = {"Authorization": f"Bearer {token}"}
    await api.client.post("/graphql", json=body, headers=headers)
    compiled = await api.client.post("/graphql", json=body, headers=headers)
    general = await api.client.post("/graphql", json=body, headers={**headers, EXECUTOR: "general"})
    assert (compiled.headers[EXECUTOR], general.headers[EXECUTOR]) == ("compiled", "general")

    def without_links(payload):
        for node in payload["data"]["projects"]["nodes"]:
            for document in node["latest"]:
                assert document.pop("downloadUrl").startswith("/files/project-document/")
        return payload

    assert without_links(compiled.json()) == without_links(general.json())
    nodes = compiled.json()["data"]["projects"]["nodes"]
    several = [n for n in nodes if len(n["every"]) > len(n["latest"])]
    assert several, "a project with an earlier version of a document"
    assert any(node["reviews"] for node in nodes)
    for node in nodes:
        latest = {(d["documentType"], d["version"]) for d in node["latest"]}
        every = [(d["documentType"], d["version"]) for d in node["every"]]
        assert every == sorted(every)
        newest: dict[str, int] = {}
        for kind, version in every:
            newest[kind] = max(newest.get(kind, 0), version)
        assert latest == set(newest.items())
        assert all(review["project"]["code"] == node["code"] for review in node["reviews"])


async def test_settle_resumes_each_coroutine_when_its_own_wait_ends():
    """Coroutines that wait for one another (one holds the request's read connection while
    the others wait for it) all finish: none waits for all the others' waits to end."""
    from schema.core.compiled import settle

    lock = asyncio.Lock()
    order: list[int] = []

    async def read(i: int) -> int:
        async with lock:
            await asyncio.sleep(0.01)
            order.append(i)
        return i * 10

    assert await asyncio.wait_for(settle([read(i) for i in range(4)]), 5) == [0, 10, 20, 30]
    assert sorted(order) == [0, 1, 2, 3]

    async def fails() -> None:
        await asyncio.sleep(0)
        raise ValueError("boom")

    with pytest.raises(ValueError, match="boom"):
        await settle([read(9), fails()])


@strawberry.type
class ToyItem:
    name: str
    size: int | None
    rank: int


@strawberry.type
class ToyQuery:
    @strawberry.field
    def items(self) -> list[ToyItem | None]:
        # A null name where one is promised; a rank outside GraphQL's Int.
        return [ToyItem(name="a", size=1, rank=1), ToyItem(name=None, size=None, rank=2), ToyItem(name="c", size=None, rank=2**40)]  # type: ignore[arg-type]


def test_the_plain_field_shortcut_reports_what_graphql_core_reports():
    """A plain field whose value is missing, null where the schema promises one, or does not
    serialise takes graphql-core's own path: same data, same errors."""
    from schema.core.execution import with_plain_fields

    plain = strawberry.Schema(query=ToyQuery)
    fast = strawberry.Schema(query=ToyQuery)
    fast.execution_context_class = with_plain_fields(fast._schema)
    assert fast.execution_context_class.plain  # the shortcut applies to Item's fields
    query = "{ items { name size rank } }"
    expected, got = plain.execute_sync(query), fast.execute_sync(query)
    assert got.data == expected.data == {"items": [{"name": "a", "size": 1, "rank": 1}, None, None]}
    assert [(e.message, e.path) for e in got.errors or []] == [(e.message, e.path) for e in expected.errors or []]
    assert len(got.errors or []) == 2


def test_the_sign_in_cache_keeps_an_answer_only_until_a_change():
    from resolvers.accounts.signed_in import MISSING, SignedInCache

    cache = SignedInCache(60, maxsize=2)
    assert cache.get("a") is MISSING
    before = cache.generation
    cache.put("a", "actor a", before)
    assert cache.get("a") == "actor a"
    cache.put("b", None, before)  # no longer signed in is an answer too
    assert cache.get("b") is None
    cache.put("c", "actor c", before)  # the oldest makes room
    assert cache.get("a") is MISSING

    started = cache.generation
    cache.forget()  # a change committed while a lookup was under way
    cache.put("d", "stale", started)
    assert cache.get("d") is MISSING and cache.get("c") is MISSING

    lapsing = SignedInCache(0.05)
    lapsing.put("a", "actor", lapsing.generation)
    assert lapsing.get("a") == "actor"
    import time

    time.sleep(0.06)
    assert lapsing.get("a") is MISSING
    off = SignedInCache(0)
    off.put("a", "actor", off.generation)
    assert off.get("a") is MISSING


async def test_a_changed_role_or_a_disabled_account_applies_to_the_next_request(api, state):
    """Who a token speaks for is kept between requests, yet an API change to roles or to
    the account applies at once: the committing transaction clears what is kept."""
    from factories import create_organisation, create_person

    person = await create_person(api, await create_organisation(api), ["OWNER_STAFF"])
    viewer = "{ viewer { roles } }"
    assert (await api.ok(viewer, token=person.token))["viewer"]["roles"] == ["OWNER_STAFF"]
    with count_statements(state) as statements:
        assert (await api.ok(viewer, token=person.token))["viewer"]["roles"] == ["OWNER_STAFF"]
    assert statements and not any("auth_sessions" in s for s in statements)  # the viewer's rows only: the actor is kept
    admin = await api.token("admin")
    user_id = person.user_id
    changed = await api.ok(
        "mutation($input: SetUserRolesInput!) { setUserRoles(input: $input) { errors { code } } }",
        {"input": {"id": user_id, "roles": ["OWNER_STAFF", "REVIEWER"]}},
        token=admin,
    )
    assert changed["setUserRoles"]["errors"] == []
    assert (await api.ok(viewer, token=person.token))["viewer"]["roles"] == ["OWNER_STAFF", "REVIEWER"]
    disabled = await api.ok(
        "mutation($input: UpdateUserInput!) { updateUser(input: $input) { errors { code } } }",
        {"input": {"id": user_id, "isActive": False}},
        token=admin,
    )
    assert disabled["updateUser"]["errors"] == []
    response = await api.post(viewer, token=person.token)
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_a_persisted_query_runs_by_its_hash_once_the_server_knows_it(api):
    """Automatic persisted queries: an unknown hash asks for the text (HTTP 200, so clients
    retry); text and hash together are checked and kept; then the hash alone names the
    query, on POST (compiled, once the text is a known document) and on GET."""
    import hashlib
    import json

    from conftest import EXECUTOR

    token = await api.token("owner")
    headers = {"Authorization": f"Bearer {token}"}
    query = "query Mine { projects(first: 3) { nodes { code lineItems { name } } } }"
    digest = hashlib.sha256(query.encode()).hexdigest()
    extensions = {"persistedQuery": {"version": 1, "sha256Hash": digest}}

    unknown = await api.client.post("/graphql", json={"extensions": extensions}, headers={**headers, "Accept-Language": "zh-CN"})
    assert unknown.status_code == 200
    error = unknown.json()["errors"][0]
    assert error["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    assert "哈希" in error["message"] and "PERSISTED" not in error["message"]

    registered = await api.client.post("/graphql", json={"query": query, "extensions": extensions}, headers=headers)
    assert registered.status_code == 200 and "errors" not in registered.json()
    by_hash = await api.client.post("/graphql", json={"extensions": extensions}, headers=headers)
    assert by_hash.headers[EXECUTOR] == "compiled"
    assert by_hash.content == registered.content
    over_get = await api.client.get("/graphql", params={"extensions": json.dumps(extensions)}, headers=headers)
    assert over_get.status_code == 200 and over_get.json() == registered.json()

    mismatch = await api.client.post("/graphql", json={"query": query + " ", "extensions": extensions}, headers=headers)
    assert (mismatch.status_code, mismatch.json()["errors"][0]["extensions"]["code"]) == (400, "PERSISTED_QUERY_HASH_MISMATCH")
    for bad in ({"version": 2, "sha256Hash": digest}, {"version": 1, "sha256Hash": "abc"}, "yes"):
        invalid = await api.client.post("/graphql", json={"extensions": {"persistedQuery": bad}}, headers=headers)
        assert (invalid.status_code, invalid.json()["errors"][0]["extensions"]["code"]) == (400, "PERSISTED_QUERY_INVALID")

    mutation = "mutation { markNotificationsRead(input: {ids: []}) { errors { code } } }"
    mutation_extensions = {"persistedQuery": {"version": 1, "sha256Hash": hashlib.sha256(mutation.encode()).hexdigest()}}
    await api.client.post("/graphql", json={"query": mutation, "extensions": mutation_extensions}, headers=headers)
    refused = await api.client.get("/graphql", params={"extensions": json.dumps(mutation_extensions)}, headers=headers)
    assert (refused.status_code, refused.json()["errors"][0]["extensions"]["code"]) == (405, "MUTATION_OVER_GET")


@pytest.mark.skipif(BACKEND != "postgresql", reason="batch reads run on the driver only with asyncpg")
async def test_batch_reads_on_the_driver_give_exactly_what_sqlalchemy_gives(api, state):
    """Every table's rows, read both ways: the same values of the same types (amounts as
    Decimal, times aware in UTC, coordinates as float, flags as bool), under the same names
    and positions; a loader-shaped statement with an array of keys and a scope subquery;
    and statements of one shape with other values, which share one prepared statement."""
    from sqlalchemy import any_, bindparam, select
    from sqlalchemy.dialects.postgresql import ARRAY

    from app.db import RequestReads
    from models.base import Base
    from models.projects import Project, ProjectLineItem

    assert state.db.driver_reads is not None
    await api.token("owner")  # the demo data is there
    reads = RequestReads(state.db)
    compared = 0
    try:
        for table in Base.metadata.sorted_tables:
            statement = select(*table.columns).order_by(*table.primary_key.columns).limit(50)
            expected = (await reads.execute(statement)).all()
            got = await reads.all(statement)
            assert len(got) == len(expected), table.name
            for mine, theirs in zip(got, expected, strict=True):
                assert tuple(mine) == tuple(theirs), table.name
                assert [type(v) for v in mine] == [type(v) for v in theirs], table.name
                for column in table.columns:
                    assert getattr(mine, column.key) == getattr(theirs, column.key)
                compared += 1
        keys = [row.id for row in (await reads.execute(select(Project.id).limit(20))).all()]
        scoped = select(*ProjectLineItem.__table__.columns).where(
            ProjectLineItem.project_id == any_(bindparam("keys", type_=ARRAY(ProjectLineItem.project_id.type))),
            ProjectLineItem.project_id.in_(select(Project.id).where(Project.region_code.like("3205%"))),
        )
        expected = (await reads.execute(scoped, {"keys": keys})).all()
        assert expected and [tuple(r) for r in await reads.all(scoped, {"keys": keys})] == [tuple(r) for r in expected]
        # One shape, other values (as each page's cursor and limit are): each runs with its own.
        ids = sorted(r.id for r in (await reads.execute(select(Project.id))).all())
        for low, size in ((ids[0], 2), (ids[-1] - 1, 5), (0, 4)):
            page = select(*Project.__table__.columns).where(Project.id > low).order_by(Project.id).limit(size)
            got = await reads.all(page)
            assert [tuple(r) for r in got] == [tuple(r) for r in (await reads.execute(page)).all()]
            assert [r.id for r in got] == [i for i in ids if i > low][:size]
    finally:
        await reads.close()
    assert compared > 100
