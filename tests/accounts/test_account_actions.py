"""``availableActions`` of users and organisations: for each demo role, every action offered
on a user (or organisation) it sees succeeds and every other is refused."""

from __future__ import annotations

import pytest
from factories import create_organisation, create_person, unique

VIEWERS = ["admin", "policyadmin", "owner", "reviewer", "finance", "contractor1", "supervisor", "auditor", "expert1"]
USER = """query($id: ID!) { node(id: $id) { ... on User { availableActions availableActionLabels } } }"""
ORGANISATION = """query($id: ID!) { node(id: $id) { ... on Organisation { availableActions availableActionLabels } } }"""
EXPECTED_USER = {"admin": ["UPDATE", "SET_ROLES", "UNLOCK"]}
EXPECTED_ORGANISATION = {"admin": ["UPDATE"]}


def succeeded(body: dict, field: str) -> bool:
    return not body.get("errors") and body["data"][field] is not None and body["data"][field]["errors"] == []


async def attempt_on_user(api, action: str, token: str, user_id: str) -> bool:
    if action == "UPDATE":
        query = "mutation($i: UpdateUserInput!) { updateUser(input: $i) { errors { code } } }"
        return succeeded(await api.gql(query, {"i": {"id": user_id, "displayName": unique("姓名")}}, token=token), "updateUser")
    if action == "SET_ROLES":
        query = "mutation($i: SetUserRolesInput!) { setUserRoles(input: $i) { errors { code } } }"
        return succeeded(await api.gql(query, {"i": {"id": user_id, "roles": ["OWNER_STAFF"]}}, token=token), "setUserRoles")
    assert action == "UNLOCK"
    query = "mutation($i: UnlockUserInput!) { unlockUser(input: $i) { errors { code } } }"
    return succeeded(await api.gql(query, {"i": {"id": user_id}}, token=token), "unlockUser")


@pytest.mark.parametrize("viewer", VIEWERS)
async def test_each_role_may_do_to_a_user_and_an_organisation_exactly_what_it_is_offered(api, viewer):
    org_id = await create_organisation(api)
    person = await create_person(api, org_id, ["OWNER_STAFF"])
    token = await api.token(viewer)

    shown = (await api.gql(USER, {"id": person.user_id}, token=token))["data"]["node"]
    offered = shown["availableActions"] if shown else []
    assert offered == EXPECTED_USER.get(viewer, [])
    if shown:
        assert len(shown["availableActionLabels"]) == len(offered)
    for action in ("UPDATE", "SET_ROLES", "UNLOCK"):
        assert await attempt_on_user(api, action, token, person.user_id) == (action in offered), f"{viewer} {action}"

    shown = (await api.gql(ORGANISATION, {"id": org_id}, token=token))["data"]["node"]
    offered = shown["availableActions"] if shown else []
    assert offered == EXPECTED_ORGANISATION.get(viewer, [])
    query = "mutation($i: UpdateOrganisationInput!) { updateOrganisation(input: $i) { errors { code } } }"
    body = await api.gql(query, {"i": {"id": org_id, "name": unique("单位")}}, token=token)
    assert succeeded(body, "updateOrganisation") == ("UPDATE" in offered), viewer
