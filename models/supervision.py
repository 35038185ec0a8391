"""Supervision and open data (数据统计与监管): red flags and their acknowledgements, OCDS
releases as published, signed checkpoints of the audit chain, and export jobs.

Reports have no tables of their own: they aggregate the other domains' tables in SQL.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, BigId, UTCDateTime, one_of, utcnow

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
