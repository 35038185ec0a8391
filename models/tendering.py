"""Tendering and bidding (招标采购): templates, tenders, invitations, clarifications, sealed
bids and their receipts, the evaluation committee and its score sheets, award objections,
and the contractors' qualifications (资质).

Sealed columns hold ciphertext only. A bid's price and documents are readable in clear
from the moment its tender is opened, when the opening copies them into the ``opened_*``
columns; before that no column holds them in clear.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
    inspect,
    select,
    update,
)
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, BigId, Money, ScaledDecimal, StatusHistory, UTCDateTime, one_of, utcnow
from models.projects import Project

METHODS = ("rfq", "competitive_negotiation", "simple_tender")
TENDER_STATUSES = ("draft", "published", "opened", "evaluated", "publicity", "awarded", "failed", "cancelled")
# A project has at most one tender in these statuses (a failed or cancelled round may be followed).
ACTIVE_TENDER_STATUSES = ("draft", "published", "opened", "evaluated", "publicity", "awarded")
BID_STATUSES = ("submitted", "withdrawn", "opened", "qualified", "disqualified", "won", "lost")
CLARIFICATION_STATUSES = ("open", "answered")
MEMBER_STATUSES = ("drawn", "declined", "recused", "submitted")
OBJECTION_STATUSES = ("open", "upheld", "dismissed")
CRITERION_KINDS = ("price", "quality")
QUALIFICATION_KINDS = (
    "municipal_works",
    "building_works",
    "landscaping",
    "decoration",
    "water_conservancy",
    "electrical",
)
# From highest to lowest: a tender asking for a grade accepts it and every higher one.
QUALIFICATION_GRADES = ("special", "first", "second", "third")
RELATIONSHIPS = ("employee", "director", "shareholder", "relative", "other")


class Score(ScaledDecimal):
    """A score exact to two decimals (0.00–100.00), stored as an integer of hundredths."""

    cache_ok = True
    exponent = Decimal("0.01")
    what = "score"


class TenderTemplate(Base):
    """One version of a template. Editing a template adds a version; tenders keep the
    version they were made from."""

    __tablename__ = "tender_templates"
    __table_args__ = (
        UniqueConstraint("family_id", "version", name="uq_tender_templates_version"),
        CheckConstraint(one_of("method", METHODS), name="method"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    # The first version's id; every version of one template shares it.
    family_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    is_latest: Mapped[bool] = mapped_column(Boolean, default=True)
    owner_organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="RESTRICT"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    method: Mapped[str] = mapped_column(String(30))
    # JSON: [{"key", "name"}] documents a bid must carry; [{"key", "question"}] items it answers;
    # [{"key", "name", "kind", "weight"}] scoring criteria.
    required_documents: Mapped[str] = mapped_column(Text, default="[]")
    required_items: Mapped[str] = mapped_column(Text, default="[]")
    criteria: Mapped[str] = mapped_column(Text, default="[]")
    notice_text: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Tender(Base):
    __tablename__ = "tenders"
    __table_args__ = (
        CheckConstraint(one_of("method", METHODS), name="method"),
        CheckConstraint(one_of("status", TENDER_STATUSES), name="status"),
        CheckConstraint("ceiling_price > 0", name="ceiling_positive"),
        CheckConstraint("opening_time >= bid_deadline", name="opening_after_deadline"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="RESTRICT"), index=True)
    # The project's id while this tender is its active one, else NULL: the unique constraint
    # lets a project have one active tender at a time on every backend (NULLs never clash).
    active_for_project: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    round: Mapped[int] = mapped_column(Integer, default=1)
    owner_organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="RESTRICT"), index=True)
    region_code: Mapped[str] = mapped_column(String(6), index=True)
    template_id: Mapped[int | None] = mapped_column(ForeignKey("tender_templates.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(200))
    method: Mapped[str] = mapped_column(String(30))
    status: Mapped[str] = mapped_column(String(20), index=True, default="draft")
    ceiling_price: Mapped[Decimal] = mapped_column(Money)
    bid_deadline: Mapped[datetime] = mapped_column(UTCDateTime)
    opening_time: Mapped[datetime] = mapped_column(UTCDateTime)
    clarification_deadline: Mapped[datetime] = mapped_column(UTCDateTime)
    required_documents: Mapped[str] = mapped_column(Text, default="[]")
    required_items: Mapped[str] = mapped_column(Text, default="[]")
    criteria: Mapped[str] = mapped_column(Text, default="[]")
    notice_text: Mapped[str] = mapped_column(Text, default="")
    required_qualification_kind: Mapped[str | None] = mapped_column(String(30))
    required_qualification_grade: Mapped[str | None] = mapped_column(String(20))
    minimum_suppliers: Mapped[int] = mapped_column(Integer, default=3)
    committee_size: Mapped[int] = mapped_column(Integer, default=3)
    publicity_days: Mapped[int] = mapped_column(Integer, default=3)
    # Sealing: the public key bids are sealed to, and the private key wrapped by the
    # service's data key, unwrapped only to open the tender.
    sealing_public_key: Mapped[str | None] = mapped_column(String(64))
    sealing_private_key: Mapped[str | None] = mapped_column(Text, info={"sensitive": True})
    # The committee draw: the owner's commitment (SHA-256 of a secret seed) and the expert
    # pool, both fixed at publication; the seed, revealed at opening.
    draw_commitment: Mapped[str | None] = mapped_column(String(64))
    draw_pool: Mapped[str | None] = mapped_column(Text)
    draw_seed: Mapped[str | None] = mapped_column(String(128))
    evaluation_round: Mapped[int] = mapped_column(Integer, default=0)
    # Competitive negotiation: the deadline of the final quotes (最后报价) and their opening.
    final_quote_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime)
    final_quotes_opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    documents_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deadline_extensions: Mapped[int] = mapped_column(Integer, default=0)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    evaluated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    publicity_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    publicity_ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    awarded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    close_reason: Mapped[str | None] = mapped_column(Text)
    number_of_tenderers: Mapped[int | None] = mapped_column(Integer)
    recommended_bid_id: Mapped[int | None] = mapped_column(BigInteger)
    award_value: Mapped[Decimal | None] = mapped_column(Money)
    # Red-flag signals (JSON) recorded at opening and evaluation, for supervision.
    signals: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


@event.listens_for(Tender, "after_insert")
@event.listens_for(Tender, "after_update")
def _keep_project_method(mapper: Any, connection: Any, tender: Tender) -> None:
    """A tender created, or its method changed, sets its project's ``tender_method`` to the
    method of the project's latest tender, in the same flush."""
    if not inspect(tender).attrs.method.history.added:
        return
    latest = select(Tender.method).where(Tender.project_id == tender.project_id).order_by(Tender.id.desc()).limit(1).scalar_subquery()
    connection.execute(update(Project).where(Project.id == tender.project_id).values(tender_method=latest))


class TenderInvitation(Base):
    __tablename__ = "tender_invitations"
    __table_args__ = (UniqueConstraint("tender_id", "organisation_id", name="uq_tender_invitations_supplier"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    tender_id: Mapped[int] = mapped_column(ForeignKey("tenders.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="RESTRICT"), index=True)
    invited_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class TenderStatusChange(StatusHistory, Base):
    __tablename__ = "tender_status_changes"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    tender_id: Mapped[int] = mapped_column(ForeignKey("tenders.id", ondelete="CASCADE"), index=True)


class TenderAmendment(Base):
    """A change to a published tender's documents, and the deadline it led to."""

    __tablename__ = "tender_amendments"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    tender_id: Mapped[int] = mapped_column(ForeignKey("tenders.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    summary: Mapped[str] = mapped_column(Text)
    changed: Mapped[str] = mapped_column(Text, default="[]")
    deadline_before: Mapped[datetime] = mapped_column(UTCDateTime)
    deadline_after: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Clarification(Base):
    """A supplier's question and the owner's answer. Who asked is kept for the record and
    shown to nobody but the asker's organisation."""

    __tablename__ = "tender_clarifications"
    __table_args__ = (CheckConstraint(one_of("status", CLARIFICATION_STATUSES), name="status"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    tender_id: Mapped[int] = mapped_column(ForeignKey("tenders.id", ondelete="CASCADE"), index=True)
    asked_by_organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="RESTRICT"), index=True)
    question: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="open")
    answer: Mapped[str | None] = mapped_column(Text)
    asked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Bid(Base):
    """One organisation's response to one tender; replacing it keeps the row and adds a receipt."""

    __tablename__ = "bids"
    __table_args__ = (
        UniqueConstraint("tender_id", "organisation_id", name="uq_bids_bidder"),
        CheckConstraint(one_of("status", BID_STATUSES), name="status"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    tender_id: Mapped[int] = mapped_column(ForeignKey("tenders.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="RESTRICT"), index=True)
    status: Mapped[str] = mapped_column(String(20), index=True, default="submitted")
    # Sealed to the tender's key (opened only at opening), and the bidder's own copy under
    # the service's data key (shown to the bidding organisation only).
    sealed_content: Mapped[str | None] = mapped_column(Text, info={"sensitive": True})
    own_copy: Mapped[str | None] = mapped_column(Text, info={"sensitive": True})
    receipt_hash: Mapped[str | None] = mapped_column(String(64))
    submissions: Mapped[int] = mapped_column(Integer, default=0)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # In clear from opening on.
    opened_price: Mapped[Decimal | None] = mapped_column(Money)
    opened_content: Mapped[str | None] = mapped_column(Text)
    opened_hash: Mapped[str | None] = mapped_column(String(64))
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A competitive negotiation's final quote, sealed like the bid until its own opening.
    final_sealed: Mapped[str | None] = mapped_column(Text, info={"sensitive": True})
    final_own_copy: Mapped[str | None] = mapped_column(Text, info={"sensitive": True})
    final_receipt_hash: Mapped[str | None] = mapped_column(String(64))
    final_submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    first_price: Mapped[Decimal | None] = mapped_column(Money)
    disqualification_reason: Mapped[str | None] = mapped_column(Text)
    rank: Mapped[int | None] = mapped_column(Integer)
    total_score: Mapped[Decimal | None] = mapped_column(Score)
    score_parts: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class BidReceipt(Base):
    """What the bidder was given for each submission, replacement and withdrawal."""

    __tablename__ = "bid_receipts"
    __table_args__ = (UniqueConstraint("bid_id", "sequence", name="uq_bid_receipts_sequence"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    bid_id: Mapped[int] = mapped_column(ForeignKey("bids.id", ondelete="CASCADE"), index=True)
    sequence: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))
    content_hash: Mapped[str | None] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class BidFile(Base):
    """An encrypted document of a bid. Its name, type and hash are inside the sealed content;
    the stored blob is ciphertext under a key that is also inside it."""

    __tablename__ = "bid_files"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    bid_id: Mapped[int] = mapped_column(ForeignKey("bids.id", ondelete="CASCADE"), index=True)
    storage_key: Mapped[str] = mapped_column(String(200))
    stored_bytes: Mapped[int] = mapped_column(BigInteger)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CommitteeMember(Base):
    """An expert drawn for a tender's evaluation, in the seeded order."""

    __tablename__ = "committee_members"
    __table_args__ = (
        UniqueConstraint("tender_id", "user_id", name="uq_committee_members_expert"),
        CheckConstraint(one_of("status", MEMBER_STATUSES), name="status"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    tender_id: Mapped[int] = mapped_column(ForeignKey("tenders.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default="drawn")
    reason: Mapped[str | None] = mapped_column(Text)
    drawn_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    evaluation_round: Mapped[int] = mapped_column(Integer, default=1)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class EvaluationSheet(Base):
    """One evaluator's verdict on one bid in one evaluation round: qualified or not (with a
    reason), and a score per quality criterion (JSON ``{criterion key: "85.00"}``)."""

    __tablename__ = "evaluation_sheets"
    __table_args__ = (UniqueConstraint("tender_id", "evaluation_round", "user_id", "bid_id", name="uq_evaluation_sheets_bid"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    tender_id: Mapped[int] = mapped_column(ForeignKey("tenders.id", ondelete="CASCADE"), index=True)
    evaluation_round: Mapped[int] = mapped_column(Integer)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    bid_id: Mapped[int] = mapped_column(ForeignKey("bids.id", ondelete="CASCADE"), index=True)
    qualified: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str | None] = mapped_column(Text)
    scores: Mapped[str] = mapped_column(Text, default="{}")
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AwardObjection(Base):
    """A bidder's objection (质疑) to the publicised result."""

    __tablename__ = "award_objections"
    __table_args__ = (CheckConstraint(one_of("status", OBJECTION_STATUSES), name="status"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    tender_id: Mapped[int] = mapped_column(ForeignKey("tenders.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="RESTRICT"), index=True)
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), index=True, default="open")
    answer: Mapped[str | None] = mapped_column(Text)
    filed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class Qualification(Base):
    """A contractor's qualification certificate (资质证书)."""

    __tablename__ = "qualifications"
    __table_args__ = (
        UniqueConstraint("organisation_id", "kind", "number", name="uq_qualifications_number"),
        CheckConstraint(one_of("kind", QUALIFICATION_KINDS), name="kind"),
        CheckConstraint(one_of("grade", QUALIFICATION_GRADES), name="grade"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="RESTRICT"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    grade: Mapped[str] = mapped_column(String(20))
    number: Mapped[str] = mapped_column(String(64))
    valid_until: Mapped[date] = mapped_column(Date)
    certificate_filename: Mapped[str | None] = mapped_column(String(255))
    certificate_media_type: Mapped[str | None] = mapped_column(String(100))
    certificate_sha256: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ExpertSpecialty(Base):
    """A project category an evaluator may assess (评标专家专业)."""

    __tablename__ = "expert_specialties"
    __table_args__ = (UniqueConstraint("user_id", "category", name="uq_expert_specialties_category"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    category: Mapped[str] = mapped_column(String(20))


class ExpertRelationship(Base):
    """An evaluator's declared relationship with an organisation (recusal, 回避): employment,
    directorship or shareholding within three years, or a close relative of its legal
    representative."""

    __tablename__ = "expert_relationships"
    __table_args__ = (CheckConstraint(one_of("relationship", RELATIONSHIPS), name="relationship"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    relationship: Mapped[str] = mapped_column(String(20))
    ended_on: Mapped[date | None] = mapped_column(Date)
    declared_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
