"""The contractor's e-invoices (电子发票) on a payment request, and finance's check of them.

A fully digital invoice's XML (数电票) is read by the server: its number, date, parties and
amounts are what the file says, and it is verified on upload. A PDF or OFD invoice, or an
older e-invoice (code and number), is typed in by the contractor and kept with its file;
finance verifies it against the file. Either way, before anything is stored:
- the invoice (its number, or code and number) was never booked before, anywhere — and a
  unique column makes that hold when two uploads race;
- the seller is the contractor (its credit code is the seller's tax id), the buyer the owner;
- the invoice is dated on or after the day the payment's trigger was met, and not later than today;
- the request's invoices do not add up to more than it asks (the finance step wants them
  to add up to exactly its amount).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from models.accounts import Organisation
from models.base import FEN
from models.payments import Invoice, PaymentRequest
from resolvers.core import outbox
from resolvers.core.clock import today_in_china
from resolvers.core.context import UnitOfWork
from resolvers.core.errors import Forbidden, Problem, UserErrors
from resolvers.core.i18n import Label
from resolvers.core.lifecycle import StateMachine, Transition
from resolvers.core.money import decimal_field
from resolvers.core.scoped import get_in_scope
from resolvers.core.validation import Checks
from resolvers.payments import einvoice, idempotency
from resolvers.payments.service import contract_locked, invoiced, may_pay
from resolvers.projects.service import Upload, check_upload
from resolvers.security.storage import Storage

INVOICE_LIFECYCLE = StateMachine(
    "Invoice",
    [
        Transition("verify", {"uploaded"}, "verified"),
        # Turned down while its request is pending; an archived one keeps its archive record.
        Transition("reject", {"uploaded", "verified", "archived"}, "rejected"),
        Transition("archive", {"verified"}, "archived"),
    ],
    statuses="InvoiceStatus",
    actions="InvoiceAction",
)
INVOICE_MEDIA = {"application/pdf": "pdf", "application/ofd": "ofd"}


@dataclass
class InvoiceData:
    """What the contractor typed in (required for PDF and OFD; for XML, checked against the file)."""

    number: str | None = None
    code: str | None = None
    issued_on: date | None = None
    seller_name: str | None = None
    seller_tax_id: str | None = None
    buyer_name: str | None = None
    buyer_tax_id: str | None = None
    amount_without_tax: Decimal | None = None
    tax_amount: Decimal | None = None
    total_amount: Decimal | None = None


def identity_of(kind: str, number: str, code: str | None) -> str:
    return f"digital:{number}" if kind == "digital" else f"legacy:{code}:{number}"


def looks_like_xml(data: bytes) -> bool:
    head = data[:256].lstrip(b"\xef\xbb\xbf").lstrip()
    return head.startswith(b"<")


def _camel(name: str) -> str:
    first, *rest = name.split("_")
    return first + "".join(part.capitalize() for part in rest)


def _from_xml(checks: Checks, upload: Upload, data: InvoiceData, limit: int) -> tuple[InvoiceData, list[dict[str, Any]]]:
    """The invoice as its XML says, with every typed-in value that disagrees refused."""
    try:
        parsed = einvoice.parse_digital_invoice(upload.data, max_bytes=limit)
    except einvoice.InvoiceXmlError as exc:
        checks.add(exc.code, "file", **exc.params)
        return InvoiceData(), []
    if parsed.total_amount <= 0 or parsed.amount_without_tax < 0 or parsed.tax_amount < 0:
        checks.add("PAYMENT_AMOUNT_INVALID", "file")  # a red-letter (negative) invoice is not a payment's basis
    read = InvoiceData(
        number=parsed.number,
        issued_on=parsed.issued_on,
        seller_name=parsed.seller_name,
        seller_tax_id=parsed.seller_tax_id,
        buyer_name=parsed.buyer_name,
        buyer_tax_id=parsed.buyer_tax_id,
        amount_without_tax=parsed.amount_without_tax,
        tax_amount=parsed.tax_amount,
        total_amount=parsed.total_amount,
    )
    for field in fields(InvoiceData):
        given, found = getattr(data, field.name), getattr(read, field.name)
        differs = given.strip() != str(found) if isinstance(given, str) else given != found
        if given is not None and given != "" and differs:
            checks.add("INVOICE_FIELD_DISAGREES", _camel(field.name), found=str(found) if found is not None else "—")
    items = [
        {
            "name": i.name,
            "spec": i.spec,
            "unit": i.unit,
            "quantity": None if i.quantity is None else str(i.quantity),
            "unit_price": None if i.unit_price is None else str(i.unit_price),
            "amount": str(i.amount),
            "tax_rate": str(i.tax_rate),
            "tax": str(i.tax),
        }
        for i in parsed.items
    ]
    return read, items


def _typed(checks: Checks, data: InvoiceData) -> tuple[InvoiceData, str]:
    """The typed-in invoice, each value required and well-formed; returns it and its kind."""
    number = (data.number or "").strip()
    code = (data.code or "").strip() or None
    kind = "legacy" if code else "digital"
    if not number:
        checks.add("REQUIRED", "number")
    elif kind == "digital" and not einvoice.is_digital_number(number):
        checks.add("INVOICE_NUMBER_INVALID", "number")
    elif kind == "legacy" and not (einvoice.is_legacy_code(code or "") and einvoice.is_legacy_number(number)):
        checks.add("INVOICE_NUMBER_INVALID", "code" if not einvoice.is_legacy_code(code or "") else "number")
    typed = InvoiceData(
        number=number,
        code=code,
        issued_on=data.issued_on,
        seller_name=checks.text("sellerName", data.seller_name, 200),
        seller_tax_id=checks.text("sellerTaxId", data.seller_tax_id, 20),
        buyer_name=checks.text("buyerName", data.buyer_name, 200),
        buyer_tax_id=checks.text("buyerTaxId", data.buyer_tax_id, 20),
    )
    if data.issued_on is None:
        checks.add("REQUIRED", "issuedOn")
    given = {"amountWithoutTax": data.amount_without_tax, "taxAmount": data.tax_amount, "totalAmount": data.total_amount}
    amounts: dict[str, Decimal | None] = {}
    for field, value in given.items():
        if value is None:
            checks.add("REQUIRED", field)
        amounts[field] = amount = decimal_field(checks, field, value, FEN)
        if amount is not None and (amount < 0 or (field == "totalAmount" and amount == 0)):
            checks.add("PAYMENT_AMOUNT_INVALID", field)
    net, tax, total = amounts.values()
    if net is not None and tax is not None and total is not None and total != net + tax:
        checks.add("INVOICE_TOTAL_MISMATCH", "totalAmount", total=f"{total:,.2f}", amount=f"{net:,.2f}", tax=f"{tax:,.2f}")
    typed.amount_without_tax, typed.tax_amount, typed.total_amount = net, tax, total
    return typed, kind


async def upload_invoice(
    uow: UnitOfWork, storage: Storage, request_id: int, upload: Upload, data: InvoiceData, key: str | None = None
) -> Invoice:
    """The contractor attaches an invoice to a pending request. Every check runs before
    anything is stored; a refused upload leaves no row and no file."""

    async def act() -> Invoice:
        request = await get_in_scope(uow, PaymentRequest, request_id)
        actor = uow.require_actor()
        if "contractor" not in actor.roles or actor.organisation_id != request.contractor_organisation_id:
            raise Forbidden("FORBIDDEN", operation=uow.operation)
        await contract_locked(uow, request.contract_id)  # one contract's invoices at a time
        await uow.session.refresh(request)
        if request.status != "pending":
            raise UserErrors(Problem("REQUEST_CLOSED_TO_INVOICES", None, {"status": Label("PaymentRequestStatus", request.status)}))
        checks = Checks()
        items: list[dict[str, Any]] = []
        media_type = "application/xml"
        filename = (upload.filename or "").replace("\\", "/").rsplit("/", 1)[-1].strip() or "invoice.xml"
        if looks_like_xml(upload.data):
            invoice_format, kind = "xml", "digital"
            values, items = _from_xml(checks, upload, data, uow.settings.invoice_xml_max_bytes)
            if len(filename) > 255:
                checks.add("INVALID_FILENAME", "file")
        else:
            filename, media = check_upload(checks, "file", upload, uow.settings.upload_max_bytes)
            if media is not None and media.mime not in INVOICE_MEDIA:
                checks.add("INVOICE_FILE_TYPE", "file")
            invoice_format = INVOICE_MEDIA.get(media.mime, "pdf") if media is not None else "pdf"
            media_type = media.mime if media is not None else "application/octet-stream"
            values, kind = _typed(checks, data)
        checks.raise_if_any()
        owner = await uow.session.get(Organisation, request.owner_organisation_id)
        contractor = await uow.session.get(Organisation, request.contractor_organisation_id)
        assert owner is not None and contractor is not None
        today = today_in_china(uow.now)
        if values.seller_tax_id != contractor.uscc:
            checks.add("INVOICE_SELLER_MISMATCH", "sellerTaxId", found=values.seller_tax_id, expected=contractor.uscc)
        if values.buyer_tax_id != owner.uscc:
            checks.add("INVOICE_BUYER_MISMATCH", "buyerTaxId", found=values.buyer_tax_id, expected=owner.uscc)
        assert values.issued_on is not None and values.total_amount is not None and values.number is not None
        if values.issued_on > today:
            checks.add("INVOICE_DATE_IN_FUTURE", "issuedOn")
        elif values.issued_on < request.triggered_on:
            checks.add(
                "INVOICE_BEFORE_TRIGGER", "issuedOn", issued=values.issued_on.isoformat(), triggered=request.triggered_on.isoformat()
            )
        identity = identity_of(kind, values.number, values.code)
        used = (await uow.session.execute(select(Invoice.id).where(Invoice.identity == identity))).first()
        if used is not None:
            shown = values.number if kind == "digital" else f"{values.code} {values.number}"
            checks.add("INVOICE_NUMBER_USED", "number", number=shown)
        so_far, _ = await invoiced(uow, request.id)
        if so_far + values.total_amount > request.amount:
            checks.add(
                "INVOICE_TOTAL_EXCEEDS",
                "totalAmount",
                total=f"{values.total_amount:,.2f}",
                invoiced=f"{so_far:,.2f}",
                amount=f"{request.amount:,.2f}",
            )
        checks.raise_if_any()
        storage_key, created = await storage.put(upload.data)
        if created:
            uow.on_rollback(lambda: storage.delete(storage_key))
        invoice = Invoice(
            identity=identity,
            request_id=request.id,
            contract_id=request.contract_id,
            region_code=request.region_code,
            kind=kind,
            format=invoice_format,
            number=values.number,
            code=values.code,
            issued_on=values.issued_on,
            seller_name=values.seller_name,
            seller_tax_id=values.seller_tax_id,
            buyer_name=values.buyer_name,
            buyer_tax_id=values.buyer_tax_id,
            amount_without_tax=values.amount_without_tax,
            tax_amount=values.tax_amount,
            total_amount=values.total_amount,
            items=json.dumps(items, ensure_ascii=False),
            storage_key=storage_key,
            sha256=storage_key,
            media_type=media_type,
            filename=filename,
            size=len(upload.data),
            status="verified" if invoice_format == "xml" else "uploaded",
            uploaded_by_id=actor.id,
            uploaded_at=uow.now,
            verified_at=uow.now if invoice_format == "xml" else None,
        )
        uow.session.add(invoice)
        await uow.session.flush()  # the unique identity: a concurrent upload of the same invoice fails here
        uow.audit(
            "Invoice",
            invoice.id,
            {
                "uploaded": identity,
                "request": request.code,
                "total": f"{invoice.total_amount}",
                "format": invoice_format,
                "sha256": storage_key,
            },
            region_code=invoice.region_code,
        )
        if invoice.status == "verified":
            _record(uow, "invoice.verified", invoice, request, await outbox.staff_of(uow, request.contractor_organisation_id, "contractor"))
        else:
            _record(
                uow,
                "invoice.uploaded",
                invoice,
                request,
                await outbox.users_with_role_covering(uow, "finance_officer", request.region_code),
            )
        return invoice

    inputs = {"request": request_id, "sha256": hashlib.sha256(upload.data).hexdigest(), **vars(data)}
    return await idempotency.once(uow, key, "uploadInvoice", inputs, act, lambda i: get_in_scope(uow, Invoice, i))


def _record(uow: UnitOfWork, event_type: str, invoice: Invoice, request: PaymentRequest, recipients: list[int], **extra) -> None:
    outbox.record(
        uow,
        event_type,
        "Invoice",
        invoice.id,
        {"request": request.code, "number": invoice.number, "total": f"{invoice.total_amount:,.2f}", **extra},
        recipients,
        organisation_ids=[request.owner_organisation_id, request.contractor_organisation_id],
        region_code=invoice.region_code,
    )


async def _checking(uow: UnitOfWork, invoice_id: int, action: str) -> tuple[Invoice, PaymentRequest]:
    """The invoice and its request, locked, if finance of the region may check it now."""
    invoice = await get_in_scope(uow, Invoice, invoice_id)
    request = await get_in_scope(uow, PaymentRequest, invoice.request_id)
    await contract_locked(uow, request.contract_id)
    await uow.session.refresh(request)
    await uow.session.refresh(invoice, with_for_update=True)
    if not may_pay(uow.require_actor(), request):
        raise Forbidden("FORBIDDEN", operation=uow.operation)
    INVOICE_LIFECYCLE.target(action, invoice.status)
    if request.status != "pending":
        raise UserErrors(Problem("REQUEST_CLOSED_TO_INVOICES", None, {"status": Label("PaymentRequestStatus", request.status)}))
    return invoice, request


async def verify_invoice(uow: UnitOfWork, invoice_id: int, key: str | None = None) -> Invoice:
    """Finance has checked a typed-in invoice against its file: verified, then archived."""

    async def act() -> Invoice:
        invoice, request = await _checking(uow, invoice_id, "verify")
        actor = uow.require_actor()
        invoice.status, invoice.verified_at, invoice.verified_by_name = "verified", uow.now, actor.display_name
        uow.audit("Invoice", invoice.id, {"status": {"before": "uploaded", "after": "verified"}}, region_code=invoice.region_code)
        _record(uow, "invoice.verified", invoice, request, await outbox.staff_of(uow, request.contractor_organisation_id, "contractor"))
        await uow.session.flush()
        return invoice

    return await idempotency.once(uow, key, "verifyInvoice", {"id": invoice_id}, act, lambda i: get_in_scope(uow, Invoice, i))


async def reject_invoice(uow: UnitOfWork, invoice_id: int, reason: str | None, key: str | None = None) -> Invoice:
    """Finance turns an invoice down (it does not match its file, say). It no longer counts
    towards the request; its number stays booked, so it cannot come back."""

    async def act() -> Invoice:
        checks = Checks()
        text = checks.text("reason", reason, 2000)
        checks.raise_if_any()
        invoice, request = await _checking(uow, invoice_id, "reject")
        before = invoice.status
        invoice.status, invoice.rejected_at, invoice.reject_reason = "rejected", uow.now, text
        uow.audit(
            "Invoice", invoice.id, {"status": {"before": before, "after": "rejected"}, "reason": text}, region_code=invoice.region_code
        )
        _record(
            uow,
            "invoice.rejected",
            invoice,
            request,
            await outbox.staff_of(uow, request.contractor_organisation_id, "contractor"),
            reason=text,
        )
        await uow.session.flush()
        return invoice

    return await idempotency.once(
        uow, key, "rejectInvoice", {"id": invoice_id, "reason": reason}, act, lambda i: get_in_scope(uow, Invoice, i)
    )


INVOICE_ACTIONS = {"verify": "verifyInvoice", "reject": "rejectInvoice"}


def invoice_actions(actor: Any, invoice: Any, request: Any) -> list[str]:
    if request is None or request.status != "pending" or not may_pay(actor, request):
        return []
    return [a for a in INVOICE_ACTIONS if INVOICE_LIFECYCLE.allows(a, invoice.status)]
