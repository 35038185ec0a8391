"""A contracting process as an OCDS 1.1.5 release: which fields each stage carries and how the
domains' values read in OCDS terms. Pure functions of rows already loaded
(``resolvers.supervision.ocds.load_process``), so each rule can be tested alone.

What is never published: a bid before its tender is opened (no bid, bidder or count appears
until then), people (names, phones, ID numbers: no contact points, no signers, no approvers),
bank accounts and bank references, the invitation list of a selective tender, internal notes
and reasons written for the file (review comments, disqualification reasons). Free texts the
owner wrote for the public (the notice, an amendment's summary) are published with any mobile
number, ID card number or bank account number in them masked. Documents are not linked: the
platform keeps no document that is public.

Every release lists every party it knows with all the roles the party has had in the process
so far. A party's ``roles`` is a plain list, merged whole, so a release that named a party with
fewer roles than an earlier one would take roles away in the compiled release.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from resolvers.accounts.ocds import SCHEME, party_id
from resolvers.contracts import ocds as contract_ocds
from resolvers.core.i18n import label
from resolvers.tendering import ocds as tender_ocds

CURRENCY = "CNY"
LANGUAGE = "zh"

# Which parts of the process a release of each tag carries (besides parties and buyer).
SECTIONS: dict[str, tuple[str, ...]] = {
    "planning": ("planning",),
    "tender": ("tender", "bids"),
    "tenderUpdate": ("tender", "bids"),
    "award": ("tender", "bids", "awards"),
    "contract": ("awards", "contracts"),
    "implementation": ("contracts",),
}

# bidStatus.csv of the bids extension (v1.1.5), by bid status after opening.
BID_STATUS = {"opened": "pending", "qualified": "valid", "won": "valid", "lost": "valid", "disqualified": "disqualified"}
# Bids that passed evaluation.
VALID_BIDS = ("qualified", "won", "lost")


@dataclass
class Process:
    """What a release is made from: one project and, as far as the process has gone, its
    tender (the one the event concerns), the tender's opened bids and their bidders, and the
    contract awarded by it with its milestones, amendments in force and payments made."""

    project: Any
    owner: Any  # Organisation
    line_items: Sequence[Any] = ()
    tender: Any | None = None
    tender_amendments: Sequence[Any] = ()
    bids: Sequence[Any] = ()  # opened bids only: none before the opening
    bidders: dict[int, Any] = field(default_factory=dict)  # organisation id -> Organisation
    contract: Any | None = None
    contractor: Any | None = None
    milestones: Sequence[Any] = ()
    contract_amendments: Sequence[Any] = ()  # amendment versions in force
    payments: Sequence[Any] = ()  # paid requests


# -- values ------------------------------------------------------------------------------------


def number(amount: Decimal) -> int | float:
    """An exact amount as a JSON number: whole yuan as an integer, fen as the shortest
    decimal that reads back as the same value (two places at most)."""
    return int(amount) if amount == amount.to_integral_value() else float(amount)


def money(amount: Decimal) -> dict[str, Any]:
    return {"amount": number(amount), "currency": CURRENCY}


def instant(moment: datetime) -> str:
    """A point in time, UTC, to the second."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def release_date(moment: datetime) -> str:
    """A release's ``date``, to the microsecond, in one fixed format: releases are ordered
    by this string when they are merged."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def day_start(day: date) -> str:
    """The start of a calendar day in China (a works period's start)."""
    return f"{day.isoformat()}T00:00:00+08:00"


def day_end(day: date) -> str:
    """The end of a calendar day in China (a period's end, a due date)."""
    return f"{day.isoformat()}T23:59:59+08:00"


# A resident ID card number (18 characters), a mainland mobile number, or a run of 12 to 19
# digits (a bank account), standing alone.
_PERSONAL_NUMBER = re.compile(r"(?<![0-9A-Za-z])(?:\d{17}[0-9Xx]|1[3-9]\d{9}|\d{12,19})(?![0-9A-Za-z])")
MASK = "＊＊＊"


def public_text(text: str) -> str:
    """A free text as published: numbers that identify a person or an account masked."""
    return _PERSONAL_NUMBER.sub(MASK, text)


def dumps(release: dict[str, Any]) -> str:
    """A release's JSON text as published (and hashed): keys sorted, no spaces, UTF-8 text."""
    return json.dumps(release, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False)


# -- parties -----------------------------------------------------------------------------------


def reference(organisation: Any) -> dict[str, str]:
    return {"id": party_id(organisation.uscc), "name": organisation.name}


def organization(organisation: Any, roles: Iterable[str]) -> dict[str, Any]:
    return {
        **reference(organisation),
        "identifier": {"scheme": SCHEME, "id": organisation.uscc, "legalName": organisation.name},
        "roles": sorted(set(roles)),
    }


def parties(process: Process) -> list[dict[str, Any]]:
    """Every organisation the process has named so far, with every role it has had."""
    roles: dict[int, set[str]] = {process.owner.id: {"buyer"}}
    known = {process.owner.id: process.owner}
    if process.tender is not None:
        roles[process.owner.id].add("procuringEntity")
    for bid in process.bids:
        bidder = process.bidders[bid.organisation_id]
        known[bidder.id] = bidder
        roles.setdefault(bidder.id, set()).add("tenderer")
        if bid.status == "won":
            roles[bidder.id].add("supplier")
    if process.contractor is not None:
        known[process.contractor.id] = process.contractor
        roles.setdefault(process.contractor.id, set()).add("supplier")
        if process.payments:
            roles[process.owner.id].add("payer")
            roles[process.contractor.id].add("payee")
    return [organization(known[oid], roles[oid]) for oid in sorted(known, key=lambda oid: party_id(known[oid].uscc))]


# -- sections ----------------------------------------------------------------------------------


def planning(process: Process) -> dict[str, Any]:
    project = process.project
    budget: dict[str, Any] = {
        "id": project.code,
        "amount": money(project.budget_amount),
        "project": project.title,
        "projectID": project.code,
    }
    if project.funding_source:
        budget["description"] = project.funding_source
    return {"budget": budget}


def _award_criteria_details(criteria_json: str) -> str | None:
    criteria = json.loads(criteria_json or "[]")
    if not criteria:
        return None
    return "；".join(f"{c['name']} {Decimal(c['weight']).normalize():f}%" for c in criteria)


def _eligibility(tender: Any) -> str | None:
    if not tender.required_qualification_kind:
        return None
    kind = label("QualificationKind", tender.required_qualification_kind)
    grade = label("QualificationGrade", tender.required_qualification_grade) if tender.required_qualification_grade else ""
    return f"须具备{kind}{grade}及以上资质。" if grade else f"须具备{kind}资质。"


def bid_id(tender: Any, bid: Any) -> str:
    return f"{tender.code}-bid-{bid.id}"


def tender(process: Process) -> dict[str, Any]:
    row = process.tender
    assert row is not None
    section: dict[str, Any] = {
        "id": row.code,
        "title": row.title,
        "status": tender_ocds.TENDER_STATUS[row.status],
        "procuringEntity": reference(process.owner),
        "value": money(row.ceiling_price),
        "procurementMethod": tender_ocds.METHOD[row.method],
        "procurementMethodDetails": tender_ocds.METHOD_DETAILS[row.method],
        "mainProcurementCategory": tender_ocds.main_procurement_category(process.project.category),
        "awardCriteria": tender_ocds.award_criteria(row.method),
        "submissionMethod": ["electronicSubmission"],
        "submissionMethodDetails": "通过本平台提交加密投标文件，开标前任何人不能解密。",
        "tenderPeriod": {"endDate": instant(row.bid_deadline)},
        "enquiryPeriod": {"endDate": instant(row.clarification_deadline)},
    }
    if row.published_at is not None:
        section["tenderPeriod"]["startDate"] = section["enquiryPeriod"]["startDate"] = instant(row.published_at)
    project = process.project
    if project.planned_start is not None and project.planned_end is not None:
        section["contractPeriod"] = {"startDate": day_start(project.planned_start), "endDate": day_end(project.planned_end)}
    if row.notice_text:
        section["description"] = public_text(row.notice_text)
    details = _award_criteria_details(row.criteria)
    if details:
        section["awardCriteriaDetails"] = details
    eligibility = _eligibility(row)
    if eligibility:
        section["eligibilityCriteria"] = eligibility
    if process.line_items:
        section["items"] = [
            {"id": str(item.position), "description": item.name, "quantity": number(item.quantity), "unit": {"name": item.unit}}
            for item in process.line_items
        ]
    if process.tender_amendments:
        section["amendments"] = [
            {"id": f"{row.code}-amendment-{a.number}", "date": instant(a.created_at), "rationale": public_text(a.summary)}
            for a in process.tender_amendments
        ]
    if row.opened_at is not None:
        section["numberOfTenderers"] = len(process.bids)
        section["tenderers"] = [reference(process.bidders[b.organisation_id]) for b in process.bids]
    return section


def bids(process: Process) -> dict[str, Any] | None:
    """The bids extension's ``bids``: each opened bid with its bidder, price and status, and
    the counts; nothing at all before the opening."""
    row = process.tender
    if row is None or row.opened_at is None or not process.bids:
        return None
    details = []
    for bid in process.bids:
        detail: dict[str, Any] = {
            "id": bid_id(row, bid),
            "status": BID_STATUS[bid.status],
            "tenderers": [reference(process.bidders[bid.organisation_id])],
        }
        if bid.submitted_at is not None:
            detail["date"] = instant(bid.submitted_at)
        if bid.opened_price is not None:
            detail["value"] = money(bid.opened_price)
        details.append(detail)
    statistics: list[dict[str, Any]] = [{"id": "bids", "measure": "bids", "value": len(process.bids), "date": instant(row.opened_at)}]
    if any(b.status in VALID_BIDS or b.status == "disqualified" for b in process.bids) and row.evaluated_at is not None:
        valid = [b for b in process.bids if b.status in VALID_BIDS]
        statistics.append({"id": "validBids", "measure": "validBids", "value": len(valid), "date": instant(row.evaluated_at)})
        prices = [b.opened_price for b in valid if b.opened_price is not None]
        if prices:
            for measure, price in (("lowestValidBidValue", min(prices)), ("highestValidBidValue", max(prices))):
                statistics.append(
                    {"id": measure, "measure": measure, "value": number(price), "currency": CURRENCY, "date": instant(row.evaluated_at)}
                )
    return {"statistics": statistics, "details": details}


def awards(process: Process) -> list[dict[str, Any]] | None:
    row = process.tender
    if row is None or row.status != "awarded":
        return None
    award: dict[str, Any] = {"id": tender_ocds.award_id(row.code), "title": row.title, "status": tender_ocds.award_status(row.status)}
    if row.awarded_at is not None:
        award["date"] = instant(row.awarded_at)
    if row.award_value is not None:
        award["value"] = money(row.award_value)
    winner = next((b for b in process.bids if b.status == "won"), None)
    if winner is not None:
        award["suppliers"] = [reference(process.bidders[winner.organisation_id])]
        award["relatedBid"] = bid_id(row, winner)
    return [award]


def contracts(process: Process) -> list[dict[str, Any]] | None:
    row = process.contract
    if row is None or process.tender is None:
        return None
    code = row.code
    section: dict[str, Any] = {
        "id": code,
        "awardID": tender_ocds.award_id(process.tender.code),
        "title": row.title,
        "status": contract_ocds.contract_status(row.status, row.signed_at),
        "period": {"startDate": day_start(row.works_start), "endDate": day_end(row.works_end)},
        "value": money(row.amount),
    }
    if row.signed_at is not None:
        section["dateSigned"] = instant(row.signed_at)
    if process.contract_amendments:
        section["amendments"] = [
            {"id": contract_ocds.amendment_id(code, v.number), "date": instant(v.activated_at), "rationale": public_text(v.reason or "")}
            for v in process.contract_amendments
        ]
    implementation: dict[str, Any] = {}
    if process.milestones:
        implementation["milestones"] = [_milestone(code, m) for m in process.milestones]
    if process.payments:
        assert process.contractor is not None
        implementation["transactions"] = [
            {
                "id": p.code,
                "date": day_start(p.paid_on),
                "value": money(p.paid_amount),
                "payer": reference(process.owner),
                "payee": reference(process.contractor),
            }
            for p in process.payments
        ]
    if implementation:
        section["implementation"] = implementation
    return [section]


def _milestone(contract_code: str, milestone: Any) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": contract_ocds.milestone_id(contract_code, milestone.code),
        "title": milestone.name,
        "type": "delivery",
        "dueDate": day_end(milestone.planned_date),
        "status": contract_ocds.milestone_status(milestone.status),
    }
    if milestone.status == "accepted" and milestone.accepted_at is not None:
        out["dateMet"] = instant(milestone.accepted_at)
    return out


# -- the release -------------------------------------------------------------------------------


def release(process: Process, *, tag: str, ocid: str, release_id: str, date: datetime) -> dict[str, Any]:
    """The release of ``tag`` for the process as it stands."""
    out: dict[str, Any] = {
        "ocid": ocid,
        "id": release_id,
        "date": release_date(date),
        "tag": [tag],
        "initiationType": "tender",
        "language": LANGUAGE,
        "parties": parties(process),
        "buyer": reference(process.owner),
    }
    for section in SECTIONS[tag]:
        if section == "planning":
            out["planning"] = planning(process)
        elif section == "tender" and process.tender is not None:
            out["tender"] = tender(process)
        elif section == "bids":
            value = bids(process)
            if value is not None:
                out["bids"] = value
        elif section == "awards":
            found = awards(process)
            if found:
                out["awards"] = found
        elif section == "contracts":
            found = contracts(process)
            if found:
                out["contracts"] = found
    return out
