"""A contract's content: what the parties sign, checked and serialised one way.

``ContractContent`` is the whole contract as data: parties, amount, works period, clauses,
milestones, payment terms with their amounts, and the attached documents' hashes.
``canonical`` turns it into the JSON object whose canonical serialisation
(``resolvers.core.audit.canonical_json``) is hashed with SHA-256 and signed; ``from_canonical``
reads one back (an amendment waits as such an object until it is signed).

The rules of the payment schedule live here as plain functions, without the database:
percentages add up to exactly 100, the advance and retention stay within their limits, a
milestone term names a milestone of the contract, and the amounts are whole fen adding up
to the contract amount exactly (``allocate``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from models.base import FEN
from models.contracts import CLAUSE_KINDS, TRIGGERS
from resolvers.core.money import decimal_field
from resolvers.core.validation import Checks

CONTENT_SCHEMA = "smallworks-contract-content/1"
HUNDRED = Decimal("100")
CENT = Decimal("0.01")
MAX_CLAUSES = 100
MAX_MILESTONES = 50
MAX_TERMS = 20
MAX_CLAUSE_TEXT = 20000
MILESTONE_CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,19}$")
# Structured fields per clause kind: (name, type, required).
CLAUSE_FIELDS: dict[str, tuple[tuple[str, str, bool], ...]] = {
    "warranty": (("defectLiabilityMonths", "months", True),),
    "penalty": (("dailyRatePercent", "percent", True), ("capPercent", "percent", True)),
    "acceptance": (("standard", "text", True), ("inspectionDays", "days", False)),
}


@dataclass(frozen=True)
class Party:
    role: str  # owner, contractor, supervisor
    organisation_id: int
    name: str
    credit_code: str


@dataclass(frozen=True)
class Clause:
    kind: str
    title: str
    text: str
    fields: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Milestone:
    code: str
    name: str
    planned_date: date
    share: Decimal


@dataclass(frozen=True)
class Term:
    name: str
    percentage: Decimal
    trigger: str
    milestone_code: str | None = None
    due_days: int | None = None
    amount: Decimal | None = None  # computed by ``allocate``


@dataclass(frozen=True)
class Document:
    name: str
    filename: str
    sha256: str
    size: int


@dataclass
class ContractContent:
    code: str
    number: str
    title: str
    project_code: str
    tender_code: str
    amount: Decimal
    award_value: Decimal
    amount_reason: str | None
    works_start: date
    works_end: date
    defect_liability_months: int
    parties: list[Party]
    clauses: list[Clause]
    milestones: list[Milestone]
    terms: list[Term]
    documents: list[Document] = field(default_factory=list)
    version: int = 1


# -- the payment schedule ----------------------------------------------------------------


def allocate(amount: Decimal, percentages: list[Decimal]) -> list[Decimal]:
    """Each percentage of ``amount`` in whole fen (half up), the last taking what remains,
    so the parts add up to ``amount`` exactly."""
    if not percentages:
        return []
    parts = [(amount * p / HUNDRED).quantize(FEN, rounding=ROUND_HALF_UP) for p in percentages[:-1]]
    return [*parts, amount - sum(parts, Decimal("0"))]


@dataclass(frozen=True)
class Limits:
    """The schedule's limits, from the settings."""

    advance_max_percent: Decimal
    retention_max_percent: Decimal


def percent(checks: Checks, field_name: str, value: Any, *, allow_zero: bool = False) -> Decimal | None:
    """A percentage with at most two decimals, above 0 (or at 0 if allowed) and at most 100."""
    number = decimal_field(checks, field_name, value, CENT, maximum=HUNDRED * 10)
    if number is None:
        if value is None:
            checks.add("REQUIRED", field_name)
        return None
    if number > HUNDRED or number < 0 or (number == 0 and not allow_zero):
        checks.add("PERCENT_OUT_OF_RANGE", field_name)
        return None
    return number


def check_milestones(checks: Checks, rows: list[Milestone], works_start: date | None, works_end: date | None) -> None:
    """One or more milestones, codes unique, dates within the works period, shares adding
    up to exactly 100."""
    if not rows:
        checks.add("MILESTONES_REQUIRED", "milestones")
        return
    if len(rows) > MAX_MILESTONES:
        checks.add("TOO_MANY_ENTRIES", "milestones", max=MAX_MILESTONES)
        return
    seen: set[str] = set()
    for i, m in enumerate(rows):
        where = f"milestones.{i}"
        if not MILESTONE_CODE_RE.match(m.code or ""):
            checks.add("INVALID_MILESTONE_CODE", f"{where}.code")
        elif m.code.upper() in seen:
            checks.add("DUPLICATE_MILESTONE", f"{where}.code", ref=m.code)
        seen.add((m.code or "").upper())
        checks.text(f"{where}.name", m.name, 200)
        if works_start and works_end and not works_start <= m.planned_date <= works_end:
            checks.add("MILESTONE_OUTSIDE_PERIOD", f"{where}.plannedDate", start=works_start.isoformat(), end=works_end.isoformat())
    shares = [m.share for m in rows if m.share is not None]
    if len(shares) == len(rows) and sum(shares, Decimal("0")) != HUNDRED:
        checks.add("SHARES_NOT_100", "milestones", total=f"{sum(shares, Decimal('0'))}")


def check_terms(checks: Checks, terms: list[Term], milestone_codes: set[str], limits: Limits) -> None:
    """Percentages adding up to exactly 100; the advance (terms paid on signing) within its
    limit; one retention term at most, within its limit; a milestone term naming a
    milestone of the contract, and no other term naming one."""
    if not terms:
        checks.add("TERMS_REQUIRED", "paymentTerms")
        return
    if len(terms) > MAX_TERMS:
        checks.add("TOO_MANY_ENTRIES", "paymentTerms", max=MAX_TERMS)
        return
    for i, t in enumerate(terms):
        where = f"paymentTerms.{i}"
        checks.text(f"{where}.name", t.name, 200)
        if t.trigger not in TRIGGERS:
            checks.add("INVALID_TRIGGER", f"{where}.trigger")
        elif t.trigger == "milestone":
            if not t.milestone_code:
                checks.add("MILESTONE_REQUIRED", f"{where}.milestoneCode")
            elif t.milestone_code.upper() not in milestone_codes:
                checks.add("UNKNOWN_MILESTONE", f"{where}.milestoneCode", ref=t.milestone_code)
        elif t.milestone_code:
            checks.add("MILESTONE_NOT_EXPECTED", f"{where}.milestoneCode")
        if t.due_days is not None and not 0 <= t.due_days <= 365:
            checks.add("DUE_DAYS_OUT_OF_RANGE", f"{where}.dueDays")
    percentages = [t.percentage for t in terms if t.percentage is not None]
    if len(percentages) != len(terms):
        return
    total = sum(percentages, Decimal("0"))
    if total != HUNDRED:
        checks.add("TERMS_NOT_100", "paymentTerms", total=f"{total}")
    advance = sum((t.percentage for t in terms if t.trigger == "signing"), Decimal("0"))
    if advance > limits.advance_max_percent:
        checks.add("ADVANCE_OVER_LIMIT", "paymentTerms", limit=f"{limits.advance_max_percent}", total=f"{advance}")
    retention = [t for t in terms if t.trigger == "retention"]
    if len(retention) > 1:
        checks.add("ONE_RETENTION_TERM", "paymentTerms")
    elif retention and retention[0].percentage > limits.retention_max_percent:
        checks.add("RETENTION_OVER_LIMIT", "paymentTerms", limit=f"{limits.retention_max_percent}", total=f"{retention[0].percentage}")


def check_clauses(checks: Checks, clauses: list[Clause]) -> list[Clause]:
    """Each clause's kind, title, text and the structured fields its kind needs (and no
    others). Returns the clauses with their fields normalised."""
    if len(clauses) > MAX_CLAUSES:
        checks.add("TOO_MANY_ENTRIES", "clauses", max=MAX_CLAUSES)
        return clauses
    result = []
    for i, c in enumerate(clauses):
        where = f"clauses.{i}"
        if c.kind not in CLAUSE_KINDS:
            checks.add("INVALID_CLAUSE_KIND", f"{where}.kind")
            continue
        title = checks.text(f"{where}.title", c.title, 200, required=False) or ""
        text = checks.text(f"{where}.text", c.text, MAX_CLAUSE_TEXT) or ""
        wanted = {name: (kind, required) for name, kind, required in CLAUSE_FIELDS.get(c.kind, ())}
        fields: dict[str, Any] = {}
        for name, value in c.fields.items():
            if value is None:
                continue
            if name not in wanted:
                checks.add("FIELD_NOT_FOR_CLAUSE", f"{where}.{name}")
                continue
            kind = wanted[name][0]
            if kind == "percent":
                number = percent(checks, f"{where}.{name}", value)
                fields[name] = None if number is None else f"{number}"
            elif kind in ("months", "days"):
                if not isinstance(value, int) or not 0 <= value <= (120 if kind == "months" else 365):
                    checks.add("NUMBER_OUT_OF_RANGE", f"{where}.{name}")
                fields[name] = value
            else:
                fields[name] = checks.text(f"{where}.{name}", value, 200)
        for name, (_, required) in wanted.items():
            if required and c.fields.get(name) is None:
                checks.add("REQUIRED", f"{where}.{name}")
        result.append(Clause(c.kind, title, text, fields))
    return result


def with_amounts(terms: list[Term], amount: Decimal) -> list[Term]:
    amounts = allocate(amount, [t.percentage for t in terms])
    return [
        Term(t.name, t.percentage, t.trigger, t.milestone_code.upper() if t.milestone_code else None, t.due_days, a)
        for t, a in zip(terms, amounts, strict=True)
    ]


# -- serialisation ---------------------------------------------------------------------------


def _money(value: Decimal) -> str:
    return f"{value.quantize(FEN)}"


def _pct(value: Decimal) -> str:
    return f"{value.quantize(CENT)}"


def canonical(content: ContractContent) -> dict[str, Any]:
    """The JSON object the parties sign. Amounts and percentages are strings with exactly
    two decimals and dates ISO 8601, so every reader (any language) hashes the same bytes."""
    return {
        "schema": CONTENT_SCHEMA,
        "code": content.code,
        "version": content.version,
        "number": content.number,
        "title": content.title,
        "project": content.project_code,
        "tender": content.tender_code,
        "currency": "CNY",
        "amount": _money(content.amount),
        "awardValue": _money(content.award_value),
        "amountReason": content.amount_reason,
        "worksPeriod": {"start": content.works_start.isoformat(), "end": content.works_end.isoformat()},
        "defectLiabilityMonths": content.defect_liability_months,
        "parties": [{"role": p.role, "name": p.name, "creditCode": p.credit_code} for p in content.parties],
        "clauses": [
            {"sequence": i, "kind": c.kind, "title": c.title, "text": c.text, "fields": c.fields}
            for i, c in enumerate(content.clauses, start=1)
        ],
        "milestones": [
            {"sequence": i, "code": m.code, "name": m.name, "plannedDate": m.planned_date.isoformat(), "share": _pct(m.share)}
            for i, m in enumerate(content.milestones, start=1)
        ],
        "paymentTerms": [
            {
                "sequence": i,
                "name": t.name,
                "percentage": _pct(t.percentage),
                "amount": _money(t.amount if t.amount is not None else Decimal("0")),
                "trigger": t.trigger,
                "milestone": t.milestone_code,
                "dueDays": t.due_days,
            }
            for i, t in enumerate(content.terms, start=1)
        ],
        "documents": [{"name": d.name, "filename": d.filename, "sha256": d.sha256, "size": d.size} for d in content.documents],
    }


def from_canonical(data: dict[str, Any], parties: list[Party]) -> ContractContent:
    """The content of a canonical object (an amendment waiting for its signatures). The
    parties' ids come from the contract; their names are as signed."""
    return ContractContent(
        code=data["code"],
        number=data["number"],
        title=data["title"],
        project_code=data["project"],
        tender_code=data["tender"],
        amount=Decimal(data["amount"]),
        award_value=Decimal(data["awardValue"]),
        amount_reason=data["amountReason"],
        works_start=date.fromisoformat(data["worksPeriod"]["start"]),
        works_end=date.fromisoformat(data["worksPeriod"]["end"]),
        defect_liability_months=data["defectLiabilityMonths"],
        parties=parties,
        clauses=[Clause(c["kind"], c["title"], c["text"], c["fields"]) for c in data["clauses"]],
        milestones=[Milestone(m["code"], m["name"], date.fromisoformat(m["plannedDate"]), Decimal(m["share"])) for m in data["milestones"]],
        terms=[
            Term(t["name"], Decimal(t["percentage"]), t["trigger"], t["milestone"], t["dueDays"], Decimal(t["amount"]))
            for t in data["paymentTerms"]
        ],
        documents=[Document(d["name"], d["filename"], d["sha256"], d["size"]) for d in data["documents"]],
        version=data["version"],
    )
