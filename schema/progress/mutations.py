"""Construction progress (进度): root mutation fields."""

from __future__ import annotations

import strawberry

from resolvers.progress import quality, warnings
from resolvers.progress import service as svc
from schema.contracts.types import Contract, ContractMilestone
from schema.core.context import Info
from schema.core.fields import from_row
from schema.core.node import decode_id
from schema.core.payload import run_mutation
from schema.progress.inputs import (
    AcceptMilestoneInput,
    AcknowledgeWarningInput,
    CheckInInput,
    CheckInPayload,
    ChecklistTemplatePayload,
    CloseRectificationInput,
    CorrectDailyLogInput,
    CreateChecklistTemplateInput,
    CreateDailyLogInput,
    DailyLogCorrectionPayload,
    DailyLogPayload,
    InspectionPayload,
    MilestonePayload,
    ProgressWarningPayload,
    RecordInspectionInput,
    RectificationPayload,
    RejectMilestoneInput,
    ReopenRectificationInput,
    ResolveWarningInput,
    RespondToRectificationInput,
    SitePhotoPayload,
    StartMilestoneInput,
    SubmitMilestoneInput,
    UpdateChecklistTemplateInput,
    UpdateDailyLogInput,
    UploadSitePhotoInput,
)
from schema.progress.types import (
    CheckIn,
    ChecklistTemplate,
    DailyLog,
    DailyLogCorrection,
    Inspection,
    ProgressWarning,
    Rectification,
    SitePhoto,
)
from schema.projects.mutations import read_upload


def _log_data(input) -> svc.LogData:
    return svc.LogData(
        weather=input.weather,
        work_done=input.work_done,
        crew_count=input.crew_count,
        machinery=input.machinery,
        materials=input.materials,
        issues=input.issues,
    )


def _items(rows) -> list[quality.ItemData] | None:
    return None if rows is None else [quality.ItemData(r.key, r.description, r.photo_required) for r in rows]


def _photo_ids(ids) -> list[int]:
    return [decode_id(i, "SitePhoto") for i in ids]


async def _milestone_payload(info: Info, row) -> MilestonePayload:
    contract = await info.context.loaders.contract.load(row.contract_id)
    return MilestonePayload(milestone=ContractMilestone.of(row), contract=Contract.of(contract) if contract else None, errors=[])


@strawberry.type
class ProgressMutation:
    @strawberry.mutation(description="Write the log of a day; a retry with the same key returns the first. 填写施工日志。")
    async def create_daily_log(self, info: Info, input: CreateDailyLogInput) -> DailyLogPayload | None:
        row, errors = await run_mutation(
            info, svc.create_daily_log, decode_id(input.contract_id, "Contract"), input.log_date, input.idempotency_key, _log_data(input)
        )
        return DailyLogPayload(log=DailyLog.of(row) if row else None, errors=errors)

    @strawberry.mutation(description="Edit a log on its own day. 修改当日施工日志。")
    async def update_daily_log(self, info: Info, input: UpdateDailyLogInput) -> DailyLogPayload | None:
        row, errors = await run_mutation(
            info, svc.update_daily_log, decode_id(input.id, "DailyLog"), _log_data(input), input.expected_version
        )
        return DailyLogPayload(log=DailyLog.of(row) if row else None, errors=errors)

    @strawberry.mutation(description="Append a correction to a log after its day. 追加日志更正。")
    async def correct_daily_log(self, info: Info, input: CorrectDailyLogInput) -> DailyLogCorrectionPayload | None:
        log_id = decode_id(input.id, "DailyLog")
        row, errors = await run_mutation(info, svc.correct_daily_log, log_id, input.text)
        if row is None:
            return DailyLogCorrectionPayload(correction=None, log=None, errors=errors)
        log = await info.context.loaders.daily_log.load(log_id)
        return DailyLogCorrectionPayload(correction=from_row(DailyLogCorrection, row), log=DailyLog.of(log) if log else None, errors=[])

    @strawberry.mutation(description="Upload a photo of a log; a retry with the same key stores nothing twice. 上传现场照片。")
    async def upload_site_photo(self, info: Info, input: UploadSitePhotoInput) -> SitePhotoPayload | None:
        upload = await read_upload(info, input.file)
        row, errors = await run_mutation(
            info, svc.upload_site_photo, info.context.state.storage, decode_id(input.log_id, "DailyLog"), input.idempotency_key, upload
        )
        return SitePhotoPayload(photo=SitePhoto.of(row) if row else None, errors=errors)

    @strawberry.mutation(description="Check in on a contract's site; outside the fence it is accepted and flagged. 现场定位打卡。")
    async def check_in(self, info: Info, input: CheckInInput) -> CheckInPayload | None:
        position = svc.Position(input.latitude, input.longitude, input.accuracy, input.datum.value, input.device_time)
        row, errors = await run_mutation(info, svc.check_in, decode_id(input.contract_id, "Contract"), input.idempotency_key, position)
        return CheckInPayload(check_in=CheckIn.of(row) if row else None, errors=errors)

    @strawberry.mutation(description="Start (or resume) work on a milestone. 开始实施节点。")
    async def start_milestone(self, info: Info, input: StartMilestoneInput) -> MilestonePayload | None:
        row, errors = await run_mutation(info, svc.start_milestone, decode_id(input.id, "ContractMilestone"))
        return await _milestone_payload(info, row) if row else MilestonePayload(milestone=None, contract=None, errors=errors)

    @strawberry.mutation(description="Submit a milestone for acceptance. 节点申请验收。")
    async def submit_milestone(self, info: Info, input: SubmitMilestoneInput) -> MilestonePayload | None:
        row, errors = await run_mutation(info, svc.submit_milestone, decode_id(input.id, "ContractMilestone"), input.note)
        return await _milestone_payload(info, row) if row else MilestonePayload(milestone=None, contract=None, errors=errors)

    @strawberry.mutation(description="Accept a submitted milestone; the last one completes the contract. 节点验收通过。")
    async def accept_milestone(self, info: Info, input: AcceptMilestoneInput) -> MilestonePayload | None:
        row, errors = await run_mutation(info, svc.accept_milestone, decode_id(input.id, "ContractMilestone"), input.comment)
        return await _milestone_payload(info, row) if row else MilestonePayload(milestone=None, contract=None, errors=errors)

    @strawberry.mutation(description="Reject a submitted milestone. 节点验收不通过。")
    async def reject_milestone(self, info: Info, input: RejectMilestoneInput) -> MilestonePayload | None:
        row, errors = await run_mutation(info, svc.reject_milestone, decode_id(input.id, "ContractMilestone"), input.reason)
        return await _milestone_payload(info, row) if row else MilestonePayload(milestone=None, contract=None, errors=errors)

    @strawberry.mutation(description="Make a quality checklist for a project category. 新建质量检查表。")
    async def create_checklist_template(self, info: Info, input: CreateChecklistTemplateInput) -> ChecklistTemplatePayload | None:
        row, errors = await run_mutation(info, quality.create_template, input.category.value, input.name, _items(input.items) or [])
        return ChecklistTemplatePayload(template=ChecklistTemplate.of(row) if row else None, errors=errors)

    @strawberry.mutation(description="Edit a checklist: makes a new version; inspections keep theirs. 修改质量检查表。")
    async def update_checklist_template(self, info: Info, input: UpdateChecklistTemplateInput) -> ChecklistTemplatePayload | None:
        row, errors = await run_mutation(
            info, quality.update_template, decode_id(input.id, "ChecklistTemplate"), input.name, _items(input.items)
        )
        return ChecklistTemplatePayload(template=ChecklistTemplate.of(row) if row else None, errors=errors)

    @strawberry.mutation(description="Record a quality inspection; each failed item opens a rectification. 记录质量检查。")
    async def record_inspection(self, info: Info, input: RecordInspectionInput) -> InspectionPayload | None:
        answers = [quality.Answer(a.key, a.passed, a.remarks, _photo_ids(a.photo_ids)) for a in input.answers]
        row, errors = await run_mutation(
            info,
            quality.record_inspection,
            decode_id(input.contract_id, "Contract"),
            decode_id(input.milestone_id, "ContractMilestone") if input.milestone_id else None,
            decode_id(input.template_id, "ChecklistTemplate"),
            answers,
            input.note,
            input.rectification_due,
        )
        return InspectionPayload(inspection=Inspection.of(row) if row else None, errors=errors)

    @strawberry.mutation(description="Answer a rectification with evidence. 回复整改。")
    async def respond_to_rectification(self, info: Info, input: RespondToRectificationInput) -> RectificationPayload | None:
        row, errors = await run_mutation(
            info, quality.respond, decode_id(input.id, "Rectification"), input.response, _photo_ids(input.photo_ids)
        )
        return RectificationPayload(rectification=Rectification.of(row) if row else None, errors=errors)

    @strawberry.mutation(description="Close an answered rectification. 整改销项。")
    async def close_rectification(self, info: Info, input: CloseRectificationInput) -> RectificationPayload | None:
        row, errors = await run_mutation(info, quality.close, decode_id(input.id, "Rectification"), input.comment)
        return RectificationPayload(rectification=Rectification.of(row) if row else None, errors=errors)

    @strawberry.mutation(description="Send an answered rectification back to the contractor. 退回整改。")
    async def reopen_rectification(self, info: Info, input: ReopenRectificationInput) -> RectificationPayload | None:
        row, errors = await run_mutation(info, quality.reopen, decode_id(input.id, "Rectification"), input.reason)
        return RectificationPayload(rectification=Rectification.of(row) if row else None, errors=errors)

    @strawberry.mutation(description="Acknowledge a warning. 确认知悉预警。")
    async def acknowledge_warning(self, info: Info, input: AcknowledgeWarningInput) -> ProgressWarningPayload | None:
        row, errors = await run_mutation(info, warnings.acknowledge, decode_id(input.id, "ProgressWarning"))
        return ProgressWarningPayload(warning=ProgressWarning.of(row) if row else None, errors=errors)

    @strawberry.mutation(description="Resolve a warning with a comment. 处理预警。")
    async def resolve_warning(self, info: Info, input: ResolveWarningInput) -> ProgressWarningPayload | None:
        row, errors = await run_mutation(info, warnings.resolve, decode_id(input.id, "ProgressWarning"), input.comment)
        return ProgressWarningPayload(warning=ProgressWarning.of(row) if row else None, errors=errors)
