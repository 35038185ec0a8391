"""Payments (财务支付): GraphQL types."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import strawberry

from models import payments as tables
from models.payments import INVOICE_FORMATS, INVOICE_KINDS, INVOICE_STATUSES, ORIGINS, REQUEST_STATUSES
from policies.gate import guarded, sees_in_full
from resolvers.accounts.ocds import party_id
from resolvers.contracts.ocds import milestone_id
from resolvers.core.i18n import label as label_of
from resolvers.security.crypto import mask_account
from schema.accounts.types import Organisation
from schema.contracts.types import Contract, PaymentTerm, PaymentTrigger
from schema.core.context import Info
from schema.core.downloads import download_link
from schema.core.fields import column, enum_of, from_row, label, labels_in_request, loaded
from schema.core.node import Node, register_node

if TYPE_CHECKING:
    import enum

    class PaymentRequestStatus(enum.Enum): ...

    class PaymentRequestOrigin(enum.Enum): ...

    class PaymentRequestAction(enum.Enum): ...

    class InvoiceStatus(enum.Enum): ...

    class InvoiceKind(enum.Enum): ...

    class InvoiceFormat(enum.Enum): ...

    class InvoiceAction(enum.Enum): ...

else:
    from resolvers.payments.invoices import INVOICE_ACTIONS
    from resolvers.payments.service import REQUEST_ACTIONS

    PaymentRequestStatus = enum_of("PaymentRequestStatus", REQUEST_STATUSES, "Where a payment request stands. 付款申请状态。")
    PaymentRequestOrigin = enum_of("PaymentRequestOrigin", ORIGINS, "How a request was raised. 申请来源。")
    PaymentRequestAction = enum_of(
        "PaymentRequestAction", tuple(REQUEST_ACTIONS), "Something a viewer may do to a payment request now. 对付款申请可执行的操作。"
    )
    InvoiceStatus = enum_of("InvoiceStatus", INVOICE_STATUSES, "Where an invoice stands. 发票状态。")
    InvoiceKind = enum_of("InvoiceKind", INVOICE_KINDS, "Fully digital (20-digit number) or legacy (code and number). 发票种类。")
    InvoiceFormat = enum_of("InvoiceFormat", INVOICE_FORMATS, "The file uploaded. 发票文件格式。")
    InvoiceAction = enum_of("InvoiceAction", tuple(INVOICE_ACTIONS), "Something a viewer may do to an invoice now. 对发票可执行的操作。")


PAYER_ACCOUNT = guarded("PaymentRequest.payerAccount")
PAYEE_ACCOUNT = guarded("PaymentRequest.payeeAccount")


def _mask(info: Info, row: Any, attribute: str, context_of, field: str, viewer: Any) -> str | None:
    number = info.context.cipher.decrypt(getattr(row, attribute), context_of(row.id))
    own = viewer is not None and viewer.organisation_id in (row.owner_organisation_id, row.contractor_organisation_id)
    return number if sees_in_full(info.context.policy, viewer, field, own=own) else mask_account(number)


@strawberry.type(description="One step's decision on a payment request. 审批记录。")
class PaymentApproval:
    row: strawberry.Private[tables.PaymentApproval]

    step: int = column("step", "The step, from 0. 步骤。")
    role: str = column("role", "The role that decided it (its code). 审批角色。")
    role_label: str = label("role", "Role", "The role, in the request's language. 审批角色名称。")
    decision: str = column("decision", "approved or rejected. 审批结果。")
    decision_label: str = label("decision", "ApprovalDecision", "The decision, in the request's language. 审批结果名称。")
    comment: str | None = column("comment", "Comment. 审批意见。")
    actor_name: str = column("actor_name", "Who decided. 审批人。")
    decided_at: datetime = column("decided_at", "When (UTC). 审批时间。")


@strawberry.type(description="One move of a payment request. 付款申请状态变更。")
class PaymentRequestStatusChange:
    row: strawberry.Private[tables.PaymentRequestStatusChange]

    action: str = column("action", "The action. 操作。")
    actor_name: str = column("actor_name", "Who. 操作人。")
    comment: str | None = column("comment", "Comment or reason. 说明。")
    occurred_at: datetime = column("occurred_at", "When (UTC). 时间。")

    @strawberry.field(description="The action, in the request's language. 操作名称。")
    def action_label(self, info: Info) -> str:
        return label_of("PaymentRequestAction", self.row.action, info.context.meta.locale)

    @strawberry.field(description="The status it moved to, in the request's language. 变更后状态。")
    def to_status_label(self, info: Info) -> str:
        return label_of("PaymentRequestStatus", self.row.to_status, info.context.meta.locale)


@strawberry.type(description="An item line of an invoice, as its XML says. 发票明细。")
class InvoiceLine:
    name: str = strawberry.field(description="Item. 项目名称。")
    spec: str | None = strawberry.field(description="Specification. 规格型号。")
    unit: str | None = strawberry.field(description="Unit. 单位。")
    quantity: Decimal | None = strawberry.field(description="Quantity. 数量。")
    unit_price: Decimal | None = strawberry.field(description="Unit price. 单价。")
    amount: Decimal = strawberry.field(description="Amount without tax. 金额。")
    tax_rate: Decimal = strawberry.field(description="Tax rate as a fraction (0.09). 税率。")
    tax: Decimal = strawberry.field(description="Tax. 税额。")


@strawberry.type(description="An invoice's archive record (电子会计档案). 发票档案。")
class InvoiceArchiveRecord:
    row: strawberry.Private[tables.InvoiceArchive]

    archive_number: str = column("archive_number", "Archive number. 档案号。")
    sha256: str = column("sha256", "SHA-256 of the archived file. 文件哈希。")
    size: int = column("size", "Size in bytes. 大小（字节）。")
    media_type: str = column("media_type", "Media type. 文件类型。")
    retention_years: int = column("retention_years", "Years it is kept. 保管期限（年）。")
    retain_until: date = column("retain_until", "Kept until. 保管至。")
    archived_at: datetime = column("archived_at", "When archived (UTC). 归档时间。")

    @strawberry.field(description="What the invoice says, as archived (JSON). 档案元数据。")
    def metadata(self) -> strawberry.scalars.JSON:
        return json.loads(self.row.meta)


def _decimal(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


@register_node("invoice")
@strawberry.type(description="An e-invoice on a payment request (电子发票). 发票。")
class Invoice(Node):
    row: strawberry.Private[tables.Invoice]

    kind: InvoiceKind = column("kind", "Fully digital or legacy. 种类。", InvoiceKind)
    kind_label: str = label("kind", "InvoiceKind", "Kind, in the request's language. 种类名称。")
    format: InvoiceFormat = column("format", "The file uploaded. 文件格式。", InvoiceFormat)
    format_label: str = label("format", "InvoiceFormat", "Format, in the request's language. 文件格式名称。")
    number: str = column("number", "Invoice number. 发票号码。")
    code: str | None = column("code", "Invoice code (legacy e-invoices). 发票代码。")
    issued_on: date = column("issued_on", "Date of issue. 开票日期。")
    seller_name: str = column("seller_name", "Seller. 销售方名称。")
    seller_tax_id: str = column("seller_tax_id", "Seller's taxpayer id. 销售方纳税人识别号。")
    buyer_name: str = column("buyer_name", "Buyer. 购买方名称。")
    buyer_tax_id: str = column("buyer_tax_id", "Buyer's taxpayer id. 购买方纳税人识别号。")
    amount_without_tax: Decimal = column("amount_without_tax", "Amount without tax. 金额（不含税）。")
    tax_amount: Decimal = column("tax_amount", "Tax. 税额。")
    total_amount: Decimal = column("total_amount", "Total with tax. 价税合计。")
    filename: str = column("filename", "File name. 文件名。")
    media_type: str = column("media_type", "Media type. 文件类型。")
    size: int = column("size", "Size in bytes. 大小（字节）。")
    sha256: str = column("sha256", "SHA-256 of the file. 文件哈希。")
    status: InvoiceStatus = column("status", "Status. 状态。", InvoiceStatus)
    status_label: str = label("status", "InvoiceStatus", "Status, in the request's language. 状态名称。")
    uploaded_at: datetime = column("uploaded_at", "When uploaded (UTC). 上传时间。")
    verified_by_name: str | None = column("verified_by_name", "Who checked it (none when read from its XML). 核验人。")
    verified_at: datetime | None = column("verified_at", "When verified (UTC). 核验时间。")
    rejected_at: datetime | None = column("rejected_at", "When rejected (UTC). 退回时间。")
    reject_reason: str | None = column("reject_reason", "Why rejected. 退回原因。")
    archived_at: datetime | None = column("archived_at", "When archived (UTC). 归档时间。")

    @strawberry.field(description="The item lines, read from an XML invoice. 明细。")
    def items(self) -> list[InvoiceLine]:
        lines = json.loads(self.row.items or "[]")
        return [
            InvoiceLine(
                name=i["name"],
                spec=i["spec"],
                unit=i["unit"],
                quantity=_decimal(i["quantity"]),
                unit_price=_decimal(i["unit_price"]),
                amount=Decimal(i["amount"]),
                tax_rate=Decimal(i["tax_rate"]),
                tax=Decimal(i["tax"]),
            )
            for i in lines
        ]

    @strawberry.field(description="A link to the file, valid for 10 minutes, for you only. 发票文件链接。")
    async def download_url(self, info: Info) -> str | None:
        return await download_link(info, "invoice", self.row.id)

    @strawberry.field(description="The archive record, once archived. 归档记录。")
    async def archive(self, info: Info) -> InvoiceArchiveRecord | None:
        rows = await info.context.loaders.archive_of_invoice.load(self.row.id)
        return from_row(InvoiceArchiveRecord, rows[0]) if rows else None

    @strawberry.field(description="The payment request. 付款申请。")
    async def request(self, info: Info) -> PaymentRequest | None:
        row = await info.context.loaders.payment_request.load(self.row.request_id)
        return PaymentRequest.of(row) if row is not None else None

    @strawberry.field(description="What the viewer may do to this invoice now. 当前用户可执行的操作。")
    async def available_actions(self, info: Info) -> list[InvoiceAction]:
        return [InvoiceAction(a) for a in await _invoice_actions(info, self.row)]

    @strawberry.field(description="The labels of `availableActions`, in order. 可执行操作名称。")
    async def available_action_labels(self, info: Info) -> list[str]:
        return labels_in_request(info, "InvoiceAction", await _invoice_actions(info, self.row))


async def _invoice_actions(info: Info, row: Any) -> list[str]:
    from resolvers.payments.invoices import INVOICE_ACTIONS, invoice_actions
    from schema.core.actions import viewer_actions

    request = await info.context.loaders.payment_request.load(row.request_id)
    return await viewer_actions(info, lambda actor: invoice_actions(actor, row, request), INVOICE_ACTIONS)


@strawberry.type(description="A payment as OCDS 1.1.5 `contracts[].implementation.transactions` describes it. 支付交易（OCDS）。")
class OcdsTransaction:
    id: str = strawberry.field(description="id: the request's code. 交易标识。")
    date: date = strawberry.field(description="date: the day paid. 支付日期。")
    value_amount: Decimal = strawberry.field(description="value.amount. 金额。")
    currency: str = strawberry.field(description="value.currency, ISO 4217. 币种。")
    payer_id: str = strawberry.field(description="payer.id: CN-USCI-<credit code>. 付款方标识。")
    payer_name: str = strawberry.field(description="payer.name. 付款方。")
    payee_id: str = strawberry.field(description="payee.id: CN-USCI-<credit code>. 收款方标识。")
    payee_name: str = strawberry.field(description="payee.name. 收款方。")
    related_milestone: str | None = strawberry.field(
        description="The implementation milestone it pays for, as `contracts[].implementation.milestones[].id`. 对应节点。"
    )


@register_node("payment_request")
@strawberry.type(description="A request to pay one term of a contract (付款申请). 付款申请。")
class PaymentRequest(Node):
    row: strawberry.Private[tables.PaymentRequest]

    code: str = column("code", "Request number. 申请编号。")
    status: PaymentRequestStatus = column("status", "Status. 状态。", PaymentRequestStatus)
    status_label: str = label("status", "PaymentRequestStatus", "Status, in the request's language. 状态名称。")
    origin: PaymentRequestOrigin = column("origin", "Raised automatically or by hand. 来源。", PaymentRequestOrigin)
    origin_label: str = label("origin", "PaymentRequestOrigin", "Origin, in the request's language. 来源名称。")
    trigger: PaymentTrigger = column("trigger_on", "The term's trigger. 付款条件。", PaymentTrigger)
    trigger_label: str = label("trigger_on", "PaymentTrigger", "Trigger, in the request's language. 付款条件名称。")
    triggered_on: date = column("triggered_on", "The day the trigger was met (China). 条件达成日。")
    release_on: date | None = column("release_on", "Retention: not paid before this day. 质保金释放日。")
    amount: Decimal = column("amount", "Amount requested, in CNY. 申请金额（元）。")
    step: int = column("step", "The approval step it waits at, from 0 (the chain's length once approved). 当前审批步骤。")
    note: str | None = column("note", "Note. 说明。")
    paid_amount: Decimal | None = column("paid_amount", "Amount paid. 实付金额。")
    paid_on: date | None = column("paid_on", "Day paid. 付款日期。")
    bank_reference: str | None = column("bank_reference", "Bank transaction reference. 银行流水号。")
    difference_reason: str | None = column("difference_reason", "Why the amount paid differs from the amount approved. 差额原因。")
    paid_by_name: str | None = column("paid_by_name", "Who recorded the payment. 付款登记人。")
    requested_at: datetime = column("requested_at", "When raised (UTC). 申请时间。")
    approved_at: datetime | None = column("approved_at", "When fully approved (UTC). 批准时间。")
    paid_at: datetime | None = column("paid_at", "When the payment was recorded (UTC). 付款登记时间。")
    closed_at: datetime | None = column("closed_at", "When rejected or cancelled (UTC). 驳回/撤销时间。")
    close_reason: str | None = column("close_reason", "Why rejected or cancelled. 驳回/撤销原因。")
    version: int = column("version", "Row version. 版本号。")

    @strawberry.field(description="Paid minus approved, once paid and when they differ. 实付与批准金额之差。")
    def difference(self) -> Decimal | None:
        row = self.row
        return None if row.paid_amount is None or row.paid_amount == row.amount else row.paid_amount - row.amount

    @strawberry.field(description="The approval chain's roles, in order (codes). 审批流程。")
    def chain(self) -> list[str]:
        return self.row.chain.split(",")

    @strawberry.field(description="The approval chain's roles, in the request's language. 审批流程名称。")
    def chain_labels(self, info: Info) -> list[str]:
        return labels_in_request(info, "Role", self.row.chain.split(","))

    @strawberry.field(description="The role deciding the step it waits at, in the request's language. 待审批角色。")
    def waiting_for(self, info: Info) -> str | None:
        role = self.row.waiting_role
        return label_of("Role", role, info.context.meta.locale) if role else None

    @strawberry.field(description="Payer's account; masked unless you may see it in full. 付款账号（默认脱敏）。")
    async def payer_account(self, info: Info) -> str | None:
        from resolvers.payments.service import payer_context

        return _mask(info, self.row, "payer_account", payer_context, PAYER_ACCOUNT, await info.context.actor())

    @strawberry.field(description="Payee's account; masked unless you may see it in full. 收款账号（默认脱敏）。")
    async def payee_account(self, info: Info) -> str | None:
        from resolvers.payments.service import payee_context

        return _mask(info, self.row, "payee_account", payee_context, PAYEE_ACCOUNT, await info.context.actor())

    @strawberry.field(description="The contract. 合同。")
    @loaded("contract", "contract_id", shows=Contract)
    async def contract(self, info: Info) -> Contract | None:
        raise NotImplementedError  # resolved from the @loaded declaration above

    @strawberry.field(description="The payment term it pays. 付款条件。")
    @loaded("payment_term", "term_id", shows=PaymentTerm)
    async def term(self, info: Info) -> PaymentTerm | None:
        raise NotImplementedError  # resolved from the @loaded declaration above

    @strawberry.field(description="The owner, who pays. 建设单位（付款方）。")
    @loaded("organisation", "owner_organisation_id", shows=Organisation)
    async def payer(self, info: Info) -> Organisation | None:
        raise NotImplementedError  # resolved from the @loaded declaration above

    @strawberry.field(description="The contractor, who is paid. 施工单位（收款方）。")
    @loaded("organisation", "contractor_organisation_id", shows=Organisation)
    async def payee(self, info: Info) -> Organisation | None:
        raise NotImplementedError  # resolved from the @loaded declaration above

    @strawberry.field(description="The decisions so far, in order. 审批记录。")
    @loaded("approvals_of_request", "id", shows=PaymentApproval)
    async def approvals(self, info: Info) -> list[PaymentApproval]:
        raise NotImplementedError  # resolved from the @loaded declaration above

    @strawberry.field(description="Its moves, oldest first. 状态变更记录。")
    @loaded("history_of_request", "id", shows=PaymentRequestStatusChange)
    async def history(self, info: Info) -> list[PaymentRequestStatusChange]:
        raise NotImplementedError  # resolved from the @loaded declaration above

    @strawberry.field(description="Its invoices, latest first. 发票。")
    @loaded("invoices_of_request", "id", shows=Invoice)
    async def invoices(self, info: Info) -> list[Invoice]:
        raise NotImplementedError  # resolved from the @loaded declaration above

    @strawberry.field(description="OCDS 1.1.5 `implementation.transactions` entry, once paid. OCDS 交易。")
    async def ocds(self, info: Info) -> OcdsTransaction | None:
        row = self.row
        if row.status != "paid" or row.paid_amount is None or row.paid_on is None:
            return None
        loaders = info.context.loaders
        payer, payee = await loaders.organisation.load_many([row.owner_organisation_id, row.contractor_organisation_id])
        contract = await loaders.contract.load(row.contract_id)
        term = await loaders.payment_term.load(row.term_id)
        milestone = await loaders.contract_milestone.load(term.milestone_id) if term is not None and term.milestone_id else None
        return OcdsTransaction(
            id=row.code,
            date=row.paid_on,
            value_amount=row.paid_amount,
            currency="CNY",
            payer_id=party_id(payer.uscc) if payer is not None else "",
            payer_name=payer.name if payer is not None else "",
            payee_id=party_id(payee.uscc) if payee is not None else "",
            payee_name=payee.name if payee is not None else "",
            related_milestone=milestone_id(contract.code, milestone.code) if milestone is not None and contract is not None else None,
        )

    @strawberry.field(description="What the viewer may do to this request now, by the rules the mutations apply. 当前用户可执行的操作。")
    async def available_actions(self, info: Info) -> list[PaymentRequestAction]:
        return [PaymentRequestAction(a) for a in await _request_actions(info, self.row)]

    @strawberry.field(description="The labels of `availableActions`, in order. 可执行操作名称。")
    async def available_action_labels(self, info: Info) -> list[str]:
        return labels_in_request(info, "PaymentRequestAction", await _request_actions(info, self.row))


async def _request_actions(info: Info, row: Any) -> list[str]:
    from resolvers.payments.service import REQUEST_ACTIONS, request_actions
    from schema.core.actions import viewer_actions

    loaders = info.context.loaders
    contract = await loaders.contract.load(row.contract_id)
    approvals = await loaders.approvals_of_request.load(row.id)
    decided = {a.actor_id for a in approvals if a.actor_id is not None}
    return await viewer_actions(info, lambda actor: request_actions(actor, row, contract, decided), REQUEST_ACTIONS)


# -- where the money stands -------------------------------------------------------------------


@strawberry.type(description="Where a contract's or project's money stands. 资金情况。")
class Funds:
    budget: Decimal = strawberry.field(description="The project's budget. 项目预算。")
    contract_amount: Decimal = strawberry.field(description="Contracted (signed, not terminated). 合同金额。")
    requested: Decimal = strawberry.field(description="Requested (pending, approved or paid requests). 已申请。")
    approved: Decimal = strawberry.field(description="Approved (approved or paid requests, as approved). 已批准。")
    paid: Decimal = strawberry.field(description="Paid. 已支付。")
    retention_held: Decimal = strawberry.field(description="Retention not yet paid. 质保金（未付）。")
    outstanding: Decimal = strawberry.field(description="Contract amount not yet paid. 未付金额。")


@strawberry.type(description="An owner organisation's budget of one fiscal year and what became of it. 预算执行情况。")
class BudgetExecution:
    organisation_id: strawberry.Private[int]
    fiscal_year: int = strawberry.field(description="Fiscal year. 预算年度。")
    allocation: Decimal = strawberry.field(description="The allocation (预算指标). 预算指标。")
    reserved: Decimal = strawberry.field(description="Held by approved projects. 已占用。")
    contracted: Decimal = strawberry.field(description="Signed contracts of those projects. 已签合同。")
    paid: Decimal = strawberry.field(description="Paid on them. 已支付。")

    @strawberry.field(description="The organisation. 单位。")
    async def organisation(self, info: Info) -> Organisation | None:
        row = await info.context.loaders.organisation.load(self.organisation_id)
        return Organisation.of(row) if row is not None else None


def funds_of(row: Any) -> Funds:
    return Funds(
        budget=row.budget,
        contract_amount=row.contract_amount,
        requested=row.requested,
        approved=row.approved,
        paid=row.paid,
        retention_held=row.retention_held,
        outstanding=row.contract_amount - row.paid,
    )


@strawberry.type(description="An archived file whose content no longer matches its record. 档案异常。")
class ArchiveFinding:
    archive_number: str = strawberry.field(description="Archive number. 档案号。")
    problem: str = strawberry.field(description="changed or missing. 问题。")
    problem_label: str = strawberry.field(description="The problem, in the request's language. 问题说明。")
    expected_sha256: str = strawberry.field(description="SHA-256 on record. 档案记录哈希。")
    found_sha256: str | None = strawberry.field(description="SHA-256 of the file now (none if missing). 当前文件哈希。")
    invoice: Invoice | None = strawberry.field(description="The invoice. 发票。")


@strawberry.type(description="The outcome of re-hashing the archived invoice files. 档案核验结果。")
class ArchiveReport:
    checked: int = strawberry.field(description="Files checked. 核验文件数。")
    intact: int = strawberry.field(description="Files that match their record. 完好文件数。")
    findings: list[ArchiveFinding] = strawberry.field(description="Files changed or missing. 异常文件。")
    waiting: int = strawberry.field(description="Verified invoices not archived yet. 待归档发票数。")
