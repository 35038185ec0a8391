"""Who sees a contract and who may change it, across organisations: another owner, another
contractor (a losing bidder too), another supervisor and another county see nothing of it
through lists, node, nodes, verification and bundles, and their mutations are refused as
a missing contract's are, changing nothing. The contractor and the supervisor see it once it
is sent for signature, never as a draft, and may not run the owner's mutations. Signing
keys are each organisation's own, and the region's for administrators and auditors."""

from __future__ import annotations

from conftest import global_id
from contract_flows import (
    BUNDLE,
    CONTRACT_MUTATIONS,
    SUBMIT,
    VERIFY,
    attempt,
    awarded,
    draft,
    refusal,
    server_key,
    sign,
    supervisor,
)
from factories import new_owner, token_elsewhere
from flows import clock_kept, new_supplier

CONTRACTS = "query { contracts(first: 50) { nodes { id } } }"
NODE = "query($id: ID!) { node(id: $id) { id } }"
NODES = "query($ids: [ID!]!) { nodes(ids: $ids) { id } }"
PARTS = "query($id: ID!) { contract(id: $id) { id status version contentSha256 milestones { id } paymentTerms { id } signatures { party isStanding } project { id } } }"
PROJECT = "query($id: ID!) { project(id: $id) { id } }"
TERMINATE_DRAFT = "mutation($input: TerminateContractInput!) { terminateContract(input: $input) { contract { status } errors { code } } }"
KEYS = "query($org: ID) { signingKeys(organisationId: $org, first: 100) { nodes { id keyId organisationName } } }"
REVOKE = "mutation($input: RevokeSigningKeyInput!) { revokeSigningKey(input: $input) { signingKey { id isActive } errors { code } } }"
INBOX = "query { notifications(first: 100) { nodes { eventType subjectId } } }"
ORGANISATION = "query { viewer { organisation { id name } } }"
MISSING = global_id("Contract", 987654321)
OWNER_ACTIONS = [a for a in CONTRACT_MUTATIONS if a != "SIGN"]
EVERYWHERE = {"contract", "contracts", "node", "nodes", "verifyContract", "contractBundle"}


async def _seen(api, token: str, c: dict) -> tuple[set[str], dict[str, str | None]]:
    """Where the viewer finds the contract or its parts, and the error codes of the two
    reads that answer NOT_FOUND rather than null."""
    found = set()
    if (await api.ok(PARTS, {"id": c["id"]}, token=token))["contract"] is not None:
        found.add("contract")
    if c["id"] in {n["id"] for n in (await api.ok(CONTRACTS, token=token))["contracts"]["nodes"]}:
        found.add("contracts")
    if (await api.ok(NODE, {"id": c["id"]}, token=token))["node"] is not None:
        found.add("node")
    parts = [c["id"], *(m["id"] for m in c["milestones"]), *(t["id"] for t in c["paymentTerms"])]
    if any((await api.ok(NODES, {"ids": parts}, token=token))["nodes"]):
        found.add("nodes")
    codes: dict[str, str | None] = {}
    for name, document in (("verifyContract", VERIFY), ("contractBundle", BUNDLE)):
        body = await api.gql(document, {"id": c["id"]}, token=token)
        if (body.get("data") or {}).get(name) is not None:
            found.add(name)
        codes[name] = refusal(body)
    return found, codes


async def test_a_contract_is_seen_and_changed_by_its_parties_only(api, state):
    supervisor_org, supervisor_token = await supervisor(api)  # everyone signs in before the clock moves (a token's iat)
    outsiders = {
        "other owner": (await new_owner(api, allocation=None)).staff.token,
        "other contractor": (await new_supplier(api)).token,
        "other supervisor": (await supervisor(api))[1],
        "other county": await token_elsewhere(api, state),
    }
    with clock_kept(state):
        a = await awarded(api, state)
        owner, contractor = a.owner_token, a.winner.token
        outsiders["losing bidder"] = next(s.token for s in a.procurement.suppliers if s is not a.winner)
        for token in (owner, contractor, supervisor_token):
            await server_key(api, token)

        # A draft is the owner's alone, and stays so when it is abandoned unsent.
        abandoned = await draft(api, state, a, supervisorId=supervisor_org)
        ended = (await api.ok(TERMINATE_DRAFT, {"input": {"id": abandoned["id"], "reason": "重新起草。"}}, token=owner))[
            "terminateContract"
        ]
        assert ended == {"contract": {"status": "TERMINATED"}, "errors": []}
        for token, told in ((owner, ["contract.terminated"]), (contractor, []), (supervisor_token, [])):
            inbox = (await api.ok(INBOX, token=token))["notifications"]["nodes"]
            assert [n["eventType"] for n in inbox if n["subjectId"] == abandoned["id"]] == told
        c = await draft(api, state, a, supervisorId=supervisor_org)
        for contract in (abandoned, c):
            assert (await _seen(api, owner, contract))[0] == EVERYWHERE
            for who, token in {"contractor": contractor, "supervisor": supervisor_token}.items():
                assert (await _seen(api, token, contract))[0] == set(), (who, contract["status"])
        project = (await api.ok(PARTS, {"id": c["id"]}, token=owner))["contract"]["project"]["id"]
        assert (await api.ok(PROJECT, {"id": project}, token=supervisor_token))["project"] is None

        # Sent for signature: the contractor and the supervisor see it (and its project), in
        # every way the owner does; the abandoned draft stays hidden from them.
        assert (await api.ok(SUBMIT, {"input": {"id": c["id"]}}, token=owner))["submitContractForSignature"]["errors"] == []
        c = (await sign(api, owner, c))["contract"]
        for who, token in {"contractor": contractor, "supervisor": supervisor_token}.items():
            assert (await _seen(api, token, c))[0] == EVERYWHERE, who
            assert (await _seen(api, token, abandoned))[0] == set(), who
            seen = (await api.ok(PARTS, {"id": c["id"]}, token=token))["contract"]
            assert seen["project"] == {"id": project}, who
        # A supervisor's list holds the contracts it supervises and no others.
        listed = (await api.ok(CONTRACTS, token=supervisor_token))["contracts"]["nodes"]
        assert [n["id"] for n in listed] == [c["id"]]

        # The contractor may sign, never run the owner's mutations: the gate refuses them.
        for action in OWNER_ACTIONS:
            assert refusal(await attempt(api, contractor, action, c["id"])) == "FORBIDDEN", action
            assert refusal(await attempt(api, supervisor_token, action, c["id"])) == "FORBIDDEN", action

        # Outsiders find nothing, and what they try is refused as for a contract that does
        # not exist (NOT_FOUND where the gate lets their role run the mutation at all).
        before = (await api.ok(PARTS, {"id": c["id"]}, token=owner))["contract"]
        for who, token in outsiders.items():
            found, codes = await _seen(api, token, c)
            assert found == set(), who
            assert codes == {"verifyContract": "NOT_FOUND", "contractBundle": "NOT_FOUND"}, who
            if who != "losing bidder":  # a bidder sees the project it bid for, through the tender
                assert (await api.ok(PROJECT, {"id": project}, token=token))["project"] is None, who
            for action in CONTRACT_MUTATIONS:
                code = refusal(await attempt(api, token, action, c["id"], c["contentSha256"]))
                expected = "NOT_FOUND" if who == "other owner" or action == "SIGN" else "FORBIDDEN"
                assert code == expected, (who, action, code)
                assert refusal(await attempt(api, token, action, MISSING, c["contentSha256"])) == code, (who, action)
        assert (await api.ok(PARTS, {"id": c["id"]}, token=owner))["contract"] == before

        # Once in force, still nothing for the outsiders.
        assert (await sign(api, contractor, c))["errors"] == []
        c = (await sign(api, supervisor_token, c))["contract"]
        assert c["status"] == "ACTIVE"
        for who, token in outsiders.items():
            assert (await api.ok(PARTS, {"id": c["id"]}, token=token))["contract"] is None, who


async def test_signing_keys_are_seen_and_revoked_within_their_organisation(api, state):
    owner = await new_owner(api, allocation=None)
    contractor = await new_supplier(api)
    _, supervisor_token = await supervisor(api)
    far = await token_elsewhere(api, state)
    admin, auditor = await api.token("admin"), await api.token("auditor")
    keys = {
        "owner": await server_key(api, owner.staff.token),
        "contractor": await server_key(api, contractor.token, "SM2_SM3"),
        "supervisor": await server_key(api, supervisor_token),
        "elsewhere": await server_key(api, far),
    }
    tokens = {"owner": owner.staff.token, "contractor": contractor.token, "supervisor": supervisor_token, "elsewhere": far}
    names = {who: (await api.ok(ORGANISATION, token=token))["viewer"]["organisation"] for who, token in tokens.items()}

    # Each organisation lists its own keys only, even when it names another's.
    for who, token in tokens.items():
        listed = (await api.ok(KEYS, token=token))["signingKeys"]["nodes"]
        assert {k["organisationName"] for k in listed} == {names[who]["name"]}, who
        assert keys[who]["id"] in {k["id"] for k in listed}, who
        for other in tokens.keys() - {who}:
            named = (await api.ok(KEYS, {"org": names[other]["id"]}, token=token))["signingKeys"]["nodes"]
            assert named == [], (who, other)
            assert (await api.ok(NODE, {"id": keys[other]["id"]}, token=token))["node"] is None, (who, other)
    # Administrators and auditors see the keys of their county's organisations, not another county's.
    for who, token in {"admin": admin, "auditor": auditor}.items():
        listed = {k["id"] for k in (await api.ok(KEYS, token=token))["signingKeys"]["nodes"]}
        assert {keys[k]["id"] for k in ("owner", "contractor", "supervisor")} <= listed, who
        assert keys["elsewhere"]["id"] not in listed, who

    # Another organisation's key cannot be revoked, and the answer is that of a missing key.
    missing = global_id("SigningKey", 987654321)
    for who, token in tokens.items():
        for other in tokens.keys() - {who}:
            refused = await api.gql(REVOKE, {"input": {"id": keys[other]["id"]}}, token=token)
            assert refusal(refused) == "NOT_FOUND", (who, other)
        assert refusal(await api.gql(REVOKE, {"input": {"id": missing}}, token=token)) == "NOT_FOUND", who
    for who, token in tokens.items():
        assert keys[who]["id"] in {k["id"] for k in (await api.ok(KEYS, token=token))["signingKeys"]["nodes"]}, who
    # Its own key, it may.
    revoked = (await api.ok(REVOKE, {"input": {"id": keys["owner"]["id"]}}, token=owner.staff.token))["revokeSigningKey"]
    assert revoked == {"signingKey": {"id": keys["owner"]["id"], "isActive": False}, "errors": []}
