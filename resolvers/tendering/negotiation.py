"""Competitive negotiation (竞争性谈判): after the opening, the owner asks every supplier with a
valid bid for its final quote (最后报价). Final quotes are sealed to the tender's key like the
bids, each with a receipt, readable by their bidder alone until they are opened together;
then the lowest qualified final quote wins. A supplier that sends none (or whose final quote
cannot be read as receipted) keeps its first quote, and a final quote may not exceed the first.
"""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select

from models.accounts import Organisation
from models.base import FEN
from models.tendering import Bid, BidReceipt, Tender
from resolvers.core.audit import canonical_json
from resolvers.core.clock import china_time
from resolvers.core.context import UnitOfWork
from resolvers.core.errors import Forbidden, Problem, UserErrors
from resolvers.core.i18n import Label
from resolvers.core.money import decimal_field
from resolvers.core.validation import Checks
from resolvers.security.keys import encrypted_column
from resolvers.tendering import events, sealing
from resolvers.tendering.bids import record_signals, valid_bid
from resolvers.tendering.service import get_tender, require_owner, require_supplier

NEGOTIATION = "competitive_negotiation"

encrypted_column(Bid, "final_own_copy", "bids.final_own_copy", lambda row: final_own_context(row.tender_id, row.organisation_id))


def final_sealed_context(tender_id: int, organisation_id: int) -> str:
    return f"bids.final:{tender_id}:{organisation_id}"


def final_own_context(tender_id: int, organisation_id: int) -> str:
    return f"bids.final_own:{tender_id}:{organisation_id}"


def _negotiating(tender: Tender) -> None:
    if tender.method != NEGOTIATION:
        raise UserErrors(Problem("NOT_A_NEGOTIATION", None, {"method": Label("TenderMethod", tender.method)}))
    if tender.status != "opened":
        raise UserErrors(Problem("TENDER_NOT_IN_EVALUATION", None, {"status": Label("TenderStatus", tender.status)}))


def valid_bid_condition(tender_id: int):
    """Valid bids not yet evaluated: those a final quote may replace the price of."""
    return valid_bid(tender_id) & (Bid.status == "opened")


async def request_final_quotes(uow: UnitOfWork, tender_id: int, deadline: datetime | None, note: str | None) -> Tender:
    tender = await get_tender(uow, tender_id, lock=True)
    require_owner(uow, tender)
    _negotiating(tender)
    if tender.final_quote_deadline is not None:
        raise UserErrors(Problem("FINAL_QUOTES_ALREADY_REQUESTED", None, {"deadline": china_time(tender.final_quote_deadline)}))
    checks = Checks()
    note = checks.text("note", note, 5000, required=False)
    if deadline is None:
        checks.add("REQUIRED", "deadline")
    elif deadline <= uow.current_time():
        checks.add("DEADLINE_IN_PAST", "deadline")
    checks.raise_if_any()
    assert deadline is not None
    tender.final_quote_deadline = deadline
    tender.updated_at = uow.now
    uow.audit("Tender", tender.id, {"final_quote_deadline": deadline, "note": note}, region_code=tender.region_code)
    await uow.session.flush()
    await events.final_quotes_requested(uow, tender, note or "")
    return tender


async def submit_final_quote(uow: UnitOfWork, tender_id: int, price) -> tuple[Bid, BidReceipt]:
    actor = require_supplier(uow)
    tender = await get_tender(uow, tender_id, lock=True)
    now = uow.current_time()  # judged once the tender row is held, as bids are
    _negotiating(tender)
    if tender.final_quote_deadline is None or tender.final_quotes_opened_at is not None:
        raise UserErrors(Problem("FINAL_QUOTES_NOT_OPEN", None))
    if now >= tender.final_quote_deadline:
        raise UserErrors(Problem("FINAL_QUOTE_DEADLINE_PASSED", None, {"deadline": china_time(tender.final_quote_deadline)}))
    bid = (
        await uow.session.execute(
            select(Bid).where(valid_bid_condition(tender.id), Bid.organisation_id == actor.organisation_id).with_for_update()
        )
    ).scalar_one_or_none()
    if bid is None:
        raise Forbidden("NOT_A_BIDDER", operation=uow.operation)
    checks = Checks()
    value = decimal_field(checks, "price", price, FEN)
    if value is not None and value <= 0:
        checks.add("PRICE_NOT_POSITIVE", "price")
    elif value is not None and bid.opened_price is not None and value > bid.opened_price:
        checks.add("FINAL_QUOTE_ABOVE_FIRST", "price", first=f"{bid.opened_price:,.2f}")
    checks.raise_if_any()
    assert value is not None
    org = await uow.session.get(Organisation, actor.organisation_id)
    assert org is not None and tender.sealing_public_key is not None
    sequence = (
        await uow.session.execute(select(BidReceipt.sequence).where(BidReceipt.bid_id == bid.id).order_by(BidReceipt.sequence.desc()))
    ).scalars().first() or 0
    content = {"tender": tender.code, "bidder": org.uscc, "final_price": f"{value:.2f}", "receipt": sequence + 1}
    receipt_hash = sealing.content_hash(content)
    text = canonical_json(content)
    bid.final_sealed = sealing.seal(tender.sealing_public_key, text.encode(), final_sealed_context(tender.id, org.id))
    bid.final_own_copy = uow.cipher.encrypt(text, final_own_context(tender.id, org.id))
    bid.final_receipt_hash = receipt_hash
    bid.final_submitted_at = now
    bid.updated_at = now
    receipt = BidReceipt(bid_id=bid.id, sequence=sequence + 1, kind="final_quote", content_hash=receipt_hash, received_at=now)
    uow.session.add(receipt)
    await uow.session.flush()
    uow.audit("Bid", bid.id, {"tender": tender.code, "final_quote_receipt": receipt_hash}, region_code=tender.region_code)
    await events.bid_received(uow, tender, bid, receipt)
    return bid, receipt


def own_final_quote(uow_cipher, bid) -> Decimal | None:
    """The bidder's own final quote, from its copy (shown to that organisation only)."""
    if not bid.final_own_copy:
        return None
    content = json.loads(uow_cipher.decrypt(bid.final_own_copy, final_own_context(bid.tender_id, bid.organisation_id)))
    return Decimal(content["final_price"])


async def open_final_quotes(uow: UnitOfWork, tender_id: int) -> Tender:
    """Open every final quote at once, after their deadline; each one that matches its
    receipt becomes the price the ranking uses."""
    tender = await get_tender(uow, tender_id, lock=True)
    require_owner(uow, tender)
    _negotiating(tender)
    now = uow.current_time()
    if tender.final_quote_deadline is None or tender.final_quotes_opened_at is not None:
        raise UserErrors(Problem("FINAL_QUOTES_NOT_OPEN", None))
    if now < tender.final_quote_deadline:
        raise UserErrors(Problem("FINAL_QUOTES_NOT_DUE", None, {"deadline": china_time(tender.final_quote_deadline)}))
    assert tender.sealing_private_key is not None
    private_key = sealing.unwrap_private_key(uow.cipher, tender.sealing_private_key, tender.id)
    bids = (await uow.session.execute(select(Bid).where(valid_bid_condition(tender.id)).order_by(Bid.id).with_for_update())).scalars().all()
    record: list[dict] = []
    for bid in bids:
        bid.first_price = bid.opened_price
        final = None
        if bid.final_sealed is not None:
            try:
                content = json.loads(sealing.unseal(private_key, bid.final_sealed, final_sealed_context(tender.id, bid.organisation_id)))
                if sealing.content_hash(content) != bid.final_receipt_hash:
                    raise ValueError("receipt")
                final = Decimal(content["final_price"])
            except (sealing.SealError, ValueError, KeyError):
                final = None  # unreadable or not what was receipted: the first quote stands, and the record says so
                record.append({"bid": bid.id, "first": str(bid.first_price), "final": None, "refused": "FINAL_QUOTE_MISMATCH"})
                continue
        if final is not None:
            bid.opened_price = final
        bid.updated_at = now
        record.append({"bid": bid.id, "first": str(bid.first_price), "final": str(final) if final is not None else None})
    tender.final_quotes_opened_at = now
    tender.updated_at = now
    record_signals(tender, bids, None)
    uow.audit("Tender", tender.id, {"final_quotes": record}, region_code=tender.region_code)
    await uow.session.flush()
    await events.final_quotes_opened(uow, tender, sum(1 for r in record if r["final"] is not None))
    return tender
