"""Tendering end to end through GraphQL, as clients use it: each method from publication to
award or failure, an upheld objection, and the draw anyone can recompute."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from flows import (
    ANSWER_OBJECTION,
    FILE_OBJECTION,
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

from resolvers.core.context import SYSTEM_ACTOR, RequestMeta
from resolvers.core.transaction import unit_of_work
from resolvers.tendering import draw
from resolvers.tendering.evaluation import award_after_publicity


async def run_award_job(state) -> int:
    async with unit_of_work(state, "cron.award_after_publicity", SYSTEM_ACTOR, RequestMeta(request_id="t")) as uow:
        from resolvers.core.clock import today_in_china

        return await award_after_publicity(uow, today_in_china(uow.now))


async def test_rfq_with_three_bids_is_awarded_to_the_lowest_price(api, state):
    with clock_kept(state):
        p = await published(api, state, "rfq")
        prices = ["8800.00", "8500.00", "8700.00"]
        receipts = [await bid_ok(api, s, p.tender["id"], price) for s, price in zip(p.suppliers, prices, strict=True)]
        for r, price in zip(receipts, prices, strict=True):
            assert r["receipt"]["kind"] == "submitted"
            assert r["bid"]["price"] == price  # the bidder reads its own price
            assert r["receipt"]["contentHash"] == r["bid"]["content"]["sha256"]
        owner_token = p.owner.staff.token
        before = await tender(api, owner_token, p.tender["id"])
        assert before["bids"] == [] and before["bidCount"] is None  # sealed, and counted only after the deadline

        opened = await open_tender(api, state, p)
        assert opened["errors"] == [], opened
        t = opened["tender"]
        assert t["status"] == "OPENED" and t["numberOfTenderers"] == 3 and t["bidCount"] == 3
        assert sorted(b["price"] for b in t["bids"]) == sorted(prices)
        assert all(b["receiptVerified"] for b in t["bids"])
        assert {b["receiptHash"] for b in t["bids"]} == {r["receipt"]["contentHash"] for r in receipts}
        # Anyone may recompute the committee from the revealed seed, the pool and the receipts.
        pool = [int(__import__("base64").urlsafe_b64decode(g + "==").decode().split(":")[1]) for g in t["draw"]["pool"]]
        assert t["draw"]["seed"] == p.seed and draw.seed_matches(p.seed, t["draw"]["commitment"])
        order = draw.seeded_order(t["draw"]["seed"], t["draw"]["receiptHashes"], pool)
        # The committee is the first three of the seeded order, after those recorded as standing aside.
        aside = {m["position"] for m in t["committee"] if m["status"] != "DRAWN"}
        expected = [position for position in range(1, len(order) + 1) if position not in aside][:3]
        members = [m for m in t["committee"] if m["status"] == "DRAWN"]
        assert [m["position"] for m in members] == expected
        recomputed = draw.draw_committee(t["draw"]["seed"], t["draw"]["receiptHashes"], pool, 3, recused=[order[i - 1] for i in aside])
        assert [order.index(u) + 1 for u in recomputed.committee] == expected

        for username in committee_usernames(t):
            payload = await evaluate(api, username, t, {b["id"]: (True, {}) for b in t["bids"]})
            assert payload["errors"] == [], payload
        t = await tender(api, owner_token, p.tender["id"])
        assert t["status"] == "EVALUATED"
        ranked = sorted(t["bids"], key=lambda b: b["rank"])
        assert [b["price"] for b in ranked] == ["8500.00", "8700.00", "8800.00"]

        started = (await api.ok(START_PUBLICITY, {"input": {"id": t["id"]}}, token=owner_token))["startAwardPublicity"]
        assert started["errors"] == [] and started["tender"]["status"] == "PUBLICITY"
        assert await run_award_job(state) == 0 or (await tender(api, owner_token, t["id"]))["status"] == "PUBLICITY"
        move_to(state, datetime.fromisoformat(started["tender"]["publicityEndsAt"]) + timedelta(seconds=1))
        assert await run_award_job(state) >= 1
        t = await tender(api, owner_token, t["id"])
        assert t["status"] == "AWARDED" and t["awardValue"] == "8500.00"
        assert sorted(b["status"] for b in t["bids"]) == ["LOST", "LOST", "WON"]
        assert t["ocds"]["procurementMethod"] == "selective" and t["ocds"]["awardCriteria"] == "priceOnly"
        assert t["ocds"]["status"] == "complete" and t["ocds"]["numberOfTenderers"] == 3 and t["ocds"]["awardValueAmount"] == "8500.00"


async def test_simple_tender_is_scored_by_three_evaluators(api, state):
    with clock_kept(state):
        p = await published(api, state, "simple_tender")
        prices = {0: "8000.00", 1: "9000.00", 2: "8500.00"}
        for i, s in enumerate(p.suppliers):
            await bid_ok(api, s, p.tender["id"], prices[i], method="simple_tender")
        t = (await open_tender(api, state, p))["tender"]
        by_price = {b["price"]: b["id"] for b in t["bids"]}
        technical = {"8000.00": ["70", "80", "75"], "9000.00": ["95", "90", "92"], "8500.00": ["80", "85", "90"]}
        for i, username in enumerate(committee_usernames(t)):
            verdicts = {by_price[price]: (True, {"technical": scores[i], "business": "80"}) for price, scores in technical.items()}
            payload = await evaluate(api, username, t, verdicts)
            assert payload["errors"] == [], payload
        t = await tender(api, p.owner.staff.token, p.tender["id"])
        assert t["status"] == "EVALUATED"
        scored = {b["price"]: b for b in t["bids"]}
        # 8000: price 8000/8000×60 = 60; technical mean 75 × 0.30 = 22.5; business 8; total 90.50
        # 9000: 8000/9000×60 = 53.33; 92.33 × 0.30 = 27.70; 8; total 89.03
        # 8500: 8000/8500×60 = 56.47; 85 × 0.30 = 25.5; 8; total 89.97
        assert scored["8000.00"]["totalScore"] == "90.50" and scored["8000.00"]["rank"] == 1
        assert scored["8500.00"]["totalScore"] == "89.97" and scored["8500.00"]["rank"] == 2
        assert scored["9000.00"]["totalScore"] == "89.03" and scored["9000.00"]["rank"] == 3
        price_part = next(part for part in scored["9000.00"]["scoreParts"] if part["kind"] == "PRICE")
        assert price_part["score"] == "53.33" and "8000.00 ÷ 9000.00" in price_part["explanation"]
        assert t["ocds"]["procurementMethod"] == "open" and t["ocds"]["awardCriteria"] == "ratedCriteria"


async def test_too_few_bids_fail_the_tender_and_a_new_round_may_start(api, state):
    with clock_kept(state):
        p = await published(api, state, "rfq")
        await bid_ok(api, p.suppliers[0], p.tender["id"], "8000.00")
        await bid_ok(api, p.suppliers[1], p.tender["id"], "8100.00")
        opened = await open_tender(api, state, p)
        assert opened["errors"] == []
        t = opened["tender"]
        assert t["status"] == "FAILED" and t["closeCode"] == "TOO_FEW_BIDS:2/3"
        assert t["closeReason"] == "有效投标 2 份，少于 3 份，流标。"
        assert t["ocds"]["status"] == "unsuccessful"
        project = (await api.ok("query($id: ID!) { project(id: $id) { status } }", {"id": p.project_id}, token=p.owner.staff.token))[
            "project"
        ]
        assert project["status"] == "APPROVED"


async def test_an_upheld_objection_sends_the_tender_back_to_evaluation(api, state):
    with clock_kept(state):
        p = await published(api, state, "rfq")
        for s, price in zip(p.suppliers, ["8800.00", "8500.00", "8700.00"], strict=True):
            await bid_ok(api, s, p.tender["id"], price)
        t = (await open_tender(api, state, p))["tender"]
        members = committee_usernames(t)
        for username in members:
            await evaluate(api, username, t, {b["id"]: (True, {}) for b in t["bids"]})
        owner_token = p.owner.staff.token
        await api.ok(START_PUBLICITY, {"input": {"id": t["id"]}}, token=owner_token)
        loser = p.suppliers[0]  # 8800, ranked third
        filed = (await api.ok(FILE_OBJECTION, {"input": {"tenderId": t["id"], "text": "第一名资质存疑。"}}, token=loser.token))[
            "fileObjection"
        ]
        assert filed["errors"] == [] and filed["objection"]["status"] == "OPEN"
        answered = (
            await api.ok(
                ANSWER_OBJECTION,
                {"input": {"objectionId": filed["objection"]["id"], "decision": "UPHOLD", "answer": "经核实，重新评标。"}},
                token=owner_token,
            )
        )["answerObjection"]
        assert answered["errors"] == [] and answered["objection"]["status"] == "UPHELD"
        assert answered["tender"]["status"] == "OPENED"
        t = await tender(api, owner_token, t["id"])
        assert all(b["rank"] is None for b in t["bids"])
        assert sorted(m["evaluationRound"] for m in t["committee"] if m["status"] == "DRAWN") == [2, 2, 2]
        # The committee evaluates again; this time the former winner is disqualified.
        former = next(b["id"] for b in t["bids"] if b["price"] == "8500.00")
        for username in members:
            await evaluate(api, username, t, {b["id"]: (b["id"] != former, {}) for b in t["bids"]})
        t = await tender(api, owner_token, t["id"])
        assert t["status"] == "EVALUATED"
        winner = next(b for b in t["bids"] if b["rank"] == 1)
        assert winner["price"] == "8700.00"
        assert next(b for b in t["bids"] if b["id"] == former)["status"] == "DISQUALIFIED"


@pytest.mark.once
def test_the_draw_refuses_a_seed_that_is_not_the_committed_one():
    seed = draw.new_seed()
    assert draw.seed_matches(seed, draw.commitment_of(seed))
    assert not draw.seed_matches(draw.new_seed(), draw.commitment_of(seed))


__all__ = ["Decimal"]


async def _in_publicity(api, state):
    p = await published(api, state, "rfq")
    for s, price in zip(p.suppliers, ["8800.00", "8500.00", "8700.00"], strict=True):
        await bid_ok(api, s, p.tender["id"], price)
    t = (await open_tender(api, state, p))["tender"]
    for username in committee_usernames(t):
        await evaluate(api, username, t, {b["id"]: (True, {}) for b in t["bids"]})
    started = (await api.ok(START_PUBLICITY, {"input": {"id": t["id"]}}, token=p.owner.staff.token))["startAwardPublicity"]
    return p, started["tender"]


async def test_a_tender_the_award_job_cannot_award_does_not_hold_back_the_others(api, state):
    from factories import pk_of
    from sqlalchemy import text

    with clock_kept(state):
        broken, broken_t = await _in_publicity(api, state)
        sound, sound_t = await _in_publicity(api, state)
        async with state.db.write() as session:  # a row no award can work from
            await session.execute(text("UPDATE tenders SET recommended_bid_id = 0 WHERE id = :t"), {"t": pk_of(broken_t["id"])})
        move_to(state, max(datetime.fromisoformat(t["publicityEndsAt"]) for t in (broken_t, sound_t)) + timedelta(seconds=1))
        assert await run_award_job(state) >= 1
        assert (await tender(api, sound.owner.staff.token, sound_t["id"]))["status"] == "AWARDED"
        assert (await tender(api, broken.owner.staff.token, broken_t["id"]))["status"] == "PUBLICITY"
