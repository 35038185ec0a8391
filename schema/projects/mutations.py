"""Projects (项目): application, documents, review chain, budget allocations: root mutation fields."""

from __future__ import annotations

from typing import Any

import strawberry

from resolvers.core.errors import BadInput
from resolvers.projects import service as svc
from schema.core.context import Info
from schema.core.node import decode_id
from schema.core.payload import in_input, run_mutation
from schema.projects.inputs import (
    BudgetAllocationPayload,
    CancelProjectInput,
    CreateProjectInput,
    DecideProjectReviewInput,
    ProjectDocumentPayload,
    ProjectPayload,
    ProjectReviewPayload,
    SetBudgetAllocationInput,
    SubmitProjectInput,
    UpdateProjectInput,
    UploadProjectDocumentInput,
)
from schema.projects.types import (
    BudgetAllocation,
    Project,
    ProjectDocument,
    ProjectReview,
    ReviewDecision,
)


def _project_data(input, creating: bool) -> svc.ProjectData:
    def value(name):
        v = getattr(input, name)
        return None if (v is strawberry.UNSET) else v

    location = value("location")
    items = value("line_items")
    category = value("category")
    data = svc.ProjectData(
        title=value("title"),
        description=value("description"),
        category=category.value if category else None,
        budget_amount=value("budget_amount"),
        funding_source=value("funding_source"),
        location=svc.Location(location.latitude, location.longitude, location.radius_meters) if location else None,
        planned_start=value("planned_start"),
        planned_end=value("planned_end"),
        line_items=[svc.LineItemData(i.name, i.quantity, i.unit, i.unit_price) for i in items] if items is not None else None,
    )
    if not creating:
        data.expected_version = input.expected_version
        # An explicit null clears optional text.
        for name in ("description", "funding_source"):
            if in_input(getattr(input, name)) and getattr(input, name) is None:
                setattr(data, name, "")
    return data


def _storage(info: Info):
    return info.context.state.storage


# -- root fields ------------------------------------------------------------------


async def read_upload(info: Info, file: Any) -> svc.Upload:
    """A multipart file as the services take it, read up to one byte past the upload limit
    (so an oversized file is refused without reading all of it)."""
    if not hasattr(file, "read"):
        raise BadInput("INVALID_UPLOAD")
    data = await file.read(info.context.settings.upload_max_bytes + 1)
    return svc.Upload(filename=getattr(file, "filename", "") or "", content_type=getattr(file, "content_type", None), data=data)


@strawberry.type
class ProjectsMutation:
    @strawberry.mutation(description="Draft a project for your organisation. 新建项目草稿。")
    async def create_project(self, info: Info, input: CreateProjectInput) -> ProjectPayload | None:
        project, errors = await run_mutation(info, svc.create_project, _project_data(input, creating=True))
        return ProjectPayload(project=Project.of(project) if project else None, errors=errors)

    @strawberry.mutation(description="Change a draft or rejected project. 修改项目。")
    async def update_project(self, info: Info, input: UpdateProjectInput) -> ProjectPayload | None:
        project, errors = await run_mutation(info, svc.update_project, decode_id(input.id, "Project"), _project_data(input, creating=False))
        return ProjectPayload(project=Project.of(project) if project else None, errors=errors)

    @strawberry.mutation(description="Upload a document; the same type again makes a new version. 上传项目文件。")
    async def upload_project_document(self, info: Info, input: UploadProjectDocumentInput) -> ProjectDocumentPayload | None:
        project_id = decode_id(input.project_id, "Project")
        upload = await read_upload(info, input.file)
        document, errors = await run_mutation(info, svc.upload_document, _storage(info), project_id, input.document_type.value, upload)
        return ProjectDocumentPayload(document=ProjectDocument.of(document) if document else None, errors=errors)

    @strawberry.mutation(description="Submit for review; every failed check is reported at once. 提交申报。")
    async def submit_project(self, info: Info, input: SubmitProjectInput) -> ProjectPayload | None:
        project, errors = await run_mutation(
            info, svc.submit_project, decode_id(input.id, "Project"), input.comment, input.expected_version
        )
        return ProjectPayload(project=Project.of(project) if project else None, errors=errors)

    @strawberry.mutation(description="Approve or reject your review step. 审核项目。")
    async def decide_project_review(self, info: Info, input: DecideProjectReviewInput) -> ProjectReviewPayload | None:
        review, errors = await run_mutation(
            info, svc.decide_review, decode_id(input.review_id, "ProjectReview"), input.decision == ReviewDecision.APPROVE, input.comment
        )
        if review is None:
            return ProjectReviewPayload(review=None, project=None, errors=errors)
        project = await info.context.loaders.project.load(review.project_id)
        return ProjectReviewPayload(review=ProjectReview.of(review), project=Project.of(project) if project else None, errors=[])

    @strawberry.mutation(description="Cancel a project before contracting; releases its budget. 撤销项目。")
    async def cancel_project(self, info: Info, input: CancelProjectInput) -> ProjectPayload | None:
        project, errors = await run_mutation(info, svc.cancel_project, decode_id(input.id, "Project"), input.reason)
        return ProjectPayload(project=Project.of(project) if project else None, errors=errors)

    @strawberry.mutation(description="Set an owner's allocation for a fiscal year. 设置年度预算指标。")
    async def set_budget_allocation(self, info: Info, input: SetBudgetAllocationInput) -> BudgetAllocationPayload | None:
        allocation, errors = await run_mutation(
            info, svc.set_allocation, decode_id(input.organisation_id, "Organisation"), input.fiscal_year, input.amount
        )
        return BudgetAllocationPayload(allocation=BudgetAllocation.of(allocation) if allocation else None, errors=errors)
