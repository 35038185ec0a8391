"""Tendering and bidding (招标采购): inputs, filters and payloads."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

import strawberry
from strawberry.file_uploads import Upload

from schema.core.payload import UserError
from schema.projects.types import OrderDirection, ProjectCategory
from schema.tendering.types import (
    AwardObjection,
    Bid,
    BidReceipt,
    Clarification,
    CommitteeMember,
    CriterionKind,
    Qualification,
    QualificationGrade,
    QualificationKind,
    Relationship,
    Tender,
    TenderMethod,
    TenderStatus,
    TenderTemplate,
)


@strawberry.input(description="A document every bid must carry. 投标须提交的文件。")
class DocumentRequirementInput:
    key: str = strawberry.field(description="Stable key: lower-case letters, digits, underscores. 代码。")
    name: str = strawberry.field(description="Name. 名称。")


@strawberry.input(description="A question every bid must answer. 须应答事项。")
class ItemRequirementInput:
    key: str = strawberry.field(description="Stable key. 代码。")
    question: str = strawberry.field(description="The question. 问题。")


@strawberry.input(description="A scoring criterion. 评分因素。")
class CriterionInput:
    key: str = strawberry.field(description="Stable key. 代码。")
    name: str = strawberry.field(description="Name. 名称。")
    kind: CriterionKind = strawberry.field(description="Price or quality. 类型。")
    weight: Decimal = strawberry.field(description="Weight; all add up to 100. 权重。")


@strawberry.input(description="A new tender template. 新建招标模板。")
class CreateTenderTemplateInput:
    name: str = strawberry.field(description="Name. 名称。")
    method: TenderMethod = strawberry.field(description="Method. 采购方式。")
    required_documents: list[DocumentRequirementInput] = strawberry.field(
        default_factory=list, description="Required documents. 投标文件要求。"
    )
    required_items: list[ItemRequirementInput] = strawberry.field(default_factory=list, description="Required items. 应答事项。")
    criteria: list[CriterionInput] = strawberry.field(default_factory=list, description="Scoring criteria. 评分因素。")
    notice_text: str | None = strawberry.field(default=None, description="Notice text. 公告正文。")


@strawberry.input(description="A new version of a template; omitted fields keep the previous version's. 修改招标模板（新版本）。")
class UpdateTenderTemplateInput:
    id: strawberry.ID = strawberry.field(description="The latest version. 模板最新版本。")
    name: str | None = strawberry.field(default=None, description="Name. 名称。")
    method: TenderMethod | None = strawberry.field(default=None, description="Method. 采购方式。")
    required_documents: list[DocumentRequirementInput] | None = strawberry.field(
        default=None, description="Required documents. 投标文件要求。"
    )
    required_items: list[ItemRequirementInput] | None = strawberry.field(default=None, description="Required items. 应答事项。")
    criteria: list[CriterionInput] | None = strawberry.field(default=None, description="Scoring criteria. 评分因素。")
    notice_text: str | None = strawberry.field(default=None, description="Notice text. 公告正文。")


@strawberry.input(description="A qualification a tender requires. 资质要求。")
class QualificationRequirementInput:
    kind: QualificationKind = strawberry.field(description="Kind. 类别。")
    grade: QualificationGrade = strawberry.field(description="Lowest grade accepted. 最低等级。")


@strawberry.input(description="Draft a tender for an approved project from a template. 新建招标。")
class CreateTenderInput:
    project_id: strawberry.ID = strawberry.field(description="An approved project. 已立项项目。")
    template_id: strawberry.ID = strawberry.field(description="Template version to start from. 招标模板。")
    ceiling_price: Decimal = strawberry.field(description="Ceiling price (≤ the budget), CNY. 最高限价。")
    bid_deadline: datetime = strawberry.field(description="Bid deadline. 投标截止时间。")
    opening_time: datetime = strawberry.field(description="Opening time (≥ the deadline). 开标时间。")
    clarification_deadline: datetime = strawberry.field(description="Last moment for questions. 澄清截止时间。")
    title: str | None = strawberry.field(default=None, description="Title; the project's by default. 名称。")
    invited_supplier_ids: list[strawberry.ID] = strawberry.field(
        default_factory=list, description="Invited contractors (rfq, negotiation). 邀请供应商。"
    )
    required_qualification: QualificationRequirementInput | None = strawberry.field(
        default=None, description="Qualification required. 资质要求。"
    )
    committee_size: int | None = strawberry.field(default=None, description="Evaluation committee size (odd, ≥ 3). 评标委员会人数。")
    required_documents: list[DocumentRequirementInput] | None = strawberry.field(
        default=None, description="Overrides the template's. 投标文件要求。"
    )
    required_items: list[ItemRequirementInput] | None = strawberry.field(default=None, description="Overrides the template's. 应答事项。")
    criteria: list[CriterionInput] | None = strawberry.field(default=None, description="Overrides the template's. 评分因素。")
    notice_text: str | None = strawberry.field(default=None, description="Overrides the template's. 公告正文。")


@strawberry.input(description="Change a draft tender; omitted fields stay. 修改招标草稿。")
class UpdateTenderInput:
    id: strawberry.ID = strawberry.field(description="Tender. 招标。")
    expected_version: int | None = strawberry.field(default=None, description="Refuse if changed since. 期望版本号。")
    title: str | None = strawberry.field(default=None, description="Title. 名称。")
    ceiling_price: Decimal | None = strawberry.field(default=None, description="Ceiling price. 最高限价。")
    bid_deadline: datetime | None = strawberry.field(default=None, description="Bid deadline. 投标截止时间。")
    opening_time: datetime | None = strawberry.field(default=None, description="Opening time. 开标时间。")
    clarification_deadline: datetime | None = strawberry.field(default=None, description="Clarification deadline. 澄清截止时间。")
    invited_supplier_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Replaces the invited suppliers. 邀请供应商。"
    )
    required_qualification: QualificationRequirementInput | None = strawberry.field(
        default=strawberry.UNSET, description="null clears it. 资质要求。"
    )
    committee_size: int | None = strawberry.field(default=None, description="Committee size. 评标委员会人数。")
    required_documents: list[DocumentRequirementInput] | None = strawberry.field(
        default=None, description="Required documents. 投标文件要求。"
    )
    required_items: list[ItemRequirementInput] | None = strawberry.field(default=None, description="Required items. 应答事项。")
    criteria: list[CriterionInput] | None = strawberry.field(default=None, description="Criteria. 评分因素。")
    notice_text: str | None = strawberry.field(default=None, description="Notice text. 公告正文。")


@strawberry.input(description="Publish a tender, committing to the committee draw. 发布招标。")
class PublishTenderInput:
    id: strawberry.ID = strawberry.field(description="Tender. 招标。")
    draw_commitment: str = strawberry.field(description="SHA-256 (hex) of a secret seed you reveal at opening. 随机种子的SHA-256。")
    expected_version: int | None = strawberry.field(default=None, description="Refuse if changed since. 期望版本号。")


@strawberry.input(description="Change a published tender's documents. 变更招标文件。")
class AmendTenderInput:
    id: strawberry.ID = strawberry.field(description="Tender. 招标。")
    summary: str = strawberry.field(description="What changes and why. 变更说明。")
    notice_text: str | None = strawberry.field(default=None, description="New notice text. 公告正文。")
    required_documents: list[DocumentRequirementInput] | None = strawberry.field(
        default=None, description="New required documents. 投标文件要求。"
    )
    required_items: list[ItemRequirementInput] | None = strawberry.field(default=None, description="New required items. 应答事项。")
    bid_deadline: datetime | None = strawberry.field(default=None, description="A later deadline. 延后的截止时间。")
    opening_time: datetime | None = strawberry.field(default=None, description="A new opening time. 开标时间。")


@strawberry.input(description="Cancel a tender before opening. 取消招标。")
class CancelTenderInput:
    id: strawberry.ID = strawberry.field(description="Tender. 招标。")
    reason: str = strawberry.field(description="Why. 原因。")


@strawberry.input(description="Ask a question about a tender. 提出澄清。")
class AskClarificationInput:
    tender_id: strawberry.ID = strawberry.field(description="Tender. 招标。")
    question: str = strawberry.field(description="The question. 问题。")


@strawberry.input(description="Answer a question; the answer goes to every participant. 答复澄清。")
class AnswerClarificationInput:
    clarification_id: strawberry.ID = strawberry.field(description="The question. 问题。")
    answer: str = strawberry.field(description="The answer. 答复。")


@strawberry.input(description="An answer to a required item. 应答。")
class BidAnswerInput:
    key: str = strawberry.field(description="Item key. 事项代码。")
    answer: str = strawberry.field(description="Answer. 应答内容。")


@strawberry.input(description="A document of a bid (multipart upload). 投标文件。")
class BidDocumentInput:
    key: str = strawberry.field(description="Which required document. 文件代码。")
    file: Upload = strawberry.field(description="The file. 文件。")


@strawberry.input(description="Submit or replace your organisation's bid (GraphQL multipart request). 投标。")
class SubmitBidInput:
    tender_id: strawberry.ID = strawberry.field(description="Tender. 招标。")
    price: Decimal = strawberry.field(description="Price, CNY. 报价（元）。")
    answers: list[BidAnswerInput] = strawberry.field(default_factory=list, description="Answers. 应答。")
    documents: list[BidDocumentInput] = strawberry.field(default_factory=list, description="Documents. 投标文件。")


@strawberry.input(description="Withdraw your bid before the deadline. 撤回投标。")
class WithdrawBidInput:
    bid_id: strawberry.ID = strawberry.field(description="Bid. 投标。")


@strawberry.input(description="Open the bids, revealing the draw seed. 开标。")
class OpenTenderInput:
    id: strawberry.ID = strawberry.field(description="Tender. 招标。")
    seed: str = strawberry.field(description="The seed whose SHA-256 was published. 随机种子。")


@strawberry.input(description="Ask the suppliers with a valid bid for their final quotes (competitive negotiation). 要求最后报价。")
class RequestFinalQuotesInput:
    id: strawberry.ID = strawberry.field(description="Tender. 招标。")
    deadline: datetime = strawberry.field(description="When final quotes close. 最后报价截止时间。")
    note: str | None = strawberry.field(default=None, description="What the negotiation changed, for every supplier. 谈判说明。")


@strawberry.input(description="Send your sealed final quote; not above your first. 提交最后报价。")
class SubmitFinalQuoteInput:
    tender_id: strawberry.ID = strawberry.field(description="Tender. 招标。")
    price: Decimal = strawberry.field(description="Final price, CNY. 最后报价（元）。")


@strawberry.input(description="Open every final quote after their deadline. 开启最后报价。")
class OpenFinalQuotesInput:
    id: strawberry.ID = strawberry.field(description="Tender. 招标。")


@strawberry.input(description="Decline a committee seat. 谢绝评标。")
class DeclineEvaluationInput:
    tender_id: strawberry.ID = strawberry.field(description="Tender. 招标。")
    reason: str = strawberry.field(description="Why. 原因。")


@strawberry.input(description="Declare a relationship with a bidder and stand aside. 申请回避。")
class DeclareEvaluationConflictInput:
    tender_id: strawberry.ID = strawberry.field(description="Tender. 招标。")
    organisation_id: strawberry.ID = strawberry.field(description="The bidder. 投标人。")
    relationship: Relationship = strawberry.field(description="Relationship. 关系。")


@strawberry.input(description="A score on one criterion. 单项评分。")
class ScoreInput:
    criterion: str = strawberry.field(description="Criterion key. 评分因素。")
    score: Decimal = strawberry.field(description="0–100. 分数。")


@strawberry.input(description="Your verdict on one bid. 对一份投标的评审意见。")
class EvaluationSheetInput:
    bid_id: strawberry.ID = strawberry.field(description="Bid. 投标。")
    qualified: bool = strawberry.field(description="Whether the bid is valid. 是否有效。")
    reason: str | None = strawberry.field(default=None, description="Required when not valid. 无效理由。")
    scores: list[ScoreInput] = strawberry.field(default_factory=list, description="Quality scores (simple tender). 评分。")


@strawberry.input(description="Your evaluation of every valid bid, given once. 提交评审意见。")
class SubmitEvaluationInput:
    tender_id: strawberry.ID = strawberry.field(description="Tender. 招标。")
    sheets: list[EvaluationSheetInput] = strawberry.field(description="One per valid bid. 每份有效投标一份。")


@strawberry.input(description="Start the award publicity. 开始中标候选人公示。")
class StartAwardPublicityInput:
    id: strawberry.ID = strawberry.field(description="Tender. 招标。")


@strawberry.input(description="Object to the publicised result. 提出质疑。")
class FileObjectionInput:
    tender_id: strawberry.ID = strawberry.field(description="Tender. 招标。")
    text: str = strawberry.field(description="The objection. 质疑内容。")


@strawberry.enum(description="Decision on an objection. 质疑处理。")
class ObjectionDecision(enum.Enum):
    UPHOLD = "uphold"
    DISMISS = "dismiss"


@strawberry.input(description="Answer an objection. 答复质疑。")
class AnswerObjectionInput:
    objection_id: strawberry.ID = strawberry.field(description="Objection. 质疑。")
    decision: ObjectionDecision = strawberry.field(description="Uphold (back to evaluation) or dismiss. 成立或不成立。")
    answer: str = strawberry.field(description="The answer. 答复。")


@strawberry.input(description="Register a qualification certificate. 登记资质。")
class AddQualificationInput:
    kind: QualificationKind = strawberry.field(description="Kind. 类别。")
    grade: QualificationGrade = strawberry.field(description="Grade. 等级。")
    number: str = strawberry.field(description="Certificate number. 证书编号。")
    valid_until: date = strawberry.field(description="Valid until. 有效期至。")
    certificate: Upload | None = strawberry.field(default=None, description="Scanned certificate. 证书扫描件。")


@strawberry.input(description="Remove a qualification. 删除资质。")
class RemoveQualificationInput:
    id: strawberry.ID = strawberry.field(description="Qualification. 资质。")


@strawberry.input(description="Set the categories an expert may evaluate. 设置评标专家专业。")
class SetExpertSpecialtiesInput:
    user_id: strawberry.ID = strawberry.field(description="The expert. 专家。")
    categories: list[ProjectCategory] = strawberry.field(description="Project categories. 专业。")


@strawberry.input(description="Declare a relationship with an organisation. 申报利害关系。")
class DeclareExpertRelationshipInput:
    organisation_id: strawberry.ID = strawberry.field(description="Organisation. 单位。")
    relationship: Relationship = strawberry.field(description="Relationship. 关系。")
    ended_on: date | None = strawberry.field(default=None, description="When it ended, if it has. 终止日期。")


@strawberry.type(description="Result of a template mutation. 模板操作结果。")
class TenderTemplatePayload:
    template: TenderTemplate | None = strawberry.field(description="The template version. 模板。")
    errors: list[UserError] = strawberry.field(description="Validation failures; nothing changed. 校验错误。")


@strawberry.type(description="Result of a tender mutation. 招标操作结果。")
class TenderPayload:
    tender: Tender | None = strawberry.field(description="The tender. 招标。")
    errors: list[UserError] = strawberry.field(description="Validation failures; nothing changed. 校验错误。")


@strawberry.type(description="Result of a clarification mutation. 澄清操作结果。")
class ClarificationPayload:
    clarification: Clarification | None = strawberry.field(description="The question. 问题。")
    errors: list[UserError] = strawberry.field(description="Validation failures. 校验错误。")


@strawberry.type(description="Result of a bid submission, with its receipt. 投标结果及回执。")
class BidPayload:
    bid: Bid | None = strawberry.field(description="The bid. 投标。")
    receipt: BidReceipt | None = strawberry.field(description="The receipt of this submission. 本次回执。")
    errors: list[UserError] = strawberry.field(description="Why it was refused; nothing stored. 错误。")


@strawberry.type(description="Result of an evaluator's action. 评标操作结果。")
class CommitteeMemberPayload:
    seat: CommitteeMember | None = strawberry.field(description="Your seat. 您的评标席位。")
    tender: Tender | None = strawberry.field(description="The tender after it. 招标。")
    errors: list[UserError] = strawberry.field(description="Validation failures. 校验错误。")


@strawberry.type(description="Result of an objection mutation. 质疑操作结果。")
class AwardObjectionPayload:
    objection: AwardObjection | None = strawberry.field(description="The objection. 质疑。")
    tender: Tender | None = strawberry.field(description="The tender after it. 招标。")
    errors: list[UserError] = strawberry.field(description="Validation failures. 校验错误。")


@strawberry.type(description="Result of a qualification mutation. 资质操作结果。")
class QualificationPayload:
    qualification: Qualification | None = strawberry.field(description="The qualification. 资质。")
    errors: list[UserError] = strawberry.field(description="Validation failures. 校验错误。")


@strawberry.type(description="Result of an expert-register mutation. 专家库操作结果。")
class ExpertPayload:
    ok: bool = strawberry.field(description="Whether it was recorded. 是否成功。")
    errors: list[UserError] = strawberry.field(description="Validation failures. 校验错误。")


@strawberry.input(description="Filter for tenders. 招标筛选条件。")
class TenderFilter:
    status: list[TenderStatus] | None = strawberry.field(default=None, description="Any of these statuses. 状态。")
    method: list[TenderMethod] | None = strawberry.field(default=None, description="Any of these methods. 采购方式。")
    project_id: strawberry.ID | None = strawberry.field(default=None, description="Project. 项目。")
    region_prefix: str | None = strawberry.field(default=None, description="Region code prefix. 行政区划前缀。")
    search: str | None = strawberry.field(default=None, description="Part of the title or code. 关键字。")


@strawberry.enum(description="Sort key for tenders. 招标排序字段。")
class TenderOrderField(enum.Enum):
    CREATED_AT = "created_at"
    BID_DEADLINE = "bid_deadline"
    CODE = "code"
    CEILING_PRICE = "ceiling_price"


@strawberry.input(description="Ordering of tenders. 招标排序。")
class TenderOrder:
    field: TenderOrderField = strawberry.field(description="Sort key. 排序字段。")
    direction: OrderDirection = strawberry.field(default=OrderDirection.DESC, description="Direction. 方向。")
