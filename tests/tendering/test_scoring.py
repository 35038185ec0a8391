"""Evaluation results checked against arithmetic done by hand, tie-breaks in both directions,
criteria error codes, and red-flag signals."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal as D

import pytest

from resolvers.tendering.scoring import BidInput, Criterion, Part, Ranked, Signals, check_criteria, rank, signals

pytestmark = pytest.mark.once

T0 = datetime(2025, 3, 10, 1, 0, tzinfo=UTC)
PRICE = Criterion("price", "报价", "price", D("40"))
TECHNICAL = Criterion("technical", "技术", "quality", D("40"))
BUSINESS = Criterion("business", "商务", "quality", D("20"))
CRITERIA = [PRICE, TECHNICAL, BUSINESS]


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def table(rows: dict[tuple[int, str], tuple[str, ...]], evaluators: tuple[int, ...] = (11, 12, 13)) -> dict[tuple[int, int, str], D]:
    """{(bid, criterion): scores of each evaluator in order} as rank() takes them."""
    return {(ev, bid, key): D(score) for (bid, key), given in rows.items() for ev, score in zip(evaluators, given, strict=True)}


def by_id(results: list[Ranked]) -> dict[int, Ranked]:
    return {r.bid_id: r for r in results}


# ---- the worked simple tender ----------------------------------------------------------------
#
# Criteria: price 40, technical 40, business 20 (total 100). Evaluators 11, 12, 13.
#
#   bid  price        technical (11,12,13)   business (11,12,13)
#   1    400000.00    85, 90, 80             80, 80, 85
#   2    380000.00    70, 75, 72             90, 88, 85
#   3    450000.00    95, 92, 90             85, 85, 90
#
# Lowest qualified price = 380000.00.
#
# Price parts (lowest / price × 40):
#   bid 1: 380000 / 400000 × 40 = 0.95 × 40         = 38               → 38.00
#   bid 2: 380000 / 380000 × 40 = 1 × 40            = 40               → 40.00
#   bid 3: 380000 / 450000 × 40 = 0.8444… × 40      = 304/9 = 33.7777… → 33.78
# Technical parts (mean × 40 / 100):
#   bid 1: (85 + 90 + 80) / 3 = 255/3 = 85.00       × 0.4 = 34                → 34.00
#   bid 2: (70 + 75 + 72) / 3 = 217/3 = 72.3333…    × 0.4 = 434/15 = 28.9333… → 28.93
#   bid 3: (95 + 92 + 90) / 3 = 277/3 = 92.3333…    × 0.4 = 554/15 = 36.9333… → 36.93
# Business parts (mean × 20 / 100):
#   bid 1: (80 + 80 + 85) / 3 = 245/3 = 81.6666…    × 0.2 = 49/3 = 16.3333…   → 16.33
#   bid 2: (90 + 88 + 85) / 3 = 263/3 = 87.6666…    × 0.2 = 263/15 = 17.5333… → 17.53
#   bid 3: (85 + 85 + 90) / 3 = 260/3 = 86.6666…    × 0.2 = 52/3 = 17.3333…   → 17.33
# Totals, summed at full precision and then rounded:
#   bid 1: 38 + 34 + 16.3333…                = 88.3333…              → 88.33
#   bid 2: 40 + 28.9333… + 17.5333…          = 40 + 697/15 = 86.4666… → 86.47
#          (the rounded parts would add up to 40.00 + 28.93 + 17.53 = 86.46: the total is not
#          the sum of the shown parts)
#   bid 3: 33.7777… + 36.9333… + 17.3333…    = 3962/45 = 88.0444…   → 88.04
# Ranking: bid 1 (88.33), bid 3 (88.04), bid 2 (86.47) — the lowest price does not win.
WORKED_BIDS = [
    BidInput(1, D("400000.00"), at(0), True),
    BidInput(2, D("380000.00"), at(5), True),
    BidInput(3, D("450000.00"), at(10), True),
]
WORKED_SCORES = table(
    {
        (1, "technical"): ("85", "90", "80"),
        (2, "technical"): ("70", "75", "72"),
        (3, "technical"): ("95", "92", "90"),
        (1, "business"): ("80", "80", "85"),
        (2, "business"): ("90", "88", "85"),
        (3, "business"): ("85", "85", "90"),
    }
)


def test_the_worked_simple_tender():
    results = rank("simple_tender", WORKED_BIDS, CRITERIA, WORKED_SCORES)
    assert [(r.bid_id, r.rank, r.total) for r in results] == [(1, 1, D("88.33")), (3, 2, D("88.04")), (2, 3, D("86.47"))]
    parts = {r.bid_id: [p.score for p in r.parts] for r in results}
    assert parts == {
        1: [D("38.00"), D("34.00"), D("16.33")],
        2: [D("40.00"), D("28.93"), D("17.53")],
        3: [D("33.78"), D("36.93"), D("17.33")],
    }
    assert sum(parts[2]) == D("86.46")  # shown parts; the total is rounded from the exact sum
    bid3 = by_id(results)[3]
    assert bid3.price == D("450000.00")
    assert bid3.parts[0] == Part("price", "price", D("40"), D("33.78"), {"lowest": "380000.00", "price": "450000.00"})
    assert bid3.parts[1] == Part("technical", "quality", D("40"), D("36.93"), {"scores": ["95", "92", "90"], "mean": "92.33"})
    assert bid3.parts[2].detail == {"scores": ["85", "85", "90"], "mean": "86.67"}
    assert {p.score.as_tuple().exponent for r in results for p in r.parts} == {-2}


def test_a_disqualified_bid_is_not_ranked_and_does_not_set_the_lowest_price():
    bids = [*WORKED_BIDS, BidInput(4, D("100000.00"), at(1), False)]
    results = rank("simple_tender", bids, CRITERIA, WORKED_SCORES)
    assert [(r.bid_id, r.rank) for r in results] == [(1, 1), (3, 2), (2, 3), (4, None)]
    assert results[-1] == Ranked(4, None, None, D("100000.00"), [])
    assert by_id(results)[2].parts[0].detail["lowest"] == "380000.00"


def test_a_part_or_total_exactly_halfway_rounds_up():
    # price 75 + quality 25: one bid, so its price part is 75 × 1 = 75.
    # quality mean (80 + 81 + 80.5) / 3 = 80.5; × 25 / 100 = 20.125 → 20.13 (half-even would give 20.12)
    # total 75 + 20.125 = 95.125 → 95.13
    criteria = [Criterion("price", "报价", "price", D("75")), Criterion("q", "质量", "quality", D("25"))]
    [result] = rank("simple_tender", [BidInput(1, D("1000.00"), T0, True)], criteria, table({(1, "q"): ("80", "81", "80.5")}))
    assert result.parts[1].score == D("20.13")
    assert result.parts[1].detail == {"scores": ["80", "81", "80.5"], "mean": "80.50"}
    assert result.total == D("95.13")


# ---- ties -------------------------------------------------------------------------------------
#
# price 50 + technical 50, one evaluator (21). Bid A 100.00, bid B 200.00; lowest 100.00.
#   A: price 100/100 × 50 = 50; technical 40 × 50/100 = 20; total 70.00
#   B: price 100/200 × 50 = 25; technical 90 × 50/100 = 45; total 70.00
# Equal totals: the lower price (A) ranks first, whichever bid is older or has the lower id.
TIE_CRITERIA = [Criterion("price", "报价", "price", D("50")), Criterion("technical", "技术", "quality", D("50"))]


@pytest.mark.parametrize("a_id, a_time, b_id, b_time", [(1, 0, 2, 10), (2, 10, 1, 0)], ids=["cheaper-is-older", "cheaper-is-newer"])
def test_an_equal_total_goes_to_the_lower_price(a_id, a_time, b_id, b_time):
    bids = [BidInput(b_id, D("200.00"), at(b_time), True), BidInput(a_id, D("100.00"), at(a_time), True)]
    scores = {(21, a_id, "technical"): D("40"), (21, b_id, "technical"): D("90")}
    results = rank("simple_tender", bids, TIE_CRITERIA, scores)
    assert [(r.bid_id, r.rank, r.total) for r in results] == [(a_id, 1, D("70.00")), (b_id, 2, D("70.00"))]


def test_totals_equal_once_rounded_are_a_tie():
    # A: 50 + (40 + 40 + 39.99) / 3 × 0.5 = 50 + 19.99833… = 69.99833… → 70.00
    # B: 25 + (90 + 90 + 90.01) / 3 × 0.5 = 25 + 45.00166… = 70.00166… → 70.00
    # B's exact total is higher, but ranking is on the rounded total, so the lower price wins.
    bids = [BidInput(1, D("200.00"), at(0), True), BidInput(2, D("100.00"), at(1), True)]
    scores = table({(2, "technical"): ("40", "40", "39.99"), (1, "technical"): ("90", "90", "90.01")})
    results = rank("simple_tender", bids, TIE_CRITERIA, scores)
    assert [(r.bid_id, r.total) for r in results] == [(2, D("70.00")), (1, D("70.00"))]


@pytest.mark.parametrize("first, second", [((1, 0), (2, 5)), ((2, 0), (1, 5))], ids=["older-has-lower-id", "older-has-higher-id"])
def test_an_equal_total_and_price_goes_to_the_earlier_submission(first, second):
    bids = [BidInput(second[0], D("100.00"), at(second[1]), True), BidInput(first[0], D("100.00"), at(first[1]), True)]
    scores = {(21, 1, "technical"): D("80"), (21, 2, "technical"): D("80")}
    assert [r.bid_id for r in rank("simple_tender", bids, TIE_CRITERIA, scores)] == [first[0], second[0]]


def test_an_equal_total_price_and_time_goes_to_the_lower_bid_id():
    bids = [BidInput(9, D("100.00"), T0, True), BidInput(3, D("100.00"), T0, True)]
    scores = {(21, 9, "technical"): D("80"), (21, 3, "technical"): D("80")}
    assert [r.bid_id for r in rank("simple_tender", bids, TIE_CRITERIA, scores)] == [3, 9]


# ---- the lowest-price methods -----------------------------------------------------------------


@pytest.mark.parametrize("method", ["rfq", "competitive_negotiation"])
def test_lowest_price_methods_rank_by_price_then_submission_then_id(method):
    bids = [
        BidInput(1, D("300.00"), at(2), True),
        BidInput(2, D("250.00"), at(3), True),
        BidInput(5, D("250.00"), at(1), True),
        BidInput(3, D("250.00"), at(1), True),
        BidInput(4, D("200.00"), at(0), False),  # cheapest, but disqualified
        BidInput(6, D("150.00"), at(0), False),
    ]
    results = rank(method, bids, [], {})
    assert [(r.bid_id, r.rank) for r in results] == [(3, 1), (5, 2), (2, 3), (1, 4), (4, None), (6, None)]
    assert all(r.total is None and r.parts == [] for r in results)
    assert results[0].price == D("250.00")


def test_no_qualified_bid_gives_only_unranked_results():
    results = rank("simple_tender", [BidInput(2, D("5.00"), T0, False), BidInput(1, D("9.00"), T0, False)], CRITERIA, {})
    assert [(r.bid_id, r.rank, r.total) for r in results] == [(1, None, None), (2, None, None)]


# ---- refusals ---------------------------------------------------------------------------------


def test_a_qualified_bid_missing_a_score_is_refused():
    scores = dict(WORKED_SCORES)
    del scores[(12, 3, "business")]
    with pytest.raises(ValueError, match="evaluators \\[12\\]"):
        rank("simple_tender", WORKED_BIDS, CRITERIA, scores)


def test_an_evaluator_who_scored_only_some_bids_is_refused():
    scores = {**WORKED_SCORES, (14, 1, "technical"): D("70")}
    with pytest.raises(ValueError, match="14"):
        rank("simple_tender", WORKED_BIDS, CRITERIA, scores)


def test_no_scores_at_all_is_refused_when_there_are_quality_criteria():
    with pytest.raises(ValueError, match="no evaluator"):
        rank("simple_tender", WORKED_BIDS, CRITERIA, {})


@pytest.mark.parametrize("score", ["-0.01", "100.01", "NaN", "Infinity"])
def test_a_score_outside_0_to_100_is_refused(score):
    scores = {**WORKED_SCORES, (11, 1, "technical"): D(score)}
    with pytest.raises(ValueError):
        rank("simple_tender", WORKED_BIDS, CRITERIA, scores)


@pytest.mark.parametrize(
    "key", [(11, 99, "technical"), (11, 1, "price"), (11, 1, "design")], ids=["unknown-bid", "price-criterion", "unknown-criterion"]
)
def test_a_score_for_something_not_scored_is_refused(key):
    with pytest.raises(ValueError):
        rank("simple_tender", WORKED_BIDS, CRITERIA, {**WORKED_SCORES, key: D("50")})


def test_invalid_criteria_naive_times_and_unknown_methods_are_refused():
    with pytest.raises(ValueError, match="WEIGHTS_NOT_100"):
        rank("simple_tender", WORKED_BIDS, [PRICE, TECHNICAL], WORKED_SCORES)
    with pytest.raises(ValueError, match="aware"):
        rank("rfq", [BidInput(1, D("1.00"), datetime(2025, 3, 10), True)], [], {})
    with pytest.raises(ValueError, match="positive price"):
        rank("rfq", [BidInput(1, D("0.00"), T0, True)], [], {})
    with pytest.raises(ValueError, match="method"):
        rank("auction", WORKED_BIDS, CRITERIA, WORKED_SCORES)


# ---- criteria ---------------------------------------------------------------------------------


def quality(key: str, weight: str) -> Criterion:
    return Criterion(key, key, "quality", D(weight))


@pytest.mark.parametrize(
    "method, criteria, expected",
    [
        ("simple_tender", CRITERIA, []),
        ("simple_tender", [Criterion("p", "报价", "price", D("30.5")), quality("t", "49.25"), quality("b", "20.25")], []),
        ("simple_tender", [PRICE, TECHNICAL, quality("business", "10.00")], [("WEIGHTS_NOT_100", {"total": "90.00"})]),
        ("simple_tender", [PRICE, quality("technical", "60.01")], [("WEIGHTS_NOT_100", {"total": "100.01"})]),
        ("simple_tender", [quality("t", "60"), quality("b", "40")], [("PRICE_CRITERION_REQUIRED", {})]),
        ("simple_tender", [PRICE, Criterion("price2", "报价2", "price", D("40")), BUSINESS], [("PRICE_CRITERION_REQUIRED", {})]),
        ("simple_tender", [], [("PRICE_CRITERION_REQUIRED", {}), ("WEIGHTS_NOT_100", {"total": "0"})]),
        ("simple_tender", [PRICE, TECHNICAL, quality("technical", "20")], [("DUPLICATE_CRITERION", {"key": "technical"})]),
        (
            "simple_tender",
            [PRICE, TECHNICAL, quality("technical", "15"), quality("technical", "15")],
            [("DUPLICATE_CRITERION", {"key": "technical"}), ("WEIGHTS_NOT_100", {"total": "110"})],
        ),
        ("simple_tender", [PRICE, quality("zero", "0"), quality("t", "60")], [("WEIGHT_OUT_OF_RANGE", {"key": "zero"})]),
        ("simple_tender", [PRICE, quality("neg", "-10"), quality("t", "70")], [("WEIGHT_OUT_OF_RANGE", {"key": "neg"})]),
        (
            "simple_tender",
            [Criterion("price", "报价", "price", D("100.01")), quality("neg", "-0.01")],
            [("WEIGHT_OUT_OF_RANGE", {"key": "price"}), ("WEIGHT_OUT_OF_RANGE", {"key": "neg"})],
        ),
        ("simple_tender", [PRICE, quality("nan", "NaN"), quality("t", "60")], [("WEIGHT_OUT_OF_RANGE", {"key": "nan"})]),
        ("rfq", [], []),
        ("rfq", [Criterion("price", "报价", "price", D("100"))], []),
        ("competitive_negotiation", [quality("t", "60"), quality("b", "30")], [("WEIGHTS_NOT_100", {"total": "90"})]),
    ],
)
def test_criteria_error_codes(method, criteria, expected):
    assert check_criteria(method, criteria) == expected


def test_an_unknown_method_or_kind_is_a_programming_error():
    with pytest.raises(ValueError):
        check_criteria("auction", CRITERIA)
    with pytest.raises(ValueError):
        check_criteria("simple_tender", [PRICE, Criterion("t", "技术", "technical", D("60"))])


# ---- signals ----------------------------------------------------------------------------------


def test_signals_of_a_tender_with_one_valid_bid():
    # Published 2025-03-03 01:00 UTC, deadline 2025-03-10 00:30 UTC: 6 days 23.5 hours → 6 days.
    # Prices 120000 (qualified), 120000, 118000, 130000 (disqualified): two bids share 120000.
    # Winner 120000 / ceiling 150000 = 0.8 → 0.8000. One valid price: no second price gap.
    bids = [
        BidInput(1, D("120000.00"), at(0), True),
        BidInput(2, D("120000.00"), at(1), False),
        BidInput(3, D("118000.00"), at(2), False),
        BidInput(4, D("130000.00"), at(3), False),
    ]
    published = datetime(2025, 3, 3, 1, 0, tzinfo=UTC)
    deadline = datetime(2025, 3, 10, 0, 30, tzinfo=UTC)
    assert signals(bids=bids, winner_price=D("120000.00"), ceiling=D("150000.00"), published_at=published, deadline=deadline) == Signals(
        bids=4,
        valid_bids=1,
        single_valid_bid=True,
        winning_share_of_ceiling=D("0.8000"),
        response_days=6,
        identical_prices=2,
        disqualified=3,
        second_price_gap=None,
    )


def test_signals_of_a_tender_with_several_valid_bids():
    # Qualified 98000.00, 100000.00, 100000.0 (the same amount written to another scale),
    # 105000.00; disqualified 105000.00. Identical prices: two at 100000 and two at 105000
    # (disqualified bids count too) → 4 bids share a price with another.
    # Winner 98000 / 150000 = 0.653333… → 0.6533.
    # Second price gap (100000 − 98000) / 98000 = 2000 / 98000 = 0.0204081… → 0.0204.
    # 3 days exactly → 3.
    bids = [
        BidInput(1, D("98000.00"), at(0), True),
        BidInput(2, D("100000.00"), at(1), True),
        BidInput(3, D("100000.0"), at(2), True),
        BidInput(4, D("105000.00"), at(3), True),
        BidInput(5, D("105000.00"), at(4), False),
    ]
    result = signals(
        bids=bids,
        winner_price=D("98000.00"),
        ceiling=D("150000.00"),
        published_at=datetime(2025, 3, 7, 8, 0, tzinfo=UTC),
        deadline=datetime(2025, 3, 10, 8, 0, tzinfo=UTC),
    )
    assert result == Signals(
        bids=5,
        valid_bids=4,
        single_valid_bid=False,
        winning_share_of_ceiling=D("0.6533"),
        response_days=3,
        identical_prices=4,
        disqualified=1,
        second_price_gap=D("0.0204"),
    )


def test_signal_ratios_round_half_up_and_equal_lowest_prices_have_no_gap():
    # 99997.50 / 150000 = 0.66665 exactly → 0.6667 (half-even would give 0.6666).
    bids = [BidInput(1, D("99997.50"), T0, True), BidInput(2, D("99997.50"), T0, True)]
    result = signals(bids=bids, winner_price=D("99997.50"), ceiling=D("150000.00"), published_at=T0 - timedelta(hours=23), deadline=T0)
    assert result.winning_share_of_ceiling == D("0.6667")
    assert result.second_price_gap == D("0.0000")
    assert result.response_days == 0
    assert result.identical_prices == 2


def test_signals_without_a_winner_or_bids():
    result = signals(bids=[], winner_price=None, ceiling=D("500000.00"), published_at=T0, deadline=T0 + timedelta(days=5))
    assert result == Signals(0, 0, False, None, 5, 0, 0, None)
    with pytest.raises(ValueError):
        signals(bids=[], winner_price=None, ceiling=D("0.00"), published_at=T0, deadline=T0)
