"""Contracts (合同管理): the contract drafted from an awarded tender, its structured clauses,
payment terms and milestones, its versions (the original and each amendment, 变更), the
parties' electronic signatures (电子签章) and the organisations' signing keys.

The ``contracts``, ``contract_clauses``, ``payment_terms`` and ``contract_milestones`` rows
hold the contract as it stands: the draft being written, then the version in force. Each
version keeps its content as canonical JSON with its SHA-256, which is what the parties sign;
an amendment's content waits in its version until every party has signed it, and only then
becomes the rows. Progress (#milestones) and payments refer to the rows, whose ids stay the
same across amendments.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import BigInteger, CheckConstraint, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, BigId, Money, ScaledDecimal, StatusHistory, UTCDateTime, one_of, utcnow

CONTRACT_STATUSES = ("draft", "pending_signature", "active", "completed", "terminated")
# A tender has at most one contract in these statuses (a terminated one may be followed).
LIVE_CONTRACT_STATUSES = ("draft", "pending_signature", "active", "completed")
VERSION_KINDS = ("original", "amendment")
VERSION_STATUSES = ("draft", "pending_signature", "active", "superseded", "withdrawn")
OPEN_VERSION_STATUSES = ("draft", "pending_signature")
PARTIES = ("owner", "contractor", "supervisor")
CLAUSE_KINDS = ("scope", "payment_term", "acceptance", "warranty", "penalty", "other")
TRIGGERS = ("signing", "milestone", "final_acceptance", "retention")
TERM_STATUSES = ("scheduled", "due", "paid")
MILESTONE_STATUSES = ("planned", "in_progress", "submitted", "accepted", "rejected")
SIGNING_ALGORITHMS = ("ed25519", "sm2-sm3")
KEY_CUSTODIES = ("server", "device")


class Percentage(ScaledDecimal):
    """A percentage exact to two decimals (0.01–100.00), stored as an integer of hundredths."""

    cache_ok = True
    exponent = Decimal("0.01")
    what = "percentage"


class SigningKey(Base):
    """An organisation's signing key. ``server``: made here, the private key kept encrypted
    under the data key; ``device``: registered by its public key, the organisation signs on
    its own device and uploads the signature. One key per organisation is active."""

    __tablename__ = "signing_keys"
    __table_args__ = (
        CheckConstraint(one_of("algorithm", SIGNING_ALGORITHMS), name="algorithm"),
        CheckConstraint(one_of("custody", KEY_CUSTODIES), name="custody"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="RESTRICT"), index=True)
    # The organisation's id while this is its active key, else NULL (one active key each).
    active_for_organisation: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    algorithm: Mapped[str] = mapped_column(String(20))
    custody: Mapped[str] = mapped_column(String(10))
    key_id: Mapped[str] = mapped_column(String(32), unique=True)
    public_key: Mapped[str] = mapped_column(String(200))
    private_key: Mapped[str | None] = mapped_column(Text, info={"sensitive": True})
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Contract(Base):
    __tablename__ = "contracts"
    __table_args__ = (
        UniqueConstraint("owner_organisation_id", "number", name="uq_contracts_number"),
        CheckConstraint(one_of("status", CONTRACT_STATUSES), name="status"),
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("works_end >= works_start", name="works_period"),
        CheckConstraint("defect_liability_months >= 0", name="defect_period"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    # The owner's own contract number (合同编号), unique within the owner organisation.
    number: Mapped[str] = mapped_column(String(50))
    title: Mapped[str] = mapped_column(String(200))
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="RESTRICT"), index=True)
    tender_id: Mapped[int] = mapped_column(ForeignKey("tenders.id", ondelete="RESTRICT"), index=True)
    # The tender's id while this contract is live, else NULL: one live contract per tender.
    active_for_tender: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    award_bid_id: Mapped[int | None] = mapped_column(ForeignKey("bids.id", ondelete="SET NULL"))
    owner_organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="RESTRICT"), index=True)
    contractor_organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="RESTRICT"), index=True)
    supervisor_organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="RESTRICT"), index=True)
    region_code: Mapped[str] = mapped_column(String(6), index=True)
    status: Mapped[str] = mapped_column(String(20), index=True, default="draft")
    amount: Mapped[Decimal] = mapped_column(Money, index=True)
    award_value: Mapped[Decimal] = mapped_column(Money)
    # Why the amount differs from the winning price (required when it does).
    amount_reason: Mapped[str | None] = mapped_column(Text)
    works_start: Mapped[date] = mapped_column(Date)
    works_end: Mapped[date] = mapped_column(Date)
    defect_liability_months: Mapped[int] = mapped_column(Integer, default=12)
    awarded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Days past the drafting deadline after the award when drafted (a warning), else NULL.
    drafted_late_days: Mapped[int | None] = mapped_column(Integer)
    # The number of the version in force (NULL until the contract is first signed) and of
    # the latest version (the one being drafted or signed, or the one in force).
    effective_version: Mapped[int | None] = mapped_column(Integer)
    latest_version: Mapped[int] = mapped_column(Integer, default=1)
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    terminated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    termination_reason: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class ContractVersion(Base):
    """The original contract or one amendment: its content as signed (canonical JSON), the
    SHA-256 every signature covers, and where it stands."""

    __tablename__ = "contract_versions"
    __table_args__ = (
        UniqueConstraint("contract_id", "number", name="uq_contract_versions_number"),
        CheckConstraint(one_of("kind", VERSION_KINDS), name="kind"),
        CheckConstraint(one_of("status", VERSION_STATUSES), name="status"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id", ondelete="CASCADE"), index=True)
    # The contract's id while this version is being drafted or signed: one open version each.
    open_for_contract: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    number: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20))
    content: Mapped[str] = mapped_column(Text)
    content_sha256: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str | None] = mapped_column(Text)
    # How many times signatures of this version were voided by a change.
    voided_rounds: Mapped[int] = mapped_column(Integer, default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    activated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ContractClause(Base):
    __tablename__ = "contract_clauses"
    __table_args__ = (
        UniqueConstraint("contract_id", "sequence", name="uq_contract_clauses_sequence"),
        CheckConstraint(one_of("kind", CLAUSE_KINDS), name="kind"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id", ondelete="CASCADE"), index=True)
    sequence: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    # JSON of the kind's structured fields (warranty, penalty, acceptance), else "{}".
    fields: Mapped[str] = mapped_column(Text, default="{}")


class ContractMilestone(Base):
    """A milestone (节点) of the works: the schedule the progress module tracks."""

    __tablename__ = "contract_milestones"
    __table_args__ = (
        UniqueConstraint("contract_id", "code", name="uq_contract_milestones_code"),
        CheckConstraint(one_of("status", MILESTONE_STATUSES), name="status"),
        CheckConstraint("share > 0", name="share_positive"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id", ondelete="CASCADE"), index=True)
    sequence: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))
    planned_date: Mapped[date] = mapped_column(Date, index=True)
    share: Mapped[Decimal] = mapped_column(Percentage)
    status: Mapped[str] = mapped_column(String(20), default="planned")
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class PaymentTerm(Base):
    """One term of the payment schedule. Its amount is the contract amount times its
    percentage in whole fen, the last term taking the rounding remainder."""

    __tablename__ = "payment_terms"
    __table_args__ = (
        UniqueConstraint("contract_id", "sequence", name="uq_payment_terms_sequence"),
        CheckConstraint(one_of("trigger_on", TRIGGERS), name="trigger_on"),
        CheckConstraint(one_of("status", TERM_STATUSES), name="status"),
        CheckConstraint("percentage > 0", name="percentage_positive"),
        CheckConstraint("amount >= 0", name="amount_not_negative"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id", ondelete="CASCADE"), index=True)
    sequence: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    percentage: Mapped[Decimal] = mapped_column(Percentage)
    amount: Mapped[Decimal] = mapped_column(Money)
    # What makes it due (TRIGGER is a reserved word in MariaDB).
    trigger_on: Mapped[str] = mapped_column(String(20))
    milestone_id: Mapped[int | None] = mapped_column(ForeignKey("contract_milestones.id", ondelete="RESTRICT"))
    # Days after its trigger by which the payment is due (the advance's reminder date).
    due_days: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default="scheduled")
    due_on: Mapped[date | None] = mapped_column(Date)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ContractSignature(Base):
    """One party's signature over one version's content hash. A change to a version voids
    its signatures (``voided_at``); they stay on record."""

    __tablename__ = "contract_signatures"
    __table_args__ = (
        CheckConstraint(one_of("party", PARTIES), name="party"),
        CheckConstraint(one_of("algorithm", SIGNING_ALGORITHMS), name="algorithm"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id", ondelete="CASCADE"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("contract_versions.id", ondelete="CASCADE"), index=True)
    # "<version id>:<party>" while the signature stands, else NULL: one standing signature
    # per party and version, race-free on every backend.
    standing: Mapped[str | None] = mapped_column(String(40), unique=True)
    party: Mapped[str] = mapped_column(String(20))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="RESTRICT"))
    signer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    signer_name: Mapped[str] = mapped_column(String(100))
    signing_key_id: Mapped[int] = mapped_column(ForeignKey("signing_keys.id", ondelete="RESTRICT"))
    key_id: Mapped[str] = mapped_column(String(32))
    algorithm: Mapped[str] = mapped_column(String(20))
    public_key: Mapped[str] = mapped_column(String(200))
    content_sha256: Mapped[str] = mapped_column(String(64))
    value: Mapped[str] = mapped_column(String(200))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    voided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    void_reason: Mapped[str | None] = mapped_column(Text)


class ContractStatusChange(StatusHistory, Base):
    __tablename__ = "contract_status_changes"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id", ondelete="CASCADE"), index=True)


class ContractDocument(Base):
    """A document attached to a contract (drawings, the bill of quantities, a scanned
    appendix). Its SHA-256 is part of the signed content."""

    __tablename__ = "contract_documents"
    __table_args__ = (UniqueConstraint("contract_id", "sequence", name="uq_contract_documents_sequence"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id", ondelete="CASCADE"), index=True)
    sequence: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    filename: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(255))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
