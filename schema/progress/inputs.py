"""Construction progress (进度): inputs and payloads."""

from __future__ import annotations

from datetime import date, datetime

import strawberry
from strawberry.file_uploads import Upload

from schema.contracts.types import Contract, ContractMilestone
from schema.core.payload import UserError
from schema.progress.types import (
    CheckIn,
    ChecklistTemplate,
    DailyLog,
    DailyLogCorrection,
    Datum,
    Inspection,
    ProgressWarning,
    Rectification,
    SitePhoto,
)
from schema.projects.types import ProjectCategory


@strawberry.input(description="Write the log of a day. 填写施工日志。")
class CreateDailyLogInput:
    contract_id: strawberry.ID = strawberry.field(description="Contract. 合同。")
    idempotency_key: str = strawberry.field(
        description="A key of the client's, e.g. a UUID: a retry with it returns the first log. 幂等键。"
    )
    log_date: date = strawberry.field(description="The day (China). 日期。")
    weather: str = strawberry.field(description="Weather. 天气。")
    work_done: str = strawberry.field(description="Work done. 施工内容。")
    crew_count: int = strawberry.field(description="People on site. 施工人数。")
    machinery: str | None = strawberry.field(default=None, description="Machinery. 机械设备。")
    materials: str | None = strawberry.field(default=None, description="Materials received. 进场材料。")
    issues: str | None = strawberry.field(default=None, description="Issues. 存在问题。")


@strawberry.input(description="Edit a log on its own day. 修改当日施工日志。")
class UpdateDailyLogInput:
    id: strawberry.ID = strawberry.field(description="Log. 施工日志。")
    expected_version: int | None = strawberry.field(default=None, description="Refuse if changed since. 期望版本号。")
    weather: str | None = strawberry.field(default=None, description="Weather. 天气。")
    work_done: str | None = strawberry.field(default=None, description="Work done. 施工内容。")
    crew_count: int | None = strawberry.field(default=None, description="People on site. 施工人数。")
    machinery: str | None = strawberry.field(default=None, description="Machinery. 机械设备。")
    materials: str | None = strawberry.field(default=None, description="Materials received. 进场材料。")
    issues: str | None = strawberry.field(default=None, description="Issues. 存在问题。")


@strawberry.input(description="Append a correction to a log after its day. 追加日志更正。")
class CorrectDailyLogInput:
    id: strawberry.ID = strawberry.field(description="Log. 施工日志。")
    text: str = strawberry.field(description="The correction. 更正内容。")


@strawberry.input(description="Upload a photo of a log (JPEG, PNG or HEIC). 上传现场照片。")
class UploadSitePhotoInput:
    log_id: strawberry.ID = strawberry.field(description="Log. 施工日志。")
    idempotency_key: str = strawberry.field(description="A key per photo: a retry with it stores nothing twice. 幂等键。")
    file: Upload = strawberry.field(description="The photo (multipart request). 照片。")


@strawberry.input(description="Check in on a contract's site. 现场定位打卡。")
class CheckInInput:
    contract_id: strawberry.ID = strawberry.field(description="Contract. 合同。")
    idempotency_key: str = strawberry.field(description="A key per check-in. 幂等键。")
    latitude: float = strawberry.field(description="Latitude. 纬度。")
    longitude: float = strawberry.field(description="Longitude. 经度。")
    accuracy: float = strawberry.field(description="Accuracy reported by the device, metres. 定位精度（米）。")
    datum: Datum = strawberry.field(description="WGS84 (GPS) or GCJ02 (WeChat wx.getLocation with type gcj02). 坐标系。")
    device_time: datetime = strawberry.field(description="The device's clock. 设备时间。")


@strawberry.input(description="Start (or resume) work on a milestone. 开始实施节点。")
class StartMilestoneInput:
    id: strawberry.ID = strawberry.field(description="Milestone. 节点。")


@strawberry.input(description="Submit a milestone for acceptance. 节点申请验收。")
class SubmitMilestoneInput:
    id: strawberry.ID = strawberry.field(description="Milestone. 节点。")
    note: str = strawberry.field(description="What was done, the evidence. 完成情况说明。")


@strawberry.input(description="Accept a submitted milestone. 节点验收通过。")
class AcceptMilestoneInput:
    id: strawberry.ID = strawberry.field(description="Milestone. 节点。")
    comment: str | None = strawberry.field(default=None, description="Comment. 验收意见。")


@strawberry.input(description="Reject a submitted milestone. 节点验收不通过。")
class RejectMilestoneInput:
    id: strawberry.ID = strawberry.field(description="Milestone. 节点。")
    reason: str = strawberry.field(description="Why. 原因。")


@strawberry.type(description="Result of a daily-log mutation. 施工日志操作结果。")
class DailyLogPayload:
    log: DailyLog | None = strawberry.field(description="The log. 施工日志。")
    errors: list[UserError] = strawberry.field(description="Validation failures; nothing changed. 校验错误。")


@strawberry.type(description="Result of a correction. 日志更正结果。")
class DailyLogCorrectionPayload:
    correction: DailyLogCorrection | None = strawberry.field(description="The correction. 更正。")
    log: DailyLog | None = strawberry.field(description="The log. 施工日志。")
    errors: list[UserError] = strawberry.field(description="Validation failures; nothing changed. 校验错误。")


@strawberry.type(description="Result of a photo upload. 照片上传结果。")
class SitePhotoPayload:
    photo: SitePhoto | None = strawberry.field(description="The photo. 照片。")
    errors: list[UserError] = strawberry.field(description="Validation failures; nothing changed. 校验错误。")


@strawberry.type(description="Result of a check-in. 打卡结果。")
class CheckInPayload:
    check_in: CheckIn | None = strawberry.field(description="The check-in. 打卡记录。")
    errors: list[UserError] = strawberry.field(description="Validation failures; nothing changed. 校验错误。")


@strawberry.type(description="Result of a milestone mutation. 节点操作结果。")
class MilestonePayload:
    milestone: ContractMilestone | None = strawberry.field(description="The milestone. 节点。")
    contract: Contract | None = strawberry.field(description="Its contract. 合同。")
    errors: list[UserError] = strawberry.field(description="Validation failures; nothing changed. 校验错误。")


@strawberry.input(description="An item of a checklist. 检查项。")
class ChecklistItemInput:
    key: str = strawberry.field(description="Stable key: lower-case letters, digits, underscores. 代码。")
    description: str = strawberry.field(description="What is checked. 检查内容。")
    photo_required: bool = strawberry.field(default=False, description="Whether a photo must show it. 是否须附照片。")


@strawberry.input(description="Make a quality checklist for a project category. 新建质量检查表。")
class CreateChecklistTemplateInput:
    category: ProjectCategory = strawberry.field(description="Project category. 项目类别。")
    name: str = strawberry.field(description="Name. 名称。")
    items: list[ChecklistItemInput] = strawberry.field(description="Items. 检查项。")


@strawberry.input(description="Edit a checklist: makes a new version. 修改质量检查表（生成新版本）。")
class UpdateChecklistTemplateInput:
    id: strawberry.ID = strawberry.field(description="The latest version. 检查表。")
    name: str | None = strawberry.field(default=None, description="Name. 名称。")
    items: list[ChecklistItemInput] | None = strawberry.field(default=None, description="Replaces the items. 检查项。")


@strawberry.input(description="The result of one checklist item. 检查结果。")
class InspectionAnswerInput:
    key: str = strawberry.field(description="Item key. 代码。")
    passed: bool = strawberry.field(description="Passed. 是否合格。")
    remarks: str | None = strawberry.field(default=None, description="Remarks; required for a failed item. 检查意见。")
    photo_ids: list[strawberry.ID] = strawberry.field(default_factory=list, description="Site photos that show it. 照片。")


@strawberry.input(description="Record a quality inspection against a checklist. 记录质量检查。")
class RecordInspectionInput:
    contract_id: strawberry.ID = strawberry.field(description="Contract. 合同。")
    milestone_id: strawberry.ID | None = strawberry.field(default=None, description="The milestone inspected, if any. 节点。")
    template_id: strawberry.ID = strawberry.field(description="Checklist (a version). 检查表。")
    answers: list[InspectionAnswerInput] = strawberry.field(description="Every item, once. 检查结果。")
    note: str | None = strawberry.field(default=None, description="Note. 检查记录。")
    rectification_due: date | None = strawberry.field(default=None, description="Due date of the rectifications it opens. 整改期限。")


@strawberry.input(description="Answer a rectification with evidence. 回复整改。")
class RespondToRectificationInput:
    id: strawberry.ID = strawberry.field(description="Rectification. 整改。")
    response: str = strawberry.field(description="What was put right. 整改情况。")
    photo_ids: list[strawberry.ID] = strawberry.field(default_factory=list, description="Site photos that show it. 照片。")


@strawberry.input(description="Close an answered rectification. 整改销项。")
class CloseRectificationInput:
    id: strawberry.ID = strawberry.field(description="Rectification. 整改。")
    comment: str | None = strawberry.field(default=None, description="Comment. 复查意见。")


@strawberry.input(description="Send an answered rectification back. 退回整改。")
class ReopenRectificationInput:
    id: strawberry.ID = strawberry.field(description="Rectification. 整改。")
    reason: str = strawberry.field(description="Why. 原因。")


@strawberry.type(description="Result of a checklist mutation. 检查表操作结果。")
class ChecklistTemplatePayload:
    template: ChecklistTemplate | None = strawberry.field(description="The checklist. 检查表。")
    errors: list[UserError] = strawberry.field(description="Validation failures; nothing changed. 校验错误。")


@strawberry.type(description="Result of recording an inspection. 质量检查结果。")
class InspectionPayload:
    inspection: Inspection | None = strawberry.field(description="The inspection. 检查。")
    errors: list[UserError] = strawberry.field(description="Validation failures; nothing changed. 校验错误。")


@strawberry.type(description="Result of a rectification mutation. 整改操作结果。")
class RectificationPayload:
    rectification: Rectification | None = strawberry.field(description="The rectification. 整改。")
    errors: list[UserError] = strawberry.field(description="Validation failures; nothing changed. 校验错误。")


@strawberry.input(description="Acknowledge a warning. 确认知悉预警。")
class AcknowledgeWarningInput:
    id: strawberry.ID = strawberry.field(description="Warning. 预警。")


@strawberry.input(description="Resolve a warning with a comment. 处理预警。")
class ResolveWarningInput:
    id: strawberry.ID = strawberry.field(description="Warning. 预警。")
    comment: str = strawberry.field(description="How it was resolved. 处理说明。")


@strawberry.type(description="Result of a warning mutation. 预警操作结果。")
class ProgressWarningPayload:
    warning: ProgressWarning | None = strawberry.field(description="The warning. 预警。")
    errors: list[UserError] = strawberry.field(description="Validation failures; nothing changed. 校验错误。")
