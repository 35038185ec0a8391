"""Sealed bids (投标/响应), their receipts, and the opening (开标).

A bid's content (price, answers, documents) is sealed at submission to the tender's public
key: the service can seal but not read it until the opening unwraps the tender's private
key. The bidding organisation keeps its own copy under the service's data key, shown to it
alone. Each submission gets a receipt: the bid, the server's time and the SHA-256 of the
content, which the bidder can compare with the opened bid.

The deadline is judged by the server's clock at the moment the tender row is held: a
submission and the opening both lock it, so a bid racing the deadline is either in before
the opening with its receipt, or refused.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import delete, select

from models.accounts import Organisation
from models.base import FEN
from models.tendering import QUALIFICATION_GRADES, Bid, BidFile, BidReceipt, Qualification, Tender, TenderInvitation
from policies.subject import Actor as Subject
from resolvers.core.audit import canonical_json
from resolvers.core.clock import china_time, today_in_china
from resolvers.core.context import UnitOfWork
from resolvers.core.errors import Forbidden, Problem, UserErrors
from resolvers.core.i18n import Label
from resolvers.core.money import decimal_field
from resolvers.core.scoped import get_in_scope
from resolvers.core.validation import Checks
from resolvers.projects.service import Upload, check_upload
from resolvers.security.crypto import FieldCipher
from resolvers.security.keys import encrypted_column
from resolvers.security.storage import Storage
from resolvers.tendering import draw, events, scoring, sealing
from resolvers.tendering.service import (
    SELECTIVE_METHODS,
    TENDER_LIFECYCLE,
    get_tender,
    loads,
    move_project,
    require_owner,
    require_supplier,
    transition,
)

encrypted_column(Bid, "own_copy", "bids.own_copy", lambda row: own_copy_context(row.tender_id, row.organisation_id))

MAX_BID_FILES = 20  # one per required document (service.MAX_REQUIREMENTS)


def valid_bid(tender_id: int):
    """Bids of the tender that were opened and matched their receipts (and documents)."""
    return (Bid.tender_id == tender_id) & Bid.opened_at.is_not(None) & (Bid.opened_hash == Bid.receipt_hash)


def sealed_context(tender_id: int, organisation_id: int) -> str:
    return f"bids.sealed:{tender_id}:{organisation_id}"


def own_copy_context(tender_id: int, organisation_id: int) -> str:
    return f"bids.own_copy:{tender_id}:{organisation_id}"


# What a bidder may do to its bid, and the root mutation that does each.
BID_ACTIONS = {"replace": "submitBid", "withdraw": "withdrawBid"}


def bid_actions(actor: Subject, bid: Bid, tender: Tender | None, now: datetime) -> list[str]:
    """``replace`` and ``withdraw`` for the bidding organisation while its bid is in and bids
    are still taken, as ``submit_bid`` and ``withdraw_bid`` require; the gate is applied by
    the caller."""
    if tender is None or bid.organisation_id != actor.organisation_id or bid.status != "submitted":
        return []
    if tender.status != "published" or now >= tender.bid_deadline:
        return []
    return list(BID_ACTIONS)


@dataclass
class Answer:
    key: str
    answer: str | None


@dataclass
class BidDocument:
    key: str
    upload: Upload


@dataclass
class BidData:
    price: str | Decimal | None
    answers: list[Answer]
    documents: list[BidDocument]


# -- qualification -------------------------------------------------------------------


async def qualification_problem(uow: UnitOfWork, tender: Tender, organisation_id: int) -> Problem | None:
    """Why the organisation may not bid for want of the qualification the tender requires."""
    kind, grade = tender.required_qualification_kind, tender.required_qualification_grade
    if kind is None or grade is None:
        return None
    accepted = QUALIFICATION_GRADES[: QUALIFICATION_GRADES.index(grade) + 1]
    today = today_in_china(uow.now)
    held = (
        await uow.session.execute(
            select(Qualification.grade, Qualification.valid_until).where(
                Qualification.organisation_id == organisation_id, Qualification.kind == kind
            )
        )
    ).all()
    if any(g in accepted and until >= today for g, until in held):
        return None
    code = "QUALIFICATION_EXPIRED" if any(g in accepted for g, _ in held) else "QUALIFICATION_REQUIRED"
    return Problem(code, None, {"kind": Label("QualificationKind", kind), "grade": Label("QualificationGrade", grade)})


# -- submission ----------------------------------------------------------------------


def _check_content(uow: UnitOfWork, tender: Tender, data: BidData) -> tuple[Decimal | None, dict[str, str], list]:
    checks = Checks()
    price = decimal_field(checks, "price", data.price, FEN)
    if price is None and data.price is None:
        checks.add("REQUIRED", "price")
    elif price is not None and price <= 0:
        checks.add("PRICE_NOT_POSITIVE", "price")
    elif price is not None and price > tender.ceiling_price:
        checks.add("PRICE_OVER_CEILING", "price", ceiling=f"{tender.ceiling_price:,.2f}")
    items = {row["key"]: row["question"] for row in loads(tender.required_items)}
    answers: dict[str, str] = {}
    for i, answer in enumerate(data.answers):
        if answer.key not in items:
            checks.add("UNKNOWN_ITEM", f"answers.{i}.key", key=answer.key)
            continue
        if answer.key in answers:
            checks.add("DUPLICATE_KEY", f"answers.{i}.key", key=answer.key)
        text = checks.text(f"answers.{i}.answer", answer.answer, 5000)
        if text:
            answers[answer.key] = text
    for key, question in items.items():
        if key not in answers and not any(a.key == key for a in data.answers):
            checks.add("MISSING_ANSWER", "answers", item=question)
    required = {row["key"]: row["name"] for row in loads(tender.required_documents)}
    if len(data.documents) > MAX_BID_FILES:
        checks.add("TOO_MANY_FILES", "documents", max=MAX_BID_FILES)
    files = []
    given: set[str] = set()
    for i, document in enumerate(data.documents):
        if document.key not in required:
            checks.add("UNKNOWN_DOCUMENT", f"documents.{i}.key", key=document.key)
            continue
        if document.key in given:
            checks.add("DUPLICATE_KEY", f"documents.{i}.key", key=document.key)
        given.add(document.key)
        filename, media = check_upload(checks, f"documents.{i}.file", document.upload, uow.settings.upload_max_bytes)
        if media is not None:
            files.append((document.key, filename, media.mime, document.upload.data))
    for key, name in required.items():
        if key not in given:
            checks.add("MISSING_BID_DOCUMENT", "documents", document=name)
    checks.raise_if_any()
    return price, answers, files


async def submit_bid(uow: UnitOfWork, storage: Storage, tender_id: int, data: BidData) -> tuple[Bid, BidReceipt]:
    """Submit, or replace, the organisation's bid; returns it with its receipt."""
    actor = require_supplier(uow)
    tender = await get_tender(uow, tender_id, lock=True)
    now = uow.current_time()  # judged now that the tender row is held, not when the request began
    if tender.status != "published":
        raise UserErrors(Problem("TENDER_NOT_OPEN_FOR_BIDS", None, {"status": Label("TenderStatus", tender.status)}))
    if now >= tender.bid_deadline:
        raise UserErrors(Problem("BID_DEADLINE_PASSED", None, {"deadline": china_time(tender.bid_deadline)}))
    if tender.method in SELECTIVE_METHODS:
        invited = await uow.session.scalar(
            select(TenderInvitation.id).where(
                TenderInvitation.tender_id == tender.id, TenderInvitation.organisation_id == actor.organisation_id
            )
        )
        if invited is None:
            raise Forbidden("NOT_INVITED", operation=uow.operation)
    problem = await qualification_problem(uow, tender, actor.organisation_id)
    if problem is not None:
        raise UserErrors(problem)
    price, answers, files = _check_content(uow, tender, data)
    assert price is not None
    org = await uow.session.get(Organisation, actor.organisation_id)
    assert org is not None

    bid = (
        await uow.session.execute(select(Bid).where(Bid.tender_id == tender.id, Bid.organisation_id == org.id).with_for_update())
    ).scalar_one_or_none()
    kind = "submitted" if bid is None or bid.status == "withdrawn" else "replaced"
    if bid is None:
        bid = Bid(tender_id=tender.id, organisation_id=org.id, status="submitted", submissions=0, created_at=now)
        uow.session.add(bid)
        await uow.session.flush()
    else:
        # The replaced content's files go once the replacement has committed: their keys went
        # with the old sealed content, so nobody could read them again anyway.
        for key in (await uow.session.execute(select(BidFile.storage_key).where(BidFile.bid_id == bid.id))).scalars():
            uow.after_commit(functools.partial(storage.delete, key))
        await uow.session.execute(delete(BidFile).where(BidFile.bid_id == bid.id))

    documents, file_keys = [], {}
    for key, filename, media_type, raw in files:
        file_key, blob = sealing.seal_file(raw)
        storage_key, created = await storage.put(blob)
        if created:
            uow.on_rollback(functools.partial(storage.delete, storage_key))
        uow.session.add(BidFile(bid_id=bid.id, storage_key=storage_key, stored_bytes=len(blob), uploaded_at=now))
        sha = hashlib.sha256(raw).hexdigest()
        documents.append(
            {"key": key, "filename": filename, "media_type": media_type, "size": len(raw), "sha256": sha, "stored": storage_key}
        )
        file_keys[storage_key] = base64.b64encode(file_key).decode()

    bid.submissions += 1
    content = {
        "tender": tender.code,
        "bidder": org.uscc,
        "submission": bid.submissions,
        "price": f"{price:.2f}",
        "answers": answers,
        "documents": sorted(documents, key=lambda d: d["key"]),
    }
    receipt_hash = sealing.content_hash(content)
    envelope = canonical_json({"content": content, "file_keys": file_keys}).encode()
    assert tender.sealing_public_key is not None
    bid.sealed_content = sealing.seal(tender.sealing_public_key, envelope, sealed_context(tender.id, org.id))
    bid.own_copy = uow.cipher.encrypt(envelope.decode(), own_copy_context(tender.id, org.id))
    bid.receipt_hash = receipt_hash
    bid.status = "submitted"
    bid.submitted_at = now
    bid.submitted_by_id = actor.id
    bid.withdrawn_at = None
    bid.updated_at = now
    receipt = BidReceipt(bid_id=bid.id, sequence=bid.submissions, kind=kind, content_hash=receipt_hash, received_at=now)
    uow.session.add(receipt)
    await uow.session.flush()
    # The trail records that a bid came in and its receipt, never what it says.
    uow.audit(
        "Bid",
        bid.id,
        {"tender": tender.code, "receipt": receipt_hash, "submission": bid.submissions, "kind": kind},
        region_code=tender.region_code,
    )
    await events.bid_received(uow, tender, bid, receipt)
    return bid, receipt


async def withdraw_bid(uow: UnitOfWork, bid_id: int) -> Bid:
    actor = require_supplier(uow)
    bid = await get_in_scope(uow, Bid, bid_id)
    if bid.organisation_id != actor.organisation_id:
        raise Forbidden("NOT_YOUR_BID", operation=uow.operation)
    tender = await get_tender(uow, bid.tender_id, lock=True)
    await uow.session.refresh(bid, with_for_update=True)
    now = uow.current_time()
    if tender.status != "published":
        raise UserErrors(Problem("TENDER_NOT_OPEN_FOR_BIDS", None, {"status": Label("TenderStatus", tender.status)}))
    if now >= tender.bid_deadline:
        raise UserErrors(Problem("BID_DEADLINE_PASSED", None, {"deadline": china_time(tender.bid_deadline)}))
    if bid.status != "submitted":
        raise UserErrors(Problem("BID_NOT_SUBMITTED", None))
    bid.status, bid.withdrawn_at, bid.updated_at = "withdrawn", now, now
    bid.sealed_content = None  # a withdrawn bid is never opened
    bid.submissions += 1
    receipt = BidReceipt(bid_id=bid.id, sequence=bid.submissions, kind="withdrawn", content_hash=None, received_at=now)
    uow.session.add(receipt)
    await uow.session.flush()
    uow.audit(
        "Bid", bid.id, {"tender": tender.code, "status": {"before": "submitted", "after": "withdrawn"}}, region_code=tender.region_code
    )
    await events.bid_received(uow, tender, bid, receipt)
    return bid


def readable_envelope(cipher: FieldCipher, bid: Bid, *, own: bool) -> dict | None:
    """The bid's content and file keys as the viewer may read them: the opened ones, or
    (``own``: the viewer is of the bidding organisation) the bidder's own copy; else None."""
    if bid.opened_content:
        return json.loads(bid.opened_content)
    if own and bid.own_copy:
        return json.loads(cipher.decrypt(bid.own_copy, own_copy_context(bid.tender_id, bid.organisation_id)))
    return None


# -- opening -------------------------------------------------------------------------


async def _documents_intact(storage: Storage, envelope: dict) -> bool:
    """Whether every document of an opened bid decrypts and has the SHA-256 its content (and
    so its receipt) names: a stored file changed after submission makes the bid invalid."""
    keys = envelope.get("file_keys", {})
    for document in envelope["content"]["documents"]:
        key = keys.get(document["stored"])
        if key is None:
            return False
        try:
            data = sealing.open_file(base64.b64decode(key), await storage.get(document["stored"]))
        except (sealing.SealError, OSError, ValueError):
            return False
        if hashlib.sha256(data).hexdigest() != document["sha256"]:
            return False
    return True


async def open_tender(uow: UnitOfWork, storage: Storage, tender_id: int, seed: str | None) -> Tender:
    """Open the bids at or after the opening time: reveal the draw seed, unseal every
    submitted bid, check it and each of its documents against its receipt, and either fail
    the tender for too few valid bids or draw the committee."""
    from resolvers.tendering.evaluation import seat_committee

    tender = await get_tender(uow, tender_id, lock=True)
    require_owner(uow, tender)
    TENDER_LIFECYCLE.target("open", tender.status)
    now = uow.current_time()
    if now < tender.opening_time:
        raise UserErrors(Problem("OPENING_TIME_NOT_REACHED", None, {"opening_time": china_time(tender.opening_time)}))
    checks = Checks()
    seed = checks.text("seed", seed, 128)
    checks.raise_if_any()
    assert seed is not None
    if tender.draw_commitment is None or not draw.seed_matches(seed, tender.draw_commitment):
        raise UserErrors(Problem("DRAW_SEED_MISMATCH", "seed"))
    assert tender.sealing_private_key is not None
    private_key = sealing.unwrap_private_key(uow.cipher, tender.sealing_private_key, tender.id)
    bids = (
        (
            await uow.session.execute(
                select(Bid)
                .where(Bid.tender_id == tender.id, Bid.status == "submitted")
                .order_by(Bid.submitted_at, Bid.id)
                .with_for_update()
            )
        )
        .scalars()
        .all()
    )
    valid: list[Bid] = []
    for bid in bids:
        bid.opened_at, bid.status, bid.updated_at = now, "opened", now
        try:
            assert bid.sealed_content is not None
            envelope = json.loads(sealing.unseal(private_key, bid.sealed_content, sealed_context(tender.id, bid.organisation_id)))
            content = envelope["content"]
            opened_hash = sealing.content_hash(content)
        except (sealing.SealError, ValueError, KeyError, AssertionError):
            bid.status, bid.disqualification_reason = "disqualified", "UNREADABLE"
            continue
        bid.opened_content = canonical_json(envelope)
        bid.opened_hash = opened_hash
        bid.opened_price = Decimal(content["price"])
        if opened_hash != bid.receipt_hash:
            bid.status, bid.disqualification_reason = "disqualified", "RECEIPT_MISMATCH"
            continue
        if not await _documents_intact(storage, envelope):
            bid.status, bid.disqualification_reason = "disqualified", "DOCUMENT_MISMATCH"
            bid.opened_hash = None  # what was receipted is not what is stored
            continue
        valid.append(bid)
    tender.draw_seed = seed
    tender.opened_at = now
    tender.number_of_tenderers = len(valid)
    tender.signals = canonical_json(_signals(tender, bids, None))
    uow.audit(
        "Tender",
        tender.id,
        {
            "opening": [
                {
                    "bid": b.id,
                    "bidder": b.organisation_id,
                    "price": str(b.opened_price) if b.opened_price is not None else None,
                    "receipt": b.receipt_hash,
                    "valid": b in valid,
                }
                for b in bids
            ],
            "draw_seed": seed,
        },
        region_code=tender.region_code,
    )
    if len(valid) < tender.minimum_suppliers:
        reason = f"TOO_FEW_BIDS:{len(valid)}/{tender.minimum_suppliers}"
        tender.close_reason = reason
        await transition(uow, tender, "fail", reason)
        await move_project(uow, tender, "end_tendering", reason)
        await uow.session.flush()
        await events.failed(uow, tender, len(valid))
        return tender
    await transition(uow, tender, "open")
    await seat_committee(uow, tender, [b.receipt_hash or "" for b in valid], [b.organisation_id for b in valid])
    await uow.session.flush()
    await events.opened(uow, tender, len(valid))
    return tender


def _signals(tender: Tender, bids, winner_price: Decimal | None) -> dict:
    inputs = [
        scoring.BidInput(
            bid_id=b.id,
            price=b.opened_price,
            submitted_at=b.submitted_at,
            qualified=b.status not in ("disqualified",) and b.disqualification_reason is None,
        )
        for b in bids
        if b.opened_price is not None and b.submitted_at is not None
    ]
    assert tender.published_at is not None
    s = scoring.signals(
        bids=inputs, winner_price=winner_price, ceiling=tender.ceiling_price, published_at=tender.published_at, deadline=tender.bid_deadline
    )
    return {
        "bids": s.bids,
        "valid_bids": s.valid_bids,
        "single_valid_bid": s.single_valid_bid,
        "winning_share_of_ceiling": str(s.winning_share_of_ceiling) if s.winning_share_of_ceiling is not None else None,
        "response_days": s.response_days,
        "identical_prices": s.identical_prices,
        "disqualified": s.disqualified,
        "second_price_gap": str(s.second_price_gap) if s.second_price_gap is not None else None,
    }


def record_signals(tender: Tender, bids, winner_price: Decimal | None) -> None:
    tender.signals = canonical_json(_signals(tender, bids, winner_price))


def readable_file(cipher: FieldCipher, bid: Bid, stored: str, *, own: bool) -> tuple[dict, bytes] | None:
    """The metadata and file key of the bid's document stored as ``stored``, if the viewer
    may read the bid's content (``readable_envelope``)."""
    envelope = readable_envelope(cipher, bid, own=own)
    if envelope is None:
        return None
    meta = next((d for d in envelope["content"]["documents"] if d["stored"] == stored), None)
    key = envelope.get("file_keys", {}).get(stored)
    if meta is None or key is None:
        return None
    return meta, base64.b64decode(key)
