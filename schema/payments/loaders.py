"""DataLoaders of the payments domain."""

from __future__ import annotations

from typing import Any

from models.payments import Invoice, InvoiceArchive, PaymentApproval, PaymentRequest, PaymentRequestStatusChange
from resolvers.payments import funds
from schema.core import loaders
from schema.core.loaders import KEYS, Batch, keys_in

loaders.by_id("payment_request", PaymentRequest)
loaders.by_id("invoice", Invoice)
loaders.children("approvals_of_request", PaymentApproval, PaymentApproval.request_id, PaymentApproval.step)
loaders.children(
    "history_of_request",
    PaymentRequestStatusChange,
    PaymentRequestStatusChange.request_id,
    PaymentRequestStatusChange.occurred_at,
    PaymentRequestStatusChange.id,
)
# An invoice has at most one archive record (unique); a list of none or one.
loaders.children("archive_of_invoice", InvoiceArchive, InvoiceArchive.invoice_id, InvoiceArchive.id)
loaders.children("invoices_of_request", Invoice, Invoice.request_id, Invoice.uploaded_at.desc(), Invoice.id.desc())


def _funds(statement) -> Any:
    """A loader of one figures row per key, by ``statement(actor, which)``."""

    def factory(ctx: Any) -> Batch:
        async def batch(ids: list[Any]) -> list[Any]:
            actor = await ctx.actor()
            if actor is None:
                return [None] * len(ids)
            stmt = statement(actor, lambda column: keys_in(ctx.db.dialect, column))
            found = {row.id: row for row in await ctx.reads.all(stmt, {KEYS: [int(i) for i in ids]})}
            return [found.get(int(i)) for i in ids]

        return batch

    return factory


loaders.register("funds_of_contract", _funds(funds.contract_funds))
loaders.register("funds_of_project", _funds(funds.project_funds))
