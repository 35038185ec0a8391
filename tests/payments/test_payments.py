"""Payments end to end through GraphQL: signing raises the advance's request; the owner's
staff, then finance, approve it once the contractor's invoices cover it (an XML invoice read
and verified, a PDF one typed in and checked by finance, bad ones refused); the payment is
recorded and its invoices archived; milestone acceptance raises its request, a rejected one
is raised again by hand with its invoices; the final acceptance raises the final payment;
retention waits for the end of the defect liability period (the clock moved) and, paid,
settles the project; the archive is verified, then tampered with."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from payment_flows import (
    APPROVE,
    CANCEL,
    CONTRACT_FUNDS,
    PAY,
    PROJECT_FUNDS,
    RAISE,
    REJECT,
    REJECT_INVOICE,
    VERIFY,
    VERIFY_ARCHIVE,
    accept,
    act,
    clock_kept,
    codes,
    in_force,
    invoice_xml,
    key,
    live_request,
    move_to,
    noon,
    requests_of,
    supervisor,
    today,
    upload_pdf,
    upload_xml,
)
from sqlalchemy import text

from app.demo.core import demo_pdf
from resolvers.core.context import SYSTEM_ACTOR, RequestMeta
from resolvers.core.jobs import SCHEDULED
from resolvers.core.transaction import unit_of_work
from tests.payments.einvoices import billion_laughs, external_entity

PAYER, PAYEE = "3205830100000012345", "6222020100012345678"


async def run_scheduled(state) -> None:
    from resolvers.core.clock import today_in_china

    for rule in SCHEDULED:
        async with unit_of_work(state, f"cron.{rule.__name__}", SYSTEM_ACTOR, RequestMeta(request_id="t")) as uow:
            await rule(uow, today_in_china(uow.now))


async def test_from_signing_to_retention(api, state, tmp_path):
    supervisor_org, supervisor_token = await supervisor(api)
    finance, auditor, reviewer = [await api.token(name) for name in ("finance", "auditor", "reviewer")]
    with clock_kept(state):
        works = await in_force(api, state, supervisor_org, supervisor_token)
        owner, contractor, c = works.owner, works.contractor, works.contract
        assert c["amount"] == "8500.00"

        # Signing raised the advance's request by itself, waiting for the owner's staff.
        (advance,) = await requests_of(api, owner, c["id"])
        assert (advance["origin"], advance["status"], advance["amount"], advance["trigger"]) == (
            "AUTOMATIC",
            "PENDING",
            "2550.00",
            "SIGNING",
        )
        assert advance["chain"] == ["owner_staff", "finance_officer"] and advance["waitingFor"] == "建设单位经办人"
        assert advance["availableActions"] == ["APPROVE", "REJECT", "CANCEL"]
        assert (await live_request(api, contractor, c["id"], 1))["availableActions"] == ["UPLOAD_INVOICE"]
        assert (await live_request(api, finance, c["id"], 1))["availableActions"] == []

        # Finance cannot decide the owner's step; the owner approves, and a retry with the
        # same key returns the first result without a second approval.
        refused = (await api.post(APPROVE, {"input": {"id": advance["id"]}}, token=finance)).json()
        assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        k = key()
        first = await act(api, APPROVE, "approvePaymentRequest", owner, id=advance["id"], comment="同意。", idempotencyKey=k)
        again = await act(api, APPROVE, "approvePaymentRequest", owner, id=advance["id"], comment="同意。", idempotencyKey=k)
        assert first["errors"] == [] and again["errors"] == [] and again["request"]["step"] == first["request"]["step"] == 1
        assert len(again["request"]["approvals"]) == 1 and again["request"]["waitingFor"] == "财政审核人员"
        reused = await act(api, APPROVE, "approvePaymentRequest", owner, id=advance["id"], comment="另一意见", idempotencyKey=k)
        assert codes(reused) == [("IDEMPOTENCY_KEY_REUSED", "idempotencyKey")]

        # Finance's step needs verified invoices adding up to the amount.
        nothing = await act(api, APPROVE, "approvePaymentRequest", finance, id=advance["id"])
        assert codes(nothing) == [("INVOICES_DO_NOT_COVER", None)]

        # Invoices: wrong buyer, too much, hostile XML, a date before signing: each refused, nothing stored.
        day = today(state)
        _, wrong_buyer = invoice_xml(advance, day, buyer_tax_id="91320583MA1G00007X")
        assert ("INVOICE_BUYER_MISMATCH", "buyerTaxId") in codes(await upload_xml(api, contractor, advance["id"], wrong_buyer))
        _, too_much = invoice_xml(advance, day, total="3000.00")
        assert codes(await upload_xml(api, contractor, advance["id"], too_much)) == [("INVOICE_TOTAL_EXCEEDS", "totalAmount")]
        assert codes(await upload_xml(api, contractor, advance["id"], billion_laughs())) == [("INVOICE_XML_FORBIDDEN", "file")]
        secret = tmp_path / "secret.txt"
        secret.write_text("TOP-SECRET-MARKER")
        leaked = await upload_xml(api, contractor, advance["id"], external_entity(secret))
        assert codes(leaked) == [("INVOICE_XML_FORBIDDEN", "file")] and "TOP-SECRET-MARKER" not in str(leaked)
        _, early = invoice_xml(advance, day - timedelta(days=30), total="2000.00")
        assert codes(await upload_xml(api, contractor, advance["id"], early)) == [("INVOICE_BEFORE_TRIGGER", "issuedOn")]

        # An XML invoice for 2,000.00: read, verified and archived.
        number, xml = invoice_xml(advance, day, total="2000.00")
        uploaded = await upload_xml(api, contractor, advance["id"], xml, key=key())
        assert uploaded["errors"] == [] and uploaded["invoice"]["status"] == "VERIFIED"
        (shown,) = (await live_request(api, contractor, c["id"], 1))["invoices"]
        assert shown["status"] == "ARCHIVED" and shown["archive"]["sha256"]  # by the job its verification queued
        assert uploaded["invoice"]["number"] == number and uploaded["invoice"]["items"][0]["taxRate"] == "0.09"
        short = await act(api, APPROVE, "approvePaymentRequest", finance, id=advance["id"])
        assert codes(short) == [("INVOICES_DO_NOT_COVER", None)]

        # A PDF invoice typed in for the other 550.00 waits for finance to check it.
        typed = {
            "number": number[:-4] + "9999",
            "issuedOn": day.isoformat(),
            "sellerName": advance["payee"]["name"],
            "sellerTaxId": advance["payee"]["uscc"],
            "buyerName": advance["payer"]["name"],
            "buyerTaxId": advance["payer"]["uscc"],
            "amountWithoutTax": "505.00",
            "taxAmount": "45.00",
            "totalAmount": "550.00",
        }
        mismatch = await upload_pdf(api, contractor, advance["id"], demo_pdf("invoice"), **{**typed, "totalAmount": "551.00"})
        assert codes(mismatch) == [("INVOICE_TOTAL_MISMATCH", "totalAmount")]
        pdf = await upload_pdf(api, contractor, advance["id"], demo_pdf("invoice"), **typed)
        assert pdf["errors"] == [] and pdf["invoice"]["status"] == "UPLOADED" and pdf["invoice"]["availableActions"] == []
        waiting = await act(api, APPROVE, "approvePaymentRequest", finance, id=advance["id"])
        assert codes(waiting) == [("INVOICES_NOT_VERIFIED", None)]
        verified = await act(api, VERIFY, "verifyInvoice", finance, id=pdf["invoice"]["id"])
        assert verified["errors"] == [] and verified["invoice"]["status"] == "VERIFIED"
        approved = await act(api, APPROVE, "approvePaymentRequest", finance, id=advance["id"], comment="发票已核验。")
        assert approved["errors"] == [] and approved["request"]["status"] == "APPROVED" and approved["request"]["step"] == 2
        assert approved["request"]["availableActions"] == ["PAY"]  # finance pays it now

        # Finance pays; paying another sum needs a reason; the accounts are masked for others.
        huge = await pay(api, finance, advance["id"], day.isoformat(), "1E+30", "KS2026001")
        assert codes(huge) == [("NUMBER_TOO_LARGE", "amount")]
        unreasoned = await pay(api, finance, advance["id"], day.isoformat(), "2500.00", "KS2026001")
        assert codes(unreasoned) == [("PAYMENT_DIFFERENCE_REASON_REQUIRED", "differenceReason")]
        future = await pay(api, finance, advance["id"], (day + timedelta(days=1)).isoformat(), "2550.00", "KS2026001")
        assert codes(future) == [("PAID_ON_IN_FUTURE", "paidOn")]
        paid = await pay(
            api,
            finance,
            advance["id"],
            day.isoformat(),
            "2500.00",
            "KS2026001",
            differenceReason="扣除预付款保函手续费 50 元。",
            idempotencyKey=key(),
        )
        request = paid["request"]
        assert (
            paid["errors"] == []
            and request["status"] == "PAID"
            and request["paidAmount"] == "2500.00"
            and request["difference"] == "-50.00"
        )
        assert request["payerAccount"] == PAYER and request["term"]["status"] == "PAID"  # finance sees accounts in full
        ocds = request["ocds"]
        assert ocds["id"] == request["code"] and ocds["valueAmount"] == "2500.00" and ocds["currency"] == "CNY"
        assert ocds["payerId"] == f"CN-USCI-{request['payer']['uscc']}" and ocds["payeeId"] == f"CN-USCI-{request['payee']['uscc']}"
        # The audit trail records the payment with its accounts redacted; the table holds them sealed.
        audit = 'query { auditEvents(filter: {targetType: "PaymentRequest"}, first: 100) { nodes { targetType changes operation } } }'
        trail = (await api.ok(audit, token=auditor))["auditEvents"]["nodes"]
        assert any(e["changes"].get("paid") == "2500.00" and e["changes"].get("payer_account") == "[redacted]" for e in trail)
        assert PAYER not in json.dumps(trail) and PAYEE not in json.dumps(trail)
        async with state.db.read() as session:
            sealed = (
                await session.execute(
                    text("SELECT payer_account, payee_account FROM payment_requests WHERE code = :c"), {"c": request["code"]}
                )
            ).one()
        assert all(v.startswith("v1:") and PAYER not in v and PAYEE not in v for v in sealed)
        reviewer_view = await live_request(api, reviewer, c["id"], 1)
        assert reviewer_view["payerAccount"] == "*" * 15 + PAYER[-4:] and reviewer_view["availableActions"] == []
        assert [i["archive"]["retentionYears"] for i in request["invoices"]] == [30, 30]

        # The first milestone's acceptance raises its request; the owner rejects it, then
        # raises it again by hand (the same term cannot have two live requests).
        m1, m2 = c["milestones"]
        move_to(state, noon(today(state) + timedelta(days=20)))
        await accept(api, works, m1)
        progress = await live_request(api, owner, c["id"], 2)
        assert (progress["origin"], progress["amount"], progress["trigger"]) == ("AUTOMATIC", "3400.00", "MILESTONE")
        second = await act(api, RAISE, "raisePaymentRequest", owner, termId=progress["term"]["id"])
        assert codes(second) == [("TERM_ALREADY_REQUESTED", "termId")]
        _, xml = invoice_xml(progress, today(state))
        assert (await upload_xml(api, contractor, progress["id"], xml))["errors"] == []
        rejected = await act(api, REJECT, "rejectPaymentRequest", owner, id=progress["id"], comment="节点工程量待复核。")
        assert rejected["request"]["status"] == "REJECTED" and rejected["request"]["approvals"][0]["decision"] == "rejected"
        again = await act(api, RAISE, "raisePaymentRequest", owner, termId=progress["term"]["id"], note="工程量已复核。")
        assert again["errors"] == [] and again["request"]["origin"] == "MANUAL" and len(again["request"]["invoices"]) == 1  # carried over
        not_due = await act(api, RAISE, "raisePaymentRequest", owner, termId=(await term_ids(api, owner, c["id"]))[3])
        assert codes(not_due) == [("TERM_NOT_DUE", "termId")]

        # Cancelled, it frees the term; the amount committed never passes the contract's.
        cancelled = await act(api, CANCEL, "cancelPaymentRequest", owner, id=again["request"]["id"], reason="重新核定金额。")
        assert cancelled["request"]["status"] == "CANCELLED"
        third = (await act(api, RAISE, "raisePaymentRequest", owner, termId=progress["term"]["id"]))["request"]
        await act(api, APPROVE, "approvePaymentRequest", owner, id=third["id"])
        assert (await act(api, APPROVE, "approvePaymentRequest", finance, id=third["id"]))["request"]["status"] == "APPROVED"
        over = await pay(api, finance, third["id"], today(state).isoformat(), "8000.00", "KS2026002", differenceReason="误录。")
        assert codes(over) == [("OVER_CONTRACT_AMOUNT", None)]
        await pay(api, finance, third["id"], today(state).isoformat(), "3400.00", "KS2026002")

        # The final acceptance raises the final payment; retention waits for its release date.
        move_to(state, noon(today(state) + timedelta(days=30)))
        await accept(api, works, m2)
        final = await live_request(api, owner, c["id"], 3)
        assert (final["trigger"], final["amount"]) == ("FINAL_ACCEPTANCE", "2295.00")
        await pay_in_full(api, state, works, final, finance)
        retention_term = (await term_ids(api, owner, c["id"]))[4]
        early = await act(api, RAISE, "raisePaymentRequest", owner, termId=retention_term)
        assert codes(early) == [("RETENTION_NOT_RELEASED", "termId")]
        await run_scheduled(state)
        assert [r["term"]["sequence"] for r in await requests_of(api, owner, c["id"]) if r["trigger"] == "RETENTION"] == []

        # A year on, the defect liability period is over: the scheduled rule raises retention.
        move_to(state, noon(today(state).replace(year=today(state).year + 1) + timedelta(days=1)))
        await run_scheduled(state)
        retention = await live_request(api, owner, c["id"], 4)
        assert (retention["origin"], retention["amount"], retention["releaseOn"] is not None) == ("AUTOMATIC", "255.00", True)
        await pay_in_full(api, state, works, retention, finance)
        funds = (await api.ok(CONTRACT_FUNDS, {"id": c["id"]}, token=owner))["contractFunds"]
        assert funds == {
            "budget": funds["budget"],
            "contractAmount": "8500.00",
            "requested": "8500.00",
            "approved": "8500.00",
            "paid": "8450.00",
            "retentionHeld": "0.00",
            "outstanding": "50.00",
        }
        project = (await api.ok(PROJECT_FUNDS, {"id": c["project"]["id"]}, token=owner))["projectFunds"]
        assert project["paid"] == "8450.00" and project["contractAmount"] == "8500.00"
        status = await api.ok("query($id: ID!) { project(id: $id) { status } }", {"id": c["project"]["id"]}, token=owner)
        assert status["project"]["status"] == "CLOSED"  # every term paid: the project is settled

        # The archive holds every invoice; a file changed and a file lost are reported.
        report = (await api.ok(VERIFY_ARCHIVE, {"id": c["id"]}, token=finance))["verifyArchive"]
        assert (report["checked"], report["intact"], report["findings"], report["waiting"]) == (5, 5, [], 0)
        archived = [i for r in await requests_of(api, owner, c["id"]) for i in r["invoices"]]
        first_file, second_file = (archive_file(state, i["archive"]["sha256"]) for i in archived[:2])
        kept = first_file.read_bytes(), second_file.read_bytes()
        first_file.write_bytes(kept[0] + b"<!-- edited -->")
        second_file.unlink()
        report = (await api.ok(VERIFY_ARCHIVE, {"id": c["id"]}, token=finance))["verifyArchive"]
        assert (report["checked"], report["intact"]) == (5, 3)
        assert sorted(f["problem"] for f in report["findings"]) == ["changed", "missing"]
        assert {f["problemLabel"] for f in report["findings"]} == {"文件已被改动", "文件缺失"}
        first_file.write_bytes(kept[0])  # put back: the archive is the test run's, shared
        second_file.write_bytes(kept[1])
        assert (await api.ok(VERIFY_ARCHIVE, {"id": c["id"]}, token=finance))["verifyArchive"]["intact"] == 5


async def pay(api, finance: str, request_id: str, paid_on: str, amount: str, reference: str, **fields) -> dict:
    """Finance records a payment into the test accounts; ``fields`` add to the input."""
    values = {
        "id": request_id,
        "paidOn": paid_on,
        "amount": amount,
        "bankReference": reference,
        "payerAccount": PAYER,
        "payeeAccount": PAYEE,
    }
    return await act(api, PAY, "recordPayment", finance, **values, **fields)


def archive_file(state, sha256: str) -> Path:
    (found,) = list(Path(state.settings.archive_dir).glob(f"{sha256[:2]}/{sha256[2:4]}/{sha256}.*"))
    return found


async def term_ids(api, token: str, contract_id: str) -> dict[int, str]:
    data = await api.ok("query($id: ID!) { contract(id: $id) { paymentTerms { id sequence } } }", {"id": contract_id}, token=token)
    return {t["sequence"]: t["id"] for t in data["contract"]["paymentTerms"]}


async def pay_in_full(api, state, works, request: dict, finance: str) -> dict:
    """Invoice, approve at both steps and pay ``request`` as approved."""
    _, xml = invoice_xml(request, today(state))
    assert (await upload_xml(api, works.contractor, request["id"], xml))["errors"] == []
    for token in (works.owner, finance):
        payload = await act(api, APPROVE, "approvePaymentRequest", token, id=request["id"])
        assert payload["errors"] == [], payload
    paid = await pay(api, finance, request["id"], today(state).isoformat(), request["amount"], "KS2026099")
    assert paid["errors"] == [] and paid["request"]["status"] == "PAID", paid
    return paid["request"]


@pytest.mark.once  # the checks of an invoice; the unique column under a race is tested on every server backend
async def test_a_rejected_invoice_no_longer_counts_and_its_number_stays_booked(api, state):
    supervisor_org, supervisor_token = await supervisor(api)
    finance = await api.token("finance")
    with clock_kept(state):
        works = await in_force(api, state, supervisor_org, supervisor_token)
        advance = await live_request(api, works.owner, works.contract["id"], 1)
        number, xml = invoice_xml(advance, today(state))
        uploaded = await upload_xml(api, works.contractor, advance["id"], xml)
        rejected = await act(
            api, REJECT_INVOICE, "rejectInvoice", finance, id=uploaded["invoice"]["id"], reason="发票备注栏未注明项目地址。"
        )
        assert rejected["errors"] == [] and rejected["invoice"]["status"] == "REJECTED"
        again = await upload_xml(api, works.contractor, advance["id"], xml)
        assert codes(again) == [("INVOICE_NUMBER_USED", "number")] and number in again["errors"][0]["message"]
        # A legacy e-invoice (code and number), typed in from its PDF: the code and number are checked.
        legacy = {
            "number": "0456123",
            "code": "03200240011",
            "issuedOn": today(state).isoformat(),
            "sellerName": advance["payee"]["name"],
            "sellerTaxId": advance["payee"]["uscc"],
            "buyerName": advance["payer"]["name"],
            "buyerTaxId": advance["payer"]["uscc"],
            "amountWithoutTax": "100.00",
            "taxAmount": "9.00",
            "totalAmount": "109.00",
        }
        bad = await upload_pdf(api, works.contractor, advance["id"], demo_pdf("legacy"), **legacy)
        assert codes(bad) == [("INVOICE_NUMBER_INVALID", "code")]
        good = await upload_pdf(
            api,
            works.contractor,
            advance["id"],
            demo_pdf("legacy"),
            **legacy | {"code": "032002400111", "number": f"{int(today(state).strftime('%m%d%H')) % 10**8:08d}"},
        )
        assert good["errors"] == [] and (good["invoice"]["kind"], good["invoice"]["status"]) == ("LEGACY", "UPLOADED")
        assert (await act(api, REJECT_INVOICE, "rejectInvoice", finance, id=good["invoice"]["id"], reason="票面信息不清。"))["errors"] == []
        # What is typed beside an XML invoice must agree with it (the same amount written
        # otherwise agrees).
        _, other = invoice_xml(advance, today(state))
        disagrees = await upload_xml(api, works.contractor, advance["id"], other, totalAmount="999.00", sellerName="别的公司")
        assert codes(disagrees) == [("INVOICE_FIELD_DISAGREES", "sellerName"), ("INVOICE_FIELD_DISAGREES", "totalAmount")]
        agrees = await upload_xml(api, works.contractor, advance["id"], other, totalAmount=str(int(Decimal(advance["amount"]))))
        assert agrees["errors"] == []  # the rejected one's amount is free again


@pytest.mark.once
async def test_the_same_invoice_is_never_booked_on_two_contracts(api, state):
    supervisor_org, supervisor_token = await supervisor(api)
    with clock_kept(state):
        first = await in_force(api, state, supervisor_org, supervisor_token)
        a = await live_request(api, first.owner, first.contract["id"], 1)
        number, xml = invoice_xml(a, today(state), total="1000.00")
        assert (await upload_xml(api, first.contractor, a["id"], xml))["errors"] == []
    with clock_kept(state):  # another procurement from today, with parties of its own
        second = await in_force(api, state, supervisor_org, supervisor_token)
        b = await live_request(api, second.owner, second.contract["id"], 1)
        # The same number, the second contract's own parties and amount: still the same invoice.
        _, copy = invoice_xml(b, today(state), total="1000.00", number=number)
        refused = await upload_xml(api, second.contractor, b["id"], copy)
        assert codes(refused) == [("INVOICE_NUMBER_USED", "number")]
        assert (await requests_of(api, second.owner, second.contract["id"]))[0]["invoices"] == []
