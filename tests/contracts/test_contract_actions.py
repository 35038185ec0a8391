"""``availableActions`` on a contract is what this viewer may do now: pinned for the owner's
staff, the contractor, the supervisor and those who only look on, at each step of a
contract's life. Every action offered to a party is then performed by the mutation of that
name and succeeds; every action not offered is refused and changes nothing."""

from __future__ import annotations

from contract_flows import CONTRACT_MUTATIONS, attempt, awarded, draft, refusal, server_key, supervisor
from flows import clock_kept

ACTIONS = "query($id: ID!) { contract(id: $id) { availableActions availableActionLabels } }"
STATE = """query($id: ID!) { contract(id: $id) { status version title contentSha256 latestVersion effectiveVersion
  versions { number status } signatures { party isStanding } } }"""
PARTIES = ["owner", "contractor", "supervisor"]
VIEWERS = [*PARTIES, "losing bidder", "other owner", "auditor", "admin"]
EXPECTED = {
    "draft": {"owner": ["UPDATE", "SUBMIT_FOR_SIGNATURE", "TERMINATE"]},
    "pending signature": {"owner": ["UPDATE", "SIGN", "TERMINATE"], "contractor": ["SIGN"], "supervisor": ["SIGN"]},
    "pending signature, the owner signed": {"owner": ["UPDATE", "TERMINATE"], "contractor": ["SIGN"], "supervisor": ["SIGN"]},
    "active": {"owner": ["PROPOSE_AMENDMENT", "TERMINATE"]},
    "active, an amendment open": {
        "owner": ["SIGN", "PROPOSE_AMENDMENT", "WITHDRAW_AMENDMENT", "TERMINATE"],
        "contractor": ["SIGN"],
        "supervisor": ["SIGN"],
    },
    "active, an amendment signed by the contractor": {
        "owner": ["SIGN", "PROPOSE_AMENDMENT", "WITHDRAW_AMENDMENT", "TERMINATE"],
        "supervisor": ["SIGN"],
    },
    "terminated": {},
}


async def test_each_viewer_is_offered_what_the_rules_let_them_do_now(api, state):
    supervisor_org, supervisor_token = await supervisor(api)  # everyone signs in before the clock moves
    tokens = {
        "supervisor": supervisor_token,
        **{v: await api.token(v) for v in ("auditor", "admin")},
        "other owner": await api.token("owner"),
    }
    with clock_kept(state):
        a = await awarded(api, state)
        tokens |= {"owner": a.owner_token, "contractor": a.winner.token}
        tokens["losing bidder"] = next(s.token for s in a.procurement.suppliers if s is not a.winner)
        for party in PARTIES:
            await server_key(api, tokens[party])

        async def now(c: dict) -> dict:
            return (await api.ok(STATE, {"id": c["id"]}, token=tokens["owner"]))["contract"]

        async def offered(step: str, c: dict) -> None:
            """Each viewer is offered what ``step`` lists; each party's other actions are
            refused and leave the contract as it was."""
            before = await now(c)
            for viewer in VIEWERS:
                seen = (await api.ok(ACTIONS, {"id": c["id"]}, token=tokens[viewer]))["contract"]
                actions = seen["availableActions"] if seen else []
                assert actions == EXPECTED[step].get(viewer, []), (step, viewer, actions)
                if seen:
                    assert len(seen["availableActionLabels"]) == len(actions) and all(seen["availableActionLabels"])
            for party in PARTIES:
                for action in CONTRACT_MUTATIONS.keys() - set(EXPECTED[step].get(party, [])):
                    body = await attempt(api, tokens[party], action, c["id"], before["contentSha256"])
                    assert refusal(body) not in (None, "INTERNAL"), (step, party, action, body)
            assert await now(c) == before, step

        async def perform(party: str, action: str, c: dict) -> dict:
            body = await attempt(api, tokens[party], action, c["id"], (await now(c))["contentSha256"])
            assert refusal(body) is None, (party, action, body)
            return await now(c)

        # A draft: edited, then abandoned.
        c = await draft(api, state, a, supervisorId=supervisor_org)
        await offered("draft", c)
        assert (await perform("owner", "UPDATE", c))["status"] == "DRAFT"
        assert (await perform("owner", "TERMINATE", c))["status"] == "TERMINATED"
        await offered("terminated", c)
        # Ended while waiting for signatures, before and after a party signed.
        for signers in ([], ["owner"]):
            c = await draft(api, state, a, supervisorId=supervisor_org)
            await perform("owner", "SUBMIT_FOR_SIGNATURE", c)
            for party in signers:
                await perform(party, "SIGN", c)
            assert (await perform("owner", "TERMINATE", c))["status"] == "TERMINATED"

        # The whole life of one contract. Each party signs while nobody else has: an edit
        # voids what was signed, and the contract waits for every signature again.
        c = await draft(api, state, a, supervisorId=supervisor_org)
        assert (await perform("owner", "SUBMIT_FOR_SIGNATURE", c))["status"] == "PENDING_SIGNATURE"
        await offered("pending signature", c)
        for party in ("contractor", "supervisor"):
            assert [s["isStanding"] for s in (await perform(party, "SIGN", c))["signatures"]][-1] is True
            assert not any(s["isStanding"] for s in (await perform("owner", "UPDATE", c))["signatures"])
        await perform("owner", "SIGN", c)
        await offered("pending signature, the owner signed", c)
        await perform("contractor", "SIGN", c)
        assert (await perform("supervisor", "SIGN", c))["status"] == "ACTIVE"
        await offered("active", c)

        # An amendment: proposed again while open (its signatures voided), withdrawn,
        # proposed and signed into force, proposed once more, and the contract ended.
        assert (await perform("owner", "PROPOSE_AMENDMENT", c))["latestVersion"] == 2
        await offered("active, an amendment open", c)
        await perform("contractor", "SIGN", c)
        await offered("active, an amendment signed by the contractor", c)
        await perform("owner", "PROPOSE_AMENDMENT", c)
        await perform("supervisor", "SIGN", c)
        await perform("owner", "SIGN", c)
        assert [v["status"] for v in (await perform("owner", "WITHDRAW_AMENDMENT", c))["versions"]] == ["ACTIVE", "WITHDRAWN"]
        await offered("active", c)
        await perform("owner", "PROPOSE_AMENDMENT", c)
        signed = [await perform(party, "SIGN", c) for party in PARTIES]
        assert (signed[-1]["status"], signed[-1]["effectiveVersion"]) == ("ACTIVE", 3)
        await perform("owner", "PROPOSE_AMENDMENT", c)
        assert (await perform("owner", "TERMINATE", c))["status"] == "TERMINATED"
        await offered("terminated", c)
