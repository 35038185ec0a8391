"""Evaluation results and red-flag signals, computed from plain values.

rfq (询价) and competitive negotiation (竞争性谈判) award the lowest qualified price; the simple
tender (简易招标) awards the highest comprehensive score: for each quality criterion the mean of
the evaluators' scores times its weight / 100, plus the price part by the benchmark-price
method (lowest qualified price ÷ bid price × price weight).

Arithmetic is exact (fractions) until a number is shown: parts and totals are then rounded
half up to 0.01, and bids are ranked on the rounded total, the figure the committee signs.
A shown total is therefore the rounded sum of the exact parts, which may differ by 0.01 from
the sum of the rounded parts shown beside it.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any

METHODS = ("rfq", "competitive_negotiation", "simple_tender")
LOWEST_PRICE_METHODS = ("rfq", "competitive_negotiation")
KINDS = ("price", "quality")
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Criterion:
    key: str
    name: str
    kind: str  # "price" or "quality"
    weight: Decimal


@dataclass(frozen=True)
class BidInput:
    bid_id: int
    price: Decimal
    submitted_at: datetime  # aware, UTC
    qualified: bool


@dataclass(frozen=True)
class Part:
    """One criterion's share of a bid's total, with the numbers it came from, so a result can
    be checked by hand."""

    criterion: str
    kind: str
    weight: Decimal
    score: Decimal
    detail: dict[str, Any]


@dataclass(frozen=True)
class Ranked:
    """A bid's place. Disqualified bids have no rank and no total; under the lowest-price
    methods no bid has a total or parts, the price alone decides."""

    bid_id: int
    rank: int | None
    total: Decimal | None
    price: Decimal
    parts: list[Part]


@dataclass(frozen=True)
class Signals:
    """Figures an inspector looks at for a tender that may have been steered or rigged."""

    bids: int
    valid_bids: int
    single_valid_bid: bool
    winning_share_of_ceiling: Decimal | None
    response_days: int
    identical_prices: int
    disqualified: int
    second_price_gap: Decimal | None


def _round(value: Fraction, places: int) -> Decimal:
    """``value`` rounded half up (away from zero) to ``places`` decimals, exactly: a Fraction
    has no binary or precision error to push a halfway value the wrong way."""
    scale = 10**places
    magnitude = math.floor(abs(value) * scale + Fraction(1, 2))
    return Decimal(-magnitude if value < 0 else magnitude).scaleb(-places)


def _check_method(method: str) -> None:
    if method not in METHODS:
        raise ValueError(f"unknown procurement method {method!r}")


def check_criteria(method: str, criteria: list[Criterion]) -> list[tuple[str, dict[str, Any]]]:
    """The problems with a tender's criteria, as (error code, params). Weights add up to exactly
    100 when there are any; the simple tender needs them, with exactly one price criterion, the
    other methods need none. An unknown method or kind is the caller's bug (``ValueError``)."""
    _check_method(method)
    problems: list[tuple[str, dict[str, Any]]] = []
    seen: set[str] = set()
    reported: set[str] = set()
    total = Decimal(0)
    for criterion in criteria:
        if criterion.kind not in KINDS:
            raise ValueError(f"unknown criterion kind {criterion.kind!r}")
        if criterion.key in seen and criterion.key not in reported:
            problems.append(("DUPLICATE_CRITERION", {"key": criterion.key}))
            reported.add(criterion.key)
        seen.add(criterion.key)
        weight = criterion.weight
        if not weight.is_finite():
            problems.append(("WEIGHT_OUT_OF_RANGE", {"key": criterion.key}))
            continue
        if weight <= 0 or weight > HUNDRED:
            problems.append(("WEIGHT_OUT_OF_RANGE", {"key": criterion.key}))
        total += weight  # the sum of what was entered, so the figure shown is the one typed
    if method == "simple_tender" and sum(1 for c in criteria if c.kind == "price") != 1:
        problems.append(("PRICE_CRITERION_REQUIRED", {}))
    if (criteria or method == "simple_tender") and total != HUNDRED:
        problems.append(("WEIGHTS_NOT_100", {"total": str(total)}))
    return problems


def _check_bids(bids: list[BidInput]) -> None:
    for bid in bids:
        if bid.submitted_at.utcoffset() is None:
            raise ValueError(f"bid {bid.bid_id}: submitted_at must be an aware datetime")
        if bid.qualified and not (bid.price.is_finite() and bid.price > 0):
            raise ValueError(f"bid {bid.bid_id}: a qualified bid has a positive price, not {bid.price}")


def rank(method: str, bids: list[BidInput], criteria: list[Criterion], scores: Mapping[tuple[int, int, str], Decimal]) -> list[Ranked]:
    """Qualified bids in rank order (rank 1 first), then disqualified ones (rank None, by id).

    ``scores`` maps (evaluator id, bid id, quality criterion key) to 0..100; they are used by
    the simple tender only. Raises ``ValueError`` on invalid criteria, a score outside 0..100 or
    for an unknown bid or criterion, or a qualified bid missing a score from an evaluator who
    scored any bid: a mean over fewer evaluators would not be comparable."""
    _check_method(method)
    _check_bids(bids)
    qualified = [bid for bid in bids if bid.qualified]
    unranked = [Ranked(bid.bid_id, None, None, bid.price, []) for bid in sorted(bids, key=lambda b: b.bid_id) if not bid.qualified]
    if method in LOWEST_PRICE_METHODS:
        ordered = sorted(qualified, key=lambda b: (b.price, b.submitted_at, b.bid_id))
        return [Ranked(bid.bid_id, place, None, bid.price, []) for place, bid in enumerate(ordered, 1)] + unranked

    problems = check_criteria(method, criteria)
    if problems:
        raise ValueError(f"invalid criteria: {problems}")
    _check_scores(bids, criteria, scores)
    evaluators = sorted({evaluator for evaluator, _, _ in scores})
    lowest = min((bid.price for bid in qualified), default=Decimal(0))
    results: list[tuple[Decimal, BidInput, list[Part]]] = []
    for bid in qualified:
        exact_total = Fraction(0)
        parts = []
        for criterion in criteria:
            if criterion.kind == "price":
                exact = Fraction(lowest) * Fraction(criterion.weight) / Fraction(bid.price)
                detail: dict[str, Any] = {"lowest": str(lowest), "price": str(bid.price)}
            else:
                given = _scores_of(bid.bid_id, criterion.key, evaluators, scores)
                mean = sum((Fraction(s) for s in given), Fraction(0)) / len(given)
                exact = mean * Fraction(criterion.weight) / 100
                detail = {"scores": [str(s) for s in given], "mean": str(_round(mean, 2))}
            exact_total += exact
            parts.append(Part(criterion.key, criterion.kind, criterion.weight, _round(exact, 2), detail))
        results.append((_round(exact_total, 2), bid, parts))
    results.sort(key=lambda r: (-r[0], r[1].price, r[1].submitted_at, r[1].bid_id))
    ranked = [Ranked(bid.bid_id, place, total, bid.price, parts) for place, (total, bid, parts) in enumerate(results, 1)]
    return ranked + unranked


def _check_scores(bids: list[BidInput], criteria: list[Criterion], scores: Mapping[tuple[int, int, str], Decimal]) -> None:
    bid_ids = {bid.bid_id for bid in bids}
    quality_keys = {c.key for c in criteria if c.kind == "quality"}
    for (evaluator, bid_id, key), score in scores.items():
        where = f"evaluator {evaluator}, bid {bid_id}, criterion {key!r}"
        if bid_id not in bid_ids:
            raise ValueError(f"{where}: no such bid")
        if key not in quality_keys:
            raise ValueError(f"{where}: not a quality criterion of this tender")
        if not (Decimal(score).is_finite() and 0 <= score <= 100):
            raise ValueError(f"{where}: score {score} is outside 0..100")


def _scores_of(bid_id: int, key: str, evaluators: list[int], scores: Mapping[tuple[int, int, str], Decimal]) -> list[Decimal]:
    if not evaluators:
        raise ValueError(f"bid {bid_id}, criterion {key!r}: no evaluator has scored")
    missing = [evaluator for evaluator in evaluators if (evaluator, bid_id, key) not in scores]
    if missing:
        raise ValueError(f"bid {bid_id}, criterion {key!r}: no score from evaluators {missing}")
    return [scores[(evaluator, bid_id, key)] for evaluator in evaluators]


def signals(*, bids: list[BidInput], winner_price: Decimal | None, ceiling: Decimal, published_at: datetime, deadline: datetime) -> Signals:
    """Red flags of one tender: few or single valid bids, a winning price close to the ceiling,
    a short response period, identical prices, many disqualifications, and a second price
    suspiciously close to (or far from) the lowest. Ratios are rounded half up to 4 places;
    the second lowest is the second of the sorted qualified prices, so two equal lowest prices
    give a gap of 0."""
    if not (ceiling.is_finite() and ceiling > 0):
        raise ValueError(f"the ceiling price is positive, not {ceiling}")
    valid_prices = sorted(bid.price for bid in bids if bid.qualified)
    if any(not (price.is_finite() and price > 0) for price in valid_prices):
        raise ValueError("qualified bids have positive prices")
    counts = Counter(bid.price for bid in bids)
    share = None if winner_price is None else _round(Fraction(winner_price) / Fraction(ceiling), 4)
    gap = None
    if len(valid_prices) >= 2:
        lowest, second = valid_prices[0], valid_prices[1]
        gap = _round((Fraction(second) - Fraction(lowest)) / Fraction(lowest), 4)
    return Signals(
        bids=len(bids),
        valid_bids=len(valid_prices),
        single_valid_bid=len(valid_prices) == 1,
        winning_share_of_ceiling=share,
        response_days=(deadline - published_at).days,
        identical_prices=sum(bid_count for bid_count in counts.values() if bid_count > 1),
        disqualified=sum(1 for bid in bids if not bid.qualified),
        second_price_gap=gap,
    )
