"""Projects (项目): application, documents, review chain, budget allocations: inputs, filters and payloads."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import strawberry
from strawberry.file_uploads import Upload

from schema.core.payload import UserError
from schema.projects.types import (
    BudgetAllocation,
    DocumentType,
    OrderDirection,
    Project,
    ProjectCategory,
    ProjectDocument,
    ProjectOrderField,
    ProjectReview,
    ProjectStatus,
    ReviewDecision,
)


@strawberry.input(description="One budget line. 预算明细。")
class LineItemInput:
    name: str = strawberry.field(description="Item name. 名称。")
    quantity: Decimal = strawberry.field(description="Quantity, up to 3 decimals. 数量。")
    unit: str = strawberry.field(description="Unit of measure. 单位。")
    unit_price: Decimal = strawberry.field(description="Unit price, CNY, up to 2 decimals. 单价（元）。")


@strawberry.input(description="Site location and geofence. 项目地点。")
class LocationInput:
    latitude: float = strawberry.field(description="Latitude, WGS-84. 纬度。")
    longitude: float = strawberry.field(description="Longitude, WGS-84. 经度。")
    radius_meters: int = strawberry.field(description="Geofence radius, 50–5,000 m. 围栏半径（米）。")


@strawberry.input(description="Draft a project. 新建项目草稿。")
class CreateProjectInput:
    title: str = strawberry.field(description="Title. 项目名称。")
    category: ProjectCategory = strawberry.field(description="Category. 项目类别。")
    description: str | None = strawberry.field(default=None, description="Description. 项目概况。")
    budget_amount: Decimal | None = strawberry.field(default=None, description="Budget, CNY. 预算金额。")
    funding_source: str | None = strawberry.field(default=None, description="Source of funds. 资金来源。")
    location: LocationInput | None = strawberry.field(default=None, description="Site. 项目地点。")
    planned_start: date | None = strawberry.field(default=None, description="Planned start. 计划开工。")
    planned_end: date | None = strawberry.field(default=None, description="Planned end. 计划完工。")
    line_items: list[LineItemInput] | None = strawberry.field(default=None, description="Budget lines. 预算明细。")


@strawberry.input(description="Change a draft or rejected project; omitted fields stay. 修改项目。")
class UpdateProjectInput:
    id: strawberry.ID = strawberry.field(description="Project. 项目。")
    expected_version: int | None = strawberry.field(default=None, description="Refuse if the project changed since. 期望版本号。")
    title: str | None = strawberry.field(default=strawberry.UNSET, description="Title. 项目名称。")
    category: ProjectCategory | None = strawberry.field(default=strawberry.UNSET, description="Category. 项目类别。")
    description: str | None = strawberry.field(default=strawberry.UNSET, description="Description. 项目概况。")
    budget_amount: Decimal | None = strawberry.field(default=strawberry.UNSET, description="Budget, CNY. 预算金额。")
    funding_source: str | None = strawberry.field(default=strawberry.UNSET, description="Source of funds. 资金来源。")
    location: LocationInput | None = strawberry.field(default=strawberry.UNSET, description="Site. 项目地点。")
    planned_start: date | None = strawberry.field(default=strawberry.UNSET, description="Planned start. 计划开工。")
    planned_end: date | None = strawberry.field(default=strawberry.UNSET, description="Planned end. 计划完工。")
    line_items: list[LineItemInput] | None = strawberry.field(
        default=strawberry.UNSET, description="Replaces all budget lines. 预算明细（整体替换）。"
    )


@strawberry.input(description="Upload a document (GraphQL multipart request). 上传项目文件。")
class UploadProjectDocumentInput:
    project_id: strawberry.ID = strawberry.field(description="Project. 项目。")
    document_type: DocumentType = strawberry.field(description="Document type. 文件类型。")
    file: Upload = strawberry.field(description="The file. 文件。")


@strawberry.input(description="Submit for review. 提交申报。")
class SubmitProjectInput:
    id: strawberry.ID = strawberry.field(description="Project. 项目。")
    comment: str | None = strawberry.field(default=None, description="Note to reviewers. 申报说明。")
    expected_version: int | None = strawberry.field(default=None, description="Refuse if the project changed since. 期望版本号。")


@strawberry.input(description="Decide a review step. 审核。")
class DecideProjectReviewInput:
    review_id: strawberry.ID = strawberry.field(description="The pending review step. 审核环节。")
    decision: ReviewDecision = strawberry.field(description="Approve or reject. 通过或退回。")
    comment: str | None = strawberry.field(default=None, description="Required when rejecting. 审核意见（退回时必填）。")


@strawberry.input(description="Cancel a project before contracting. 撤销项目。")
class CancelProjectInput:
    id: strawberry.ID = strawberry.field(description="Project. 项目。")
    reason: str = strawberry.field(description="Why. 撤销原因。")


@strawberry.input(description="Set an owner's allocation for a fiscal year. 设置年度预算指标。")
class SetBudgetAllocationInput:
    organisation_id: strawberry.ID = strawberry.field(description="Owner organisation. 建设单位。")
    fiscal_year: int = strawberry.field(description="Fiscal year. 年度。")
    amount: Decimal = strawberry.field(description="Allocation, CNY. 指标金额（元）。")


@strawberry.type(description="Result of a project mutation. 项目操作结果。")
class ProjectPayload:
    project: Project | None = strawberry.field(description="The project. 项目。")
    errors: list[UserError] = strawberry.field(description="Validation failures; nothing changed. 校验错误。")


@strawberry.type(description="Result of an upload. 上传结果。")
class ProjectDocumentPayload:
    document: ProjectDocument | None = strawberry.field(description="The stored version. 文件。")
    errors: list[UserError] = strawberry.field(description="Why it was refused; nothing stored. 错误。")


@strawberry.type(description="Result of a review decision. 审核结果。")
class ProjectReviewPayload:
    review: ProjectReview | None = strawberry.field(description="The decided step. 审核环节。")
    project: Project | None = strawberry.field(description="The project after the decision. 项目。")
    errors: list[UserError] = strawberry.field(description="Validation failures. 校验错误。")


@strawberry.type(description="Result of setting an allocation. 预算指标设置结果。")
class BudgetAllocationPayload:
    allocation: BudgetAllocation | None = strawberry.field(description="The allocation. 预算指标。")
    errors: list[UserError] = strawberry.field(description="Validation failures. 校验错误。")


@strawberry.input(description="Filter for projects. 项目筛选条件。")
class ProjectFilter:
    status: list[ProjectStatus] | None = strawberry.field(default=None, description="Any of these statuses. 状态。")
    category: list[ProjectCategory] | None = strawberry.field(default=None, description="Any of these categories. 类别。")
    region_prefix: str | None = strawberry.field(default=None, description="Region code prefix. 行政区划前缀。")
    owner_organisation_id: strawberry.ID | None = strawberry.field(default=None, description="Owner. 建设单位。")
    budget_min: Decimal | None = strawberry.field(default=None, description="Budget at least. 预算下限。")
    budget_max: Decimal | None = strawberry.field(default=None, description="Budget at most. 预算上限。")
    planned_start_from: date | None = strawberry.field(default=None, description="Planned start on or after. 计划开工起。")
    planned_start_to: date | None = strawberry.field(default=None, description="Planned start on or before. 计划开工止。")
    search: str | None = strawberry.field(default=None, description="Part of the title or code. 名称或编号关键字。")


@strawberry.input(description="Ordering of projects. 项目排序。")
class ProjectOrder:
    field: ProjectOrderField = strawberry.field(description="Sort key. 排序字段。")
    direction: OrderDirection = strawberry.field(default=OrderDirection.DESC, description="Direction. 方向。")
