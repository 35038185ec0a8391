"""The reports' fixture: a small province of known figures, inserted directly (ORM rows in one
unit of work), in a region no other test uses: province 86, city 8601, counties 860101 (A)
and 860102 (B). Its people: an auditor of county A, an auditor of the city (both counties),
and the staff of A's owner.

Every timestamp is written as China time and stored in UTC; the answers the tests expect are
worked out by hand from the table below, not by the code under test.

| project | county | category | budget | applied (CST) | approved | tendered | signed | works | accepted | settled | status |
|---|---|---|---|---|---|---|---|---|---|---|---|
| P1 | A | road | 100,000 | 01-06 09:00 | 01-09 09:00 (3 d) | 01-13 (4 d) | 02-12 (30 d) | 02-17 (5 d) | 04-18 (60 d) | 05-08 (20 d) | closed |
| P2 | A | greening | 50,000 | 03-03 09:00 | 03-10 09:00 (7 d) | 03-12 (2 d) | 04-11 (30 d) | | | | contracted |
| P3 | A | road | 80,000 | 03-27 01:00 | 04-01 01:00 (5 d; March in UTC) | 04-08 01:00 (7 d) | | | | | tendering |
| P4 | A | water | 30,000 | never (a draft) | | | | | | | draft |
| P5 | A | greening | 20,000 | 06-02 09:00 | (rejected) | | | | | | rejected |
| P6 | B | road | 200,000 | 01-13 09:00 | 01-23 09:00 (10 d) | 01-27 (4 d) | 02-26 (30 d) | 03-03 (5 d) | | | in_progress |
| P7 | B | water | 60,000 | 02-03 09:00 | 02-07 09:00 (4 d) | 04-28 (80 d) | | | | | approved (its tender failed) |
| P8 | A | other | 10,000 | 07-01 01:00 (June in UTC) | 07-03 01:00 (2 d) | | | | | | cancelled |

All in 2025. Tenders (method, opened, bids opened): T1 P1 rfq 01-20, X Y Z (W withdrew);
T2 P2 rfq 03-20, Z alone; T3 P3 simple_tender published, not opened; T6 P6 simple_tender
02-10, Y X; T7 P7 rfq 05-05, W alone (failed). Contracts in force or completed: C1 (T1, X,
95,000, completed), C2 (T2, Z, 55,000, active), C6 (T6, Y, 210,000, active); C1x (T1, X, 99,999)
was terminated. Paid: P1 95,000; P2 10,000 (a 5,000 request approved, not paid; a rejected
one); P6 205,000. Retention not yet paid: C2 1,650; C6 6,300 (C1's 2,850 was paid).
Allocations: A 2025 300,000 (and 2024 100,000), B 2025 500,000; reservations: P1, P2, P3 of
A's, P6, P7 of B's, P8's released.

Warnings (raised, resolved): W1 C1 milestone_overdue 2025-03-01 09:00 → 03-04 09:00 (3 d);
W2 C1 no_daily_log 2025-03-10 09:00 → 03-11 21:00 (1.5 d); W3 C2 no_daily_log acknowledged,
raised 2 days before the fixture was made; W4 C6 milestone_overdue 2025-04-01 → 04-11 (10 d);
W5 C6 outside_geofence open, raised 4 days before.

Rectifications (due, closed CST): R1 C1 2025-03-10, closed 03-09 10:00 (on time); R2 C1
2025-03-10, closed 03-11 01:00 (late in China, on time by the UTC date); R3 C2 2025-05-01
open; R4 C2 due in 30 days, responded; R5 C6 2025-04-15 open.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from conftest import DEMO_PASSWORD, make_uscc, unique

from models.accounts import Organisation
from models.contracts import Contract, PaymentTerm
from models.payments import PaymentRequest
from models.progress import ChecklistTemplate, Inspection, InspectionItem, ProgressWarning, Rectification
from models.projects import BudgetAllocation, BudgetReservation, Project, ProjectStatusChange
from models.tendering import Bid, Tender
from resolvers.accounts import service as accounts
from resolvers.core.clock import SHANGHAI, today_in_china
from resolvers.core.context import SYSTEM_ACTOR, RequestMeta
from resolvers.core.transaction import unit_of_work

PROVINCE, CITY, COUNTY_A, COUNTY_B = "860000", "860100", "860101", "860102"
# The status a project's history records each action moving it to.
MOVES_TO = {
    "submit": "submitted",
    "approve": "approved",
    "reject": "rejected",
    "start_tendering": "tendering",
    "end_tendering": "approved",
    "sign_contract": "contracted",
    "start_works": "in_progress",
    "complete_works": "completed",
    "settle": "closed",
    "cancel": "cancelled",
}


def cst(text: str) -> datetime:
    """``2025-01-06 09:00`` in China time, as an aware datetime."""
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


@dataclass
class Fixture:
    usernames: dict[str, str] = field(default_factory=dict)  # county, city, owner
    tokens: dict[str, str] = field(default_factory=dict)  # theirs, filled by the caller (it has the API)
    organisations: dict[str, int] = field(default_factory=dict)  # owner_a, owner_b, x, y, z, w
    now: datetime | None = None  # when the fixture was made (the service's clock)
    today: date | None = None


# project key: (county, category, budget, status, events as (action, China time))
PROJECTS = {
    "P1": (
        "A",
        "road",
        "100000.00",
        "closed",
        [
            ("submit", "2025-01-06 09:00"),
            ("approve", "2025-01-09 09:00"),
            ("start_tendering", "2025-01-13 09:00"),
            ("sign_contract", "2025-02-12 09:00"),
            ("start_works", "2025-02-17 09:00"),
            ("complete_works", "2025-04-18 09:00"),
            ("settle", "2025-05-08 09:00"),
        ],
    ),
    "P2": (
        "A",
        "greening",
        "50000.00",
        "contracted",
        [
            ("submit", "2025-03-03 09:00"),
            ("approve", "2025-03-10 09:00"),
            ("start_tendering", "2025-03-12 09:00"),
            ("sign_contract", "2025-04-11 09:00"),
        ],
    ),
    "P3": (
        "A",
        "road",
        "80000.00",
        "tendering",
        [("submit", "2025-03-27 01:00"), ("approve", "2025-04-01 01:00"), ("start_tendering", "2025-04-08 01:00")],
    ),
    "P4": ("A", "water", "30000.00", "draft", []),
    "P5": ("A", "greening", "20000.00", "rejected", [("submit", "2025-06-02 09:00"), ("reject", "2025-06-05 09:00")]),
    "P6": (
        "B",
        "road",
        "200000.00",
        "in_progress",
        [
            ("submit", "2025-01-13 09:00"),
            ("approve", "2025-01-23 09:00"),
            ("start_tendering", "2025-01-27 09:00"),
            ("sign_contract", "2025-02-26 09:00"),
            ("start_works", "2025-03-03 09:00"),
        ],
    ),
    "P7": (
        "B",
        "water",
        "60000.00",
        "approved",
        [
            ("submit", "2025-02-03 09:00"),
            ("approve", "2025-02-07 09:00"),
            ("start_tendering", "2025-04-28 09:00"),
            ("end_tendering", "2025-05-05 10:00"),
        ],
    ),
    "P8": (
        "A",
        "other",
        "10000.00",
        "cancelled",
        [("submit", "2025-07-01 01:00"), ("approve", "2025-07-03 01:00"), ("cancel", "2025-07-10 09:00")],
    ),
}

# tender key: (project, method, status, published, opened or None, bids: [(bidder, opened)])
TENDERS = {
    "T1": ("P1", "rfq", "awarded", "2025-01-13 09:00", "2025-01-20 09:00", [("x", True), ("y", True), ("z", True), ("w", False)]),
    "T2": ("P2", "rfq", "awarded", "2025-03-12 09:00", "2025-03-20 09:00", [("z", True)]),
    "T3": ("P3", "simple_tender", "published", "2025-04-08 01:00", None, []),
    "T6": ("P6", "simple_tender", "awarded", "2025-01-27 09:00", "2025-02-10 09:00", [("y", True), ("x", True)]),
    "T7": ("P7", "rfq", "failed", "2025-04-28 09:00", "2025-05-05 09:00", [("w", True)]),
}

# contract key: (tender, contractor, amount, status, signed)
CONTRACTS = {
    "C1x": ("T1", "x", "99999.00", "terminated", None),
    "C1": ("T1", "x", "95000.00", "completed", "2025-02-12 09:00"),
    "C2": ("T2", "z", "55000.00", "active", "2025-04-11 09:00"),
    "C6": ("T6", "y", "210000.00", "active", "2025-02-26 09:00"),
}

# payment requests: (contract, amount, status, paid amount)
REQUESTS = [
    ("C1", "95000.00", "paid", "95000.00"),
    ("C2", "10000.00", "paid", "10000.00"),
    ("C2", "5000.00", "approved", None),
    ("C2", "3000.00", "rejected", None),
    ("C6", "205000.00", "paid", "205000.00"),
]

# retention terms: (contract, amount, status)
RETENTION = [("C1", "2850.00", "paid"), ("C2", "1650.00", "scheduled"), ("C6", "6300.00", "scheduled")]


async def make(state) -> Fixture:
    """Insert the fixture; its people's tokens are taken by the caller (it has the API)."""
    fixture = Fixture(now=state.clock.now())
    fixture.today = today_in_china(fixture.now)
    now = fixture.now
    tag = unique("")
    region = {"A": COUNTY_A, "B": COUNTY_B}
    async with unit_of_work(state, "test", SYSTEM_ACTOR, RequestMeta(request_id="t")) as uow:
        session = uow.session

        def organisation(key: str, name: str, kind: str, code: str) -> Organisation:
            org = Organisation(name=f"{name}{tag}", kind=kind, uscc=make_uscc(), region_code=code)
            session.add(org)
            return org

        orgs = {
            "owner_a": organisation("owner_a", "甲县建设单位", "owner", COUNTY_A),
            "owner_b": organisation("owner_b", "乙县建设单位", "owner", COUNTY_B),
            "auditor_a": organisation("auditor_a", "甲县审计局", "auditor", COUNTY_A),
            "auditor_city": organisation("auditor_city", "市审计局", "auditor", CITY),
            **{k: organisation(k, f"施工单位{k.upper()}", "contractor", COUNTY_A) for k in ("x", "y", "z", "w")},
        }
        await session.flush()
        fixture.organisations = {key: org.id for key, org in orgs.items()}
        owners = {"A": orgs["owner_a"].id, "B": orgs["owner_b"].id}

        for key, org_key, role in (
            ("county", "auditor_a", "auditor"),
            ("city", "auditor_city", "auditor"),
            ("owner", "owner_a", "owner_staff"),
        ):
            username = f"rp_{key}_{tag}"
            await accounts.create_user(
                uow,
                accounts.UserData(
                    username=username,
                    display_name=f"报表测试 {key}",
                    organisation_id=orgs[org_key].id,
                    password=DEMO_PASSWORD,
                    roles=[role],
                ),
            )
            fixture.usernames[key] = username

        projects: dict[str, Project] = {}
        for key, (county, category, budget, status, _) in PROJECTS.items():
            project = Project(
                code=f"RP{tag}{key}",
                title=f"报表测试项目{key}",
                owner_organisation_id=owners[county],
                region_code=region[county],
                category=category,
                budget_amount=Decimal(budget),
                status=status,
                created_at=cst("2025-01-01 08:00"),
                updated_at=now,
            )
            session.add(project)
            projects[key] = project
        await session.flush()
        for key, (_, _, _, _, events) in PROJECTS.items():
            for action, moment in events:
                session.add(
                    ProjectStatusChange(
                        project_id=projects[key].id,
                        to_status=MOVES_TO[action],
                        action=action,
                        actor_name="报表测试",
                        occurred_at=cst(moment),
                    )
                )

        tenders: dict[str, Tender] = {}
        for key, (project_key, method, status, published, opened, _) in TENDERS.items():
            project = projects[project_key]
            deadline = cst(opened) if opened else cst(published) + timedelta(days=10)
            tender = Tender(
                code=f"RT{tag}{key}",
                project_id=project.id,
                active_for_project=project.id if status not in ("failed", "cancelled") else None,
                owner_organisation_id=project.owner_organisation_id,
                region_code=project.region_code,
                title=f"报表测试招标{key}",
                method=method,
                status=status,
                ceiling_price=project.budget_amount,
                bid_deadline=deadline,
                opening_time=deadline,
                clarification_deadline=deadline - timedelta(days=2),
                published_at=cst(published),
                opened_at=cst(opened) if opened else None,
            )
            session.add(tender)
            tenders[key] = tender
        await session.flush()
        for key, (_, _, _, _, opened, bids) in TENDERS.items():
            for bidder, was_opened in bids:
                session.add(
                    Bid(
                        tender_id=tenders[key].id,
                        organisation_id=orgs[bidder].id,
                        status="opened" if was_opened else "withdrawn",
                        submitted_at=cst(opened) - timedelta(days=1) if opened else None,
                        opened_at=cst(opened) if was_opened and opened else None,
                        opened_price=Decimal("1000.00") if was_opened else None,
                    )
                )

        contracts: dict[str, Contract] = {}
        for key, (tender_key, contractor, amount, status, signed) in CONTRACTS.items():
            tender = tenders[tender_key]
            contract = Contract(
                code=f"RC{tag}{key}",
                number=f"RC-{tag}-{key}",
                title=f"报表测试合同{key}",
                project_id=tender.project_id,
                tender_id=tender.id,
                active_for_tender=tender.id if status != "terminated" else None,
                owner_organisation_id=tender.owner_organisation_id,
                contractor_organisation_id=orgs[contractor].id,
                region_code=tender.region_code,
                status=status,
                amount=Decimal(amount),
                award_value=Decimal(amount),
                works_start=date(2025, 3, 1),
                works_end=date(2025, 6, 30),
                awarded_at=cst("2025-01-25 09:00"),
                signed_at=cst(signed) if signed else None,
                completed_at=cst("2025-04-18 09:00") if status == "completed" else None,
                terminated_at=now if status == "terminated" else None,
            )
            session.add(contract)
            contracts[key] = contract
        await session.flush()

        for sequence, (contract_key, amount, status) in enumerate(RETENTION, start=90):
            session.add(
                PaymentTerm(
                    contract_id=contracts[contract_key].id,
                    sequence=sequence,
                    name="质保金",
                    percentage=Decimal("3.00"),
                    amount=Decimal(amount),
                    trigger_on="retention",
                    status=status,
                )
            )
        for sequence, (contract_key, amount, status, paid) in enumerate(REQUESTS, start=1):
            contract = contracts[contract_key]
            term = PaymentTerm(
                contract_id=contract.id,
                sequence=sequence,
                name=f"进度款{sequence}",
                percentage=Decimal("10.00"),
                amount=Decimal(amount),
                trigger_on="signing",
                status="paid" if status == "paid" else "due",
            )
            session.add(term)
            await session.flush()
            session.add(
                PaymentRequest(
                    code=f"RQ{tag}{sequence}",
                    contract_id=contract.id,
                    term_id=term.id,
                    project_id=contract.project_id,
                    region_code=contract.region_code,
                    owner_organisation_id=contract.owner_organisation_id,
                    contractor_organisation_id=contract.contractor_organisation_id,
                    live_for_term=term.id if status != "rejected" else None,
                    origin="automatic",
                    trigger_on="signing",
                    triggered_on=date(2025, 4, 1),
                    amount=Decimal(amount),
                    status=status,
                    chain="owner_staff,finance_officer",
                    step=2 if status in ("approved", "paid") else 0,
                    paid_amount=Decimal(paid) if paid else None,
                    paid_on=date(2025, 4, 20) if paid else None,
                    paid_at=cst("2025-04-20 10:00") if paid else None,
                )
            )

        allocations = {
            ("A", 2025): BudgetAllocation(
                organisation_id=owners["A"], fiscal_year=2025, amount=Decimal("300000.00"), reserved=Decimal("230000.00")
            ),
            ("A", 2024): BudgetAllocation(organisation_id=owners["A"], fiscal_year=2024, amount=Decimal("100000.00")),
            ("B", 2025): BudgetAllocation(
                organisation_id=owners["B"], fiscal_year=2025, amount=Decimal("500000.00"), reserved=Decimal("260000.00")
            ),
        }
        session.add_all(allocations.values())
        await session.flush()
        for key, released in (("P1", False), ("P2", False), ("P3", False), ("P6", False), ("P7", False), ("P8", True)):
            project = projects[key]
            county = PROJECTS[key][0]
            session.add(
                BudgetReservation(
                    project_id=project.id,
                    allocation_id=allocations[(county, 2025)].id,
                    amount=project.budget_amount,
                    reserved_at=cst("2025-02-01 09:00"),
                    released_at=cst("2025-07-10 09:00") if released else None,
                )
            )

        def warning(contract_key: str, kind: str, raised: datetime, status: str, resolved: datetime | None) -> None:
            contract = contracts[contract_key]
            session.add(
                ProgressWarning(
                    contract_id=contract.id,
                    region_code=contract.region_code,
                    kind=kind,
                    severity="medium",
                    occurrence=unique("o"),
                    subject_type="Contract",
                    subject_id=contract.id,
                    status=status,
                    raised_at=raised,
                    acknowledged_at=raised + timedelta(hours=1) if status != "open" else None,
                    resolved_at=resolved,
                )
            )

        warning("C1", "milestone_overdue", cst("2025-03-01 09:00"), "resolved", cst("2025-03-04 09:00"))
        warning("C1", "no_daily_log", cst("2025-03-10 09:00"), "resolved", cst("2025-03-11 21:00"))
        warning("C2", "no_daily_log", now - timedelta(days=2), "acknowledged", None)
        warning("C6", "milestone_overdue", cst("2025-04-01 09:00"), "resolved", cst("2025-04-11 09:00"))
        warning("C6", "outside_geofence", now - timedelta(days=4), "open", None)

        template = ChecklistTemplate(category="road", name=f"报表测试检查表{tag}", items="[]")
        session.add(template)
        await session.flush()
        rectifications = [
            ("C1", date(2025, 3, 10), "closed", cst("2025-03-09 10:00")),
            ("C1", date(2025, 3, 10), "closed", cst("2025-03-11 01:00")),
            ("C2", date(2025, 5, 1), "open", None),
            ("C2", fixture.today + timedelta(days=30), "responded", None),
            ("C6", date(2025, 4, 15), "open", None),
        ]
        for number, (contract_key, due, status, closed) in enumerate(rectifications, start=1):
            contract = contracts[contract_key]
            inspection = Inspection(
                contract_id=contract.id,
                template_id=template.id,
                region_code=contract.region_code,
                inspector_name="报表测试",
                failed_items=1,
            )
            session.add(inspection)
            await session.flush()
            item = InspectionItem(
                inspection_id=inspection.id, contract_id=contract.id, sequence=1, key=f"k{number}", description="路面平整度", passed=False
            )
            session.add(item)
            await session.flush()
            session.add(
                Rectification(
                    contract_id=contract.id,
                    inspection_item_id=item.id,
                    region_code=contract.region_code,
                    status=status,
                    description="整改路面",
                    due_date=due,
                    closed_at=closed,
                )
            )
    return fixture
