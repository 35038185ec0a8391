"""The payment schedule's rules as plain functions: amounts in whole fen adding up exactly,
percentages adding up to 100, the advance and retention limits, milestones and clauses."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from resolvers.contracts import content as cc
from resolvers.core.validation import Checks

pytestmark = pytest.mark.once

LIMITS = cc.Limits(Decimal("30"), Decimal("3"))
D = Decimal


def codes(checks: Checks) -> list[tuple[str, str | None]]:
    return [(p.code, p.field) for p in checks.problems]


def terms(*rows: tuple[str, str, str | None]) -> list[cc.Term]:
    return [cc.Term(f"第{i}期", D(pct), trigger, milestone) for i, (pct, trigger, milestone) in enumerate(rows, start=1)]


def test_an_awkward_amount_splits_into_whole_fen_that_add_up_exactly():
    # 100,000.01 × 30 % = 30,000.003 → 30,000.00; × 67 % = 67,000.0067 → 67,000.01; the last
    # term takes what remains: 3,000.00 (3 % is 3,000.0003).
    assert cc.allocate(D("100000.01"), [D("30"), D("67"), D("3")]) == [D("30000.00"), D("67000.01"), D("3000.00")]
    assert cc.allocate(D("0.10"), [D("33.33"), D("33.33"), D("33.34")]) == [D("0.03"), D("0.03"), D("0.04")]
    assert cc.allocate(D("100.00"), [D("100")]) == [D("100.00")]
    assert cc.allocate(D("9350.00"), [D("30"), D("40"), D("27"), D("3")]) == [D("2805.00"), D("3740.00"), D("2524.50"), D("280.50")]


@st.composite
def schedules(draw):
    """An amount of up to the small-works ceiling and 1–8 percentages (two decimals) adding up to 100."""
    amount = D(draw(st.integers(min_value=1, max_value=50_000_000))) / 100
    cuts = sorted(draw(st.lists(st.integers(min_value=1, max_value=9_999), max_size=7, unique=True)))
    bounds = [0, *cuts, 10_000]
    return amount, [D(b - a) / 100 for a, b in zip(bounds, bounds[1:], strict=False)]


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(schedules())
def test_any_schedule_adds_up_to_the_amount_in_whole_fen(schedule):
    amount, percentages = schedule
    assert sum(percentages) == 100
    parts = cc.allocate(amount, percentages)
    assert sum(parts) == amount
    for part, pct in zip(parts[:-1], percentages[:-1], strict=True):
        assert part == part.quantize(D("0.01")) and abs(part - amount * pct / 100) <= D("0.005")
    # The remainder is at most half a fen per other term away from its exact share.
    assert abs(parts[-1] - amount * percentages[-1] / 100) <= D("0.005") * (len(parts) - 1)


def test_percentages_must_add_up_to_exactly_one_hundred():
    checks = Checks()
    cc.check_terms(checks, terms(("30", "signing", None), ("67", "final_acceptance", None), ("2.99", "retention", None)), set(), LIMITS)
    assert codes(checks) == [("TERMS_NOT_100", "paymentTerms")]
    assert checks.problems[0].params == {"total": "99.99"}
    checks = Checks()
    cc.check_terms(checks, terms(("30", "signing", None), ("67", "final_acceptance", None), ("3", "retention", None)), set(), LIMITS)
    assert codes(checks) == []


def test_the_advance_is_at_most_thirty_percent_and_retention_at_most_three():
    checks = Checks()
    cc.check_terms(
        checks,
        terms(("20", "signing", None), ("10.01", "signing", None), ("66.99", "final_acceptance", None), ("3", "retention", None)),
        set(),
        LIMITS,
    )
    assert codes(checks) == [("ADVANCE_OVER_LIMIT", "paymentTerms")] and checks.problems[0].params["total"] == "30.01"
    checks = Checks()
    cc.check_terms(checks, terms(("30", "signing", None), ("66.5", "final_acceptance", None), ("3.5", "retention", None)), set(), LIMITS)
    assert codes(checks) == [("RETENTION_OVER_LIMIT", "paymentTerms")]
    checks = Checks()
    cc.check_terms(checks, terms(("94", "final_acceptance", None), ("3", "retention", None), ("3", "retention", None)), set(), LIMITS)
    assert codes(checks) == [("ONE_RETENTION_TERM", "paymentTerms")]
    # The limits are settings.
    checks = Checks()
    cc.check_terms(checks, terms(("40", "signing", None), ("60", "final_acceptance", None)), set(), cc.Limits(D("40"), D("3")))
    assert codes(checks) == []


def test_a_milestone_term_names_a_milestone_of_the_contract_and_no_other_term_does():
    checks = Checks()
    cc.check_terms(
        checks,
        terms(("50", "milestone", "M9"), ("20", "milestone", None), ("30", "final_acceptance", "M1")),
        {"M1"},
        LIMITS,
    )
    assert codes(checks) == [
        ("UNKNOWN_MILESTONE", "paymentTerms.0.milestoneCode"),
        ("MILESTONE_REQUIRED", "paymentTerms.1.milestoneCode"),
        ("MILESTONE_NOT_EXPECTED", "paymentTerms.2.milestoneCode"),
    ]
    checks = Checks()
    cc.check_terms(checks, [], set(), LIMITS)
    assert codes(checks) == [("TERMS_REQUIRED", "paymentTerms")]


def test_milestones_lie_within_the_works_period_and_their_shares_add_up_to_one_hundred():
    start, end = date(2027, 3, 1), date(2027, 6, 30)
    rows = [
        cc.Milestone("M1", "基层", date(2027, 2, 28), D("50")),
        cc.Milestone("m1", "面层", date(2027, 6, 30), D("40")),
        cc.Milestone("M 3", "附属", date(2027, 5, 1), D("5")),
    ]
    checks = Checks()
    cc.check_milestones(checks, rows, start, end)
    assert codes(checks) == [
        ("MILESTONE_OUTSIDE_PERIOD", "milestones.0.plannedDate"),
        ("DUPLICATE_MILESTONE", "milestones.1.code"),
        ("INVALID_MILESTONE_CODE", "milestones.2.code"),
        ("SHARES_NOT_100", "milestones"),
    ]
    checks = Checks()
    cc.check_milestones(checks, [], start, end)
    assert codes(checks) == [("MILESTONES_REQUIRED", "milestones")]


def test_a_clause_carries_the_fields_of_its_kind_and_no_others():
    checks = Checks()
    clauses = cc.check_clauses(
        checks,
        [
            cc.Clause("warranty", "保修", "缺陷责任期一年。", {"defectLiabilityMonths": 12}),
            cc.Clause("penalty", "违约", "逾期违约金。", {"dailyRatePercent": "0.05"}),
            cc.Clause("scope", "范围", "道路。", {"standard": "GB 1"}),
            cc.Clause("acceptance", "验收", "按标准验收。", {"standard": "CJJ 1-2008", "inspectionDays": 400}),
        ],
    )
    assert codes(checks) == [
        ("REQUIRED", "clauses.1.capPercent"),
        ("FIELD_NOT_FOR_CLAUSE", "clauses.2.standard"),
        ("NUMBER_OUT_OF_RANGE", "clauses.3.inspectionDays"),
    ]
    assert clauses[0].fields == {"defectLiabilityMonths": 12} and clauses[1].fields == {"dailyRatePercent": "0.05"}


def test_the_canonical_content_reads_back_as_it_was():
    content = cc.ContractContent(
        code="HT-2026-000001",
        number="ZSH-2026-01",
        title="周市镇道路修缮",
        project_code="XM-2026-000001",
        tender_code="ZB-2026-000001",
        amount=D("100000.01"),
        award_value=D("100000.01"),
        amount_reason=None,
        works_start=date(2027, 3, 1),
        works_end=date(2027, 6, 30),
        defect_liability_months=12,
        parties=[cc.Party("owner", 1, "周市镇人民政府", "11320583MB1234567X")],
        clauses=[cc.Clause("scope", "范围", "道路。", {})],
        milestones=[cc.Milestone("M1", "完工", date(2027, 6, 1), D("100"))],
        terms=cc.with_amounts(terms(("30", "signing", None), ("67", "milestone", "m1"), ("3", "retention", None)), D("100000.01")),
    )
    data = cc.canonical(content)
    assert [t["amount"] for t in data["paymentTerms"]] == ["30000.00", "67000.01", "3000.00"]
    assert data["paymentTerms"][1]["milestone"] == "M1" and data["amount"] == "100000.01"
    again = cc.from_canonical(data, content.parties)
    assert cc.canonical(again) == data
