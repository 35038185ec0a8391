"""``availableActions`` is what this viewer may do now: for every demo role, on a project in
every status, each listed action succeeds and each one left out is refused, leaving the
project as it was."""

from __future__ import annotations

import pytest
from conftest import count_statements
from factories import (
    DETAIL,
    STRONG_PASSWORD,
    SUBMIT,
    UPLOAD,
    Owner,
    approve_fully,
    create_organisation,
    create_person,
    decide,
    decide_ok,
    new_owner,
    pdf_bytes,
    pending_review,
    ready,
    submitted,
    unique,
)

ACTIONS = ["UPDATE", "UPLOAD_DOCUMENT", "SUBMIT", "APPROVE", "REJECT", "CANCEL"]
# "own" is owner staff of the project's organisation; "owner" is the demo owner staff of another one.
VIEWERS = ["own", "owner", "reviewer", "finance", "contractor1", "supervisor", "auditor", "admin", "policyadmin", "expert1"]
EDIT = ["UPDATE", "UPLOAD_DOCUMENT", "SUBMIT", "CANCEL"]
EXPECTED = {
    "DRAFT": {"own": EDIT},
    "SUBMITTED_AT_STEP_1": {"own": ["CANCEL"], "reviewer": ["APPROVE", "REJECT"]},
    "SUBMITTED_AT_STEP_2": {"own": ["CANCEL"], "finance": ["APPROVE", "REJECT"]},
    "APPROVED": {"own": ["CANCEL"]},
    "REJECTED": {"own": EDIT},
    "CANCELLED": {},
}

ACTIONS_OF = """query($id: ID!) {
  project(id: $id) { availableActions viewerCanUpdate viewerCanReview reviews { status viewerCanDecide } }
}"""
UPDATE = """mutation($input: UpdateProjectInput!) { updateProject(input: $input) { project { id } errors { code } } }"""
CANCEL = """mutation($input: CancelProjectInput!) { cancelProject(input: $input) { project { id } errors { code } } }"""


async def build(api, owner: Owner, status: str) -> dict:
    """A project of ``owner`` in ``status``."""
    if status == "DRAFT":
        return await ready(api, owner)
    project = await submitted(api, owner)
    reviewer = await api.token("reviewer")
    if status == "SUBMITTED_AT_STEP_2":
        await decide_ok(api, reviewer, (await pending_review(api, owner, project["id"]))["id"], "APPROVE", "同意。")
    elif status == "APPROVED":
        await approve_fully(api, owner, project["id"])
    elif status == "REJECTED":
        await decide_ok(api, reviewer, (await pending_review(api, owner, project["id"]))["id"], "REJECT", "请补充。")
    elif status == "CANCELLED":
        body = await api.ok(CANCEL, {"input": {"id": project["id"], "reason": "不再实施。"}}, token=owner.staff.token)
        assert body["cancelProject"]["errors"] == []
    return project


async def token_of(api, owner: Owner, viewer: str) -> str:
    return owner.staff.token if viewer == "own" else await api.token(viewer)


async def state_of(api, owner: Owner, project_id: str) -> tuple:
    """What an action would change: status, version, documents and review steps."""
    p = (await api.ok(DETAIL, {"id": project_id}, token=owner.staff.token))["project"]
    return p["status"], p["version"], len(p["documents"]), [(r["round"], r["step"], r["status"]) for r in p["reviews"]]


async def review_of(api, owner: Owner, project_id: str) -> str | None:
    """The review step waiting, or else the latest one (deciding it again is refused); None
    before the first submission."""
    reviews = (await api.ok(DETAIL, {"id": project_id}, token=owner.staff.token))["project"]["reviews"]
    pending = [r for r in reviews if r["status"] == "PENDING"]
    return (pending or reviews)[-1]["id"] if reviews else None


def succeeded(body: dict, field: str) -> bool:
    return not body.get("errors") and body["data"][field] is not None and body["data"][field]["errors"] == []


async def attempt(api, owner: Owner, action: str, token: str, project_id: str) -> bool:
    """Runs ``action`` as the holder of ``token``; whether it succeeded."""
    if action == "UPDATE":
        body = await api.gql(UPDATE, {"input": {"id": project_id, "title": unique("改名")}}, token=token)
        return succeeded(body, "updateProject")
    if action == "UPLOAD_DOCUMENT":
        import json

        operations = {"query": UPLOAD, "variables": {"input": {"projectId": project_id, "documentType": "OTHER", "file": None}}}
        response = await api.client.post(
            "/graphql",
            data={"operations": json.dumps(operations), "map": json.dumps({"0": ["variables.input.file"]})},
            files={"0": ("other.pdf", pdf_bytes(unique()), "application/pdf")},
            headers={"Authorization": f"Bearer {token}", "GraphQL-Require-Preflight": "1"},
        )
        return response.status_code == 200 and succeeded(response.json(), "uploadProjectDocument")
    if action == "SUBMIT":
        return succeeded(await api.gql(SUBMIT, {"input": {"id": project_id}}, token=token), "submitProject")
    if action in ("APPROVE", "REJECT"):
        review = await review_of(api, owner, project_id)
        if review is None:
            return False  # a project never submitted has no review step to decide
        return succeeded(await decide(api, token, review, action, "意见。"), "decideProjectReview")
    assert action == "CANCEL"
    return succeeded(await api.gql(CANCEL, {"input": {"id": project_id, "reason": "不再实施。"}}, token=token), "cancelProject")


@pytest.mark.parametrize("status", list(EXPECTED))
async def test_each_role_may_do_exactly_what_it_is_offered(api, status):
    owner = await new_owner(api)
    project = await build(api, owner, status)
    before = await state_of(api, owner, project["id"])
    offered: dict[str, list[str]] = {}
    for viewer in VIEWERS:
        token = await token_of(api, owner, viewer)
        # null when the viewer may not see the project (row scope) or list projects at all
        shown = (await api.gql(ACTIONS_OF, {"id": project["id"]}, token=token))["data"]["project"]
        offered[viewer] = shown["availableActions"] if shown else []
        if shown:
            assert shown["viewerCanUpdate"] == ("UPDATE" in offered[viewer])
            assert shown["viewerCanReview"] == ("APPROVE" in offered[viewer])
            # The step waiting says the same; a decided step may not be decided by anyone.
            assert [r["viewerCanDecide"] for r in shown["reviews"] if r["status"] == "PENDING"] in ([], ["APPROVE" in offered[viewer]])
            assert not any(r["viewerCanDecide"] for r in shown["reviews"] if r["status"] != "PENDING")
        for action in ACTIONS:
            if action not in offered[viewer]:
                assert not await attempt(api, owner, action, token, project["id"]), f"{viewer} could {action} a {status} project"
        assert await state_of(api, owner, project["id"]) == before, f"a refused action of {viewer} changed the project"
    assert {viewer: actions for viewer, actions in offered.items() if actions} == EXPECTED[status]

    for viewer, actions in offered.items():
        for action in actions:
            fresh = await build(api, owner, status)
            token = await token_of(api, owner, viewer)
            assert await attempt(api, owner, action, token, fresh["id"]), f"{viewer} was offered {action} on a {status} project"


async def test_a_reviewer_of_an_earlier_step_is_not_offered_the_next_one(api):
    """Someone holding both review roles decides step 1; step 2 is not theirs to decide."""
    owner = await new_owner(api)
    both = await create_person(api, await create_organisation(api), ["REVIEWER", "FINANCE_OFFICER"])
    project = await submitted(api, owner)
    shown = (await api.ok(ACTIONS_OF, {"id": project["id"]}, token=both.token))["project"]
    assert shown["availableActions"] == ["APPROVE", "REJECT"]
    assert [r["viewerCanDecide"] for r in shown["reviews"]] == [True]
    await decide_ok(api, both.token, (await pending_review(api, owner, project["id"]))["id"], "APPROVE", "同意。")
    shown = (await api.ok(ACTIONS_OF, {"id": project["id"]}, token=both.token))["project"]
    assert shown["availableActions"] == [] and [r["viewerCanDecide"] for r in shown["reviews"]] == [False, False]
    body = await decide(api, both.token, (await pending_review(api, owner, project["id"]))["id"], "APPROVE", "同意。")
    assert body["errors"][0]["extensions"] == {"code": "FORBIDDEN", "reason": "SAME_REVIEWER"}


async def test_a_read_only_client_is_offered_nothing(api):
    """Owner staff signed in with the read scope only may not write: nothing is offered."""
    owner = await new_owner(api)
    project = await ready(api, owner)
    r = await api.client.post(
        "/auth/token",
        data={"grant_type": "password", "username": owner.staff.username, "password": STRONG_PASSWORD, "scope": "read"},
    )
    assert r.status_code == 200, r.text
    shown = (await api.ok(ACTIONS_OF, {"id": project["id"]}, token=r.json()["access_token"]))["project"]
    assert shown == {"availableActions": [], "viewerCanUpdate": False, "viewerCanReview": False, "reviews": []}


PAGE = """query($n: Int) { myReviewQueue(first: $n) { nodes { project { id availableActions viewerCanReview } } } }"""


async def test_offered_actions_of_a_page_cost_the_same_statements_at_any_size(api, state):
    owner = await new_owner(api)
    for _ in range(6):
        await submitted(api, owner)
    reviewer = await api.token("reviewer")
    await api.ok(PAGE, {"n": 1}, token=reviewer)
    counts = []
    for size in (2, 6):
        with count_statements(state) as statements:
            data = await api.ok(PAGE, {"n": size}, token=reviewer)
        nodes = data["myReviewQueue"]["nodes"]
        assert len(nodes) == size and all(n["project"]["availableActions"] == ["APPROVE", "REJECT"] for n in nodes)
        counts.append(len(statements))
    assert counts[0] == counts[1]
