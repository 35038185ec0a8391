"""Projects (项目): application, documents, review chain, budget allocations: GraphQL types."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from functools import partial
from typing import TYPE_CHECKING

import strawberry

from models import projects as tables
from models.projects import (
    DOCUMENT_TYPES,
    PROJECT_CATEGORIES,
    PROJECT_STATUSES,
    REVIEW_STATUSES,
)
from resolvers.projects import service as svc
from schema.accounts.types import Organisation
from schema.core.actions import viewer_actions
from schema.core.context import Info
from schema.core.downloads import download_link
from schema.core.fields import column, enum_of, label, labels_in_request, loaded
from schema.core.node import Node, register_node

if TYPE_CHECKING:  # what type checkers see of the enums below (see ``enum_of``)

    class ProjectCategory(enum.Enum): ...

    class ProjectStatus(enum.Enum): ...

    class DocumentType(enum.Enum): ...

    class ReviewStatus(enum.Enum): ...

    class ProjectAction(enum.Enum): ...

else:
    ProjectCategory = enum_of("ProjectCategory", PROJECT_CATEGORIES, "Kind of works. 项目类别。")

    ProjectStatus = enum_of("ProjectStatus", PROJECT_STATUSES, "Where a project is in its lifecycle. 项目状态。")

    DocumentType = enum_of("DocumentType", DOCUMENT_TYPES, "Kind of project document. 项目文件类型。")

    ReviewStatus = enum_of("ReviewStatus", REVIEW_STATUSES, "State of one review step. 审核状态。")

    ProjectAction = enum_of(
        "ProjectAction",
        tuple(svc.PROJECT_ACTIONS),
        "Something a viewer may do to a project: UPDATE (updateProject), UPLOAD_DOCUMENT "
        "(uploadProjectDocument), SUBMIT, APPROVE and REJECT (decideProjectReview of the step "
        "waiting), CANCEL. 对项目可执行的操作。",
    )


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
    row: strawberry.Private[tables.ProjectLineItem]

    position: int = column("position", "Position, from 1. 序号。")

    name: str = column("name", "Item name. 名称。")

    quantity: Decimal = column("quantity", "Quantity. 数量。")

    unit: str = column("unit", "Unit of measure. 单位。")

    unit_price: Decimal = column("unit_price", "Unit price, CNY. 单价（元）。")

    amount: Decimal = column("amount", "Quantity × unit price, rounded to the fen. 金额（元）。")


@register_node("project_document")
@strawberry.type(description="One version of a project document. 项目文件（某一版本）。")
class ProjectDocument(Node):
    row: strawberry.Private[tables.ProjectDocument]

    document_type: DocumentType = column("document_type", "Document type. 文件类型。", DocumentType)

    document_type_label: str = label("document_type", "DocumentType", "Document type, in the request's language. 文件类型名称。")

    version: int = column("version", "Version of this type, from 1. 版本号。")

    filename: str = column("filename", "File name as uploaded. 文件名。")

    media_type: str = column("media_type", "Media type sniffed from the content. 文件类型（按内容识别）。")

    size_bytes: int = column("size_bytes", "Size in bytes. 大小（字节）。")

    sha256: str = column("sha256", "SHA-256 of the content. 内容哈希。")

    uploaded_at: datetime = column("uploaded_at", "When uploaded (UTC). 上传时间。")

    @strawberry.field(description="A download link for you, valid 10 minutes. 下载链接（10分钟有效）。")
    async def download_url(self, info: Info) -> str | None:
        return await download_link(info, "project-document", self.row.id)


@strawberry.type(description="One status change. 状态变更记录。")
class ProjectStatusChange:
    row: strawberry.Private[tables.ProjectStatusChange]

    from_status: ProjectStatus | None = column("from_status", "Status before (null at creation). 变更前状态。", ProjectStatus)

    from_status_label: str | None = label("from_status", "ProjectStatus", "Status before, in the request's language. 变更前状态名称。")

    to_status: ProjectStatus = column("to_status", "Status after. 变更后状态。", ProjectStatus)

    to_status_label: str = label("to_status", "ProjectStatus", "Status after, in the request's language. 变更后状态名称。")

    action: str = column("action", "Action: create, submit, approve, reject, cancel … 操作。")

    action_label: str = label("action", "ProjectAction", "Action, in the request's language. 操作名称。")

    actor_name: str = column("actor_name", "Display name of who did it, at the time. 操作人姓名。")

    comment: str | None = column("comment", "Comment or reason. 意见/原因。")

    occurred_at: datetime = column("occurred_at", "When (UTC). 时间。")


@register_node("project_review")
@strawberry.type(description="One step of the review chain for one submission. 审核环节。")
class ProjectReview(Node):
    row: strawberry.Private[tables.ProjectReview]

    round: int = column("round", "Submission number, from 1. 第几次申报。")

    step: int = column("step", "Step in the chain, from 1. 审核环节序号。")

    role: str = column("role", "Role that decides this step (a `Role` value in lower case). 审核角色。")

    role_label: str = label("role", "Role", "Role that decides this step, in the request's language. 审核角色名称。")

    status: ReviewStatus = column("status", "State. 状态。", ReviewStatus)

    status_label: str = label("status", "ReviewStatus", "State, in the request's language. 状态名称。")

    reviewer_name: str | None = column("reviewer_name", "Display name of who decided, at the time. 审核人姓名。")

    comment: str | None = column("comment", "Comment. 审核意见。")

    created_at: datetime = column("created_at", "When the step opened (UTC). 开始时间。")

    decided_at: datetime | None = column("decided_at", "When decided (UTC). 审核时间。")

    @strawberry.field(
        description="Whether the viewer may decide this step now: it is waiting, it is their role's, the project is "
        "not their organisation's, and they decided no earlier step of its round. 当前用户能否审核此步骤。"
    )
    async def viewer_can_decide(self, info: Info) -> bool:
        project = await info.context.loaders.project.load(self.row.project_id)
        if project is None:
            return False
        reviews = await info.context.loaders.reviews_of_project.load(project.id)
        rules = partial(svc.review_actions, project=project, review=self.row, reviews=reviews)
        return bool(await viewer_actions(info, rules, svc.REVIEW_ACTIONS))

    @strawberry.field(description="The project. 项目。")
    @loaded("project", "project_id", shows=lambda: Project)
    async def project(self, info: Info) -> Project | None:
        raise NotImplementedError  # resolved from the @loaded declaration above


def _document_versions(rows: list[tables.ProjectDocument], all_versions: bool = False) -> list[tables.ProjectDocument]:
    """Every version (rows come ordered by type and version), or the latest of each type."""
    if all_versions:
        return rows
    latest: dict[str, tables.ProjectDocument] = {}
    for row in rows:
        if row.document_type not in latest or row.version > latest[row.document_type].version:
            latest[row.document_type] = row
    return sorted(latest.values(), key=lambda r: (r.document_type, r.version))


async def _viewer_actions(info: Info, project: tables.Project) -> list[str]:
    """``svc.project_actions`` for the viewer, each also allowed by the gate."""
    reviews = await info.context.loaders.reviews_of_project.load(project.id) if project.status == "submitted" else []
    return await viewer_actions(info, lambda actor: svc.project_actions(actor, project, reviews), svc.PROJECT_ACTIONS)


@register_node("project")
@strawberry.type(description="A small-works project application. 小额工程项目。")
class Project(Node):
    row: strawberry.Private[tables.Project]

    code: str = column("code", "Human-readable code, e.g. XM-2026-000123. 项目编号。")

    title: str = column("title", "Title. 项目名称。")

    description: str | None = column("description", "Description. 项目概况。")

    category: ProjectCategory = column("category", "Category. 项目类别。", ProjectCategory)

    category_label: str = label("category", "ProjectCategory", "Category, in the request's language. 项目类别名称。")

    status: ProjectStatus = column("status", "Status. 项目状态。", ProjectStatus)

    status_label: str = label("status", "ProjectStatus", "Status, in the request's language. 项目状态名称。")

    @strawberry.field(
        description="What the viewer may do to this project now: its status, the viewer's permissions and "
        "their part in it (owner staff of its organisation, reviewer of the step waiting), by the same rules "
        "the mutations apply. A listed action may still report missing data (documents, budget). "
        "当前用户现在可对本项目执行的操作。"
    )
    async def available_actions(self, info: Info) -> list[ProjectAction]:
        return [ProjectAction(name) for name in await _viewer_actions(info, self.row)]

    @strawberry.field(description="Whether the viewer may edit the project and its documents now. 当前用户能否修改本项目。")
    async def viewer_can_update(self, info: Info) -> bool:
        return "update" in await _viewer_actions(info, self.row)

    @strawberry.field(description="Whether the viewer may decide the review step waiting now. 当前用户能否审核本项目当前步骤。")
    async def viewer_can_review(self, info: Info) -> bool:
        return "approve" in await _viewer_actions(info, self.row)

    @strawberry.field(description="The labels of `availableActions` in the request's language, in the same order. 当前可执行的操作名称。")
    async def available_action_labels(self, info: Info) -> list[str]:
        return labels_in_request(info, "ProjectAction", await _viewer_actions(info, self.row))

    budget_amount: Decimal = column("budget_amount", "Budget, CNY, exact to the fen. 预算金额（元）。")

    funding_source: str | None = column("funding_source", "Source of funds. 资金来源。")

    region_code: str = column("region_code", "Region code. 行政区划代码。")

    @strawberry.field(description="Site and geofence. 项目地点。")
    def location(self) -> SiteLocation | None:
        if self.row.latitude is None or self.row.longitude is None:
            return None
        return SiteLocation(latitude=self.row.latitude, longitude=self.row.longitude, radius_meters=self.row.geofence_radius_m)

    planned_start: date | None = column("planned_start", "Planned start date. 计划开工日期。")

    planned_end: date | None = column("planned_end", "Planned end date. 计划完工日期。")

    submission_count: int = column("submission_count", "Times submitted. 申报次数。")

    version: int = column("version", "Row version; pass as expectedVersion to avoid overwriting others' edits. 版本号。")

    created_at: datetime = column("created_at", "When created (UTC). 创建时间。")

    updated_at: datetime = column("updated_at", "Last change (UTC). 更新时间。")

    @strawberry.field(description="Owner organisation (建设单位). 建设单位。")
    @loaded("organisation", "owner_organisation_id", shows=Organisation)
    async def owner_organisation(self, info: Info) -> Organisation | None:
        raise NotImplementedError  # resolved from the @loaded declaration above

    @strawberry.field(description="Budget lines in order. 预算明细。")
    @loaded("line_items_of_project", "id", shows=ProjectLineItem)
    async def line_items(self, info: Info) -> list[ProjectLineItem]:
        raise NotImplementedError  # resolved from the @loaded declaration above

    @strawberry.field(description="Documents: the latest version of each type, or every version. 项目文件。")
    @loaded("documents_of_project", "id", shows=ProjectDocument, pick=_document_versions)
    async def documents(self, info: Info, all_versions: bool = False) -> list[ProjectDocument]:
        raise NotImplementedError  # resolved from the @loaded declaration above

    @strawberry.field(description="Every status change, oldest first. 状态变更历史。")
    @loaded("status_history_of_project", "id", shows=ProjectStatusChange)
    async def status_history(self, info: Info) -> list[ProjectStatusChange]:
        raise NotImplementedError  # resolved from the @loaded declaration above

    @strawberry.field(description="Every review step of every submission, in order. 审核记录。")
    @loaded("reviews_of_project", "id", shows=ProjectReview)
    async def reviews(self, info: Info) -> list[ProjectReview]:
        raise NotImplementedError  # resolved from the @loaded declaration above


@register_node("budget_allocation")
@strawberry.type(description="An owner's budget allocation for one fiscal year. 年度预算指标。")
class BudgetAllocation(Node):
    row: strawberry.Private[tables.BudgetAllocation]

    fiscal_year: int = column("fiscal_year", "Fiscal year. 年度。")

    amount: Decimal = column("amount", "Allocated, CNY. 指标金额（元）。")

    reserved: Decimal = column("reserved", "Held by approved projects, CNY. 已占用（元）。")

    @strawberry.field(description="Still available, CNY. 可用余额（元）。")
    def remaining(self) -> Decimal:
        return self.row.amount - self.row.reserved

    @strawberry.field(description="Owner organisation. 建设单位。")
    @loaded("organisation", "organisation_id", shows=Organisation)
    async def organisation(self, info: Info) -> Organisation | None:
        raise NotImplementedError  # resolved from the @loaded declaration above


# -- inputs -----------------------------------------------------------------------


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
