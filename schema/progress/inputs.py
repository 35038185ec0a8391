"""Construction progress (进度): inputs and payloads."""

from __future__ import annotations

from datetime import date, datetime

import strawberry
from strawberry.file_uploads import Upload

from schema.contracts.types import Contract, ContractMilestone
from schema.core.payload import UserError
from schema.progress.types import CheckIn, DailyLog, DailyLogCorrection, Datum, SitePhoto


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
