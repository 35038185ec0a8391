"""Red flags: each rule raises its flag for the process, buyer or supplier built to raise it
and not for the one beside it, with an explanation that names its numbers in both
languages; the flags are listed, filtered and counted (in SQL) within the viewer's region
only; an auditor acknowledges one with a comment (audited); computing again changes
nothing, and a flag that stops holding is cleared without losing its acknowledgement.

The processes are written straight into the tables (``flag_fixtures``) and computed once
for the module: the province's two counties in one call."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from conftest import count_statements, global_id, unique
from factories import STRONG_PASSWORD
from flag_fixtures import COUNTY, OTHER_COUNTY, PROVINCE, YEAR, build
from sqlalchemy import func, select, update

from models.supervision import RedFlag, RedFlagRun
from models.tendering import Tender
from resolvers.core.clock import today_in_china
from resolvers.core.context import SYSTEM_ACTOR, RequestMeta
from resolvers.core.transaction import unit_of_work
from resolvers.supervision import flag_rules, flags

ZH, EN = {"Accept-Language": "zh-CN"}, {"Accept-Language": "en"}
FIELDS = """id code codeLabel level levelLabel year regionCode status statusLabel explanation numbers
  raisedAt acknowledgedAt acknowledgedByName acknowledgement availableActions availableActionLabels
  tender { id code } contract { id code } buyer { id } supplier { id } suppliers { id }"""
LIST = "query($f: RedFlagFilter, $n: Int) { redFlags(filter: $f, first: $n) { totalCount nodes { %s } } }" % FIELDS
COUNTS = """query($by: RedFlagGroupBy!, $f: RedFlagFilter) {
  redFlagCounts(groupBy: $by, filter: $f) { key label total open acknowledged cleared organisation { id } } }"""
ACKNOWLEDGE = """mutation($input: AcknowledgeRedFlagInput!) { acknowledgeRedFlag(input: $input) {
  redFlag { status statusLabel acknowledgedByName acknowledgement availableActions history { action actionLabel toStatus comment } }
  errors { code field message } } }"""


async def compute(state, region: str = PROVINCE) -> flags.Settled:
    async with unit_of_work(state, "test.red_flags", SYSTEM_ACTOR, RequestMeta(request_id=unique("rf"))) as uow:
        return await flags.recompute_region(uow, region, YEAR)


@pytest.fixture(scope="module")
async def world(state):
    made = await build(state)
    settled = await compute(state)
    assert settled.raised == 16 and settled.cleared == 0, settled
    return made


@pytest.fixture(scope="module")
async def tokens(api, world):
    return {role: (await api.password_token(username, STRONG_PASSWORD))["access_token"] for role, username in world.users.items()}


@pytest.fixture(scope="module")
async def seen(api, world, tokens):
    """Every flag of the province as its auditor reads them, in either language, by
    (code, subject) where the subject is a tender's, contract's or organisation's name in
    the fixture."""
    names = {global_id("Tender", pk): name for name, pk in world.tenders.items()}
    names |= {global_id("Contract", pk): name for name, pk in world.contracts.items()}
    names |= {global_id("Organisation", pk): name for name, pk in world.organisations.items()}
    found: dict[tuple[str, str], dict] = {}
    for headers, language in ((ZH, "zh"), (EN, "en")):
        page = (await api.ok(LIST, {"n": 100}, token=tokens["province_auditor"], headers=headers))["redFlags"]
        assert page["totalCount"] == 16
        for node in page["nodes"]:
            subject = node["contract"] or node["tender"] or (node["buyer"] if node["level"] == "BUYER" else node["supplier"])
            entry = found.setdefault((node["code"], names[subject["id"]]), {**node})
            entry[language] = node["explanation"]
    return found


# (code, raised for, not raised for, what the zh-CN explanation says, what the en one says)
EXPECTED = [
    ("R003", "T3", "P1", ["投标期 2 天", "短于 5 天"], ["was 2 days", "shorter than 5 days"]),
    ("R018", "T18", "P1", ["仅收到 1 份投标"], ["Only 1 bid"]),
    (
        "R024",
        "P6",
        "T3",
        ["次低有效报价 100,100.00 元", "中标价 100,000.00 元", "高 0.10%", "下限 2.75%", "11 个采购项目", "Q1 5.00%", "Q3 6.50%"],
        ["CNY 100,100.00", "only 0.10% above", "lower fence of 2.75% over 11 processes", "Q1 5.00%, Q3 6.50%"],
    ),
    (
        "R025",
        "U5",
        "U1",
        ["有效投标 5 次", "第 75 百分位数 5 次", "仅中标 0 次", "中标率 0.00%", "下限 31.25%"],
        ["made 5 valid bids", "won 0", "31.25%"],
    ),
    ("R028", "T28", "P1", ["2 份投标报价相同", "106,000.00 元"], ["2 bids have identical prices", "CNY 106,000.00"]),
    (
        "R030",
        "T30",
        "P1",
        ["2024-03-21 12:00 (UTC+8) 递交", "晚于截止时间 2024-03-21 10:00 (UTC+8)"],
        ["received at 2024-03-21 12:00 (UTC+8)"],
    ),
    ("R035", "T35", "P1", ["其余 2 个投标人", "共 3 份投标"], ["2 other tenderer(s), 3 bids"]),
    ("R036", "T36", "P1", ["最低报价 90,000.00 元", "中标价 100,000.00 元"], ["lowest bid of CNY 90,000.00", "was disqualified"]),
    (
        "R038",
        "B5",
        "B1",
        ["收到的 6 份投标中有 3 份被判无效", "占 50.00%", "上限 20.71%", "5 个采购人"],
        ["3 of the 6 bids", "(50.00%)", "20.71%"],
    ),
    ("R038", "U7", "U1", ["递交的 3 份投标中有 3 份被判无效", "占 100.00%", "上限 37.50%"], ["3 of the 3 bids", "submitted", "37.50%"]),
    ("R058", "P7", "P5", ["次低有效报价 150,000.00 元", "高出 50.00%", "上限 8.75%"], ["is 50.00% above", "upper fence of 8.75%"]),
    (
        "SW01",
        "C7",
        "C1",
        ["1 笔付款早于", "于 2024-07-20 支付", "于 2024-08-01 才通过验收", "50,000.00 元"],
        ["paid on 2024-07-20", "accepted only on 2024-08-01"],
    ),
    ("SW02", "C7", "C1", ["1 天", "2500 米以上", "阈值 1000 米", "2024-07-01"], ["1 day(s)", "at least 2500 m", "threshold 1000 m"]),
]


@pytest.mark.parametrize(("code", "raised", "spared", "zh", "en"), EXPECTED, ids=[f"{e[0]}-{e[1]}" for e in EXPECTED])
async def test_each_rule_raises_its_flag_and_names_its_numbers(seen, code, raised, spared, zh, en):
    assert (code, raised) in seen, sorted(seen)
    assert (code, spared) not in seen
    flag = seen[(code, raised)]
    for text in zh:
        assert text in flag["zh"], (text, flag["zh"])
    for text in en:
        assert text in flag["en"], (text, flag["en"])
    assert flag["status"] == "OPEN" and flag["year"] == YEAR
    assert flag["codeLabel"] and flag["statusLabel"] == "待核查"


async def test_the_flags_carry_their_numbers_subjects_and_suppliers(seen, world):
    orgs = {name: global_id("Organisation", pk) for name, pk in world.organisations.items()}
    close = seen[("R024", "P6")]
    assert close["numbers"]["gap"] == "0.001000" and close["numbers"]["q1"] == "0.050000" and close["numbers"]["count"] == 11
    assert close["supplier"]["id"] == orgs["S3"] and {s["id"] for s in close["suppliers"]} == {orgs["S3"], orgs["S1"]}
    assert close["buyer"]["id"] == orgs["B3"] and close["level"] == "PROCESS" and close["regionCode"] == COUNTY
    identical = seen[("R028", "T28")]
    assert {s["id"] for s in identical["suppliers"]} == {orgs["S5"], orgs["S6"]} and identical["supplier"] is None
    buyer = seen[("R038", "B5")]
    assert (buyer["level"], buyer["levelLabel"], buyer["numbers"]["ratio"]) == ("BUYER", "采购人", "0.500000")
    assert buyer["suppliers"] == [] and buyer["tender"] is None
    tenderer = seen[("R025", "U5")]
    assert (tenderer["level"], tenderer["regionCode"], tenderer["supplier"]["id"]) == ("SUPPLIER", OTHER_COUNTY, orgs["U5"])
    early = seen[("SW01", "C7")]
    assert early["tender"]["id"] == global_id("Tender", world.tenders["P7"]) and early["supplier"]["id"] == orgs["S1"]
    # The province auditor may see them, and acknowledges only in their own region: all of it.
    assert early["availableActions"] == ["ACKNOWLEDGE"] and early["availableActionLabels"] == ["确认知悉"]


async def test_lists_and_counts_keep_to_the_viewers_region(api, world, tokens):
    county = (await api.ok(LIST, {"n": 100}, token=tokens["auditor"]))["redFlags"]
    other = (await api.ok(LIST, {"n": 100}, token=tokens["auditor2"]))["redFlags"]
    assert county["totalCount"] == 11 and {n["regionCode"] for n in county["nodes"]} == {COUNTY}
    assert other["totalCount"] == 5 and {n["regionCode"] for n in other["nodes"]} == {OTHER_COUNTY}
    by_region = (await api.ok(COUNTS, {"by": "REGION"}, token=tokens["province_auditor"]))["redFlagCounts"]
    assert [(c["key"], c["total"], c["open"]) for c in by_region if c["key"].startswith("82")] == [(COUNTY, 11, 11), (OTHER_COUNTY, 5, 5)]
    # A county auditor's totals leave out the other county.
    by_code = (await api.ok(COUNTS, {"by": "CODE", "f": {"year": YEAR}}, token=tokens["auditor2"], headers=EN))["redFlagCounts"]
    assert [(c["key"], c["label"], c["total"]) for c in by_code] == [
        ("R035", "All except winning bid disqualified", 3),
        ("R025", "Excessive unsuccessful bids", 1),
        ("R038", "Excessive disqualified bids", 1),
    ]
    orgs = {name: global_id("Organisation", pk) for name, pk in world.organisations.items()}
    suppliers = (await api.ok(COUNTS, {"by": "SUPPLIER", "f": {"regionCode": COUNTY}}, token=tokens["auditor"]))["redFlagCounts"]
    s1 = next(c for c in suppliers if c["key"] == orgs["S1"])  # R024 (second bidder), R058, SW01, SW02
    assert (s1["total"], s1["organisation"]["id"], s1["label"].startswith("测试供应商S1")) == (4, orgs["S1"], True)
    buyers = (await api.ok(COUNTS, {"by": "BUYER", "f": {"codes": ["R038"]}}, token=tokens["province_auditor"]))["redFlagCounts"]
    assert [(c["key"], c["total"]) for c in buyers] == [(orgs["B5"], 1)]
    years = (await api.ok(COUNTS, {"by": "YEAR", "f": {"regionCode": "820000"}}, token=tokens["province_auditor"]))["redFlagCounts"]
    assert years == [{"key": str(YEAR), "label": str(YEAR), "total": 16, "open": 16, "acknowledged": 0, "cleared": 0, "organisation": None}]
    # Filters (one request): code, level, status, tender, buyer, supplier, region.
    filters = {
        "codes": ({"codes": ["R003", "R018"]}, 2),
        "levels": ({"levels": ["SUPPLIER"]}, 2),
        "statuses": ({"statuses": ["CLEARED"]}, 0),
        "tender": ({"tenderId": global_id("Tender", world.tenders["P7"])}, 3),  # R058, SW01, SW02
        "buyer": ({"buyerId": orgs["B4"]}, 4),  # R003, R018, R028, R030
        "supplier": ({"supplierId": orgs["S6"], "regionCode": COUNTY}, 3),  # R018, R028, R035
        "region": ({"regionCode": OTHER_COUNTY}, 5),
    }
    document = "query(%s) { %s }" % (
        ", ".join(f"${name}: RedFlagFilter" for name in filters),
        " ".join(f"{name}: redFlags(filter: ${name}, first: 1) {{ totalCount }}" for name in filters),
    )
    totals = await api.ok(document, {name: given for name, (given, _) in filters.items()}, token=tokens["province_auditor"])
    assert {name: totals[name]["totalCount"] for name in filters} == {name: expected for name, (_, expected) in filters.items()}
    # A filter never widens the viewer's scope.
    assert (await api.ok(LIST, {"f": {"regionCode": OTHER_COUNTY}, "n": 1}, token=tokens["auditor"]))["redFlags"]["totalCount"] == 0
    bad = await api.gql(LIST, {"f": {"regionCode": "82"}, "n": 1}, token=tokens["auditor"])
    assert bad["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT" and bad["data"]["redFlags"] is None


async def test_who_may_read_and_acknowledge(api, world, tokens, seen):
    finance = (await api.ok(LIST, {"n": 1}, token=tokens["finance"]))["redFlags"]
    assert finance["totalCount"] == 11 and finance["nodes"][0]["availableActions"] == []  # reads, cannot acknowledge
    for role in ("owner",):
        refused = await api.gql(LIST, {"n": 1}, token=tokens[role])
        assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN" and refused["data"]["redFlags"] is None
    flag = seen[("R036", "T36")]
    node = "query($id: ID!) { node(id: $id) { id ... on RedFlag { code } } }"
    assert (await api.ok(node, {"id": flag["id"]}, token=tokens["auditor2"]))["node"] is None
    assert (await api.ok(node, {"id": flag["id"]}, token=tokens["auditor"]))["node"] == {"id": flag["id"], "code": "R036"}
    ask = {"input": {"id": flag["id"], "comment": "已调阅评标报告：最低价投标人未提交资质证书，判定有据。"}}
    for role, code in (("finance", "FORBIDDEN"), ("owner", "FORBIDDEN"), ("auditor2", "NOT_FOUND")):
        body = await api.gql(ACKNOWLEDGE, ask, token=tokens[role])
        assert body["errors"][0]["extensions"]["code"] == code, role
    empty = (await api.ok(ACKNOWLEDGE, {"input": {"id": flag["id"], "comment": "  "}}, token=tokens["auditor"]))["acknowledgeRedFlag"]
    assert empty["redFlag"] is None and [(e["code"], e["field"]) for e in empty["errors"]] == [("REQUIRED", "comment")]
    done = (await api.ok(ACKNOWLEDGE, ask, token=tokens["auditor"]))["acknowledgeRedFlag"]
    assert done["errors"] == []
    red = done["redFlag"]
    assert (red["status"], red["statusLabel"], red["acknowledgement"], red["availableActions"]) == (
        "ACKNOWLEDGED",
        "已确认知悉",
        ask["input"]["comment"],
        [],
    )
    assert red["acknowledgedByName"] == "预警测试auditor"
    assert [(h["action"], h["toStatus"], h["comment"]) for h in red["history"]] == [
        ("raise", "OPEN", None),
        ("acknowledge", "ACKNOWLEDGED", ask["input"]["comment"]),
    ]
    again = (await api.ok(ACKNOWLEDGE, ask, token=tokens["auditor"], headers=EN))["acknowledgeRedFlag"]
    assert [e["code"] for e in again["errors"]] == ["RED_FLAG_ALREADY_ACKNOWLEDGED"] and "预警测试auditor" in again["errors"][0]["message"]
    trail = """query($id: ID) { auditEvents(first: 5, filter: {targetType: "RedFlag", targetId: $id}) { nodes { operation changes } } }"""
    events = (await api.ok(trail, {"id": flag["id"]}, token=tokens["auditor"]))["auditEvents"]["nodes"]
    assert [e["operation"] for e in events][:1] == ["Mutation.acknowledgeRedFlag"]
    assert events[0]["changes"]["comment"] == ask["input"]["comment"]


async def test_computing_again_changes_nothing_and_a_flag_that_stops_holding_is_cleared(api, state, world, tokens, seen):
    assert (await compute(state)).changes == 0
    flag = seen[("R003", "T3")]
    comment = "招标人称系节前应急抢修，已要求补充说明。"
    assert (await api.ok(ACKNOWLEDGE, {"input": {"id": flag["id"], "comment": comment}}, token=tokens["auditor"]))["acknowledgeRedFlag"][
        "errors"
    ] == []
    tender_id = world.tenders["T3"]

    async def move_deadline(days: int) -> flags.Settled:
        async with unit_of_work(state, "test.red_flags", SYSTEM_ACTOR, RequestMeta(request_id=unique("rf"))) as uow:
            tender = await uow.session.get(Tender, tender_id)
            assert tender is not None and tender.published_at is not None
            tender.bid_deadline = tender.published_at + timedelta(days=days)
            tender.opening_time = tender.bid_deadline + timedelta(hours=1)
        return await compute(state, COUNTY)

    one = "query($id: ID!) { node(id: $id) { ... on RedFlag { status acknowledgement clearedAt history { action } } } }"
    assert (await move_deadline(10)).cleared == 1
    cleared = (await api.ok(one, {"id": flag["id"]}, token=tokens["auditor"]))["node"]
    assert (cleared["status"], cleared["acknowledgement"]) == ("CLEARED", comment) and cleared["clearedAt"] is not None
    assert (await move_deadline(2)).reopened == 1  # holds again: acknowledged as before, nobody told again
    back = (await api.ok(one, {"id": flag["id"]}, token=tokens["auditor"]))["node"]
    assert (back["status"], back["acknowledgement"], back["clearedAt"]) == ("ACKNOWLEDGED", comment, None)
    assert [h["action"] for h in back["history"]] == ["raise", "acknowledge", "clear", "reinstate"]
    assert (await compute(state)).changes == 0


async def test_events_mark_the_region_stale_and_the_scheduled_rule_computes_it(api, state, world, tokens):
    """The reaction to a tender's event marks its region and year stale; the scheduled rule
    computes the stale regions and clears the mark."""
    await flags.tender_changed(state, "0", {"code": world.tender_codes["T18"]})
    async with state.db.read() as session:
        run = (await session.execute(select(RedFlagRun).where(RedFlagRun.region_code == COUNTY, RedFlagRun.year == YEAR))).scalar_one()
    assert run.stale_since is not None and run.computed_at is None
    async with unit_of_work(state, "cron.recompute_red_flags", SYSTEM_ACTOR, RequestMeta(request_id=unique("rf"))) as uow:
        await uow.session.execute(update(RedFlagRun).where(RedFlagRun.region_code != COUNTY).values(computed_at=uow.now, stale_since=None))
        assert await flags.recompute_red_flags(uow, today_in_china(uow.now)) == 0  # nothing new to find
    async with state.db.read() as session:
        run = (await session.execute(select(RedFlagRun).where(RedFlagRun.region_code == COUNTY, RedFlagRun.year == YEAR))).scalar_one()
        count = (await session.execute(select(func.count()).select_from(RedFlag).where(RedFlag.region_code == COUNTY))).scalar_one()
    assert run.stale_since is None and run.computed_at is not None and count == 11
    inbox = "query { notifications(first: 50) { nodes { eventType title body } } }"
    told = [n for n in (await api.ok(inbox, token=tokens["auditor"]))["notifications"]["nodes"] if n["eventType"] == "red_flag.raised"]
    assert len(told) == 11  # once per flag, however often it was computed again
    assert any(n["title"] == "风险预警：投标期过短" and "投标期 2 天" in n["body"] and COUNTY in n["body"] for n in told)
    other = [n for n in (await api.ok(inbox, token=tokens["auditor2"]))["notifications"]["nodes"] if n["eventType"] == "red_flag.raised"]
    assert len(other) == 5 and all(OTHER_COUNTY in n["body"] and COUNTY not in n["body"] for n in other)


async def test_a_page_of_flags_costs_the_same_statements_whatever_its_size(api, state, tokens, world):
    await api.ok(LIST, {"n": 2}, token=tokens["province_auditor"])  # warm: the viewer and the documents
    counted = []
    for size in (2, 12):
        with count_statements(state) as statements:
            page = (await api.ok(LIST, {"n": size}, token=tokens["province_auditor"]))["redFlags"]
        assert len(page["nodes"]) == size
        counted.append(len(statements))
    assert counted[0] == counted[1], counted


@pytest.mark.once
def test_fences_follow_cardinal():
    class Settings:
        red_flag_outlier_minimum_group = 5
        red_flag_fence_multiplier = Decimal("1.5")

    def member(value: str, q1: str, q3: str, count: int = 8) -> flag_rules.Measured:
        return flag_rules.Measured("820101", 1, Decimal(value), count, Decimal(q1), Decimal(q3))

    # A lower fence at or below zero, or a first quartile of zero, singles nothing out.
    assert flag_rules.outliers([member("0", "0", "0.2")], low=True, fixed=None, settings=Settings) == []
    assert flag_rules.outliers([member("0", "0.1", "0.5")], low=True, fixed=None, settings=Settings) == []
    [(m, fence)] = flag_rules.outliers([member("0.02", "0.05", "0.065")], low=True, fixed=None, settings=Settings)
    assert fence.value == Decimal("0.0275") and fence.numbers()["fence"] == "0.027500"
    # An upper fence of zero (three quarters at zero) singles nothing out; a small group is not measured.
    assert flag_rules.outliers([member("0.5", "0", "0")], low=False, fixed=None, settings=Settings) == []
    assert flag_rules.outliers([member("0.9", "0.1", "0.2", count=4)], low=False, fixed=None, settings=Settings) == []
    # A set threshold replaces the fence, whatever the group.
    [(m, fence)] = flag_rules.outliers([member("0.6", "0", "0", count=1)], low=False, fixed=Decimal("0.5"), settings=Settings)
    assert fence.fixed and "不低于设定的阈值 50.00%" in flag_rules.explanation(
        "R058", "process", {"gap": "0.6", "winner_price": "1.00", "second_price": "1.60", "winner": "甲", **fence.numbers()}, "zh-CN"
    )
    assert flag_rules.percent("0.0012345") == "0.12%"


@pytest.mark.once
def test_the_own_rules_read_days_in_china():
    payment = flag_rules.Payment("ZF1", Decimal("1.00"), date(2024, 8, 1), datetime(2024, 8, 1, 3, tzinfo=UTC), "milestone", "基础", None)
    assert flag_rules.paid_early(payment)  # never accepted
    accepted = replace(payment, accepted_at=datetime(2024, 8, 1, 2, tzinfo=UTC))  # 10:00 in China, an hour before
    assert not flag_rules.paid_early(accepted)
    # Recorded after the acceptance, but paid on the day before it.
    assert flag_rules.paid_early(replace(accepted, paid_on=date(2024, 7, 31)))
    # 23:30 UTC on 30 June is 07:30 on 1 July in China: the check-in belongs to 1 July's log.
    seen = [flag_rules.CheckInSeen(datetime(2024, 6, 30, 23, 30, tzinfo=UTC), 1500.0)]
    assert flag_rules.far_days([date(2024, 7, 1)], seen, 1000.0) == [(date(2024, 7, 1), 1500.0)]
    assert flag_rules.far_days([date(2024, 6, 30)], seen, 1000.0) == []
    on_site = flag_rules.CheckInSeen(datetime(2024, 7, 1, 5, tzinfo=UTC), 20.0)
    assert flag_rules.far_days([date(2024, 7, 1)], [*seen, on_site], 1000.0) == []


async def test_the_list_streams_for_an_export(state, world):
    from resolvers.core.context import Actor
    from resolvers.supervision.sources import EXPORT_SOURCES, ExportContext

    source = EXPORT_SOURCES["list.red_flags"]
    arguments = source.parse({"codes": ["r024", "R058"], "regionCode": COUNTY})
    assert arguments == {"codes": ["R024", "R058"], "regionCode": COUNTY}
    with pytest.raises(Exception) as refused:
        source.parse({"codes": ["R999"]})
    assert getattr(refused.value, "code", None) == "RED_FLAG_FILTER_INVALID"
    auditor = Actor("user", 0, "x", 0, "auditor", OTHER_COUNTY, frozenset({"auditor"}), scopes=frozenset({"read"}))
    async with state.db.read() as session:
        ctx = ExportContext(session=session, actor=auditor, settings=state.settings, locale="en")
        assert await source.total(ctx, arguments) == 0  # the other county's auditor
        ctx = ExportContext(
            session=session, actor=auditor.__class__(**{**auditor.__dict__, "region_code": PROVINCE}), settings=state.settings, locale="en"
        )
        rows = [row async for row in source.rows(ctx, arguments)]
    assert [(r[0], r[1], r[5] is not None) for r in sorted(rows)] == [
        ("R024", "Price close to winning bid", True),
        ("R058", "Heavily discounted bid", True),
    ]
    assert len(source.columns(arguments)) == len(rows[0]) and "2.75%" in next(r for r in rows if r[0] == "R024")[8]
