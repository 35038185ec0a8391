"""``availableActions`` on a tender is what this viewer may do now: pinned for the owner's
staff, a bidder, an outsider, a committee member and the supervising roles at each step of
one procurement, and each action offered is then taken successfully by the flow."""

from __future__ import annotations

from datetime import datetime, timedelta

from flows import (
    FILE_OBJECTION,
    START_PUBLICITY,
    bid_ok,
    clock_kept,
    committee_usernames,
    draft,
    evaluate,
    move_to,
    new_supplier,
    open_tender,
    publish,
    tender,
)

ACTIONS = "query($id: ID!) { tender(id: $id) { availableActions availableActionLabels myBid { availableActions } } }"
ASK = "mutation($i: AskClarificationInput!) { askClarification(input: $i) { errors { code } } }"
VIEWERS = ["own", "supplier", "outsider", "member", "owner", "auditor", "admin", "reviewer"]
EXPECTED = {
    "draft": {"own": ["UPDATE", "PUBLISH", "CANCEL"]},
    "published": {"own": ["AMEND", "CANCEL", "ANSWER_CLARIFICATION"], "supplier": ["ASK_CLARIFICATION", "SUBMIT_BID"]},
    "published, past the opening time": {"own": ["CANCEL", "OPEN"]},
    "opened": {"member": ["DECLINE_EVALUATION", "DECLARE_CONFLICT", "SUBMIT_EVALUATION"]},
    "evaluated": {"own": ["START_PUBLICITY"]},
    "publicity": {"supplier": ["FILE_OBJECTION"]},
    "publicity, objected": {"own": ["ANSWER_OBJECTION"], "supplier": ["FILE_OBJECTION"]},
}


async def test_each_viewer_is_offered_what_the_rules_let_them_do_now(api, state):
    tokens = {v: await api.token(v) for v in ("owner", "auditor", "admin", "reviewer")}  # signed in before the clock moves
    with clock_kept(state):
        p = await draft(api, state, "rfq")
        tokens |= {"own": p.owner.staff.token, "supplier": p.suppliers[0].token, "outsider": (await new_supplier(api)).token}

        async def offered(step: str) -> None:
            for viewer in VIEWERS:
                if viewer not in tokens:
                    continue
                t = (await api.ok(ACTIONS, {"id": p.tender["id"]}, token=tokens[viewer]))["tender"]
                actions = t["availableActions"] if t else []
                assert actions == EXPECTED[step].get(viewer, []), (step, viewer, actions)
                if t:
                    assert len(t["availableActionLabels"]) == len(actions) and all(label for label in t["availableActionLabels"])

        await offered("draft")
        assert (await publish(api, p))["errors"] == []
        assert (await api.ok(ASK, {"i": {"tenderId": p.tender["id"], "question": "请问工期？"}}, token=tokens["supplier"]))[
            "askClarification"
        ]["errors"] == []
        await offered("published")
        for s, price in zip(p.suppliers, ["8800.00", "8500.00", "8700.00"], strict=True):
            await bid_ok(api, s, p.tender["id"], price)
        own_bid = (await api.ok(ACTIONS, {"id": p.tender["id"]}, token=tokens["supplier"]))["tender"]["myBid"]
        assert own_bid["availableActions"] == ["REPLACE", "WITHDRAW"]
        move_to(state, datetime.fromisoformat(p.tender["openingTime"]) + timedelta(seconds=1))
        await offered("published, past the opening time")
        own_bid = (await api.ok(ACTIONS, {"id": p.tender["id"]}, token=tokens["supplier"]))["tender"]["myBid"]
        assert own_bid["availableActions"] == []
        t = (await open_tender(api, state, p))["tender"]
        members = committee_usernames(t)
        tokens["member"] = await api.token(members[0])
        await offered("opened")
        for username in members:
            await evaluate(api, username, t, {b["id"]: (True, {}) for b in t["bids"]})
        await offered("evaluated")
        assert (await api.ok(START_PUBLICITY, {"input": {"id": t["id"]}}, token=tokens["own"]))["startAwardPublicity"]["errors"] == []
        await offered("publicity")
        filed = await api.ok(FILE_OBJECTION, {"input": {"tenderId": t["id"], "text": "报价计算有误。"}}, token=tokens["supplier"])
        assert filed["fileObjection"]["errors"] == []
        await offered("publicity, objected")
        assert (await tender(api, tokens["own"], t["id"]))["status"] == "PUBLICITY"
