"""The demo's permission administration: an acting reviewer with an end date, a grant made by
mistake and revoked, a change waiting for a second administrator and one withdrawn."""

from __future__ import annotations

from datetime import timedelta

import pytest

from resolvers.core.clock import today_in_china

pytestmark = pytest.mark.once


async def test_the_demo_shows_grants_versions_and_pending_changes(api, state):
    admin = await api.token("policyadmin")
    deputy = await api.token("deputy")
    viewer = (await api.ok("{ viewer { user { id } roles } }", token=deputy))["viewer"]
    assert viewer["roles"] == ["EVALUATOR", "REVIEWER"]
    today = today_in_china(state.clock.now())
    assignments = (
        await api.ok(
            "query($u: ID) { roleAssignments(userId: $u) { role regionCode granted startsOn endsOn inForce } }",
            {"u": viewer["user"]["id"]},
            token=admin,
        )
    )["roleAssignments"]
    assert {
        "role": "reviewer",
        "regionCode": "320583",
        "granted": True,
        "startsOn": today.isoformat(),
        "endsOn": (today + timedelta(days=30)).isoformat(),
        "inForce": True,
    } in assignments
    assert [a["role"] for a in assignments if a["role"] == "supervisor"] == []  # revoked

    # The acting reviewer's queue is the demo county's.
    queue = (await api.ok("{ myReviewQueue(first: 5) { nodes { role project { regionCode } } } }", token=deputy))["myReviewQueue"]["nodes"]
    assert queue and {(n["role"], n["project"]["regionCode"]) for n in queue} == {("reviewer", "320583")}

    # The oldest versions (newest first): the migrations', then the demo's.
    versions = (await api.ok("{ policyVersions(last: 4) { nodes { kind kindLabel comment authorName } } }", token=admin))["policyVersions"][
        "nodes"
    ]
    kinds = [v["kind"] for v in versions]
    assert kinds == ["REVOKE", "GRANT", "GRANT", "MIGRATION"]
    grant = versions[2]
    assert grant["authorName"] == "权限管理员" and grant["comment"].startswith("代理审核") and grant["kindLabel"] == "授予角色"

    changes = (await api.ok("{ pendingPolicyChanges(first: 10) { nodes { status statusLabel availableActions comment } } }", token=admin))[
        "pendingPolicyChanges"
    ]["nodes"]
    assert {c["status"] for c in changes} >= {"PENDING", "WITHDRAWN"}
    open_change = next(c for c in changes if c["status"] == "PENDING")
    assert open_change["availableActions"] == ["WITHDRAW"] and open_change["statusLabel"] == "待审批"
