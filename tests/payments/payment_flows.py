"""What the payment tests share: a contract in force (through the progress flows, as its
parties take it), GraphQL documents, the requests of a contract, milestones taken to
acceptance, and invoices made and uploaded as the contractor would."""

from __future__ import annotations

import sys
import uuid
from datetime import date
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "progress"))  # the flows the payments follow

from factories import multipart
from progress_flows import MUTATE, clock_kept, in_force, move_to, noon, supervisor

from resolvers.core.clock import today_in_china
from tests.payments.einvoices import digital_invoice_xml, next_number

__all__ = ["clock_kept", "in_force", "move_to", "noon", "supervisor"]

ERRORS = "errors { code field message }"
REQUEST_FIELDS = """id code status origin trigger triggeredOn releaseOn amount step chain waitingFor
  paidAmount difference differenceReason payerAccount payeeAccount bankReference availableActions
  term { id sequence name status } payer { name uscc } payee { name uscc }
  approvals { step role decision actorName comment }
  invoices { id number status totalAmount archive { archiveNumber sha256 retentionYears } }
  ocds { id valueAmount currency payerId payeeId relatedMilestone date }"""
REQUESTS = "query($id: ID!) { paymentRequests(contractId: $id) { nodes { %s } } }" % REQUEST_FIELDS
PAYLOAD = "request { %s } %s" % (REQUEST_FIELDS, ERRORS)
RAISE = "mutation($input: RaisePaymentRequestInput!) { raisePaymentRequest(input: $input) { %s } }" % PAYLOAD
APPROVE = "mutation($input: ApprovePaymentRequestInput!) { approvePaymentRequest(input: $input) { %s } }" % PAYLOAD
REJECT = "mutation($input: RejectPaymentRequestInput!) { rejectPaymentRequest(input: $input) { %s } }" % PAYLOAD
CANCEL = "mutation($input: CancelPaymentRequestInput!) { cancelPaymentRequest(input: $input) { %s } }" % PAYLOAD
PAY = "mutation($input: RecordPaymentInput!) { recordPayment(input: $input) { %s } }" % PAYLOAD
INVOICE_FIELDS = "id kind format number code status totalAmount sellerTaxId buyerTaxId issuedOn items { name amount taxRate } availableActions downloadUrl"
UPLOAD = "mutation($input: UploadInvoiceInput!) { uploadInvoice(input: $input) { invoice { %s } %s } }" % (INVOICE_FIELDS, ERRORS)
VERIFY = "mutation($input: VerifyInvoiceInput!) { verifyInvoice(input: $input) { invoice { %s } %s } }" % (INVOICE_FIELDS, ERRORS)
REJECT_INVOICE = "mutation($input: RejectInvoiceInput!) { rejectInvoice(input: $input) { invoice { %s } %s } }" % (INVOICE_FIELDS, ERRORS)
FUNDS = "budget contractAmount requested approved paid retentionHeld outstanding"
CONTRACT_FUNDS = "query($id: ID!) { contractFunds(contractId: $id) { %s } }" % FUNDS
PROJECT_FUNDS = "query($id: ID!) { projectFunds(projectId: $id) { %s } }" % FUNDS
VERIFY_ARCHIVE = "query($id: ID) { verifyArchive(contractId: $id) { checked intact waiting findings { archiveNumber problem problemLabel expectedSha256 foundSha256 invoice { number } } } }"


def codes(payload: dict) -> list[tuple[str, str | None]]:
    return [(e["code"], e["field"]) for e in payload["errors"]]


async def requests_of(api, token: str, contract_id: str) -> list[dict]:
    """The contract's requests, oldest first."""
    return list(reversed((await api.ok(REQUESTS, {"id": contract_id}, token=token))["paymentRequests"]["nodes"]))


async def live_request(api, token: str, contract_id: str, sequence: int) -> dict:
    """The live (pending, approved or paid) request of the term with ``sequence``."""
    found = [
        r
        for r in await requests_of(api, token, contract_id)
        if r["term"]["sequence"] == sequence and r["status"] in ("PENDING", "APPROVED", "PAID")
    ]
    assert len(found) == 1, found
    return found[0]


async def act(api, document: str, name: str, token: str, **values) -> dict:
    """A payment mutation's payload (user errors in it, GraphQL errors raise)."""
    return (await api.ok(document, {"input": values}, token=token))[name]


def invoice_xml(request: dict, day: date, total: str | Decimal | None = None, **overrides) -> tuple[str, bytes]:
    """A 数电票 XML for ``request``: seller the contractor, buyer the owner, its amount."""
    number = overrides.pop("number", None) or next_number()
    values = {
        "number": number,
        "issued_on": day,
        "seller_name": request["payee"]["name"],
        "seller_tax_id": request["payee"]["uscc"],
        "buyer_name": request["payer"]["name"],
        "buyer_tax_id": request["payer"]["uscc"],
        "total": Decimal(total if total is not None else request["amount"]),
        **overrides,
    }
    return number, digital_invoice_xml(**values)


async def upload_xml(api, token: str, request_id: str, xml: bytes, key: str | None = None, **fields) -> dict:
    body = await multipart(
        api.client, token, UPLOAD, {"requestId": request_id, "idempotencyKey": key, **fields}, "发票.xml", xml, "application/xml"
    )
    assert not body.get("errors"), body
    return body["data"]["uploadInvoice"]


async def upload_pdf(api, token: str, request_id: str, pdf: bytes, **fields) -> dict:
    body = await multipart(api.client, token, UPLOAD, {"requestId": request_id, **fields}, "发票.pdf", pdf, "application/pdf")
    assert not body.get("errors"), body
    return body["data"]["uploadInvoice"]


async def accept(api, works, milestone: dict) -> dict:
    """The contractor starts and submits ``milestone``, the owner accepts it."""
    steps = (("Start", works.contractor, {}), ("Submit", works.contractor, {"note": "已完成，申请验收。"}), ("Accept", works.owner, {}))
    for action, token, fields in steps:
        name = action[0].lower() + action[1:]
        payload = (await api.ok(MUTATE % (action, name), {"input": {"id": milestone["id"], **fields}}, token=token))[f"{name}Milestone"]
        assert payload["errors"] == [], (action, payload)
    return payload


def today(state) -> date:
    return today_in_china(state.clock.now())


def key() -> str:
    return str(uuid.uuid4())
