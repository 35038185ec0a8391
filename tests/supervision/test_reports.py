"""Reports through GraphQL, as a client reads them, on a fixture of known figures
(``report_fixture``: province 86, counties 860101 and 860102). Every expected figure is worked
out by hand from the fixture's table. A county auditor's totals exclude the other county; the
city's auditor sees both. Periods are China time: a project applied for at 01:00 on 1 July
(30 June in UTC) counts in July, an approval at 01:00 on 1 April in April.

Also: the statements of a report do not grow with its groups; the percentile definitions on
every backend; the filter's checks and their messages in both languages; an export source's
rows are the GraphQL report's."""

from __future__ import annotations

from decimal import Decimal

import pytest
from conftest import DEMO_PASSWORD, count_statements
from report_fixture import CITY, COUNTY_A, COUNTY_B, make
from sqlalchemy import Integer, literal, select, union_all

from resolvers.supervision.report_filter import parse_filter
from resolvers.supervision.sql import median, nearest_rank, ranks

ZH, EN = {"Accept-Language": "zh-CN"}, {"Accept-Language": "en"}

GROUP = "group { total regionCode regionLevel year quarter month category method methodLabel status organisationName warningKind label periodLabel }"
FIELDS = {
    "volumeReport": "projects budget contracts contractAmount paid retentionHeld",
    "fundFlowReport": "allocation reserved contracted paid retentionHeld",
    "cycleTimeReport": "stage stageLabel projects medianDays p90Days targetDays targetMet",
    "overBudgetReport": "projects overBudget contractOverBudget paidOverBudget rate excess",
    "warningReport": "warnings open acknowledged resolved medianDaysOpen p90DaysOpen",
    "rectificationReport": "rectifications closed closedLate openOverdue notYetDue overdueRate",
    "competitionReport": "tenders bids bidsPerTender singleBidTenders singleBidShare contracts contractValue suppliers topSupplierShare herfindahl",
}


def document(field: str, extra: str = "") -> str:
    row = f"{GROUP} {FIELDS[field]}"
    return f"query($f: ReportFilter) {{ {field}(filter: $f) {{ heading {{ groupBy groupByLabels periodBasis }} rows {{ {row} }} total {{ {row} }} {extra} }} }}"


@pytest.fixture(scope="module")
async def fixture(api, state):
    made = await make(state)
    made.tokens = {key: (await api.password_token(username, DEMO_PASSWORD))["access_token"] for key, username in made.usernames.items()}
    return made


async def report(api, token: str, field: str, f: dict | None = None, headers: dict | None = None, extra: str = "") -> dict:
    return (await api.ok(document(field, extra), {"f": f}, token=token, headers=headers))[field]


def figures(row: dict, *names: str) -> tuple:
    return tuple(row[name] for name in names)


def keyed(rows: list[dict], key: str) -> dict:
    return {row["group"][key]: row for row in rows}


VOLUME = ("projects", "budget", "contracts", "contractAmount", "paid", "retentionHeld")


async def test_volume_and_money(api, state, fixture):
    county, city, owner = fixture.tokens["county"], fixture.tokens["city"], fixture.tokens["owner"]
    by_region = await report(api, city, "volumeReport", {"year": 2025, "groupBy": ["REGION"]})
    # P4 was never submitted: a draft is not an application. C1x was terminated: not counted.
    assert figures(by_region["total"], *VOLUME) == (7, "520000.00", 3, "360000.00", "310000.00", "7950.00")
    assert by_region["total"]["group"]["total"] is True and by_region["total"]["group"]["label"] == "合计"
    rows = keyed(by_region["rows"], "regionCode")
    assert list(rows) == [COUNTY_A, COUNTY_B]
    assert figures(rows[COUNTY_A], *VOLUME) == (5, "260000.00", 2, "150000.00", "105000.00", "1650.00")
    assert figures(rows[COUNTY_B], *VOLUME) == (2, "260000.00", 1, "210000.00", "205000.00", "6300.00")
    assert rows[COUNTY_A]["group"]["regionLevel"] == "COUNTY" and rows[COUNTY_A]["group"]["label"] == COUNTY_A
    assert by_region["heading"] == {
        "groupBy": ["REGION"],
        "groupByLabels": ["行政区划"],
        "periodBasis": "项目首次提交申报的日期（北京时间）",
    }

    # The county's auditor (even asking for the whole city) and A's owner see county A only.
    for token, f in ((county, {"year": 2025, "regionCode": CITY}), (owner, {"year": 2025})):
        mine = await report(api, token, "volumeReport", f)
        assert mine["rows"] == [] and figures(mine["total"], *VOLUME) == (5, "260000.00", 2, "150000.00", "105000.00", "1650.00")

    at_city_level = await report(api, city, "volumeReport", {"year": 2025, "groupBy": ["REGION"], "regionLevel": "CITY"})
    assert [(r["group"]["regionCode"], r["projects"]) for r in at_city_level["rows"]] == [(CITY, 7)]

    by_method = await report(api, city, "volumeReport", {"year": 2025, "groupBy": ["METHOD"]}, headers=EN)
    assert [
        (r["group"]["method"], r["group"]["methodLabel"], r["group"]["label"], r["projects"], r["budget"]) for r in by_method["rows"]
    ] == [
        ("RFQ", "Request for quotation", "Request for quotation", 3, "210000.00"),
        ("SIMPLE_TENDER", "Simple tender", "Simple tender", 2, "280000.00"),
        (None, None, "No procurement", 2, "30000.00"),
    ]

    # Months are China months: P8 was applied for on 1 July at 01:00 (30 June in UTC).
    by_month = await report(api, city, "volumeReport", {"year": 2025, "groupBy": ["MONTH"]})
    assert [(r["group"]["year"], r["group"]["month"], r["group"]["periodLabel"], r["projects"]) for r in by_month["rows"]] == [
        (2025, 1, "2025年1月", 2),
        (2025, 2, "2025年2月", 1),
        (2025, 3, "2025年3月", 2),
        (2025, 6, "2025年6月", 1),
        (2025, 7, "2025年7月", 1),
    ]
    # More groups than a GraphQL answer holds: refused, with what to do instead.
    state.settings.report_max_rows, kept = 4, state.settings.report_max_rows
    try:
        body = await api.gql(document("volumeReport"), {"f": {"year": 2025, "groupBy": ["MONTH"]}}, token=city, headers=EN)
    finally:
        state.settings.report_max_rows = kept
    assert (body["errors"][0]["extensions"]["reason"], body["errors"][0]["message"]) == (
        "REPORT_TOO_MANY_ROWS",
        "The report has more than 4 groups: group by fewer dimensions, narrow the filter, or export it to a file.",
    )
    q3 = await report(api, city, "volumeReport", {"year": 2025, "quarter": 3})
    assert figures(q3["total"], "projects", "budget") == (1, "10000.00")
    assert figures((await report(api, city, "volumeReport", {"year": 2025, "month": 6}))["total"], "projects", "budget") == (1, "20000.00")

    narrowed = await report(api, city, "volumeReport", {"statuses": ["TENDERING", "APPROVED"], "categories": ["ROAD", "WATER"]})
    assert figures(narrowed["total"], "projects", "budget") == (2, "140000.00")  # P3 and P7
    by_owner = await report(api, city, "volumeReport", {"groupBy": ["ORGANISATION"], "methods": ["RFQ"]})
    assert [(r["group"]["organisationName"].startswith(("甲县", "乙县")), r["projects"]) for r in by_owner["rows"]] == [
        (True, 2),
        (True, 1),
    ]


FLOW = ("allocation", "reserved", "contracted", "paid", "retentionHeld")


async def test_fund_flow(api, fixture):
    city, county = fixture.tokens["city"], fixture.tokens["county"]
    flow = await report(api, city, "fundFlowReport", {"year": 2025, "groupBy": ["ORGANISATION"]})
    # P8's reservation was released; A's 2024 allocation is another year.
    assert [figures(r, *FLOW) for r in flow["rows"]] == [
        ("300000.00", "230000.00", "150000.00", "105000.00", "1650.00"),
        ("500000.00", "260000.00", "210000.00", "205000.00", "6300.00"),
    ]
    assert figures(flow["total"], *FLOW) == ("800000.00", "490000.00", "360000.00", "310000.00", "7950.00")
    assert flow["heading"]["periodBasis"] == "预算指标的财政年度"

    years = await report(api, county, "fundFlowReport", {"groupBy": ["YEAR"]})
    assert [(r["group"]["year"], *figures(r, *FLOW)) for r in years["rows"]] == [
        (2024, "100000.00", "0.00", "0.00", "0.00", "0.00"),
        (2025, "300000.00", "230000.00", "150000.00", "105000.00", "1650.00"),
    ]
    # Categories narrow the projects, not the allocations: roads are P1, P3 and P6.
    roads = await report(api, city, "fundFlowReport", {"year": 2025, "categories": ["ROAD"]})
    assert figures(roads["total"], *FLOW) == ("800000.00", "380000.00", "305000.00", "300000.00", "6300.00")


STAGES = ("stage", "projects", "medianDays", "p90Days", "targetDays", "targetMet")


async def test_cycle_times(api, fixture):
    city, county = fixture.tokens["city"], fixture.tokens["county"]
    cycle = await report(
        api, city, "cycleTimeReport", {"year": 2025}, extra="targetDays headline { %s %s }" % (GROUP, FIELDS["cycleTimeReport"])
    )
    # Application to approval: 3, 7, 5, 2 (A) and 10, 4 (B) days: the median of six is the
    # mean of 4 and 5; the 90th percentile is the 6th of 6 (⌈5.4⌉).
    assert [figures(r, *STAGES) for r in cycle["total"]] == [
        ("APPLICATION_TO_APPROVAL", 6, "4.50", "10.00", "5.00", True),
        ("APPROVAL_TO_TENDER", 5, "4.00", "80.00", None, None),
        ("TENDER_TO_CONTRACT", 3, "30.00", "30.00", None, None),
        ("CONTRACT_TO_WORKS", 2, "5.00", "5.00", None, None),
        ("WORKS_TO_ACCEPTANCE", 1, "60.00", "60.00", None, None),
        ("ACCEPTANCE_TO_FINAL_PAYMENT", 1, "20.00", "20.00", None, None),
    ]
    assert cycle["targetDays"] == "5.00" and cycle["rows"] == []
    # The headline, per county and month of approval: P3 was approved at 01:00 on 1 April
    # (31 March in UTC), in five days, within the target.
    assert [(r["group"]["regionCode"], r["group"]["month"], r["medianDays"], r["targetMet"]) for r in cycle["headline"]] == [
        (COUNTY_A, 1, "3.00", True),
        (COUNTY_A, 3, "7.00", False),
        (COUNTY_A, 4, "5.00", True),
        (COUNTY_A, 7, "2.00", True),
        (COUNTY_B, 1, "10.00", False),
        (COUNTY_B, 2, "4.00", True),
    ]
    assert {r["stage"] for r in cycle["headline"]} == {"APPLICATION_TO_APPROVAL"}

    mine = await report(api, county, "cycleTimeReport", {"year": 2025}, headers=EN)
    # County A: 2, 3, 5, 7 days: median (3+5)/2, the 90th percentile the 4th of 4 (⌈3.6⌉).
    assert figures(mine["total"][0], *STAGES) == ("APPLICATION_TO_APPROVAL", 4, "4.00", "7.00", "5.00", True)
    assert mine["total"][0]["stageLabel"] == "Application to approval"
    assert [figures(r, "stage", "projects") for r in mine["total"][1:4]] == [
        ("APPROVAL_TO_TENDER", 3),
        ("TENDER_TO_CONTRACT", 2),
        ("CONTRACT_TO_WORKS", 1),
    ]
    nothing = await report(api, city, "cycleTimeReport", {"year": 2024})
    assert [figures(r, "stage", "projects", "medianDays", "targetMet") for r in nothing["total"]][:2] == [
        ("APPLICATION_TO_APPROVAL", 0, None, None),
        ("APPROVAL_TO_TENDER", 0, None, None),
    ]
    assert len(nothing["total"]) == 6
    by_region = await report(api, city, "cycleTimeReport", {"year": 2025, "groupBy": ["REGION"]})
    first_b = next(r for r in by_region["rows"] if r["group"]["regionCode"] == COUNTY_B)
    assert figures(first_b, *STAGES) == ("APPLICATION_TO_APPROVAL", 2, "7.00", "10.00", "5.00", False)
    assert [r["stage"] for r in by_region["rows"]][:2] == ["APPLICATION_TO_APPROVAL", "APPROVAL_TO_TENDER"]


async def test_over_budget(api, fixture):
    city, county = fixture.tokens["city"], fixture.tokens["county"]
    names = ("projects", "overBudget", "contractOverBudget", "paidOverBudget", "rate", "excess")
    # P2: contract 55,000 over a 50,000 budget; P6: contract 210,000 and paid 205,000 over 200,000.
    both = await report(api, city, "overBudgetReport", {"year": 2025, "groupBy": ["REGION"]})
    assert figures(both["total"], *names) == (3, 2, 2, 1, "66.67", "15000.00")
    assert [figures(r, *names) for r in both["rows"]] == [(2, 1, 1, 0, "50.00", "5000.00"), (1, 1, 1, 1, "100.00", "10000.00")]
    assert figures((await report(api, county, "overBudgetReport", {"year": 2025}))["total"], *names) == (2, 1, 1, 0, "50.00", "5000.00")
    assert (await report(api, city, "overBudgetReport", {"year": 2026}))["total"]["rate"] is None


WARNINGS = ("warnings", "open", "acknowledged", "resolved", "medianDaysOpen", "p90DaysOpen")


async def test_warnings(api, fixture):
    city, county = fixture.tokens["city"], fixture.tokens["county"]
    mine = await report(api, county, "warningReport", {"groupBy": ["WARNING_KIND"]}, headers=EN)
    # County A: 3 days, 1.5 days, and one acknowledged 2 days ago, still open.
    assert [(r["group"]["warningKind"], r["group"]["label"], *figures(r, *WARNINGS)) for r in mine["rows"]] == [
        ("MILESTONE_OVERDUE", "Milestone overdue", 1, 0, 0, 1, "3.00", "3.00"),
        ("NO_DAILY_LOG", "No daily log", 2, 0, 1, 1, "1.75", "2.00"),
    ]
    assert figures(mine["total"], *WARNINGS) == (3, 0, 1, 2, "2.00", "3.00")
    both = await report(api, city, "warningReport", {"regionCode": CITY})
    # Both counties: 1.5, 2, 3, 4 (open) and 10 days.
    assert figures(both["total"], *WARNINGS) == (5, 1, 1, 3, "3.00", "10.00")
    assert (await report(api, city, "warningReport", {"year": 2025}))["total"]["warnings"] == 3


async def test_rectifications(api, fixture):
    city, county = fixture.tokens["city"], fixture.tokens["county"]
    names = ("rectifications", "closed", "closedLate", "openOverdue", "notYetDue", "overdueRate")
    # R2 was closed at 01:00 on 11 March in China (10 March in UTC), a day after it was due.
    assert figures((await report(api, county, "rectificationReport"))["total"], *names) == (4, 2, 1, 1, 1, "50.00")
    assert figures((await report(api, city, "rectificationReport"))["total"], *names) == (5, 2, 1, 2, 1, "60.00")
    assert figures((await report(api, city, "rectificationReport", {"year": 2025}))["total"], *names) == (4, 2, 1, 2, 0, "75.00")


COMPETITION = (
    "tenders",
    "bids",
    "bidsPerTender",
    "singleBidTenders",
    "singleBidShare",
    "contracts",
    "contractValue",
    "suppliers",
    "topSupplierShare",
    "herfindahl",
)


async def test_competition(api, fixture):
    city, county = fixture.tokens["city"], fixture.tokens["county"]
    both = await report(api, city, "competitionReport", {"year": 2025, "groupBy": ["REGION"]})
    # Opened: T1 (3 bids; W withdrew), T2 (1), T6 (2), T7 (1); T3 was never opened. Awarded:
    # X 95,000 and Z 55,000 in A, Y 210,000 in B. HHI = (95² + 55² + 210²) / 360² × 10,000.
    assert figures(both["total"], *COMPETITION) == (4, 7, "1.75", 2, "50.00", 3, "360000.00", 3, "58.33", "4332.56")
    assert [figures(r, *COMPETITION) for r in both["rows"]] == [
        (2, 4, "2.00", 1, "50.00", 2, "150000.00", 2, "63.33", "5355.56"),
        (2, 3, "1.50", 1, "50.00", 1, "210000.00", 1, "100.00", "10000.00"),
    ]
    mine = await report(api, county, "competitionReport", {"year": 2025})
    assert figures(mine["total"], *COMPETITION) == (2, 4, "2.00", 1, "50.00", 2, "150000.00", 2, "63.33", "5355.56")
    by_method = await report(api, city, "competitionReport", {"year": 2025, "groupBy": ["METHOD"]})
    assert [(r["group"]["method"], *figures(r, *COMPETITION)) for r in by_method["rows"]] == [
        ("RFQ", 3, 5, "1.67", 2, "66.67", 2, "150000.00", 2, "63.33", "5355.56"),
        ("SIMPLE_TENDER", 1, 2, "2.00", 0, "0.00", 1, "210000.00", 1, "100.00", "10000.00"),
    ]


async def test_statements_do_not_grow_with_the_groups(api, state, fixture):
    city = fixture.tokens["city"]
    query = document("volumeReport").replace("organisationName", "organisationName organisation { name }")
    cycle = document("cycleTimeReport", "headline { medianDays }")
    many = {"year": 2025, "groupBy": ["ORGANISATION", "MONTH", "CATEGORY", "METHOD"]}
    few = {"year": 2025, "quarter": 3, "groupBy": ["ORGANISATION", "MONTH", "CATEGORY", "METHOD"]}
    await api.ok(query, {"f": few}, token=city)  # warm up: who is signed in
    counts = []
    for f, groups in ((many, 7), (few, 1)):
        with count_statements(state) as statements:
            data = (await api.ok(query, {"f": f}, token=city))["volumeReport"]
        assert len(data["rows"]) == groups and all(r["group"]["organisation"]["name"] for r in data["rows"])
        counts.append(len(statements))
        with count_statements(state) as statements:
            assert len((await api.ok(cycle, {"f": f}, token=city))["cycleTimeReport"]["headline"]) >= 1
        counts.append(len(statements))
    # The report, the owner organisations (one batch) / the report and its headline.
    assert counts[0] == counts[2] <= 3 and counts[1] == counts[3] <= 3, counts


async def test_the_headline_is_read_on_a_connection_of_its_own_alongside_the_report(api, state, fixture):
    """The cycle-time report and its headline are two statements: with the headline selected
    (directly or through a fragment) the request reads it on a second connection, started
    before the report's own statement; without it, one connection. The lines are the same."""
    from sqlalchemy import event

    city = fixture.tokens["city"]
    headline = "headline { group { regionCode month } medianDays targetMet }"
    direct = document("cycleTimeReport", headline)
    through_fragment = document("cycleTimeReport", "...Headline") + f" fragment Headline on CycleTimeReport {{ {headline} }}"
    without = document("cycleTimeReport")
    f = {"year": 2025, "groupBy": ["MONTH"]}
    expected = (await api.ok(direct, {"f": f}, token=city))["cycleTimeReport"]
    assert len(expected["headline"]) == 6
    checkouts: list[int] = []

    def on_checkout(dbapi_connection, record, proxy):
        checkouts.append(id(dbapi_connection))

    engine = state.db.engine.sync_engine
    event.listen(engine, "checkout", on_checkout)
    try:
        for executor in ("general", "compiled"):
            for query, connections in ((direct, 2), (through_fragment, 2), (without, 1)):
                await api.ok(query, {"f": f}, token=city)  # the document is known: compiled from the next call
                checkouts.clear()
                response = await api.post(query, {"f": f}, token=city, headers={"X-Smallworks-Executor": executor})
                data = response.json()["data"]["cycleTimeReport"]
                assert len(checkouts) == connections, (executor, query, checkouts)
                assert data["rows"] == expected["rows"] and data.get("headline", expected["headline"]) == expected["headline"]
    finally:
        event.remove(engine, "checkout", on_checkout)


async def test_percentiles_on_this_backend(state):
    """Median: the middle value, or the mean of the two middle ones; 90th percentile: nearest
    rank, ⌈0.9·n⌉. Nulls are not values."""
    cases = {
        1: ([5], 5, 5),
        2: ([2, 1], 1.5, 2),
        3: ([3, 1, 2], 2, 3),
        4: (list(range(10, 0, -1)), 5.5, 9),
        5: (list(range(1, 21)), 10.5, 18),
        6: ([4, 9, 4, 4], 4, 9),
        7: ([None, 7], 7, 7),
        8: ([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 6, 10),
    }
    values = union_all(
        *(select(literal(case, Integer).label("case"), literal(v, Integer).label("v")) for case, (vs, _, _) in cases.items() for v in vs)
    ).subquery()
    rank, count = ranks(values.c.v, [values.c.case])
    ranked = select(values.c.case, values.c.v, rank.label("r"), count.label("n")).subquery()
    statement = (
        select(ranked.c.case, median(ranked.c.v, ranked.c.r, ranked.c.n), nearest_rank(ranked.c.v, ranked.c.r, ranked.c.n, 90))
        .group_by(ranked.c.case)
        .order_by(ranked.c.case)
    )
    async with state.db.read() as session:
        found = {case: (Decimal(str(m)), Decimal(str(p))) for case, m, p in (await session.execute(statement)).all()}
    assert found == {case: (Decimal(str(m)), Decimal(str(p))) for case, (_, m, p) in cases.items()}


BAD = {
    "REPORT_REGION_INVALID": (
        {"regionCode": "32058"},
        "行政区划代码须为6位数字，且为省级（如 320000）、市级（如 320500）或县级（如 320583）代码。",
    ),
    "REPORT_YEAR_REQUIRED": ({"quarter": 2}, "按季度或月份筛选时须同时给出年份。"),
    "REPORT_QUARTER_INVALID": ({"year": 2025, "quarter": 5}, "季度须为 1 至 4。"),
    "REPORT_MONTH_INVALID": ({"year": 2025, "month": 0}, "月份须为 1 至 12。"),
    "REPORT_YEAR_INVALID": ({"year": 1999}, "年份须在 2000 至 2100 之间。"),
    "REPORT_MONTH_NOT_IN_QUARTER": ({"year": 2025, "quarter": 1, "month": 5}, "5 月不在第 1 季度内。"),
    "REPORT_DIMENSION_REPEATED": ({"groupBy": ["REGION", "REGION"]}, "分组维度“行政区划”重复。"),
    "REPORT_DIMENSION_NOT_SUPPORTED": ({"groupBy": ["WARNING_KIND"]}, "“项目数量与资金”不能按“预警类型”分组。"),
}


@pytest.mark.once
async def test_a_bad_filter_is_a_typed_error_in_both_languages(api):
    token = await api.token("auditor")
    for code, (f, zh) in BAD.items():
        body = await api.gql(document("volumeReport"), {"f": f}, token=token)
        (error,) = body["errors"]
        assert (error["extensions"]["code"], error["extensions"]["reason"], error["message"]) == ("BAD_USER_INPUT", code, zh)
        assert body["data"] is None
    body = await api.gql(document("volumeReport"), {"f": {"year": 2025, "month": 5, "quarter": 1}}, token=token, headers=EN)
    assert body["errors"][0]["message"] == "Month 5 is not in quarter 1."
    body = await api.gql(document("fundFlowReport"), {"f": {"year": 2025, "quarter": 1}}, token=token, headers=EN)
    assert (body["errors"][0]["extensions"]["reason"], body["errors"][0]["message"]) == (
        "REPORT_PERIOD_YEAR_ONLY",
        "“Fund flow” is counted by fiscal year: it cannot be narrowed to a quarter or a month.",
    )
    body = await api.gql(document("fundFlowReport"), {"f": {"groupBy": ["CATEGORY"]}}, token=token)
    assert body["errors"][0]["message"] == "“资金流向”不能按“项目类别”分组。"
    # Those who take part in single processes read no reports.
    body = await api.gql(document("competitionReport"), token=await api.token("contractor1"))
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_a_region_outside_ones_scope_is_refused(api, fixture):
    body = await api.gql(document("volumeReport"), {"f": {"regionCode": COUNTY_B}}, token=fixture.tokens["county"], headers=EN)
    assert (body["errors"][0]["extensions"]["reason"], body["errors"][0]["message"]) == (
        "REPORT_REGION_OUT_OF_SCOPE",
        "That region is outside your scope: the report would hold nothing you may see.",
    )


@pytest.mark.once
def test_the_filter_is_checked_and_normalised():
    f = parse_filter(
        "volume", {"regionCode": "320500", "year": 2026, "quarter": 1, "categories": ["ROAD", "road"], "groupBy": ["region", "MONTH"]}
    )
    assert (f.region_prefix, f.categories, f.group_by, f.region_level) == ("3205", ("road",), ("region", "month"), "county")
    assert parse_filter("volume", f.arguments()) == f
    first, after = f.instants()  # type: ignore[misc]
    assert (first.isoformat(), after.isoformat()) == ("2026-01-01T00:00:00+08:00", "2026-04-01T00:00:00+08:00")
    assert parse_filter("volume", {"year": 2026, "month": 12}).days()[1].isoformat() == "2027-01-01"  # type: ignore[index]
    for code in ("320000", "320500", "320583", "110101", "429004"):
        assert parse_filter("volume", {"regionCode": code}).region_code == code
    for bad, reason in (
        ({"regionCode": "000000"}, "REPORT_REGION_INVALID"),
        ({"regionCode": "320005"}, "REPORT_REGION_INVALID"),
        ({"regionCode": "３２０５８３"}, "REPORT_REGION_INVALID"),
        ({"regionCode": 320583}, "REPORT_REGION_INVALID"),
        ({"year": "2026"}, "REPORT_ARGUMENT_INVALID"),
        ({"year": True}, "REPORT_ARGUMENT_INVALID"),
        ({"categories": ["bridge"]}, "REPORT_ARGUMENT_INVALID"),
        ({"groupBy": "REGION"}, "REPORT_ARGUMENT_INVALID"),
        ({"regionLevel": "TOWN"}, "REPORT_ARGUMENT_INVALID"),
        ({"colour": "red"}, "REPORT_ARGUMENT_INVALID"),
    ):
        with pytest.raises(Exception) as refused:
            parse_filter("volume", bad)
        assert refused.value.code == reason, bad  # type: ignore[attr-defined]


async def test_an_export_source_streams_the_reports_rows(api, state, fixture):
    from models.accounts import User
    from resolvers.accounts.auth import load_user_actor
    from resolvers.supervision.sources import EXPORT_SOURCES, ExportContext

    assert {
        f"report.{name}" for name in ("volume", "fund_flow", "cycle_time", "over_budget", "warning", "rectification", "competition")
    } <= set(EXPORT_SOURCES)
    source = EXPORT_SOURCES["report.volume"]
    arguments = source.parse({"year": 2025, "groupBy": ["REGION", "CATEGORY"]})
    assert arguments["groupBy"] == ["region", "category"]
    assert [c.title[1] for c in source.columns(arguments)] == [
        "Region code",
        "Category",
        "Projects applied for",
        "Budget (CNY)",
        "Contracts",
        "Contract amount (CNY)",
        "Paid (CNY)",
        "Retention held (CNY)",
    ]
    graphql = await report(api, fixture.tokens["city"], "volumeReport", {"year": 2025, "groupBy": ["REGION", "CATEGORY"]}, headers=EN)
    expected = [(r["group"]["regionCode"], r["group"]["label"].split(" · ")[1], *(r[name] for name in VOLUME)) for r in graphql["rows"]] + [
        ("Total", None, *(graphql["total"][name] for name in VOLUME))
    ]
    async with state.db.read() as session:
        user_id = (await session.execute(select(User.id).where(User.username == fixture.usernames["city"]))).scalar_one()
        actor = await load_user_actor(session, user_id, None)
        context = ExportContext(session=session, actor=actor, settings=state.settings, locale="en")
        streamed = [row async for row in source.rows(context, arguments)]
        assert await source.total(context, arguments) == len(streamed)  # type: ignore[misc]
    assert [tuple(str(c) if isinstance(c, Decimal) else c for c in row) for row in streamed] == expected
    assert len(expected) == 6  # A: road, greening, other; B: road, water; the total


@pytest.mark.once
def test_a_region_is_a_range_of_codes():
    from sqlalchemy import column
    from sqlalchemy.dialects import sqlite

    from resolvers.supervision.report_pipeline import in_region

    def bounds(code: str) -> list:
        condition = in_region(column("region_code"), parse_filter("volume", {"regionCode": code}))
        return list(condition.compile(dialect=sqlite.dialect()).params.values())

    assert bounds("320000") == ["32", "33"]
    assert bounds("320500") == ["3205", "3206"]
    assert bounds("320599") == ["320599", "320600"]
    assert bounds("999900") == ["9999"]
    assert in_region(column("region_code"), parse_filter("volume", {})) is None


@pytest.mark.once
def test_the_row_scope_reads_a_range_and_any_other_prefix_as_a_like():
    from sqlalchemy import column
    from sqlalchemy.dialects import sqlite

    from policies.scope import code_range

    def sql(prefix: str) -> str:
        return str(code_range(column("region_code"), prefix).compile(dialect=sqlite.dialect(), compile_kwargs={"literal_binds": True}))

    assert sql("3205") == "region_code >= '3205' AND region_code < '3206'"
    assert sql("") == "1"  # a platform-wide actor: every row (SQLite's true)
    # A prefix typed into a list filter that is not ASCII digits ("²" is a digit to Python,
    # not to int()): matched as text, never an error.
    assert sql("32²") == "region_code LIKE '32²' || '%' ESCAPE '/'"
    assert sql("３２") == "region_code LIKE '３２' || '%' ESCAPE '/'"
