"""The rules of a procurement, each shown refusing with its message: the deadline (whatever
the client's clock says, and when a bid races it), the minimum of invited suppliers, the odd
committee, recusal, and a draw seed that is not the committed one."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from flows import (
    CREATE_TENDER,
    OPEN,
    bid,
    bid_ok,
    clock_kept,
    committee_usernames,
    draft,
    evaluate,
    move_to,
    open_tender,
    publish,
    published,
    tender,
)

DECLARE = """mutation($input: DeclareEvaluationConflictInput!) { declareEvaluationConflict(input: $input) {
  seat { status reason reasonCode } errors { code message } } }"""


async def test_a_bid_after_the_deadline_is_refused_by_the_server_clock(api, state):
    with clock_kept(state):
        p = await published(api, state, "rfq")
        move_to(state, datetime.fromisoformat(p.tender["bidDeadline"]))
        refused = await bid(api, p.suppliers[0], p.tender["id"], "8000.00")
        assert [e["code"] for e in refused["errors"]] == ["BID_DEADLINE_PASSED"]
        assert "投标已于" in refused["errors"][0]["message"] and "截止" in refused["errors"][0]["message"]


async def test_a_bid_racing_the_deadline_is_either_received_or_refused(api, state):
    """Submissions and the opening hold the tender row; the deadline is judged once it is
    held. Whatever the interleaving, a bid with a receipt is opened and a refused one is not."""
    with clock_kept(state):
        p = await published(api, state, "rfq")
        deadline = datetime.fromisoformat(p.tender["bidDeadline"])
        move_to(state, deadline - timedelta(milliseconds=300))

        async def late(supplier, price):
            return await bid(api, supplier, p.tender["id"], price)

        async def pass_deadline():
            await asyncio.sleep(0.05)
            move_to(state, deadline + timedelta(seconds=1))

        results = await asyncio.gather(*(late(s, f"80{i}0.00") for i, s in enumerate(p.suppliers)), pass_deadline())
        payloads = results[:3]
        received = {r["receipt"]["contentHash"] for r in payloads if r["receipt"]}
        for r in payloads:
            assert bool(r["receipt"]) != bool(r["errors"])  # accepted with a receipt, or refused: never both
            assert not r["errors"] or [e["code"] for e in r["errors"]] == ["BID_DEADLINE_PASSED"]
        opened = await open_tender(api, state, p)
        t = await tender(api, p.owner.staff.token, p.tender["id"])
        opened_receipts = {b["receiptHash"] for b in t["bids"]}
        assert opened_receipts == received  # none lost, none let in late
        assert opened["errors"] == []


async def test_rfq_needs_the_minimum_of_invited_suppliers(api, state):
    with clock_kept(state):
        p = await draft(api, state, "rfq", suppliers=2)
        payload = await publish(api, p)
        assert [e["code"] for e in payload["errors"]] == ["TOO_FEW_INVITED"]
        assert payload["errors"][0]["message"] == "询价须至少邀请 3 家供应商（现为 2 家）。"


async def test_a_project_has_one_tender_under_way_and_the_refusal_names_it(api, state):
    with clock_kept(state):
        p = await draft(api, state, "rfq")
        token = p.owner.staff.token
        templates = (await api.ok("query { tenderTemplates(first: 1) { nodes { id } } }", token=token))["tenderTemplates"]["nodes"]
        second = {
            "projectId": p.project_id,
            "templateId": templates[0]["id"],
            "ceilingPrice": "9000.00",
            "bidDeadline": p.tender["bidDeadline"],
            "openingTime": p.tender["openingTime"],
            "clarificationDeadline": p.tender["clarificationDeadline"],
            "invitedSupplierIds": [s.org_id for s in p.suppliers],
        }
        payload = (await api.ok(CREATE_TENDER, {"input": second}, token=token))["createTender"]
        assert [(e["code"], e["field"]) for e in payload["errors"]] == [("TENDER_ALREADY_ACTIVE", "projectId")]
        assert payload["errors"][0]["message"] == f"该项目已有进行中的招标 {p.tender['code']}。"


async def test_a_committee_has_an_odd_number_of_at_least_three(api, state):
    with clock_kept(state):
        p = await draft(api, state, "rfq")
        for size, code in ((4, "COMMITTEE_NOT_ODD"), (1, "COMMITTEE_TOO_SMALL")):
            data = await api.ok(
                "mutation($input: UpdateTenderInput!) { updateTender(input: $input) { errors { code message } } }",
                {"input": {"id": p.tender["id"], "committeeSize": size}},
                token=p.owner.staff.token,
            )
            assert [e["code"] for e in data["updateTender"]["errors"]] == [code]
        assert data["updateTender"]["errors"][0]["message"] == "评标委员会至少 3 人。"


async def test_an_evaluator_with_a_relationship_to_a_bidder_stands_aside(api, state):
    with clock_kept(state):
        # Bidders of their own: the declared relationship stays on record for later tenders.
        p = await published(api, state, "rfq", fresh=True)
        for s, price in zip(p.suppliers, ["8800.00", "8500.00", "8700.00"], strict=True):
            await bid_ok(api, s, p.tender["id"], price)
        t = (await open_tender(api, state, p))["tender"]
        first = committee_usernames(t)[0]
        bidder = p.suppliers[0].org_id
        declared = (
            await api.ok(
                DECLARE,
                {"input": {"tenderId": t["id"], "organisationId": bidder, "relationship": "SHAREHOLDER"}},
                token=await api.token(first),
            )
        )["declareEvaluationConflict"]
        assert declared["errors"] == [] and declared["seat"]["status"] == "RECUSED"
        assert declared["seat"]["reasonCode"] == "RELATIONSHIP:shareholder"
        assert declared["seat"]["reason"] == "与投标人存在利害关系（股东（三年内）），回避。"
        refused = await api.gql(
            "mutation($input: SubmitEvaluationInput!) { submitEvaluation(input: $input) { errors { code } } }",
            {"input": {"tenderId": t["id"], "sheets": [{"bidId": b["id"], "qualified": True} for b in t["bids"]]}},
            token=await api.token(first),
        )
        assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        assert "回避" in refused["errors"][0]["message"]
        t = await tender(api, p.owner.staff.token, t["id"])
        drawn = [m for m in t["committee"] if m["status"] == "DRAWN"]
        assert len(drawn) == 3 and first not in committee_usernames(t)  # replaced by the next in the seeded order
        for username in committee_usernames(t):
            assert (await evaluate(api, username, t, {b["id"]: (True, {}) for b in t["bids"]}))["errors"] == []
        assert (await tender(api, p.owner.staff.token, t["id"]))["status"] == "EVALUATED"


async def test_opening_refuses_a_seed_that_is_not_the_committed_one(api, state):
    with clock_kept(state):
        p = await published(api, state, "rfq")
        for s, price in zip(p.suppliers, ["8800.00", "8500.00", "8700.00"], strict=True):
            await bid_ok(api, s, p.tender["id"], price)
        early = await api.ok(OPEN, {"input": {"id": p.tender["id"], "seed": p.seed}}, token=p.owner.staff.token)
        assert [e["code"] for e in early["openTender"]["errors"]] == ["OPENING_TIME_NOT_REACHED"]
        wrong = await open_tender(api, state, p, seed="0" * 64)
        assert [e["code"] for e in wrong["errors"]] == ["DRAW_SEED_MISMATCH"]
        assert (await tender(api, p.owner.staff.token, p.tender["id"]))["status"] == "PUBLISHED"
        right = await open_tender(api, state, p)
        assert right["errors"] == [] and right["tender"]["status"] == "OPENED"


__all__ = ["CREATE_TENDER"]


async def test_a_bid_with_more_files_than_any_tender_asks_for_is_refused_unread(api, state):
    import json

    from factories import pdf_bytes

    with clock_kept(state):
        p = await published(api, state, "rfq")
        count = 21
        operations = {
            "query": "mutation($input: SubmitBidInput!) { submitBid(input: $input) { bid { id } errors { code field } } }",
            "variables": {
                "input": {"tenderId": p.tender["id"], "price": "8000.00", "documents": [{"key": "quotation", "file": None}] * count}
            },
        }
        response = await api.client.post(
            "/graphql",
            data={
                "operations": json.dumps(operations),
                "map": json.dumps({str(i): [f"variables.input.documents.{i}.file"] for i in range(count)}),
            },
            files={str(i): (f"{i}.pdf", pdf_bytes(str(i)), "application/pdf") for i in range(count)},
            headers={"Authorization": f"Bearer {p.suppliers[0].token}", "GraphQL-Require-Preflight": "1"},
        )
        payload = response.json()["data"]["submitBid"]
        assert payload["bid"] is None and payload["errors"] == [{"code": "TOO_MANY_FILES", "field": "documents"}]
        too_long = await open_tender(api, state, p, seed="s" * 129)
        assert [e["code"] for e in too_long["errors"]] == ["TOO_LONG"]
