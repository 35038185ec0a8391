"""Red flags (风险预警): what each rule looks at, decided from plain values.

The rules follow the Open Contracting Partnership's Cardinal indicators
(https://cardinal.readthedocs.io), adapted to this system's data:

- **R003 short submission period**: whole days from the tender's publication to its bid
  deadline (``scoring.signals``' ``response_days``) below ``red_flag_submission_days``.
- **R018 single bid**: one tenderer submitted a bid, and the round went ahead (a round that
  failed for too few bids is not flagged: the minimum-suppliers rule already stopped it).
- **R024 price close to winning bid**: the difference (second-lowest valid bid − winning bid)
  ÷ winning bid is at or below the lower fence Q1 − k×IQR of the differences of the same
  region and year. The winner and the second-lowest bidder are concerned.
- **R025 excessive unsuccessful bids**: a top tenderer (valid bids at least the 75th
  percentile of the region and year) whose ratio of wins to valid bids is at or below the
  lower fence of those ratios.
- **R028 identical bid prices**: two or more tenderers opened the same price.
- **R030 late bid won**: the winning bid (or final quote) was received after its deadline.
- **R035 all except winning bid disqualified**: the winner is the only tenderer with a valid
  bid, and at least ``red_flag_other_disqualified`` others were disqualified.
- **R036 lowest bid disqualified**: price is the only criterion (rfq, competitive
  negotiation, or a simple tender weighted on price alone), and a disqualified bid is lower
  than every valid one.
- **R038 excessive disqualified bids**: a buyer's (or tenderer's) ratio of disqualified to
  submitted bids is at or above the upper fence Q3 + k×IQR of the region and year.
- **R058 heavily discounted bid**: the difference of R024 is at or above the upper fence.

and two of our own:

- **SW01** a payment made before the milestone it pays for (or the final acceptance) was
  accepted: by the time recorded, or by the day paid. The system refuses such a request, so
  this must stay at zero; it checks the system itself (and data brought in from elsewhere).
- **SW02** on days a contract's daily log records work (a crew on site), every check-in of
  the contractor's people was further than ``red_flag_check_in_distance_m`` from the site.

Award-dependent rules (R024, R025, R030, R035, R036, R058) look at processes whose winner is
known: evaluated, in award publicity or awarded. The publicity is when an objection can
still change the outcome, so a flag raised then is still of use.

Outlier fences follow Cardinal: quartiles with linear interpolation between closest ranks
(PostgreSQL's ``percentile_cont``, Excel's ``QUARTILE.INC``), a multiplier
``red_flag_fence_multiplier`` (1.5), and nothing flagged when the fence is meaningless (a lower
fence at or below zero, or a first quartile of zero; an upper fence of zero). A group smaller
than ``red_flag_outlier_minimum_group`` is not measured; a fixed threshold in the settings
replaces the computed fence. Ratios are exact to 10⁻⁶ (floored), quartiles exact from them.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from resolvers.core.clock import SHANGHAI, china_time
from resolvers.core.i18n import Label, Text, localised, translate
from resolvers.tendering import scoring

GAP_CODES = ("R024", "R058")  # outliers of the second-price difference

# A tender whose winner is known (the committee's recommendation, then the award).
DECIDED_STATUSES = ("evaluated", "publicity", "awarded")
# A tender whose bids are open (prices in clear).
OPENED_STATUSES = ("opened", *DECIDED_STATUSES)
# Bids that passed evaluation (the winner and those that lost to it).
VALID_BID_STATUSES = ("qualified", "won", "lost")
PPM = Decimal(1_000_000)
SHOWN = Decimal("0.000001")


def year_of(moment: datetime) -> int:
    """The calendar year in China of a point in time."""
    return moment.astimezone(SHANGHAI).year


def year_window(year: int) -> tuple[datetime, datetime]:
    """The UTC instants where a Chinese calendar year begins and the next begins."""
    return datetime(year, 1, 1, tzinfo=SHANGHAI), datetime(year + 1, 1, 1, tzinfo=SHANGHAI)


@dataclass
class Found:
    """A flag as a rule found it (the stored ``RedFlag`` is settled from it)."""

    code: str
    level: str
    subject: str
    year: int
    region_code: str
    numbers: dict[str, Any]
    tender_id: int | None = None
    contract_id: int | None = None
    project_id: int | None = None
    buyer_id: int | None = None
    supplier_id: int | None = None
    suppliers: tuple[int, ...] = ()
    # What people call the subject (a tender's or contract's code, an organisation's name),
    # for the notification; not stored.
    title: str = ""

    @property
    def key(self) -> tuple[str, str, int]:
        return self.code, self.subject, self.year

    @property
    def numbers_json(self) -> str:
        return json.dumps(self.numbers, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


# -- formatting -------------------------------------------------------------------------------


def money(amount: Decimal) -> str:
    return f"{amount:,.2f}"


def ratio_text(value: Decimal) -> str:
    """A ratio as it is stored among a flag's numbers: six decimals."""
    return str(value.quantize(SHOWN, rounding=ROUND_HALF_UP))


def percent(value: str | Decimal) -> str:
    """A ratio as people read it: ``0.012345`` → ``1.23%``."""
    return f"{(Decimal(value) * 100).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)}%"


def from_ppm(value: Any) -> Decimal:
    """A ratio floored to millionths in SQL, as an exact decimal."""
    return Decimal(int(value)) / PPM


# -- fences -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fence:
    """Where a group's outliers begin: computed from its quartiles, or set in the settings."""

    value: Decimal
    q1: Decimal | None = None
    q3: Decimal | None = None
    count: int = 0
    multiplier: Decimal | None = None

    @property
    def fixed(self) -> bool:
        return self.q1 is None

    def numbers(self) -> dict[str, Any]:
        if self.fixed:
            return {"fence": ratio_text(self.value), "fixed": True}
        assert self.q1 is not None and self.q3 is not None
        return {
            "fence": ratio_text(self.value),
            "q1": ratio_text(self.q1),
            "q3": ratio_text(self.q3),
            "count": self.count,
            "multiplier": str(self.multiplier),
        }


def lower_fence(q1: Decimal, q3: Decimal, count: int, multiplier: Decimal) -> Fence | None:
    """Q1 − k×IQR, or None when it cannot single anything out (Cardinal: Q1 or the fence at
    or below zero, when most of the group is at zero already)."""
    value = q1 - multiplier * (q3 - q1)
    return Fence(value, q1, q3, count, multiplier) if q1 > 0 and value > 0 else None


def upper_fence(q1: Decimal, q3: Decimal, count: int, multiplier: Decimal) -> Fence | None:
    """Q3 + k×IQR, or None when it is zero (three quarters of the group at zero)."""
    value = q3 + multiplier * (q3 - q1)
    return Fence(value, q1, q3, count, multiplier) if value > 0 else None


@dataclass(frozen=True)
class Measured:
    """One member of a group (a process, a buyer, a tenderer) with its value and its group's
    quartiles as SQL computed them (``resolvers.supervision.flags.with_percentiles``)."""

    group: str
    key: int
    value: Decimal
    count: int
    q1: Decimal
    q3: Decimal
    row: Any = None


def outliers(members: Iterable[Measured], *, low: bool, fixed: Decimal | None, settings: Any) -> list[tuple[Measured, Fence]]:
    """The members at or beyond their group's fence (below the lower one when ``low``)."""
    found = []
    for m in members:
        if fixed is not None:
            fence: Fence | None = Fence(fixed)
        elif m.count < settings.red_flag_outlier_minimum_group:
            fence = None
        elif low:
            fence = lower_fence(m.q1, m.q3, m.count, settings.red_flag_fence_multiplier)
        else:
            fence = upper_fence(m.q1, m.q3, m.count, settings.red_flag_fence_multiplier)
        if fence is not None and (m.value <= fence.value if low else m.value >= fence.value):
            found.append((m, fence))
    return found


# -- one process ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProcessBid:
    id: int
    organisation_id: int
    status: str
    price: Decimal | None
    submitted_at: datetime | None
    final_submitted_at: datetime | None = None


@dataclass(frozen=True)
class Process:
    """A tender and its opened bids."""

    tender_id: int
    region_code: str
    project_id: int
    buyer_id: int
    method: str
    status: str
    criteria: str
    ceiling: Decimal
    published_at: datetime | None
    bid_deadline: datetime
    final_quote_deadline: datetime | None
    recommended_bid_id: int | None
    bids: tuple[ProcessBid, ...] = ()


def price_only(process: Process) -> bool:
    """Whether price alone decides: the lowest-price methods, or a simple tender whose every
    criterion is price."""
    if process.method in scoring.LOWEST_PRICE_METHODS:
        return True
    try:
        criteria = json.loads(process.criteria or "[]")
    except ValueError:
        return False
    return bool(criteria) and all(c.get("kind") == "price" for c in criteria)


def process_flags(process: Process, names: dict[int, str], settings: Any) -> list[Found]:
    """The flags one process raises by itself: R003, R018, R028, R030, R035, R036."""
    if process.published_at is None or process.status in ("draft", "cancelled"):
        return []
    bids = process.bids
    priced = [b for b in bids if b.price is not None and b.price > 0 and b.submitted_at is not None]
    winner = next((b for b in bids if b.id == process.recommended_bid_id), None) if process.status in DECIDED_STATUSES else None
    signals = scoring.signals(
        bids=[
            scoring.BidInput(bid_id=b.id, price=b.price, submitted_at=b.submitted_at, qualified=b.status != "disqualified")  # type: ignore[arg-type]
            for b in priced
        ],
        winner_price=winner.price if winner is not None else None,
        ceiling=process.ceiling,
        published_at=process.published_at,
        deadline=process.bid_deadline,
    )
    common: dict[str, Any] = {
        "level": "process",
        "subject": f"tender:{process.tender_id}",
        "year": year_of(process.published_at),
        "region_code": process.region_code,
        "tender_id": process.tender_id,
        "project_id": process.project_id,
        "buyer_id": process.buyer_id,
    }
    name = names.get
    found: list[Found] = []
    if signals.response_days < settings.red_flag_submission_days:
        numbers = {
            "days": signals.response_days,
            "threshold": settings.red_flag_submission_days,
            "published": china_time(process.published_at),
            "deadline": china_time(process.bid_deadline),
        }
        found.append(Found("R003", numbers=numbers, **common))
    if process.status in OPENED_STATUSES and len(bids) == 1:
        only = bids[0]
        found.append(
            Found(
                "R018",
                numbers={"bids": 1, "bidder": name(only.organisation_id, "")},
                supplier_id=only.organisation_id,
                suppliers=(only.organisation_id,),
                **common,
            )
        )
    if process.status in (*OPENED_STATUSES, "failed") and signals.identical_prices:
        by_price = Counter(b.price for b in priced if b.price is not None)
        groups = sorted(price for price, count in by_price.items() if count > 1)
        concerned = [b for b in priced if b.price in groups]
        numbers = {
            "count": len(concerned),
            "groups": [
                {"price": money(price), "bidders": sorted(name(b.organisation_id, "") for b in concerned if b.price == price)}
                for price in groups
            ],
        }
        orgs = tuple(sorted({b.organisation_id for b in concerned}))
        supplier = winner.organisation_id if winner is not None and winner.organisation_id in orgs else None
        found.append(Found("R028", numbers=numbers, supplier_id=supplier, suppliers=orgs, **common))
    if winner is None:
        return found
    winner_name = name(winner.organisation_id, "")
    mine: dict[str, Any] = {"supplier_id": winner.organisation_id, "suppliers": (winner.organisation_id,)}
    late = _late(process, winner)
    if late is not None:
        numbers = {"winner": winner_name, "submitted": china_time(late[0]), "deadline": china_time(late[1])}
        found.append(Found("R030", numbers=numbers, **mine, **common))
    valid = [b for b in bids if b.status in VALID_BID_STATUSES]
    valid_orgs = {b.organisation_id for b in valid}
    others_out = {b.organisation_id for b in bids if b.status == "disqualified"} - valid_orgs
    if valid_orgs == {winner.organisation_id} and len(others_out) >= settings.red_flag_other_disqualified:
        numbers = {"winner": winner_name, "disqualified": len(others_out), "bids": len(bids)}
        found.append(Found("R035", numbers=numbers, **mine, **common))
    valid_prices = [b.price for b in valid if b.price is not None]
    if price_only(process) and valid_prices and winner.price is not None:
        lowest = min((b for b in priced), key=lambda b: (b.price, b.id))
        if lowest.status == "disqualified" and lowest.price is not None and lowest.price < min(valid_prices):
            numbers = {
                "lowest_price": money(lowest.price),
                "lowest": name(lowest.organisation_id, ""),
                "winner_price": money(winner.price),
                "winner": winner_name,
            }
            found.append(Found("R036", numbers=numbers, **common))
    return found


def _late(process: Process, winner: ProcessBid) -> tuple[datetime, datetime] | None:
    """When the winning bid (or final quote) came, and the deadline it missed."""
    if winner.submitted_at is not None and winner.submitted_at > process.bid_deadline:
        return winner.submitted_at, process.bid_deadline
    deadline = process.final_quote_deadline
    if winner.final_submitted_at is not None and deadline is not None and winner.final_submitted_at > deadline:
        return winner.final_submitted_at, deadline
    return None


# -- one contract -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Payment:
    """A payment made on a term triggered by a milestone or by the final acceptance."""

    request: str
    amount: Decimal
    paid_on: date
    paid_at: datetime
    trigger: str  # "milestone" or "final_acceptance"
    basis_name: str | None  # the milestone's name
    accepted_at: datetime | None  # when the milestone (or the works) was accepted


def paid_early(payment: Payment) -> bool:
    """Paid before its basis was accepted: by the time the payment was recorded, or by the
    day it was paid (a payment dated before the acceptance)."""
    accepted = payment.accepted_at
    return accepted is None or payment.paid_at < accepted or payment.paid_on < accepted.astimezone(SHANGHAI).date()


def early_payment_numbers(contract_code: str, payments: Sequence[Payment]) -> dict[str, Any]:
    return {
        "contract": contract_code,
        "count": len(payments),
        "payments": [
            {
                "request": p.request,
                "amount": money(p.amount),
                "paid_on": p.paid_on.isoformat(),
                "basis": p.basis_name,
                "accepted_on": p.accepted_at.astimezone(SHANGHAI).date().isoformat() if p.accepted_at else None,
            }
            for p in payments
        ],
    }


@dataclass(frozen=True)
class CheckInSeen:
    at: datetime
    distance_m: float


def far_days(logged: Iterable[date], check_ins: Iterable[CheckInSeen], threshold_m: float) -> list[tuple[date, float]]:
    """Days with a log claiming work on which the contractor checked in, and every check-in
    was further than ``threshold_m`` from the site: (day, the nearest check-in's distance)."""
    nearest: dict[date, float] = {}
    for seen in check_ins:
        day = seen.at.astimezone(SHANGHAI).date()
        nearest[day] = min(nearest.get(day, seen.distance_m), seen.distance_m)
    claimed = set(logged)
    return sorted((day, distance) for day, distance in nearest.items() if day in claimed and distance > threshold_m)


def far_check_in_numbers(contract_code: str, days: Sequence[tuple[date, float]], threshold_m: float) -> dict[str, Any]:
    return {
        "contract": contract_code,
        "days": len(days),
        "nearest_m": int(min(distance for _, distance in days)),
        "threshold_m": int(threshold_m),
        "dates": [day.isoformat() for day, _ in days[:10]],
    }


# -- explanations -----------------------------------------------------------------------------

LIST_SEPARATOR = {"zh-CN": "、", "en": ", "}
ITEM_SEPARATOR = {"zh-CN": "；", "en": "; "}


def _joined(items: Iterable[Any], locale: str, separator: dict[str, str] = LIST_SEPARATOR) -> str:
    return separator.get(locale, separator["zh-CN"]).join(str(localised(item, locale)) for item in items)


def _fence(numbers: dict[str, Any], low: bool, population: str) -> Text:
    fence = percent(numbers["fence"])
    if numbers.get("fixed"):
        return Text("RED_FLAG_THRESHOLD_LOW" if low else "RED_FLAG_THRESHOLD_HIGH", fence=fence)
    return Text(
        "RED_FLAG_FENCE_LOW" if low else "RED_FLAG_FENCE_HIGH",
        fence=fence,
        q1=percent(numbers["q1"]),
        q3=percent(numbers["q3"]),
        count=numbers["count"],
        what=Label("RedFlagPopulation", population),
        k=numbers["multiplier"],
    )


def explanation(code: str, level: str, numbers: dict[str, Any], locale: str) -> str:
    """What raised a flag, naming its numbers, in ``locale``."""
    n = dict(numbers)
    try:
        if code in GAP_CODES:
            n["gap"] = percent(n["gap"])
            n["fence"] = _fence(numbers, code == "R024", "processes")
        elif code == "R025":
            n["ratio"] = percent(n["ratio"])
            n["fence"] = _fence(numbers, True, "tenderers")
        elif code == "R038":
            n["ratio"] = percent(n["ratio"])
            n["fence"] = _fence(numbers, False, "buyers" if level == "buyer" else "tenderers")
            code = "R038_BUYER" if level == "buyer" else "R038_SUPPLIER"
        elif code == "R028":
            n["groups"] = _joined(
                (Text("RED_FLAG_PRICE_GROUP", price=g["price"], bidders=_joined(g["bidders"], locale)) for g in numbers["groups"]),
                locale,
                ITEM_SEPARATOR,
            )
        elif code == "SW01":
            n["payments"] = _joined(
                (
                    Text(
                        "RED_FLAG_EARLY_PAYMENT",
                        request=p["request"],
                        amount=p["amount"],
                        paid_on=p["paid_on"],
                        basis=Text("RED_FLAG_BASIS_MILESTONE", name=p["basis"]) if p["basis"] else Text("RED_FLAG_BASIS_FINAL"),
                        accepted=Text("RED_FLAG_ACCEPTED_ON", day=p["accepted_on"]) if p["accepted_on"] else Text("RED_FLAG_NOT_ACCEPTED"),
                    )
                    for p in numbers["payments"]
                ),
                locale,
                ITEM_SEPARATOR,
            )
        elif code == "SW02":
            n["dates"] = _joined(numbers["dates"], locale)
    except (KeyError, TypeError, ValueError, ArithmeticError):
        return translate(f"RED_FLAG_{code}", locale)  # numbers of an older shape: the rule's text alone
    return translate(f"RED_FLAG_{code}", locale, **n)


def numbers_of(text: str | None) -> dict[str, Any]:
    try:
        value = json.loads(text or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
