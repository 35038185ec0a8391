"""Payments (财务支付): root mutation fields. Each takes an optional idempotency key, and a
transaction that loses a race to a concurrent one runs again to give its real answer."""

from __future__ import annotations

import strawberry

from resolvers.payments import invoices as inv
from resolvers.payments import service as svc
from schema.core.context import Info
from schema.core.node import decode_id
from schema.core.payload import run_mutation
from schema.payments.inputs import (
    ApprovePaymentRequestInput,
    CancelPaymentRequestInput,
    InvoicePayload,
    PaymentRequestPayload,
    RaisePaymentRequestInput,
    RecordPaymentInput,
    RejectInvoiceInput,
    RejectPaymentRequestInput,
    UploadInvoiceInput,
    VerifyInvoiceInput,
)
from schema.payments.types import Invoice, PaymentRequest
from schema.projects.mutations import read_upload


def _request(row, errors) -> PaymentRequestPayload:
    return PaymentRequestPayload(request=PaymentRequest.of(row) if row else None, errors=errors)


def _invoice(row, errors) -> InvoicePayload:
    return InvoicePayload(invoice=Invoice.of(row) if row else None, errors=errors)


@strawberry.type
class PaymentsMutation:
    @strawberry.mutation(description="Raise a payment request by hand, for a term whose trigger is met. 手工提出付款申请。")
    async def raise_payment_request(self, info: Info, input: RaisePaymentRequestInput) -> PaymentRequestPayload | None:
        term = decode_id(input.term_id, "PaymentTerm")
        return _request(*await run_mutation(info, svc.raise_request, term, input.note, input.idempotency_key, retry_races=True))

    @strawberry.mutation(description="Approve the step a request waits at. 审批通过付款申请。")
    async def approve_payment_request(self, info: Info, input: ApprovePaymentRequestInput) -> PaymentRequestPayload | None:
        request = decode_id(input.id, "PaymentRequest")
        return _request(*await run_mutation(info, svc.approve, request, input.comment, input.idempotency_key, retry_races=True))

    @strawberry.mutation(description="Reject a request at the step it waits at. 驳回付款申请。")
    async def reject_payment_request(self, info: Info, input: RejectPaymentRequestInput) -> PaymentRequestPayload | None:
        request = decode_id(input.id, "PaymentRequest")
        return _request(*await run_mutation(info, svc.reject, request, input.comment, input.idempotency_key, retry_races=True))

    @strawberry.mutation(description="Withdraw a request not yet paid. 撤销付款申请。")
    async def cancel_payment_request(self, info: Info, input: CancelPaymentRequestInput) -> PaymentRequestPayload | None:
        request = decode_id(input.id, "PaymentRequest")
        return _request(*await run_mutation(info, svc.cancel, request, input.reason, input.idempotency_key, retry_races=True))

    @strawberry.mutation(description="Record the payment of an approved request. 登记付款。")
    async def record_payment(self, info: Info, input: RecordPaymentInput) -> PaymentRequestPayload | None:
        data = svc.PaymentData(
            paid_on=input.paid_on,
            amount=input.amount,
            bank_reference=input.bank_reference,
            payer_account=input.payer_account,
            payee_account=input.payee_account,
            difference_reason=input.difference_reason,
        )
        request = decode_id(input.id, "PaymentRequest")
        return _request(*await run_mutation(info, svc.record_payment, request, data, input.idempotency_key, retry_races=True))

    @strawberry.mutation(description="Attach an e-invoice to a pending request. 上传发票。")
    async def upload_invoice(self, info: Info, input: UploadInvoiceInput) -> InvoicePayload | None:
        upload = await read_upload(info, input.file)
        data = inv.InvoiceData(
            number=input.number,
            code=input.code,
            issued_on=input.issued_on,
            seller_name=input.seller_name,
            seller_tax_id=input.seller_tax_id,
            buyer_name=input.buyer_name,
            buyer_tax_id=input.buyer_tax_id,
            amount_without_tax=input.amount_without_tax,
            tax_amount=input.tax_amount,
            total_amount=input.total_amount,
        )
        request = decode_id(input.request_id, "PaymentRequest")
        storage = info.context.state.storage
        return _invoice(
            *await run_mutation(info, inv.upload_invoice, storage, request, upload, data, input.idempotency_key, retry_races=True)
        )

    @strawberry.mutation(description="Verify a typed-in invoice against its file. 核验发票。")
    async def verify_invoice(self, info: Info, input: VerifyInvoiceInput) -> InvoicePayload | None:
        invoice = decode_id(input.id, "Invoice")
        return _invoice(*await run_mutation(info, inv.verify_invoice, invoice, input.idempotency_key, retry_races=True))

    @strawberry.mutation(description="Turn an invoice down. 退回发票。")
    async def reject_invoice(self, info: Info, input: RejectInvoiceInput) -> InvoicePayload | None:
        invoice = decode_id(input.id, "Invoice")
        return _invoice(*await run_mutation(info, inv.reject_invoice, invoice, input.reason, input.idempotency_key, retry_races=True))
