"""Payments under concurrency, on the databases that run transactions side by side
(PostgreSQL, MariaDB; SQLite runs one writer at a time): fifty approvals and payments fired
at once against one contract, and fifty uploads of the same invoice at once. Every answer is
a result or a user error, and the invariants hold: one decision per step, one payment per
term, no more approved and paid than the contract's amount, one booking per invoice."""

from __future__ import annotations

import asyncio
import random
from datetime import timedelta
from decimal import Decimal

import pytest
from conftest import BACKEND
from factories import multipart
from payment_flows import (
    APPROVE,
    PAY,
    UPLOAD,
    accept,
    act,
    clock_kept,
    in_force,
    invoice_xml,
    live_request,
    move_to,
    noon,
    supervisor,
    today,
    upload_xml,
)
from sqlalchemy import text

pytestmark = pytest.mark.skipif(BACKEND == "sqlite", reason="SQLite runs one writing transaction at a time")

PAYER, PAYEE = "3205830100000012345", "6222020100012345678"


async def test_fifty_approvals_and_payments_at_once_keep_every_invariant(api, state):
    supervisor_org, supervisor_token = await supervisor(api)
    finance = await api.token("finance")
    with clock_kept(state):
        works = await in_force(api, state, supervisor_org, supervisor_token)
        c = works.contract
        move_to(state, noon(today(state) + timedelta(days=20)))
        await accept(api, works, c["milestones"][0])
        # The advance waits at finance's step with its invoice; the progress payment is approved.
        advance = await live_request(api, works.owner, c["id"], 1)
        progress = await live_request(api, works.owner, c["id"], 2)
        for request in (advance, progress):
            await act(api, APPROVE, "approvePaymentRequest", works.owner, id=request["id"])
            _, xml = invoice_xml(request, today(state))
            assert (await upload_xml(api, works.contractor, request["id"], xml))["errors"] == []
        assert (await act(api, APPROVE, "approvePaymentRequest", finance, id=progress["id"]))["request"]["status"] == "APPROVED"

        rng = random.Random(20261127)
        day = today(state).isoformat()

        def payment(i: int) -> dict:
            amount = Decimal(rng.randrange(3000_00, 8000_00)) / 100
            values = {"id": progress["id"], "paidOn": day, "amount": f"{amount}", "bankReference": f"KS{i:06d}"}
            return {**values, "payerAccount": PAYER, "payeeAccount": PAYEE, "differenceReason": "按结算审核金额支付。"}

        calls = [api.gql(APPROVE, {"input": {"id": advance["id"], "comment": f"第{i}次"}}, token=finance) for i in range(25)]
        calls += [api.gql(PAY, {"input": payment(i)}, token=finance) for i in range(25)]
        order = list(range(50))
        rng.shuffle(order)
        bodies = await asyncio.gather(*(calls[i] for i in order))

        assert all(not b.get("errors") for b in bodies), [b["errors"] for b in bodies if b.get("errors")][:3]
        payloads = [next(iter(b["data"].values())) for b in bodies]
        succeeded = [p for p in payloads if not p["errors"]]
        refused = {e["code"] for p in payloads for e in p["errors"]}
        assert refused <= {"INVALID_TRANSITION", "OVER_CONTRACT_AMOUNT"}, refused
        assert 1 <= len(succeeded) <= 2  # the approval, and the payment unless every amount was over

    async with state.db.read() as session:
        contract_id = int(
            (await session.execute(text("SELECT contract_id FROM payment_requests WHERE code = :c"), {"c": advance["code"]})).scalar_one()
        )
        steps = (
            await session.execute(
                text(
                    "SELECT step, COUNT(*) FROM payment_approvals WHERE request_id = (SELECT id FROM payment_requests WHERE code = :c) GROUP BY step"
                ),
                {"c": advance["code"]},
            )
        ).all()
        decided = dict(steps)
        assert decided[0] == 1 and decided.get(1, 0) <= 1  # one decision per step at most
        rows = (
            await session.execute(
                text("SELECT status, amount, paid_amount, term_id FROM payment_requests WHERE contract_id = :id"), {"id": contract_id}
            )
        ).all()
        amount = (await session.execute(text("SELECT amount FROM contracts WHERE id = :id"), {"id": contract_id})).scalar_one()
        advance_status = (
            await session.execute(text("SELECT status FROM payment_requests WHERE code = :c"), {"c": advance["code"]})
        ).scalar_one()
        paid_terms = (
            await session.execute(
                text("SELECT COUNT(*) FROM payment_terms WHERE contract_id = :id AND status = 'paid'"), {"id": contract_id}
            )
        ).scalar_one()
    committed = sum(int(p) if s == "paid" else int(a) if s == "approved" else 0 for s, a, p, _ in rows)
    # Finance's approval of the advance went through unless a payment that came first left too
    # little of the contract for it (then every approval was refused as over the amount).
    assert (advance_status == "approved") == (decided.get(1, 0) == 1)
    assert committed <= int(amount)  # integer fen on every backend
    assert sum(1 for s, *_ in rows if s == "paid") == paid_terms <= 1
    assert len({t for s, _, _, t in rows if s in ("pending", "approved", "paid")}) == len(
        [r for r in rows if r[0] in ("pending", "approved", "paid")]
    )


async def test_fifty_uploads_of_one_invoice_at_once_book_it_once(api, state):
    supervisor_org, supervisor_token = await supervisor(api)
    with clock_kept(state):
        works = await in_force(api, state, supervisor_org, supervisor_token)
        advance = await live_request(api, works.owner, works.contract["id"], 1)
        number, xml = invoice_xml(advance, today(state), total="100.00")
        bodies = await asyncio.gather(
            *(
                multipart(api.client, works.contractor, UPLOAD, {"requestId": advance["id"]}, f"发票{i}.xml", xml, "application/xml")
                for i in range(50)
            )
        )
    assert all(not b.get("errors") for b in bodies), [b["errors"] for b in bodies if b.get("errors")][:3]
    payloads = [b["data"]["uploadInvoice"] for b in bodies]
    assert sum(1 for p in payloads if not p["errors"]) == 1
    assert all([e["code"] for e in p["errors"]] == ["INVOICE_NUMBER_USED"] for p in payloads if p["errors"])
    async with state.db.read() as session:
        booked = (await session.execute(text("SELECT COUNT(*) FROM invoices WHERE number = :n"), {"n": number})).scalar_one()
    assert booked == 1
