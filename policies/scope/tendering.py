"""Who sees which tenders, bids and the rest of a procurement.

The rule that matters most: before its tender is opened, a bid is visible to its own
organisation only. Everyone else (owner staff, administrators, auditors, other bidders)
sees a bid row only once it has been opened (``Bid.opened_at`` set), and no column holds
its price or documents in clear before then anyway.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, or_, select

from models.accounts import User
from models.projects import Project
from models.tendering import (
    AwardObjection,
    Bid,
    BidFile,
    BidReceipt,
    Clarification,
    CommitteeMember,
    EvaluationSheet,
    ExpertRelationship,
    ExpertSpecialty,
    Qualification,
    Tender,
    TenderAmendment,
    TenderInvitation,
    TenderStatusChange,
    TenderTemplate,
)
from policies.scope import REGION_WIDE_ROLES, belonging, in_region, scope_of
from policies.scope.projects import PARTICIPATION, PROJECT_REVIEWING_ROLES
from policies.subject import Actor

# Roles that see a procurement from the buyer's or the supervisor's side (never as a bidder):
# the committee, the sheets, the invitations, open questions. Integrators' systems are third
# parties and read only what is public to the procurement's participants.
BUYER_SIDE_ROLES = (REGION_WIDE_ROLES | PROJECT_REVIEWING_ROLES | {"owner_staff"}) - {"integrator"}
# Committee members are shown to bidders from the award publicity on.
MEMBERS_PUBLIC_STATUSES = ("publicity", "awarded")


def person(column, actor: Actor) -> ColumnElement[bool]:
    """Rows of the signed-in person. An API client's id is not a user's: it matches nothing."""
    return column == actor.id if actor.kind == "user" else false()


def _takes_part(actor: Actor) -> ColumnElement[bool]:
    """Tenders the actor's organisation was invited to or bid on, and tenders the actor
    sits on the committee of."""
    conditions: list[ColumnElement[bool]] = []
    if "contractor" in actor.roles:
        conditions.append(
            Tender.id.in_(select(TenderInvitation.tender_id).where(TenderInvitation.organisation_id == actor.organisation_id))
        )
        conditions.append(Tender.id.in_(select(Bid.tender_id).where(Bid.organisation_id == actor.organisation_id)))
        # Simple tenders are open to every registered supplier of their region.
        conditions.append((Tender.method == "simple_tender") & in_region(Tender.region_code, actor, ("contractor",)))
    if "evaluator" in actor.roles:
        conditions.append(Tender.id.in_(select(CommitteeMember.tender_id).where(person(CommitteeMember.user_id, actor))))
    return (Tender.status != "draft") & or_(*conditions) if conditions else false()


@scope_of(Tender)
def tenders(actor: Actor) -> ColumnElement[bool]:
    """Owner staff see their organisation's tenders, drafts included; administrators and
    auditors every tender of their region; reviewers, finance and integrators the published
    ones of their region; contractors the tenders open to them; experts those they evaluate."""
    conditions = [_takes_part(actor)]
    if actor.roles & REGION_WIDE_ROLES:
        conditions.append(in_region(Tender.region_code, actor, REGION_WIDE_ROLES))
    if actor.roles & PROJECT_REVIEWING_ROLES:
        conditions.append(in_region(Tender.region_code, actor, PROJECT_REVIEWING_ROLES) & (Tender.status != "draft"))
    if "owner_staff" in actor.roles:
        conditions.append(Tender.owner_organisation_id == actor.organisation_id)
    return or_(*conditions)


def _visible_tenders(actor: Actor):
    return select(Tender.id).where(tenders(actor))


def buyer_side(actor: Actor) -> bool:
    """Whether the actor sees procurements from the buyer's or the supervisor's side."""
    return bool(actor.roles & BUYER_SIDE_ROLES)


def draw_revealed(actor: Actor | None, tender) -> bool:
    """Whether the actor may read a tender's drawn seed and pool, from which the committee
    follows: the buyer's side from the opening, everyone from the award publicity."""
    if tender.draw_seed is None:
        return False
    return tender.status in MEMBERS_PUBLIC_STATUSES or (actor is not None and buyer_side(actor))


def _projects_taken_part_in(actor: Actor) -> ColumnElement[bool]:
    if not actor.roles & {"contractor", "evaluator"}:
        return false()
    return Project.id.in_(select(Tender.project_id).where(_takes_part(actor)))


PARTICIPATION.append(_projects_taken_part_in)


@scope_of(Bid)
def bids(actor: Actor) -> ColumnElement[bool]:
    """Its own organisation's bids; any other bid only once opened, of a visible tender."""
    return or_(
        Bid.organisation_id == actor.organisation_id,
        Bid.opened_at.is_not(None) & Bid.tender_id.in_(_visible_tenders(actor)),
    )


def _of_visible_bid(column, actor: Actor) -> ColumnElement[bool]:
    return column.in_(select(Bid.id).where(bids(actor)))


@scope_of(BidReceipt)
def bid_receipts(actor: Actor) -> ColumnElement[bool]:
    return _of_visible_bid(BidReceipt.bid_id, actor)


@scope_of(BidFile)
def bid_files(actor: Actor) -> ColumnElement[bool]:
    return _of_visible_bid(BidFile.bid_id, actor)


@scope_of(TenderInvitation)
def tender_invitations(actor: Actor) -> ColumnElement[bool]:
    """The buyer's side sees whom a tender invited; a supplier only its own invitation (who
    else competes is not a supplier's business before the opening)."""
    own = TenderInvitation.organisation_id == actor.organisation_id
    if buyer_side(actor):
        return or_(own, TenderInvitation.tender_id.in_(_visible_tenders(actor)))
    return own


@scope_of(TenderStatusChange)
def tender_status_changes(actor: Actor) -> ColumnElement[bool]:
    return TenderStatusChange.tender_id.in_(_visible_tenders(actor))


@scope_of(TenderAmendment)
def tender_amendments(actor: Actor) -> ColumnElement[bool]:
    return TenderAmendment.tender_id.in_(_visible_tenders(actor))


@scope_of(Clarification)
def clarifications(actor: Actor) -> ColumnElement[bool]:
    """Answered questions are published to everyone who sees the tender; an open question
    only to its asker and the buyer's side."""
    visible = Clarification.tender_id.in_(_visible_tenders(actor))
    if buyer_side(actor):
        return visible
    return visible & ((Clarification.status == "answered") | (Clarification.asked_by_organisation_id == actor.organisation_id))


@scope_of(CommitteeMember)
def committee_members(actor: Actor) -> ColumnElement[bool]:
    """Members see their own seats; the buyer's side sees the committee; bidders only from
    the award publicity on."""
    conditions = [person(CommitteeMember.user_id, actor)]
    if buyer_side(actor):
        conditions.append(CommitteeMember.tender_id.in_(_visible_tenders(actor)))
    else:
        public = select(Tender.id).where(tenders(actor), Tender.status.in_(MEMBERS_PUBLIC_STATUSES))
        conditions.append(CommitteeMember.tender_id.in_(public))
    return or_(*conditions)


@scope_of(EvaluationSheet)
def evaluation_sheets(actor: Actor) -> ColumnElement[bool]:
    """An expert sees their own sheets, and the other members' only after submitting their
    own; the buyer's side sees them once the evaluation is complete. Bidders see scores
    through the ranking only."""
    own = person(EvaluationSheet.user_id, actor)
    submitted = select(CommitteeMember.tender_id).where(
        person(CommitteeMember.user_id, actor),
        CommitteeMember.status == "submitted",
        CommitteeMember.evaluation_round == EvaluationSheet.evaluation_round,
    )
    conditions = [own, EvaluationSheet.tender_id.in_(submitted)]
    if buyer_side(actor):
        complete = select(Tender.id).where(tenders(actor), Tender.evaluated_at.is_not(None))
        conditions.append(EvaluationSheet.tender_id.in_(complete))
    return or_(*conditions)


@scope_of(AwardObjection)
def award_objections(actor: Actor) -> ColumnElement[bool]:
    own = AwardObjection.organisation_id == actor.organisation_id
    if buyer_side(actor):
        return or_(own, AwardObjection.tender_id.in_(_visible_tenders(actor)))
    return own


@scope_of(TenderTemplate)
def tender_templates(actor: Actor) -> ColumnElement[bool]:
    return belonging(TenderTemplate.owner_organisation_id, actor)


@scope_of(Qualification)
def qualifications(actor: Actor) -> ColumnElement[bool]:
    """A contractor's own; the region's, for the buyer's side (to check a supplier)."""
    if buyer_side(actor):
        return belonging(Qualification.organisation_id, actor, BUYER_SIDE_ROLES)
    return Qualification.organisation_id == actor.organisation_id


def _own_or_region(column, actor: Actor) -> ColumnElement[bool]:
    """The actor's own rows; administrators and auditors those of their region's people."""
    return or_(person(column, actor), column.in_(select(User.id).where(belonging(User.organisation_id, actor))))


@scope_of(ExpertSpecialty)
def expert_specialties(actor: Actor) -> ColumnElement[bool]:
    return _own_or_region(ExpertSpecialty.user_id, actor)


@scope_of(ExpertRelationship)
def expert_relationships(actor: Actor) -> ColumnElement[bool]:
    return _own_or_region(ExpertRelationship.user_id, actor)
