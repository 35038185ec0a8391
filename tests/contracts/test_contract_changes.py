"""What a contract refuses, through GraphQL: each bad draft or change gets its code and leaves
nothing written; a late draft carries a warning; terms already paid cannot be amended; keys
that do not parse are refused with the reason; key dates are reminded once each."""

from __future__ import annotations

import hashlib
import json
from datetime import date, timedelta

from conftest import global_id
from contract_flows import (
    AMEND,
    DRAFT,
    REGISTER_KEY,
    SUBMIT,
    TERMINATE,
    UPDATE,
    VERIFY,
    WITHDRAW,
    attach,
    awarded,
    content,
    contract,
    draft,
    server_key,
    sign,
)
from factories import new_owner, pdf_bytes
from flows import clock_kept, move_to
from sqlalchemy import text

from resolvers.core.clock import SHANGHAI, today_in_china
from workers import jobs

CODES = "errors { code field message }"
REVOKE_KEY = (
    "mutation($input: RevokeSigningKeyInput!) { revokeSigningKey(input: $input) { signingKey { id isActive revokedAt } %s } }" % CODES
)


PUBLISHED = "query { tenders(filter: {status: [PUBLISHED]}, first: 1) { nodes { id } } }"


async def tender_events(state, code: str, event_type: str) -> list[dict]:
    async with state.db.read() as session:
        rows = (
            await session.execute(
                text("SELECT payload, recipients FROM outbox_events WHERE event_type = :t AND subject_type = 'Tender' ORDER BY id"),
                {"t": event_type},
            )
        ).all()
    return [{**json.loads(p), "recipients": json.loads(r)} for p, r in rows if json.loads(p).get("code") == code]


def codes(payload: dict) -> list[tuple[str, str | None]]:
    return [(e["code"], e["field"]) for e in payload["errors"]]


async def outbox(state, code: str, event_type: str) -> list[dict]:
    async with state.db.read() as session:
        rows = (
            await session.execute(
                text("SELECT payload, recipients FROM outbox_events WHERE event_type = :t AND subject_type = 'Contract' ORDER BY id"),
                {"t": event_type},
            )
        ).all()
    return [{**json.loads(p), "recipients": json.loads(r)} for p, r in rows if json.loads(p).get("code") == code]


async def test_a_late_draft_is_warned_and_each_bad_change_is_refused_with_nothing_written(api, state):
    demo_owner = await api.token("owner")  # signed in before the clock moves
    with clock_kept(state):
        a = await awarded(api, state)
        owner = a.owner_token
        # Drafted 33 days after the award: drafted, with a warning to the owner and the region's auditors.
        awarded_day = today_in_china(state.clock.now())
        move_to(state, state.clock.now() + timedelta(days=33))
        # Undrafted past the limit: the owner's staff and the auditors are warned, once.
        for _ in range(2):
            await jobs.send_reminders({"state": state})
        [overdue] = await tender_events(state, a.tender["code"], "contract.not_drafted")
        assert overdue["days"] == 33 and a.procurement.owner.staff.user_id in [global_id("User", r) for r in overdue["recipients"]]
        c = await draft(api, state, a)
        assert c["draftedLateDays"] == 3
        assert c["warning"] == "定标后超过 30 天期限 3 天才起草。"
        [late] = await outbox(state, c["code"], "contract.drafted_late")
        assert late["days"] == (today_in_china(state.clock.now()) - awarded_day).days == 33

        today = today_in_china(state.clock.now())
        start = date.fromisoformat(c["worksStart"])
        refused = [
            (
                {
                    "paymentTerms": [
                        {"name": "预付款", "percentage": "30", "trigger": "SIGNING"},
                        {"name": "尾款", "percentage": "69.99", "trigger": "FINAL_ACCEPTANCE"},
                    ]
                },
                [("TERMS_NOT_100", "paymentTerms")],
            ),
            (
                {
                    "paymentTerms": [
                        {"name": "预付款", "percentage": "30.01", "trigger": "SIGNING"},
                        {"name": "尾款", "percentage": "69.99", "trigger": "FINAL_ACCEPTANCE"},
                    ]
                },
                [("ADVANCE_OVER_LIMIT", "paymentTerms")],
            ),
            (
                {
                    "paymentTerms": [
                        {"name": "尾款", "percentage": "96", "trigger": "FINAL_ACCEPTANCE"},
                        {"name": "质保金", "percentage": "4", "trigger": "RETENTION"},
                    ]
                },
                [("RETENTION_OVER_LIMIT", "paymentTerms")],
            ),
            (
                {"paymentTerms": [{"name": "进度款", "percentage": "100", "trigger": "MILESTONE", "milestoneCode": "M7"}]},
                [("UNKNOWN_MILESTONE", "paymentTerms.0.milestoneCode")],
            ),
            ({"amount": "8600.00"}, [("AMOUNT_REASON_REQUIRED", "amountReason")]),
            ({"amount": "-1.00", "amountReason": "x"}, [("AMOUNT_NOT_POSITIVE", "amount")]),
            ({"amount": "8600.001", "amountReason": "x"}, [("TOO_MANY_DECIMALS", "amount")]),
            (
                {"worksEnd": (start - timedelta(days=1)).isoformat()},
                [
                    ("WORKS_END_BEFORE_START", "worksEnd"),
                    ("MILESTONE_OUTSIDE_PERIOD", "milestones.0.plannedDate"),
                    ("MILESTONE_OUTSIDE_PERIOD", "milestones.1.plannedDate"),
                ],
            ),
            (
                {"milestones": [{"code": "M1", "name": "完工", "plannedDate": (start + timedelta(days=5)).isoformat(), "share": "90"}]},
                [("SHARES_NOT_100", "milestones")],
            ),
            ({"clauses": [{"kind": "PENALTY", "text": "违约金。", "dailyRatePercent": "0.05"}]}, [("REQUIRED", "clauses.0.capPercent")]),
            (
                {"clauses": [{"kind": "WARRANTY", "text": "保修。", "defectLiabilityMonths": 24}], "defectLiabilityMonths": 12},
                [("WARRANTY_PERIOD_MISMATCH", "defectLiabilityMonths")],
            ),
            ({"number": ""}, [("REQUIRED", "number")]),
        ]
        for change, expected in refused:
            payload = (await api.ok(UPDATE, {"input": {"id": c["id"], **change}}, token=owner))["updateContract"]
            assert codes(payload) == expected, (change, payload["errors"])
            assert payload["contract"] is None
        after = await contract(api, owner, c["id"])
        assert after is not None
        assert (after["version"], after["contentSha256"], after["amount"]) == (c["version"], c["contentSha256"], "8500.00")

        # A different amount with its reason is taken, and the terms follow it to the fen.
        changed = (await api.ok(UPDATE, {"input": {"id": c["id"], "amount": "8600.01", "amountReason": "增加检查井改造。"}}, token=owner))[
            "updateContract"
        ]
        assert changed["errors"] == []
        assert [t["amount"] for t in changed["contract"]["paymentTerms"]] == ["2580.00", "3440.00", "2322.00", "258.01"]

        # One live contract per tender; a terminated draft frees the tender, not its number.
        again = (await api.ok(DRAFT, {"input": {"tenderId": a.tender["id"], **content(today)}}, token=owner))["draftContract"]
        assert codes(again) == [("CONTRACT_EXISTS", "tenderId")]
        ended = (await api.ok(TERMINATE, {"input": {"id": c["id"], "reason": "合同文本需重新拟定。"}}, token=owner))["terminateContract"]
        assert ended["errors"] == [] and ended["contract"]["status"] == "TERMINATED"
        reused = (await api.ok(DRAFT, {"input": {"tenderId": a.tender["id"], **content(today, number=c["number"])}}, token=owner))[
            "draftContract"
        ]
        assert codes(reused) == [("CONTRACT_NUMBER_TAKEN", "number")]
        fresh = await draft(api, state, a)
        assert fresh["status"] == "DRAFT" and fresh["code"] != c["code"]
        # A contract is drafted from an awarded tender only (the demo's published one is not).
        published = (await api.ok(PUBLISHED, token=demo_owner))["tenders"]["nodes"]
        assert published
        early = (await api.ok(DRAFT, {"input": {"tenderId": published[0]["id"], **content(today)}}, token=demo_owner))["draftContract"]
        assert codes(early) == [("TENDER_NOT_AWARDED", "tenderId")] and "已发布" in early["errors"][0]["message"]


async def test_terms_already_paid_stay_as_they_are_and_key_dates_are_reminded_once(api, state):
    outsider = (await new_owner(api, allocation=None)).staff.token  # signed in before the clock moves
    with clock_kept(state):
        a = await awarded(api, state)
        owner, contractor = a.owner_token, a.winner.token
        c = await draft(api, state, a)

        # Keys: a public key that does not parse is refused with the reason, in the request's language.
        off_curve = "04" + "11" * 64
        bad = (await api.ok(REGISTER_KEY, {"input": {"algorithm": "SM2_SM3", "publicKey": off_curve}}, token=contractor))[
            "registerSigningKey"
        ]
        assert codes(bad) == [("INVALID_PUBLIC_KEY", "publicKey")] and bad["errors"][0]["message"] == "公钥不在 SM2 曲线上。"
        short = (await api.ok(REGISTER_KEY, {"input": {"algorithm": "ED25519", "publicKey": "AAAA"}}, token=contractor))[
            "registerSigningKey"
        ]
        assert codes(short) == [("INVALID_PUBLIC_KEY", "publicKey")] and "长度" in short["errors"][0]["message"]

        await server_key(api, owner)
        c = (await api.ok(SUBMIT, {"input": {"id": c["id"]}}, token=owner))["submitContractForSignature"]["contract"]
        assert codes(await sign(api, contractor, c)) == [("NO_SIGNING_KEY", None)]
        replaced = await server_key(api, contractor, "SM2_SM3")
        assert (await sign(api, owner, c))["errors"] == []
        # A document attached after a signature joins the signed content and voids the signature.
        quantities = pdf_bytes("工程量清单 v1")
        attached = await attach(api, owner, c["id"], "工程量清单", "工程量清单.pdf", quantities)
        assert attached["errors"] == [], attached
        document = attached["document"]
        assert document["sha256"] == hashlib.sha256(quantities).hexdigest() and document["mediaType"] == "application/pdf"
        assert [(s["party"], s["isStanding"]) for s in attached["contract"]["signatures"]] == [("OWNER", False)]
        c = await contract(api, owner, c["id"])
        assert c is not None
        signed_documents = json.loads(c["versions"][0]["canonicalJson"])["documents"]
        assert signed_documents == [
            {"name": "工程量清单", "filename": "工程量清单.pdf", "sha256": document["sha256"], "size": len(quantities)}
        ]
        # Each party downloads it by its link; someone outside the contract cannot.
        for token in (owner, contractor):
            got = await api.client.get(document["downloadUrl"], headers={"Authorization": f"Bearer {token}"})
            assert got.status_code == 200 and got.content == quantities
        refused = await api.client.get(document["downloadUrl"].split("?")[0], headers={"Authorization": f"Bearer {outsider}"})
        assert refused.status_code == 404
        assert (await sign(api, owner, c))["errors"] == []
        c = (await sign(api, contractor, c))["contract"]
        assert c["status"] == "ACTIVE"
        # A key revoked later leaves the signatures made with it valid.
        revoked = (await api.ok(REVOKE_KEY, {"input": {"id": replaced["id"]}}, token=contractor))["revokeSigningKey"]
        assert revoked["errors"] == [] and revoked["signingKey"]["isActive"] is False
        assert (await api.ok(VERIFY, {"id": c["id"]}, token=owner))["verifyContract"]["valid"] is True

        # Reminders: the advance is due 7 days after signing, reminded 3 days ahead; M1 is
        # planned 50 days out, reminded 7 days ahead. Each once, however often the worker runs.
        signed_day = today_in_china(state.clock.now())
        assert c["paymentTerms"][0]["dueOn"] == (signed_day + timedelta(days=7)).isoformat()
        await jobs.send_reminders({"state": state})
        assert await outbox(state, c["code"], "contract.reminder") == []
        move_to(state, _china_noon(signed_day + timedelta(days=4)))
        await jobs.send_reminders({"state": state})
        await jobs.send_reminders({"state": state})
        [advance] = await outbox(state, c["code"], "contract.reminder")
        assert (advance["what"], advance["due"], advance["days"]) == ("advance_payment", (signed_day + timedelta(days=7)).isoformat(), 3)
        assert len(advance["recipients"]) == 2  # the owner's staff and the contractor's person
        m1 = date.fromisoformat(c["milestones"][0]["plannedDate"])
        move_to(state, _china_noon(m1 - timedelta(days=7)))
        for _ in range(2):
            await jobs.send_reminders({"state": state})
        reminded = await outbox(state, c["code"], "contract.reminder")
        assert [(r["what"], r["due"]) for r in reminded] == [("advance_payment", advance["due"]), ("milestone", m1.isoformat())]

        # The advance is paid (the payments module records it so): it cannot change any more.
        async with state.db.write() as session:
            await session.execute(
                text(
                    "UPDATE payment_terms SET status = 'paid' WHERE sequence = 1 AND contract_id = (SELECT id FROM contracts WHERE code = :c)"
                ),
                {"c": c["code"]},
            )
        proposal = {"id": c["id"], "reason": "增加工程量。", "amount": "9000.00", "amountReason": "现场签证。"}
        refused = (await api.ok(AMEND, {"input": proposal}, token=owner))["proposeContractAmendment"]
        assert codes(refused) == [("TERM_ALREADY_PAID", "paymentTerms")]
        same = (await api.ok(AMEND, {"input": {"id": c["id"], "reason": "无变化。"}}, token=owner))["proposeContractAmendment"]
        assert codes(same) == [("NOTHING_CHANGED", None)]
        later = (date.fromisoformat(c["worksEnd"]) + timedelta(days=20)).isoformat()
        proposed = (await api.ok(AMEND, {"input": {"id": c["id"], "reason": "雨季顺延工期。", "worksEnd": later}}, token=owner))[
            "proposeContractAmendment"
        ]
        assert proposed["errors"] == [] and proposed["amendment"]["number"] == 2
        withdrawn = (await api.ok(WITHDRAW, {"input": {"id": c["id"], "reason": "经协商不再顺延。"}}, token=owner))[
            "withdrawContractAmendment"
        ]
        assert withdrawn["errors"] == []
        c = await contract(api, owner, c["id"])
        assert c is not None and c["worksEnd"] != later and c["effectiveVersion"] == 1
        assert [(v["number"], v["status"]) for v in c["versions"]] == [(1, "ACTIVE"), (2, "WITHDRAWN")]
        again = (await api.ok(WITHDRAW, {"input": {"id": c["id"], "reason": "再次撤回。"}}, token=owner))["withdrawContractAmendment"]
        assert codes(again) == [("NO_OPEN_AMENDMENT", None)]

        # Ended after it was in force, the contract keeps its award: no second contract from it.
        ended = (await api.ok(TERMINATE, {"input": {"id": c["id"], "reason": "施工单位严重违约，解除合同。"}}, token=owner))[
            "terminateContract"
        ]
        assert ended["errors"] == [] and ended["contract"]["status"] == "TERMINATED"
        redraft = await api.ok(DRAFT, {"input": {"tenderId": a.tender["id"], **content(today_in_china(state.clock.now()))}}, token=owner)
        assert codes(redraft["draftContract"]) == [("CONTRACT_EXISTS", "tenderId")]


def _china_noon(day: date):
    from datetime import datetime

    return datetime(day.year, day.month, day.day, 12, 0, tzinfo=SHANGHAI)
