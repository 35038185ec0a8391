"""Exports (导出): any registered source (``resolvers.supervision.sources``: every list and
report) streamed to an XLSX or CSV file for the person who asked, fetched through a signed
download link.

- ``start_export`` checks the source's arguments (its ``parse``) and that the caller may run
  the source's root field (the same policy line as the list or report itself), counts the
  rows, and records the job (QUEUED). Once that commits, a small export (at most
  ``SMALLWORKS_EXPORT_INLINE_MAX_ROWS`` rows) is written at once, in the request; a larger one
  is queued for the worker as the background job ``run_export``.
- ``run_export`` claims the job (RUNNING, a new attempt), makes the requester an actor again
  (row scope and permissions as they are now, not as they were when asked), reads the rows
  from one snapshot of the database in batches and writes them to a temporary file as they
  come (XlsxWriter in constant-memory mode, or CSV with a UTF-8 byte-order mark so that Excel
  reads the Chinese text), reports its progress every ``SMALLWORKS_EXPORT_PROGRESS_ROWS``
  rows in a short transaction of its own, stores the file, and sets the job READY with an
  ``export.ready`` notification to the requester.
- It is idempotent: a job that is no longer queued or running is left alone, so a second run
  does nothing; a run cut off half-way leaves the job RUNNING and the next run claims it again
  and starts over; a run whose job was claimed by a later run, or cancelled, stops at its next
  progress report and writes nothing more.
- ``expire_exports`` (a scheduled rule) deletes ready files after
  ``SMALLWORKS_EXPORT_RETENTION_HOURS`` (the job is then EXPIRED), and fails jobs that stopped
  moving for ``SMALLWORKS_EXPORT_STALE_MINUTES`` (their worker was lost).

Cells: coded values are the labels the source wrote in the requester's language; money is a
number with two decimals; times are China time, with their offset in CSV and as Excel times in
XLSX, the header saying so. A text cell is always text: never an Excel formula in XLSX, and
in CSV one that would start a formula is preceded by an apostrophe.
"""

from __future__ import annotations

import asyncio
import csv
import json
import logging
import re
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, Protocol

import xlsxwriter  # type: ignore[import-untyped]
from sqlalchemy import select, update

from models.base import FEN
from models.supervision import EXPORT_FORMATS, OPEN_EXPORT_STATES, ExportJob
from policies.engine import PolicyEngine
from policies.gate import may_run
from policies.scope import scope_for
from policies.subject import Actor as Subject
from resolvers.accounts.auth import load_actor_by_id
from resolvers.core import outbox
from resolvers.core.audit import canonical_json
from resolvers.core.clock import SHANGHAI, china_time
from resolvers.core.context import SYSTEM_ACTOR, Actor, RequestMeta, UnitOfWork
from resolvers.core.errors import BadInput, Conflict, Forbidden, NotFound, Problem, UserErrors
from resolvers.core.i18n import Label, register, register_labels
from resolvers.core.jobs import background_job, scheduled
from resolvers.core.pagination import ListQuery
from resolvers.core.transaction import rowcount, unit_of_work
from resolvers.permissions.grants import with_grants
from resolvers.security.storage import LocalStorage
from resolvers.supervision import list_sources  # noqa: F401  (registers the lists as export sources)
from resolvers.supervision.sources import EXPORT_SOURCES, Column, ExportContext, ExportSource

log = logging.getLogger("smallworks.exports")

register(
    "supervision",
    {
        "EXPORT_TOO_LARGE": (
            "该导出共 {total} 行，超过单个文件 {limit} 行的上限，请缩小筛选范围后再导出。",
            "The export has {total} rows, over the limit of {limit} rows per file; narrow the filters and export again.",
        ),
        "EXPORT_NOT_CANCELLABLE": (
            "导出任务当前为“{state}”，只有排队中或生成中的任务可以取消。",
            "The export is “{state}”; only a queued or running export can be cancelled.",
        ),
    },
)

# Refusals that are GraphQL errors, and why a job failed (its ``errorMessage``).
register(
    "supervision",
    {
        "EXPORT_SOURCE_UNKNOWN": ("没有名为 {source} 的导出类型。", "There is no export of kind {source}."),
        "EXPORT_FORMAT_UNKNOWN": ("导出文件格式须为 XLSX 或 CSV。", "An export is written as XLSX or CSV."),
        "EXPORT_FAILED": ("生成导出文件时出错，请重新发起导出。", "Writing the export failed; start it again."),
        "EXPORT_INTERRUPTED": (
            "导出任务长时间没有进展，已中止，请重新发起导出。",
            "The export made no progress for too long and was stopped; start it again.",
        ),
        "EXPORT_REQUESTER_INACTIVE": (
            "发起导出的账号已停用，未生成文件。",
            "The account that asked for the export is no longer active; nothing was written.",
        ),
        "EXPORT_NOT_ALLOWED": ("发起人已无权查看这些数据，未生成文件。", "The requester may no longer see this data; nothing was written."),
        "EXPORT_NOT_QUEUED": ("导出任务未能进入后台队列，请稍后重新发起。", "The export could not be queued; start it again later."),
        "EXPORT_SOURCE_GONE": ("该导出类型已不再提供。", "This kind of export is no longer offered."),
        "EXPORT_GREW_TOO_LARGE": (
            "数据行数已超过单个文件的上限，请缩小筛选范围后再导出。",
            "The rows now exceed the limit of one file; narrow the filters and export again.",
        ),
        "EXPORT_NOT_READY": ("导出文件尚未生成。", "The export file is not ready yet."),
        "EXPORT_EXPIRED": (
            "导出文件已过保留期并删除，请重新导出。",
            "The export file was kept for its retention period and deleted; export again.",
        ),
    },
    user_errors=False,
)

register_labels(
    "ExportFormat",
    {"xlsx": ("Excel 工作簿（XLSX）", "Excel workbook (XLSX)"), "csv": ("CSV 文本（UTF-8）", "CSV text (UTF-8)")},
)
register_labels(
    "ExportState",
    {
        "queued": ("排队中", "Queued"),
        "running": ("生成中", "Running"),
        "ready": ("可下载", "Ready"),
        "failed": ("失败", "Failed"),
        "expired": ("已过期", "Expired"),
        "cancelled": ("已取消", "Cancelled"),
    },
)
register_labels("ExportJobAction", {"cancel": ("取消导出", "Cancel")})
register_labels("ObjectType", {"ExportJob": ("导出任务", "Export job")})

# What the viewer may do to a job, and the mutation that does it.
EXPORT_ACTIONS = {"cancel": "cancelExport"}


def label_sources() -> dict[str, ExportSource]:
    """Every registered source, each labelled by its title in the ``ExportSource`` set.
    Sources register from several modules of the domain: call this once they are loaded."""
    register_labels("ExportSource", {name: source.title for name, source in EXPORT_SOURCES.items()})
    return EXPORT_SOURCES


label_sources()


# -- files ------------------------------------------------------------------------------------

MEDIA_TYPES = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "csv": "text/csv; charset=utf-8"}
CHINA_TIME = ("（北京时间）", " (China time, UTC+8)")
# A CSV cell starting with one of these would be read by a spreadsheet as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
XLSX_TEXT_MAX = 32_767


def export_root(settings: Any) -> Path:
    """Where export files live: ``SMALLWORKS_EXPORT_DIR``, else ``exports`` under the storage directory."""
    return Path(settings.export_dir) if settings.export_dir else Path(settings.storage_dir) / "exports"


def export_storage(settings: Any) -> LocalStorage:
    return LocalStorage(export_root(settings))


def header(column: Column, locale: str) -> str:
    zh, en = column.title
    text = en if locale == "en" else zh
    if column.kind == "datetime":
        text += CHINA_TIME[1] if locale == "en" else CHINA_TIME[0]
    return text


def in_china(moment: datetime) -> datetime:
    return moment.astimezone(SHANGHAI)


def csv_cell(kind: str, value: Any) -> str:
    if value is None:
        return ""
    if kind == "money":
        return f"{Decimal(value).quantize(FEN)}"
    if kind in ("decimal", "percent"):  # a percent is a fraction: 0.25 is 25 %
        return format(Decimal(value), "f")
    if kind == "integer":
        return str(int(value))
    if kind == "date":
        return value.isoformat()
    if kind == "datetime":
        return in_china(value).isoformat(timespec="seconds")
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


class CsvSink:
    """Rows as CSV, UTF-8 with a byte-order mark, written as they come."""

    def __init__(self, path: Path, columns: Sequence[Column], locale: str, title: str):
        self.kinds = [c.kind for c in columns]
        self.handle = open(path, "w", encoding="utf-8-sig", newline="")
        self.writer = csv.writer(self.handle)
        self.writer.writerow([header(c, locale) for c in columns])

    def write_rows(self, rows: Sequence[Sequence[Any]]) -> None:
        kinds = self.kinds
        self.writer.writerows([csv_cell(k, v) for k, v in zip(kinds, row, strict=True)] for row in rows)

    def close(self) -> None:
        self.handle.close()


def sheet_name(title: str) -> str:
    """A worksheet name Excel accepts: at most 31 characters, none of ``[]:*?/\\``."""
    return re.sub(r"[\[\]:*?/\\]", " ", title).strip("' ")[:31] or "Sheet1"


class XlsxSink:
    """Rows as one worksheet, each row flushed to disk as soon as it is written
    (XlsxWriter's constant-memory mode), so memory stays flat however many rows."""

    NUMBER_FORMATS = {"money": "#,##0.00", "percent": "0.00%", "date": "yyyy-mm-dd", "datetime": "yyyy-mm-dd hh:mm:ss"}

    def __init__(self, path: Path, columns: Sequence[Column], locale: str, title: str):
        self.book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "tmpdir": str(path.parent)})
        self.sheet = self.book.add_worksheet(sheet_name(title))
        self.formats = {kind: self.book.add_format({"num_format": spec}) for kind, spec in self.NUMBER_FORMATS.items()}
        bold = self.book.add_format({"bold": True})
        self.kinds = [c.kind for c in columns]
        for index, column in enumerate(columns):
            text = header(column, locale)
            width = {"money": 16, "date": 12, "datetime": 20, "integer": 10}.get(column.kind, max(12, min(40, 2 * len(text))))
            self.sheet.set_column(index, index, width)
            self.sheet.write_string(0, index, text, bold)
        self.sheet.freeze_panes(1, 0)
        self.row = 1

    def write_rows(self, rows: Sequence[Sequence[Any]]) -> None:
        sheet, formats = self.sheet, self.formats
        for values in rows:
            for index, (kind, value) in enumerate(zip(self.kinds, values, strict=True)):
                if value is None:
                    continue
                if kind in ("money", "decimal", "percent"):
                    sheet.write_number(self.row, index, float(value), formats.get(kind))
                elif kind == "integer":
                    sheet.write_number(self.row, index, int(value))
                elif kind == "date":
                    sheet.write_datetime(self.row, index, value, formats["date"])
                elif kind == "datetime":
                    sheet.write_datetime(self.row, index, in_china(value).replace(tzinfo=None), formats["datetime"])
                else:
                    sheet.write_string(self.row, index, str(value)[:XLSX_TEXT_MAX])
            self.row += 1

    def close(self) -> None:
        self.book.close()


class Sink(Protocol):
    def write_rows(self, rows: Sequence[Sequence[Any]]) -> None: ...

    def close(self) -> None: ...


SINKS: dict[str, type[Sink]] = {"xlsx": XlsxSink, "csv": CsvSink}


def file_name(title: str, moment: datetime, export_format: str) -> str:
    stem = re.sub(r'[\\/:*?"<>|\x00-\x1f]', "_", title)
    return f"{stem}-{in_china(moment):%Y%m%d-%H%M%S}.{export_format}"


# -- starting ---------------------------------------------------------------------------------


def allowed(policy: PolicyEngine, actor: Subject, source: ExportSource) -> bool:
    """Whether the policy lets ``actor`` run the source's own root field (the list or report)."""
    parent, _, field = source.operation.partition(".")
    return may_run(policy, actor, parent, field)


async def start_export(uow: UnitOfWork, state: Any, source_name: str, export_format: str, arguments: Any) -> ExportJob:
    """Record an export of ``source_name`` for the caller; once the transaction commits it
    is written at once (small) or queued for the worker (``hand_over``). FORBIDDEN unless
    the caller may run the source's root field; bad arguments are BAD_USER_INPUT; more rows
    than one file holds is EXPORT_TOO_LARGE. Nothing is recorded or queued when refused."""
    actor = uow.require_actor()
    source = label_sources().get(source_name)
    if source is None:
        raise BadInput("EXPORT_SOURCE_UNKNOWN", source=source_name)
    if export_format not in EXPORT_FORMATS:
        raise BadInput("EXPORT_FORMAT_UNKNOWN")
    await uow.policy.ready()
    if actor.kind != "user" or not allowed(uow.policy, actor, source):
        raise Forbidden(operation=source.operation)
    parsed = dict(source.parse(arguments if arguments is not None else {}))
    total = None
    if source.total is not None:
        total = await source.total(ExportContext(session=uow.session, actor=actor, settings=uow.settings, locale=uow.meta.locale), parsed)
    limit = uow.settings.export_max_rows
    if total is not None and total > limit:
        raise UserErrors(Problem("EXPORT_TOO_LARGE", "arguments", {"total": f"{total:,}", "limit": f"{limit:,}"}))
    job = ExportJob(
        user_id=actor.id,
        organisation_id=actor.organisation_id,
        region_code=actor.region_code,
        source=source.name,
        format=export_format,
        arguments=canonical_json(parsed),
        locale=uow.meta.locale,
        state="queued",
        progress=0,
        rows_written=0,
        total_rows=total,
        attempt=0,
        created_at=uow.now,
        updated_at=uow.now,
    )
    uow.session.add(job)
    await uow.session.flush()
    uow.audit(
        "ExportJob",
        job.id,
        {"state": {"before": None, "after": "queued"}, "source": source.name, "format": export_format, "arguments": parsed, "rows": total},
        region_code=actor.region_code,
    )
    inline = total is not None and total <= uow.settings.export_inline_max_rows
    job_id = job.id

    async def hand_over_after_commit() -> None:
        await hand_over(state, job_id, inline)

    uow.after_commit(hand_over_after_commit)
    return job


async def hand_over(state: Any, job_id: int, inline: bool) -> None:
    """Write a small export now; queue a larger one for the worker (job id ``export-<id>``,
    queued once). A job the queue did not take is failed at once, not left waiting."""
    if inline:
        await run_export(state, job_id, notify=False)
        return
    try:
        await state.dispatcher.enqueue_job("run_export", job_id, job_id=f"export-{job_id}")
    except Exception:
        log.exception("export %s could not be queued", job_id)
        await _fail(state, job_id, None, "EXPORT_NOT_QUEUED", notify=False)


# -- running ----------------------------------------------------------------------------------


class Superseded(Exception):
    """The job was claimed by a later run, or cancelled: this run stops and writes nothing."""


class Stop(Exception):
    """The job cannot be written, for the reason its code says."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Claimed:
    id: int
    attempt: int
    user_id: int
    region_code: str
    source: str
    format: str
    arguments: dict[str, Any]
    locale: str


def work_dir(settings: Any, job_id: int, attempt: int) -> Path:
    """The temporary directory of one run (the file and XlsxWriter's own temporary files),
    beside the stored files so that the finished file is moved into place, not copied."""
    return export_root(settings) / ".work" / f"export-{job_id}-{attempt}"


async def _claim(state: Any, job_id: int) -> Claimed | None:
    async with state.db.write() as session:
        job = (await session.execute(select(ExportJob).where(ExportJob.id == job_id).with_for_update())).scalar_one_or_none()
        if job is None or job.state not in OPEN_EXPORT_STATES:
            return None
        now = state.clock.now()
        job.state, job.attempt, job.started_at, job.updated_at = "running", job.attempt + 1, now, now
        job.progress, job.rows_written = 0, 0
        claimed = Claimed(job.id, job.attempt, job.user_id, job.region_code, job.source, job.format, json.loads(job.arguments), job.locale)
    # What earlier attempts of this job left behind, if they were cut off.
    for leftover in (export_root(state.settings) / ".work").glob(f"export-{job_id}-*"):
        await asyncio.to_thread(shutil.rmtree, leftover, True)
    return claimed


async def _requester(state: Any, job: Claimed) -> tuple[Actor, ExportSource]:
    async with state.db.read() as session:
        actor = await load_actor_by_id(session, "user", job.user_id)
    if actor is None:
        raise Stop("EXPORT_REQUESTER_INACTIVE")
    # The roles granted to the requester count as they do in a request (row scope and gate).
    actor = await with_grants(state.policy, actor, state.clock.now())
    source = label_sources().get(job.source)
    if source is None:
        raise Stop("EXPORT_SOURCE_GONE")
    await state.policy.ready()
    if not allowed(state.policy, actor, source):
        raise Stop("EXPORT_NOT_ALLOWED")
    return actor, source


def progress_of(written: int, total: int | None) -> int:
    """Percent done while running: 99 at most until the file is stored (READY is 100)."""
    return min(99, written * 100 // total) if total else 0


async def _report(state: Any, job: Claimed, written: int, total: int | None) -> None:
    async with state.db.write() as session:
        result = await session.execute(
            update(ExportJob)
            .where(ExportJob.id == job.id, ExportJob.attempt == job.attempt, ExportJob.state == "running")
            .values(progress=progress_of(written, total), rows_written=written, total_rows=total, updated_at=state.clock.now())
        )
    if rowcount(result) == 0:
        raise Superseded()


async def _write(state: Any, job: Claimed, actor: Actor, source: ExportSource, path: Path) -> int:
    """Stream the source's rows into ``path``; returns how many were written."""
    settings = state.settings
    columns = list(source.columns(job.arguments))
    title = source.title[1] if job.locale == "en" else source.title[0]
    sink = await asyncio.to_thread(SINKS[job.format], path, columns, job.locale, title)
    written = 0
    try:
        async with state.db.snapshot() as session:
            ctx = ExportContext(session=session, actor=actor, settings=settings, locale=job.locale)
            total = await source.total(ctx, job.arguments) if source.total is not None else None
            if total is not None and total > settings.export_max_rows:
                raise Stop("EXPORT_GREW_TOO_LARGE")
            await _report(state, job, 0, total)
            next_report = settings.export_progress_rows
            batch: list[Sequence[Any]] = []
            async for row in source.rows(ctx, job.arguments):
                batch.append(row)
                if len(batch) < settings.export_batch_rows:
                    continue
                await asyncio.to_thread(sink.write_rows, batch)
                written, batch = written + len(batch), []
                if written > settings.export_max_rows:
                    raise Stop("EXPORT_GREW_TOO_LARGE")
                if written >= next_report:
                    await _report(state, job, written, total)
                    next_report = written + settings.export_progress_rows
            if batch:
                await asyncio.to_thread(sink.write_rows, batch)
                written += len(batch)
    finally:
        await asyncio.to_thread(sink.close)
    return written


@background_job
async def run_export(state: Any, job_id: int, notify: bool = True) -> str:
    """Write one export job (see the module's description); ``notify``: tell the requester
    when it is ready or failed (a job written in the request needs no notification)."""
    job = await _claim(state, job_id)
    if job is None:
        return "nothing to do"
    work = work_dir(state.settings, job.id, job.attempt)
    try:
        await asyncio.to_thread(work.mkdir, parents=True, exist_ok=True)
        actor, source = await _requester(state, job)
        path = work / f"export.{job.format}"
        written = await _write(state, job, actor, source, path)
        key, size = await export_storage(state.settings).put_file(path)
        return await _finish(state, job, source, key, size, written, notify)
    except Superseded:
        return "superseded"
    except Stop as stop:
        await _fail(state, job.id, job.attempt, stop.code, notify)
        return stop.code
    except Exception:
        log.exception("export %s failed", job.id)
        await _fail(state, job.id, job.attempt, "EXPORT_FAILED", notify)
        return "EXPORT_FAILED"
    finally:
        await asyncio.to_thread(shutil.rmtree, work, True)


def _meta(job_id: int) -> RequestMeta:
    return RequestMeta(request_id=f"export-{job_id}")


async def _finish(state: Any, job: Claimed, source: ExportSource, key: str, size: int, written: int, notify: bool) -> str:
    settings = state.settings
    async with unit_of_work(state, "job.run_export", SYSTEM_ACTOR, _meta(job.id)) as uow:
        row = (await uow.session.execute(select(ExportJob).where(ExportJob.id == job.id).with_for_update())).scalar_one()
        if row.state != "running" or row.attempt != job.attempt:
            superseded = True
        else:
            superseded = False
            now = uow.now
            title = source.title[1] if job.locale == "en" else source.title[0]
            row.state, row.progress, row.rows_written, row.total_rows = "ready", 100, written, written
            row.storage_key, row.sha256, row.size = key, key, size
            row.filename, row.media_type = file_name(title, now, job.format), MEDIA_TYPES[job.format]
            row.finished_at, row.updated_at = now, now
            row.expires_at = now + timedelta(hours=settings.export_retention_hours)
            uow.audit(
                "ExportJob",
                row.id,
                {"state": {"before": "running", "after": "ready"}, "rows": written, "size": size, "sha256": key},
                region_code=row.region_code,
            )
            if notify:
                payload = {
                    "source": row.source,
                    "format": row.format,
                    "rows": written,
                    "filename": row.filename,
                    "expires": china_time(row.expires_at),
                }
                outbox.record(uow, "export.ready", "ExportJob", row.id, payload, [row.user_id], region_code=row.region_code)
    if superseded:
        await _discard(state, {key})
        return "superseded"
    return f"ready: {written} rows"


async def _fail(state: Any, job_id: int, attempt: int | None, code: str, notify: bool) -> None:
    """Fail the job (if it is still open and, given ``attempt``, still this run's)."""
    async with unit_of_work(state, "job.run_export", SYSTEM_ACTOR, _meta(job_id)) as uow:
        row = (await uow.session.execute(select(ExportJob).where(ExportJob.id == job_id).with_for_update())).scalar_one_or_none()
        if row is None or row.state not in OPEN_EXPORT_STATES or (attempt is not None and row.attempt != attempt):
            return
        before = row.state
        row.state, row.error_code, row.finished_at, row.updated_at = "failed", code, uow.now, uow.now
        uow.audit("ExportJob", row.id, {"state": {"before": before, "after": "failed"}, "error": code}, region_code=row.region_code)
        if notify:
            payload = {"source": row.source, "format": row.format, "error": code}
            outbox.record(uow, "export.failed", "ExportJob", row.id, payload, [row.user_id], region_code=row.region_code)


async def _discard(state: Any, keys: set[str]) -> None:
    """Delete stored files that no ready job names (two exports of the same rows may make
    the same file, stored once)."""
    async with state.db.read() as session:
        kept = set(
            (
                await session.execute(select(ExportJob.storage_key).where(ExportJob.storage_key.in_(keys), ExportJob.state == "ready"))
            ).scalars()
        )
    storage = export_storage(state.settings)
    for key in keys - kept:
        await storage.delete(key)


# -- cancelling, listing, downloading ---------------------------------------------------------


def export_actions(actor: Subject, row: Any) -> list[str]:
    """What ``actor`` may do to the job now: its requester may cancel it while it is open."""
    own = actor.kind == "user" and actor.id == row.user_id
    return ["cancel"] if own and row.state in OPEN_EXPORT_STATES else []


async def cancel_export(uow: UnitOfWork, job_id: int) -> ExportJob:
    """Cancel one's own queued or running export; a running one stops at its next progress
    report. NOT_FOUND for someone else's."""
    actor = uow.require_actor()
    stmt = select(ExportJob).where(ExportJob.id == job_id, scope_for(ExportJob)(actor)).with_for_update()
    job = (await uow.session.execute(stmt)).scalar_one_or_none()
    if job is None:
        raise NotFound()
    if "cancel" not in export_actions(actor, job):
        raise UserErrors(Problem("EXPORT_NOT_CANCELLABLE", "id", {"state": Label("ExportState", job.state)}))
    before = job.state
    job.state, job.finished_at, job.updated_at = "cancelled", uow.now, uow.now
    uow.audit("ExportJob", job.id, {"state": {"before": before, "after": "cancelled"}}, region_code=job.region_code)
    return job


def export_jobs(actor: Actor, states: list[str] | None = None) -> ListQuery:
    """The actor's own export jobs, latest first."""
    stmt = select(ExportJob).where(scope_for(ExportJob)(actor))
    if states:
        stmt = stmt.where(ExportJob.state.in_(states))
    return ListQuery(stmt, [(ExportJob.created_at, True), (ExportJob.id, True)])


def downloadable(actor: Subject | None, row: Any, now: datetime) -> bool:
    """Whether ``actor`` gets a download link for the job now: theirs, ready, not expired."""
    return (
        actor is not None
        and actor.kind == "user"
        and actor.id == row.user_id
        and row.state == "ready"
        and row.expires_at is not None
        and row.expires_at > now
    )


@dataclass(frozen=True)
class ExportFile:
    storage_key: str
    filename: str
    media_type: str
    size: int
    sha256: str


async def export_file(session: Any, policy: PolicyEngine, actor: Actor, job_id: int, now: datetime) -> ExportFile:
    """The stored file of the actor's own ready export, checked again at download time:
    NOT_FOUND for someone else's, EXPORT_NOT_READY, EXPORT_EXPIRED, and FORBIDDEN once the
    actor may no longer run the source's root field."""
    row = (await session.execute(select(ExportJob).where(ExportJob.id == job_id, scope_for(ExportJob)(actor)))).scalar_one_or_none()
    if row is None:
        raise NotFound()
    if row.state == "expired" or (row.state == "ready" and row.expires_at is not None and row.expires_at <= now):
        raise Conflict("EXPORT_EXPIRED")
    if row.state != "ready" or row.storage_key is None:
        raise Conflict("EXPORT_NOT_READY")
    source = label_sources().get(row.source)
    await policy.ready()
    if source is None or not allowed(policy, actor, source):
        raise Forbidden(operation=source.operation if source is not None else row.source)
    return ExportFile(
        row.storage_key, row.filename or f"export.{row.format}", row.media_type or MEDIA_TYPES[row.format], row.size or 0, row.sha256 or ""
    )


# -- expiry -----------------------------------------------------------------------------------

EXPIRE_AT_ONCE = 500


@scheduled
async def expire_exports(uow: UnitOfWork, today: date) -> int:
    """Ready files past their retention are deleted (after the commit, unless another ready
    job names the same file) and their jobs EXPIRED; jobs queued or running that have not
    moved for ``SMALLWORKS_EXPORT_STALE_MINUTES`` are FAILED (their worker was lost)."""
    now, settings = uow.now, uow.settings
    expiring = (
        (
            await uow.session.execute(
                select(ExportJob)
                .where(ExportJob.state == "ready", ExportJob.expires_at <= now)
                .order_by(ExportJob.id)
                .limit(EXPIRE_AT_ONCE)
                .with_for_update()
            )
        )
        .scalars()
        .all()
    )
    keys: set[str] = set()
    for job in expiring:
        job.state, job.updated_at = "expired", now
        if job.storage_key:
            keys.add(job.storage_key)
        uow.audit("ExportJob", job.id, {"state": {"before": "ready", "after": "expired"}}, region_code=job.region_code)
    stale_before = now - timedelta(minutes=settings.export_stale_minutes)
    stalled = (
        (
            await uow.session.execute(
                select(ExportJob)
                .where(ExportJob.state.in_(OPEN_EXPORT_STATES), ExportJob.updated_at < stale_before)
                .order_by(ExportJob.id)
                .limit(EXPIRE_AT_ONCE)
                .with_for_update()
            )
        )
        .scalars()
        .all()
    )
    for job in stalled:
        before = job.state
        job.state, job.error_code, job.finished_at, job.updated_at = "failed", "EXPORT_INTERRUPTED", now, now
        uow.audit(
            "ExportJob",
            job.id,
            {"state": {"before": before, "after": "failed"}, "error": "EXPORT_INTERRUPTED"},
            region_code=job.region_code,
        )
    if keys:
        await uow.session.flush()
        named = select(ExportJob.storage_key).where(ExportJob.storage_key.in_(keys), ExportJob.state == "ready")
        kept = set((await uow.session.execute(named)).scalars())
        storage = export_storage(settings)
        for key in sorted(keys - kept):
            uow.after_commit(_deleter(storage, key))
    return len(expiring) + len(stalled)


def _deleter(storage: LocalStorage, key: str) -> Any:
    async def delete() -> None:
        await storage.delete(key)

    return delete
