"""Permissions: the region-aware Casbin policy, the gate before every root field, policy
editing at run time, and row-level scope through lists, ``node`` and ``nodes``."""

from __future__ import annotations

import asyncio

import pytest
import pytest_asyncio
from conftest import DEMO_PASSWORD, global_id, make_uscc, unique
from graphql import build_schema as parse_sdl
from sqlalchemy import select

from models.accounts import User
from models.permissions import CasbinRule
from policies.engine import PolicyEngine, build_enforcer, default_lines, region_match, region_prefix
from resolvers.accounts import service as accounts
from resolvers.core.context import SYSTEM_ACTOR, RequestMeta
from resolvers.core.errors import UserErrors
from resolvers.core.transaction import unit_of_work
from resolvers.permissions.changes import Change, submit
from schema.permissions.catalogue import operations
from schema.root import build_schema

ADD_RULE = """
mutation($input: PolicyRuleInput!) {
  addPolicyRule(input: $input) { rule { ptype values } errors { code field message } }
}"""
REMOVE_RULE = """
mutation($input: PolicyRuleInput!) {
  removePolicyRule(input: $input) { rule { ptype values } errors { code field message } }
}"""
POLICY_RULES = "{ policyRules { ptype values } }"
AUDIT_EVENTS = "{ auditEvents(first: 1) { totalCount } }"
NODE_USER = "query($id: ID!) { node(id: $id) { id ... on User { username } } }"
NODES = """
query($ids: [ID!]!) {
  nodes(ids: $ids) { id ... on User { username } ... on Organisation { name regionCode } }
}"""


def rule_input(*values: str, ptype: str = "P") -> dict:
    return {"input": {"ptype": ptype, "values": list(values)}}


def error_code(body: dict) -> str:
    return body["errors"][0]["extensions"]["code"]


_OPERATIONS: dict[str, str] = {}


def schema_operations(settings) -> dict[str, str]:
    """The catalogue of operations of the app's schema (what lines are checked against)."""
    if not _OPERATIONS:
        _OPERATIONS.update(operations(build_schema(settings)))
    return _OPERATIONS


async def system_change(state, op: str, ptype: str, values: list[str]) -> None:
    async with unit_of_work(state, "test", SYSTEM_ACTOR, RequestMeta(request_id="t")) as uow:
        await submit(uow, schema_operations(state.settings), "change", [Change(op, (ptype, *values))], "", where="values")


async def system_add_rule(state, *values: str) -> None:
    await system_change(state, "add", "p", list(values))


async def system_remove_rule_if_present(state, *values: str) -> None:
    """Cleanup that works whatever the test left behind."""
    try:
        await system_change(state, "remove", "p", list(values))
    except UserErrors as exc:
        assert [p.code for p in exc.problems] == ["POLICY_RULE_NOT_FOUND"]


async def system_create_person(state, region: str, kind: str, roles: list[str], prefix: str) -> dict:
    """An organisation in ``region`` and one person in it, created on the system path (the
    demo administrator may only act inside 320583)."""
    username = unique(prefix)
    async with unit_of_work(state, "test", SYSTEM_ACTOR, RequestMeta(request_id="t")) as uow:
        org = await accounts.create_organisation(
            uow,
            accounts.OrganisationData(name=unique("单位"), kind=kind, uscc=make_uscc(), region_code=region),
        )
        user = await accounts.create_user(
            uow,
            accounts.UserData(
                username=username,
                display_name=f"{prefix} 测试",
                organisation_id=org.id,
                password=DEMO_PASSWORD,
                roles=roles,
                phone="13700001111",
            ),
        )
        return {"username": username, "user_id": user.id, "organisation_id": org.id}


async def user_id(state, username: str) -> int:
    async with state.db.read() as session:
        return (await session.execute(select(User.id).where(User.username == username))).scalar_one()


async def organisation_id_of(state, username: str) -> int:
    async with state.db.read() as session:
        return (await session.execute(select(User.organisation_id).where(User.username == username))).scalar_one()


@pytest_asyncio.fixture(scope="module")
async def elsewhere(state):
    """A platform administrator of an organisation in Beijing's Dongcheng district (110101)."""
    return await system_create_person(state, "110101", "platform", ["platform_admin"], "bjadmin")


@pytest_asyncio.fixture(scope="module")
async def province_policy_admin(state):
    """A policy administrator of the province (320000), who may write rules for its cities."""
    return (await system_create_person(state, "320000", "platform", ["policy_admin"], "jspolicy"))["username"]


@pytest_asyncio.fixture(scope="module")
async def national_policy_admin(state):
    """A policy administrator at national level (000000), who may write `*` rules."""
    return (await system_create_person(state, "000000", "platform", ["policy_admin"], "cnpolicy"))["username"]


# -- region matching (pure rules) ----------------------------------------------------


@pytest.mark.parametrize(
    ("code", "prefix"),
    [("320583", "320583"), ("320500", "3205"), ("320000", "32"), ("000000", ""), ("110101", "110101"), ("320510", "320510")],
)
def test_region_prefix_drops_trailing_zero_pairs(code, prefix):
    assert region_prefix(code) == prefix


@pytest.mark.parametrize(
    ("request_region", "policy_region", "expected"),
    [
        ("320583", "320583", True),  # the county itself
        ("320583", "320500", True),  # a city covers its counties
        ("320506", "320500", True),
        ("320683", "320500", False),  # not the neighbouring city's
        ("320583", "320600", False),
        ("320583", "320000", True),  # the province covers everything in it
        ("330102", "320000", False),
        ("320583", "*", True),
        ("110101", "*", True),
        ("320583", "320584", False),  # a sibling county
        ("320500", "320583", False),  # a county rule does not reach up to the city
    ],
)
def test_region_match(request_region, policy_region, expected):
    assert region_match(request_region, policy_region) is expected


# -- the enforcer (pure rules) --------------------------------------------------------


def test_enforcer_refuses_an_operation_no_line_mentions():
    """A root field added to the schema without a policy line is refused for every role."""
    enforcer = build_enforcer(default_lines())
    assert enforcer.enforce("platform_admin", "320583", "Query.users", "read")
    for role in ("platform_admin", "policy_admin", "auditor", "public"):
        assert not enforcer.enforce(role, "320583", "Query.brandNewReport", "read")
        assert not enforcer.enforce(role, "320583", "Mutation.brandNewAction", "write")


def test_enforcer_matches_action_exactly():
    enforcer = build_enforcer(default_lines())
    assert enforcer.enforce("auditor", "320583", "Query.auditEvents", "read")
    assert not enforcer.enforce("auditor", "320583", "Query.auditEvents", "write")
    assert enforcer.enforce("auditor", "320583", "User.phone", "read_full")
    assert not enforcer.enforce("owner_staff", "320583", "User.phone", "read_full")


def test_enforcer_applies_regional_lines_and_role_inheritance():
    enforcer = build_enforcer(
        [
            ["p", "contractor", "320500", "Query.auditEvents", "read"],
            ["p", "auditor", "320583", "Query.verifyAuditTrail", "read"],
            ["g", "senior_auditor", "auditor", "320583"],
        ]
    )
    assert enforcer.enforce("contractor", "320583", "Query.auditEvents", "read")
    assert not enforcer.enforce("contractor", "320683", "Query.auditEvents", "read")
    assert enforcer.enforce("senior_auditor", "320583", "Query.verifyAuditTrail", "read")
    assert not enforcer.enforce("senior_auditor", "320584", "Query.verifyAuditTrail", "read")


async def test_policy_engine_denies_until_loaded_and_denies_unknown_operations(state):
    engine = PolicyEngine(cache_seconds=3600, sessions=state.db.read)
    assert not engine.allows({"platform_admin"}, "320583", "Query.users", "read")
    await engine.ready()
    assert engine.allows({"platform_admin"}, "320583", "Query.users", "read")
    assert not engine.allows({"platform_admin"}, "320583", "Query.brandNewReport", "read")
    assert not engine.allows({"contractor", "public"}, "320583", "Query.auditEvents", "read")


async def test_the_enforcer_is_built_off_the_event_loop_and_requests_keep_the_old_one_meanwhile(state, monkeypatch):
    """A rebuild runs in a worker thread; while it runs, decisions come from the policy
    already loaded, and the new one is swapped in whole when it is ready."""
    import threading

    import policies.engine as engine_module

    engine = PolicyEngine(cache_seconds=0, sessions=state.db.read)
    await engine.ready()
    version = engine.version
    release = threading.Event()
    threads: list[int] = []
    build = engine_module.build_enforcer

    def slow_build(lines):
        threads.append(threading.get_ident())
        release.wait(10)
        return build(lines + [["p", "auditor", "*", "Query.brandNewReport", "read"]])

    monkeypatch.setattr(engine_module, "build_enforcer", slow_build)
    engine.expire()
    monkeypatch.setattr(engine, "_current_version", _async_value((version or 0) + 1))
    await engine.ready()  # starts the background refresh and returns at once
    for _ in range(200):  # the refresh reads the lines, then builds in a thread
        if threads:
            break
        await asyncio.sleep(0.01)
    assert threads and threads[0] != threading.get_ident()
    # Meanwhile: the loaded policy answers, the new line is not in it yet.
    assert engine.allows({"auditor"}, "320583", "Query.auditEvents", "read")
    assert not engine.allows({"auditor"}, "320583", "Query.brandNewReport", "read")
    release.set()
    for _ in range(100):
        if engine.allows({"auditor"}, "320583", "Query.brandNewReport", "read"):
            break
        await asyncio.sleep(0.02)
    assert engine.allows({"auditor"}, "320583", "Query.brandNewReport", "read")
    await engine.close()


def _async_value(value):
    async def current():
        return value

    return current


async def test_an_unchanged_version_is_not_rebuilt(state):
    engine = PolicyEngine(cache_seconds=0, sessions=state.db.read)
    await engine.ready()
    reloads = engine.reloads
    for _ in range(3):
        engine.expire()
        await engine.ready()
        await asyncio.sleep(0.05)
    assert engine.reloads == reloads


# -- every root field has a policy ------------------------------------------------------


def _root_operations(settings) -> set[str]:
    sdl = parse_sdl(build_schema(settings).as_str())
    operations = set()
    for root in (sdl.query_type, sdl.mutation_type, sdl.subscription_type):
        if root is not None:
            operations |= {f"{root.name}.{name}" for name in root.fields}
    return operations


def _covered(operations: set[str], rules: list[list[str]]) -> set[str]:
    objects = {values[2] for ptype, *values in rules if ptype == "p"}
    return {op for op in operations if op in objects or f"{op.split('.')[0]}.*" in objects}


def test_every_root_field_has_a_line_in_the_default_policy(settings):
    operations = _root_operations(settings)
    assert {"Query.users", "Query.node", "Mutation.createUser", "Mutation.addPolicyRule"} <= operations
    missing = operations - _covered(operations, default_lines())
    assert not missing, f"root fields without a policy line in policies/lines/: {sorted(missing)}"


async def test_live_policy_in_the_database_matches_the_default_file(api, settings):
    data = await api.ok(POLICY_RULES, token=await api.token("policyadmin"))
    # Roles granted to people (the demo's acting reviewer) are no part of the default policy.
    live = sorted([rule["ptype"].lower(), *rule["values"]] for rule in data["policyRules"] if not rule["values"][0].startswith("user:"))
    assert live == sorted(default_lines())
    operations = _root_operations(settings)
    assert operations - _covered(operations, live) == set()


# -- the gate ---------------------------------------------------------------------------


async def test_no_token_is_unauthenticated(api):
    body = await api.gql("{ users { totalCount } }")
    assert error_code(body) == "UNAUTHENTICATED"
    assert body["data"]["users"] is None


@pytest.mark.parametrize(
    ("username", "query", "field"),
    [
        ("contractor1", AUDIT_EVENTS, "auditEvents"),
        (
            "owner",
            'mutation { createUser(input: {username: "x1234", displayName: "x", organisationId: "T3JnYW5pc2F0aW9uOjE", '
            'password: "irrelevant-here"}) { user { id } } }',
            "createUser",
        ),
        ("expert1", "{ users { totalCount } }", "users"),
        ("admin", "{ verifyAuditTrail { valid } }", "verifyAuditTrail"),
    ],
)
async def test_role_without_a_policy_line_is_forbidden(api, username, query, field):
    body = await api.gql(query, token=await api.token(username))
    assert error_code(body) == "FORBIDDEN"
    assert body["data"][field] is None
    assert body["errors"][0]["path"] == [field]


async def test_forbidden_message_follows_accept_language(api):
    token = await api.token("contractor1")
    zh = await api.gql(AUDIT_EVENTS, token=token)
    en = await api.gql(AUDIT_EVENTS, token=token, headers={"Accept-Language": "en"})
    assert zh["errors"][0]["message"] == "无权执行此操作：Query.auditEvents。"
    assert en["errors"][0]["message"] == "You are not allowed to perform this operation: Query.auditEvents."


async def test_role_with_a_policy_line_passes_the_gate(api):
    data = await api.ok(AUDIT_EVENTS, token=await api.token("auditor"))
    assert data["auditEvents"]["totalCount"] > 0


# -- editing the live policy -------------------------------------------------------------


async def test_added_rule_grants_at_once_and_removed_rule_withdraws(api, state):
    """The rule exists only in the database, never in the file: the service reads the database."""
    line = ["p", "contractor", "320583", "Query.auditEvents", "read"]
    assert line not in default_lines()
    admin = await api.token("policyadmin")
    contractor = await api.token("contractor1")
    try:
        assert error_code(await api.gql(AUDIT_EVENTS, token=contractor)) == "FORBIDDEN"
        added = await api.ok(ADD_RULE, rule_input(*line[1:]), token=admin)
        assert added["addPolicyRule"] == {"rule": {"ptype": "P", "values": line[1:]}, "errors": []}
        assert (await api.ok(AUDIT_EVENTS, token=contractor))["auditEvents"] is not None

        removed = await api.ok(REMOVE_RULE, rule_input(*line[1:]), token=admin)
        assert removed["removePolicyRule"]["errors"] == []
        body = await api.gql(AUDIT_EVENTS, token=contractor)
        assert error_code(body) == "FORBIDDEN"
        assert body["data"]["auditEvents"] is None
    finally:
        await system_remove_rule_if_present(state, *line[1:])


async def test_removing_a_default_line_from_the_database_withdraws_it(api, state, national_policy_admin):
    """The line stays in policies/lines/, yet once removed from the database it no longer applies."""
    line = ["p", "auditor", "*", "Query.verifyAuditTrail", "read"]
    assert line in default_lines()
    admin = await api.token(national_policy_admin)
    auditor = await api.token("auditor")
    query = "{ verifyAuditTrail { valid } }"
    try:
        removed = await api.ok(REMOVE_RULE, rule_input(*line[1:]), token=admin)
        assert removed["removePolicyRule"]["errors"] == []
        assert error_code(await api.gql(query, token=auditor)) == "FORBIDDEN"
    finally:
        readded = await api.ok(ADD_RULE, rule_input(*line[1:]), token=admin)
        assert readded["addPolicyRule"]["errors"] == []
    assert (await api.ok(query, token=auditor))["verifyAuditTrail"]["valid"] is True


async def test_city_rule_covers_the_citys_counties_only(api, state, province_policy_admin):
    """`320500` (Suzhou) reaches a contractor in 320583 (Kunshan); `320600` (Nantong) does not."""
    admin = await api.token(province_policy_admin)
    contractor = await api.token("contractor1")
    await system_create_person(state, "320602", "auditor", ["auditor"], "ntaudit")  # 320600 is a known region
    city, other_city = ("contractor", "320500", "Query.auditEvents", "read"), ("contractor", "320600", "Query.auditEvents", "read")
    try:
        assert (await api.ok(ADD_RULE, rule_input(*city), token=admin))["addPolicyRule"]["errors"] == []
        assert (await api.ok(AUDIT_EVENTS, token=contractor))["auditEvents"] is not None
        assert (await api.ok(REMOVE_RULE, rule_input(*city), token=admin))["removePolicyRule"]["errors"] == []

        assert (await api.ok(ADD_RULE, rule_input(*other_city), token=admin))["addPolicyRule"]["errors"] == []
        assert error_code(await api.gql(AUDIT_EVENTS, token=contractor)) == "FORBIDDEN"
        assert (await api.ok(REMOVE_RULE, rule_input(*other_city), token=admin))["removePolicyRule"]["errors"] == []
    finally:
        await system_remove_rule_if_present(state, *city)
        await system_remove_rule_if_present(state, *other_city)


async def test_policy_edits_are_audited(api, state):
    line = ("supervisor", "320583", "Query.apiClients", "read")
    admin = await api.token("policyadmin")
    query = """query($op: String!) { auditEvents(first: 1, filter: {operation: $op, targetType: "PolicyVersion"}) {
      nodes { actorName operation changes } } }"""
    try:
        await api.ok(ADD_RULE, rule_input(*line), token=admin)
        await api.ok(REMOVE_RULE, rule_input(*line), token=admin)
    finally:
        await system_remove_rule_if_present(state, *line)
    auditor = await api.token("auditor")
    added = (await api.ok(query, {"op": "Mutation.addPolicyRule"}, token=auditor))["auditEvents"]["nodes"]
    removed = (await api.ok(query, {"op": "Mutation.removePolicyRule"}, token=auditor))["auditEvents"]["nodes"]
    # One event per change, naming the version's lines added and removed.
    assert added == [
        {
            "actorName": "权限管理员",
            "operation": "Mutation.addPolicyRule",
            "changes": {"kind": "change", "comment": "", "added": [["p", *line]], "removed": []},
        }
    ]
    assert removed == [
        {
            "actorName": "权限管理员",
            "operation": "Mutation.removePolicyRule",
            "changes": {"kind": "change", "comment": "", "added": [], "removed": [["p", *line]]},
        }
    ]


@pytest.mark.parametrize(
    ("ptype", "values"),
    [
        ("P", ["contractor", "320583", "Query.auditEvents"]),  # p needs four values
        ("G", ["contractor", "auditor", "320583", "extra"]),  # g needs three
        ("P", ["contractor", "320583", "Query.auditEvents", "delete"]),  # unknown action
        ("P", ["contractor", "320583", "auditEvents", "read"]),  # not Type.field
        ("P", ["contractor", "320583", "Query.AuditEvents", "read"]),
        ("P", ["Contractor Staff", "320583", "Query.auditEvents", "read"]),  # not a role name
        ("G", ["contractor", "Not A Role", "320583"]),
    ],
)
async def test_malformed_rules_are_refused_and_nothing_changes(api, ptype, values):
    admin = await api.token("policyadmin")
    before = (await api.ok(POLICY_RULES, token=admin))["policyRules"]
    data = await api.ok(ADD_RULE, {"input": {"ptype": ptype, "values": values}}, token=admin)
    assert data["addPolicyRule"]["rule"] is None
    assert [(e["code"], e["field"]) for e in data["addPolicyRule"]["errors"]] == [("INVALID_POLICY_RULE", "values")]
    assert (await api.ok(POLICY_RULES, token=admin))["policyRules"] == before


@pytest.mark.parametrize("region", ["320500", "*", "110101", "320584"])
async def test_rule_outside_the_policy_admins_region_is_refused(api, region):
    """The demo policy administrator works for county 320583: a city-wide, national or other
    region's rule is beyond their authority."""
    data = await api.ok(ADD_RULE, rule_input("contractor", region, "Query.auditEvents", "read"), token=await api.token("policyadmin"))
    assert data["addPolicyRule"]["rule"] is None
    assert [(e["code"], e["field"]) for e in data["addPolicyRule"]["errors"]] == [("REGION_OUT_OF_SCOPE", "values")]


async def test_policy_errors_follow_accept_language(api):
    token = await api.token("policyadmin")
    variables = rule_input("contractor", "*", "Query.auditEvents", "read")
    zh = await api.ok(ADD_RULE, variables, token=token)
    en = await api.ok(ADD_RULE, variables, token=token, headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert zh["addPolicyRule"]["errors"][0]["message"] == "该行政区划不在您的管辖范围内。"
    assert en["addPolicyRule"]["errors"][0]["message"] == "That region is outside your scope."


async def test_the_last_rule_allowing_policy_edits_cannot_be_removed(api, state, national_policy_admin):
    line = ("policy_admin", "*", "Mutation.applyPolicyChange", "write")
    admin = await api.token(national_policy_admin)
    try:
        data = await api.ok(REMOVE_RULE, rule_input(*line), token=admin)
        assert data["removePolicyRule"]["rule"] is None
        assert [(e["code"], e["field"]) for e in data["removePolicyRule"]["errors"]] == [("LAST_POLICY_ADMIN", "values")]
        live = (await api.ok('{ policyRules(operation: "Mutation.applyPolicyChange") { values } }', token=admin))["policyRules"]
        assert live == [{"values": list(line)}]
    finally:
        async with state.db.read() as session:
            present = (await session.execute(select(CasbinRule.id).where(CasbinRule.v2 == "Mutation.applyPolicyChange"))).first()
        if present is None:
            await system_add_rule(state, *line)


async def test_a_rule_for_policy_edits_may_go_while_another_remains(api, state):
    line = ("policy_admin", "320583", "Mutation.addPolicyRule", "write")
    admin = await api.token("policyadmin")
    try:
        assert (await api.ok(ADD_RULE, rule_input(*line), token=admin))["addPolicyRule"]["errors"] == []
        assert (await api.ok(REMOVE_RULE, rule_input(*line), token=admin))["removePolicyRule"]["errors"] == []
    finally:
        await system_remove_rule_if_present(state, *line)


# -- row-level scope ----------------------------------------------------------------------


async def test_contractor_gets_null_for_a_user_of_another_organisation(api, state):
    token = await api.token("contractor1")
    own, other = global_id("User", await user_id(state, "contractor1")), global_id("User", await user_id(state, "contractor2"))
    assert (await api.ok(NODE_USER, {"id": other}, token=token))["node"] is None
    data = await api.ok(NODES, {"ids": [own, other]}, token=token)
    assert data["nodes"] == [{"id": own, "username": "contractor1"}, None]


async def test_contractor_lists_only_their_own_organisations_users(api, state):
    data = await api.ok("{ users(first: 100) { nodes { username organisation { id } } } }", token=await api.token("contractor1"))
    listed = data["users"]["nodes"]
    assert "contractor1" in {n["username"] for n in listed}
    assert {n["organisation"]["id"] for n in listed} == {global_id("Organisation", await organisation_id_of(state, "contractor1"))}


async def test_administrator_sees_a_user_of_another_organisation_in_the_region(api, state):
    other = global_id("User", await user_id(state, "contractor2"))
    data = await api.ok(NODE_USER, {"id": other}, token=await api.token("admin"))
    assert data["node"] == {"id": other, "username": "contractor2"}


async def test_auditor_sees_users_of_the_whole_region(api, state):
    names = ["contractor1", "owner", "finance", "supervisor", "admin"]
    ids = [global_id("User", await user_id(state, n)) for n in names]
    data = await api.ok(NODES, {"ids": ids}, token=await api.token("auditor"))
    assert [n["username"] for n in data["nodes"]] == names
    listed = await api.ok("{ users(first: 100) { nodes { username } } }", token=await api.token("auditor"))
    assert set(names) <= {n["username"] for n in listed["users"]["nodes"]}


async def test_another_region_sees_no_organisation_of_320583(api, state, elsewhere):
    token = await api.token(elsewhere["username"])
    data = await api.ok("{ organisations(first: 100) { totalCount nodes { id regionCode } } }", token=token)
    assert {n["regionCode"] for n in data["organisations"]["nodes"]} == {"110101"}
    assert global_id("Organisation", elsewhere["organisation_id"]) in {n["id"] for n in data["organisations"]["nodes"]}

    kunshan_org = global_id("Organisation", await organisation_id_of(state, "contractor1"))
    assert (await api.ok("query($id: ID!) { node(id: $id) { id } }", {"id": kunshan_org}, token=token))["node"] is None


async def test_another_region_sees_no_user_of_320583(api, state, elsewhere):
    token = await api.token(elsewhere["username"])
    listed = (await api.ok("{ users(first: 100) { nodes { username organisation { regionCode } } } }", token=token))["users"]["nodes"]
    assert elsewhere["username"] in {n["username"] for n in listed}
    assert {n["organisation"]["regionCode"] for n in listed} == {"110101"}
    kunshan = [global_id("User", await user_id(state, n)) for n in ("admin", "contractor1")]
    assert (await api.ok(NODES, {"ids": kunshan}, token=token))["nodes"] == [None, None]
    assert (await api.ok(NODE_USER, {"id": kunshan[0]}, token=token))["node"] is None


async def test_320583_administrator_does_not_see_another_regions_user(api, elsewhere):
    ids = [global_id("User", elsewhere["user_id"]), global_id("Organisation", elsewhere["organisation_id"])]
    data = await api.ok(NODES, {"ids": ids}, token=await api.token("admin"))
    assert data["nodes"] == [None, None]


async def test_nested_organisation_shows_what_node_shows(api, state, elsewhere):
    """``user.organisation`` goes through the same scoped loader as ``node``: for every user a
    viewer can list, the nested organisation is exactly what ``node`` returns for its id."""
    query = "{ users(first: 100) { nodes { username organisation { id name regionCode } } } }"
    for username in ("contractor1", "auditor", elsewhere["username"]):
        token = await api.token(username)
        for user in (await api.ok(query, token=token))["users"]["nodes"]:
            nested = user["organisation"]
            assert nested is not None
            direct = await api.ok(
                "query($id: ID!) { node(id: $id) { id ... on Organisation { name regionCode } } }", {"id": nested["id"]}, token=token
            )
            assert direct["node"] == nested
    own_org = await api.ok("{ viewer { organisation { regionCode } } }", token=await api.token(elsewhere["username"]))
    assert own_org["viewer"]["organisation"] == {"regionCode": "110101"}


async def test_organisation_scope_is_the_region_directory_for_every_role(api, state):
    """Organisations of one's region are a public directory inside it; users are not."""
    token = await api.token("contractor1")
    other_org = global_id("Organisation", await organisation_id_of(state, "contractor2"))
    data = await api.ok("query($id: ID!) { node(id: $id) { ... on Organisation { regionCode } } }", {"id": other_org}, token=token)
    assert data["node"] == {"regionCode": "320583"}


async def test_unknown_rule_type_is_refused(api, state):
    """Through GraphQL the type is an enum (P or G); the resolver refuses anything else too."""
    body = await api.gql(
        ADD_RULE, {"input": {"ptype": "X", "values": ["contractor", "320583", "Query.users", "read"]}}, token=await api.token("policyadmin")
    )
    assert body["data"] is None
    assert error_code(body) == "BAD_USER_INPUT"  # a variable's value that its type refuses
    with pytest.raises(UserErrors) as refused:
        await system_change(state, "add", "x", ["contractor", "320583", "Query.users", "read"])
    assert [(p.code, p.field) for p in refused.value.problems] == [("INVALID_POLICY_RULE", "values")]
