"""Supervision and open data (数据统计与监管): red flags and their acknowledgements, OCDS
releases as published, signed checkpoints of the audit chain, and export jobs.

Reports have no tables of their own: they aggregate the other domains' tables in SQL.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, BigId, UTCDateTime, one_of

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
