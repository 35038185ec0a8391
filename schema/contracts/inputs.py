"""Contracts (合同管理): inputs, filters and payloads."""

from __future__ import annotations

import enum
from datetime import date
from decimal import Decimal

import strawberry
from strawberry.file_uploads import Upload

from schema.contracts.types import (
    ClauseKind,
    Contract,
    ContractDocument,
    ContractStatus,
    ContractVersion,
    PaymentTrigger,
    SigningAlgorithm,
    SigningKey,
)
from schema.core.payload import UserError
from schema.projects.types import OrderDirection


@strawberry.input(description="A clause; the structured fields belong to the kinds named. 合同条款。")
class ClauseInput:
    kind: ClauseKind = strawberry.field(description="Kind. 类型。")
    title: str | None = strawberry.field(default=None, description="Title. 标题。")
    text: str = strawberry.field(description="Text. 正文。")
    defect_liability_months: int | None = strawberry.field(default=None, description="Warranty: months. 保修：缺陷责任期（月）。")
    daily_rate_percent: Decimal | None = strawberry.field(
        default=None, description="Penalty: percent per day of delay. 违约：日比例（%）。"
    )
    cap_percent: Decimal | None = strawberry.field(default=None, description="Penalty: cap, percent of the amount. 违约：上限（%）。")
    standard: str | None = strawberry.field(default=None, description="Acceptance: the standard. 验收：标准。")
    inspection_days: int | None = strawberry.field(default=None, description="Acceptance: days to inspect. 验收：期限（天）。")


@strawberry.input(description="A milestone of the works. 工程节点。")
class MilestoneInput:
    code: str = strawberry.field(description="Code, unique in the contract, e.g. M1. 节点代码。")
    name: str = strawberry.field(description="Name. 名称。")
    planned_date: date = strawberry.field(description="Planned date, within the works period. 计划日期。")
    share: Decimal = strawberry.field(description="Share of the works, percent; all add up to 100. 工程量占比（%）。")


@strawberry.input(description="A term of the payment schedule. 付款条件。")
class PaymentTermInput:
    name: str = strawberry.field(description="Name, e.g. 预付款. 名称。")
    percentage: Decimal = strawberry.field(description="Percent of the contract amount; all add up to 100. 比例（%）。")
    trigger: PaymentTrigger = strawberry.field(description="What makes it due. 触发条件。")
    milestone_code: str | None = strawberry.field(default=None, description="For a milestone term: the milestone's code. 节点代码。")
    due_days: int | None = strawberry.field(default=None, description="Days after the trigger to pay. 付款期限（天）。")


@strawberry.input(description="Draft the contract of an awarded tender. 起草合同。")
class DraftContractInput:
    tender_id: strawberry.ID = strawberry.field(description="The awarded tender. 已定标的招标。")
    number: str = strawberry.field(description="Your contract number. 合同编号。")
    supervisor_id: strawberry.ID | None = strawberry.field(default=None, description="The supervising organisation, if any. 监理单位。")
    amount: Decimal | None = strawberry.field(default=None, description="Amount; the winning price when left out. 合同金额。")
    amount_reason: str | None = strawberry.field(default=None, description="Why the amount differs from the winning price. 金额差异原因。")
    title: str | None = strawberry.field(default=None, description="Title; the project's when left out. 名称。")
    works_start: date = strawberry.field(description="Works start. 开工日期。")
    works_end: date = strawberry.field(description="Works end. 竣工日期。")
    defect_liability_months: int | None = strawberry.field(default=None, description="Defect liability period, months. 缺陷责任期（月）。")
    clauses: list[ClauseInput] = strawberry.field(default_factory=list, description="Clauses. 条款。")
    milestones: list[MilestoneInput] = strawberry.field(description="Milestones. 工程节点。")
    payment_terms: list[PaymentTermInput] = strawberry.field(description="Payment schedule. 付款条件。")


@strawberry.input(description="The content fields an edit or an amendment may change. 可修改的合同内容。")
class ContentChanges:
    """The content fields an edit or an amendment may change: None keeps a field, a list
    replaces the whole list."""

    expected_version: int | None = strawberry.field(default=None, description="Refuse if changed since. 期望版本号。")
    number: str | None = strawberry.field(default=None, description="Contract number. 合同编号。")
    amount: Decimal | None = strawberry.field(default=None, description="Amount. 合同金额。")
    amount_reason: str | None = strawberry.field(default=None, description="Why it differs from the winning price. 金额差异原因。")
    title: str | None = strawberry.field(default=None, description="Title. 名称。")
    works_start: date | None = strawberry.field(default=None, description="Works start. 开工日期。")
    works_end: date | None = strawberry.field(default=None, description="Works end. 竣工日期。")
    defect_liability_months: int | None = strawberry.field(default=None, description="Defect liability period, months. 缺陷责任期（月）。")
    clauses: list[ClauseInput] | None = strawberry.field(default=None, description="Replaces the clauses. 条款。")
    milestones: list[MilestoneInput] | None = strawberry.field(default=None, description="Replaces the milestones. 工程节点。")
    payment_terms: list[PaymentTermInput] | None = strawberry.field(default=None, description="Replaces the schedule. 付款条件。")


@strawberry.input(description="Change a contract before it is in force; a change voids signatures already made. 修改合同。")
class UpdateContractInput(ContentChanges):
    id: strawberry.ID = strawberry.field(description="Contract. 合同。")
    supervisor_id: strawberry.ID | None = strawberry.field(default=strawberry.UNSET, description="null removes it. 监理单位。")


@strawberry.input(description="Propose an amendment of a contract in force: a new version to sign. 提出合同变更。")
class ProposeContractAmendmentInput(ContentChanges):
    id: strawberry.ID = strawberry.field(description="Contract. 合同。")
    reason: str = strawberry.field(description="Why. 变更原因。")


@strawberry.input(description="Send a draft for signature. 提交签署。")
class SubmitContractForSignatureInput:
    id: strawberry.ID = strawberry.field(description="Contract. 合同。")
    expected_version: int | None = strawberry.field(default=None, description="Refuse if changed since. 期望版本号。")


@strawberry.input(description="Sign the version waiting for signatures for your organisation's party. 签署合同。")
class SignContractInput:
    id: strawberry.ID = strawberry.field(description="Contract. 合同。")
    content_sha256: str = strawberry.field(description="The content hash you reviewed (contentSha256). 所核对的内容哈希。")
    signature: str | None = strawberry.field(
        default=None,
        description="With a key on your own device: your signature over the hash's 32 bytes (base64 or hex; SM2 also DER). 自有设备签名值。",
    )


@strawberry.input(description="Withdraw the amendment waiting for signatures. 撤回变更。")
class WithdrawContractAmendmentInput:
    id: strawberry.ID = strawberry.field(description="Contract. 合同。")
    reason: str = strawberry.field(description="Why. 原因。")


@strawberry.input(description="Attach a document before the contract is in force; signatures made are voided. 上传合同附件。")
class AttachContractDocumentInput:
    contract_id: strawberry.ID = strawberry.field(description="Contract. 合同。")
    name: str = strawberry.field(description="What it is, e.g. 工程量清单. 附件名称。")
    file: Upload = strawberry.field(description="The file (multipart request). 文件。")


@strawberry.input(description="Remove a document before the contract is in force; signatures made are voided. 删除合同附件。")
class RemoveContractDocumentInput:
    id: strawberry.ID = strawberry.field(description="The document. 附件。")


@strawberry.type(description="Result of attaching a document. 上传合同附件结果。")
class ContractDocumentPayload:
    contract: Contract | None = strawberry.field(description="The contract. 合同。")
    document: ContractDocument | None = strawberry.field(description="The document. 附件。")
    errors: list[UserError] = strawberry.field(description="Validation failures; nothing changed. 校验错误。")


@strawberry.input(description="Terminate a contract. 终止合同。")
class TerminateContractInput:
    id: strawberry.ID = strawberry.field(description="Contract. 合同。")
    reason: str = strawberry.field(description="Why. 终止原因。")


@strawberry.input(description="Make a signing key held by the service for your organisation. 生成签章密钥。")
class CreateSigningKeyInput:
    algorithm: SigningAlgorithm = strawberry.field(description="Algorithm. 算法。")


@strawberry.input(description="Register the public key of a key on your organisation's own device. 登记自有设备公钥。")
class RegisterSigningKeyInput:
    algorithm: SigningAlgorithm = strawberry.field(description="Algorithm. 算法。")
    public_key: str = strawberry.field(
        description="Public key: base64 or hex of its raw form (SM2: 04‖x‖y or compressed; Ed25519: 32 bytes or PEM). 公钥。"
    )


@strawberry.input(description="Stop using a signing key. 停用签章密钥。")
class RevokeSigningKeyInput:
    id: strawberry.ID = strawberry.field(description="Signing key. 密钥。")


@strawberry.type(description="Result of a contract mutation. 合同操作结果。")
class ContractPayload:
    contract: Contract | None = strawberry.field(description="The contract. 合同。")
    errors: list[UserError] = strawberry.field(description="Validation failures; nothing changed. 校验错误。")


@strawberry.type(description="Result of proposing an amendment. 合同变更结果。")
class ContractAmendmentPayload:
    contract: Contract | None = strawberry.field(description="The contract. 合同。")
    amendment: ContractVersion | None = strawberry.field(description="The version proposed. 变更版本。")
    errors: list[UserError] = strawberry.field(description="Validation failures; nothing changed. 校验错误。")


@strawberry.type(description="Result of a signing-key mutation. 签章密钥操作结果。")
class SigningKeyPayload:
    signing_key: SigningKey | None = strawberry.field(description="The key. 密钥。")
    errors: list[UserError] = strawberry.field(description="Validation failures; nothing changed. 校验错误。")


@strawberry.input(description="Which contracts to list. 合同筛选。")
class ContractFilter:
    status: list[ContractStatus] | None = strawberry.field(default=None, description="Any of these statuses. 状态。")
    contractor_id: strawberry.ID | None = strawberry.field(default=None, description="Contractor organisation. 施工单位。")
    project_id: strawberry.ID | None = strawberry.field(default=None, description="Project. 项目。")
    region_prefix: str | None = strawberry.field(default=None, description="Region code prefix. 行政区划前缀。")
    amount_min: Decimal | None = strawberry.field(default=None, description="Amount at least. 金额下限。")
    amount_max: Decimal | None = strawberry.field(default=None, description="Amount at most. 金额上限。")
    signed_from: date | None = strawberry.field(default=None, description="Signed on or after (China). 签订日期起。")
    signed_to: date | None = strawberry.field(default=None, description="Signed on or before (China). 签订日期止。")
    search: str | None = strawberry.field(default=None, description="Part of the title, code or number. 关键字。")


@strawberry.enum(description="Sort key for contracts. 合同排序字段。")
class ContractOrderField(enum.Enum):
    CREATED_AT = "created_at"
    SIGNED_AT = "signed_at"
    AMOUNT = "amount"
    CODE = "code"


@strawberry.input(description="Ordering of contracts. 合同排序。")
class ContractOrder:
    field: ContractOrderField = strawberry.field(description="Sort key. 排序字段。")
    direction: OrderDirection = strawberry.field(default=OrderDirection.DESC, description="Direction. 方向。")
