"""Supervision and open data (数据统计与监管): red flags and their acknowledgements, OCDS
releases as published, signed checkpoints of the audit chain, and export jobs.

Reports have no tables of their own: they aggregate the other domains' tables in SQL.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, BigId, StatusHistory, UTCDateTime, one_of, utcnow

# -- evidence ---------------------------------------------------------------------------------
CHECKPOINT_ALGORITHMS = ("ed25519", "sm2-sm3")
# Where checkpoints are published, each one column group of ``audit_checkpoints``.
CHECKPOINT_TARGETS = ("directory", "webhook")


class AuditCheckpoint(Base):
    """A signed statement of the audit chain's head (审计链检查点): at ``seq`` the last event's
    hash was ``head_hash``. ``links_sha256`` commits to the hash of every event after the
    previous checkpoint (``previous_seq``, 0 for the first) up to ``seq``, so a bundle that
    shows another region's events only as hashes still cannot swap one of them.

    ``seq`` and ``previous_seq`` are unique: one checkpoint per head, and checkpoints form one
    line without forks, however many processes try to make one at the same moment. The
    public key is kept beside each signature, so a key can be replaced and old checkpoints
    still verify. The publication columns record where a copy was put outside the database
    and when (a directory, a webhook), or the last error while it has not been.
    """

    __tablename__ = "audit_checkpoints"
    __table_args__ = (
        CheckConstraint("seq > previous_seq", name="seq_after_previous"),
        CheckConstraint("previous_seq >= 0", name="previous_seq_not_negative"),
        CheckConstraint(one_of("algorithm", CHECKPOINT_ALGORITHMS), name="algorithm"),
        CheckConstraint("webhook_attempts >= 0", name="webhook_attempts_not_negative"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    seq: Mapped[int] = mapped_column(BigInteger, unique=True)
    head_hash: Mapped[str] = mapped_column(String(64))
    previous_seq: Mapped[int] = mapped_column(BigInteger, unique=True)
    links_sha256: Mapped[str] = mapped_column(String(64))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    algorithm: Mapped[str] = mapped_column(String(10))
    key_id: Mapped[str] = mapped_column(String(32), index=True)
    public_key: Mapped[str] = mapped_column(String(100))  # base64 of the raw key
    signature: Mapped[str] = mapped_column(String(100))  # base64 of the raw signature
    # The file written (absolute path), when, and the last failure while it was not.
    directory_location: Mapped[str | None] = mapped_column(String(500))
    directory_published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    directory_error: Mapped[str | None] = mapped_column(String(500))
    # The URL posted to (without credentials or query), when it answered 2xx, how many
    # POSTs it took, and the last failure.
    webhook_location: Mapped[str | None] = mapped_column(String(500))
    webhook_published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    webhook_attempts: Mapped[int] = mapped_column(Integer, default=0)
    webhook_error: Mapped[str | None] = mapped_column(String(500))


# -- exports ----------------------------------------------------------------------------------


EXPORT_FORMATS = ("xlsx", "csv")
EXPORT_STATES = ("queued", "running", "ready", "failed", "expired", "cancelled")
# A job in these states may still be written; the others are final.
OPEN_EXPORT_STATES = ("queued", "running")


class ExportJob(Base):
    """A list or report streamed to an XLSX or CSV file for the person who asked, by a
    background job (or at once in the request, for a small one). ``attempt`` counts the runs
    that claimed the job: a run that was cut off is superseded by the next, and writes
    nothing more once it has been."""

    __tablename__ = "export_jobs"
    __table_args__ = (
        CheckConstraint(one_of("format", EXPORT_FORMATS), name="format"),
        CheckConstraint(one_of("state", EXPORT_STATES), name="state"),
        CheckConstraint("progress >= 0 AND progress <= 100", name="progress_percent"),
        CheckConstraint("rows_written >= 0", name="rows_written_not_negative"),
        CheckConstraint("total_rows IS NULL OR total_rows >= 0", name="total_rows_not_negative"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    # Who asked: the file is theirs alone, written in their row scope as the job runs.
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    region_code: Mapped[str] = mapped_column(String(6), index=True)
    # The registered source (``resolvers.supervision.sources``), e.g. "list.projects".
    source: Mapped[str] = mapped_column(String(60))
    format: Mapped[str] = mapped_column(String(10))
    # Canonical JSON of the arguments as the source's ``parse`` returned them.
    arguments: Mapped[str] = mapped_column(Text, default="{}")
    # The requester's language: headers and labels of coded values are written in it.
    locale: Mapped[str] = mapped_column(String(10), default="zh-CN")
    state: Mapped[str] = mapped_column(String(20), index=True, default="queued")
    progress: Mapped[int] = mapped_column(Integer, default=0)
    rows_written: Mapped[int] = mapped_column(BigInteger, default=0)
    total_rows: Mapped[int | None] = mapped_column(BigInteger)
    attempt: Mapped[int] = mapped_column(Integer, default=0)
    # The stored file, once ready: its key in the export storage, name, size and SHA-256.
    storage_key: Mapped[str | None] = mapped_column(String(64), index=True)
    filename: Mapped[str | None] = mapped_column(String(255))
    media_type: Mapped[str | None] = mapped_column(String(100))
    size: Mapped[int | None] = mapped_column(BigInteger)
    sha256: Mapped[str | None] = mapped_column(String(64))
    # Why it failed (a message code), when it did.
    error_code: Mapped[str | None] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Ready files are deleted after the retention period (``SMALLWORKS_EXPORT_RETENTION_HOURS``).
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


# -- OCDS publication ----------------------------------------------------------------------------

# releaseTag.csv: the tags a release is published with, one per lifecycle event.
OCDS_RELEASE_TAGS = ("planning", "tender", "tenderUpdate", "award", "contract", "implementation")


class OcdsRelease(Base):
    """An OCDS 1.1.5 release as published: one per lifecycle event of a contracting process
    (``event_id`` unique, so a redelivered event publishes nothing twice), its JSON text as
    served and that text's SHA-256. Rows are only ever inserted. ``sequence`` numbers the
    releases of one ocid in the order they were published (unique per ocid, so two
    publications racing for the same process cannot both take the same place)."""

    __tablename__ = "ocds_releases"
    __table_args__ = (
        UniqueConstraint("ocid", "sequence", name="uq_ocds_releases_sequence"),
        CheckConstraint(one_of("tag", OCDS_RELEASE_TAGS), name="tag"),
        CheckConstraint("sequence >= 1", name="sequence_positive"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    # Looked up by the (ocid, sequence) unique constraint's index.
    ocid: Mapped[str] = mapped_column(String(64))
    release_id: Mapped[str] = mapped_column(String(120), unique=True)
    sequence: Mapped[int] = mapped_column(Integer)
    tag: Mapped[str] = mapped_column(String(20))
    # The release's ``date``: when its information was recorded (UTC), later than the
    # process's previous release.
    date: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="RESTRICT"), index=True)
    event_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("outbox_events.id", ondelete="RESTRICT"), unique=True)
    event_type: Mapped[str] = mapped_column(String(64))
    data: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


# -- red flags ---------------------------------------------------------------------------------
# (resolvers/supervision/flags.py computes them; docs in resolvers/supervision/flag_rules.py)


# The Open Contracting Partnership's Cardinal indicators computed here, and two of our own:
# SW01 a payment made before the milestone (or the final acceptance) it depends on was
# accepted; SW02 a contractor's check-ins far from the site on days its daily logs claim work.
RED_FLAG_CODES = ("R003", "R018", "R024", "R025", "R028", "R030", "R035", "R036", "R038", "R058", "SW01", "SW02")
# What a flag is about: one contracting process (a tender, or the contract made from it), a
# buyer (the owner organisation that procures) or a supplier (a tenderer).
RED_FLAG_LEVELS = ("process", "buyer", "supplier")
# Open until an auditor acknowledges it; cleared when it no longer holds (the acknowledgement,
# if any, is kept, and comes back with the flag if it holds again).
RED_FLAG_STATUSES = ("open", "acknowledged", "cleared")


class RedFlag(Base):
    """One red flag: a rule that holds for one subject in one year, with the numbers that
    raised it (JSON, from which its explanation is written in either language)."""

    __tablename__ = "red_flags"
    __table_args__ = (
        UniqueConstraint("code", "subject", "year", name="uq_red_flags_once"),
        CheckConstraint(one_of("code", RED_FLAG_CODES), name="code"),
        CheckConstraint(one_of("level", RED_FLAG_LEVELS), name="level"),
        CheckConstraint(one_of("status", RED_FLAG_STATUSES), name="status"),
        # Lists, counts and recomputations select a region (a code prefix) and a year.
        Index("ix_red_flags_region_code_year", "region_code", "year"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(String(4))
    level: Mapped[str] = mapped_column(String(10))
    # What it is about, as a key: "tender:<id>", "contract:<id>", "buyer:<id>@<region>",
    # "supplier:<id>@<region>" (buyers and suppliers are measured per region and year).
    subject: Mapped[str] = mapped_column(String(60))
    year: Mapped[int] = mapped_column(Integer)
    # The region whose auditors see it: the tender's or contract's, or the region a buyer or
    # supplier was measured in.
    region_code: Mapped[str] = mapped_column(String(6))
    tender_id: Mapped[int | None] = mapped_column(ForeignKey("tenders.id", ondelete="RESTRICT"), index=True)
    contract_id: Mapped[int | None] = mapped_column(ForeignKey("contracts.id", ondelete="RESTRICT"), index=True)
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id", ondelete="RESTRICT"), index=True)
    buyer_organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="RESTRICT"), index=True)
    # The supplier it is about (a supplier flag's subject; a process flag's winner, single
    # bidder or contractor when it concerns them); every supplier concerned is in
    # ``red_flag_suppliers``.
    supplier_organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="RESTRICT"), index=True)
    numbers: Mapped[str] = mapped_column(Text, default="{}")
    status: Mapped[str] = mapped_column(String(20), index=True, default="open")
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # The last computation that found it holding.
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    cleared_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    acknowledged_by_name: Mapped[str | None] = mapped_column(String(100))
    acknowledgement: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class RedFlagSupplier(Base):
    """A supplier a flag concerns (Cardinal flags the tenderers of some process flags too:
    the winner and the second-lowest bidder of R024, the bidders of identical prices of R028)."""

    __tablename__ = "red_flag_suppliers"
    __table_args__ = (UniqueConstraint("flag_id", "organisation_id", name="uq_red_flag_suppliers_pair"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    flag_id: Mapped[int] = mapped_column(ForeignKey("red_flags.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="RESTRICT"), index=True)


class RedFlagStatusChange(StatusHistory, Base):
    """One move of a flag: raised, acknowledged, cleared, holding again."""

    __tablename__ = "red_flag_status_changes"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    flag_id: Mapped[int] = mapped_column(ForeignKey("red_flags.id", ondelete="CASCADE"), index=True)


class RedFlagRun(Base):
    """When the flags of one region (a tender's county) and year were last computed in full,
    and since when something that changes them has happened (``stale_since``): the scheduled
    recompute takes the stale ones first, then refreshes the current years once a day."""

    __tablename__ = "red_flag_runs"
    __table_args__ = (UniqueConstraint("region_code", "year", name="uq_red_flag_runs_group"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    region_code: Mapped[str] = mapped_column(String(6))
    year: Mapped[int] = mapped_column(Integer)
    stale_since: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    computed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
