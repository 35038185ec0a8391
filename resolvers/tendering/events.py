"""What a procurement tells whom (through the outbox). Recipients are decided when the
change happens; nothing here names a bid's price before the opening, nor who asked a
question, nor the committee to the bidders before the award publicity."""

from __future__ import annotations

from sqlalchemy import select

from models.accounts import Organisation, User, UserRole
from models.tendering import AwardObjection, Bid, BidReceipt, Clarification, CommitteeMember, Tender, TenderAmendment, TenderInvitation
from resolvers.core import outbox
from resolvers.core.clock import china_time
from resolvers.core.context import UnitOfWork


def _payload(tender: Tender, **extra) -> dict:
    return {
        "code": tender.code,
        "title": tender.title,
        "method": tender.method,
        "ceiling": f"{tender.ceiling_price:,.2f}",
        "deadline": china_time(tender.bid_deadline),
        "status": tender.status,
        **extra,
    }


def _record(
    uow: UnitOfWork, event_type: str, tender: Tender, recipients: list[int], subject: tuple[str, int] | None = None, **extra
) -> None:
    subject_type, subject_id = subject or ("Tender", tender.id)
    outbox.record(
        uow,
        event_type,
        subject_type,
        subject_id,
        _payload(tender, **extra),
        recipients,
        organisation_ids=[tender.owner_organisation_id],
        region_code=tender.region_code,
    )


async def _suppliers_of(uow: UnitOfWork, organisation_ids) -> list[int]:
    ids = sorted(set(organisation_ids))
    if not ids:
        return []
    return list(
        (
            await uow.session.execute(
                select(User.id)
                .join(UserRole, UserRole.user_id == User.id)
                .where(User.organisation_id.in_(ids), UserRole.role == "contractor", User.is_active.is_(True))
            )
        ).scalars()
    )


async def _owner_staff(uow: UnitOfWork, tender: Tender) -> list[int]:
    return await outbox.staff_of(uow, tender.owner_organisation_id, "owner_staff")


async def _bidders(uow: UnitOfWork, tender: Tender, opened_only: bool = False) -> list[int]:
    stmt = select(Bid.organisation_id).where(Bid.tender_id == tender.id)
    stmt = stmt.where(Bid.opened_at.is_not(None)) if opened_only else stmt.where(Bid.submitted_at.is_not(None))
    return await _suppliers_of(uow, (await uow.session.execute(stmt)).scalars())


async def participants(uow: UnitOfWork, tender: Tender) -> list[int]:
    """Everyone a change of the tender concerns on the supplier side: the invited, the
    bidders and those who asked; for a simple tender, every supplier of its region."""
    orgs = set(
        (await uow.session.execute(select(TenderInvitation.organisation_id).where(TenderInvitation.tender_id == tender.id))).scalars()
    )
    orgs |= set((await uow.session.execute(select(Bid.organisation_id).where(Bid.tender_id == tender.id))).scalars())
    orgs |= set(
        (await uow.session.execute(select(Clarification.asked_by_organisation_id).where(Clarification.tender_id == tender.id))).scalars()
    )
    users = set(await _suppliers_of(uow, orgs))
    if tender.method == "simple_tender":
        regional = await outbox.users_with_role_covering(uow, "contractor", tender.region_code)
        kinds = dict(
            (
                await uow.session.execute(
                    select(User.id, Organisation.kind)
                    .join(Organisation, Organisation.id == User.organisation_id)
                    .where(User.id.in_(regional))
                )
            ).all()
        )
        users |= {uid for uid in regional if kinds.get(uid) == "contractor"}
    return sorted(users)


async def published(uow: UnitOfWork, tender: Tender) -> None:
    _record(uow, "tender.published", tender, await participants(uow, tender))


async def amended(uow: UnitOfWork, tender: Tender, amendment: TenderAmendment) -> None:
    _record(
        uow,
        "tender.amended",
        tender,
        await participants(uow, tender),
        number=amendment.number,
        summary=amendment.summary,
        extended="yes" if amendment.deadline_after != amendment.deadline_before else "no",
    )


async def cancelled(uow: UnitOfWork, tender: Tender, reason: str) -> None:
    _record(uow, "tender.cancelled", tender, await participants(uow, tender), reason=reason)


async def question_asked(uow: UnitOfWork, tender: Tender, clarification: Clarification) -> None:
    _record(uow, "tender.question", tender, await _owner_staff(uow, tender), subject=("Clarification", clarification.id))


async def clarified(uow: UnitOfWork, tender: Tender, clarification: Clarification) -> None:
    """Published to every participant, without saying who asked."""
    _record(
        uow,
        "tender.clarified",
        tender,
        await participants(uow, tender),
        subject=("Clarification", clarification.id),
        question=clarification.question,
        answer=clarification.answer or "",
    )


async def bid_received(uow: UnitOfWork, tender: Tender, bid: Bid, receipt: BidReceipt) -> None:
    """The receipt, to the bidding organisation only."""
    _record(
        uow,
        {"withdrawn": "bid.withdrawn", "final_quote": "bid.final_quote_received"}.get(receipt.kind, "bid.received"),
        tender,
        await _suppliers_of(uow, [bid.organisation_id]),
        subject=("Bid", bid.id),
        receipt=receipt.content_hash or "",
        received_at=china_time(receipt.received_at),
    )


async def opened(uow: UnitOfWork, tender: Tender, valid: int) -> None:
    recipients = await _bidders(uow, tender, opened_only=True) + await _owner_staff(uow, tender)
    _record(uow, "tender.opened", tender, recipients, valid=valid)


async def failed(uow: UnitOfWork, tender: Tender, valid: int) -> None:
    recipients = await _bidders(uow, tender) + await _owner_staff(uow, tender)
    _record(uow, "tender.failed", tender, recipients, valid=valid, minimum=tender.minimum_suppliers)


async def committee_drawn(uow: UnitOfWork, tender: Tender, members: list[int]) -> None:
    _record(uow, "tender.committee", tender, members)


async def evaluated(uow: UnitOfWork, tender: Tender) -> None:
    _record(uow, "tender.evaluated", tender, await _owner_staff(uow, tender))


async def publicity_started(uow: UnitOfWork, tender: Tender) -> None:
    recipients = await _bidders(uow, tender, opened_only=True) + await _owner_staff(uow, tender)
    ends = china_time(tender.publicity_ends_at) if tender.publicity_ends_at else ""
    _record(uow, "tender.publicity", tender, recipients, ends=ends)


async def objection_filed(uow: UnitOfWork, tender: Tender, objection: AwardObjection) -> None:
    _record(uow, "tender.objection", tender, await _owner_staff(uow, tender), subject=("AwardObjection", objection.id), text=objection.text)


async def objection_answered(uow: UnitOfWork, tender: Tender, objection: AwardObjection) -> None:
    _record(
        uow,
        "tender.objection_answered",
        tender,
        await _suppliers_of(uow, [objection.organisation_id]),
        subject=("AwardObjection", objection.id),
        decision=objection.status,
        answer=objection.answer or "",
    )


async def awarded(uow: UnitOfWork, tender: Tender, winner: Bid) -> None:
    members = list(
        (
            await uow.session.execute(
                select(CommitteeMember.user_id).where(CommitteeMember.tender_id == tender.id, CommitteeMember.status == "submitted")
            )
        ).scalars()
    )
    recipients = await _bidders(uow, tender, opened_only=True) + await _owner_staff(uow, tender) + members
    name = (await uow.session.execute(select(Organisation.name).where(Organisation.id == winner.organisation_id))).scalar_one()
    _record(uow, "tender.awarded", tender, recipients, winner=name, value=f"{winner.opened_price:,.2f}")


async def final_quotes_requested(uow: UnitOfWork, tender: Tender, note: str) -> None:
    deadline = china_time(tender.final_quote_deadline) if tender.final_quote_deadline else ""
    _record(uow, "tender.final_quotes", tender, await _bidders(uow, tender, opened_only=True), final_deadline=deadline, note=note)


async def final_quotes_opened(uow: UnitOfWork, tender: Tender, received: int) -> None:
    recipients = await _bidders(uow, tender, opened_only=True) + await _owner_staff(uow, tender)
    _record(uow, "tender.final_quotes_opened", tender, recipients, received=received)
