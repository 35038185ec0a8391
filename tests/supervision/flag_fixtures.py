"""The processes the red-flag tests look at, written straight into the tables (as a data
import would): two counties of a province no other test uses (82xxxx), in 2024, where the
scheduled daily refresh of the current years never reaches.

County 820101 holds a process that raises each process rule, the outliers of the
second-price difference, a buyer who disqualifies too many bids and a contract paid early
and checked in from afar; county 820102 holds the tenderers of R025 and R038. Every
number the tests assert is worked out beside the rows that make it.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from conftest import make_uscc, unique
from factories import STRONG_PASSWORD

from models.accounts import Organisation, User, UserRole
from models.contracts import Contract, ContractMilestone, PaymentTerm
from models.payments import PaymentRequest
from models.progress import CheckIn, DailyLog
from models.projects import Project
from models.tendering import Bid, Tender
from resolvers.accounts import service as accounts
from resolvers.core.context import SYSTEM_ACTOR, RequestMeta
from resolvers.core.transaction import unit_of_work

SHANGHAI = ZoneInfo("Asia/Shanghai")
SIMPLE_CRITERIA = '[{"key": "price", "name": "价格", "kind": "price", "weight": "60"}, {"key": "plan", "name": "方案", "kind": "quality", "weight": "40"}]'
YEAR = 2024
COUNTY, OTHER_COUNTY, PROVINCE = "820101", "820102", "820000"


def at(month: int, day: int, hour: int = 10) -> datetime:
    return datetime(YEAR, month, day, hour, tzinfo=SHANGHAI)


@dataclass
class World:
    """Ids of what the fixture made, by the names the tests use."""

    organisations: dict[str, int] = field(default_factory=dict)
    tenders: dict[str, int] = field(default_factory=dict)
    tender_codes: dict[str, str] = field(default_factory=dict)
    contracts: dict[str, int] = field(default_factory=dict)
    users: dict[str, str] = field(default_factory=dict)  # role name -> username


# County 820101: (name, buyer, method, status, days to deadline, [(supplier, price, status, late)]).
# Second-price differences of the decided processes with two valid bids, in order:
# P6 .001, T3 .04, P1 .05, T30 .05, P2 .06, P3 .06, T28 .06, T36 .06, P4 .07, P5 .08, P7 .5:
# Q1 = .05, Q3 = .065 (h = 2.5 and 7.5), fences .05 − 1.5 × .015 = .0275 and .065 + .0225 = .0875.
COUNTY_PROCESSES = [
    (
        "P1",
        "B1",
        "rfq",
        "awarded",
        10,
        [("S1", "100000", "won"), ("S2", "105000", "lost"), ("S3", "110000", "lost"), ("S4", "120000", "disqualified")],
    ),
    ("P2", "B1", "rfq", "awarded", 10, [("S2", "100000", "won"), ("S3", "106000", "lost"), ("S1", "111000", "lost")]),
    ("P3", "B1", "rfq", "awarded", 10, [("S3", "100000", "won"), ("S1", "106000", "lost"), ("S2", "111000", "lost")]),
    (
        "P4",
        "B2",
        "rfq",
        "awarded",
        10,
        [("S1", "100000", "won"), ("S2", "107000", "lost"), ("S3", "112000", "lost"), ("S5", "120000", "disqualified")],
    ),
    ("P5", "B2", "rfq", "awarded", 10, [("S2", "100000", "won"), ("S3", "108000", "lost"), ("S1", "113000", "lost")]),
    # R024: the second-lowest bid only .1% above the winner.
    (
        "P6",
        "B3",
        "rfq",
        "awarded",
        10,
        [("S3", "100000", "won"), ("S1", "100100", "lost"), ("S2", "105000", "lost"), ("S6", "120000", "disqualified")],
    ),
    # R058: the second-lowest bid 50% above the winner.
    ("P7", "B3", "rfq", "awarded", 10, [("S1", "100000", "won"), ("S2", "150000", "lost"), ("S3", "155000", "lost")]),
    # R003: two days to bid.
    ("T3", "B4", "rfq", "awarded", 2, [("S4", "100000", "won"), ("S5", "104000", "lost"), ("S6", "109000", "lost")]),
    # R018: one bid, and the simple tender (minimum one supplier) went ahead.
    ("T18", "B4", "simple_tender", "evaluated", 10, [("S6", "100000", "qualified")]),
    # R028: two bids of 106,000.00.
    ("T28", "B4", "rfq", "awarded", 10, [("S4", "100000", "won"), ("S5", "106000", "lost"), ("S6", "106000", "lost")]),
    # R030: the winning bid came after the deadline.
    (
        "T30",
        "B4",
        "rfq",
        "awarded",
        10,
        [("S5", "100000", "won late"), ("S4", "105000", "lost"), ("S6", "110000", "lost"), ("S1", "130000", "disqualified")],
    ),
    # R035: both other tenderers disqualified.
    ("T35", "B5", "rfq", "awarded", 10, [("S6", "100000", "won"), ("S4", "105000", "disqualified"), ("S5", "108000", "disqualified")]),
    # R036: the lowest bid, 90,000.00, disqualified under the lowest-price method.
    ("T36", "B5", "rfq", "awarded", 10, [("S4", "90000", "disqualified"), ("S5", "100000", "won"), ("S6", "106000", "lost")]),
]
# R038 of buyers, ratios of disqualified bids: B4 1/11, B1 1/10, B2 1/7, B3 1/7, B5 3/6:
# Q1 = .1, Q3 = .142857, upper fence .142857 + 1.5 × .042857 = .207143: B5 only.

# County 820102, buyer B6. Valid bids and wins: U1 5/2, U2 4/2, U3 4/2, U4 4/2, U5 5/0, U6 5/3.
# R025: the 75th percentile of valid bids is 5 (U1, U5, U6 are top tenderers); win ratios
# 0, .4, .5, .5, .5, .6 give Q1 = .425, Q3 = .5, lower fence .425 − .1125 = .3125: U5 only.
# R038 of tenderers, disqualified of submitted: U5 0/5, U6 0/5, U1 1/6, U2 1/5, U3 1/5, U4 1/5,
# U7 3/3: Q1 = .083333, Q3 = .2, upper fence .375: U7 only.
OTHER_PROCESSES = [
    ("Q1", "U1", ["U5", "U2"], ["U4"]),
    ("Q2", "U1", ["U5", "U3"], []),
    ("Q3", "U2", ["U5", "U1"], []),
    ("Q4", "U2", ["U5", "U4"], ["U1"]),
    ("Q5", "U3", ["U5", "U6"], ["U2"]),
    ("Q6", "U3", ["U1", "U4"], []),
    ("Q7", "U4", ["U1", "U2"], ["U3"]),
    ("Q8", "U4", ["U3", "U6"], []),
    ("Q9", "U6", [], ["U7"]),
    ("Q10", "U6", [], ["U7"]),
    ("Q11", "U6", [], ["U7"]),
]


async def build(state) -> World:
    world = World()
    meta = RequestMeta(request_id=unique("flags-fixture"))
    async with unit_of_work(state, "test.red_flags", SYSTEM_ACTOR, meta) as uow:
        session = uow.session

        def organisation(name: str, kind: str, region: str) -> Organisation:
            org = Organisation(name=f"{name}{secrets.token_hex(2)}", kind=kind, uscc=make_uscc(), region_code=region)
            session.add(org)
            return org

        orgs = {key: organisation(f"测试采购人{key}", "owner", COUNTY) for key in ("B1", "B2", "B3", "B4", "B5")}
        orgs |= {key: organisation(f"测试供应商{key}", "contractor", COUNTY) for key in ("S1", "S2", "S3", "S4", "S5", "S6")}
        orgs["B6"] = organisation("测试采购人B6", "owner", OTHER_COUNTY)
        orgs |= {key: organisation(f"测试供应商{key}", "contractor", OTHER_COUNTY) for key in ("U1", "U2", "U3", "U4", "U5", "U6", "U7")}
        orgs["audit"] = organisation("测试审计局", "auditor", COUNTY)
        orgs["audit2"] = organisation("测试审计局二", "auditor", OTHER_COUNTY)
        orgs["audit_province"] = organisation("测试省审计厅", "auditor", PROVINCE)
        orgs["finance"] = organisation("测试财政局", "finance", COUNTY)
        orgs["supervisor"] = organisation("测试监理", "supervisor", COUNTY)
        await session.flush()
        world.organisations = {key: org.id for key, org in orgs.items()}

        # People who sign in, and the people who check in on site.
        for role, org_key in (
            ("auditor", "audit"),
            ("auditor2", "audit2"),
            ("province_auditor", "audit_province"),
            ("finance", "finance"),
            ("owner", "B1"),
        ):
            username = unique(f"rf_{role}_")
            roles = {"auditor2": ["auditor"], "province_auditor": ["auditor"], "finance": ["finance_officer"], "owner": ["owner_staff"]}
            data = accounts.UserData(
                username=username,
                display_name=f"预警测试{role}",
                organisation_id=orgs[org_key].id,
                password=STRONG_PASSWORD,
                roles=roles.get(role, [role]),
            )
            await accounts.create_user(uow, data)
            world.users[role] = username
        walkers = {}
        for key in ("S1", "supervisor"):
            person = User(username=unique("rf_site_"), display_name="现场人员", organisation_id=orgs[key].id, password_hash="x")
            session.add(person)
            walkers[key] = person
        await session.flush()
        for key, person in walkers.items():
            session.add(UserRole(user_id=person.id, role="contractor" if key == "S1" else "supervisor"))

        # Every process in three batches: projects, tenders, bids; then the winners.
        plans = [(name, buyer, COUNTY, method, status, days, bids) for name, buyer, method, status, days, bids in COUNTY_PROCESSES]
        for name, winner, losers, out in OTHER_PROCESSES:
            second = 100000 * (103 + int(name[1:])) // 100  # differences .04 to .11: no outlier
            bids = [(winner, "100000", "won")]
            bids += [(who, str(second + 5000 * i), "lost") for i, who in enumerate(losers)]
            bids += [(who, "150000", "disqualified") for who in out]
            plans.append((name, "B6", OTHER_COUNTY, "rfq", "awarded", 10, bids))
        projects = [
            Project(
                code=unique("RFXM"),
                title=f"预警测试项目{name}",
                owner_organisation_id=orgs[buyer].id,
                region_code=region,
                category="road",
                budget_amount=Decimal("200000.00"),
                status="contracted" if status == "awarded" else "tendering",
            )
            for name, buyer, region, _, status, _, _ in plans
        ]
        tenders = []
        session.add_all(projects)
        await session.flush()
        for day, ((name, buyer, region, method, status, days, bids), project) in enumerate(zip(plans, projects, strict=True)):
            published = at(3, 1) + timedelta(days=day % 20)
            deadline = published + timedelta(days=days)
            simple = method == "simple_tender"
            tenders.append(
                Tender(
                    code=unique("RFZB"),
                    project_id=project.id,
                    owner_organisation_id=orgs[buyer].id,
                    region_code=region,
                    title=f"预警测试采购{name}",
                    method=method,
                    status=status,
                    ceiling_price=Decimal("200000.00"),
                    bid_deadline=deadline,
                    opening_time=deadline + timedelta(hours=1),
                    clarification_deadline=deadline - timedelta(days=1),
                    minimum_suppliers=1 if simple else 3,
                    criteria=SIMPLE_CRITERIA if simple else "[]",
                    published_at=published,
                    opened_at=deadline + timedelta(hours=1),
                    evaluated_at=deadline + timedelta(days=1),
                    awarded_at=deadline + timedelta(days=5) if status == "awarded" else None,
                    number_of_tenderers=len(bids),
                )
            )
        session.add_all(tenders)
        await session.flush()
        placed: list[tuple[Tender, Bid]] = []
        for (name, _, _, _, _, _, bids), tender in zip(plans, tenders, strict=True):
            world.tenders[name], world.tender_codes[name] = tender.id, tender.code
            for supplier, price, bid_status in bids:
                late = bid_status.endswith(" late")
                bid_status = bid_status.removesuffix(" late")
                bid = Bid(
                    tender_id=tender.id,
                    organisation_id=orgs[supplier].id,
                    status=bid_status,
                    submissions=1,
                    submitted_at=tender.bid_deadline + timedelta(hours=2) if late else tender.published_at + timedelta(days=1),
                    opened_at=tender.opened_at,
                    opened_price=Decimal(price),
                    disqualification_reason="资格审查不合格" if bid_status == "disqualified" else None,
                )
                placed.append((tender, bid))
        session.add_all([bid for _, bid in placed])
        await session.flush()
        for tender, bid in placed:
            if bid.status in ("won", "qualified"):
                tender.recommended_bid_id, tender.award_value = bid.id, bid.opened_price
        await session.flush()

        # Contracts of P7 (paid before its second milestone was accepted; checked in from
        # 2.5 km on a logged work day) and of P1 (in order).
        async def contract(name: str, tender_name: str, winner: str, buyer: str) -> Contract:
            tender = await session.get(Tender, world.tenders[tender_name])
            assert tender is not None
            row = Contract(
                code=unique("RFHT"),
                number=unique("RF-"),
                title=f"预警测试合同{name}",
                project_id=tender.project_id,
                tender_id=tender.id,
                owner_organisation_id=orgs[buyer].id,
                contractor_organisation_id=orgs[winner].id,
                supervisor_organisation_id=orgs["supervisor"].id,
                region_code=COUNTY,
                status="active",
                amount=Decimal("100000.00"),
                award_value=Decimal("100000.00"),
                works_start=date(YEAR, 5, 1),
                works_end=date(YEAR, 10, 31),
                awarded_at=at(4, 1),
                signed_at=at(4, 10),
            )
            session.add(row)
            await session.flush()
            world.contracts[name] = row.id
            return row

        async def milestone_paid(row: Contract, sequence: int, accepted: datetime, paid: datetime) -> None:
            milestone = ContractMilestone(
                contract_id=row.id,
                sequence=sequence,
                code=f"M{sequence}",
                name=f"第{sequence}节点",
                planned_date=accepted.date(),
                share=Decimal("50.00"),
                status="accepted",
                accepted_at=accepted,
            )
            session.add(milestone)
            await session.flush()
            term = PaymentTerm(
                contract_id=row.id,
                sequence=sequence,
                name=f"第{sequence}期进度款",
                percentage=Decimal("50.00"),
                amount=Decimal("50000.00"),
                trigger_on="milestone",
                milestone_id=milestone.id,
                status="paid",
                paid_at=paid,
            )
            session.add(term)
            await session.flush()
            session.add(
                PaymentRequest(
                    code=unique("RFZF"),
                    contract_id=row.id,
                    term_id=term.id,
                    project_id=row.project_id,
                    region_code=row.region_code,
                    owner_organisation_id=row.owner_organisation_id,
                    contractor_organisation_id=row.contractor_organisation_id,
                    origin="manual",
                    trigger_on="milestone",
                    triggered_on=paid.date(),
                    amount=Decimal("50000.00"),
                    status="paid",
                    chain="owner_staff,finance_officer",
                    step=2,
                    paid_amount=Decimal("50000.00"),
                    paid_on=paid.astimezone(SHANGHAI).date(),
                    paid_at=paid,
                    requested_at=paid - timedelta(days=1),
                    updated_at=paid,
                )
            )

        def log(row: Contract, day: date, crew: int) -> None:
            session.add(
                DailyLog(
                    contract_id=row.id,
                    region_code=row.region_code,
                    log_date=day,
                    idempotency_key=unique("rf-log-"),
                    weather="晴",
                    work_done="施工。" if crew else "停工。",
                    crew_count=crew,
                )
            )

        def check_in(row: Contract, who: str, moment: datetime, metres: float) -> None:
            person = walkers[who]
            session.add(
                CheckIn(
                    contract_id=row.id,
                    region_code=row.region_code,
                    user_id=person.id,
                    user_name=person.display_name,
                    idempotency_key=unique("rf-in-"),
                    datum="wgs84",
                    latitude=31.4,
                    longitude=121.0,
                    wgs84_latitude=31.4,
                    wgs84_longitude=121.0,
                    accuracy_m=10.0,
                    device_time=moment,
                    checked_in_at=moment,
                    distance_m=metres,
                    flags="[]",
                )
            )

        c7 = await contract("C7", "P7", "S1", "B3")
        await milestone_paid(c7, 1, at(6, 10), at(6, 12, 15))
        await milestone_paid(c7, 2, at(8, 1), at(7, 20, 15))  # paid 12 days before the acceptance
        for day, crew in ((1, 5), (2, 5), (3, 0)):
            log(c7, date(YEAR, 7, day), crew)
        check_in(c7, "S1", at(7, 1, 10), 2500.0)  # only far on a logged work day: flagged
        check_in(c7, "S1", at(7, 2, 9), 3000.0)
        check_in(c7, "S1", at(7, 2, 15), 50.0)  # on site later that day: not flagged
        check_in(c7, "S1", at(7, 3, 10), 4000.0)  # no crew that day: not flagged
        c1 = await contract("C1", "P1", "S1", "B1")
        await milestone_paid(c1, 1, at(5, 1), at(5, 5, 15))
        log(c1, date(YEAR, 5, 2), 4)
        check_in(c1, "S1", at(5, 2, 9), 100.0)
        check_in(c1, "supervisor", at(5, 2, 16), 5000.0)  # the supervisor's, not the contractor's
    return world
