"""Payments (财务支付): payment requests raised against the terms of a contract's payment
schedule, their approval steps, the payment recorded, the contractor's e-invoices (电子发票)
and the archive records of invoices (发票归档).

"No payment without basis" (杜绝白条) is held by the database, not only by the code:
- ``payment_requests.live_for_term`` is the term's id while a request for it is pending,
  approved or paid, else NULL, and unique: a term has at most one live request, so it is
  requested, and paid, at most once;
- ``payment_approvals`` is unique per request and step: a step is decided once, however
  many approvers press the button at the same moment;
- ``invoices.identity`` (the invoice number, or code and number) is unique over every invoice
  ever accepted: the same invoice is never booked twice (重复入账), whoever uploads it where.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import BigInteger, CheckConstraint, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, BigId, Money, StatusHistory, UTCDateTime, one_of, utcnow

REQUEST_STATUSES = ("pending", "approved", "paid", "rejected", "cancelled")
# A term has at most one request in these statuses.
LIVE_REQUEST_STATUSES = ("pending", "approved", "paid")
ORIGINS = ("automatic", "manual")
DECISIONS = ("approved", "rejected")
INVOICE_KINDS = ("digital", "legacy")
INVOICE_FORMATS = ("xml", "pdf", "ofd")
INVOICE_STATUSES = ("uploaded", "verified", "archived", "rejected")
# Invoices whose amounts count towards their request (a rejected one does not).
COUNTED_INVOICE_STATUSES = ("uploaded", "verified", "archived")


class PaymentRequest(Base):
    """A request to pay one term of a contract (付款申请), from its trigger to the payment."""

    __tablename__ = "payment_requests"
    __table_args__ = (
        CheckConstraint(one_of("status", REQUEST_STATUSES), name="status"),
        CheckConstraint(one_of("origin", ORIGINS), name="origin"),
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("paid_amount IS NULL OR paid_amount > 0", name="paid_amount_positive"),
        CheckConstraint("step >= 0", name="step_not_negative"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id", ondelete="RESTRICT"), index=True)
    term_id: Mapped[int] = mapped_column(ForeignKey("payment_terms.id", ondelete="RESTRICT"), index=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="RESTRICT"), index=True)
    region_code: Mapped[str] = mapped_column(String(6), index=True)
    owner_organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="RESTRICT"), index=True)
    contractor_organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="RESTRICT"), index=True)
    # The term's id while this request is pending, approved or paid, else NULL.
    live_for_term: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    origin: Mapped[str] = mapped_column(String(10))
    # The term's trigger (signing, milestone, final_acceptance, retention) and the day it was met.
    trigger_on: Mapped[str] = mapped_column(String(20))
    triggered_on: Mapped[date] = mapped_column(Date)
    # For retention: the end of the defect liability period, before which nothing is paid.
    release_on: Mapped[date | None] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(Money)
    status: Mapped[str] = mapped_column(String(20), index=True, default="pending")
    # The approval chain as it was when the request was raised (roles, comma-separated), and
    # the index of the step waiting for a decision (the chain's length once approved).
    chain: Mapped[str] = mapped_column(String(200))
    step: Mapped[int] = mapped_column(Integer, default=0)
    # The role of that step while the request is pending, else NULL (for "waiting for me").
    waiting_role: Mapped[str | None] = mapped_column(String(30), index=True)
    note: Mapped[str | None] = mapped_column(Text)
    # The payment as made: it may differ from the amount approved, with a reason.
    paid_amount: Mapped[Decimal | None] = mapped_column(Money)
    paid_on: Mapped[date | None] = mapped_column(Date)
    bank_reference: Mapped[str | None] = mapped_column(String(64))
    payer_account: Mapped[str | None] = mapped_column(Text, info={"sensitive": True})
    payee_account: Mapped[str | None] = mapped_column(Text, info={"sensitive": True})
    difference_reason: Mapped[str | None] = mapped_column(Text)
    paid_by_name: Mapped[str | None] = mapped_column(String(100))
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    close_reason: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class PaymentApproval(Base):
    """One step's decision on a request: approved or rejected, with a comment."""

    __tablename__ = "payment_approvals"
    __table_args__ = (
        UniqueConstraint("request_id", "step", name="uq_payment_approvals_step"),
        CheckConstraint(one_of("decision", DECISIONS), name="decision"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("payment_requests.id", ondelete="CASCADE"), index=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id", ondelete="CASCADE"), index=True)
    step: Mapped[int] = mapped_column(Integer)
    role: Mapped[str] = mapped_column(String(30))
    decision: Mapped[str] = mapped_column(String(10))
    comment: Mapped[str | None] = mapped_column(Text)
    actor_id: Mapped[int | None] = mapped_column(BigInteger)
    actor_name: Mapped[str] = mapped_column(String(100))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PaymentRequestStatusChange(StatusHistory, Base):
    __tablename__ = "payment_request_status_changes"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("payment_requests.id", ondelete="CASCADE"), index=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id", ondelete="CASCADE"), index=True)


class Invoice(Base):
    """An e-invoice the contractor attached to a request: a fully digital invoice (数电票,
    20-digit number) or a legacy e-invoice (code and number). Read from its XML, or typed
    in by the contractor from a PDF or OFD and then checked by finance against the file."""

    __tablename__ = "invoices"
    __table_args__ = (
        CheckConstraint(one_of("kind", INVOICE_KINDS), name="kind"),
        CheckConstraint(one_of("format", INVOICE_FORMATS), name="format"),
        CheckConstraint(one_of("status", INVOICE_STATUSES), name="status"),
        CheckConstraint("total_amount > 0", name="total_positive"),
        CheckConstraint("amount_without_tax >= 0", name="amount_not_negative"),
        CheckConstraint("tax_amount >= 0", name="tax_not_negative"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    # "digital:<number>" or "legacy:<code>:<number>": one invoice, one booking, ever.
    identity: Mapped[str] = mapped_column(String(40), unique=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("payment_requests.id", ondelete="RESTRICT"), index=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id", ondelete="RESTRICT"), index=True)
    region_code: Mapped[str] = mapped_column(String(6), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    format: Mapped[str] = mapped_column(String(10))
    number: Mapped[str] = mapped_column(String(20))
    code: Mapped[str | None] = mapped_column(String(12))
    issued_on: Mapped[date] = mapped_column(Date)
    seller_name: Mapped[str] = mapped_column(String(200))
    seller_tax_id: Mapped[str] = mapped_column(String(20))
    buyer_name: Mapped[str] = mapped_column(String(200))
    buyer_tax_id: Mapped[str] = mapped_column(String(20))
    amount_without_tax: Mapped[Decimal] = mapped_column(Money)
    tax_amount: Mapped[Decimal] = mapped_column(Money)
    total_amount: Mapped[Decimal] = mapped_column(Money)
    # JSON list of the item lines read from an XML invoice ("[]" for typed-in ones).
    items: Mapped[str] = mapped_column(Text, default="[]")
    storage_key: Mapped[str] = mapped_column(String(64))
    sha256: Mapped[str] = mapped_column(String(64))
    media_type: Mapped[str] = mapped_column(String(100))
    filename: Mapped[str] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), index=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # Who checked it: NULL when read from the invoice's own XML.
    verified_by_name: Mapped[str | None] = mapped_column(String(100))
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    rejected_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reject_reason: Mapped[str | None] = mapped_column(Text)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class InvoiceArchive(Base):
    """An invoice's archive record (电子会计档案): its file copied under a content-addressed
    path, its SHA-256 and metadata, and how long it is kept."""

    __tablename__ = "invoice_archives"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id", ondelete="RESTRICT"), unique=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id", ondelete="RESTRICT"), index=True)
    archive_number: Mapped[str] = mapped_column(String(40), unique=True)
    sha256: Mapped[str] = mapped_column(String(64))
    # Relative to the archive root: <sha[:2]>/<sha[2:4]>/<sha>.<extension>.
    path: Mapped[str] = mapped_column(String(200))
    size: Mapped[int] = mapped_column(Integer)
    media_type: Mapped[str] = mapped_column(String(100))
    # Canonical JSON of what the invoice says (number, date, parties, amounts, request, contract).
    meta: Mapped[str] = mapped_column(Text)
    retention_years: Mapped[int] = mapped_column(Integer)
    retain_until: Mapped[date] = mapped_column(Date)
    archived_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class PaymentIdempotencyKey(Base):
    """The first result of a payment mutation sent with an idempotency key: the same key
    again returns it instead of acting twice."""

    __tablename__ = "payment_idempotency_keys"
    __table_args__ = (UniqueConstraint("actor", "key", name="uq_payment_idempotency_keys_actor_key"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    # "user:<id>" or "client:<id>": keys are the sender's own.
    actor: Mapped[str] = mapped_column(String(40))
    key: Mapped[str] = mapped_column(String(100))
    operation: Mapped[str] = mapped_column(String(60))
    # SHA-256 of the operation's input: the same key with other input is refused.
    fingerprint: Mapped[str] = mapped_column(String(64))
    result_id: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
