"""Permission administration through GraphQL, as a policy administrator's client uses it:
roles granted to a person in regions (and their end), explanations of a denial and its fix,
previews of a change, versions and rollbacks, the guards, the policy as CSV, the four-eyes
rule, and the catalogue of operations."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest_asyncio
from conftest import DEMO_PASSWORD, global_id, make_uscc, unique
from factories import clock_kept
from graphql import build_schema as parse_sdl

from models.accounts import Organisation
from models.projects import Project, ProjectReview
from resolvers.accounts import service as accounts
from resolvers.core.clock import today_in_china
from resolvers.core.context import SYSTEM_ACTOR, RequestMeta
from resolvers.core.transaction import unit_of_work

COUNTIES = {"A": "320581", "B": "320582", "C": "320585", "D": "320507"}
GRANTED = ("A", "B", "C")

GRANT = """mutation($i: GrantRoleInput!) { grantRole(input: $i) {
  version { number kind comment added { ptype values } } pending { id } errors { code field message } } }"""
REVOKE = """mutation($i: RevokeRoleInput!) { revokeRole(input: $i) { version { number } errors { code field message } } }"""
APPLY = """mutation($i: ApplyPolicyChangeInput!) { applyPolicyChange(input: $i) {
  version { number kind comment added { values } removed { values } } pending { id status availableActions }
  errors { code field message } } }"""
PREVIEW = """query($c: [PolicyLineChangeInput!]!) { previewPolicyChange(changes: $c) {
  added { values } removed { values } gains { username operation regionCode } losses { username operation regionCode }
  refusals { code } errors { code field message } } }"""
EXPLAIN = """query($u: ID!, $op: String!, $r: String) { explainPermission(userId: $u, operation: $op, regionCode: $r) {
  allowed action regionCode reason reasonLabel steps { kind role regionCode rule { ptype values } }
  nearestRule { ptype values } fix { op rule { ptype values } } errors { code field message } } }"""
QUEUE = "{ myReviewQueue(first: 50) { nodes { project { id } } } }"
PROJECTS = "{ projects(first: 100) { nodes { id regionCode status } } }"
VERSIONS = "{ policyVersions(first: 3) { nodes { id number kind comment restores authorName current availableActions added { values } removed { values } } } }"
ROLLBACK = """mutation($i: RollbackPolicyInput!) { rollbackPolicy(input: $i) {
  version { number kind restores } errors { code field message } } }"""
RULES = "query($op: String) { policyRules(operation: $op) { values } }"


def line(op: str, *values: str, ptype: str = "P") -> dict:
    return {"op": op, "ptype": ptype, "values": list(values)}


@pytest_asyncio.fixture(scope="module")
async def world(api, state):
    """Four counties of Suzhou, each with an owner, a project waiting for a reviewer and a
    draft; a city-level person who reviews nothing through their organisation (an
    evaluator); two national policy administrators."""
    tag = unique("")
    made: dict = {"projects": {}, "drafts": {}}
    async with unit_of_work(state, "test", SYSTEM_ACTOR, RequestMeta(request_id="t")) as uow:
        session = uow.session
        for key, county in COUNTIES.items():
            owner = Organisation(name=f"授权测试建设单位{key}{tag}", kind="owner", uscc=make_uscc(), region_code=county)
            session.add(owner)
            await session.flush()
            for status, bucket in (("submitted", "projects"), ("draft", "drafts")):
                project = Project(
                    code=f"GR{tag}{key}{status[0]}",
                    title=f"授权测试项目{key}",
                    owner_organisation_id=owner.id,
                    region_code=county,
                    category="greening",
                    budget_amount=Decimal("100000.00"),
                    status=status,
                )
                session.add(project)
                await session.flush()
                made[bucket][key] = global_id("Project", project.id)
                if status == "submitted":
                    session.add(
                        ProjectReview(project_id=project.id, round=1, step=0, role="reviewer", region_code=county, status="pending")
                    )
        city = Organisation(name=f"苏州市评审中心{tag}", kind="platform", uscc=make_uscc(), region_code="320500")
        national = Organisation(name=f"全国权限管理{tag}", kind="platform", uscc=make_uscc(), region_code="000000")
        audit = Organisation(name=f"全国审计{tag}", kind="auditor", uscc=make_uscc(), region_code="000000")
        session.add_all([city, national, audit])
        await session.flush()
        people = {
            "reviewer": (city.id, ["evaluator"]),
            "admin": (national.id, ["policy_admin"]),
            "second": (national.id, ["policy_admin"]),
            "auditor": (audit.id, ["auditor"]),
        }
        for key, (org, roles) in people.items():
            user = await accounts.create_user(
                uow,
                accounts.UserData(
                    username=f"gr_{key}_{tag}", display_name=f"授权测试{key}", organisation_id=org, password=DEMO_PASSWORD, roles=roles
                ),
            )
            made[key] = {"id": global_id("User", user.id), "pk": user.id, "username": user.username}
    for key in people:
        made[key]["token"] = (await api.password_token(made[key]["username"]))["access_token"]
    return made


async def grant(api, world, county: str, **extra) -> dict:
    i = {"userId": world["reviewer"]["id"], "role": "reviewer", "regionCode": county, **extra}
    return (await api.ok(GRANT, {"i": i}, token=world["admin"]["token"]))["grantRole"]


async def revoke_all(api, world) -> None:
    for county in COUNTIES.values():
        await api.ok(
            REVOKE, {"i": {"userId": world["reviewer"]["id"], "role": "reviewer", "regionCode": county}}, token=world["admin"]["token"]
        )


async def reviewer_sees(api, world) -> tuple[set[str], set[str]]:
    """The projects of the reviewer's queue, and of their project list, among the world's."""
    token = (await api.password_token(world["reviewer"]["username"]))["access_token"]
    ours = set(world["projects"].values()) | set(world["drafts"].values())
    queue, listing = await api.gql(QUEUE, token=token), await api.gql(PROJECTS, token=token)
    # Without a role that may run them (an evaluator's own), FORBIDDEN: nothing seen.
    queued = set() if queue.get("errors") else {n["project"]["id"] for n in queue["data"]["myReviewQueue"]["nodes"]} & ours
    listed = set() if listing.get("errors") else {n["id"] for n in listing["data"]["projects"]["nodes"]} & ours
    return queued, listed


async def test_a_reviewer_granted_three_counties_reviews_and_lists_exactly_them(api, world):
    try:
        assert await reviewer_sees(api, world) == (set(), set())  # an evaluator, with no process of theirs
        for key in GRANTED:
            payload = await grant(api, world, COUNTIES[key], comment="代理三县审核")
            assert payload["errors"] == [], payload
            version = payload["version"]
            assert version["kind"] == "GRANT" and version["comment"] == "代理三县审核"
            assert version["added"] == [{"ptype": "G", "values": [f"user:{world['reviewer']['pk']}", "reviewer", COUNTIES[key]]}]
        expected = {world["projects"][key] for key in GRANTED}
        # The queue and the list cover exactly the three counties: not D, and no drafts.
        assert await reviewer_sees(api, world) == (expected, expected)

        assignments = (
            await api.ok(
                "query($u: ID) { roleAssignments(userId: $u) { role regionCode granted inForce } }",
                {"u": world["reviewer"]["id"]},
                token=world["admin"]["token"],
            )
        )["roleAssignments"]
        assert sorted((a["role"], a["regionCode"], a["granted"], a["inForce"]) for a in assignments) == sorted(
            [("evaluator", "320500", False, True)] + [("reviewer", COUNTIES[k], True, True) for k in GRANTED]
        )

        revoked = (
            await api.ok(
                REVOKE,
                {"i": {"userId": world["reviewer"]["id"], "role": "reviewer", "regionCode": COUNTIES["C"]}},
                token=world["admin"]["token"],
            )
        )["revokeRole"]
        assert revoked["errors"] == [] and revoked["version"]["number"] > version["number"]
        expected.discard(world["projects"]["C"])
        assert await reviewer_sees(api, world) == (expected, expected)
    finally:
        await revoke_all(api, world)


async def test_a_temporary_grant_ends_on_its_date(api, state, world):
    today = today_in_china(state.clock.now())
    try:
        payload = await grant(api, world, COUNTIES["D"], endsOn=today.isoformat(), comment="临时代理")
        assert payload["errors"] == []
        assert payload["version"]["added"][0]["values"][2:] == [COUNTIES["D"], "", today.isoformat()]
        assert await reviewer_sees(api, world) == ({world["projects"]["D"]}, {world["projects"]["D"]})
        with clock_kept(state) as clock:
            clock.advance(24 * 3600)  # the next day in China: the grant has ended
            assert await reviewer_sees(api, world) == (set(), set())
            assignments = (
                await api.ok(
                    'query($u: ID) { roleAssignments(userId: $u, role: "reviewer") { endsOn inForce } }',
                    {"u": world["reviewer"]["id"]},
                    token=world["admin"]["token"],
                )
            )["roleAssignments"]
            assert assignments == [{"endsOn": today.isoformat(), "inForce": False}]
        # A grant that starts later is not in force yet either.
        await revoke_all(api, world)
        later = (today + timedelta(days=2)).isoformat()
        assert (await grant(api, world, COUNTIES["D"], startsOn=later))["errors"] == []
        assert await reviewer_sees(api, world) == (set(), set())
        # Ends before it starts: refused.
        bad = await grant(api, world, COUNTIES["A"], startsOn=later, endsOn=today.isoformat())
        assert [(e["code"], e["field"]) for e in bad["errors"]] == [("GRANT_ENDS_BEFORE_IT_STARTS", "input")]
    finally:
        await revoke_all(api, world)


async def test_explain_a_denial_then_its_fix_allows_it(api, world):
    variables = {"u": world["reviewer"]["id"], "op": "Mutation.decideProjectReview", "r": COUNTIES["A"]}
    try:
        denied = (await api.ok(EXPLAIN, variables, token=world["admin"]["token"]))["explainPermission"]
        assert denied["allowed"] is False and denied["errors"] == []
        assert denied["reason"] == "role_missing" and denied["reasonLabel"] == "缺少所需角色"
        assert denied["nearestRule"]["values"][0] in ("reviewer", "finance_officer")
        fix = denied["fix"]
        assert fix["op"] == "ADD" and fix["rule"]["values"] == [
            f"user:{world['reviewer']['pk']}",
            denied["nearestRule"]["values"][0],
            COUNTIES["A"],
        ]

        applied = (
            await api.ok(
                APPLY,
                {"i": {"changes": [line("ADD", *fix["rule"]["values"], ptype="G")], "comment": "按解释修复"}},
                token=world["admin"]["token"],
            )
        )["applyPolicyChange"]
        assert applied["errors"] == []
        allowed = (await api.ok(EXPLAIN, variables, token=world["admin"]["token"]))["explainPermission"]
        assert allowed["allowed"] is True
        role = denied["nearestRule"]["values"][0]
        assert [s["kind"] for s in allowed["steps"]] == ["grant", "line"]
        assert allowed["steps"][0]["rule"]["values"] == [f"user:{world['reviewer']['pk']}", role, COUNTIES["A"]]
        assert allowed["steps"][1]["rule"] == {"ptype": "P", "values": [role, "*", "Mutation.decideProjectReview", "write"]}
        # In a county the grant does not cover, still denied.
        elsewhere = (await api.ok(EXPLAIN, {**variables, "r": COUNTIES["B"]}, token=world["admin"]["token"]))["explainPermission"]
        assert elsewhere["allowed"] is False
    finally:
        await revoke_all(api, world)
        await revoke_all_roles(api, world)


async def revoke_all_roles(api, world) -> None:
    for role in ("finance_officer",):
        for county in COUNTIES.values():
            await api.ok(
                REVOKE, {"i": {"userId": world["reviewer"]["id"], "role": role, "regionCode": county}}, token=world["admin"]["token"]
            )


async def test_explain_names_typos_and_dead_operations(api, world):
    token = world["admin"]["token"]
    typo = (await api.ok(EXPLAIN, {"u": world["reviewer"]["id"], "op": "Mutation.decideProjectReveiw"}, token=token))["explainPermission"]
    assert [(e["code"], e["field"]) for e in typo["errors"]] == [("UNKNOWN_OPERATION_SUGGESTED", "operation")]
    assert "Mutation.decideProjectReview" in typo["errors"][0]["message"]


async def test_preview_a_removal_apply_it_roll_it_back_and_see_the_versions(api, world):
    token = world["admin"]["token"]
    removal = [line("REMOVE", "reviewer", "*", "Query.myReviewQueue", "read")]
    try:
        assert (await grant(api, world, COUNTIES["A"]))["errors"] == []
        before = (await api.ok(RULES, {"op": "Query.myReviewQueue"}, token=token))["policyRules"]
        preview = (await api.ok(PREVIEW, {"c": removal}, token=token))["previewPolicyChange"]
        assert preview["errors"] == [] and preview["refusals"] == [] and preview["gains"] == []
        assert preview["removed"] == [{"values": ["reviewer", "*", "Query.myReviewQueue", "read"]}]
        lost = {(e["username"], e["regionCode"]) for e in preview["losses"]}
        assert (world["reviewer"]["username"], COUNTIES["A"]) in lost  # through the grant
        assert ("reviewer", "320583") in lost  # the demo county's reviewer
        assert {e["operation"] for e in preview["losses"]} == {"Query.myReviewQueue"}
        # Nothing was saved.
        assert (await api.ok(RULES, {"op": "Query.myReviewQueue"}, token=token))["policyRules"] == before

        applied = (await api.ok(APPLY, {"i": {"changes": removal, "comment": "停用审核队列"}}, token=token))["applyPolicyChange"]
        assert applied["errors"] == [] and applied["pending"] is None
        number = applied["version"]["number"]
        assert applied["version"]["removed"] == [{"values": ["reviewer", "*", "Query.myReviewQueue", "read"]}]
        queue = await api.gql(QUEUE, token=(await api.password_token(world["reviewer"]["username"]))["access_token"])
        assert queue["errors"][0]["extensions"]["code"] == "FORBIDDEN"

        versions = (await api.ok(VERSIONS, token=token))["policyVersions"]["nodes"]
        assert versions[0]["number"] == number and versions[0]["current"] is True and versions[0]["availableActions"] == []
        assert versions[0]["comment"] == "停用审核队列" and versions[0]["kind"] == "CHANGE"
        assert versions[1]["number"] == number - 1 and versions[1]["availableActions"] == ["ROLLBACK"]

        rolled = (await api.ok(ROLLBACK, {"i": {"version": number - 1, "comment": "恢复"}}, token=token))["rollbackPolicy"]
        assert rolled["errors"] == [] and rolled["version"] == {"number": number + 1, "kind": "ROLLBACK", "restores": number - 1}
        assert (await api.ok(RULES, {"op": "Query.myReviewQueue"}, token=token))["policyRules"] == before
        newest = (await api.ok(VERSIONS, token=token))["policyVersions"]["nodes"][0]
        assert newest["added"] == [{"values": ["reviewer", "*", "Query.myReviewQueue", "read"]}] and newest["removed"] == []
        # A rollback without a comment, or to a version that does not exist: refused.
        assert [
            e["code"] for e in (await api.ok(ROLLBACK, {"i": {"version": number, "comment": " "}}, token=token))["rollbackPolicy"]["errors"]
        ] == ["REQUIRED"]
        missing = (await api.ok(ROLLBACK, {"i": {"version": 10**9, "comment": "x"}}, token=token))["rollbackPolicy"]["errors"]
        assert [e["code"] for e in missing] == ["POLICY_VERSION_NOT_FOUND"]
    finally:
        await revoke_all(api, world)
        rules = (await api.ok(RULES, {"op": "Query.myReviewQueue"}, token=token))["policyRules"]
        if {"values": ["reviewer", "*", "Query.myReviewQueue", "read"]} not in rules:
            await api.ok(
                APPLY, {"i": {"changes": [line("ADD", "reviewer", "*", "Query.myReviewQueue", "read")], "comment": "restore"}}, token=token
            )


async def test_a_batch_is_one_version_and_one_audit_event(api, state, world):
    token = world["admin"]["token"]
    changes = [
        line("ADD", "contractor", "320500", "Query.auditEvents", "read"),
        line("ADD", "supervisor", "320500", "Query.auditEvents", "read"),
    ]
    applied = (await api.ok(APPLY, {"i": {"changes": changes, "comment": "两条一起"}}, token=token))["applyPolicyChange"]
    assert applied["errors"] == []
    number = applied["version"]["number"]
    undo = [{**c, "op": "REMOVE"} for c in changes]
    assert (await api.ok(APPLY, {"i": {"changes": undo, "comment": "撤回"}}, token=token))["applyPolicyChange"]["errors"] == []
    events = (
        await api.ok(
            """{ auditEvents(first: 5, filter: {targetType: "PolicyVersion", operation: "Mutation.applyPolicyChange"}) {
                 nodes { targetId changes } } }""",
            token=world["auditor"]["token"],
        )
    )["auditEvents"]["nodes"]
    mine = [e for e in events if e["targetId"] == global_id("PolicyVersion", number)]
    assert len(mine) == 1, (number, events)
    assert mine[0]["changes"]["comment"] == "两条一起" and len(mine[0]["changes"]["added"]) == 2
    # One line wrong: nothing of the batch is applied, every problem named at its place.
    bad = [
        changes[0],
        line("ADD", "reveiwer", "320500", "Query.auditEvents", "read"),
        line("ADD", "contractor", "320599", "Query.auditEvents", "read"),
    ]
    refused = (await api.ok(APPLY, {"i": {"changes": bad, "comment": "有错"}}, token=token))["applyPolicyChange"]
    assert [(e["code"], e["field"]) for e in refused["errors"]] == [
        ("UNKNOWN_ROLE_SUGGESTED", "changes[1]"),
        ("UNKNOWN_REGION_SUGGESTED", "changes[2]"),
    ]
    assert "reviewer" in refused["errors"][0]["message"]
    assert (await api.ok(RULES, {"op": "Query.auditEvents"}, token=token))["policyRules"] == (
        await api.ok(RULES, {"op": "Query.auditEvents"}, token=token)
    )["policyRules"]
    assert {"values": ["contractor", "320500", "Query.auditEvents", "read"]} not in (
        await api.ok(RULES, {"op": "Query.auditEvents"}, token=token)
    )["policyRules"]


async def test_the_guards(api, world):
    token = world["admin"]["token"]

    async def refused(changes: list[dict]) -> list[str]:
        payload = (await api.ok(APPLY, {"i": {"changes": changes, "comment": "guard"}}, token=token))["applyPolicyChange"]
        assert payload["version"] is None
        return [e["code"] for e in payload["errors"]]

    # The last line that lets anyone edit the policy.
    assert await refused([line("REMOVE", "policy_admin", "*", "Mutation.applyPolicyChange", "write")]) == ["LAST_POLICY_ADMIN"]
    # Signing in for the public.
    assert await refused([line("REMOVE", "public", "*", "Mutation.login", "write")]) == ["PUBLIC_LOGIN_REQUIRED"]
    # A self-grant.
    own = [line("ADD", f"user:{world['admin']['pk']}", "auditor", "320500", ptype="G")]
    assert await refused(own) == ["SELF_GRANT"]
    self_grant = (await api.ok(GRANT, {"i": {"userId": world["admin"]["id"], "role": "auditor", "regionCode": "320500"}}, token=token))[
        "grantRole"
    ]
    assert [e["code"] for e in self_grant["errors"]] == ["SELF_GRANT"]
    # Unknown role and region, with what was probably meant.
    typo = (await api.ok(GRANT, {"i": {"userId": world["reviewer"]["id"], "role": "reveiwer", "regionCode": "320599"}}, token=token))[
        "grantRole"
    ]
    assert [e["code"] for e in typo["errors"]] == ["UNKNOWN_ROLE_SUGGESTED", "UNKNOWN_REGION_SUGGESTED"]
    en = await api.ok(
        GRANT,
        {"i": {"userId": world["reviewer"]["id"], "role": "reveiwer", "regionCode": "320500"}},
        token=token,
        headers={"Accept-Language": "en"},
    )
    assert en["grantRole"]["errors"][0]["message"] == "Unknown role “reveiwer”; did you mean “reviewer”?"
    # The preview tells the same before anything is tried.
    preview = (await api.ok(PREVIEW, {"c": [line("REMOVE", "public", "*", "Mutation.login", "write")]}, token=token))["previewPolicyChange"]
    assert [r["code"] for r in preview["refusals"]] == ["PUBLIC_LOGIN_REQUIRED"]


async def test_the_policy_as_csv_is_checked_in_full_before_an_import(api, world):
    token = world["admin"]["token"]
    exported = (await api.ok("{ exportPolicy }", token=token))["exportPolicy"]
    assert "p, public, *, Mutation.login, write\n" in exported
    importing = (
        "mutation($i: ImportPolicyInput!) { importPolicy(input: $i) { version { number kind added { values } } errors { code field } } }"
    )
    unchanged = (await api.ok(importing, {"i": {"csv": exported, "comment": "同样的"}}, token=token))["importPolicy"]
    assert [e["code"] for e in unchanged["errors"]] == ["POLICY_CHANGE_EMPTY"]
    lines = exported.splitlines()
    edited = (
        "\n".join([*lines, "p, contractor, 320500, Query.auditEvents, read", "p, contractor, 320500, Query.auditEvent, read", "g, x"])
        + "\n"
    )
    bad = (await api.ok(importing, {"i": {"csv": edited, "comment": "导入"}}, token=token))["importPolicy"]
    assert [(e["code"], e["field"]) for e in bad["errors"]] == [
        ("UNKNOWN_OPERATION_SUGGESTED", f"csv[{len(lines) + 2}]"),
        ("INVALID_POLICY_RULE", f"csv[{len(lines) + 3}]"),
    ]
    assert (await api.ok("{ exportPolicy }", token=token))["exportPolicy"] == exported  # nothing applied
    good = "\n".join([*lines, "# a comment", "p, contractor, 320500, Query.auditEvents, read"]) + "\n"
    done = (await api.ok(importing, {"i": {"csv": good, "comment": "导入"}}, token=token))["importPolicy"]
    assert done["errors"] == [] and done["version"]["kind"] == "IMPORT"
    assert done["version"]["added"] == [{"values": ["contractor", "320500", "Query.auditEvents", "read"]}]
    back = (await api.ok(importing, {"i": {"csv": exported, "comment": "还原"}}, token=token))["importPolicy"]
    assert back["errors"] == []


async def test_four_eyes_a_second_administrator_approves_and_changes_lapse(api, state, world):
    admin, second = world["admin"]["token"], world["second"]["token"]
    pending_list = "{ pendingPolicyChanges(first: 5, status: PENDING) { nodes { id status authorName availableActions changes { op rule { values } } } } }"
    decide = """mutation($i: DecidePolicyChangeInput!) { %s(input: $i) { version { number approvedByName: authorName } pending { status } errors { code } } }"""
    state.settings.policy_four_eyes = True
    try:
        proposed = await grant(api, world, COUNTIES["B"], comment="需要审批")
        assert proposed["errors"] == [] and proposed["version"] is None
        change_id = proposed["pending"]["id"]
        assert await reviewer_sees(api, world) == (set(), set())  # not applied yet
        mine = (await api.ok(pending_list, token=admin))["pendingPolicyChanges"]["nodes"]
        theirs = (await api.ok(pending_list, token=second))["pendingPolicyChanges"]["nodes"]
        assert [n["availableActions"] for n in mine if n["id"] == change_id] == [["WITHDRAW"]]
        assert [n["availableActions"] for n in theirs if n["id"] == change_id] == [["APPROVE", "REJECT"]]

        own = (await api.ok(decide % "approvePolicyChange", {"i": {"id": change_id}}, token=admin))["approvePolicyChange"]
        assert [e["code"] for e in own["errors"]] == ["OWN_CHANGE_APPROVAL"]
        approved = (await api.ok(decide % "approvePolicyChange", {"i": {"id": change_id, "comment": "同意"}}, token=second))[
            "approvePolicyChange"
        ]
        assert approved["errors"] == [] and approved["pending"]["status"] == "APPLIED" and approved["version"]["number"] > 0
        assert await reviewer_sees(api, world) == ({world["projects"]["B"]}, {world["projects"]["B"]})
        again = (await api.ok(decide % "approvePolicyChange", {"i": {"id": change_id}}, token=second))["approvePolicyChange"]
        assert [e["code"] for e in again["errors"]] == ["PENDING_CHANGE_DECIDED"]

        lapsing = await grant(api, world, COUNTIES["C"])
        with clock_kept(state) as clock:
            clock.advance((state.settings.policy_change_ttl_hours + 1) * 3600)
            late = (await api.ok(decide % "approvePolicyChange", {"i": {"id": lapsing["pending"]["id"]}}, token=second))[
                "approvePolicyChange"
            ]
            assert [e["code"] for e in late["errors"]] == ["PENDING_CHANGE_EXPIRED"]
            listed = (await api.ok("{ pendingPolicyChanges(first: 5, status: EXPIRED) { nodes { id status } } }", token=second))[
                "pendingPolicyChanges"
            ]["nodes"]
            assert {"id": lapsing["pending"]["id"], "status": "EXPIRED"} in listed
    finally:
        state.settings.policy_four_eyes = False
        await revoke_all(api, world)


async def test_the_catalogue_covers_every_operation_of_the_schema(api, world):
    """Every root field of clients/schema.graphql, and nothing unknown; the catalogue is
    made from the schema, so an operation added without its lines shows up as dead."""
    from pathlib import Path

    sdl = parse_sdl((Path(__file__).resolve().parents[2] / "clients" / "schema.graphql").read_text(encoding="utf-8"))
    expected = {
        f"{root.name}.{name}"
        for root in (sdl.query_type, sdl.mutation_type, sdl.subscription_type)
        if root is not None
        for name in root.fields
    }
    catalogue = (
        await api.ok(
            "{ policyOperations { name action module description descriptionEn descriptionZh dead lines { values } } }",
            token=world["admin"]["token"],
        )
    )["policyOperations"]
    names = {op["name"] for op in catalogue}
    roots = {name for name in names if name.split(".")[0] in ("Query", "Mutation", "Subscription")}
    assert roots == expected
    assert {"User.phone", "Organisation.bankAccountNumber", "PaymentRequest.payerAccount", "PaymentRequest.payeeAccount"} <= names
    by_name = {op["name"]: op for op in catalogue}
    grant_op = by_name["Mutation.grantRole"]
    assert grant_op["action"] == "write" and grant_op["module"] == "permissions" and grant_op["descriptionZh"] == "授予角色。"
    assert grant_op["description"] == "授予角色。" and ["policy_admin", "*", "Mutation.grantRole", "write"] in [
        r["values"] for r in grant_op["lines"]
    ]
    assert by_name["Query.projects"]["module"] == "projects" and by_name["User.phone"]["action"] == "read_full"
    assert all(op["dead"] == (op["lines"] == []) for op in catalogue)
    dead = (await api.ok("{ policyOperations(deadOnly: true) { name } }", token=world["admin"]["token"]))["policyOperations"]
    assert {op["name"] for op in dead} == {name for name, op in by_name.items() if op["dead"]}


def test_the_evaluator_decides_as_casbin_does():
    """policies.evaluate answers as the Casbin model does, over lines with role inheritance
    limited to regions, wildcards and grants (which neither sees)."""
    from policies.engine import build_enforcer
    from policies.evaluate import PolicyModel

    lines = [
        ["p", "reviewer", "*", "Query.projects", "read"],
        ["p", "reviewer", "320500", "Mutation.decideProjectReview", "write"],
        ["p", "auditor", "320000", "Query.*", "read"],
        ["p", "chief", "320583", "Mutation.approveProject", "write"],
        ["g", "chief", "reviewer", "320500"],
        ["g", "senior", "chief", "*"],
        ["g", "user:7", "auditor", "320583"],
    ]
    enforcer, model = build_enforcer(lines), PolicyModel(lines)
    operations = [
        ("Query.projects", "read"),
        ("Mutation.decideProjectReview", "write"),
        ("Mutation.approveProject", "write"),
        ("Query.x", "read"),
        ("Query.projects", "write"),
    ]
    for role in ("reviewer", "auditor", "chief", "senior", "public", "user:7"):
        for region in ("000000", "320000", "320500", "320583", "320584", "110101"):
            for operation, action in operations:
                assert model.allows([role], region, operation, action) == bool(enforcer.enforce(role, region, operation, action)), (
                    role,
                    region,
                    operation,
                )
    allowance = model.allowance("senior", "320583", "Query.projects", "read")
    assert allowance is not None and [s.inherited for s in allowance.steps] == ["chief", "reviewer"]


async def test_lists_cost_the_same_statements_whatever_their_size(api, state, world):
    from conftest import count_statements

    token = world["admin"]["token"]
    for grant_to in GRANTED:
        assert (await grant(api, world, COUNTIES[grant_to]))["errors"] == []
    try:
        queries = {
            "versions": "query($n: Int) { policyVersions(first: $n) { nodes { number kind added { values } availableActions } } }",
            "pending": "query($n: Int) { pendingPolicyChanges(first: $n) { nodes { id status changes { op } availableActions } } }",
        }
        for name, query in queries.items():
            await api.ok(query, {"n": 1}, token=token)  # the document is known
            counts = []
            for size in (1, 3):
                with count_statements(state) as statements:
                    await api.ok(query, {"n": size}, token=token)
                counts.append(len(statements))
            assert counts[0] == counts[1], (name, counts)
        assignments = "query($u: ID) { roleAssignments(userId: $u) { role regionCode } }"
        counts = []
        for user in (None, world["reviewer"]["id"]):
            with count_statements(state) as statements:
                await api.ok(assignments, {"u": user}, token=token)
            counts.append(len(statements))
        assert counts[0] == counts[1] <= 2, counts  # the organisation roles, the grantees' names
    finally:
        await revoke_all(api, world)


async def test_a_county_administrator_works_inside_the_county_only(api, world):
    """The demo county's policy administrator (320583) cannot grant, explain or see outside
    it: grants elsewhere are refused, people elsewhere are unknown to them, and changes
    proposed elsewhere are not theirs to see."""
    county = await api.token("policyadmin")
    outside = (
        await api.ok(GRANT, {"i": {"userId": world["reviewer"]["id"], "role": "reviewer", "regionCode": COUNTIES["A"]}}, token=county)
    )["grantRole"]
    assert [(e["code"], e["field"]) for e in outside["errors"]] == [("REGION_OUT_OF_SCOPE", "input")]
    everywhere = await api.ok(
        APPLY, {"i": {"changes": [line("ADD", "contractor", "*", "Query.auditEvents", "read")], "comment": "x"}}, token=county
    )
    assert [e["code"] for e in everywhere["applyPolicyChange"]["errors"]] == ["REGION_OUT_OF_SCOPE"]
    explained = (await api.ok(EXPLAIN, {"u": world["reviewer"]["id"], "op": "Query.projects"}, token=county))["explainPermission"]
    assert [e["code"] for e in explained["errors"]] == ["UNKNOWN_USER"]
    assignments = (await api.ok("query($u: ID) { roleAssignments(userId: $u) { role } }", {"u": world["reviewer"]["id"]}, token=county))[
        "roleAssignments"
    ]
    assert assignments == []

    # A change the national administrators proposed: not in the county's list, null by ID.
    everything = await api.ok("{ pendingPolicyChanges(first: 50) { nodes { id authorName } } }", token=world["admin"]["token"])
    national = {n["id"] for n in everything["pendingPolicyChanges"]["nodes"] if n["authorName"].startswith("授权测试")}
    theirs = {
        n["id"]
        for n in (await api.ok("{ pendingPolicyChanges(first: 50) { nodes { id } } }", token=county))["pendingPolicyChanges"]["nodes"]
    }
    assert national and not national & theirs
    some = sorted(national)[0]
    assert (await api.ok("query($id: ID!) { node(id: $id) { id } }", {"id": some}, token=county))["node"] is None
