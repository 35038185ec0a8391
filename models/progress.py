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

from sqlalchemy import BigInteger, Boolean, CheckConstraint, Date, Double, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, BigId, StatusHistory, UTCDateTime, one_of, utcnow

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


class MilestoneStatusChange(StatusHistory, Base):
    """One move of a contract milestone (planned → in_progress → submitted → accepted |
    rejected), with the note or evidence that came with it."""

    __tablename__ = "milestone_status_changes"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    milestone_id: Mapped[int] = mapped_column(ForeignKey("contract_milestones.id", ondelete="CASCADE"), index=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id", ondelete="CASCADE"), index=True)


# -- quality (质量检查) -------------------------------------------------------------------------

RECTIFICATION_STATUSES = ("open", "responded", "closed")


class ChecklistTemplate(Base):
    """One version of a quality checklist for a project category. Editing a template adds a
    version; inspections keep the version they were run against."""

    __tablename__ = "checklist_templates"
    __table_args__ = (UniqueConstraint("family_id", "version", name="uq_checklist_templates_version"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    # The first version's id; every version of one template shares it.
    family_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    is_latest: Mapped[bool] = mapped_column(Boolean, default=True)
    category: Mapped[str] = mapped_column(String(20), index=True)
    name: Mapped[str] = mapped_column(String(200))
    # JSON: [{"key", "description", "photo_required"}].
    items: Mapped[str] = mapped_column(Text, default="[]")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Inspection(Base):
    """The supervisor's inspection of a contract's works against a checklist."""

    __tablename__ = "inspections"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id", ondelete="CASCADE"), index=True)
    milestone_id: Mapped[int | None] = mapped_column(ForeignKey("contract_milestones.id", ondelete="SET NULL"), index=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("checklist_templates.id", ondelete="RESTRICT"))
    region_code: Mapped[str] = mapped_column(String(6), index=True)
    inspector_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    inspector_name: Mapped[str] = mapped_column(String(100))
    note: Mapped[str] = mapped_column(Text, default="")
    failed_items: Mapped[int] = mapped_column(Integer, default=0)
    inspected_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class InspectionItem(Base):
    __tablename__ = "inspection_items"
    __table_args__ = (UniqueConstraint("inspection_id", "key", name="uq_inspection_items_key"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspections.id", ondelete="CASCADE"), index=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id", ondelete="CASCADE"), index=True)
    sequence: Mapped[int] = mapped_column(Integer)
    key: Mapped[str] = mapped_column(String(40))
    description: Mapped[str] = mapped_column(Text)
    photo_required: Mapped[bool] = mapped_column(Boolean, default=False)
    passed: Mapped[bool] = mapped_column(Boolean)
    remarks: Mapped[str] = mapped_column(Text, default="")
    # JSON list of the ids of site photos (of the same contract) that show the item.
    photo_ids: Mapped[str] = mapped_column(Text, default="[]")


class Rectification(Base):
    """A failed inspection item to put right (整改): assigned to the contractor with a due
    date; the contractor responds with evidence; the supervisor closes it or reopens it."""

    __tablename__ = "rectifications"
    __table_args__ = (CheckConstraint(one_of("status", RECTIFICATION_STATUSES), name="status"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id", ondelete="CASCADE"), index=True)
    milestone_id: Mapped[int | None] = mapped_column(ForeignKey("contract_milestones.id", ondelete="SET NULL"), index=True)
    inspection_item_id: Mapped[int] = mapped_column(ForeignKey("inspection_items.id", ondelete="CASCADE"), unique=True)
    region_code: Mapped[str] = mapped_column(String(6), index=True)
    status: Mapped[str] = mapped_column(String(20), index=True, default="open")
    description: Mapped[str] = mapped_column(Text)
    due_date: Mapped[date] = mapped_column(Date, index=True)
    response: Mapped[str | None] = mapped_column(Text)
    response_photo_ids: Mapped[str] = mapped_column(Text, default="[]")
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reopened: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RectificationStatusChange(StatusHistory, Base):
    __tablename__ = "rectification_status_changes"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    rectification_id: Mapped[int] = mapped_column(ForeignKey("rectifications.id", ondelete="CASCADE"), index=True)


# -- warnings (预警) -----------------------------------------------------------------------------

WARNING_KINDS = ("milestone_overdue", "no_daily_log", "outside_geofence", "rectification_overdue", "works_ending")
WARNING_SEVERITIES = ("low", "medium", "high")
WARNING_STATUSES = ("open", "acknowledged", "resolved")


class ProgressWarning(Base):
    """A warning raised by a rule, once per occurrence (``occurrence``: what makes this one
    distinct, e.g. the milestone and its planned date), until someone resolves it."""

    __tablename__ = "progress_warnings"
    __table_args__ = (
        UniqueConstraint("contract_id", "kind", "occurrence", name="uq_progress_warnings_once"),
        CheckConstraint(one_of("kind", WARNING_KINDS), name="kind"),
        CheckConstraint(one_of("severity", WARNING_SEVERITIES), name="severity"),
        CheckConstraint(one_of("status", WARNING_STATUSES), name="status"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id", ondelete="CASCADE"), index=True)
    region_code: Mapped[str] = mapped_column(String(6), index=True)
    kind: Mapped[str] = mapped_column(String(30), index=True)
    severity: Mapped[str] = mapped_column(String(10))
    occurrence: Mapped[str] = mapped_column(String(100))
    subject_type: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[int] = mapped_column(BigInteger)
    # The numbers behind it (JSON), from which its explanation is written in either language.
    details: Mapped[str] = mapped_column(Text, default="{}")
    status: Mapped[str] = mapped_column(String(20), index=True, default="open")
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_by: Mapped[str | None] = mapped_column(String(100))
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_by: Mapped[str | None] = mapped_column(String(100))
    resolution: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class WarningStatusChange(StatusHistory, Base):
    __tablename__ = "progress_warning_status_changes"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    warning_id: Mapped[int] = mapped_column(ForeignKey("progress_warnings.id", ondelete="CASCADE"), index=True)
