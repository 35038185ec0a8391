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


API_CLIENT = """query($id: ID!) { node(id: $id) { ... on ApiClient { isActive availableActions availableActionLabels } } }"""
CREATE_CLIENT = """mutation($name: String!, $org: ID!) {
  createApiClient(input: {name: $name, organisationId: $org}) { apiClient { id } errors { code } }
}"""
REVOKE = """mutation($id: ID!) { revokeApiClient(input: {id: $id}) { apiClient { isActive } errors { code field message } } }"""


async def test_an_api_client_is_offered_revocation_while_it_is_active(api):
    admin = await api.token("admin")
    org_id = await create_organisation(api)
    client_id = (await api.ok(CREATE_CLIENT, {"name": unique("接口"), "org": org_id}, token=admin))["createApiClient"]["apiClient"]["id"]

    for viewer in VIEWERS:
        shown = (await api.gql(API_CLIENT, {"id": client_id}, token=await api.token(viewer)))["data"]["node"]
        offered = shown["availableActions"] if shown else []
        assert offered == (["REVOKE"] if viewer == "admin" else []), viewer
        if viewer != "admin":
            assert not succeeded(await api.gql(REVOKE, {"id": client_id}, token=await api.token(viewer)), "revokeApiClient")

    assert (await api.ok(API_CLIENT, {"id": client_id}, token=admin, headers={"Accept-Language": "en"}))["node"][
        "availableActionLabels"
    ] == ["Revoke"]
    assert succeeded(await api.gql(REVOKE, {"id": client_id}, token=admin), "revokeApiClient")
    assert (await api.ok(API_CLIENT, {"id": client_id}, token=admin))["node"] == {
        "isActive": False,
        "availableActions": [],
        "availableActionLabels": [],
    }
    again = (await api.ok(REVOKE, {"id": client_id}, token=admin, headers={"Accept-Language": "en"}))["revokeApiClient"]
    assert again == {
        "apiClient": None,
        "errors": [{"code": "API_CLIENT_ALREADY_REVOKED", "field": "id", "message": "This API client is already revoked."}],
    }
