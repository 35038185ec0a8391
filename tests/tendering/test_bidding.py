"""The supplier's side: who may bid on what, replacing and withdrawing until the deadline,
the response period publication asks for, and the reasons a verdict needs."""

from __future__ import annotations

from datetime import datetime, timedelta

from conftest import unique
from flows import (
    PUBLISH,
    bid,
    bid_ok,
    clock_kept,
    committee_usernames,
    draft,
    move_to,
    new_supplier,
    open_tender,
    published,
    tender,
)

from resolvers.core.clock import today_in_china
from resolvers.tendering import draw

WITHDRAW = "mutation($i: WithdrawBidInput!) { withdrawBid(input: $i) { bid { id status } errors { code } } }"
RECEIPTS = "query { myBids(first: 50) { nodes { id status receipts { sequence kind contentHash } tender { code } } } }"
PROJECT = "query($id: ID!) { project(id: $id) { status } }"
UPDATE = "mutation($i: UpdateTenderInput!) { updateTender(input: $i) { errors { code } } }"
ADD_QUALIFICATION = "mutation($i: AddQualificationInput!) { addQualification(input: $i) { errors { code } } }"
SUBMIT_EVALUATION = "mutation($i: SubmitEvaluationInput!) { submitEvaluation(input: $i) { errors { code field } } }"


async def _stored(state, bid_gid: str) -> list[str]:
    from factories import pk_of
    from sqlalchemy import text

    async with state.db.read() as session:
        rows = await session.execute(text("SELECT storage_key FROM bid_files WHERE bid_id = :b"), {"b": pk_of(bid_gid)})
        return list(rows.scalars())


async def test_publication_needs_the_response_period_and_moves_the_project_to_tendering(api, state):
    with clock_kept(state):
        p = await draft(api, state, "rfq")
        soon = state.clock.now() + timedelta(hours=30)
        update = {
            "i": {
                "id": p.tender["id"],
                "bidDeadline": soon.isoformat(),
                "openingTime": (soon + timedelta(hours=1)).isoformat(),
                "clarificationDeadline": (soon - timedelta(hours=2)).isoformat(),
            }
        }
        assert (await api.ok(UPDATE, update, token=p.owner.staff.token))["updateTender"]["errors"] == []
        refused = await api.ok(
            PUBLISH, {"input": {"id": p.tender["id"], "drawCommitment": draw.commitment_of(p.seed)}}, token=p.owner.staff.token
        )
        errors = refused["publishTender"]["errors"]
        assert [e["code"] for e in errors] == ["RESPONSE_PERIOD_TOO_SHORT"]
        assert "至少留 3 个工作日" in errors[0]["message"]
        bad_commitment = await api.ok(PUBLISH, {"input": {"id": p.tender["id"], "drawCommitment": "不是哈希"}}, token=p.owner.staff.token)
        assert "INVALID_DRAW_COMMITMENT" in [e["code"] for e in bad_commitment["publishTender"]["errors"]]
        assert (await api.ok(PROJECT, {"id": p.project_id}, token=p.owner.staff.token))["project"]["status"] == "APPROVED"
    with clock_kept(state):
        q = await published(api, state, "rfq")
        assert (await api.ok(PROJECT, {"id": q.project_id}, token=q.owner.staff.token))["project"]["status"] == "TENDERING"
        # A supplier of the tender sees the project it bids for.
        assert (await api.ok(PROJECT, {"id": q.project_id}, token=q.suppliers[0].token))["project"]["status"] == "TENDERING"


async def test_a_bid_is_replaced_or_withdrawn_until_the_deadline_each_with_a_receipt(api, state):
    with clock_kept(state):
        p = await published(api, state, "rfq")
        supplier = p.suppliers[0]
        first = await bid_ok(api, supplier, p.tender["id"], "8800.00")
        old_files = await _stored(state, first["bid"]["id"])
        second = await bid_ok(api, supplier, p.tender["id"], "8600.00")
        # The replaced content's files leave the store; the new ones are there.
        assert old_files and not any(state.storage.exists(key) for key in old_files)
        assert all(state.storage.exists(key) for key in await _stored(state, first["bid"]["id"]))
        assert second["bid"]["id"] == first["bid"]["id"] and second["receipt"]["kind"] == "replaced"
        assert second["receipt"]["contentHash"] != first["receipt"]["contentHash"] and second["bid"]["price"] == "8600.00"
        withdrawn = (await api.ok(WITHDRAW, {"i": {"bidId": first["bid"]["id"]}}, token=supplier.token))["withdrawBid"]
        assert withdrawn["errors"] == [] and withdrawn["bid"]["status"] == "WITHDRAWN"
        again = await bid_ok(api, supplier, p.tender["id"], "8700.00")
        mine = next(b for b in (await api.ok(RECEIPTS, token=supplier.token))["myBids"]["nodes"] if b["id"] == first["bid"]["id"])
        assert [(r["sequence"], r["kind"]) for r in mine["receipts"]] == [
            (1, "submitted"),
            (2, "replaced"),
            (3, "withdrawn"),
            (4, "submitted"),
        ]
        move_to(state, datetime.fromisoformat(p.tender["bidDeadline"]) + timedelta(seconds=1))
        late = (await api.ok(WITHDRAW, {"i": {"bidId": first["bid"]["id"]}}, token=supplier.token))["withdrawBid"]
        assert [e["code"] for e in late["errors"]] == ["BID_DEADLINE_PASSED"]
        # Another organisation cannot touch it.
        other = await api.gql(WITHDRAW, {"i": {"bidId": first["bid"]["id"]}}, token=p.suppliers[1].token)
        assert other["errors"][0]["extensions"]["code"] == "NOT_FOUND"
        assert again["receipt"]["sequence"] == 4


async def test_a_simple_tender_is_open_to_every_supplier_of_its_region_and_an_rfq_to_the_invited(api, state):
    with clock_kept(state):
        simple = await published(api, state, "simple_tender", suppliers=0)
        rfq = await published(api, state, "rfq")
        newcomer = await new_supplier(api)
        assert (await tender(api, newcomer.token, simple.tender["id"]))["availableActions"] == ["ASK_CLARIFICATION", "SUBMIT_BID"]
        assert (await bid(api, newcomer, simple.tender["id"], "8000.00", method="simple_tender"))["errors"] == []
        assert await tender(api, newcomer.token, rfq.tender["id"]) is None
        refused = await api.gql(
            "mutation($i: SubmitBidInput!) { submitBid(input: $i) { errors { code } } }",
            {"i": {"tenderId": rfq.tender["id"], "price": "1.00"}},
            token=newcomer.token,
        )
        assert refused["errors"][0]["extensions"]["code"] == "NOT_FOUND"


async def test_a_qualification_that_has_expired_since_it_was_registered_is_refused(api, state):
    with clock_kept(state):
        p = await published(api, state, "simple_tender", suppliers=0, requiredQualification={"kind": "LANDSCAPING", "grade": "THIRD"})
        supplier = await new_supplier(api)
        tomorrow = today_in_china(state.clock.now()) + timedelta(days=1)
        short = {"kind": "LANDSCAPING", "grade": "FIRST", "number": unique("E"), "validUntil": tomorrow.isoformat()}
        assert (await api.ok(ADD_QUALIFICATION, {"i": short}, token=supplier.token))["addQualification"]["errors"] == []
        move_to(state, state.clock.now() + timedelta(days=2))
        assert datetime.fromisoformat(p.tender["bidDeadline"]) > state.clock.now()  # bids are still open
        refused = await bid(api, supplier, p.tender["id"], "8000.00", method="simple_tender")
        assert [e["code"] for e in refused["errors"]] == ["QUALIFICATION_EXPIRED"]


async def test_a_disqualification_needs_a_reason_and_every_valid_bid_a_verdict(api, state):
    with clock_kept(state):
        p = await published(api, state, "rfq")
        for s, price in zip(p.suppliers, ["8800.00", "8500.00", "8700.00"], strict=True):
            await bid_ok(api, s, p.tender["id"], price)
        t = (await open_tender(api, state, p))["tender"]
        member = await api.token(committee_usernames(t)[0])
        sheets = [{"bidId": b["id"], "qualified": i != 0} for i, b in enumerate(t["bids"][:2])]
        errors = (await api.ok(SUBMIT_EVALUATION, {"i": {"tenderId": t["id"], "sheets": sheets}}, token=member))["submitEvaluation"][
            "errors"
        ]
        assert sorted(e["code"] for e in errors) == ["DISQUALIFICATION_REASON_REQUIRED", "MISSING_SHEET"]
        assert (await tender(api, p.owner.staff.token, t["id"]))["status"] == "OPENED"


async def test_a_certificate_downloads_for_its_organisation_and_the_buyer_side_only(api, state):
    import json

    from factories import pdf_bytes

    supplier, outsider = await new_supplier(api), await new_supplier(api)
    document = pdf_bytes("资质证书 " + unique())
    query = "mutation($i: AddQualificationInput!) { addQualification(input: $i) { qualification { id certificateUrl certificateSha256 } errors { code } } }"
    variables = {
        "i": {"kind": "MUNICIPAL_WORKS", "grade": "SECOND", "number": unique("SZ"), "validUntil": "2099-12-31", "certificate": None}
    }
    response = await api.client.post(
        "/graphql",
        data={"operations": json.dumps({"query": query, "variables": variables}), "map": json.dumps({"0": ["variables.i.certificate"]})},
        files={"0": ("资质证书.pdf", document, "application/pdf")},
        headers={"Authorization": f"Bearer {supplier.token}", "GraphQL-Require-Preflight": "1"},
    )
    payload = response.json()["data"]["addQualification"]
    assert payload["errors"] == []
    link = payload["qualification"]["certificateUrl"]
    downloaded = await api.client.get(link)
    assert downloaded.status_code == 200 and downloaded.content == document
    path = link.split("?")[0]
    for token, status in ((await api.token("owner"), 200), (outsider.token, 404)):
        assert (await api.client.get(path, headers={"Authorization": f"Bearer {token}"})).status_code == status
