"""DataLoaders of the tendering domain."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from models.accounts import Organisation, User
from models.tendering import (
    AwardObjection,
    Bid,
    BidFile,
    BidReceipt,
    Clarification,
    CommitteeMember,
    EvaluationSheet,
    Qualification,
    Tender,
    TenderAmendment,
    TenderInvitation,
    TenderStatusChange,
    TenderTemplate,
)
from schema.core import loaders
from schema.core.loaders import KEYS, Batch, keys_in

loaders.by_id("tender", Tender)
loaders.by_id("tender_template", TenderTemplate)
loaders.by_id("bid", Bid)
loaders.by_id("bid_file", BidFile)
loaders.by_id("qualification", Qualification)
loaders.by_id("award_objection", AwardObjection)
loaders.by_id("clarification", Clarification)
loaders.children("bids_of_tender", Bid, Bid.tender_id, Bid.rank, Bid.submitted_at, Bid.id)
loaders.children("receipts_of_bid", BidReceipt, BidReceipt.bid_id, BidReceipt.sequence)
loaders.children("files_of_bid", BidFile, BidFile.bid_id, BidFile.id)
loaders.children("invitations_of_tender", TenderInvitation, TenderInvitation.tender_id, TenderInvitation.id)
loaders.children("clarifications_of_tender", Clarification, Clarification.tender_id, Clarification.asked_at, Clarification.id)
loaders.children("amendments_of_tender", TenderAmendment, TenderAmendment.tender_id, TenderAmendment.number)
loaders.children("committee_of_tender", CommitteeMember, CommitteeMember.tender_id, CommitteeMember.position)
loaders.children(
    "sheets_of_tender",
    EvaluationSheet,
    EvaluationSheet.tender_id,
    EvaluationSheet.evaluation_round,
    EvaluationSheet.user_id,
    EvaluationSheet.bid_id,
)
loaders.children("objections_of_tender", AwardObjection, AwardObjection.tender_id, AwardObjection.filed_at, AwardObjection.id)
loaders.children(
    "status_history_of_tender", TenderStatusChange, TenderStatusChange.tender_id, TenderStatusChange.occurred_at, TenderStatusChange.id
)
loaders.children("qualifications_of_organisation", Qualification, Qualification.organisation_id, Qualification.kind, Qualification.id)


def _counts(ctx: Any) -> Batch:
    """How many bids each tender holds (submitted and not withdrawn, or opened), whoever
    asks: a count reveals nothing of a bid, and its field shows it only after the deadline."""

    async def batch(tender_ids: list[Any]) -> list[Any]:
        stmt = (
            select(Bid.tender_id, func.count(Bid.id))
            .where(keys_in(ctx.db.dialect, Bid.tender_id), Bid.status != "withdrawn")
            .group_by(Bid.tender_id)
        )
        found = dict(await ctx.reads.all(stmt, {KEYS: [int(i) for i in tender_ids]}))
        return [found.get(int(i), 0) for i in tender_ids]

    return batch


def _names(model, column) -> Any:
    def factory(ctx: Any) -> Batch:
        """Display names by id, for rows whose own scope already decided they may be shown
        (a committee seat, a bidder of an opened tender)."""

        async def batch(ids: list[Any]) -> list[Any]:
            stmt = select(model.id, column).where(keys_in(ctx.db.dialect, model.id))
            found = dict(await ctx.reads.all(stmt, {KEYS: [int(i) for i in ids]}))
            return [found.get(int(i)) for i in ids]

        return batch

    return factory


loaders.register("bid_count_of_tender", _counts)
loaders.register("person_name", _names(User, User.display_name))
loaders.register("organisation_name", _names(Organisation, Organisation.name))


def _public_ranking(ctx: Any) -> Batch:
    """The ranking of tenders whose award is public (publicity or awarded), whoever asks:
    what an award notice shows."""

    async def batch(tender_ids: list[Any]) -> list[Any]:
        stmt = (
            select(Bid.tender_id, Bid.rank, Organisation.name, Bid.opened_price, Bid.total_score, Bid.status)
            .join(Organisation, Organisation.id == Bid.organisation_id)
            .join(Tender, Tender.id == Bid.tender_id)
            .where(keys_in(ctx.db.dialect, Bid.tender_id), Tender.status.in_(("publicity", "awarded")), Bid.opened_price.is_not(None))
            .order_by(Bid.tender_id, Bid.rank, Bid.id)
        )
        grouped: dict[int, list[dict]] = {}
        for tender_id, rank, name, price, score, status in await ctx.reads.all(stmt, {KEYS: [int(i) for i in tender_ids]}):
            grouped.setdefault(tender_id, []).append(
                {
                    "rank": rank,
                    "bidder_name": name,
                    "price": price,
                    "total_score": score,
                    "qualified": status in ("qualified", "won", "lost"),
                }
            )
        for rows in grouped.values():
            rows.sort(key=lambda r: (r["rank"] is None, r["rank"] or 0))
        return [grouped.get(int(i), []) for i in tender_ids]

    return batch


def _public_committee(ctx: Any) -> Batch:
    """The members who evaluated a tender whose award is public."""

    async def batch(tender_ids: list[Any]) -> list[Any]:
        stmt = (
            select(CommitteeMember.tender_id, User.display_name)
            .join(User, User.id == CommitteeMember.user_id)
            .join(Tender, Tender.id == CommitteeMember.tender_id)
            .where(
                keys_in(ctx.db.dialect, CommitteeMember.tender_id),
                Tender.status.in_(("publicity", "awarded")),
                CommitteeMember.status == "submitted",
            )
            .order_by(CommitteeMember.tender_id, CommitteeMember.position)
        )
        grouped: dict[int, list[str]] = {}
        for tender_id, name in await ctx.reads.all(stmt, {KEYS: [int(i) for i in tender_ids]}):
            grouped.setdefault(tender_id, []).append(name)
        return [grouped.get(int(i), []) for i in tender_ids]

    return batch


loaders.register("public_ranking_of_tender", _public_ranking)
loaders.register("public_committee_of_tender", _public_committee)


def _public_receipts(ctx: Any) -> Batch:
    """The receipt hashes of the valid bids of tenders whose award is public: with the seed
    and the pool, what anyone needs to recompute the committee."""

    async def batch(tender_ids: list[Any]) -> list[Any]:
        stmt = (
            select(Bid.tender_id, Bid.receipt_hash)
            .join(Tender, Tender.id == Bid.tender_id)
            .where(
                keys_in(ctx.db.dialect, Bid.tender_id),
                Tender.status.in_(("publicity", "awarded")),
                Bid.opened_at.is_not(None),
                Bid.opened_hash == Bid.receipt_hash,
            )
        )
        grouped: dict[int, list[str]] = {}
        for tender_id, receipt in await ctx.reads.all(stmt, {KEYS: [int(i) for i in tender_ids]}):
            grouped.setdefault(tender_id, []).append(receipt)
        return [sorted(grouped.get(int(i), [])) for i in tender_ids]

    return batch


loaders.register("public_receipts_of_tender", _public_receipts)
