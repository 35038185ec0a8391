"""A page of contracts with everything nested in them costs the same number of SQL statements
whatever its size, on both executors: every nested field loads through a DataLoader, one
batch for the whole page."""

from __future__ import annotations

from conftest import EXECUTOR, count_statements
from contract_flows import AMEND, SUBMIT, TERMINATE, awarded, draft, server_key, sign, supervisor
from flows import clock_kept

PAGE = """query($first: Int) { contracts(first: $first) { nodes { id code status contentSha256 warning
  parties { party organisationName hasSigned }
  clauses { sequence kind title dailyRatePercent }
  milestones { code status }
  paymentTerms { name amount status milestone { code name } }
  versions { number status signatures { party isStanding organisationName } }
  openVersion { number }
  signatures { party isStanding voidReason organisationName }
  project { code status } tender { code status }
  ocds { status awardId amendments { id } milestones { id status } }
  availableActions availableActionLabels } } }"""


async def test_a_page_of_contracts_costs_the_same_statements_whatever_its_size(api, state):
    # A supervisor of its own for each contract, so that the page names other organisations
    # on every row; signed in before the clock moves.
    supervisors = [await supervisor(api) for _ in range(4)]
    with clock_kept(state):
        a = await awarded(api, state)
        owner, contractor = a.owner_token, a.winner.token
        for token in (owner, contractor, *(token for _, token in supervisors[2:])):
            await server_key(api, token)

        async def signed_by_all(c: dict, supervisor_token: str) -> dict:
            for token in (owner, contractor, supervisor_token):
                payload = await sign(api, token, c)
                assert payload["errors"] == [], payload
            return payload["contract"]

        async def ended(c: dict) -> None:
            payload = (await api.ok(TERMINATE, {"input": {"id": c["id"], "reason": "重新签订。"}}, token=owner))["terminateContract"]
            assert payload["errors"] == [], payload

        # Four contracts of one tender, each ended before it was in force (which frees the
        # award for the next), in the states the page shows: a draft abandoned, one ended
        # while being signed, one ended after two parties signed, and one in force with an
        # amendment signed by the owner.
        await ended(await draft(api, state, a, supervisorId=supervisors[0][0]))
        for step, (supervisor_org, supervisor_token) in zip(("being signed", "signed by two", "amended"), supervisors[1:], strict=True):
            c = await draft(api, state, a, supervisorId=supervisor_org)
            c = (await api.ok(SUBMIT, {"input": {"id": c["id"]}}, token=owner))["submitContractForSignature"]["contract"]
            if step != "amended":
                for token in (owner, contractor)[: 1 if step == "being signed" else 2]:
                    assert (await sign(api, token, c))["errors"] == []
                await ended(c)
                continue
            c = await signed_by_all(c, supervisor_token)
            proposal = {"id": c["id"], "reason": "工期顺延。", "worksEnd": c["milestones"][1]["plannedDate"]}
            c = (await api.ok(AMEND, {"input": proposal}, token=owner))["proposeContractAmendment"]["contract"]
            assert (await sign(api, owner, c))["errors"] == []

        counts: dict[str, list[int]] = {}
        for executor in ("general", "compiled"):
            headers = {EXECUTOR: "general"} if executor == "general" else {}
            await api.post(PAGE, {"first": 1}, token=owner, headers=headers)  # the caller is looked up once, then cached
            for first in (2, 4):
                with count_statements(state) as statements:
                    response = await api.post(PAGE, {"first": first}, token=owner, headers=headers)
                assert response.status_code == 200 and not response.json().get("errors"), response.text
                assert response.headers[EXECUTOR] == executor
                nodes = response.json()["data"]["contracts"]["nodes"]
                assert len(nodes) == first
                counts.setdefault(executor, []).append(len(statements))
            # The large page holds every state.
            assert [n["status"] for n in nodes] == ["ACTIVE", "TERMINATED", "TERMINATED", "TERMINATED"]
            assert all(n["versions"] and n["parties"] and n["milestones"] for n in nodes)
            assert nodes[0]["openVersion"] == {"number": 2} and nodes[0]["versions"][1]["signatures"][0]["isStanding"]
        assert all(small == large for small, large in counts.values()), counts
