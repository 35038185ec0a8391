"""Projects (项目): application, documents, review chain, budget allocations."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

import strawberry
from sqlalchemy import select
from strawberry.file_uploads import Upload
from strawberry.types import Info

from models import projects as m
from models.accounts import Organisation as OrganisationModel
from models.projects import DOCUMENT_TYPES, PROJECT_CATEGORIES, PROJECT_STATUSES, REVIEW_STATUSES
from policies.scope import legacy as scope
from resolvers.projects import service as svc
from resolvers.security.downloads import DownloadGrant, signed_path
from resolvers.core.errors import BadInput
from schema.accounts.types import Organisation
from schema.core.base import (
    Connection,
    Node,
    UserError,
    column,
    decode_id,
    enum_of,
    in_input,
    list_page,
    register_node,
    run_mutation,
)

DOWNLOAD_LINK_SECONDS = 600


ProjectCategory = enum_of("ProjectCategory", PROJECT_CATEGORIES, "Kind of works. 项目类别。")


ProjectStatus = enum_of("ProjectStatus", PROJECT_STATUSES, "Where a project is in its lifecycle. 项目状态。")


DocumentType = enum_of("DocumentType", DOCUMENT_TYPES, "Kind of project document. 项目文件类型。")


ReviewStatus = enum_of("ReviewStatus", REVIEW_STATUSES, "State of one review step. 审核状态。")


@strawberry.enum(description="A reviewer's decision. 审核意见。")
class ReviewDecision(enum.Enum):
    APPROVE = "approve"
    REJECT = "reject"


@strawberry.type(description="Site location (WGS-84) with a geofence radius. 项目地点及电子围栏。")
class SiteLocation:
    latitude: float = strawberry.field(description="Latitude, WGS-84. 纬度。")
    longitude: float = strawberry.field(description="Longitude, WGS-84. 经度。")
    radius_meters: int | None = strawberry.field(description="Geofence radius in metres. 围栏半径（米）。")


@strawberry.type(description="One line of the budget. 预算明细。")
class ProjectLineItem:
    m: strawberry.Private[m.ProjectLineItem]

    position: int = column("position", "Position, from 1. 序号。")

    name: str = column("name", "Item name. 名称。")

    quantity: Decimal = column("quantity", "Quantity. 数量。")

    unit: str = column("unit", "Unit of measure. 单位。")

    unit_price: Decimal = column("unit_price", "Unit price, CNY. 单价（元）。")

    amount: Decimal = column("amount", "Quantity × unit price, rounded to the fen. 金额（元）。")


@register_node("project_document")
@strawberry.type(description="One version of a project document. 项目文件（某一版本）。")
class ProjectDocument(Node):
    m: strawberry.Private[m.ProjectDocument]

    @classmethod
    def of(cls, row: m.ProjectDocument) -> "ProjectDocument":
        return cls(pk=row.id, m=row)

    document_type: DocumentType = column("document_type", "Document type. 文件类型。", DocumentType)

    version: int = column("version", "Version of this type, from 1. 版本号。")

    filename: str = column("filename", "File name as uploaded. 文件名。")

    media_type: str = column("media_type", "Media type sniffed from the content. 文件类型（按内容识别）。")

    size_bytes: int = column("size_bytes", "Size in bytes. 大小（字节）。")

    sha256: str = column("sha256", "SHA-256 of the content. 内容哈希。")

    uploaded_at: datetime = column("uploaded_at", "When uploaded (UTC). 上传时间。")

    @strawberry.field(description="A download link for you, valid 10 minutes. 下载链接（10分钟有效）。")
    async def download_url(self, info: Info) -> str | None:
        ctx = info.context
        actor = await ctx.actor()
        if actor is None:
            return None
        from models.base import utcnow

        expires = int(utcnow().timestamp()) + DOWNLOAD_LINK_SECONDS
        grant = DownloadGrant("project-document", self.m.id, actor.kind, actor.id, expires, actor.session_id)
        return signed_path(ctx.settings.jwt_secret, grant)


@strawberry.type(description="One status change. 状态变更记录。")
class ProjectStatusChange:
    m: strawberry.Private[m.ProjectStatusChange]

    @strawberry.field(description="Status before (null at creation). 变更前状态。")
    def from_status(self) -> ProjectStatus | None:
        return ProjectStatus(self.m.from_status) if self.m.from_status else None

    to_status: ProjectStatus = column("to_status", "Status after. 变更后状态。", ProjectStatus)

    action: str = column("action", "Action: create, submit, approve, reject, cancel … 操作。")

    actor_name: str = column("actor_name", "Who. 操作人。")

    comment: str | None = column("comment", "Comment or reason. 意见/原因。")

    occurred_at: datetime = column("occurred_at", "When (UTC). 时间。")


@register_node("project_review")
@strawberry.type(description="One step of the review chain for one submission. 审核环节。")
class ProjectReview(Node):
    m: strawberry.Private[m.ProjectReview]

    @classmethod
    def of(cls, row: m.ProjectReview) -> "ProjectReview":
        return cls(pk=row.id, m=row)

    round: int = column("round", "Submission number, from 1. 第几次申报。")

    step: int = column("step", "Step in the chain, from 1. 审核环节序号。")

    role: str = column("role", "Role that decides this step. 审核角色。")

    status: ReviewStatus = column("status", "State. 状态。", ReviewStatus)

    reviewer_name: str | None = column("reviewer_name", "Who decided. 审核人。")

    comment: str | None = column("comment", "Comment. 审核意见。")

    created_at: datetime = column("created_at", "When the step opened (UTC). 开始时间。")

    decided_at: datetime | None = column("decided_at", "When decided (UTC). 审核时间。")

    @strawberry.field(description="The project. 项目。")
    async def project(self, info: Info) -> "Project | None":
        row = await info.context.loaders.project.load(self.m.project_id)
        return Project.of(row) if row else None


@register_node("project")
@strawberry.type(description="A small-works project application. 小额工程项目。")
class Project(Node):
    m: strawberry.Private[m.Project]

    @classmethod
    def of(cls, row: m.Project) -> "Project":
        return cls(pk=row.id, m=row)

    code: str = column("code", "Human-readable code, e.g. XM-2026-000123. 项目编号。")

    title: str = column("title", "Title. 项目名称。")

    description: str | None = column("description", "Description. 项目概况。")

    category: ProjectCategory = column("category", "Category. 项目类别。", ProjectCategory)

    status: ProjectStatus = column("status", "Status. 项目状态。", ProjectStatus)

    @strawberry.field(description="Actions the lifecycle allows from the current status. 当前可执行的操作。")
    def available_actions(self) -> list[str]:
        return svc.PROJECT_LIFECYCLE.actions_from(self.m.status)

    budget_amount: Decimal = column("budget_amount", "Budget, CNY, exact to the fen. 预算金额（元）。")

    funding_source: str | None = column("funding_source", "Source of funds. 资金来源。")

    region_code: str = column("region_code", "Region code. 行政区划代码。")

    @strawberry.field(description="Site and geofence. 项目地点。")
    def location(self) -> SiteLocation | None:
        if self.m.latitude is None or self.m.longitude is None:
            return None
        return SiteLocation(latitude=self.m.latitude, longitude=self.m.longitude, radius_meters=self.m.geofence_radius_m)

    planned_start: date | None = column("planned_start", "Planned start date. 计划开工日期。")

    planned_end: date | None = column("planned_end", "Planned end date. 计划完工日期。")

    submission_count: int = column("submission_count", "Times submitted. 申报次数。")

    version: int = column("version", "Row version; pass as expectedVersion to avoid overwriting others' edits. 版本号。")

    created_at: datetime = column("created_at", "When created (UTC). 创建时间。")

    updated_at: datetime = column("updated_at", "Last change (UTC). 更新时间。")

    @strawberry.field(description="Owner organisation (建设单位). 建设单位。")
    async def owner_organisation(self, info: Info) -> Organisation | None:
        row = await info.context.loaders.organisation.load(self.m.owner_organisation_id)
        return Organisation.of(row) if row else None

    @strawberry.field(description="Budget lines in order. 预算明细。")
    async def line_items(self, info: Info) -> list[ProjectLineItem]:
        return [ProjectLineItem(m=row) for row in await info.context.loaders.line_items_of_project.load(self.m.id)]

    @strawberry.field(description="Documents: the latest version of each type, or every version. 项目文件。")
    async def documents(self, info: Info, all_versions: bool = False) -> list[ProjectDocument]:
        rows = await info.context.loaders.documents_of_project.load(self.m.id)
        if not all_versions:
            latest: dict[str, m.ProjectDocument] = {}
            for row in rows:
                if row.document_type not in latest or row.version > latest[row.document_type].version:
                    latest[row.document_type] = row
            rows = sorted(latest.values(), key=lambda r: (r.document_type, r.version))
        return [ProjectDocument.of(row) for row in rows]

    @strawberry.field(description="Every status change, oldest first. 状态变更历史。")
    async def status_history(self, info: Info) -> list[ProjectStatusChange]:
        return [ProjectStatusChange(m=row) for row in await info.context.loaders.status_history_of_project.load(self.m.id)]

    @strawberry.field(description="Every review step of every submission, in order. 审核记录。")
    async def reviews(self, info: Info) -> list[ProjectReview]:
        return [ProjectReview.of(row) for row in await info.context.loaders.reviews_of_project.load(self.m.id)]


@register_node("budget_allocation")
@strawberry.type(description="An owner's budget allocation for one fiscal year. 年度预算指标。")
class BudgetAllocation(Node):
    m: strawberry.Private[m.BudgetAllocation]

    @classmethod
    def of(cls, row: m.BudgetAllocation) -> "BudgetAllocation":
        return cls(pk=row.id, m=row)

    fiscal_year: int = column("fiscal_year", "Fiscal year. 年度。")

    amount: Decimal = column("amount", "Allocated, CNY. 指标金额（元）。")

    reserved: Decimal = column("reserved", "Held by approved projects, CNY. 已占用（元）。")

    @strawberry.field(description="Still available, CNY. 可用余额（元）。")
    def remaining(self) -> Decimal:
        return self.m.amount - self.m.reserved

    @strawberry.field(description="Owner organisation. 建设单位。")
    async def organisation(self, info: Info) -> Organisation | None:
        row = await info.context.loaders.organisation.load(self.m.organisation_id)
        return Organisation.of(row) if row else None


# -- inputs -----------------------------------------------------------------------


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


@strawberry.enum(description="Sort key for projects. 项目排序字段。")
class ProjectOrderField(enum.Enum):
    CREATED_AT = "created_at"
    UPDATED_AT = "updated_at"
    CODE = "code"
    TITLE = "title"
    BUDGET_AMOUNT = "budget_amount"


@strawberry.enum(description="Sort direction. 排序方向。")
class OrderDirection(enum.Enum):
    ASC = "asc"
    DESC = "desc"


@strawberry.input(description="Ordering of projects. 项目排序。")
class ProjectOrder:
    field: ProjectOrderField = strawberry.field(description="Sort key. 排序字段。")
    direction: OrderDirection = strawberry.field(default=OrderDirection.DESC, description="Direction. 方向。")


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


@strawberry.type
class ProjectsQuery:
    @strawberry.field(description="Projects you can see. 项目列表。")
    async def projects(
        self,
        info: Info,
        filter: ProjectFilter | None = None,
        order_by: ProjectOrder | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Project] | None:
        ctx = info.context
        actor = await ctx.actor()
        P = m.Project
        stmt = select(P).where(scope.projects(actor))
        if filter:
            if filter.status:
                stmt = stmt.where(P.status.in_([s.value for s in filter.status]))
            if filter.category:
                stmt = stmt.where(P.category.in_([c.value for c in filter.category]))
            if filter.region_prefix:
                stmt = stmt.where(P.region_code.startswith(filter.region_prefix, autoescape=True))
            if filter.owner_organisation_id:
                stmt = stmt.where(P.owner_organisation_id == decode_id(filter.owner_organisation_id, "Organisation"))
            if filter.budget_min is not None:
                stmt = stmt.where(P.budget_amount >= svc.amount_argument("filter.budgetMin", filter.budget_min))
            if filter.budget_max is not None:
                stmt = stmt.where(P.budget_amount <= svc.amount_argument("filter.budgetMax", filter.budget_max))
            if filter.planned_start_from:
                stmt = stmt.where(P.planned_start >= filter.planned_start_from)
            if filter.planned_start_to:
                stmt = stmt.where(P.planned_start <= filter.planned_start_to)
            if filter.search:
                # Case-insensitive on every backend (PostgreSQL's LIKE alone is not).
                stmt = stmt.where(P.title.icontains(filter.search, autoescape=True) | P.code.icontains(filter.search, autoescape=True))
        order = order_by or ProjectOrder(field=ProjectOrderField.CREATED_AT, direction=OrderDirection.DESC)
        column = getattr(P, order.field.value)
        descending = order.direction == OrderDirection.DESC
        return await list_page(info, stmt, [(column, descending), (P.id, descending)], Project.of, first, after, last, before)

    @strawberry.field(description="One project by global ID, if you can see it. 项目详情。")
    async def project(self, info: Info, id: strawberry.ID) -> Project | None:
        row = await info.context.loaders.project.load(decode_id(id, "Project"))
        return Project.of(row) if row else None

    @strawberry.field(description="Review steps waiting for you, oldest first. 我的待审核。")
    async def my_review_queue(
        self, info: Info, first: int | None = None, after: str | None = None, last: int | None = None, before: str | None = None
    ) -> Connection[ProjectReview] | None:
        ctx = info.context
        actor = await ctx.actor()
        R = m.ProjectReview
        stmt = select(R).where(scope.review_queue(actor))
        return await list_page(info, stmt, [(R.created_at, False), (R.id, False)], ProjectReview.of, first, after, last, before)

    @strawberry.field(description="Budget allocations you can see. 年度预算指标。")
    async def budget_allocations(
        self, info: Info, fiscal_year: int | None = None, organisation_id: strawberry.ID | None = None,
        first: int | None = None, after: str | None = None, last: int | None = None, before: str | None = None,
    ) -> Connection[BudgetAllocation] | None:
        ctx = info.context
        actor = await ctx.actor()
        A = m.BudgetAllocation
        stmt = select(A).where(scope.budget_allocations(actor))
        if fiscal_year is not None:
            stmt = stmt.where(A.fiscal_year == fiscal_year)
        if organisation_id:
            stmt = stmt.where(A.organisation_id == decode_id(organisation_id, "Organisation"))
        return await list_page(info, stmt, [(A.id, False)], BudgetAllocation.of, first, after, last, before)


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
        limit = info.context.settings.upload_max_bytes
        file = input.file
        if not hasattr(file, "read"):
            raise BadInput("INVALID_UPLOAD")
        data = await file.read(limit + 1)
        upload = svc.Upload(filename=getattr(file, "filename", "") or "", content_type=getattr(file, "content_type", None), data=data)
        document, errors = await run_mutation(info, svc.upload_document, _storage(info), project_id, input.document_type.value, upload)
        return ProjectDocumentPayload(document=ProjectDocument.of(document) if document else None, errors=errors)

    @strawberry.mutation(description="Submit for review; every failed check is reported at once. 提交申报。")
    async def submit_project(self, info: Info, input: SubmitProjectInput) -> ProjectPayload | None:
        project, errors = await run_mutation(info, svc.submit_project, decode_id(input.id, "Project"), input.comment, input.expected_version)
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
