"""Construction progress (进度): daily logs and their photos, check-ins on site, and the
milestones of a contract in force, up to final acceptance (竣工验收).

Everything a phone sends carries an idempotency key, unique per contract: sent again (the
network dropped the answer), it returns what the first request made, and sent with other
content it is refused. A check-in or photo that looks wrong is accepted and flagged, never
refused: the record of what field staff sent is what supervision reads.

Milestones: planned → in_progress → submitted → accepted | rejected (and back to
in_progress). A milestone with a rectification not yet closed cannot be accepted (see
``quality``). Accepting a milestone makes the payment terms that wait for it due; accepting
the last one is the final acceptance: the contract is completed, the project too, the final
payment falls due and the retention's release date is set.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from models.contracts import Contract, ContractMilestone, PaymentTerm
from models.progress import CheckIn, DailyLog, DailyLogCorrection, MilestoneStatusChange, Rectification, SitePhoto
from models.projects import Project
from resolvers.contracts.reminders import add_months
from resolvers.contracts.service import get_contract, owns, party_of
from resolvers.contracts.service import transition as contract_transition
from resolvers.core.audit import changes_of
from resolvers.core.clock import SHANGHAI, today_in_china
from resolvers.core.context import UnitOfWork
from resolvers.core.errors import Forbidden, Problem, UserErrors
from resolvers.core.i18n import Label
from resolvers.core.lifecycle import StateMachine, Transition
from resolvers.core.scoped import get_in_scope
from resolvers.core.validation import Checks
from resolvers.progress import events, geo, photos, warnings
from resolvers.projects.service import PROJECT_LIFECYCLE, Upload, check_upload
from resolvers.projects.service import transition as project_transition
from resolvers.security.storage import Storage

MILESTONE_LIFECYCLE = StateMachine(
    "ContractMilestone",
    [
        Transition("start", {"planned", "rejected"}, "in_progress"),
        Transition("submit", {"in_progress"}, "submitted"),
        Transition("accept", {"submitted"}, "accepted"),
        Transition("reject", {"submitted"}, "rejected"),
    ],
    statuses="MilestoneStatus",
    actions="MilestoneAction",
)
# The works start with the first milestone and end with the last one's acceptance.
PROJECT_LIFECYCLE.add(
    Transition("start_works", {"contracted"}, "in_progress"),
    Transition("complete_works", {"in_progress"}, "completed"),
)
KEY_RE = re.compile(r"^[A-Za-z0-9_.:-]{8,64}$")
PHOTO_TYPES = ("image/jpeg", "image/png", "image/heic")


# -- who and what ----------------------------------------------------------------------------


async def _contract_in_force(uow: UnitOfWork, contract_id: int, *, lock: bool = False) -> Contract:
    contract = await get_contract(uow, contract_id, lock=lock)
    if contract.status != "active":
        raise UserErrors(Problem("CONTRACT_NOT_IN_FORCE", None, {"status": Label("ContractStatus", contract.status)}))
    return contract


def _require_party(uow: UnitOfWork, contract: Contract, *parties: str) -> str:
    party = party_of(uow.require_actor(), contract)
    if party not in parties:
        raise Forbidden("NOT_FOR_YOUR_PARTY", operation=uow.operation)
    return party


def _key(checks: Checks, value: str | None) -> str | None:
    if value is None or not KEY_RE.match(value):
        checks.add("INVALID_IDEMPOTENCY_KEY", "idempotencyKey")
        return None
    return value


async def _site(uow: UnitOfWork, contract: Contract) -> Project:
    project = await uow.session.get(Project, contract.project_id)
    assert project is not None
    return project


def flags_of(row: Any) -> list[str]:
    return json.loads(row.flags or "[]")


# -- daily logs ------------------------------------------------------------------------------


@dataclass
class LogData:
    """A log's fields; on an edit, None keeps a field as it is."""

    weather: str | None = None
    work_done: str | None = None
    crew_count: int | None = None
    machinery: str | None = None
    materials: str | None = None
    issues: str | None = None


def _log_fields(checks: Checks, data: LogData, creating: bool) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for name, limit, required in (("weather", 100, True), ("work_done", 5000, True)):
        value = getattr(data, name)
        if value is not None or creating:
            fields[name] = checks.text(_camel(name), value, limit, required=required)
    for name in ("machinery", "materials", "issues"):
        value = getattr(data, name)
        if value is not None:
            fields[name] = checks.text(_camel(name), value, 5000, required=False) or ""
    if data.crew_count is not None or creating:
        if data.crew_count is None:
            checks.add("REQUIRED", "crewCount")
        elif not 0 <= data.crew_count <= 10000:
            checks.add("NUMBER_OUT_OF_RANGE", "crewCount")
        else:
            fields["crew_count"] = data.crew_count
    return fields


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p.title() for p in rest)


async def create_daily_log(uow: UnitOfWork, contract_id: int, log_date: date, idempotency_key: str | None, data: LogData) -> DailyLog:
    """The contractor's log of one day of a contract in force: today, or an earlier day of
    the works period with no log yet. Sent again with the same key, it returns the first."""
    contract = await _contract_in_force(uow, contract_id, lock=True)
    _require_party(uow, contract, "contractor")
    checks = Checks()
    key = _key(checks, idempotency_key)
    if key is not None:
        earlier = (
            await uow.session.execute(select(DailyLog).where(DailyLog.contract_id == contract.id, DailyLog.idempotency_key == key))
        ).scalar_one_or_none()
        if earlier is not None:
            if earlier.log_date != log_date:
                raise UserErrors(Problem("IDEMPOTENCY_KEY_REUSED", "idempotencyKey"))
            return earlier
    today = today_in_china(uow.now)
    if log_date > today:
        checks.add("LOG_DATE_IN_FUTURE", "logDate")
    elif log_date < contract.works_start:
        checks.add("LOG_BEFORE_WORKS", "logDate", start=contract.works_start.isoformat())
    fields = _log_fields(checks, data, creating=True)
    existing = (
        await uow.session.execute(select(DailyLog.id).where(DailyLog.contract_id == contract.id, DailyLog.log_date == log_date))
    ).scalar_one_or_none()
    if existing is not None:
        checks.add("LOG_EXISTS", "logDate", day=log_date.isoformat())
    checks.raise_if_any()
    actor = uow.require_actor()
    log = DailyLog(
        contract_id=contract.id,
        region_code=contract.region_code,
        log_date=log_date,
        idempotency_key=key,
        created_by_id=actor.id if actor.kind == "user" else None,
        created_at=uow.now,
        updated_at=uow.now,
        **{"machinery": "", "materials": "", "issues": "", **fields},
    )
    uow.session.add(log)
    await uow.session.flush()
    uow.audit("DailyLog", log.id, changes_of(log, None), region_code=log.region_code)
    return log


async def _own_log(uow: UnitOfWork, log_id: int) -> tuple[DailyLog, Contract]:
    log = await get_in_scope(uow, DailyLog, log_id, lock=True)
    contract = await get_contract(uow, log.contract_id)
    _require_party(uow, contract, "contractor")
    return log, contract


async def update_daily_log(uow: UnitOfWork, log_id: int, data: LogData, expected_version: int | None = None) -> DailyLog:
    """Edit a log on its own day; afterwards it takes corrections only."""
    log, _ = await _own_log(uow, log_id)
    if today_in_china(uow.now) != log.log_date:
        raise UserErrors(Problem("LOG_CLOSED", None, {"day": log.log_date.isoformat()}))
    if expected_version is not None and expected_version != log.version:
        raise UserErrors(Problem("STALE_LOG_VERSION", "expectedVersion", {"expected": expected_version, "current": log.version}))
    checks = Checks()
    fields = _log_fields(checks, data, creating=False)
    checks.raise_if_any()
    before = changes_of(log, None)
    for name, value in fields.items():
        setattr(log, name, value)
    log.updated_at = uow.now
    await uow.session.flush()
    uow.audit("DailyLog", log.id, {"before": before, "after": changes_of(log, None)}, region_code=log.region_code)
    return log


async def correct_daily_log(uow: UnitOfWork, log_id: int, text: str | None) -> DailyLogCorrection:
    """A correction appended to a log after its day (on its day, edit it instead)."""
    log, _ = await _own_log(uow, log_id)
    if today_in_china(uow.now) == log.log_date:
        raise UserErrors(Problem("LOG_STILL_OPEN", None))
    checks = Checks()
    text = checks.text("text", text, 5000)
    checks.raise_if_any()
    assert text is not None
    actor = uow.require_actor()
    correction = DailyLogCorrection(
        log_id=log.id,
        contract_id=log.contract_id,
        text=text,
        created_by_id=actor.id if actor.kind == "user" else None,
        created_by_name=actor.display_name,
        created_at=uow.now,
    )
    uow.session.add(correction)
    await uow.session.flush()
    uow.audit("DailyLog", log.id, {"correction": text}, region_code=log.region_code)
    return correction


# -- photos ----------------------------------------------------------------------------------


async def upload_site_photo(uow: UnitOfWork, storage: Storage, log_id: int, idempotency_key: str | None, upload: Upload) -> SitePhoto:
    """A photo of a log: the original kept by its SHA-256, a thumbnail made, EXIF read.
    Flagged when its EXIF position lies outside the site's fence, or when it was taken more
    than ``progress_photo_capture_max_hours`` from its log's day. Sent again with the same
    key it returns the first upload; with the same key and other bytes it is refused."""
    log, contract = await _own_log(uow, log_id)
    if contract.status != "active":
        raise UserErrors(Problem("CONTRACT_NOT_IN_FORCE", None, {"status": Label("ContractStatus", contract.status)}))
    checks = Checks()
    key = _key(checks, idempotency_key)
    filename, media = check_upload(checks, "file", upload, uow.settings.upload_max_bytes)
    if media is not None and media.mime not in PHOTO_TYPES:
        checks.add("NOT_A_PHOTO", "file")
    checks.raise_if_any()
    assert key is not None and media is not None
    digest = hashlib.sha256(upload.data).hexdigest()
    earlier = (
        await uow.session.execute(select(SitePhoto).where(SitePhoto.contract_id == contract.id, SitePhoto.idempotency_key == key))
    ).scalar_one_or_none()
    if earlier is not None:
        if earlier.sha256 != digest or earlier.log_id != log.id:
            raise UserErrors(Problem("IDEMPOTENCY_KEY_REUSED", "idempotencyKey"))
        return earlier
    try:
        info = photos.read_photo(upload.data)
    except photos.PhotoError as exc:
        raise UserErrors(Problem("PHOTO_UNREADABLE", "file", {"reason": Label("PhotoProblem", exc.reason)})) from None
    key_original, created = await storage.put(upload.data)
    if created:
        uow.on_rollback(lambda: storage.delete(key_original))
    key_thumbnail, created_thumbnail = await storage.put(info.thumbnail)
    if created_thumbnail:
        uow.on_rollback(lambda: storage.delete(key_thumbnail))
    flags: list[str] = []
    site = await _site(uow, contract)
    distance = None
    if info.latitude is not None and info.longitude is not None and site.latitude is not None and site.longitude is not None:
        distance = geo.distance_m(info.latitude, info.longitude, site.latitude, site.longitude)
        if site.geofence_radius_m is not None and distance > site.geofence_radius_m:
            flags.append("outside_geofence")
    else:
        flags.append("no_position")
    if info.captured_at is not None:
        day_start = datetime(log.log_date.year, log.log_date.month, log.log_date.day, tzinfo=SHANGHAI)
        window = timedelta(hours=uow.settings.progress_photo_capture_max_hours)
        if not day_start - window <= info.captured_at <= day_start + timedelta(days=1) + window:
            flags.append("capture_time_off")
    actor = uow.require_actor()
    photo = SitePhoto(
        contract_id=contract.id,
        log_id=log.id,
        idempotency_key=key,
        filename=filename,
        media_type=info.media_type,
        size=len(upload.data),
        width=info.width,
        height=info.height,
        sha256=digest,
        storage_key=key_original,
        thumbnail_key=key_thumbnail,
        captured_at=info.captured_at,
        latitude=info.latitude,
        longitude=info.longitude,
        distance_m=distance,
        flags=json.dumps(flags),
        uploaded_by_id=actor.id if actor.kind == "user" else None,
        uploaded_at=uow.now,
    )
    uow.session.add(photo)
    await uow.session.flush()
    uow.audit("SitePhoto", photo.id, {"log": log.id, "sha256": digest, "flags": flags}, region_code=log.region_code)
    if "outside_geofence" in flags:
        await warnings.warn_outside_geofence(uow, contract, "photo", photo.id, distance, flags)
    return photo


# -- check-ins -------------------------------------------------------------------------------


@dataclass
class Position:
    latitude: float
    longitude: float
    accuracy_m: float
    datum: str
    device_time: datetime


async def check_in(uow: UnitOfWork, contract_id: int, idempotency_key: str | None, position: Position) -> CheckIn:
    """A check-in on the site of a contract in force, by the contractor's or the supervisor's
    people. The position is converted to WGS-84 (the site's datum) before it is measured;
    outside the fence, a worse accuracy than ``progress_checkin_max_accuracy_m`` and a device
    clock more than ``progress_device_time_skew_seconds`` off are flagged, not refused."""
    contract = await _contract_in_force(uow, contract_id)
    _require_party(uow, contract, "contractor", "supervisor")
    checks = Checks()
    key = _key(checks, idempotency_key)
    problem = geo.check_coordinates(position.latitude, position.longitude)
    if problem is not None:
        checks.add("INVALID_POSITION", "latitude", reason=Label("PositionProblem", problem))
    if position.datum not in geo.DATUMS:
        checks.add("INVALID_DATUM", "datum")
    if not 0 <= position.accuracy_m <= 100_000 or position.accuracy_m != position.accuracy_m:
        checks.add("NUMBER_OUT_OF_RANGE", "accuracy")
    checks.raise_if_any()
    assert key is not None
    earlier = (
        await uow.session.execute(select(CheckIn).where(CheckIn.contract_id == contract.id, CheckIn.idempotency_key == key))
    ).scalar_one_or_none()
    if earlier is not None:
        if (earlier.latitude, earlier.longitude, earlier.datum) != (position.latitude, position.longitude, position.datum):
            raise UserErrors(Problem("IDEMPOTENCY_KEY_REUSED", "idempotencyKey"))
        return earlier
    lat, lon = geo.to_wgs84(position.latitude, position.longitude, position.datum)
    site = await _site(uow, contract)
    flags: list[str] = []
    distance = None
    if site.latitude is not None and site.longitude is not None:
        distance = geo.distance_m(lat, lon, site.latitude, site.longitude)
        if site.geofence_radius_m is not None and distance > site.geofence_radius_m:
            flags.append("outside_geofence")
    if position.accuracy_m > uow.settings.progress_checkin_max_accuracy_m or position.accuracy_m == 0:
        flags.append("implausible_accuracy")
    if abs((position.device_time - uow.now).total_seconds()) > uow.settings.progress_device_time_skew_seconds:
        flags.append("device_time_off")
    actor = uow.require_actor()
    row = CheckIn(
        contract_id=contract.id,
        region_code=contract.region_code,
        user_id=actor.id if actor.kind == "user" else None,
        user_name=actor.display_name,
        idempotency_key=key,
        datum=position.datum,
        latitude=position.latitude,
        longitude=position.longitude,
        wgs84_latitude=lat,
        wgs84_longitude=lon,
        accuracy_m=position.accuracy_m,
        device_time=position.device_time,
        checked_in_at=uow.now,
        distance_m=distance,
        flags=json.dumps(flags),
    )
    uow.session.add(row)
    await uow.session.flush()
    uow.audit("CheckIn", row.id, {"distance_m": distance, "flags": flags, "datum": position.datum}, region_code=row.region_code)
    if "outside_geofence" in flags:
        await warnings.warn_outside_geofence(uow, contract, "check_in", row.id, distance, flags)
    return row


# -- milestones ------------------------------------------------------------------------------


async def _milestone(uow: UnitOfWork, milestone_id: int) -> tuple[ContractMilestone, Contract]:
    milestone = await get_in_scope(uow, ContractMilestone, milestone_id, lock=True)
    contract = await _contract_in_force(uow, milestone.contract_id, lock=True)
    return milestone, contract


def _move(uow: UnitOfWork, milestone: ContractMilestone, contract: Contract, action: str, comment: str | None) -> None:
    if not MILESTONE_LIFECYCLE.allows(action, milestone.status):
        MILESTONE_LIFECYCLE.target(action, milestone.status)  # raises INVALID_TRANSITION with the labels
    MILESTONE_LIFECYCLE.apply(
        uow,
        milestone,
        action,
        MilestoneStatusChange,
        "milestone_id",
        comment,
        region_code=contract.region_code,
        extra={"contract_id": contract.id},
    )


async def _move_project(uow: UnitOfWork, contract: Contract, action: str) -> None:
    project = await uow.session.get(Project, contract.project_id, with_for_update=True)
    assert project is not None
    if PROJECT_LIFECYCLE.allows(action, project.status):
        await project_transition(uow, project, action, contract.code)


async def start_milestone(uow: UnitOfWork, milestone_id: int) -> ContractMilestone:
    """The contractor starts work on a milestone (or resumes a rejected one). The first
    started milestone starts the project's works."""
    milestone, contract = await _milestone(uow, milestone_id)
    _require_party(uow, contract, "contractor")
    _move(uow, milestone, contract, "start", None)
    await _move_project(uow, contract, "start_works")
    await uow.session.flush()
    return milestone


async def submit_milestone(uow: UnitOfWork, milestone_id: int, note: str | None) -> ContractMilestone:
    """The contractor asks for acceptance (申请验收), saying what was done."""
    milestone, contract = await _milestone(uow, milestone_id)
    _require_party(uow, contract, "contractor")
    checks = Checks()
    note = checks.text("note", note, 5000)
    checks.raise_if_any()
    _move(uow, milestone, contract, "submit", note)
    await uow.session.flush()
    await events.milestone_submitted(uow, contract, milestone)
    return milestone


async def reject_milestone(uow: UnitOfWork, milestone_id: int, reason: str | None) -> ContractMilestone:
    milestone, contract = await _milestone(uow, milestone_id)
    if not owns(uow.require_actor(), contract):
        raise Forbidden("NOT_CONTRACT_OWNER", operation=uow.operation)
    checks = Checks()
    reason = checks.text("reason", reason, 5000)
    checks.raise_if_any()
    _move(uow, milestone, contract, "reject", reason)
    await uow.session.flush()
    await events.milestone_rejected(uow, contract, milestone, reason or "")
    return milestone


async def accept_milestone(uow: UnitOfWork, milestone_id: int, comment: str | None) -> ContractMilestone:
    """Owner staff accept a submitted milestone: the terms paid on it fall due. The last
    milestone's acceptance is the final acceptance: the contract and its project complete,
    the final payment falls due and the retention's release date is set."""
    milestone, contract = await _milestone(uow, milestone_id)
    if not owns(uow.require_actor(), contract):
        raise Forbidden("NOT_CONTRACT_OWNER", operation=uow.operation)
    checks = Checks()
    comment = checks.text("comment", comment, 5000, required=False)
    checks.raise_if_any()
    unresolved = (
        await uow.session.execute(
            select(func.count(Rectification.id)).where(Rectification.milestone_id == milestone.id, Rectification.status != "closed")
        )
    ).scalar_one()
    if unresolved:
        raise UserErrors(Problem("UNRESOLVED_RECTIFICATIONS", None, {"count": unresolved}))
    _move(uow, milestone, contract, "accept", comment)
    milestone.accepted_at = uow.now
    today = today_in_china(uow.now)
    terms = list((await uow.session.execute(select(PaymentTerm).where(PaymentTerm.contract_id == contract.id))).scalars())
    payable = [t for t in terms if t.trigger_on == "milestone" and t.milestone_id == milestone.id and t.status == "scheduled"]
    for term in payable:
        term.status, term.due_on = (
            "due",
            today + timedelta(days=term.due_days if term.due_days is not None else uow.settings.progress_payment_due_days),
        )
    await uow.session.flush()
    remaining = (
        await uow.session.execute(
            select(func.count(ContractMilestone.id)).where(
                ContractMilestone.contract_id == contract.id, ContractMilestone.status != "accepted"
            )
        )
    ).scalar_one()
    await events.milestone_accepted(uow, contract, milestone, payable, final=remaining == 0)
    if remaining == 0:
        final = [t for t in terms if t.trigger_on == "final_acceptance" and t.status == "scheduled"]
        for term in final:
            term.status, term.due_on = (
                "due",
                today + timedelta(days=term.due_days if term.due_days is not None else uow.settings.progress_payment_due_days),
            )
        for term in terms:
            if term.trigger_on == "retention" and term.status == "scheduled":
                term.due_on = add_months(today, contract.defect_liability_months)
        contract_transition(uow, contract, "complete", comment)
        contract.completed_at = uow.now
        await _move_project(uow, contract, "complete_works")
        await uow.session.flush()
        await events.contract_completed(uow, contract, final)
    return milestone
