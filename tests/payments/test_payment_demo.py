"""The demo's payments as loaded, seen by the people of the demo county; who does not see
them (another contractor, the supervisor, a download without the right); and what a page of
requests and the fund figures cost in SQL statements."""

from __future__ import annotations

import pytest
from conftest import EXECUTOR, count_statements

from resolvers.core.clock import today_in_china

pytestmark = pytest.mark.demo_state

PAGE = """query($first: Int) { paymentRequests(first: $first) { nodes { id code status statusLabel origin amount step chainLabels waitingFor
  paidAmount difference payerAccount payeeAccount availableActions availableActionLabels
  term { sequence name status } contract { code } payer { name } payee { name }
  approvals { step roleLabel decisionLabel actorName comment }
  history { action actionLabel toStatusLabel actorName }
  invoices { number kindLabel status statusLabel totalAmount downloadUrl availableActions archive { archiveNumber sha256 retainUntil } }
  ocds { id valueAmount payerId } } } }"""
FUNDS = """query($contract: ID!, $project: ID!) {
  contractFunds(contractId: $contract) { budget contractAmount requested approved paid retentionHeld outstanding }
  projectFunds(projectId: $project) { contractAmount paid } }"""
EXECUTION = (
    "query($year: Int!) { budgetExecution(fiscalYear: $year) { fiscalYear allocation reserved contracted paid organisation { name } } }"
)
NODE = "query($id: ID!) { node(id: $id) { id ... on PaymentRequest { code } } }"
CONTRACT = "query { contracts(first: 10) { nodes { id code title project { id } } } }"


async def requests(api, username: str) -> list[dict]:
    return (await api.ok(PAGE, {"first": 10}, token=await api.token(username)))["paymentRequests"]["nodes"]


async def test_the_demo_shows_every_state_of_a_request_and_an_invoice(api):
    shown = {r["code"]: r for r in await requests(api, "owner")}
    by_status = {r["status"]: r for r in shown.values()}
    assert set(by_status) == {"PENDING", "APPROVED", "PAID", "REJECTED", "CANCELLED"}
    paid = by_status["PAID"]
    assert paid["origin"] == "MANUAL" and paid["paidAmount"] == paid["amount"] and paid["difference"] is None
    assert [a["roleLabel"] for a in paid["approvals"]] == ["建设单位经办人", "财政审核人员"]
    assert [h["action"] for h in paid["history"]] == ["raise", "approve_step", "approve", "pay"]
    assert paid["ocds"]["valueAmount"] == paid["amount"] and paid["ocds"]["payerId"].startswith("CN-USCI-")
    assert paid["payerAccount"] == "3205830100000012345"  # the owner's staff see their own payment's accounts
    assert by_status["PENDING"]["availableActions"] == ["APPROVE", "REJECT", "CANCEL"]
    invoices = {i["status"] for r in shown.values() for i in r["invoices"]}
    assert invoices == {"ARCHIVED", "UPLOADED", "REJECTED"}
    archived = [i for r in shown.values() for i in r["invoices"] if i["status"] == "ARCHIVED"]
    assert len(archived) == 2 and all(i["archive"]["archiveNumber"].startswith("FP-") for i in archived)
    finance = {r["code"]: r for r in await requests(api, "finance")}
    assert finance[by_status["APPROVED"]["code"]]["availableActions"] == ["PAY"]
    uploaded = next(i for i in finance[by_status["PENDING"]["code"]]["invoices"] if i["status"] == "UPLOADED")
    assert uploaded["availableActions"] == ["VERIFY", "REJECT"]


async def test_other_organisations_see_nothing_of_them(api, client):
    owner_view = await requests(api, "owner")
    contractor = await requests(api, "contractor1")
    assert {r["code"] for r in contractor} == {r["code"] for r in owner_view}  # the road's contractor
    assert await requests(api, "contractor2") == []  # another contractor
    supervisor = await api.post(PAGE, {"first": 5}, token=await api.token("supervisor"))
    assert supervisor.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"  # the supervisor sees the contract, not its money
    one = owner_view[0]
    for username in ("contractor2", "supervisor"):
        assert (await api.ok(NODE, {"id": one["id"]}, token=await api.token(username)))["node"] is None
    link = next(i["downloadUrl"] for r in owner_view for i in r["invoices"])
    assert (await client.get(link)).status_code == 200
    stranger = await client.get(link.split("?")[0], headers={"Authorization": f"Bearer {await api.token('contractor2')}"})
    assert stranger.status_code == 404
    refused = await api.post(
        "mutation($input: ApprovePaymentRequestInput!) { approvePaymentRequest(input: $input) { errors { code } } }",
        {"input": {"id": one["id"]}},
        token=await api.token("contractor2"),
    )
    assert refused.json()["errors"][0]["extensions"]["code"] in ("FORBIDDEN", "NOT_FOUND")


async def test_a_page_of_requests_and_the_funds_cost_the_same_statements_whatever_the_size(api, state):
    token = await api.token("owner")
    counts: dict[str, list[int]] = {}
    for executor in ("general", "compiled"):
        headers = {EXECUTOR: "general"} if executor == "general" else {}
        await api.post(PAGE, {"first": 1}, token=token, headers=headers)  # the caller is looked up once, then cached
        for first in (2, 5):
            with count_statements(state) as statements:
                response = await api.post(PAGE, {"first": first}, token=token, headers=headers)
            assert response.status_code == 200 and not response.json().get("errors"), response.text
            assert len(response.json()["data"]["paymentRequests"]["nodes"]) == first
            counts.setdefault(executor, []).append(len(statements))
    assert all(small == large for small, large in counts.values()), counts

    code = (await requests(api, "owner"))[0]["contract"]["code"]
    road = next(c for c in (await api.ok(CONTRACT, token=token))["contracts"]["nodes"] if c["code"] == code)
    with count_statements(state) as statements:
        funds = await api.ok(FUNDS, {"contract": road["id"], "project": road["project"]["id"]}, token=token)
    assert len(statements) == 2  # one SELECT each
    contract = funds["contractFunds"]
    paid = [r["paidAmount"] for r in await requests(api, "owner") if r["status"] == "PAID"]
    assert [contract["paid"]] == paid
    assert (
        contract["approved"]
        == f"{sum(float(r['amount']) for r in await requests(api, 'owner') if r['status'] in ('APPROVED', 'PAID')):.2f}"
    )
    assert funds["projectFunds"]["paid"] == contract["paid"]
    finance = await api.token("finance")
    await api.ok(EXECUTION, {"year": 2000}, token=finance)
    year = today_in_china(state.clock.now()).year
    with count_statements(state) as statements:
        execution = [e for y in (year, year + 1) for e in (await api.ok(EXECUTION, {"year": y}, token=finance))["budgetExecution"]]
    assert len(statements) <= 4  # per year: the allocations with their figures, then their organisations in one batch
    assert any(e["paid"] == contract["paid"] and e["contracted"] != "0.00" for e in execution), execution
