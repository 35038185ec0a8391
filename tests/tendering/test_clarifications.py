"""Questions and answers, changes of the documents and the deadline they move, declines,
the evaluators' sheets kept apart until each has submitted, template versions, and
qualifications, each through GraphQL."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from conftest import unique
from flows import (
    RFQ_TEMPLATE,
    bid,
    bid_ok,
    clock_kept,
    committee_usernames,
    evaluate,
    move_to,
    open_tender,
    published,
    template,
    tender,
)
from sqlalchemy import text

from resolvers.core.workdays import add_working_days

ASK = "mutation($i: AskClarificationInput!) { askClarification(input: $i) { clarification { id status askedByYou } errors { code message } } }"
ANSWER = "mutation($i: AnswerClarificationInput!) { answerClarification(input: $i) { clarification { id status answer } errors { code } } }"
AMEND = """mutation($i: AmendTenderInput!) { amendTender(input: $i) {
  tender { bidDeadline openingTime deadlineExtensions requiredDocuments { key } } errors { code message } } }"""
QA = "query($id: ID!) { tender(id: $id) { clarifications { question answer status askedByYou } amendments { number deadlineBefore deadlineAfter } } }"
DECLINE = "mutation($i: DeclineEvaluationInput!) { declineEvaluation(input: $i) { seat { status reason } errors { code } } }"
SHEETS = "query($id: ID!) { tender(id: $id) { evaluationSheets { expertName qualified } } }"
UPDATE_TEMPLATE = """mutation($i: UpdateTenderTemplateInput!) { updateTenderTemplate(input: $i) {
  template { id version isLatest familyId name } errors { code } } }"""
TEMPLATES = "query { tenderTemplates(allVersions: true, first: 50) { nodes { id version isLatest familyId } } }"
ADD_QUALIFICATION = """mutation($i: AddQualificationInput!) { addQualification(input: $i) {
  qualification { id kind kindLabel grade valid } errors { code message } } }"""


async def _events(state, event_type: str, tender_code: str) -> list[dict]:
    async with state.db.read() as session:
        rows = (await session.execute(text("SELECT payload, recipients FROM outbox_events WHERE event_type = :t"), {"t": event_type})).all()
    return [{"payload": json.loads(p), "recipients": json.loads(r)} for p, r in rows if json.loads(p).get("code") == tender_code]


async def test_an_answer_reaches_every_participant_without_naming_who_asked(api, state):
    with clock_kept(state):
        p = await published(api, state, "rfq")
        asker, other = p.suppliers[0], p.suppliers[1]
        asked = (await api.ok(ASK, {"i": {"tenderId": p.tender["id"], "question": "工期可否延长？"}}, token=asker.token))[
            "askClarification"
        ]
        assert asked["errors"] == [] and asked["clarification"]["askedByYou"] is True
        # Before the answer, only the asker and the buyer's side see the question.
        assert (await api.ok(QA, {"id": p.tender["id"]}, token=other.token))["tender"]["clarifications"] == []
        answered = (
            await api.ok(
                ANSWER, {"i": {"clarificationId": asked["clarification"]["id"], "answer": "不可延长。"}}, token=p.owner.staff.token
            )
        )["answerClarification"]
        assert answered["errors"] == [] and answered["clarification"]["status"] == "ANSWERED"
        seen = (await api.ok(QA, {"id": p.tender["id"]}, token=other.token))["tender"]["clarifications"]
        assert seen == [{"question": "工期可否延长？", "answer": "不可延长。", "status": "ANSWERED", "askedByYou": False}]
        events = await _events(state, "tender.clarified", p.tender["code"])
        assert len(events) == 1 and len(events[0]["recipients"]) >= 3
        assert "asked_by" not in json.dumps(events[0]["payload"]) and asker.org_id not in json.dumps(events[0]["payload"])
        # After the clarification deadline, questions are refused.
        move_to(state, datetime.fromisoformat(p.tender["clarificationDeadline"]))
        late = (await api.ok(ASK, {"i": {"tenderId": p.tender["id"], "question": "还有问题"}}, token=asker.token))["askClarification"]
        assert [e["code"] for e in late["errors"]] == ["CLARIFICATION_CLOSED"]


async def test_a_late_change_of_the_documents_extends_the_deadline_and_tells_everyone(api, state):
    with clock_kept(state):
        p = await published(api, state, "rfq")
        await bid_ok(api, p.suppliers[0], p.tender["id"], "8000.00")
        deadline = datetime.fromisoformat(p.tender["bidDeadline"])
        early = (
            await api.ok(
                AMEND, {"i": {"id": p.tender["id"], "summary": "更正公告", "noticeText": "更正后的公告"}}, token=p.owner.staff.token
            )
        )["amendTender"]
        assert early["errors"] == [] and datetime.fromisoformat(early["tender"]["bidDeadline"]) == deadline  # enough time remained
        move_to(state, deadline - timedelta(hours=20))  # within the minimum period
        changed = {
            "i": {
                "id": p.tender["id"],
                "summary": "增加业绩证明",
                "requiredDocuments": [{"key": "quotation", "name": "报价单"}, {"key": "record", "name": "业绩证明"}],
            }
        }
        late = (await api.ok(AMEND, changed, token=p.owner.staff.token))["amendTender"]
        assert late["errors"] == [], late
        extended = datetime.fromisoformat(late["tender"]["bidDeadline"])
        today = state.clock.now().astimezone(extended.tzinfo)
        assert extended > deadline and late["tender"]["deadlineExtensions"] == 1
        assert extended.date() >= add_working_days(today.date(), 3) - timedelta(days=1)
        assert datetime.fromisoformat(late["tender"]["openingTime"]) >= extended
        amendments = (await api.ok(QA, {"id": p.tender["id"]}, token=p.suppliers[2].token))["tender"]["amendments"]
        assert [a["number"] for a in amendments] == [1, 2]
        events = await _events(state, "tender.amended", p.tender["code"])
        assert len(events) == 2 and all(len(e["recipients"]) >= 3 for e in events)
        # The bid made before the change lacks the new document: replacing it needs one.
        refused = await bid(api, p.suppliers[0], p.tender["id"], "7900.00")
        assert "MISSING_BID_DOCUMENT" in [e["code"] for e in refused["errors"]]


async def test_a_declining_expert_is_replaced_and_sheets_stay_apart_until_submitted(api, state):
    with clock_kept(state):
        p = await published(api, state, "rfq")
        for s, price in zip(p.suppliers, ["8800.00", "8500.00", "8700.00"], strict=True):
            await bid_ok(api, s, p.tender["id"], price)
        t = (await open_tender(api, state, p))["tender"]
        first, second, third = committee_usernames(t)
        declined = (await api.ok(DECLINE, {"i": {"tenderId": t["id"], "reason": "出差"}}, token=await api.token(first)))[
            "declineEvaluation"
        ]
        assert declined["errors"] == [] and declined["seat"]["status"] == "DECLINED"
        t = await tender(api, p.owner.staff.token, t["id"])
        assert [m["status"] for m in t["committee"]].count("DECLINED") == 1
        members = committee_usernames(t)
        assert len(members) == 3 and first not in members
        await evaluate(api, members[0], t, {b["id"]: (True, {}) for b in t["bids"]})
        # A member who has not submitted sees no one else's sheet; one who has sees them all.
        waiting = (await api.ok(SHEETS, {"id": t["id"]}, token=await api.token(members[1])))["tender"]["evaluationSheets"]
        assert waiting == []
        done = (await api.ok(SHEETS, {"id": t["id"]}, token=await api.token(members[0])))["tender"]["evaluationSheets"]
        assert len(done) == 3
        # The buyer's side reads them once the evaluation is complete.
        assert (await api.ok(SHEETS, {"id": t["id"]}, token=p.owner.staff.token))["tender"]["evaluationSheets"] == []
        for username in members[1:]:
            await evaluate(api, username, t, {b["id"]: (True, {}) for b in t["bids"]})
        assert len((await api.ok(SHEETS, {"id": t["id"]}, token=p.owner.staff.token))["tender"]["evaluationSheets"]) == 9
        del second, third


async def test_editing_a_template_makes_a_version_and_tenders_keep_theirs(api, state):
    from flows import new_owner

    owner = await new_owner(api, allocation=None)
    first = await template(api, owner, RFQ_TEMPLATE)
    edited = (await api.ok(UPDATE_TEMPLATE, {"i": {"id": first, "name": unique("询价模板二")}}, token=owner.staff.token))[
        "updateTenderTemplate"
    ]
    assert edited["errors"] == [] and edited["template"]["version"] == 2 and edited["template"]["familyId"] == first
    stale = (await api.ok(UPDATE_TEMPLATE, {"i": {"id": first, "name": "旧版"}}, token=owner.staff.token))["updateTenderTemplate"]
    assert [e["code"] for e in stale["errors"]] == ["TEMPLATE_NOT_LATEST"]
    versions = (await api.ok(TEMPLATES, token=owner.staff.token))["tenderTemplates"]["nodes"]
    mine = [v for v in versions if v["familyId"] == first]
    assert sorted((v["version"], v["isLatest"]) for v in mine) == [(1, False), (2, True)]
    # Another owner sees none of them.
    other = await new_owner(api, allocation=None)
    assert all(v["familyId"] != first for v in (await api.ok(TEMPLATES, token=other.staff.token))["tenderTemplates"]["nodes"])


async def test_a_bid_without_the_required_qualification_is_refused(api, state):
    with clock_kept(state):
        p = await published(api, state, "simple_tender", fresh=True, requiredQualification={"kind": "LANDSCAPING", "grade": "SECOND"})
        refused = await bid(api, p.suppliers[0], p.tender["id"], "8000.00", method="simple_tender")
        assert [e["code"] for e in refused["errors"]] == ["QUALIFICATION_REQUIRED"]
        assert refused["errors"][0]["message"] == "投标须具备园林绿化工程二级及以上资质。"
        low = {"kind": "LANDSCAPING", "grade": "THIRD", "number": unique("D3"), "validUntil": "2099-12-31"}
        added = (await api.ok(ADD_QUALIFICATION, {"i": low}, token=p.suppliers[0].token))["addQualification"]
        assert added["errors"] == [] and added["qualification"]["valid"] is True
        assert [e["code"] for e in (await bid(api, p.suppliers[0], p.tender["id"], "8000.00", method="simple_tender"))["errors"]] == [
            "QUALIFICATION_REQUIRED"
        ]
        high = {**low, "grade": "FIRST", "number": unique("D1")}
        assert (await api.ok(ADD_QUALIFICATION, {"i": high}, token=p.suppliers[0].token))["addQualification"]["errors"] == []
        assert (await bid(api, p.suppliers[0], p.tender["id"], "8000.00", method="simple_tender"))["errors"] == []
