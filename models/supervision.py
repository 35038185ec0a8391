"""Supervision and open data (数据统计与监管): red flags and their acknowledgements, OCDS
releases as published, signed checkpoints of the audit chain, and export jobs.

Reports have no tables of their own: they aggregate the other domains' tables in SQL.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, BigId, UTCDateTime, one_of, utcnow

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
