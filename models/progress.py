"""Construction progress (进度): daily construction logs (施工日志) with their corrections and
site photos, location check-ins (定位打卡), and the status history of a contract's milestones.

Field staff work from phones on weak networks: every log, photo and check-in carries the
client's idempotency key, unique per contract, so a retried upload finds what the first one
made instead of making it twice. Positions are kept as reported (with their datum) and as
WGS-84, the datum the project's site is stored in; what looked wrong (outside the geofence, an
implausible accuracy, a device clock far off) is kept as flags beside the row, which is
accepted all the same.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, CheckConstraint, Date, Double, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, BigId, UTCDateTime, one_of, utcnow

DATUMS = ("wgs84", "gcj02")
# What a check-in or photo may be flagged for.
FLAGS = ("outside_geofence", "implausible_accuracy", "device_time_off", "capture_time_off", "no_position")


class DailyLog(Base):
    """One day's construction log of a contract, written by the contractor. Editable on its
    own day only; later corrections are appended (``DailyLogCorrection``)."""

    __tablename__ = "daily_logs"
    __table_args__ = (
        UniqueConstraint("contract_id", "log_date", name="uq_daily_logs_day"),
        UniqueConstraint("contract_id", "idempotency_key", name="uq_daily_logs_key"),
        CheckConstraint("crew_count >= 0", name="crew_not_negative"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id", ondelete="CASCADE"), index=True)
    region_code: Mapped[str] = mapped_column(String(6), index=True)
    log_date: Mapped[date] = mapped_column(Date, index=True)
    idempotency_key: Mapped[str] = mapped_column(String(64))
    weather: Mapped[str] = mapped_column(String(100))
    work_done: Mapped[str] = mapped_column(Text)
    crew_count: Mapped[int] = mapped_column(Integer)
    machinery: Mapped[str] = mapped_column(Text, default="")
    materials: Mapped[str] = mapped_column(Text, default="")
    issues: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class DailyLogCorrection(Base):
    """A correction of a log after its day: appended, never overwriting the log."""

    __tablename__ = "daily_log_corrections"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    log_id: Mapped[int] = mapped_column(ForeignKey("daily_logs.id", ondelete="CASCADE"), index=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_by_name: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SitePhoto(Base):
    """A photo of a daily log: the original (content-addressed by its SHA-256), a thumbnail,
    and what its EXIF says about when and where it was taken."""

    __tablename__ = "site_photos"
    __table_args__ = (UniqueConstraint("contract_id", "idempotency_key", name="uq_site_photos_key"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id", ondelete="CASCADE"), index=True)
    log_id: Mapped[int] = mapped_column(ForeignKey("daily_logs.id", ondelete="CASCADE"), index=True)
    idempotency_key: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(255))
    thumbnail_key: Mapped[str] = mapped_column(String(255))
    captured_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    latitude: Mapped[float | None] = mapped_column(Double)
    longitude: Mapped[float | None] = mapped_column(Double)
    # Metres from the project's site, when both are known.
    distance_m: Mapped[float | None] = mapped_column(Double)
    # JSON list of FLAGS.
    flags: Mapped[str] = mapped_column(String(200), default="[]")
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CheckIn(Base):
    """A location check-in on site: the position as reported (and its datum), the same
    position in WGS-84, its distance from the site, and what looked wrong."""

    __tablename__ = "check_ins"
    __table_args__ = (
        UniqueConstraint("contract_id", "idempotency_key", name="uq_check_ins_key"),
        CheckConstraint(one_of("datum", DATUMS), name="datum"),
        CheckConstraint("accuracy_m >= 0", name="accuracy_not_negative"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id", ondelete="CASCADE"), index=True)
    region_code: Mapped[str] = mapped_column(String(6), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    user_name: Mapped[str] = mapped_column(String(100))
    idempotency_key: Mapped[str] = mapped_column(String(64))
    datum: Mapped[str] = mapped_column(String(10))
    # Positions and distances in double precision, as the project's site (models.projects).
    latitude: Mapped[float] = mapped_column(Double)
    longitude: Mapped[float] = mapped_column(Double)
    wgs84_latitude: Mapped[float] = mapped_column(Double)
    wgs84_longitude: Mapped[float] = mapped_column(Double)
    accuracy_m: Mapped[float] = mapped_column(Double)
    device_time: Mapped[datetime] = mapped_column(UTCDateTime)
    checked_in_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    distance_m: Mapped[float | None] = mapped_column(Double)
    flags: Mapped[str] = mapped_column(String(200), default="[]")


class MilestoneStatusChange(Base):
    """One move of a contract milestone (planned → in_progress → submitted → accepted |
    rejected), with the note or evidence that came with it."""

    __tablename__ = "milestone_status_changes"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    milestone_id: Mapped[int] = mapped_column(ForeignKey("contract_milestones.id", ondelete="CASCADE"), index=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(30))
    actor_id: Mapped[int | None] = mapped_column(BigInteger)
    actor_name: Mapped[str] = mapped_column(String(100))
    comment: Mapped[str | None] = mapped_column(Text)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
