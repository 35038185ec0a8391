"""Projects (项目): applications, their budget lines, documents, reviews and status history,
and the owners' annual budget allocations."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    Double,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
    or_,
    update,
)
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, BigId, Money, Quantity, StatusHistory, UTCDateTime, one_of, utcnow

PROJECT_CATEGORIES = ("road", "greening", "building_repair", "water", "equipment", "other")
# Every status any module may move a project to; the transitions live in resolvers.
PROJECT_STATUSES = (
    "draft",
    "submitted",
    "approved",
    "rejected",
    "cancelled",
    "tendering",
    "contracted",
    "in_progress",
    "completed",
    "closed",
)
DOCUMENT_TYPES = ("proposal", "budget_table", "construction_drawing", "other")
REVIEW_STATUSES = ("pending", "approved", "rejected", "withdrawn")


class CodeSequence(Base):
    """Counters for human-readable codes (XM-2026-000123). Incremented inside the
    transaction that uses the value, so a rolled-back transaction leaves no gap."""

    __tablename__ = "code_sequences"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    last_value: Mapped[int] = mapped_column(BigInteger, default=0)


class Project(Base):
    __tablename__ = "projects"
    __table_args__ = (
        CheckConstraint(one_of("category", PROJECT_CATEGORIES), name="category"),
        CheckConstraint(one_of("status", PROJECT_STATUSES), name="status"),
        CheckConstraint("budget_amount >= 0", name="budget_non_negative"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    owner_organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="RESTRICT"), index=True)
    region_code: Mapped[str] = mapped_column(String(6), index=True)
    category: Mapped[str] = mapped_column(String(20))
    budget_amount: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    funding_source: Mapped[str | None] = mapped_column(String(200))
    # The site, WGS-84; double precision (a single-precision column keeps six digits: tens of metres).
    latitude: Mapped[float | None] = mapped_column(Double)
    longitude: Mapped[float | None] = mapped_column(Double)
    geofence_radius_m: Mapped[int | None] = mapped_column(Integer)
    planned_start: Mapped[date | None] = mapped_column(Date)
    planned_end: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), index=True, default="draft")
    submission_count: Mapped[int] = mapped_column(Integer, default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Optimistic concurrency: an UPDATE that lost a race matches no row and fails.
    version: Mapped[int] = mapped_column(Integer, default=1)
    # Key dates (KEY_DATES): when the status history first recorded each step of the
    # project's life. Written with the history row that records it (``_keep_key_date``),
    # whoever writes it; the cycle-time and volume reports read them instead of
    # aggregating the history (docs/reports-performance.md).
    applied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    tendered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    works_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    settled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The procurement method of its latest tender (kept by ``models.tendering``), NULL
    # before any: the reports group and filter projects by it.
    tender_method: Mapped[str | None] = mapped_column(String(30))

    __mapper_args__ = {"version_id_col": version}


# The action of a project's status history -> the key date it sets the first time.
KEY_DATES = {
    "submit": "applied_at",  # application
    "approve": "approved_at",  # final approval
    "start_tendering": "tendered_at",  # its first tender published
    "sign_contract": "signed_at",  # its first contract signed
    "start_works": "works_started_at",  # its first milestone started
    "complete_works": "accepted_at",  # final acceptance
    "settle": "settled_at",  # its last payment term paid
}


class ProjectLineItem(Base):
    __tablename__ = "project_line_items"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("unit_price >= 0", name="unit_price_non_negative"),
        CheckConstraint("amount >= 0", name="amount_non_negative"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    quantity: Mapped[Decimal] = mapped_column(Quantity)
    unit: Mapped[str] = mapped_column(String(20))
    unit_price: Mapped[Decimal] = mapped_column(Money)
    amount: Mapped[Decimal] = mapped_column(Money)


class ProjectDocument(Base):
    __tablename__ = "project_documents"
    __table_args__ = (
        UniqueConstraint("project_id", "document_type", "version", name="uq_project_documents_version"),
        CheckConstraint(one_of("document_type", DOCUMENT_TYPES), name="document_type"),
        CheckConstraint("size_bytes > 0", name="size_positive"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    document_type: Mapped[str] = mapped_column(String(30))
    version: Mapped[int] = mapped_column(Integer)
    filename: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(200))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ProjectStatusChange(StatusHistory, Base):
    __tablename__ = "project_status_changes"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)


@event.listens_for(ProjectStatusChange, "after_insert")
def _keep_key_date(mapper: Any, connection: Any, change: ProjectStatusChange) -> None:
    """A history row that records a key step sets the project's key date, in the same
    flush: the earliest such row's time (a row written late for an earlier moment still
    counts). Rows written without the ORM (bulk loads) set the dates themselves."""
    name = KEY_DATES.get(change.action)
    if name is None:
        return
    column = getattr(Project, name)
    connection.execute(
        update(Project)
        .where(Project.id == change.project_id, or_(column.is_(None), column > change.occurred_at))
        .values({name: change.occurred_at})
    )


class ProjectReview(Base):
    """One step of the review chain for one submission (round) of a project."""

    __tablename__ = "project_reviews"
    __table_args__ = (
        UniqueConstraint("project_id", "round", "step", name="uq_project_reviews_step"),
        CheckConstraint(one_of("status", REVIEW_STATUSES), name="status"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    round: Mapped[int] = mapped_column(Integer)
    step: Mapped[int] = mapped_column(Integer)
    role: Mapped[str] = mapped_column(String(32), index=True)
    region_code: Mapped[str] = mapped_column(String(6), index=True)
    status: Mapped[str] = mapped_column(String(20), index=True, default="pending")
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reviewer_name: Mapped[str | None] = mapped_column(String(100))
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class BudgetAllocation(Base):
    """An owner organisation's allocation for one fiscal year (预算指标) and how much of it
    approved projects hold."""

    __tablename__ = "budget_allocations"
    __table_args__ = (
        UniqueConstraint("organisation_id", "fiscal_year", name="uq_budget_allocations_year"),
        CheckConstraint("amount >= 0", name="amount_non_negative"),
        CheckConstraint("reserved >= 0", name="reserved_non_negative"),
        CheckConstraint("reserved <= amount", name="reserved_within_amount"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="RESTRICT"), index=True)
    fiscal_year: Mapped[int] = mapped_column(Integer)
    amount: Mapped[Decimal] = mapped_column(Money)
    reserved: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class BudgetReservation(Base):
    """The part of an allocation one approved project holds; released on cancellation."""

    __tablename__ = "budget_reservations"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), unique=True)
    allocation_id: Mapped[int] = mapped_column(ForeignKey("budget_allocations.id", ondelete="RESTRICT"), index=True)
    amount: Mapped[Decimal] = mapped_column(Money)
    reserved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
