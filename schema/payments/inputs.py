"""Payments (财务支付): inputs and payloads."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import strawberry
from strawberry.file_uploads import Upload

from schema.core.payload import UserError
from schema.payments.types import Invoice, PaymentRequest

KEY = "A key of the client's (8–64 letters, digits or _.:-, e.g. a UUID): repeated, the first result comes back and nothing is done twice. 幂等键。"


@strawberry.input(description="Raise a payment request by hand, for a term whose trigger is met. 手工提出付款申请。")
class RaisePaymentRequestInput:
    term_id: strawberry.ID = strawberry.field(description="The payment term. 付款条件。")
    note: str | None = strawberry.field(default=None, description="Note. 说明。")
    idempotency_key: str | None = strawberry.field(default=None, description=KEY)


@strawberry.input(description="Approve the step a request waits at. 审批通过。")
class ApprovePaymentRequestInput:
    id: strawberry.ID = strawberry.field(description="Payment request. 付款申请。")
    comment: str | None = strawberry.field(default=None, description="Comment. 审批意见。")
    idempotency_key: str | None = strawberry.field(default=None, description=KEY)


@strawberry.input(description="Reject a request at the step it waits at. 驳回付款申请。")
class RejectPaymentRequestInput:
    id: strawberry.ID = strawberry.field(description="Payment request. 付款申请。")
    comment: str = strawberry.field(description="Why. 驳回理由。")
    idempotency_key: str | None = strawberry.field(default=None, description=KEY)


@strawberry.input(description="Withdraw a request not yet paid. 撤销付款申请。")
class CancelPaymentRequestInput:
    id: strawberry.ID = strawberry.field(description="Payment request. 付款申请。")
    reason: str = strawberry.field(description="Why. 撤销原因。")
    idempotency_key: str | None = strawberry.field(default=None, description=KEY)


@strawberry.input(description="Record the payment of an approved request. 登记付款。")
class RecordPaymentInput:
    id: strawberry.ID = strawberry.field(description="Payment request. 付款申请。")
    paid_on: date = strawberry.field(description="Day paid (China). 付款日期。")
    amount: Decimal = strawberry.field(description="Amount paid, in CNY. 实付金额（元）。")
    bank_reference: str = strawberry.field(description="Bank transaction reference. 银行流水号。")
    payer_account: str | None = strawberry.field(default=None, description="Payer's account; the owner's on record if omitted. 付款账号。")
    payee_account: str | None = strawberry.field(
        default=None, description="Payee's account; the contractor's on record if omitted. 收款账号。"
    )
    difference_reason: str | None = strawberry.field(
        default=None, description="Why the amount differs from the amount approved (required then). 差额原因。"
    )
    idempotency_key: str | None = strawberry.field(default=None, description=KEY)


@strawberry.input(
    description="Attach an invoice: the XML of a fully digital invoice (read by the server), or a PDF or OFD with its data typed in. 上传发票。"
)
class UploadInvoiceInput:
    request_id: strawberry.ID = strawberry.field(description="Payment request. 付款申请。")
    file: Upload = strawberry.field(description="The invoice file (multipart request). 发票文件。")
    number: str | None = strawberry.field(default=None, description="Invoice number (20 digits, or 8 with a code). 发票号码。")
    code: str | None = strawberry.field(default=None, description="Invoice code, legacy e-invoices only (10 or 12 digits). 发票代码。")
    issued_on: date | None = strawberry.field(default=None, description="Date of issue. 开票日期。")
    seller_name: str | None = strawberry.field(default=None, description="Seller. 销售方名称。")
    seller_tax_id: str | None = strawberry.field(default=None, description="Seller's taxpayer id. 销售方纳税人识别号。")
    buyer_name: str | None = strawberry.field(default=None, description="Buyer. 购买方名称。")
    buyer_tax_id: str | None = strawberry.field(default=None, description="Buyer's taxpayer id. 购买方纳税人识别号。")
    amount_without_tax: Decimal | None = strawberry.field(default=None, description="Amount without tax. 金额（不含税）。")
    tax_amount: Decimal | None = strawberry.field(default=None, description="Tax. 税额。")
    total_amount: Decimal | None = strawberry.field(default=None, description="Total with tax. 价税合计。")
    idempotency_key: str | None = strawberry.field(default=None, description=KEY)


@strawberry.input(description="Finance has checked a typed-in invoice against its file. 核验发票。")
class VerifyInvoiceInput:
    id: strawberry.ID = strawberry.field(description="Invoice. 发票。")
    idempotency_key: str | None = strawberry.field(default=None, description=KEY)


@strawberry.input(description="Turn an invoice down. 退回发票。")
class RejectInvoiceInput:
    id: strawberry.ID = strawberry.field(description="Invoice. 发票。")
    reason: str = strawberry.field(description="Why. 退回原因。")
    idempotency_key: str | None = strawberry.field(default=None, description=KEY)


@strawberry.type(description="Result of a change to a payment request. 付款申请操作结果。")
class PaymentRequestPayload:
    request: PaymentRequest | None = strawberry.field(description="The request. 付款申请。")
    errors: list[UserError] = strawberry.field(description="Validation failures; nothing changed. 校验错误。")


@strawberry.type(description="Result of a change to an invoice. 发票操作结果。")
class InvoicePayload:
    invoice: Invoice | None = strawberry.field(description="The invoice. 发票。")
    errors: list[UserError] = strawberry.field(description="Validation failures; nothing changed. 校验错误。")
