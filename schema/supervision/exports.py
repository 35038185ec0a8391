"""Exports (导出): any list or report as an XLSX or CSV file, written by a background job (or
at once, when small) and fetched through a signed link: root fields, types and inputs."""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import TYPE_CHECKING, Any

import strawberry
from strawberry.scalars import JSON

from models import supervision as tables
from models.supervision import EXPORT_FORMATS, EXPORT_STATES
from resolvers import load_domains
from resolvers.core.i18n import translate
from resolvers.supervision import exports
from schema.core.actions import viewer_actions
from schema.core.connection import Connection, list_page
from schema.core.context import Info, signed_in_actor
from schema.core.downloads import link_for
from schema.core.fields import column, enum_of, functional_enum, label, labels_in_request
from schema.core.node import Node, decode_id, register_node
from schema.core.payload import UserError, run_mutation


def source_member(name: str) -> str:
    """The enum value of source ``name``: ``list.payment_requests`` -> ``LIST_PAYMENT_REQUESTS``."""
    return re.sub(r"[^A-Za-z0-9]+", "_", re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name)).strip("_").upper()


def _source_enum() -> Any:
    """One value per registered source, of every module of every domain (reports and lists)."""
    load_domains()
    members = {
        source_member(name): strawberry.enum_value(name, description=f"{source.title[1]}. {source.title[0]}。")
        for name, source in sorted(exports.label_sources().items())
    }
    return strawberry.enum(
        functional_enum("ExportSource", members),
        description="What can be exported: every list and report registered as an export source. 可导出的列表和报表。",
    )


if TYPE_CHECKING:
    import enum

    class ExportSource(enum.Enum): ...

    class ExportFormat(enum.Enum): ...

    class ExportState(enum.Enum): ...

    class ExportJobAction(enum.Enum): ...

else:
    ExportSource = _source_enum()
    ExportFormat = enum_of("ExportFormat", EXPORT_FORMATS, "The file written: an Excel workbook or UTF-8 CSV. 导出文件格式。")
    ExportState = enum_of("ExportState", EXPORT_STATES, "Where an export job stands. 导出任务状态。")
    ExportJobAction = enum_of(
        "ExportJobAction", tuple(exports.EXPORT_ACTIONS), "Something the viewer may do to an export job now. 对导出任务可执行的操作。"
    )


def _now(info: Info) -> datetime:
    return info.context.state.clock.now()


@register_node("export_job")
@strawberry.type(description="A list or report written to a file for the person who asked (导出). 导出任务。")
class ExportJob(Node):
    row: strawberry.Private[tables.ExportJob]

    source: ExportSource = column("source", "What is exported. 导出内容。", ExportSource)
    source_label: str = label("source", "ExportSource", "What is exported, in the request's language. 导出内容名称。")
    format: ExportFormat = column("format", "XLSX or CSV. 文件格式。", ExportFormat)
    format_label: str = label("format", "ExportFormat", "Format, in the request's language. 文件格式名称。")
    state: ExportState = column("state", "Where it stands. 状态。", ExportState)
    state_label: str = label("state", "ExportState", "State, in the request's language. 状态名称。")
    progress: int = column("progress", "Percent written, 0–100 (100 once ready). 进度（%）。")
    rows_written: int = column("rows_written", "Rows written so far. 已写入行数。")
    total_rows: int | None = column("total_rows", "Rows the export holds, once counted. 总行数。")
    filename: str | None = column("filename", "The file's name, once ready. 文件名。")
    media_type: str | None = column("media_type", "The file's media type, once ready. 文件类型。")
    size: int | None = column("size", "The file's size in bytes, once ready. 文件大小（字节）。")
    sha256: str | None = column("sha256", "SHA-256 of the file, once ready. 文件哈希。")
    created_at: datetime = column("created_at", "When asked for (UTC). 发起时间。")
    started_at: datetime | None = column("started_at", "When the last run began writing (UTC). 开始生成时间。")
    finished_at: datetime | None = column("finished_at", "When it became ready, failed or was cancelled (UTC). 完成时间。")
    expires_at: datetime | None = column("expires_at", "When the ready file is deleted (UTC). 文件保留至。")
    error_code: str | None = column("error_code", "Why it failed (a stable code), if it did. 失败原因代码。")

    @strawberry.field(description="Why it failed, in the request's language. 失败原因。")
    def error_message(self, info: Info) -> str | None:
        code = self.row.error_code
        return None if code is None else translate(code, info.context.meta.locale)

    @strawberry.field(description="The arguments of the list or report, as checked. 导出参数。")
    def arguments(self) -> JSON:
        return json.loads(self.row.arguments or "{}")

    @strawberry.field(
        description="A link to the file, valid for 10 minutes: only once ready, only for whoever asked for it. 下载链接（仅发起人）。"
    )
    async def url(self, info: Info) -> str | None:
        actor = await info.context.actor()
        if actor is None or not exports.downloadable(actor, self.row, _now(info)):
            return None
        return link_for(info, actor, "export", self.row.id)

    @strawberry.field(description="What the viewer may do to this export now. 当前用户可执行的操作。")
    async def available_actions(self, info: Info) -> list[ExportJobAction]:
        return [ExportJobAction(a) for a in await _actions(info, self.row)]

    @strawberry.field(description="The labels of `availableActions`, in order. 可执行操作名称。")
    async def available_action_labels(self, info: Info) -> list[str]:
        return labels_in_request(info, "ExportJobAction", await _actions(info, self.row))


async def _actions(info: Info, row: Any) -> list[str]:
    return await viewer_actions(info, lambda actor: exports.export_actions(actor, row), exports.EXPORT_ACTIONS)


@strawberry.input(description="Export a list or report. 发起导出。")
class StartExportInput:
    source: ExportSource = strawberry.field(description="The list or report. 导出内容。")
    format: ExportFormat = strawberry.field(description="XLSX or CSV. 文件格式。")
    arguments: JSON | None = strawberry.field(
        default=None,
        description="The list's or report's arguments as a JSON object, as the root field takes them (`filter`, `orderBy`, "
        "enum values by name, objects by global ID). 导出参数（与对应查询的参数相同）。",
    )


@strawberry.input(description="Cancel a queued or running export. 取消导出。")
class CancelExportInput:
    id: strawberry.ID = strawberry.field(description="The export job. 导出任务。")


@strawberry.type(description="The export job, or why nothing was done. 导出结果。")
class ExportJobPayload:
    job: ExportJob | None = strawberry.field(description="The export job. 导出任务。")
    errors: list[UserError] = strawberry.field(description="Validation failures; nothing changed. 校验错误。")


async def _payload(info: Info, row: Any, errors: list[UserError]) -> ExportJobPayload:
    if row is None:
        return ExportJobPayload(job=None, errors=errors)
    # Read again: a small export was written, once the job was committed, in this request.
    current = await info.context.loaders.export_job.load(row.id)
    return ExportJobPayload(job=ExportJob.of(current if current is not None else row), errors=errors)


@strawberry.type
class ExportsQuery:
    @strawberry.field(description="One of your export jobs by global ID. 导出任务详情。")
    async def export_job(self, info: Info, id: strawberry.ID) -> ExportJob | None:
        row = await info.context.loaders.export_job.load(decode_id(id, "ExportJob"))
        return ExportJob.of(row) if row is not None else None

    @strawberry.field(description="Your export jobs, latest first. 我的导出任务。")
    async def export_jobs(
        self,
        info: Info,
        state: list[ExportState] | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[ExportJob] | None:
        actor = await signed_in_actor(info.context)
        query = exports.export_jobs(actor, [s.value for s in state] if state else None)
        return await list_page(info, query, ExportJob, first, after, last, before)


@strawberry.type
class ExportsMutation:
    @strawberry.mutation(
        description="Export a list or report you may run, in your row scope: written at once when small, else by a background "
        "job that reports its progress and notifies you when the file is ready. 发起导出。"
    )
    async def start_export(self, info: Info, input: StartExportInput) -> ExportJobPayload | None:
        state = info.context.state
        row, errors = await run_mutation(info, exports.start_export, state, input.source.value, input.format.value, input.arguments)
        return await _payload(info, row, errors)

    @strawberry.mutation(description="Cancel one of your exports while it is queued or running. 取消导出。")
    async def cancel_export(self, info: Info, input: CancelExportInput) -> ExportJobPayload | None:
        row, errors = await run_mutation(info, exports.cancel_export, decode_id(input.id, "ExportJob"))
        return await _payload(info, row, errors)
