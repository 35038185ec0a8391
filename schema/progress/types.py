"""Construction progress (进度): GraphQL types."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import strawberry

from models import progress as tables
from models.progress import DATUMS, FLAGS
from resolvers.core.i18n import label as label_of
from schema.contracts.types import Contract, ContractMilestone
from schema.core.context import Info
from schema.core.downloads import download_link
from schema.core.fields import column, enum_of, label, labels_in_request, loaded
from schema.core.node import Node, register_node

if TYPE_CHECKING:
    import enum

    class Datum(enum.Enum): ...

    class ProgressFlag(enum.Enum): ...

    class DailyLogAction(enum.Enum): ...

    class MilestoneAction(enum.Enum): ...

    class RectificationAction(enum.Enum): ...

    class WarningAction(enum.Enum): ...

else:
    from resolvers.progress import actions as rules

    Datum = enum_of("Datum", DATUMS, "Coordinate datum: WGS-84 (GPS) or GCJ-02 (the Chinese map datum). 坐标系。")
    DailyLogAction = enum_of(
        "DailyLogAction", tuple(rules.LOG_ACTIONS), "Something a viewer may do to a daily log now. 对施工日志可执行的操作。"
    )
    MilestoneAction = enum_of(
        "MilestoneAction", tuple(rules.MILESTONE_ACTIONS), "Something a viewer may do to a milestone now. 对节点可执行的操作。"
    )
    RectificationAction = enum_of(
        "RectificationAction", tuple(rules.RECTIFICATION_ACTIONS), "Something a viewer may do to a rectification now. 对整改可执行的操作。"
    )
    WarningAction = enum_of(
        "WarningAction", tuple(rules.WARNING_ACTIONS), "Something a viewer may do to a warning now. 对预警可执行的操作。"
    )
    ProgressFlag = enum_of("ProgressFlag", FLAGS, "What looked wrong about a check-in or photo. 异常标记。")


async def _actions(info: Info, row: Any, rule, mapping) -> list[str]:
    """The viewer's actions on ``row`` by ``rule(actor, row, contract)``, gated."""
    from schema.core.actions import viewer_actions

    contract = await info.context.loaders.contract.load(row.contract_id)
    if contract is None:
        return []
    return await viewer_actions(info, lambda actor: rule(actor, row, contract), mapping)


def _flags(row: Any) -> list[str]:
    return json.loads(row.flags or "[]")


@register_node("site_photo")
@strawberry.type(description="A photo of a daily log, with what its EXIF says. 现场照片。")
class SitePhoto(Node):
    row: strawberry.Private[tables.SitePhoto]

    filename: str = column("filename", "File name. 文件名。")
    media_type: str = column("media_type", "Media type, sniffed from the content. 文件类型。")
    size: int = column("size", "Size in bytes. 大小（字节）。")
    width: int = column("width", "Width in pixels. 宽（像素）。")
    height: int = column("height", "Height in pixels. 高（像素）。")
    sha256: str = column("sha256", "SHA-256 of the original. 原图哈希。")
    captured_at: datetime | None = column("captured_at", "When taken, from its EXIF (UTC). 拍摄时间。")
    latitude: float | None = column("latitude", "Where taken, from its EXIF (WGS-84). 拍摄纬度。")
    longitude: float | None = column("longitude", "Where taken, from its EXIF (WGS-84). 拍摄经度。")
    distance_m: float | None = column("distance_m", "Metres from the site. 距工地（米）。")
    uploaded_at: datetime = column("uploaded_at", "When uploaded (UTC). 上传时间。")

    @strawberry.field(description="What looked wrong. 异常标记。")
    def flags(self) -> list[ProgressFlag]:
        return [ProgressFlag(f) for f in _flags(self.row)]

    @strawberry.field(description="The flags, in the request's language. 异常标记名称。")
    def flag_labels(self, info: Info) -> list[str]:
        return labels_in_request(info, "ProgressFlag", _flags(self.row))

    @strawberry.field(description="A link to the original, valid for 10 minutes, for you only. 原图链接。")
    async def download_url(self, info: Info) -> str | None:
        return await download_link(info, "site-photo", self.row.id)

    @strawberry.field(description="A link to the thumbnail (JPEG, at most 320 px, no metadata). 缩略图链接。")
    async def thumbnail_url(self, info: Info) -> str | None:
        return await download_link(info, "site-photo-thumbnail", self.row.id)


@strawberry.type(description="A correction of a log after its day. 日志更正。")
class DailyLogCorrection:
    row: strawberry.Private[tables.DailyLogCorrection]

    text: str = column("text", "The correction. 更正内容。")
    created_by_name: str = column("created_by_name", "Who wrote it. 更正人。")
    created_at: datetime = column("created_at", "When (UTC). 更正时间。")


@register_node("daily_log")
@strawberry.type(description="One day's construction log of a contract (施工日志). 施工日志。")
class DailyLog(Node):
    row: strawberry.Private[tables.DailyLog]

    log_date: date = column("log_date", "The day (China). 日期。")
    weather: str = column("weather", "Weather. 天气。")
    work_done: str = column("work_done", "Work done. 施工内容。")
    crew_count: int = column("crew_count", "People on site. 施工人数。")
    machinery: str = column("machinery", "Machinery. 机械设备。")
    materials: str = column("materials", "Materials received. 进场材料。")
    issues: str = column("issues", "Issues. 存在问题。")
    created_at: datetime = column("created_at", "When written (UTC). 填写时间。")
    updated_at: datetime = column("updated_at", "When last edited (UTC). 修改时间。")
    version: int = column("version", "Row version; pass as expectedVersion. 版本号。")

    @strawberry.field(description="Photos. 现场照片。")
    @loaded("photos_of_log", "id", shows=SitePhoto)
    async def photos(self, info: Info) -> list[SitePhoto]:
        raise NotImplementedError  # resolved from the @loaded declaration above

    @strawberry.field(description="Corrections after its day, oldest first. 更正记录。")
    @loaded("corrections_of_log", "id", shows=DailyLogCorrection)
    async def corrections(self, info: Info) -> list[DailyLogCorrection]:
        raise NotImplementedError  # resolved from the @loaded declaration above

    @strawberry.field(description="The contract. 合同。")
    @loaded("contract", "contract_id", shows=Contract)
    async def contract(self, info: Info) -> Contract | None:
        raise NotImplementedError  # resolved from the @loaded declaration above

    @strawberry.field(description="What the viewer may do to this log now. 当前用户可执行的操作。")
    async def available_actions(self, info: Info) -> list[DailyLogAction]:
        return [DailyLogAction(a) for a in await _log_actions(info, self.row)]

    @strawberry.field(description="The labels of `availableActions`, in order. 可执行操作名称。")
    async def available_action_labels(self, info: Info) -> list[str]:
        return labels_in_request(info, "DailyLogAction", await _log_actions(info, self.row))


async def _log_actions(info: Info, row: Any) -> list[str]:
    from resolvers.core.clock import today_in_china
    from resolvers.progress import actions as rules

    today = today_in_china(info.context.state.clock.now())
    return await _actions(info, row, lambda actor, log, contract: rules.log_actions(actor, log, contract, today), rules.LOG_ACTIONS)


@register_node("check_in")
@strawberry.type(description="A location check-in on site (定位打卡). 定位打卡。")
class CheckIn(Node):
    row: strawberry.Private[tables.CheckIn]

    user_name: str = column("user_name", "Who checked in. 打卡人。")
    datum: Datum = column("datum", "The datum reported. 坐标系。", Datum)
    datum_label: str = label("datum", "Datum", "Datum, in the request's language. 坐标系名称。")
    latitude: float = column("latitude", "Latitude as reported. 纬度（原始）。")
    longitude: float = column("longitude", "Longitude as reported. 经度（原始）。")
    wgs84_latitude: float = column("wgs84_latitude", "Latitude in WGS-84, the site's datum. 纬度（WGS-84）。")
    wgs84_longitude: float = column("wgs84_longitude", "Longitude in WGS-84. 经度（WGS-84）。")
    accuracy_m: float = column("accuracy_m", "Accuracy reported, metres. 定位精度（米）。")
    device_time: datetime = column("device_time", "The device's clock (UTC). 设备时间。")
    checked_in_at: datetime = column("checked_in_at", "The server's time (UTC). 打卡时间。")
    distance_m: float | None = column("distance_m", "Metres from the site (great-circle). 距工地（米）。")

    @strawberry.field(description="What looked wrong. 异常标记。")
    def flags(self) -> list[ProgressFlag]:
        return [ProgressFlag(f) for f in _flags(self.row)]

    @strawberry.field(description="The flags, in the request's language. 异常标记名称。")
    def flag_labels(self, info: Info) -> list[str]:
        return labels_in_request(info, "ProgressFlag", _flags(self.row))


@strawberry.type(description="One move of a milestone. 节点状态变更。")
class MilestoneStatusChange:
    row: strawberry.Private[tables.MilestoneStatusChange]

    action: str = column("action", "The action. 操作。")
    actor_name: str = column("actor_name", "Who. 操作人。")
    comment: str | None = column("comment", "Note, evidence or reason. 说明。")
    occurred_at: datetime = column("occurred_at", "When (UTC). 时间。")

    @strawberry.field(description="The action, in the request's language. 操作名称。")
    def action_label(self, info: Info) -> str:
        return label_of("MilestoneAction", self.row.action, info.context.meta.locale)

    @strawberry.field(description="The status it moved to, in the request's language. 变更后状态。")
    def to_status_label(self, info: Info) -> str:
        return label_of("MilestoneStatus", self.row.to_status, info.context.meta.locale)


__all__ = ["CheckIn", "ContractMilestone", "DailyLog", "DailyLogCorrection", "MilestoneStatusChange", "SitePhoto"]


# -- quality ---------------------------------------------------------------------------------

if TYPE_CHECKING:

    class RectificationStatus(enum.Enum): ...

else:
    from models.progress import RECTIFICATION_STATUSES

    RectificationStatus = enum_of("RectificationStatus", RECTIFICATION_STATUSES, "Where a rectification stands. 整改状态。")


@strawberry.type(description="An item of a checklist. 检查项。")
class ChecklistItem:
    key: str = strawberry.field(description="Stable key. 代码。")
    description: str = strawberry.field(description="What is checked. 检查内容。")
    photo_required: bool = strawberry.field(description="Whether a photo must show it. 是否须附照片。")


@register_node("checklist_template")
@strawberry.type(description="One version of a quality checklist for a project category. 质量检查表。")
class ChecklistTemplate(Node):
    row: strawberry.Private[tables.ChecklistTemplate]

    name: str = column("name", "Name. 名称。")
    category: str = column("category", "Project category (its code). 项目类别。")
    version: int = column("version", "Version, from 1. 版本。")
    is_latest: bool = column("is_latest", "Whether this is the latest version. 是否最新版本。")
    created_at: datetime = column("created_at", "When made (UTC). 创建时间。")

    @strawberry.field(description="The category, in the request's language. 项目类别名称。")
    def category_label(self, info: Info) -> str:
        return label_of("ProjectCategory", self.row.category, info.context.meta.locale)

    @strawberry.field(description="Items, in order. 检查项。")
    def items(self) -> list[ChecklistItem]:
        return [
            ChecklistItem(key=i["key"], description=i["description"], photo_required=i["photo_required"])
            for i in json.loads(self.row.items)
        ]


@strawberry.type(description="One item of an inspection, pass or fail. 检查结果。")
class InspectionItem:
    row: strawberry.Private[tables.InspectionItem]

    sequence: int = column("sequence", "Position, from 1. 序号。")
    key: str = column("key", "Item key. 代码。")
    description: str = column("description", "What was checked. 检查内容。")
    passed: bool = column("passed", "Passed. 是否合格。")
    remarks: str = column("remarks", "Remarks. 检查意见。")

    @strawberry.field(description="The site photos that show it. 照片。")
    async def photos(self, info: Info) -> list[SitePhoto]:
        ids = json.loads(self.row.photo_ids or "[]")
        rows = await info.context.loaders.site_photo.load_many(ids)
        return [SitePhoto.of(r) for r in rows if r is not None]


@register_node("inspection")
@strawberry.type(description="A supervisor's quality inspection (质量检查). 质量检查。")
class Inspection(Node):
    row: strawberry.Private[tables.Inspection]

    inspector_name: str = column("inspector_name", "Inspector. 检查人。")
    note: str = column("note", "Note. 检查记录。")
    failed_items: int = column("failed_items", "Items failed. 不合格项数。")
    inspected_at: datetime = column("inspected_at", "When (UTC). 检查时间。")

    @strawberry.field(description="The items, in the checklist's order. 检查结果。")
    @loaded("items_of_inspection", "id", shows=InspectionItem)
    async def items(self, info: Info) -> list[InspectionItem]:
        raise NotImplementedError  # resolved from the @loaded declaration above

    @strawberry.field(description="The checklist version used. 检查表。")
    @loaded("checklist_template", "template_id", shows=ChecklistTemplate)
    async def template(self, info: Info) -> ChecklistTemplate | None:
        raise NotImplementedError  # resolved from the @loaded declaration above

    @strawberry.field(description="The milestone inspected, if any. 节点。")
    async def milestone(self, info: Info) -> ContractMilestone | None:
        if self.row.milestone_id is None:
            return None
        row = await info.context.loaders.contract_milestone.load(self.row.milestone_id)
        return ContractMilestone.of(row) if row else None


@register_node("rectification")
@strawberry.type(description="A failed item to put right (整改). 整改。")
class Rectification(Node):
    row: strawberry.Private[tables.Rectification]

    status: RectificationStatus = column("status", "Status. 状态。", RectificationStatus)
    status_label: str = label("status", "RectificationStatus", "Status, in the request's language. 状态名称。")
    description: str = column("description", "What to put right. 整改内容。")
    due_date: date = column("due_date", "Due (China). 整改期限。")
    response: str | None = column("response", "The contractor's response. 整改回复。")
    responded_at: datetime | None = column("responded_at", "When answered (UTC). 回复时间。")
    closed_at: datetime | None = column("closed_at", "When closed (UTC). 销项时间。")
    reopened: int = column("reopened", "Times sent back. 退回次数。")
    created_at: datetime = column("created_at", "When opened (UTC). 下发时间。")

    @strawberry.field(description="What the viewer may do to this rectification now. 当前用户可执行的操作。")
    async def available_actions(self, info: Info) -> list[RectificationAction]:
        from resolvers.progress import actions as rules

        return [RectificationAction(a) for a in await _actions(info, self.row, rules.rectification_actions, rules.RECTIFICATION_ACTIONS)]

    @strawberry.field(description="The labels of `availableActions`, in order. 可执行操作名称。")
    async def available_action_labels(self, info: Info) -> list[str]:
        from resolvers.progress import actions as rules

        found = await _actions(info, self.row, rules.rectification_actions, rules.RECTIFICATION_ACTIONS)
        return labels_in_request(info, "RectificationAction", found)

    @strawberry.field(description="Every move, oldest first: responses, closing, sending back. 整改记录。")
    @loaded("history_of_rectification", "id", shows=lambda: RectificationStatusChange)
    async def history(self, info: Info) -> list[RectificationStatusChange]:
        raise NotImplementedError  # resolved from the @loaded declaration above

    @strawberry.field(description="The photos of the response. 整改照片。")
    async def response_photos(self, info: Info) -> list[SitePhoto]:
        ids = json.loads(self.row.response_photo_ids or "[]")
        rows = await info.context.loaders.site_photo.load_many(ids)
        return [SitePhoto.of(r) for r in rows if r is not None]


# -- warnings --------------------------------------------------------------------------------

if TYPE_CHECKING:

    class WarningKind(enum.Enum): ...

    class WarningSeverity(enum.Enum): ...

    class WarningStatus(enum.Enum): ...

else:
    from models.progress import WARNING_KINDS, WARNING_SEVERITIES, WARNING_STATUSES

    WarningKind = enum_of("WarningKind", WARNING_KINDS, "What a warning is about. 预警类型。")
    WarningSeverity = enum_of("WarningSeverity", WARNING_SEVERITIES, "How serious. 预警级别。")
    WarningStatus = enum_of("WarningStatus", WARNING_STATUSES, "Where a warning stands. 预警状态。")


@register_node("progress_warning")
@strawberry.type(description="A warning raised by a rule about the works (预警). 施工预警。")
class ProgressWarning(Node):
    row: strawberry.Private[tables.ProgressWarning]

    kind: WarningKind = column("kind", "What it is about. 类型。", WarningKind)
    kind_label: str = label("kind", "WarningKind", "Kind, in the request's language. 类型名称。")
    severity: WarningSeverity = column("severity", "How serious. 级别。", WarningSeverity)
    severity_label: str = label("severity", "WarningSeverity", "Severity, in the request's language. 级别名称。")
    status: WarningStatus = column("status", "Status. 状态。", WarningStatus)
    status_label: str = label("status", "WarningStatus", "Status, in the request's language. 状态名称。")
    subject_type: str = column("subject_type", "The kind of thing it is about. 对象类型。")
    raised_at: datetime = column("raised_at", "When raised (UTC). 预警时间。")
    acknowledged_at: datetime | None = column("acknowledged_at", "When acknowledged (UTC). 知悉时间。")
    acknowledged_by: str | None = column("acknowledged_by", "Who acknowledged it. 知悉人。")
    resolved_at: datetime | None = column("resolved_at", "When resolved (UTC). 处理时间。")
    resolved_by: str | None = column("resolved_by", "Who resolved it. 处理人。")
    resolution: str | None = column("resolution", "How it was resolved. 处理说明。")

    @strawberry.field(description="What raised it, with its numbers, in the request's language. 预警说明。")
    def explanation(self, info: Info) -> str:
        from resolvers.progress.warnings import explanation

        return explanation(self.row.kind, json.loads(self.row.details or "{}"), info.context.meta.locale)

    @strawberry.field(description="What the viewer may do to this warning now. 当前用户可执行的操作。")
    async def available_actions(self, info: Info) -> list[WarningAction]:
        from resolvers.progress import actions as rules

        return [WarningAction(a) for a in await _actions(info, self.row, rules.warning_actions, rules.WARNING_ACTIONS)]

    @strawberry.field(description="The labels of `availableActions`, in order. 可执行操作名称。")
    async def available_action_labels(self, info: Info) -> list[str]:
        from resolvers.progress import actions as rules

        return labels_in_request(info, "WarningAction", await _actions(info, self.row, rules.warning_actions, rules.WARNING_ACTIONS))

    @strawberry.field(description="Every move, oldest first: acknowledged, resolved. 处理记录。")
    @loaded("history_of_warning", "id", shows=lambda: WarningStatusChange)
    async def history(self, info: Info) -> list[WarningStatusChange]:
        raise NotImplementedError  # resolved from the @loaded declaration above

    @strawberry.field(description="The numbers behind it, as JSON. 预警数据。")
    def details(self) -> str:
        return self.row.details or "{}"

    @strawberry.field(description="The contract. 合同。")
    @loaded("contract", "contract_id", shows=Contract)
    async def contract(self, info: Info) -> Contract | None:
        raise NotImplementedError  # resolved from the @loaded declaration above


# -- the progress of a contract ------------------------------------------------------------------


@strawberry.type(description="A milestone against its plan. 节点进度。")
class MilestoneProgress:
    milestone: ContractMilestone = strawberry.field(description="The milestone. 节点。")
    planned_date: date = strawberry.field(description="Planned date (China). 计划日期。")
    started_at: datetime | None = strawberry.field(description="When last started (UTC). 开始时间。")
    submitted_at: datetime | None = strawberry.field(description="When last submitted for acceptance (UTC). 申请验收时间。")
    accepted_at: datetime | None = strawberry.field(description="When accepted (UTC). 验收时间。")
    days_late: int = strawberry.field(
        description="Days past its planned date: when accepted, its acceptance day against the plan (negative: early); "
        "otherwise today against the plan, when the plan has passed (else 0). 逾期天数（负数为提前）。"
    )
    history: list[MilestoneStatusChange] = strawberry.field(description="Every move, oldest first. 状态变更记录。")
    available_actions: list[MilestoneAction] = strawberry.field(
        description="What the viewer may do to this milestone now, by the rules the mutations apply. 当前用户可执行的操作。"
    )
    available_action_labels: list[str] = strawberry.field(description="The labels of `availableActions`, in order. 可执行操作名称。")


@strawberry.type(description="The progress of a contract's works in one view. 合同施工进度。")
class ContractProgress:
    contract: Contract = strawberry.field(description="The contract. 合同。")
    percent_complete: Decimal = strawberry.field(description="The accepted milestones' share of the works, percent. 完成比例（%）。")
    days_behind: int = strawberry.field(description="The most days any milestone is late (0 when none is). 最大逾期天数。")
    last_log_date: date | None = strawberry.field(description="The latest daily log's day. 最近施工日志日期。")
    milestones: list[MilestoneProgress] = strawberry.field(description="Each milestone against its plan. 节点进度。")
    open_warnings: list[ProgressWarning] = strawberry.field(description="Warnings not yet resolved. 未处理预警。")
    open_rectifications: list[Rectification] = strawberry.field(description="Rectifications not yet closed. 未销项整改。")


@strawberry.type(description="One move of a rectification. 整改状态变更。")
class RectificationStatusChange:
    row: strawberry.Private[tables.RectificationStatusChange]

    action: str = column("action", "The action. 操作。")
    actor_name: str = column("actor_name", "Who. 操作人。")
    comment: str | None = column("comment", "Response, comment or reason. 说明。")
    occurred_at: datetime = column("occurred_at", "When (UTC). 时间。")

    @strawberry.field(description="The action, in the request's language. 操作名称。")
    def action_label(self, info: Info) -> str:
        return label_of("RectificationAction", self.row.action, info.context.meta.locale)


@strawberry.type(description="One move of a warning. 预警处理记录。")
class WarningStatusChange:
    row: strawberry.Private[tables.WarningStatusChange]

    action: str = column("action", "The action. 操作。")
    actor_name: str = column("actor_name", "Who. 操作人。")
    comment: str | None = column("comment", "Comment. 说明。")
    occurred_at: datetime = column("occurred_at", "When (UTC). 时间。")

    @strawberry.field(description="The action, in the request's language. 操作名称。")
    def action_label(self, info: Info) -> str:
        return label_of("WarningAction", self.row.action, info.context.meta.locale)
