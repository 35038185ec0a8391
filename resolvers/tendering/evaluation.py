"""Evaluation (评标) and award (定标): the committee drawn from the seed, its score sheets,
the ranking, the award publicity (公示) with objections (质疑), and the award itself.

The committee is drawn at opening from the pool fixed at publication, in the order that
``draw`` derives from the revealed seed and the bids' receipts; anyone holding those can
recompute it. An expert who declines or must stand aside is replaced by the next in that
order, and each such step is recorded.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select, update

from models.accounts import Organisation, User
from models.base import FEN
from models.projects import PROJECT_CATEGORIES
from models.tendering import (
    RELATIONSHIPS,
    AwardObjection,
    Bid,
    CommitteeMember,
    EvaluationSheet,
    ExpertRelationship,
    ExpertSpecialty,
    Tender,
)
from resolvers.core.audit import canonical_json
from resolvers.core.clock import today_in_china
from resolvers.core.context import UnitOfWork
from resolvers.core.errors import Forbidden, Problem, UserErrors
from resolvers.core.i18n import Label
from resolvers.core.jobs import each_apart, scheduled
from resolvers.core.money import decimal_field
from resolvers.core.scoped import get_in_scope
from resolvers.core.validation import Checks
from resolvers.tendering import draw, events, scoring
from resolvers.tendering.bids import record_signals, valid_bid
from resolvers.tendering.service import (
    TENDER_LIFECYCLE,
    criteria_of,
    get_tender,
    loads,
    move_project,
    require_owner,
    require_supplier,
    transition,
)

MAX_SCORE = Decimal("100")
# Bids the committee evaluates: opened and matching their receipts.
EVALUATED_STATUSES = ("opened", "qualified", "disqualified")


RECUSAL_YEARS = 3


async def recused_among(uow: UnitOfWork, pool: list[int], bidders: list[int]) -> dict[int, str]:
    """Pool members who must stand aside: employed by a bidder, or with a declared
    relationship with one within the last three years."""
    if not pool or not bidders:
        return {}
    found: dict[int, str] = {}
    for uid, org in (await uow.session.execute(select(User.id, User.organisation_id).where(User.id.in_(pool)))).all():
        if org in bidders:
            found[uid] = "employee"
    today = today_in_china(uow.now)
    since = today.replace(year=today.year - RECUSAL_YEARS)
    rows = (
        await uow.session.execute(
            select(ExpertRelationship.user_id, ExpertRelationship.relationship, ExpertRelationship.ended_on).where(
                ExpertRelationship.user_id.in_(pool), ExpertRelationship.organisation_id.in_(bidders)
            )
        )
    ).all()
    for uid, relationship, ended in rows:
        if ended is None or ended >= since:
            found.setdefault(uid, relationship)
    return found


async def _valid_bids(uow: UnitOfWork, tender: Tender) -> list[Bid]:
    return list((await uow.session.execute(select(Bid).where(valid_bid(tender.id)).order_by(Bid.submitted_at, Bid.id))).scalars())


def _order(tender: Tender, receipts: list[str]) -> list[int]:
    assert tender.draw_seed is not None
    return draw.seeded_order(tender.draw_seed, receipts, json.loads(tender.draw_pool or "[]"))


async def seat_committee(uow: UnitOfWork, tender: Tender, receipts: list[str], bidders: list[int]) -> None:
    """Draw the committee at opening; members who must stand aside are recorded as recused."""
    assert tender.draw_seed is not None
    pool = json.loads(tender.draw_pool or "[]")
    recused = await recused_among(uow, pool, bidders)
    try:
        result = draw.draw_committee(tender.draw_seed, receipts, pool, tender.committee_size, recused=set(recused))
    except draw.PoolTooSmall as exc:
        raise UserErrors(Problem("EXPERT_POOL_EXHAUSTED", None, {"size": tender.committee_size, "available": exc.available})) from exc
    tender.evaluation_round = 1
    position = {uid: i for i, uid in enumerate(result.order, start=1)}
    for uid in result.committee:
        uow.session.add(
            CommitteeMember(tender_id=tender.id, user_id=uid, position=position[uid], status="drawn", drawn_at=uow.now, evaluation_round=1)
        )
    for uid, _why in result.skipped:
        uow.session.add(
            CommitteeMember(
                tender_id=tender.id,
                user_id=uid,
                position=position[uid],
                status="recused",
                reason=f"RELATIONSHIP:{recused.get(uid, 'other')}",
                drawn_at=uow.now,
                responded_at=uow.now,
                evaluation_round=1,
            )
        )
    await uow.session.flush()
    uow.audit(
        "Tender",
        tender.id,
        {"committee": result.committee, "skipped": [list(s) for s in result.skipped], "algorithm": draw.ALGORITHM},
        region_code=tender.region_code,
    )
    await events.committee_drawn(uow, tender, result.committee)


async def _seat(uow: UnitOfWork, tender: Tender) -> CommitteeMember:
    actor = uow.require_actor()
    member = (
        await uow.session.execute(
            select(CommitteeMember).where(CommitteeMember.tender_id == tender.id, CommitteeMember.user_id == actor.id).with_for_update()
        )
    ).scalar_one_or_none()
    if member is None:
        raise Forbidden("NOT_ON_COMMITTEE", operation=uow.operation)
    if member.status == "recused":
        raise Forbidden("RECUSED", operation=uow.operation)
    if member.status == "declined":
        raise UserErrors(Problem("EVALUATION_DECLINED", None))
    if tender.status != "opened":
        raise UserErrors(Problem("TENDER_NOT_IN_EVALUATION", None, {"status": Label("TenderStatus", tender.status)}))
    return member


async def _replace(uow: UnitOfWork, tender: Tender, leaving: CommitteeMember) -> CommitteeMember:
    """The next expert in the seeded order who holds no seat yet and need not stand aside."""
    valid = await _valid_bids(uow, tender)
    order = _order(tender, [b.receipt_hash or "" for b in valid])
    seated = set((await uow.session.execute(select(CommitteeMember.user_id).where(CommitteeMember.tender_id == tender.id))).scalars())
    recused = await recused_among(uow, [uid for uid in order if uid not in seated], [b.organisation_id for b in valid])
    for uid in order:
        if uid in seated:
            continue
        if uid in recused:
            uow.session.add(
                CommitteeMember(
                    tender_id=tender.id,
                    user_id=uid,
                    position=order.index(uid) + 1,
                    status="recused",
                    reason=f"RELATIONSHIP:{recused[uid]}",
                    drawn_at=uow.now,
                    responded_at=uow.now,
                    evaluation_round=tender.evaluation_round,
                )
            )
            continue
        member = CommitteeMember(
            tender_id=tender.id,
            user_id=uid,
            position=order.index(uid) + 1,
            status="drawn",
            drawn_at=uow.now,
            evaluation_round=tender.evaluation_round,
        )
        uow.session.add(member)
        await uow.session.flush()
        uow.audit(
            "CommitteeMember", member.id, {"tender": tender.code, "replaces": leaving.user_id, "user": uid}, region_code=tender.region_code
        )
        await events.committee_drawn(uow, tender, [uid])
        return member
    raise UserErrors(Problem("EXPERT_POOL_EXHAUSTED", None, {"size": tender.committee_size, "available": 0}))


async def _leave(uow: UnitOfWork, tender: Tender, member: CommitteeMember, status: str, reason: str) -> CommitteeMember:
    """The member leaves the committee (declined, or stood aside), recorded; the next expert
    in the seeded order takes the seat."""
    member.status, member.reason, member.responded_at = status, reason, uow.now
    changes = {"tender": tender.code, "status": {"before": "drawn", "after": status}, "reason": reason}
    uow.audit("CommitteeMember", member.id, changes, region_code=tender.region_code)
    await _replace(uow, tender, member)
    await uow.session.flush()
    return member


async def decline_evaluation(uow: UnitOfWork, tender_id: int, reason: str | None) -> CommitteeMember:
    tender = await get_tender(uow, tender_id, lock=True)
    member = await _seat(uow, tender)
    checks = Checks()
    reason = checks.text("reason", reason, 2000)
    checks.raise_if_any()
    if member.status != "drawn":
        raise UserErrors(Problem("EVALUATION_ALREADY_SUBMITTED", None))
    return await _leave(uow, tender, member, "declined", reason or "")


async def declare_conflict(uow: UnitOfWork, tender_id: int, organisation_id: int, relationship: str) -> CommitteeMember:
    """A member declares a relationship with a bidder: recorded, and the member stands aside."""
    tender = await get_tender(uow, tender_id, lock=True)
    member = await _seat(uow, tender)
    if relationship not in RELATIONSHIPS:
        raise UserErrors(Problem("INVALID_RELATIONSHIP", "relationship"))
    bidders = {b.organisation_id for b in await _valid_bids(uow, tender)}
    if organisation_id not in bidders:
        raise UserErrors(Problem("NOT_A_BIDDER", "organisationId"))
    if member.status != "drawn":
        raise UserErrors(Problem("EVALUATION_ALREADY_SUBMITTED", None))
    actor = uow.require_actor()
    uow.session.add(ExpertRelationship(user_id=actor.id, organisation_id=organisation_id, relationship=relationship, declared_at=uow.now))
    return await _leave(uow, tender, member, "recused", f"RELATIONSHIP:{relationship}")


@dataclass
class SheetData:
    bid_id: int
    qualified: bool
    reason: str | None
    scores: dict[str, str | Decimal]


async def submit_evaluation(uow: UnitOfWork, tender_id: int, sheets: list[SheetData]) -> CommitteeMember:
    """An evaluator's verdict on every valid bid, given once. The last member's submission
    completes the evaluation."""
    tender = await get_tender(uow, tender_id, lock=True)
    member = await _seat(uow, tender)
    actor = uow.require_actor()
    if tender.method == "competitive_negotiation" and tender.final_quotes_opened_at is None:
        raise UserErrors(Problem("FINAL_QUOTES_REQUIRED", None))
    if member.status == "submitted":
        raise UserErrors(Problem("EVALUATION_ALREADY_SUBMITTED", None))
    user = await uow.session.get(User, actor.id)
    valid = await _valid_bids(uow, tender)
    if user is not None and user.organisation_id in {b.organisation_id for b in valid}:
        raise Forbidden("RECUSED", operation=uow.operation)
    by_id = {b.id: b for b in valid}
    criteria = [c for c in criteria_of(loads(tender.criteria)) if c.kind == "quality"] if tender.method == "simple_tender" else []
    checks = Checks()
    seen: set[int] = set()
    parsed: list[tuple[int, bool, str | None, dict[str, str]]] = []
    for i, sheet in enumerate(sheets):
        if sheet.bid_id not in by_id:
            checks.add("UNKNOWN_BID", f"sheets.{i}.bidId")
            continue
        if sheet.bid_id in seen:
            checks.add("DUPLICATE_SHEET", f"sheets.{i}.bidId")
        seen.add(sheet.bid_id)
        reason = checks.text(f"sheets.{i}.reason", sheet.reason, 2000, required=not sheet.qualified)
        if not sheet.qualified and not reason:
            checks.problems[-1] = Problem("DISQUALIFICATION_REASON_REQUIRED", f"sheets.{i}.reason")
        scores: dict[str, str] = {}
        if sheet.qualified:
            for criterion in criteria:
                value = decimal_field(checks, f"sheets.{i}.scores.{criterion.key}", sheet.scores.get(criterion.key), FEN, MAX_SCORE)
                if criterion.key not in sheet.scores:
                    checks.add("MISSING_SCORE", f"sheets.{i}.scores", criterion=criterion.name)
                elif value is not None and not (0 <= value <= MAX_SCORE):
                    checks.add("SCORE_OUT_OF_RANGE", f"sheets.{i}.scores.{criterion.key}", max=MAX_SCORE)
                elif value is not None:
                    scores[criterion.key] = f"{value:.2f}"
            unknown = set(sheet.scores) - {c.key for c in criteria}
            for key in sorted(unknown):
                checks.add("UNKNOWN_CRITERION", f"sheets.{i}.scores", key=key)
        parsed.append((sheet.bid_id, sheet.qualified, reason if not sheet.qualified else None, scores))
    for bid in valid:
        if bid.id not in seen:
            checks.add("MISSING_SHEET", "sheets", bidder=await _bidder_name(uow, bid))
    checks.raise_if_any()
    for bid_id, qualified, reason, scores in parsed:
        uow.session.add(
            EvaluationSheet(
                tender_id=tender.id,
                evaluation_round=tender.evaluation_round,
                user_id=actor.id,
                bid_id=bid_id,
                qualified=qualified,
                reason=reason,
                scores=canonical_json(scores),
                submitted_at=uow.now,
            )
        )
    member.status, member.submitted_at = "submitted", uow.now
    await uow.session.flush()
    uow.audit(
        "CommitteeMember",
        member.id,
        {"tender": tender.code, "submitted": len(parsed), "round": tender.evaluation_round},
        region_code=tender.region_code,
    )
    waiting = (
        await uow.session.execute(
            select(func.count(CommitteeMember.id)).where(
                CommitteeMember.tender_id == tender.id,
                CommitteeMember.status == "drawn",
                CommitteeMember.evaluation_round == tender.evaluation_round,
            )
        )
    ).scalar_one()
    if waiting == 0:
        await _complete(uow, tender, valid)
    return member


async def _bidder_name(uow: UnitOfWork, bid: Bid) -> str:
    return (await uow.session.execute(select(Organisation.name).where(Organisation.id == bid.organisation_id))).scalar_one()


async def _complete(uow: UnitOfWork, tender: Tender, valid: list[Bid]) -> None:
    """Every member has submitted: qualification by majority, the ranking, the recommendation."""
    sheets = (
        (
            await uow.session.execute(
                select(EvaluationSheet).where(
                    EvaluationSheet.tender_id == tender.id, EvaluationSheet.evaluation_round == tender.evaluation_round
                )
            )
        )
        .scalars()
        .all()
    )
    votes: dict[int, list[EvaluationSheet]] = {}
    for sheet in sheets:
        votes.setdefault(sheet.bid_id, []).append(sheet)
    inputs, scores = [], {}
    for bid in valid:
        mine = votes.get(bid.id, [])
        qualified = sum(1 for s in mine if s.qualified) * 2 > len(mine)
        bid.status = "qualified" if qualified else "disqualified"
        bid.disqualification_reason = None if qualified else "；".join(s.reason or "" for s in mine if not s.qualified)
        assert bid.opened_price is not None and bid.submitted_at is not None
        inputs.append(scoring.BidInput(bid_id=bid.id, price=bid.opened_price, submitted_at=bid.submitted_at, qualified=qualified))
        if qualified:
            for sheet in mine:
                for key, value in json.loads(sheet.scores).items():
                    scores[(sheet.user_id, bid.id, key)] = Decimal(value)
    ranked = scoring.rank(tender.method, inputs, criteria_of(loads(tender.criteria)), scores)
    by_id = {b.id: b for b in valid}
    for r in ranked:
        bid = by_id[r.bid_id]
        bid.rank, bid.total_score = r.rank, r.total
        bid.score_parts = canonical_json(
            [
                {"criterion": p.criterion, "kind": p.kind, "weight": str(p.weight), "score": str(p.score), "detail": p.detail}
                for p in r.parts
            ]
        )
    winner = next((r for r in ranked if r.rank == 1), None)
    record_signals(tender, valid, winner.price if winner else None)
    tender.evaluated_at = uow.now
    if winner is None:
        tender.close_reason = "ALL_DISQUALIFIED"
        await transition(uow, tender, "fail", "ALL_DISQUALIFIED")
        await move_project(uow, tender, "end_tendering", "ALL_DISQUALIFIED")
        await uow.session.flush()
        await events.failed(uow, tender, 0)
        return
    tender.recommended_bid_id = winner.bid_id
    await transition(uow, tender, "complete_evaluation")
    await uow.session.flush()
    await events.evaluated(uow, tender)


# -- publicity, objections, award -------------------------------------------------------


async def start_publicity(uow: UnitOfWork, tender_id: int) -> Tender:
    tender = await get_tender(uow, tender_id, lock=True)
    require_owner(uow, tender)
    TENDER_LIFECYCLE.target("start_publicity", tender.status)
    tender.publicity_started_at = uow.now
    tender.publicity_ends_at = uow.now + timedelta(days=tender.publicity_days)
    await transition(uow, tender, "start_publicity")
    await uow.session.flush()
    await events.publicity_started(uow, tender)
    return tender


async def file_objection(uow: UnitOfWork, tender_id: int, text: str | None) -> AwardObjection:
    actor = require_supplier(uow)
    tender = await get_tender(uow, tender_id, lock=True)
    checks = Checks()
    text = checks.text("text", text, 5000)
    checks.raise_if_any()
    bid = await uow.session.scalar(
        select(Bid.id).where(Bid.tender_id == tender.id, Bid.organisation_id == actor.organisation_id, Bid.opened_at.is_not(None))
    )
    if bid is None:
        raise Forbidden("NOT_A_BIDDER", operation=uow.operation)
    if tender.status != "publicity" or tender.publicity_ends_at is None or uow.current_time() >= tender.publicity_ends_at:
        raise UserErrors(Problem("NOT_IN_PUBLICITY", None, {"status": Label("TenderStatus", tender.status)}))
    objection = AwardObjection(tender_id=tender.id, organisation_id=actor.organisation_id, text=text, status="open", filed_at=uow.now)
    uow.session.add(objection)
    await uow.session.flush()
    uow.audit("AwardObjection", objection.id, {"tender": tender.code, "text": text}, region_code=tender.region_code)
    await events.objection_filed(uow, tender, objection)
    return objection


async def answer_objection(uow: UnitOfWork, objection_id: int, uphold: bool, answer: str | None) -> AwardObjection:
    """Dismissed: the publicity continues. Upheld: the tender goes back to evaluation, and
    the committee evaluates again in a new round."""
    objection = await get_in_scope(uow, AwardObjection, objection_id, lock=True)
    tender = await get_tender(uow, objection.tender_id, lock=True)
    require_owner(uow, tender)
    checks = Checks()
    answer = checks.text("answer", answer, 5000)
    checks.raise_if_any()
    if objection.status != "open":
        raise UserErrors(Problem("OBJECTION_ALREADY_ANSWERED", None))
    objection.status = "upheld" if uphold else "dismissed"
    objection.answer, objection.answered_at, objection.answered_by_id = answer, uow.now, uow.require_actor().id
    uow.audit("AwardObjection", objection.id, {"decision": objection.status, "answer": answer}, region_code=tender.region_code)
    if uphold and tender.status == "publicity":
        await _reevaluate(uow, tender, answer or "")
    await uow.session.flush()
    await events.objection_answered(uow, tender, objection)
    return objection


async def _reevaluate(uow: UnitOfWork, tender: Tender, reason: str) -> None:
    tender.evaluation_round += 1
    tender.recommended_bid_id = None
    tender.evaluated_at = None
    tender.publicity_started_at = tender.publicity_ends_at = None
    await uow.session.execute(
        update(CommitteeMember)
        .where(CommitteeMember.tender_id == tender.id, CommitteeMember.status == "submitted")
        .values(status="drawn", submitted_at=None, evaluation_round=tender.evaluation_round)
        .execution_options(synchronize_session="fetch")
    )
    await uow.session.execute(
        update(Bid)
        .where(valid_bid(tender.id), Bid.status.in_(EVALUATED_STATUSES))
        .values(status="opened", rank=None, total_score=None, score_parts=None, disqualification_reason=None)
        .execution_options(synchronize_session="fetch")
    )
    await transition(uow, tender, "reevaluate", reason)
    members = (
        (
            await uow.session.execute(
                select(CommitteeMember.user_id).where(CommitteeMember.tender_id == tender.id, CommitteeMember.status == "drawn")
            )
        )
        .scalars()
        .all()
    )
    await events.committee_drawn(uow, tender, list(members))


async def award(uow: UnitOfWork, tender: Tender) -> None:
    bids = (await uow.session.execute(select(Bid).where(Bid.tender_id == tender.id, Bid.opened_at.is_not(None)))).scalars().all()
    winner = next(b for b in bids if b.id == tender.recommended_bid_id)
    for bid in bids:
        if bid.id == winner.id:
            bid.status = "won"
        elif bid.status == "qualified":
            bid.status = "lost"
        bid.updated_at = uow.now
    tender.awarded_at = uow.now
    tender.award_value = winner.opened_price
    await transition(uow, tender, "award")
    await uow.session.flush()
    await events.awarded(uow, tender, winner)


@scheduled
async def award_after_publicity(uow: UnitOfWork, today: date) -> int:
    """Award every tender whose publicity has ended with no objection open; one that fails
    is left in publicity, logged, and tried again at the next run."""
    open_objections = select(AwardObjection.id).where(AwardObjection.tender_id == Tender.id, AwardObjection.status == "open").exists()
    due = (
        (
            await uow.session.execute(
                select(Tender)
                .where(Tender.status == "publicity", Tender.publicity_ends_at <= uow.now, ~open_objections)
                .order_by(Tender.id)
                .with_for_update()
            )
        )
        .scalars()
        .all()
    )
    return await each_apart(uow, due, lambda tender: award(uow, tender), "awarding a tender after its publicity")


# -- the expert register -------------------------------------------------------------


async def set_specialties(uow: UnitOfWork, user_id: int, categories: list[str]) -> User:
    user = await get_in_scope(uow, User, user_id, in_own_region=False)
    checks = Checks()
    for i, category in enumerate(categories):
        if category not in PROJECT_CATEGORIES:
            checks.add("INVALID_CATEGORY", f"categories.{i}")
    checks.raise_if_any()
    existing = (await uow.session.execute(select(ExpertSpecialty).where(ExpertSpecialty.user_id == user.id))).scalars().all()
    wanted = sorted(set(categories))
    for row in existing:
        if row.category not in wanted:
            await uow.session.delete(row)
    have = {row.category for row in existing}
    for category in wanted:
        if category not in have:
            uow.session.add(ExpertSpecialty(user_id=user.id, category=category))
    await uow.session.flush()
    uow.audit("User", user.id, {"specialties": {"before": sorted(have), "after": wanted}})
    return user


async def declare_relationship(uow: UnitOfWork, organisation_id: int, relationship: str, ended_on: date | None) -> ExpertRelationship:
    actor = uow.require_actor()
    if not actor.has_role("evaluator"):
        raise Forbidden(operation=uow.operation)
    if relationship not in RELATIONSHIPS:
        raise UserErrors(Problem("INVALID_RELATIONSHIP", "relationship"))
    org = await uow.session.get(Organisation, organisation_id)
    if org is None:
        raise UserErrors(Problem("UNKNOWN_ORGANISATION", "organisationId"))
    row = ExpertRelationship(user_id=actor.id, organisation_id=org.id, relationship=relationship, ended_on=ended_on, declared_at=uow.now)
    uow.session.add(row)
    await uow.session.flush()
    uow.audit("ExpertRelationship", row.id, {"organisation": org.id, "relationship": relationship, "ended_on": ended_on})
    return row
