"""Tendering and bidding (招标采购): GraphQL types.

A bid's price, answers and documents show to its own organisation (from its own copy)
and, once opened, to whoever the bid's row scope lets see it; before opening no field of
anyone else's bid exists for the viewer at all (``policies.scope.tendering``).
"""

from __future__ import annotations

import enum
import json
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import strawberry

from models import tendering as tables
from models.tendering import (
    BID_STATUSES,
    CLARIFICATION_STATUSES,
    CRITERION_KINDS,
    MEMBER_STATUSES,
    METHODS,
    OBJECTION_STATUSES,
    QUALIFICATION_GRADES,
    QUALIFICATION_KINDS,
    RELATIONSHIPS,
    TENDER_STATUSES,
)
from policies.scope.tendering import buyer_side, draw_revealed
from resolvers.core.audit import canonical_json
from resolvers.core.clock import today_in_china
from resolvers.core.i18n import LABELS, Label, translate
from resolvers.core.i18n import label as label_of
from resolvers.tendering import bids as bid_service
from resolvers.tendering import draw
from resolvers.tendering import ocds as tender_ocds
from resolvers.tendering import service as svc
from resolvers.tendering.sealing import content_hash
from schema.accounts.types import Organisation
from schema.core.actions import viewer_actions
from schema.core.context import Info
from schema.core.downloads import download_link, link_for
from schema.core.fields import column, enum_of, label, labels_in_request, loaded
from schema.core.node import Node, register_node, to_global_id
from schema.projects.types import Project

if TYPE_CHECKING:

    class TenderMethod(enum.Enum): ...

    class TenderStatus(enum.Enum): ...

    class BidStatus(enum.Enum): ...

    class ClarificationStatus(enum.Enum): ...

    class CommitteeMemberStatus(enum.Enum): ...

    class ObjectionStatus(enum.Enum): ...

    class CriterionKind(enum.Enum): ...

    class QualificationKind(enum.Enum): ...

    class QualificationGrade(enum.Enum): ...

    class Relationship(enum.Enum): ...

    class TenderAction(enum.Enum): ...

    class BidAction(enum.Enum): ...

else:
    TenderMethod = enum_of("TenderMethod", METHODS, "Procurement method. 采购方式。")
    TenderStatus = enum_of("TenderStatus", TENDER_STATUSES, "Where a tender is in its lifecycle. 招标状态。")
    BidStatus = enum_of("BidStatus", BID_STATUSES, "Where a bid is in its lifecycle. 投标状态。")
    ClarificationStatus = enum_of("ClarificationStatus", CLARIFICATION_STATUSES, "State of a question. 澄清状态。")
    CommitteeMemberStatus = enum_of("CommitteeMemberStatus", MEMBER_STATUSES, "State of a committee seat. 评标专家状态。")
    ObjectionStatus = enum_of("ObjectionStatus", OBJECTION_STATUSES, "State of an objection. 质疑状态。")
    CriterionKind = enum_of("CriterionKind", CRITERION_KINDS, "Kind of scoring criterion. 评分因素类型。")
    QualificationKind = enum_of("QualificationKind", QUALIFICATION_KINDS, "Kind of qualification certificate. 资质类别。")
    QualificationGrade = enum_of("QualificationGrade", QUALIFICATION_GRADES, "Grade of a qualification. 资质等级。")
    Relationship = enum_of("Relationship", RELATIONSHIPS, "An expert's relationship with an organisation. 利害关系。")
    TenderAction = enum_of(
        "TenderAction",
        tuple(svc.TENDER_ACTIONS),
        "Something a viewer may do to a tender now, each performed by the mutation of the same name. 对招标可执行的操作。",
    )
    BidAction = enum_of("BidAction", tuple(bid_service.BID_ACTIONS), "Something a bidder may do to its bid now. 对投标可执行的操作。")


def reason_text(info: Info, recorded: str | None) -> str | None:
    """A recorded reason as people read it: the service's codes in the request's language,
    anyone's own words as they were written."""
    if recorded is None:
        return None
    locale = info.context.meta.locale
    code, _, counts = recorded.partition(":")
    if code == "TOO_FEW_BIDS":
        valid, _, minimum = counts.partition("/")
        return translate("TOO_FEW_BIDS", locale, valid=valid, minimum=minimum)
    if code == "RELATIONSHIP":
        return translate("STOOD_ASIDE", locale, relationship=Label("Relationship", counts))
    if recorded in LABELS.get("ClosingReason", {}):
        return label_of("ClosingReason", recorded, locale)
    return recorded


# -- requirements ------------------------------------------------------------------------


@strawberry.type(description="A document every bid must carry. 投标须提交的文件。")
class DocumentRequirement:
    key: str = strawberry.field(description="Stable key, used when submitting. 代码。")
    name: str = strawberry.field(description="Name. 名称。")


@strawberry.type(description="A question every bid must answer. 须应答的事项。")
class ItemRequirement:
    key: str = strawberry.field(description="Stable key, used when submitting. 代码。")
    question: str = strawberry.field(description="The question. 问题。")


@strawberry.type(description="A scoring criterion with its weight. 评分因素。")
class Criterion:
    key: str = strawberry.field(description="Stable key. 代码。")
    name: str = strawberry.field(description="Name. 名称。")
    kind: CriterionKind = strawberry.field(description="Price (benchmark-price method) or quality (the evaluators' mean). 类型。")
    kind_label: str = strawberry.field(description="Kind, in the request's language. 类型名称。")
    weight: Decimal = strawberry.field(description="Weight; a tender's weights add up to 100. 权重。")


def _documents(text: str) -> list[DocumentRequirement]:
    return [DocumentRequirement(key=r["key"], name=r["name"]) for r in svc.loads(text)]


def _items(text: str) -> list[ItemRequirement]:
    return [ItemRequirement(key=r["key"], question=r["question"]) for r in svc.loads(text)]


def _criteria(info: Info, text: str) -> list[Criterion]:
    rows = svc.loads(text)
    labels = labels_in_request(info, "CriterionKind", [r["kind"] for r in rows])
    return [
        Criterion(key=r["key"], name=r["name"], kind=CriterionKind(r["kind"]), kind_label=lab, weight=Decimal(str(r["weight"])))
        for r, lab in zip(rows, labels, strict=True)
    ]


@register_node("tender_template")
@strawberry.type(description="One version of a tender template. 招标模板（某一版本）。")
class TenderTemplate(Node):
    row: strawberry.Private[tables.TenderTemplate]

    name: str = column("name", "Name. 模板名称。")
    method: TenderMethod = column("method", "Procurement method. 采购方式。", TenderMethod)
    method_label: str = label("method", "TenderMethod", "Method, in the request's language. 采购方式名称。")
    version: int = column("version", "Version, from 1; editing adds a version. 版本号。")
    is_latest: bool = column("is_latest", "Whether this is the latest version. 是否最新版本。")
    notice_text: str = column("notice_text", "Text of the tender notice. 公告正文。")
    created_at: datetime = column("created_at", "When this version was made (UTC). 创建时间。")

    @strawberry.field(description="Documents a bid must carry. 投标须提交的文件。")
    def required_documents(self) -> list[DocumentRequirement]:
        return _documents(self.row.required_documents)

    @strawberry.field(description="Questions a bid must answer. 须应答事项。")
    def required_items(self) -> list[ItemRequirement]:
        return _items(self.row.required_items)

    @strawberry.field(description="Scoring criteria. 评分因素。")
    def criteria(self, info: Info) -> list[Criterion]:
        return _criteria(info, self.row.criteria)

    @strawberry.field(description="The first version's global ID, shared by every version. 模板标识（各版本相同）。")
    def family_id(self) -> strawberry.ID:
        return strawberry.ID(to_global_id("TenderTemplate", self.row.family_id))


# -- bids ---------------------------------------------------------------------------------


@strawberry.type(description="A receipt for one submission, replacement or withdrawal. 投标回执。")
class BidReceipt:
    row: strawberry.Private[tables.BidReceipt]

    sequence: int = column("sequence", "Number of the submission, from 1. 序号。")
    kind: str = column("kind", "submitted, replaced or withdrawn. 类型。")
    kind_label: str = label("kind", "ReceiptKind", "Kind, in the request's language. 类型名称。")
    content_hash: str | None = column(
        "content_hash", "SHA-256 of the bid's canonical content (null for a withdrawal); compare with the opened bid. 内容哈希。"
    )
    received_at: datetime = column("received_at", "Server time of receipt (UTC). 接收时间（服务器）。")


@strawberry.type(description="An answer to a required item. 应答。")
class BidAnswer:
    key: str = strawberry.field(description="Item key. 事项代码。")
    answer: str = strawberry.field(description="Answer. 应答内容。")


@strawberry.type(description="A document of a bid. 投标文件。")
class BidDocument:
    key: str = strawberry.field(description="Which required document. 文件代码。")
    filename: str = strawberry.field(description="File name. 文件名。")
    media_type: str = strawberry.field(description="Media type sniffed from the content. 文件类型。")
    size_bytes: int = strawberry.field(description="Size. 大小（字节）。")
    sha256: str = strawberry.field(description="SHA-256 of the file. 文件哈希。")
    download_url: str | None = strawberry.field(description="A download link for you, valid 10 minutes. 下载链接。")


@strawberry.type(description="One part of a bid's score, with the numbers behind it. 得分构成。")
class ScorePart:
    criterion: str = strawberry.field(description="Criterion key. 评分因素。")
    kind: CriterionKind = strawberry.field(description="Kind. 类型。")
    kind_label: str = strawberry.field(description="Kind, in the request's language. 类型名称。")
    weight: Decimal = strawberry.field(description="Weight. 权重。")
    score: Decimal = strawberry.field(description="Points earned. 得分。")
    explanation: str = strawberry.field(
        description="The numbers: for price, lowest ÷ this price × weight; for quality, the evaluators' scores and their mean. 计算说明。"
    )


@strawberry.type(description="A bid's content as sealed: hash its canonical JSON with SHA-256 to check the receipt. 投标内容。")
class BidContent:
    price: Decimal = strawberry.field(description="Price, CNY. 报价（元）。")
    answers: list[BidAnswer] = strawberry.field(description="Answers. 应答。")
    documents: list[BidDocument] = strawberry.field(description="Documents. 投标文件。")
    canonical_json: str = strawberry.field(description="The canonical JSON whose SHA-256 is the receipt hash. 规范化JSON。")
    sha256: str = strawberry.field(description="SHA-256 of canonicalJson. 内容哈希。")


def _bid_file_url(info: Info, actor, file_id: int) -> str:
    return link_for(info, actor, "bid-file", file_id)


async def _content(info: Info, row: tables.Bid) -> dict | None:
    """What the viewer may read of a bid's content (``bids.readable_envelope``)."""
    actor = await info.context.actor()
    if actor is None:
        return None
    envelope = bid_service.readable_envelope(info.context.state.cipher, row, own=row.organisation_id == actor.organisation_id)
    return envelope["content"] if envelope else None


async def _bid_actions(info: Info, row: tables.Bid) -> list[str]:
    """``bids.bid_actions`` for the viewer, each also allowed by the gate."""
    tender = await info.context.loaders.tender.load(row.tender_id)
    now = info.context.state.clock.now()
    return await viewer_actions(info, lambda actor: bid_service.bid_actions(actor, row, tender, now), bid_service.BID_ACTIONS)


@register_node("bid")
@strawberry.type(description="A bid (投标/响应). Before opening only its own organisation sees it. 投标。")
class Bid(Node):
    row: strawberry.Private[tables.Bid]

    status: BidStatus = column("status", "Status. 投标状态。", BidStatus)
    status_label: str = label("status", "BidStatus", "Status, in the request's language. 状态名称。")
    submitted_at: datetime | None = column("submitted_at", "Server time of the latest submission (UTC). 提交时间。")
    withdrawn_at: datetime | None = column("withdrawn_at", "When withdrawn (UTC). 撤回时间。")
    receipt_hash: str | None = column("receipt_hash", "SHA-256 of the content last submitted. 回执哈希。")
    opened_at: datetime | None = column("opened_at", "When opened (UTC). 开标时间。")
    opened_hash: str | None = column("opened_hash", "SHA-256 of the content found at opening. 开标内容哈希。")
    disqualification_code: str | None = column(
        "disqualification_reason",
        "Why it was found invalid, as recorded: a code (UNREADABLE, RECEIPT_MISMATCH, DOCUMENT_MISMATCH) when the opening set it "
        "aside, else the evaluators' reasons. 无效原因（原始记录）。",
    )

    @strawberry.field(description="Why it was found invalid, in the request's language. 无效理由。")
    def disqualification_reason(self, info: Info) -> str | None:
        return reason_text(info, self.row.disqualification_reason)

    rank: int | None = column("rank", "Place in the ranking, 1 is recommended. 排名。")
    total_score: Decimal | None = column("total_score", "Comprehensive score (simple tender). 综合得分。")

    @strawberry.field(description="Whether the opened content matches the receipt. 开标内容与回执是否一致。")
    def receipt_verified(self) -> bool | None:
        if self.row.opened_hash is None:
            return None
        return self.row.opened_hash == self.row.receipt_hash

    @strawberry.field(description="The bidder. 投标人。")
    async def bidder(self, info: Info) -> Organisation | None:
        row = await info.context.loaders.organisation.load(self.row.organisation_id)
        return Organisation.of(row) if row else None

    @strawberry.field(description="The bidder's name. 投标人名称。")
    async def bidder_name(self, info: Info) -> str | None:
        return await info.context.loaders.organisation_name.load(self.row.organisation_id)

    first_price: Decimal | None = column(
        "first_price", "A competitive negotiation's first quote, once its final quotes are opened. 首次报价（元）。"
    )
    final_receipt_hash: str | None = column(
        "final_receipt_hash", "SHA-256 of the final quote last sent (competitive negotiation). 最后报价回执哈希。"
    )
    final_submitted_at: datetime | None = column("final_submitted_at", "When the final quote was received (UTC). 最后报价时间。")

    @strawberry.field(description="Your own final quote before the final quotes are opened; null for anyone else. 本单位最后报价。")
    async def my_final_quote(self, info: Info) -> Decimal | None:
        from resolvers.tendering.negotiation import own_final_quote

        actor = await info.context.actor()
        if actor is None or actor.organisation_id != self.row.organisation_id:
            return None
        return own_final_quote(info.context.state.cipher, self.row)

    @strawberry.field(
        description="Price, CNY, that the ranking uses (a negotiation's final quote once opened): to the bidder always, to others from the opening. 报价（元）。"
    )
    async def price(self, info: Info) -> Decimal | None:
        if self.row.opened_price is not None:
            return self.row.opened_price
        content = await _content(info, self.row)
        return Decimal(content["price"]) if content else None

    @strawberry.field(description="The content as sealed, with its canonical JSON to check the receipt. 投标内容。")
    async def content(self, info: Info) -> BidContent | None:
        content = await _content(info, self.row)
        if content is None:
            return None
        actor = await info.context.actor()
        files = {f.storage_key: f.id for f in await info.context.loaders.files_of_bid.load(self.row.id)}
        documents = [
            BidDocument(
                key=d["key"],
                filename=d["filename"],
                media_type=d["media_type"],
                size_bytes=d["size"],
                sha256=d["sha256"],
                download_url=_bid_file_url(info, actor, files[d["stored"]]) if d["stored"] in files and actor else None,
            )
            for d in content["documents"]
        ]
        return BidContent(
            price=Decimal(content["price"]),
            answers=[BidAnswer(key=k, answer=v) for k, v in sorted(content["answers"].items())],
            documents=documents,
            canonical_json=canonical_json(content),
            sha256=content_hash(content),
        )

    @strawberry.field(description="Every receipt, oldest first. 投标回执。")
    @loaded("receipts_of_bid", "id", shows=BidReceipt)
    async def receipts(self, info: Info) -> list[BidReceipt]:
        raise NotImplementedError  # resolved from the @loaded declaration above

    @strawberry.field(description="The parts of the score, with their numbers. 得分构成。")
    def score_parts(self, info: Info) -> list[ScorePart]:
        if not self.row.score_parts:
            return []
        parts = []
        for p in json.loads(self.row.score_parts):
            detail = p["detail"]
            if p["kind"] == "price":
                explanation = f"{detail.get('lowest')} ÷ {detail.get('price')} × {p['weight']} = {p['score']}"
            else:
                explanation = f"mean({', '.join(detail.get('scores', []))}) = {detail.get('mean')}; × {p['weight']} ÷ 100 = {p['score']}"
            parts.append(
                ScorePart(
                    criterion=p["criterion"],
                    kind=CriterionKind(p["kind"]),
                    kind_label=labels_in_request(info, "CriterionKind", [p["kind"]])[0],
                    weight=Decimal(p["weight"]),
                    score=Decimal(p["score"]),
                    explanation=explanation,
                )
            )
        return parts

    @strawberry.field(description="The tender. 招标。")
    @loaded("tender", "tender_id", shows=lambda: Tender)
    async def tender(self, info: Info) -> Tender | None:
        raise NotImplementedError  # resolved from the @loaded declaration above

    @strawberry.field(description="What you may do to this bid now. 当前可执行的操作。")
    async def available_actions(self, info: Info) -> list[BidAction]:
        return [BidAction(a) for a in await _bid_actions(info, self.row)]

    @strawberry.field(description="The labels of `availableActions`, in order. 可执行操作名称。")
    async def available_action_labels(self, info: Info) -> list[str]:
        return labels_in_request(info, "BidAction", await _bid_actions(info, self.row))


# -- the rest of a tender -------------------------------------------------------------------


@strawberry.type(description="A supplier invited to an rfq or negotiation. 受邀供应商。")
class TenderInvitation:
    row: strawberry.Private[tables.TenderInvitation]

    invited_at: datetime = column("invited_at", "When invited (UTC). 邀请时间。")

    @strawberry.field(description="The supplier. 供应商。")
    async def supplier_name(self, info: Info) -> str | None:
        return await info.context.loaders.organisation_name.load(self.row.organisation_id)

    @strawberry.field(description="The supplier's organisation. 供应商单位。")
    @loaded("organisation", "organisation_id", shows=Organisation)
    async def supplier(self, info: Info) -> Organisation | None:
        raise NotImplementedError  # resolved from the @loaded declaration above


@register_node("clarification")
@strawberry.type(description="A supplier's question and the answer; who asked is not shown. 澄清问答。")
class Clarification(Node):
    row: strawberry.Private[tables.Clarification]

    question: str = column("question", "Question. 问题。")
    status: ClarificationStatus = column("status", "State. 状态。", ClarificationStatus)
    status_label: str = label("status", "ClarificationStatus", "State, in the request's language. 状态名称。")
    answer: str | None = column("answer", "Answer, published to every participant. 答复。")
    asked_at: datetime = column("asked_at", "When asked (UTC). 提问时间。")
    answered_at: datetime | None = column("answered_at", "When answered (UTC). 答复时间。")

    @strawberry.field(description="Whether your organisation asked it. 是否本单位提问。")
    async def asked_by_you(self, info: Info) -> bool:
        actor = await info.context.actor()
        return actor is not None and actor.organisation_id == self.row.asked_by_organisation_id


@strawberry.type(description="A change of a published tender's documents. 招标文件变更。")
class TenderAmendment:
    row: strawberry.Private[tables.TenderAmendment]

    number: int = column("number", "Number, from 1. 序号。")
    summary: str = column("summary", "What changed. 变更说明。")
    deadline_before: datetime = column("deadline_before", "Bid deadline before (UTC). 变更前截止时间。")
    deadline_after: datetime = column("deadline_after", "Bid deadline after; later when the change came too close to it. 变更后截止时间。")
    created_at: datetime = column("created_at", "When (UTC). 变更时间。")


@strawberry.type(description="An expert's seat on the evaluation committee. 评标委员会成员。")
class CommitteeMember:
    row: strawberry.Private[tables.CommitteeMember]

    position: int = column("position", "Place in the seeded order. 抽取顺位。")
    status: CommitteeMemberStatus = column("status", "State. 状态。", CommitteeMemberStatus)
    status_label: str = label("status", "CommitteeMemberStatus", "State, in the request's language. 状态名称。")
    reason_code: str | None = column(
        "reason", "Why declined or recused, as recorded: the expert's words, or RELATIONSHIP:<relationship>. 谢绝或回避原因（原始记录）。"
    )
    evaluation_round: int = column("evaluation_round", "Evaluation round, from 1. 评标轮次。")
    drawn_at: datetime = column("drawn_at", "When drawn (UTC). 抽取时间。")
    submitted_at: datetime | None = column("submitted_at", "When the evaluation was submitted (UTC). 提交时间。")

    @strawberry.field(description="Why declined or recused, in the request's language. 谢绝或回避原因。")
    def reason(self, info: Info) -> str | None:
        return reason_text(info, self.row.reason)

    @strawberry.field(description="The expert's name. 专家姓名。")
    async def expert_name(self, info: Info) -> str | None:
        return await info.context.loaders.person_name.load(self.row.user_id)

    @strawberry.field(description="The expert's global user ID. 专家标识。")
    def expert_id(self) -> strawberry.ID:
        return strawberry.ID(to_global_id("User", self.row.user_id))

    @strawberry.field(description="The tender. 招标。")
    @loaded("tender", "tender_id", shows=lambda: Tender)
    async def tender(self, info: Info) -> Tender | None:
        raise NotImplementedError  # resolved from the @loaded declaration above


@strawberry.type(description="One score given by an evaluator. 单项评分。")
class SheetScore:
    criterion: str = strawberry.field(description="Criterion key. 评分因素。")
    score: Decimal = strawberry.field(description="0–100. 分数。")


@strawberry.type(description="An evaluator's verdict on one bid. 专家评审意见。")
class EvaluationSheet:
    row: strawberry.Private[tables.EvaluationSheet]

    evaluation_round: int = column("evaluation_round", "Round. 轮次。")
    qualified: bool = column("qualified", "Whether the bid is valid. 是否有效。")
    reason: str | None = column("reason", "Why not. 无效理由。")
    submitted_at: datetime = column("submitted_at", "When (UTC). 提交时间。")

    @strawberry.field(description="The evaluator's name. 专家姓名。")
    async def expert_name(self, info: Info) -> str | None:
        return await info.context.loaders.person_name.load(self.row.user_id)

    @strawberry.field(description="The bid. 投标。")
    def bid_id(self) -> strawberry.ID:
        return strawberry.ID(to_global_id("Bid", self.row.bid_id))

    @strawberry.field(description="Scores per quality criterion. 各项评分。")
    def scores(self) -> list[SheetScore]:
        return [SheetScore(criterion=k, score=Decimal(v)) for k, v in sorted(json.loads(self.row.scores).items())]


@register_node("award_objection")
@strawberry.type(description="A bidder's objection to the publicised result. 质疑。")
class AwardObjection(Node):
    row: strawberry.Private[tables.AwardObjection]

    text: str = column("text", "The objection. 质疑内容。")
    status: ObjectionStatus = column("status", "State. 状态。", ObjectionStatus)
    status_label: str = label("status", "ObjectionStatus", "State, in the request's language. 状态名称。")
    answer: str | None = column("answer", "Answer. 答复。")
    filed_at: datetime = column("filed_at", "When filed (UTC). 提出时间。")
    answered_at: datetime | None = column("answered_at", "When answered (UTC). 答复时间。")

    @strawberry.field(description="Who objected. 质疑人。")
    async def objector_name(self, info: Info) -> str | None:
        return await info.context.loaders.organisation_name.load(self.row.organisation_id)


@strawberry.type(description="One status change of a tender. 招标状态变更。")
class TenderStatusChange:
    row: strawberry.Private[tables.TenderStatusChange]

    from_status: TenderStatus | None = column("from_status", "Status before. 变更前状态。", TenderStatus)
    from_status_label: str | None = label("from_status", "TenderStatus", "Status before, in the request's language. 变更前状态名称。")
    to_status: TenderStatus = column("to_status", "Status after. 变更后状态。", TenderStatus)
    to_status_label: str = label("to_status", "TenderStatus", "Status after, in the request's language. 变更后状态名称。")
    action: str = column("action", "Action. 操作。")
    action_label: str = label("action", "TenderAction", "Action, in the request's language. 操作名称。")
    actor_name: str = column("actor_name", "Who. 操作人。")
    comment: str | None = column("comment", "Comment or reason. 说明。")
    occurred_at: datetime = column("occurred_at", "When (UTC). 时间。")


@strawberry.type(description="The committee draw, which anyone may recompute. 专家抽取（可复核）。")
class CommitteeDraw:
    algorithm: str = strawberry.field(description="Algorithm name. 算法。")
    algorithm_text: str = strawberry.field(description="The algorithm, precisely enough to reimplement. 算法说明。")
    commitment: str | None = strawberry.field(description="SHA-256 of the seed, published with the tender. 种子承诺。")
    seed: str | None = strawberry.field(description="The seed, revealed at opening. 随机种子。")
    pool: list[strawberry.ID] | None = strawberry.field(description="The expert pool fixed at publication (user IDs). 专家库快照。")
    receipt_hashes: list[str] | None = strawberry.field(description="The valid bids' receipt hashes that the draw key mixes in. 回执哈希。")


@strawberry.type(description="Signals recorded for supervision (red flags). 预警信号。")
class TenderSignals:
    bids: int = strawberry.field(description="Bids opened. 开标投标数。")
    valid_bids: int = strawberry.field(description="Valid bids. 有效投标数。")
    single_valid_bid: bool = strawberry.field(description="Only one valid bid. 仅一家有效。")
    winning_share_of_ceiling: Decimal | None = strawberry.field(description="Winning price ÷ ceiling. 中标价占最高限价比例。")
    response_days: int = strawberry.field(description="Days from publication to deadline. 公告至截止天数。")
    identical_prices: int = strawberry.field(description="Bids sharing a price with another. 报价雷同数。")
    disqualified: int = strawberry.field(description="Disqualified bids. 无效投标数。")
    second_price_gap: Decimal | None = strawberry.field(description="(second − lowest) ÷ lowest qualified price. 第二名价差率。")


@strawberry.type(description="The qualification a tender requires. 资质要求。")
class QualificationRequirement:
    kind: QualificationKind = strawberry.field(description="Kind. 类别。")
    kind_label: str = strawberry.field(description="Kind, in the request's language. 类别名称。")
    grade: QualificationGrade = strawberry.field(description="Lowest grade accepted. 最低等级。")
    grade_label: str = strawberry.field(description="Grade, in the request's language. 等级名称。")


@strawberry.type(description="The fields OCDS 1.1.5 `tender` and `awards` need. OCDS 字段。")
class TenderOcds:
    procurement_method: str = strawberry.field(description="OCDS method codelist: open, selective, limited. 采购方式（OCDS）。")
    procurement_method_details: str = strawberry.field(description="The method as named locally. 采购方式说明。")
    main_procurement_category: str = strawberry.field(description="works, goods or services. 采购类别。")
    award_criteria: str = strawberry.field(description="OCDS awardCriteria codelist. 评标方法（OCDS）。")
    status: str = strawberry.field(description="OCDS tenderStatus codelist. 招标状态（OCDS）。")
    tender_period_start: datetime | None = strawberry.field(description="tenderPeriod.startDate. 投标开始。")
    tender_period_end: datetime = strawberry.field(description="tenderPeriod.endDate. 投标截止。")
    enquiry_period_end: datetime = strawberry.field(description="enquiryPeriod.endDate. 澄清截止。")
    value_amount: Decimal = strawberry.field(description="tender.value.amount (the ceiling). 最高限价。")
    currency: str = strawberry.field(description="ISO 4217. 币种。")
    number_of_tenderers: int | None = strawberry.field(description="numberOfTenderers. 投标人数。")
    award_date: datetime | None = strawberry.field(description="awards[].date. 定标日期。")
    award_value_amount: Decimal | None = strawberry.field(description="awards[].value.amount. 中标金额。")
    award_status: str | None = strawberry.field(description="OCDS awardStatus codelist. 定标状态（OCDS）。")


def ocds_of(row: Any, category: str | None) -> TenderOcds:
    return TenderOcds(
        procurement_method=tender_ocds.METHOD[row.method],
        procurement_method_details=tender_ocds.METHOD_DETAILS[row.method],
        main_procurement_category=tender_ocds.main_procurement_category(category),
        award_criteria=tender_ocds.award_criteria(row.method),
        status=tender_ocds.TENDER_STATUS[row.status],
        tender_period_start=row.published_at,
        tender_period_end=row.bid_deadline,
        enquiry_period_end=row.clarification_deadline,
        value_amount=row.ceiling_price,
        currency="CNY",
        number_of_tenderers=row.number_of_tenderers,
        award_date=row.awarded_at,
        award_value_amount=row.award_value,
        award_status=tender_ocds.award_status(row.status),
    )


async def _viewing(info: Info, row: tables.Tender, actor) -> svc.Viewing:
    ctx = info.context
    loaders = ctx.loaders
    viewing = svc.Viewing(now=ctx.state.clock.now())
    if "contractor" in actor.roles:
        invitations = await loaders.invitations_of_tender.load(row.id)
        viewing.invited = any(i.organisation_id == actor.organisation_id for i in invitations)
        if row.status in ("publicity", "opened"):
            viewing.own_bid = next(
                (b for b in await loaders.bids_of_tender.load(row.id) if b.organisation_id == actor.organisation_id), None
            )
    if svc.owns(actor, row):
        if row.status == "published":
            viewing.open_clarifications = sum(1 for c in await loaders.clarifications_of_tender.load(row.id) if c.status == "open")
        if row.status in ("publicity", "opened", "evaluated"):
            viewing.open_objections = sum(1 for o in await loaders.objections_of_tender.load(row.id) if o.status == "open")
    if "evaluator" in actor.roles and row.status == "opened":
        seat = next((m for m in await loaders.committee_of_tender.load(row.id) if m.user_id == actor.id), None)
        viewing.seat_status = seat.status if seat is not None and seat.evaluation_round == row.evaluation_round else None
    return viewing


async def _tender_actions(info: Info, row: tables.Tender) -> list[str]:
    actor = await info.context.actor()
    if actor is None:
        return []
    viewing = await _viewing(info, row, actor)
    return await viewer_actions(info, lambda a: svc.tender_actions(a, row, viewing), svc.TENDER_ACTIONS)


async def _buyer_side(info: Info) -> bool:
    actor = await info.context.actor()
    return actor is not None and buyer_side(actor)


@register_node("tender")
@strawberry.type(description="A tender or procurement round (招标/采购). 招标。")
class Tender(Node):
    row: strawberry.Private[tables.Tender]

    code: str = column("code", "Human-readable code, e.g. ZB-2026-000001. 招标编号。")
    title: str = column("title", "Title. 名称。")
    method: TenderMethod = column("method", "Procurement method. 采购方式。", TenderMethod)
    method_label: str = label("method", "TenderMethod", "Method, in the request's language. 采购方式名称。")
    status: TenderStatus = column("status", "Status. 招标状态。", TenderStatus)
    status_label: str = label("status", "TenderStatus", "Status, in the request's language. 状态名称。")
    round: int = column("round", "Round for its project, from 1. 第几轮采购。")
    ceiling_price: Decimal = column("ceiling_price", "Ceiling price (最高限价), CNY. 最高限价（元）。")
    bid_deadline: datetime = column("bid_deadline", "Bid deadline (UTC); the server's clock decides. 投标截止时间。")
    opening_time: datetime = column("opening_time", "Opening time (UTC). 开标时间。")
    clarification_deadline: datetime = column("clarification_deadline", "Last moment for questions (UTC). 澄清截止时间。")
    notice_text: str = column("notice_text", "Text of the notice. 公告正文。")
    minimum_suppliers: int = column("minimum_suppliers", "Invited suppliers and valid bids needed. 最少供应商数。")
    committee_size: int = column("committee_size", "Evaluation committee size (odd). 评标委员会人数。")
    publicity_days: int = column("publicity_days", "Days of award publicity. 公示天数。")
    deadline_extensions: int = column("deadline_extensions", "Times the deadline moved for a late change. 截止时间顺延次数。")
    published_at: datetime | None = column("published_at", "When published (UTC). 发布时间。")
    opened_at: datetime | None = column("opened_at", "When opened (UTC). 开标时间（实际）。")
    final_quote_deadline: datetime | None = column(
        "final_quote_deadline", "When final quotes close (competitive negotiation, UTC). 最后报价截止时间。"
    )
    final_quotes_opened_at: datetime | None = column(
        "final_quotes_opened_at", "When the final quotes were opened (UTC). 最后报价开启时间。"
    )
    evaluated_at: datetime | None = column("evaluated_at", "When the evaluation completed (UTC). 评标完成时间。")
    publicity_started_at: datetime | None = column("publicity_started_at", "Publicity start (UTC). 公示开始。")
    publicity_ends_at: datetime | None = column("publicity_ends_at", "Publicity end (UTC). 公示结束。")
    awarded_at: datetime | None = column("awarded_at", "When awarded (UTC). 定标时间。")
    close_code: str | None = column(
        "close_reason",
        "Why it failed or was cancelled, as recorded: TOO_FEW_BIDS:<valid>/<minimum>, ALL_DISQUALIFIED, or the canceller's words. 流标或取消原因（原始记录）。",
    )
    number_of_tenderers: int | None = column("number_of_tenderers", "Valid bids at opening. 有效投标人数。")
    award_value: Decimal | None = column("award_value", "Winning price, CNY. 中标金额（元）。")
    region_code: str = column("region_code", "Region code. 行政区划代码。")

    @strawberry.field(description="Why it failed or was cancelled, in the request's language. 流标或取消原因。")
    def close_reason(self, info: Info) -> str | None:
        return reason_text(info, self.row.close_reason)

    version: int = column("version", "Row version; pass as expectedVersion. 版本号。")
    created_at: datetime = column("created_at", "When created (UTC). 创建时间。")

    @strawberry.field(description="Documents a bid must carry. 投标须提交的文件。")
    def required_documents(self) -> list[DocumentRequirement]:
        return _documents(self.row.required_documents)

    @strawberry.field(description="Questions a bid must answer. 须应答事项。")
    def required_items(self) -> list[ItemRequirement]:
        return _items(self.row.required_items)

    @strawberry.field(description="Scoring criteria. 评分因素。")
    def criteria(self, info: Info) -> list[Criterion]:
        return _criteria(info, self.row.criteria)

    @strawberry.field(description="The qualification a bidder must hold, if any. 资质要求。")
    def required_qualification(self, info: Info) -> QualificationRequirement | None:
        kind, grade = self.row.required_qualification_kind, self.row.required_qualification_grade
        if kind is None or grade is None:
            return None
        kind_label, grade_label = (
            labels_in_request(info, "QualificationKind", [kind])[0],
            labels_in_request(info, "QualificationGrade", [grade])[0],
        )
        return QualificationRequirement(
            kind=QualificationKind(kind), kind_label=kind_label, grade=QualificationGrade(grade), grade_label=grade_label
        )

    @strawberry.field(description="Number of bids: null until the deadline has passed. 投标数量（截止后可见）。")
    async def bid_count(self, info: Info) -> int | None:
        if not svc.bid_count_shown(self.row, info.context.state.clock.now()):
            return None
        return await info.context.loaders.bid_count_of_tender.load(self.row.id)

    @strawberry.field(description="Bids you may see: your own; others from the opening on. 投标。")
    @loaded("bids_of_tender", "id", shows=Bid)
    async def bids(self, info: Info) -> list[Bid]:
        raise NotImplementedError  # resolved from the @loaded declaration above

    @strawberry.field(description="Your organisation's bid, if any. 本单位投标。")
    async def my_bid(self, info: Info) -> Bid | None:
        actor = await info.context.actor()
        if actor is None:
            return None
        own = next(
            (b for b in await info.context.loaders.bids_of_tender.load(self.row.id) if b.organisation_id == actor.organisation_id), None
        )
        return Bid.of(own) if own else None

    @strawberry.field(description="The recommended winner, from the evaluation on. 推荐中标人。")
    async def recommended_bid(self, info: Info) -> Bid | None:
        if self.row.recommended_bid_id is None:
            return None
        row = await info.context.loaders.bid.load(self.row.recommended_bid_id)
        return Bid.of(row) if row else None

    @strawberry.field(description="Invited suppliers (the buyer's side sees all; a supplier its own). 受邀供应商。")
    @loaded("invitations_of_tender", "id", shows=TenderInvitation)
    async def invitations(self, info: Info) -> list[TenderInvitation]:
        raise NotImplementedError  # resolved from the @loaded declaration above

    @strawberry.field(description="Questions and answers. 澄清问答。")
    @loaded("clarifications_of_tender", "id", shows=Clarification)
    async def clarifications(self, info: Info) -> list[Clarification]:
        raise NotImplementedError  # resolved from the @loaded declaration above

    @strawberry.field(description="Changes of the documents after publication. 招标文件变更。")
    @loaded("amendments_of_tender", "id", shows=TenderAmendment)
    async def amendments(self, info: Info) -> list[TenderAmendment]:
        raise NotImplementedError  # resolved from the @loaded declaration above

    @strawberry.field(description="The evaluation committee: to bidders from the award publicity on. 评标委员会。")
    @loaded("committee_of_tender", "id", shows=CommitteeMember)
    async def committee(self, info: Info) -> list[CommitteeMember]:
        raise NotImplementedError  # resolved from the @loaded declaration above

    @strawberry.field(description="The evaluators' sheets you may see. 专家评审意见。")
    @loaded("sheets_of_tender", "id", shows=EvaluationSheet)
    async def evaluation_sheets(self, info: Info) -> list[EvaluationSheet]:
        raise NotImplementedError  # resolved from the @loaded declaration above

    @strawberry.field(description="Objections to the publicised result. 质疑。")
    @loaded("objections_of_tender", "id", shows=AwardObjection)
    async def objections(self, info: Info) -> list[AwardObjection]:
        raise NotImplementedError  # resolved from the @loaded declaration above

    @strawberry.field(description="Every status change, oldest first. 状态变更历史。")
    @loaded("status_history_of_tender", "id", shows=TenderStatusChange)
    async def status_history(self, info: Info) -> list[TenderStatusChange]:
        raise NotImplementedError  # resolved from the @loaded declaration above

    @strawberry.field(description="The project. 项目。")
    @loaded("project", "project_id", shows=Project)
    async def project(self, info: Info) -> Project | None:
        raise NotImplementedError  # resolved from the @loaded declaration above

    @strawberry.field(description="The owner organisation. 建设单位。")
    async def owner_name(self, info: Info) -> str | None:
        return await info.context.loaders.organisation_name.load(self.row.owner_organisation_id)

    @strawberry.field(
        description="The committee draw. The buyer's side sees the seed from the opening; bidders from the award "
        "publicity, when the committee is no longer secret. 专家抽取信息。"
    )
    async def draw(self, info: Info) -> CommitteeDraw:
        revealed = draw_revealed(await info.context.actor(), self.row)
        receipts = None
        if revealed:
            bids = await info.context.loaders.bids_of_tender.load(self.row.id)
            receipts = sorted(
                b.receipt_hash for b in bids if b.opened_at is not None and b.opened_hash == b.receipt_hash and b.receipt_hash
            )
        return CommitteeDraw(
            algorithm=draw.ALGORITHM,
            algorithm_text=draw.ALGORITHM_TEXT,
            commitment=self.row.draw_commitment,
            seed=self.row.draw_seed if revealed else None,
            pool=[strawberry.ID(to_global_id("User", uid)) for uid in json.loads(self.row.draw_pool or "[]")] if revealed else None,
            receipt_hashes=receipts,
        )

    @strawberry.field(description="Red-flag signals, for the buyer's side and supervisors. 预警信号。")
    async def signals(self, info: Info) -> TenderSignals | None:
        if not self.row.signals or not await _buyer_side(info):
            return None
        s = json.loads(self.row.signals)
        return TenderSignals(
            bids=s["bids"],
            valid_bids=s["valid_bids"],
            single_valid_bid=s["single_valid_bid"],
            winning_share_of_ceiling=Decimal(s["winning_share_of_ceiling"]) if s["winning_share_of_ceiling"] else None,
            response_days=s["response_days"],
            identical_prices=s["identical_prices"],
            disqualified=s["disqualified"],
            second_price_gap=Decimal(s["second_price_gap"]) if s["second_price_gap"] else None,
        )

    @strawberry.field(description="OCDS 1.1.5 fields. OCDS 字段。")
    async def ocds(self, info: Info) -> TenderOcds:
        project = await info.context.loaders.project.load(self.row.project_id)
        return ocds_of(self.row, project.category if project else None)

    @strawberry.field(
        description="What the viewer may do to this tender now, by the same rules the mutations apply. 当前用户现在可对本招标执行的操作。"
    )
    async def available_actions(self, info: Info) -> list[TenderAction]:
        return [TenderAction(a) for a in await _tender_actions(info, self.row)]

    @strawberry.field(description="The labels of `availableActions`, in order. 可执行操作名称。")
    async def available_action_labels(self, info: Info) -> list[str]:
        return labels_in_request(info, "TenderAction", await _tender_actions(info, self.row))


# -- qualifications --------------------------------------------------------------------------


@register_node("qualification")
@strawberry.type(description="A contractor's qualification certificate (资质). 资质证书。")
class Qualification(Node):
    row: strawberry.Private[tables.Qualification]

    kind: QualificationKind = column("kind", "Kind. 类别。", QualificationKind)
    kind_label: str = label("kind", "QualificationKind", "Kind, in the request's language. 类别名称。")
    grade: QualificationGrade = column("grade", "Grade. 等级。", QualificationGrade)
    grade_label: str = label("grade", "QualificationGrade", "Grade, in the request's language. 等级名称。")
    number: str = column("number", "Certificate number. 证书编号。")
    valid_until: date = column("valid_until", "Valid until. 有效期至。")
    certificate_filename: str | None = column("certificate_filename", "Scanned certificate's file name. 证书扫描件。")
    certificate_sha256: str | None = column("certificate_sha256", "SHA-256 of the scan. 扫描件哈希。")

    @strawberry.field(description="A download link for the scanned certificate, valid 10 minutes. 证书扫描件下载链接。")
    async def certificate_url(self, info: Info) -> str | None:
        if self.row.certificate_sha256 is None:
            return None
        return await download_link(info, "qualification-certificate", self.row.id)

    @strawberry.field(description="Whether it is valid today (China time). 当前是否有效。")
    def valid(self, info: Info) -> bool:
        return self.row.valid_until >= today_in_china(info.context.state.clock.now())

    @strawberry.field(description="The organisation. 单位。")
    @loaded("organisation", "organisation_id", shows=Organisation)
    async def organisation(self, info: Info) -> Organisation | None:
        raise NotImplementedError  # resolved from the @loaded declaration above


# -- public notices -----------------------------------------------------------------------------


@strawberry.type(description="A tender notice as the public sees it. 招标公告（公开）。")
class PublicTender:
    row: strawberry.Private[tables.Tender]

    code: str = column("code", "Code. 招标编号。")
    title: str = column("title", "Title. 名称。")
    method: TenderMethod = column("method", "Method. 采购方式。", TenderMethod)
    method_label: str = label("method", "TenderMethod", "Method, in the request's language. 采购方式名称。")
    status: TenderStatus = column("status", "Status. 状态。", TenderStatus)
    status_label: str = label("status", "TenderStatus", "Status, in the request's language. 状态名称。")
    region_code: str = column("region_code", "Region code. 行政区划代码。")
    ceiling_price: Decimal = column("ceiling_price", "Ceiling price, CNY. 最高限价（元）。")
    bid_deadline: datetime = column("bid_deadline", "Bid deadline (UTC). 投标截止时间。")
    opening_time: datetime = column("opening_time", "Opening time (UTC). 开标时间。")
    clarification_deadline: datetime = column("clarification_deadline", "Clarification deadline (UTC). 澄清截止。")
    notice_text: str = column("notice_text", "Notice. 公告正文。")
    published_at: datetime | None = column("published_at", "Published (UTC). 发布时间。")
    number_of_tenderers: int | None = column("number_of_tenderers", "Valid bids at opening. 有效投标人数。")

    @strawberry.field(description="Why it failed or was cancelled, in the request's language. 流标或取消原因。")
    def close_reason(self, info: Info) -> str | None:
        return reason_text(info, self.row.close_reason)

    @strawberry.field(description="The buyer. 采购人。")
    async def owner_name(self, info: Info) -> str | None:
        return await info.context.loaders.organisation_name.load(self.row.owner_organisation_id)

    @strawberry.field(description="Documents a bid must carry. 投标须提交的文件。")
    def required_documents(self) -> list[DocumentRequirement]:
        return _documents(self.row.required_documents)

    @strawberry.field(description="OCDS 1.1.5 fields. OCDS 字段。")
    def ocds(self) -> TenderOcds:
        return ocds_of(self.row, None)


@strawberry.type(description="A ranked bid in an award notice. 评标结果（公开）。")
class PublicRanking:
    rank: int | None = strawberry.field(description="Rank; null when disqualified. 排名。")
    bidder_name: str = strawberry.field(description="Bidder. 投标人。")
    price: Decimal = strawberry.field(description="Price, CNY. 报价（元）。")
    total_score: Decimal | None = strawberry.field(description="Comprehensive score. 综合得分。")
    qualified: bool = strawberry.field(description="Valid. 是否有效。")


@strawberry.type(description="An award publicity or result notice (中标候选人公示/结果公告). 中标公示（公开）。")
class PublicAward:
    row: strawberry.Private[tables.Tender]

    code: str = column("code", "Tender code. 招标编号。")
    title: str = column("title", "Title. 名称。")
    status: TenderStatus = column("status", "publicity or awarded. 状态。", TenderStatus)
    status_label: str = label("status", "TenderStatus", "Status, in the request's language. 状态名称。")
    publicity_started_at: datetime | None = column("publicity_started_at", "Publicity start (UTC). 公示开始。")
    publicity_ends_at: datetime | None = column("publicity_ends_at", "Publicity end (UTC). 公示结束。")
    awarded_at: datetime | None = column("awarded_at", "Award date (UTC). 定标时间。")

    @strawberry.field(description="The buyer. 采购人。")
    async def owner_name(self, info: Info) -> str | None:
        return await info.context.loaders.organisation_name.load(self.row.owner_organisation_id)

    @strawberry.field(description="The bids ranked, as opened and evaluated. 评标结果。")
    async def ranking(self, info: Info) -> list[PublicRanking]:
        return [PublicRanking(**r) for r in await info.context.loaders.public_ranking_of_tender.load(self.row.id)]

    @strawberry.field(description="Winning bidder (the recommended one during publicity). 中标（候选）人。")
    async def winner_name(self, info: Info) -> str | None:
        ranking = await self.ranking(info)
        return next((r.bidder_name for r in ranking if r.rank == 1), None)

    @strawberry.field(description="Winning price, CNY. 中标金额（元）。")
    async def award_value(self, info: Info) -> Decimal | None:
        ranking = await self.ranking(info)
        return next((r.price for r in ranking if r.rank == 1), None)

    @strawberry.field(description="The committee draw, for anyone to recompute the committee. 专家抽取信息（可复核）。")
    async def draw(self, info: Info) -> CommitteeDraw:
        return CommitteeDraw(
            algorithm=draw.ALGORITHM,
            algorithm_text=draw.ALGORITHM_TEXT,
            commitment=self.row.draw_commitment,
            seed=self.row.draw_seed,
            pool=[strawberry.ID(to_global_id("User", uid)) for uid in json.loads(self.row.draw_pool or "[]")],
            receipt_hashes=await info.context.loaders.public_receipts_of_tender.load(self.row.id),
        )

    @strawberry.field(description="The evaluation committee's members. 评标委员会成员。")
    async def committee(self, info: Info) -> list[str]:
        return await info.context.loaders.public_committee_of_tender.load(self.row.id)
