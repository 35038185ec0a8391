"""Competitive negotiation end to end: first quotes sealed and opened, final quotes asked for,
sealed again with receipts, opened together, and the lowest final quote wins."""

from __future__ import annotations

from datetime import timedelta

from flows import bid_ok, clock_kept, committee_usernames, evaluate, move_to, open_tender, published, tender

REQUEST = "mutation($i: RequestFinalQuotesInput!) { requestFinalQuotes(input: $i) { tender { finalQuoteDeadline availableActions } errors { code } } }"
FINAL = """mutation($i: SubmitFinalQuoteInput!) { submitFinalQuote(input: $i) {
  bid { id price myFinalQuote finalReceiptHash } receipt { kind contentHash } errors { code message } } }"""
OPEN_FINAL = "mutation($i: OpenFinalQuotesInput!) { openFinalQuotes(input: $i) { tender { finalQuotesOpenedAt } errors { code } } }"
BIDS = "query($id: ID!) { tender(id: $id) { status availableActions bids { id price firstPrice myFinalQuote rank finalReceiptHash bidderName } } }"


async def test_the_lowest_final_quote_wins_a_competitive_negotiation(api, state):
    with clock_kept(state):
        p = await published(api, state, "competitive_negotiation")
        for s, price in zip(p.suppliers, ["8800.00", "8500.00", "8700.00"], strict=True):
            await bid_ok(api, s, p.tender["id"], price, method="competitive_negotiation")
        t = (await open_tender(api, state, p))["tender"]
        assert t["status"] == "OPENED" and t["ocds"]["procurementMethod"] == "selective"
        owner = p.owner.staff.token
        members = committee_usernames(t)
        # The evaluation waits for the final quotes.
        early = await evaluate(api, members[0], t, {b["id"]: (True, {}) for b in t["bids"]})
        assert [e["code"] for e in early["errors"]] == ["FINAL_QUOTES_REQUIRED"]
        assert "REQUEST_FINAL_QUOTES" in (await tender(api, owner, t["id"]))["availableActions"]

        deadline = state.clock.now() + timedelta(hours=4)
        requested = (
            await api.ok(REQUEST, {"i": {"id": t["id"], "deadline": deadline.isoformat(), "note": "技术要求不变。"}}, token=owner)
        )["requestFinalQuotes"]
        assert requested["errors"] == []
        again = (await api.ok(REQUEST, {"i": {"id": t["id"], "deadline": deadline.isoformat()}}, token=owner))["requestFinalQuotes"]
        assert [e["code"] for e in again["errors"]] == ["FINAL_QUOTES_ALREADY_REQUESTED"]

        high = (await api.ok(FINAL, {"i": {"tenderId": t["id"], "price": "8900.00"}}, token=p.suppliers[0].token))["submitFinalQuote"]
        assert [e["code"] for e in high["errors"]] == ["FINAL_QUOTE_ABOVE_FIRST"]
        finals = {0: "8200.00", 1: "8450.00"}  # the third supplier keeps its first quote
        for i, price in finals.items():
            sent = (await api.ok(FINAL, {"i": {"tenderId": t["id"], "price": price}}, token=p.suppliers[i].token))["submitFinalQuote"]
            assert sent["errors"] == [] and sent["receipt"]["kind"] == "final_quote"
            assert sent["bid"]["myFinalQuote"] == price and sent["bid"]["finalReceiptHash"] == sent["receipt"]["contentHash"]
        # Until they are opened, nobody else reads a final quote.
        for token in (owner, p.suppliers[2].token):
            seen = (await api.ok(BIDS, {"id": t["id"]}, token=token))["tender"]["bids"]
            assert {b["price"] for b in seen} == {"8800.00", "8500.00", "8700.00"} and all(b["myFinalQuote"] is None for b in seen)
        assert (await api.ok(OPEN_FINAL, {"i": {"id": t["id"]}}, token=owner))["openFinalQuotes"]["errors"][0][
            "code"
        ] == "FINAL_QUOTES_NOT_DUE"
        move_to(state, deadline + timedelta(seconds=1))
        late = (await api.ok(FINAL, {"i": {"tenderId": t["id"], "price": "8000.00"}}, token=p.suppliers[2].token))["submitFinalQuote"]
        assert [e["code"] for e in late["errors"]] == ["FINAL_QUOTE_DEADLINE_PASSED"]
        opened = (await api.ok(OPEN_FINAL, {"i": {"id": t["id"]}}, token=owner))["openFinalQuotes"]
        assert opened["errors"] == [] and opened["tender"]["finalQuotesOpenedAt"]
        seen = {b["firstPrice"]: b["price"] for b in (await api.ok(BIDS, {"id": t["id"]}, token=owner))["tender"]["bids"]}
        assert seen == {"8800.00": "8200.00", "8500.00": "8450.00", "8700.00": "8700.00"}

        for username in members:
            assert (await evaluate(api, username, t, {b["id"]: (True, {}) for b in t["bids"]}))["errors"] == []
        ranked = sorted((await api.ok(BIDS, {"id": t["id"]}, token=owner))["tender"]["bids"], key=lambda b: b["rank"])
        assert [b["price"] for b in ranked] == ["8200.00", "8450.00", "8700.00"]
        assert (await tender(api, owner, t["id"]))["status"] == "EVALUATED"
