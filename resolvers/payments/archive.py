"""Invoice archiving (发票归档): a verified invoice's original file is copied into archive
storage under a path made of its SHA-256, and an archive record (archive number, SHA-256,
metadata, retention period) is written; ``verify_archive`` re-hashes the archived files.

The job is idempotent and survives being cut off anywhere:
- the file is written to a temporary name of its own and renamed into place, so the archive
  path holds either nothing or the whole file; a leftover temporary file is swept away by the
  next run;
- an archived file is never rewritten: a run that finds the file in place with the right
  hash keeps it;
- the record and the invoice's move to ``archived`` are one transaction, and the record is
  unique per invoice: a second run, or two at once, leave one record.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import secrets
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from models.contracts import Contract
from models.payments import Invoice, InvoiceArchive, PaymentRequest
from policies.scope import scope_for
from resolvers.core.audit import canonical_json
from resolvers.core.clock import today_in_china
from resolvers.core.context import SYSTEM_ACTOR, RequestMeta
from resolvers.core.jobs import background_job
from resolvers.core.outbox import reacts_to
from resolvers.core.transaction import unit_of_work

EXTENSIONS = {"xml": "xml", "pdf": "pdf", "ofd": "ofd"}


def archive_path(sha256: str, invoice_format: str) -> str:
    """``ab/cd/abcd….pdf``: where an archived file lives, relative to the archive root."""
    return f"{sha256[:2]}/{sha256[2:4]}/{sha256}.{EXTENSIONS[invoice_format]}"


def archive_number(invoice: Invoice) -> str:
    """``FP-<year of issue>-<invoice id>``: the same invoice always gets the same number."""
    return f"FP-{invoice.issued_on.year}-{invoice.id:010d}"


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def write_once(target: Path, data: bytes, sha256: str) -> bool:
    """Put ``data`` at ``target`` unless the right content is there already; returns whether
    it wrote. Temporary files an earlier, interrupted run left beside it are removed."""
    target.parent.mkdir(parents=True, exist_ok=True)
    for leftover in target.parent.glob(f".{target.name}.*.tmp"):
        leftover.unlink(missing_ok=True)
    if target.exists() and _sha256_of(target) == sha256:
        return False
    tmp = target.with_name(f".{target.name}.{secrets.token_hex(8)}.tmp")
    try:
        with open(tmp, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return True


def retain_until(archived_on: date, years: int) -> date:
    """Accounting archives are kept for whole years counted from the end of the year filed."""
    return date(archived_on.year + years, 12, 31)


def metadata(invoice: Invoice, request: PaymentRequest, contract: Contract) -> dict[str, Any]:
    return {
        "invoice": {
            "kind": invoice.kind,
            "format": invoice.format,
            "number": invoice.number,
            "code": invoice.code,
            "issued_on": invoice.issued_on.isoformat(),
            "seller": {"name": invoice.seller_name, "tax_id": invoice.seller_tax_id},
            "buyer": {"name": invoice.buyer_name, "tax_id": invoice.buyer_tax_id},
            "amount_without_tax": f"{invoice.amount_without_tax}",
            "tax_amount": f"{invoice.tax_amount}",
            "total_amount": f"{invoice.total_amount}",
            "filename": invoice.filename,
            "media_type": invoice.media_type,
        },
        "payment_request": request.code,
        "contract": {"code": contract.code, "number": contract.number},
        "region_code": invoice.region_code,
    }


@background_job
async def archive_invoice(state: Any, invoice_id: int) -> str:
    """Archive one verified invoice; a no-op for one archived (or not archivable) already."""
    async with state.db.read() as session:
        invoice = await session.get(Invoice, invoice_id)
        if invoice is None or invoice.status not in ("verified", "archived"):
            return "not archivable"
        if invoice.status == "archived":
            return "archived already"
        storage_key, sha256, invoice_format = invoice.storage_key, invoice.sha256, invoice.format
    data = await state.storage.get(storage_key)
    if hashlib.sha256(data).hexdigest() != sha256:
        raise RuntimeError(f"invoice {invoice_id}: the stored file no longer matches its SHA-256")
    relative = archive_path(sha256, invoice_format)
    await asyncio.to_thread(write_once, Path(state.settings.archive_dir) / relative, data, sha256)
    meta = RequestMeta(request_id=f"archive-invoice-{invoice_id}")
    async with unit_of_work(state, "job.archive_invoice", SYSTEM_ACTOR, meta) as uow:
        invoice = (await uow.session.execute(select(Invoice).where(Invoice.id == invoice_id).with_for_update())).scalar_one()
        if invoice.status != "verified":
            return "archived already" if invoice.status == "archived" else "not archivable"
        request = await uow.session.get(PaymentRequest, invoice.request_id)
        contract = await uow.session.get(Contract, invoice.contract_id)
        assert request is not None and contract is not None
        today = today_in_china(uow.now)
        record = InvoiceArchive(
            invoice_id=invoice.id,
            contract_id=invoice.contract_id,
            archive_number=archive_number(invoice),
            sha256=sha256,
            path=relative,
            size=len(data),
            media_type=invoice.media_type,
            meta=canonical_json(metadata(invoice, request, contract)),
            retention_years=uow.settings.invoice_retention_years,
            retain_until=retain_until(today, uow.settings.invoice_retention_years),
            archived_at=uow.now,
        )
        uow.session.add(record)
        invoice.status, invoice.archived_at = "archived", uow.now
        await uow.session.flush()
        uow.audit(
            "Invoice",
            invoice.id,
            {"status": {"before": "verified", "after": "archived"}, "archive_number": record.archive_number, "sha256": sha256},
            region_code=invoice.region_code,
        )
    return f"archived as {record.archive_number}"


@reacts_to("invoice.verified")
async def queue_archiving(state: Any, subject_id: str, payload: dict[str, Any]) -> None:
    await state.dispatcher.enqueue_job("archive_invoice", int(subject_id), job_id=f"archive-invoice-{subject_id}")


# -- verifying ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ArchiveFinding:
    archive_number: str
    invoice_id: int
    problem: str  # "changed" or "missing"
    expected_sha256: str
    found_sha256: str | None


@dataclass(frozen=True)
class ArchiveReport:
    checked: int
    intact: int
    findings: list[ArchiveFinding]
    # Verified invoices not archived yet (the job has not run, or failed).
    waiting: int


def _check_file(root: Path, record: Any) -> ArchiveFinding | None:
    path = root / record.path
    if not path.is_file():
        return ArchiveFinding(record.archive_number, record.invoice_id, "missing", record.sha256, None)
    found = _sha256_of(path)
    if found != record.sha256:
        return ArchiveFinding(record.archive_number, record.invoice_id, "changed", record.sha256, found)
    return None


async def verify_archive(reads: Any, archive_dir: Path, actor: Any, contract_id: int | None = None) -> ArchiveReport:
    """Re-hash every archived file the actor may see (of one contract, if given) against its
    record. ``reads.all(stmt)`` runs a read statement (the request's read connection)."""
    stmt = select(InvoiceArchive.archive_number, InvoiceArchive.invoice_id, InvoiceArchive.path, InvoiceArchive.sha256).where(
        scope_for(InvoiceArchive)(actor)
    )
    waiting = select(func.count(Invoice.id)).where(Invoice.status == "verified", scope_for(Invoice)(actor))
    if contract_id is not None:
        stmt = stmt.where(InvoiceArchive.contract_id == contract_id)
        waiting = waiting.where(Invoice.contract_id == contract_id)
    records = await reads.all(stmt.order_by(InvoiceArchive.id))
    ((pending,),) = await reads.all(waiting)
    root = Path(archive_dir)
    findings = [f for f in await asyncio.to_thread(lambda: [_check_file(root, r) for r in records]) if f is not None]
    return ArchiveReport(checked=len(records), intact=len(records) - len(findings), findings=findings, waiting=pending)
