"""What the public reads without signing in (tender notices and award publicity, public
fields only), what everyone concerned is told through the outbox, and the red-flag signals
recorded for supervision."""

from __future__ import annotations

import base64
import json
from datetime import datetime, timedelta

from flows import (
    START_PUBLICITY,
    bid_ok,
    clock_kept,
    committee_usernames,
    evaluate,
    move_to,
    open_tender,
    published,
    tender,
)
from sqlalchemy import text

from resolvers.tendering import draw

PUBLIC_TENDERS = """query($f: TenderFilter) { publicTenders(filter: $f, first: 100) { nodes {
  code title method methodLabel status ceilingPrice bidDeadline ownerName numberOfTenderers requiredDocuments { name }
  ocds { procurementMethod tenderPeriodEnd valueAmount currency } } } }"""
PUBLIC_AWARDS = """query($f: TenderFilter) { publicAwards(filter: $f, first: 100) { nodes {
  code status winnerName awardValue committee publicityEndsAt ranking { rank bidderName price qualified }
  draw { seed commitment pool receiptHashes } } } }"""
SIGNALS = """query($id: ID!) { tender(id: $id) { signals { bids validBids singleValidBid identicalPrices winningShareOfCeiling
  secondPriceGap responseDays disqualified } } }"""


async def _recipients(state, event_type: str, code: str) -> set[int]:
    async with state.db.read() as session:
        rows = (await session.execute(text("SELECT payload, recipients FROM outbox_events WHERE event_type = :t"), {"t": event_type})).all()
    return {r for p, rs in rows if json.loads(p).get("code") == code for r in json.loads(rs)}


async def test_notices_and_awards_are_public_and_show_public_fields_only(api, state):
    await api.token("auditor")  # signed in (and the token cached) before the clock moves
    with clock_kept(state):
        p = await published(api, state, "rfq")
        code = p.tender["code"]
        notices = (await api.ok(PUBLIC_TENDERS, {"f": {"search": code}}))["publicTenders"]["nodes"]
        assert [n["code"] for n in notices] == [code]
        notice = notices[0]
        assert notice["status"] == "PUBLISHED" and notice["methodLabel"] == "询价" and notice["ceilingPrice"] == "9000.00"
        assert notice["numberOfTenderers"] is None and notice["ocds"]["currency"] == "CNY"
        # Public types carry no bids, invitations, committee or sealing material at all.
        refused = await api.gql("query { publicTenders(first: 1) { nodes { bids { id } } } }")
        assert refused["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
        # A draft is not public; nor are the signed-in lists to the anonymous.
        assert (await api.gql("query { tenders(first: 1) { totalCount } }"))["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"

        for s, price in zip(p.suppliers, ["8500.00", "8500.00", "8700.00"], strict=True):
            await bid_ok(api, s, p.tender["id"], price)
        t = (await open_tender(api, state, p))["tender"]
        members = committee_usernames(t)
        for username in members:
            await evaluate(api, username, t, {b["id"]: (True, {}) for b in t["bids"]})
        assert (await api.ok(PUBLIC_AWARDS, {"f": {"search": code}}))["publicAwards"]["nodes"] == []  # not before the publicity
        started = (await api.ok(START_PUBLICITY, {"input": {"id": t["id"]}}, token=p.owner.staff.token))["startAwardPublicity"]
        awards = (await api.ok(PUBLIC_AWARDS, {"f": {"search": code}}))["publicAwards"]["nodes"]
        assert len(awards) == 1 and awards[0]["status"] == "PUBLICITY" and awards[0]["awardValue"] == "8500.00"
        assert [r["rank"] for r in awards[0]["ranking"]] == [1, 2, 3] and len(awards[0]["committee"]) == 3
        assert awards[0]["winnerName"] == awards[0]["ranking"][0]["bidderName"]
        # Anyone can now recompute the committee from the published draw.
        public_draw = awards[0]["draw"]
        assert draw.seed_matches(public_draw["seed"], public_draw["commitment"]) and len(public_draw["receiptHashes"]) == 3
        pool = [int(base64.urlsafe_b64decode(g + "=" * (-len(g) % 4)).decode().split(":")[1]) for g in public_draw["pool"]]
        order = draw.seeded_order(public_draw["seed"], public_draw["receiptHashes"], pool)
        assert len(order) == len(pool) >= 3

        # Everyone concerned heard of each step; nobody else.
        invited = await _recipients(state, "tender.published", code)
        assert len(invited) == 3
        assert await _recipients(state, "tender.opened", code) >= invited
        assert len(await _recipients(state, "tender.committee", code)) == 3
        assert await _recipients(state, "tender.publicity", code) >= invited
        move_to(state, datetime.fromisoformat(started["tender"]["publicityEndsAt"]) + timedelta(seconds=1))
        from test_tendering import run_award_job

        assert await run_award_job(state) >= 1
        assert await _recipients(state, "tender.awarded", code) >= invited
        assert (await tender(api, p.owner.staff.token, t["id"]))["status"] == "AWARDED"

        # Signals for supervision: two identical prices, the winner's share of the ceiling.
        signals = (await api.ok(SIGNALS, {"id": t["id"]}, token=await api.token("auditor")))["tender"]["signals"]
        assert signals["bids"] == 3 and signals["validBids"] == 3 and signals["identicalPrices"] == 2
        assert signals["winningShareOfCeiling"] == "0.9444" and signals["secondPriceGap"] == "0.0000"
        assert signals["singleValidBid"] is False and signals["responseDays"] >= 3
        # Bidders do not read them.
        assert (await api.ok(SIGNALS, {"id": t["id"]}, token=p.suppliers[0].token))["tender"]["signals"] is None
