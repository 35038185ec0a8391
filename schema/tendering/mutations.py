"""Tendering and bidding (招标采购): root mutation fields."""

from __future__ import annotations

from typing import Any

import strawberry

from resolvers.core.errors import Problem
from resolvers.tendering import bids as bid_svc
from resolvers.tendering import evaluation as eval_svc
from resolvers.tendering import negotiation as negotiation_svc
from resolvers.tendering import qualifications as qual_svc
from resolvers.tendering import service as svc
from schema.core.context import Info
from schema.core.fields import from_row
from schema.core.node import decode_id
from schema.core.payload import UserError, in_input, run_mutation
from schema.projects.mutations import read_upload
from schema.tendering.inputs import (
    AddQualificationInput,
    AmendTenderInput,
    AnswerClarificationInput,
    AnswerObjectionInput,
    AskClarificationInput,
    AwardObjectionPayload,
    BidPayload,
    CancelTenderInput,
    ClarificationPayload,
    CommitteeMemberPayload,
    CreateTenderInput,
    CreateTenderTemplateInput,
    DeclareEvaluationConflictInput,
    DeclareExpertRelationshipInput,
    DeclineEvaluationInput,
    ExpertPayload,
    FileObjectionInput,
    ObjectionDecision,
    OpenFinalQuotesInput,
    OpenTenderInput,
    PublishTenderInput,
    QualificationPayload,
    RemoveQualificationInput,
    RequestFinalQuotesInput,
    SetExpertSpecialtiesInput,
    StartAwardPublicityInput,
    SubmitBidInput,
    SubmitEvaluationInput,
    SubmitFinalQuoteInput,
    TenderPayload,
    TenderTemplatePayload,
    UpdateTenderInput,
    UpdateTenderTemplateInput,
    WithdrawBidInput,
)
from schema.tendering.types import AwardObjection, Bid, BidReceipt, Clarification, CommitteeMember, Qualification, Tender, TenderTemplate


def _documents(rows) -> list[svc.DocumentRequirement] | None:
    return None if rows is None else [svc.DocumentRequirement(r.key, r.name) for r in rows]


def _items(rows) -> list[svc.ItemRequirement] | None:
    return None if rows is None else [svc.ItemRequirement(r.key, r.question) for r in rows]


def _criteria(rows) -> list[svc.CriterionData] | None:
    return None if rows is None else [svc.CriterionData(r.key, r.name, r.kind.value, r.weight) for r in rows]


def _template(input: Any) -> svc.TemplateData:
    return svc.TemplateData(
        name=input.name,
        method=input.method.value if input.method else None,
        required_documents=_documents(input.required_documents),
        required_items=_items(input.required_items),
        criteria=_criteria(input.criteria),
        notice_text=input.notice_text,
    )


def _tender(input: Any, creating: bool) -> svc.TenderData:
    qualification = input.required_qualification
    data = svc.TenderData(
        title=input.title,
        ceiling_price=input.ceiling_price,
        bid_deadline=input.bid_deadline,
        opening_time=input.opening_time,
        clarification_deadline=input.clarification_deadline,
        invited_supplier_ids=[decode_id(i, "Organisation") for i in input.invited_supplier_ids]
        if input.invited_supplier_ids is not None
        else None,
        required_qualification_kind=qualification.kind.value if in_input(qualification) and qualification else None,
        required_qualification_grade=qualification.grade.value if in_input(qualification) and qualification else None,
        committee_size=input.committee_size,
        required_documents=_documents(input.required_documents),
        required_items=_items(input.required_items),
        criteria=_criteria(input.criteria),
        notice_text=input.notice_text,
    )
    if creating:
        data.project_id = decode_id(input.project_id, "Project")
        data.template_id = decode_id(input.template_id, "TenderTemplate")
    else:
        data.expected_version = input.expected_version
        data.clear_qualification = in_input(qualification) and qualification is None
    return data


def too_many_files(info: Info) -> UserError:
    problem = Problem("TOO_MANY_FILES", "documents", {"max": bid_svc.MAX_BID_FILES})
    return UserError.of(problem, info.context.meta.locale)


def _storage(info: Info):
    return info.context.state.storage


def _tender_payload(row) -> TenderPayload:
    return TenderPayload(tender=Tender.of(row) if row else None, errors=[])


async def _tender_of(info: Info, tender_id: int) -> Tender | None:
    row = await info.context.loaders.tender.load(tender_id)
    return Tender.of(row) if row else None


@strawberry.type
class TenderingMutation:
    @strawberry.mutation(description="Make a tender template. 新建招标模板。")
    async def create_tender_template(self, info: Info, input: CreateTenderTemplateInput) -> TenderTemplatePayload | None:
        row, errors = await run_mutation(info, svc.create_template, _template(input))
        return TenderTemplatePayload(template=TenderTemplate.of(row) if row else None, errors=errors)

    @strawberry.mutation(description="Edit a template: makes a new version. 修改招标模板（生成新版本）。")
    async def update_tender_template(self, info: Info, input: UpdateTenderTemplateInput) -> TenderTemplatePayload | None:
        row, errors = await run_mutation(info, svc.update_template, decode_id(input.id, "TenderTemplate"), _template(input))
        return TenderTemplatePayload(template=TenderTemplate.of(row) if row else None, errors=errors)

    @strawberry.mutation(description="Draft a tender for an approved project. 新建招标草稿。")
    async def create_tender(self, info: Info, input: CreateTenderInput) -> TenderPayload | None:
        row, errors = await run_mutation(info, svc.create_tender, _tender(input, creating=True))
        return TenderPayload(tender=Tender.of(row) if row else None, errors=errors)

    @strawberry.mutation(description="Change a draft tender. 修改招标草稿。")
    async def update_tender(self, info: Info, input: UpdateTenderInput) -> TenderPayload | None:
        row, errors = await run_mutation(info, svc.update_tender, decode_id(input.id, "Tender"), _tender(input, creating=False))
        return TenderPayload(tender=Tender.of(row) if row else None, errors=errors)

    @strawberry.mutation(description="Publish the notice; every failed check is reported at once. 发布招标公告。")
    async def publish_tender(self, info: Info, input: PublishTenderInput) -> TenderPayload | None:
        row, errors = await run_mutation(
            info, svc.publish_tender, decode_id(input.id, "Tender"), input.draw_commitment, input.expected_version
        )
        return TenderPayload(tender=Tender.of(row) if row else None, errors=errors)

    @strawberry.mutation(description="Change a published tender's documents; a late change extends the deadline. 变更招标文件。")
    async def amend_tender(self, info: Info, input: AmendTenderInput) -> TenderPayload | None:
        amendment = svc.Amendment(
            summary=input.summary,
            notice_text=input.notice_text,
            required_documents=_documents(input.required_documents),
            required_items=_items(input.required_items),
            bid_deadline=input.bid_deadline,
            opening_time=input.opening_time,
        )
        row, errors = await run_mutation(info, svc.amend_tender, decode_id(input.id, "Tender"), amendment)
        return TenderPayload(tender=Tender.of(row) if row else None, errors=errors)

    @strawberry.mutation(description="Cancel a tender before opening. 取消招标。")
    async def cancel_tender(self, info: Info, input: CancelTenderInput) -> TenderPayload | None:
        row, errors = await run_mutation(info, svc.cancel_tender, decode_id(input.id, "Tender"), input.reason)
        return TenderPayload(tender=Tender.of(row) if row else None, errors=errors)

    @strawberry.mutation(description="Ask a question before the clarification deadline. 提出澄清问题。")
    async def ask_clarification(self, info: Info, input: AskClarificationInput) -> ClarificationPayload | None:
        row, errors = await run_mutation(info, svc.ask_clarification, decode_id(input.tender_id, "Tender"), input.question)
        return ClarificationPayload(clarification=Clarification.of(row) if row else None, errors=errors)

    @strawberry.mutation(description="Answer a question; published to every participant without the asker. 答复澄清。")
    async def answer_clarification(self, info: Info, input: AnswerClarificationInput) -> ClarificationPayload | None:
        row, errors = await run_mutation(info, svc.answer_clarification, decode_id(input.clarification_id, "Clarification"), input.answer)
        return ClarificationPayload(clarification=Clarification.of(row) if row else None, errors=errors)

    @strawberry.mutation(description="Submit or replace your sealed bid; returns a receipt. 投标（返回回执）。")
    async def submit_bid(self, info: Info, input: SubmitBidInput) -> BidPayload | None:
        if len(input.documents) > bid_svc.MAX_BID_FILES:  # refused before any file is read
            return BidPayload(bid=None, receipt=None, errors=[too_many_files(info)])
        documents = [bid_svc.BidDocument(d.key, await read_upload(info, d.file)) for d in input.documents]
        data = bid_svc.BidData(price=input.price, answers=[bid_svc.Answer(a.key, a.answer) for a in input.answers], documents=documents)
        result, errors = await run_mutation(info, bid_svc.submit_bid, _storage(info), decode_id(input.tender_id, "Tender"), data)
        if result is None:
            return BidPayload(bid=None, receipt=None, errors=errors)
        bid, receipt = result
        row = await info.context.loaders.bid.load(bid.id)
        return BidPayload(bid=Bid.of(row) if row else None, receipt=from_row(BidReceipt, receipt), errors=[])

    @strawberry.mutation(description="Withdraw your bid before the deadline. 撤回投标。")
    async def withdraw_bid(self, info: Info, input: WithdrawBidInput) -> BidPayload | None:
        row, errors = await run_mutation(info, bid_svc.withdraw_bid, decode_id(input.bid_id, "Bid"))
        return BidPayload(bid=Bid.of(row) if row else None, receipt=None, errors=errors)

    @strawberry.mutation(description="Open the bids at the opening time, revealing the draw seed. 开标。")
    async def open_tender(self, info: Info, input: OpenTenderInput) -> TenderPayload | None:
        row, errors = await run_mutation(info, bid_svc.open_tender, _storage(info), decode_id(input.id, "Tender"), input.seed)
        return TenderPayload(tender=Tender.of(row) if row else None, errors=errors)

    @strawberry.mutation(description="Ask for final quotes by a deadline (competitive negotiation). 要求最后报价。")
    async def request_final_quotes(self, info: Info, input: RequestFinalQuotesInput) -> TenderPayload | None:
        row, errors = await run_mutation(
            info, negotiation_svc.request_final_quotes, decode_id(input.id, "Tender"), input.deadline, input.note
        )
        return TenderPayload(tender=Tender.of(row) if row else None, errors=errors)

    @strawberry.mutation(description="Send or replace your sealed final quote; returns a receipt. 提交最后报价（返回回执）。")
    async def submit_final_quote(self, info: Info, input: SubmitFinalQuoteInput) -> BidPayload | None:
        result, errors = await run_mutation(info, negotiation_svc.submit_final_quote, decode_id(input.tender_id, "Tender"), input.price)
        if result is None:
            return BidPayload(bid=None, receipt=None, errors=errors)
        bid, receipt = result
        row = await info.context.loaders.bid.load(bid.id)
        return BidPayload(bid=Bid.of(row) if row else None, receipt=from_row(BidReceipt, receipt), errors=[])

    @strawberry.mutation(description="Open every final quote after their deadline. 开启最后报价。")
    async def open_final_quotes(self, info: Info, input: OpenFinalQuotesInput) -> TenderPayload | None:
        row, errors = await run_mutation(info, negotiation_svc.open_final_quotes, decode_id(input.id, "Tender"))
        return TenderPayload(tender=Tender.of(row) if row else None, errors=errors)

    @strawberry.mutation(description="Decline your committee seat; the next expert in the seeded order is drawn. 谢绝评标。")
    async def decline_evaluation(self, info: Info, input: DeclineEvaluationInput) -> CommitteeMemberPayload | None:
        tender_id = decode_id(input.tender_id, "Tender")
        row, errors = await run_mutation(info, eval_svc.decline_evaluation, tender_id, input.reason)
        return CommitteeMemberPayload(
            seat=from_row(CommitteeMember, row) if row else None, tender=await _tender_of(info, tender_id), errors=errors
        )

    @strawberry.mutation(description="Declare a relationship with a bidder and stand aside. 申请回避。")
    async def declare_evaluation_conflict(self, info: Info, input: DeclareEvaluationConflictInput) -> CommitteeMemberPayload | None:
        tender_id = decode_id(input.tender_id, "Tender")
        row, errors = await run_mutation(
            info, eval_svc.declare_conflict, tender_id, decode_id(input.organisation_id, "Organisation"), input.relationship.value
        )
        return CommitteeMemberPayload(
            seat=from_row(CommitteeMember, row) if row else None, tender=await _tender_of(info, tender_id), errors=errors
        )

    @strawberry.mutation(description="Submit your evaluation of every valid bid, once. 提交评审意见。")
    async def submit_evaluation(self, info: Info, input: SubmitEvaluationInput) -> CommitteeMemberPayload | None:
        tender_id = decode_id(input.tender_id, "Tender")
        sheets = [
            eval_svc.SheetData(
                bid_id=decode_id(s.bid_id, "Bid"),
                qualified=s.qualified,
                reason=s.reason,
                scores={score.criterion: score.score for score in s.scores},
            )
            for s in input.sheets
        ]
        row, errors = await run_mutation(info, eval_svc.submit_evaluation, tender_id, sheets)
        return CommitteeMemberPayload(
            seat=from_row(CommitteeMember, row) if row else None, tender=await _tender_of(info, tender_id), errors=errors
        )

    @strawberry.mutation(description="Publicise the recommended winner for the publicity period. 开始中标候选人公示。")
    async def start_award_publicity(self, info: Info, input: StartAwardPublicityInput) -> TenderPayload | None:
        row, errors = await run_mutation(info, eval_svc.start_publicity, decode_id(input.id, "Tender"))
        return TenderPayload(tender=Tender.of(row) if row else None, errors=errors)

    @strawberry.mutation(description="Object to the publicised result; the award waits for the answer. 提出质疑。")
    async def file_objection(self, info: Info, input: FileObjectionInput) -> AwardObjectionPayload | None:
        tender_id = decode_id(input.tender_id, "Tender")
        row, errors = await run_mutation(info, eval_svc.file_objection, tender_id, input.text)
        return AwardObjectionPayload(
            objection=AwardObjection.of(row) if row else None, tender=await _tender_of(info, tender_id), errors=errors
        )

    @strawberry.mutation(description="Answer an objection: upheld sends the tender back to evaluation. 答复质疑。")
    async def answer_objection(self, info: Info, input: AnswerObjectionInput) -> AwardObjectionPayload | None:
        row, errors = await run_mutation(
            info,
            eval_svc.answer_objection,
            decode_id(input.objection_id, "AwardObjection"),
            input.decision == ObjectionDecision.UPHOLD,
            input.answer,
        )
        tender = await _tender_of(info, row.tender_id) if row else None
        return AwardObjectionPayload(objection=AwardObjection.of(row) if row else None, tender=tender, errors=errors)

    @strawberry.mutation(description="Register a qualification certificate of your organisation. 登记资质证书。")
    async def add_qualification(self, info: Info, input: AddQualificationInput) -> QualificationPayload | None:
        certificate = await read_upload(info, input.certificate) if input.certificate is not None else None
        data = qual_svc.QualificationData(
            kind=input.kind.value, grade=input.grade.value, number=input.number, valid_until=input.valid_until, certificate=certificate
        )
        row, errors = await run_mutation(info, qual_svc.add_qualification, _storage(info), data)
        return QualificationPayload(qualification=Qualification.of(row) if row else None, errors=errors)

    @strawberry.mutation(description="Remove a qualification of your organisation. 删除资质。")
    async def remove_qualification(self, info: Info, input: RemoveQualificationInput) -> QualificationPayload | None:
        row, errors = await run_mutation(info, qual_svc.remove_qualification, decode_id(input.id, "Qualification"))
        return QualificationPayload(qualification=None, errors=errors)

    @strawberry.mutation(description="Set the categories an expert evaluates. 设置评标专家专业。")
    async def set_expert_specialties(self, info: Info, input: SetExpertSpecialtiesInput) -> ExpertPayload | None:
        row, errors = await run_mutation(
            info, eval_svc.set_specialties, decode_id(input.user_id, "User"), [c.value for c in input.categories]
        )
        return ExpertPayload(ok=row is not None, errors=errors)

    @strawberry.mutation(description="Declare your relationship with an organisation (for recusal). 申报利害关系。")
    async def declare_expert_relationship(self, info: Info, input: DeclareExpertRelationshipInput) -> ExpertPayload | None:
        row, errors = await run_mutation(
            info, eval_svc.declare_relationship, decode_id(input.organisation_id, "Organisation"), input.relationship.value, input.ended_on
        )
        return ExpertPayload(ok=row is not None, errors=errors)
