"""Demo procurement of the owner: the expert register, the contractors' qualifications, two
tender templates, and one tender in every status of the tendering module.

Everything goes through the services, as the API would: every bid is sealed and has its
receipts, every step is audited and tells its participants through the outbox. The
process clock (``AppState.clock``) is moved to the moment each step happens, so that
deadlines, openings and the award publicity lie where each status needs them: a tender that
was opened had its deadline in the past, the published one has it ahead. The clock is put
back when the loader ends, whether it succeeds or not.

The draw seed of each tender lives in this loader's memory only, from publication to
opening, as it would with an owner who keeps it; the seeds of the tenders never opened are
forgotten when it ends.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import select

from app.demo.core import Demo, demo_pdf
from app.state import AppState
from models.accounts import User
from models.base import utcnow
from models.projects import PROJECT_CATEGORIES, BudgetAllocation, ProjectReview
from models.tendering import Bid, CommitteeMember, Tender
from resolvers.core.clock import SHANGHAI, today_in_china
from resolvers.core.context import SYSTEM_ACTOR, Actor, UnitOfWork
from resolvers.core.transaction import unit_of_work
from resolvers.core.workdays import add_working_days, is_working_day
from resolvers.projects import service as projects
from resolvers.projects.service import Upload
from resolvers.tendering import bids, draw, evaluation, qualifications
from resolvers.tendering import service as tendering

OPERATION = "cli.demo-data"
EXPERTS = [f"expert{i}" for i in range(1, 6)]
CONTRACTORS = ("contractor1", "contractor2", "contractor3")

# contractor: [(kind, grade, certificate number, with a scanned certificate)]
QUALIFICATIONS = {
    "contractor1": [("municipal_works", "second", "D232058301", True), ("landscaping", "third", "D332058311", False)],
    "contractor2": [("landscaping", "third", "D332058302", False), ("municipal_works", "third", "D332058312", False)],
    "contractor3": [("decoration", "second", "D232058303", False), ("municipal_works", "third", "D332058313", False)],
}

RFQ_TEMPLATE = tendering.TemplateData(
    name="小额工程询价采购（通用）",
    method="rfq",
    required_documents=[
        tendering.DocumentRequirement("quotation", "报价单（加盖公章）"),
        tendering.DocumentRequirement("business_licence", "营业执照副本"),
    ],
    required_items=[tendering.ItemRequirement("duration", "承诺工期（日历天）")],
    notice_text="本项目采用询价方式采购，最低有效报价者为成交候选人。请在截止时间前通过平台提交报价，逾期不予受理。",
)
SIMPLE_TEMPLATE = tendering.TemplateData(
    name="小额工程简易招标（综合评分）",
    method="simple_tender",
    required_documents=[tendering.DocumentRequirement("technical_proposal", "技术方案")],
    criteria=[
        tendering.CriterionData("price", "价格", "price", "60"),
        tendering.CriterionData("technical", "技术方案", "quality", "30"),
        tendering.CriterionData("business", "商务资信", "quality", "10"),
    ],
    notice_text="本项目采用简易招标方式，综合评分法评审（价格 60 分、技术 30 分、商务 10 分）。本县登记的施工单位均可投标。",
)

# key: (title, category, budget, line items [(name, quantity, unit, unit price)])
DemoProject = tuple[str, str, str, list[tuple[str, str, str, str]]]
DEMO_PROJECTS: dict[str, DemoProject] = {
    "road": (
        "康庄路人行道修复工程",
        "road",
        "173000.00",
        [("人行道透水砖铺装", "2400", "m²", "58.00"), ("侧石更换", "320", "m", "90.00"), ("井盖调平", "1", "项", "5000.00")],
    ),
    "greening": (
        "永平村村道两侧绿化提升工程",
        "greening",
        "126000.00",
        [("行道树种植", "180", "株", "520.00"), ("灌木地被", "1200", "m²", "27.00")],
    ),
    "eldercare": (
        "周市镇敬老院外墙翻新工程",
        "building_repair",
        "210000.00",
        [("外墙真石漆", "3000", "m²", "62.00"), ("空调板防水", "1", "项", "24000.00")],
    ),
    "pumping": (
        "东方村排涝泵站维修工程",
        "water",
        "96000.00",
        [("水泵检修更换", "2", "台", "36000.00"), ("配电柜更换", "1", "套", "24000.00")],
    ),
    "parking": (
        "周市镇卫生院停车场改造工程",
        "other",
        "88000.00",
        [("沥青面层", "1100", "m²", "72.00"), ("停车位标线", "1", "项", "8800.00")],
    ),
    "park": (
        "新南社区口袋公园改造工程",
        "greening",
        "74000.00",
        [("园路铺装", "400", "m²", "110.00"), ("座椅及垃圾箱", "1", "项", "30000.00")],
    ),
}

# Scores (technical, business) the committee gives each bidder of a simple tender; each
# expert varies them a little, as a real committee does.
QUALITY_SCORES = {"contractor1": ("82", "88"), "contractor2": ("86", "80"), "contractor3": ("90", "84")}


def china_at(day: date, hour: int, minute: int = 0) -> datetime:
    """``day`` at ``hour:minute`` in China, as a UTC instant."""
    return datetime.combine(day, time(hour, minute), SHANGHAI).astimezone(UTC)


def working_day_on_or_before(day: date) -> date:
    while not is_working_day(day):
        day -= timedelta(days=1)
    return day


def publication_day_for(deadline: date, working_days: int) -> date:
    """The latest working day from which ``deadline`` is ``working_days`` working days away."""
    day, remaining = deadline, working_days
    while remaining:
        if is_working_day(day):
            remaining -= 1
        day -= timedelta(days=1)
    return working_day_on_or_before(day)


@dataclass
class Loader:
    demo: Demo
    actors: dict[str, Actor] = field(default_factory=dict)
    project_ids: dict[str, int] = field(default_factory=dict)
    templates: dict[str, int] = field(default_factory=dict)
    # The draw seed of each published tender, kept from its publication to its opening.
    seeds: dict[int, str] = field(default_factory=dict)

    @property
    def state(self) -> AppState:
        return self.demo.state

    def at(self, moment: datetime) -> None:
        """Let the following units of work happen at ``moment``."""
        self.state.clock.offset = moment - utcnow()

    async def actor(self, username: str) -> Actor:
        if username not in self.actors:
            self.actors[username] = await self.demo.actor(username)
        return self.actors[username]

    @asynccontextmanager
    async def work(self, username: str | None) -> AsyncIterator[UnitOfWork]:
        """A unit of work as ``username`` (None: the system, as the scheduled jobs run)."""
        actor = SYSTEM_ACTOR if username is None else await self.actor(username)
        async with unit_of_work(self.state, OPERATION, actor, self.demo.meta) as uow:
            yield uow

    def org(self, key: str) -> int:
        return self.demo.organisations[key]

    # -- the register, the qualifications, the templates, the projects ----------------

    async def experts(self) -> None:
        async with self.state.db.read() as session:
            rows = (await session.execute(select(User.username, User.id).where(User.username.in_(EXPERTS)))).all()
        ids = {username: user_id for username, user_id in rows}
        async with self.work("admin") as uow:
            for username in EXPERTS:
                await evaluation.set_specialties(uow, ids[username], list(PROJECT_CATEGORIES))

    async def qualifications(self) -> None:
        for contractor, held in QUALIFICATIONS.items():
            async with self.work(contractor) as uow:
                valid_until = date(today_in_china(uow.now).year + 3, 12, 31)
                for kind, grade, number, scanned in held:
                    certificate = None
                    if scanned:
                        title = f"Qualification certificate {number} ({contractor})"
                        certificate = Upload(f"资质证书-{number}.pdf", "application/pdf", demo_pdf(title))
                    data = qualifications.QualificationData(
                        kind=kind, grade=grade, number=number, valid_until=valid_until, certificate=certificate
                    )
                    await qualifications.add_qualification(uow, self.state.storage, data)

    async def templates_of_owner(self) -> None:
        async with self.work("owner") as uow:
            self.templates["rfq"] = (await tendering.create_template(uow, RFQ_TEMPLATE)).id
            self.templates["simple_tender"] = (await tendering.create_template(uow, SIMPLE_TEMPLATE)).id

    async def approved_projects(self, wanted: dict[str, DemoProject] = DEMO_PROJECTS) -> None:
        """The projects the tenders are for, submitted and approved through the review chain."""
        today = today_in_china(self.state.clock.now())
        starts = {key: today + timedelta(days=60 + 7 * i) for i, key in enumerate(wanted)}
        await self.make_room(wanted, starts)
        for index, (key, (title, category, budget, items)) in enumerate(wanted.items()):
            data = projects.ProjectData(
                title=title,
                category=category,
                budget_amount=Decimal(budget),
                funding_source="县级财政小额工程专项资金",
                description=f"{title}：位于昆山市周市镇，属小额工程，经立项后进入采购。",
                location=projects.Location(31.4405 + index / 1000, 120.9934 + index / 1000, 300),
                planned_start=starts[key],
                planned_end=starts[key] + timedelta(days=90),
                line_items=[projects.LineItemData(n, Decimal(q), u, Decimal(p)) for n, q, u, p in items],
            )
            async with self.work("owner") as uow:
                project = await projects.create_project(uow, data)
                for document_type in ("proposal", "budget_table") + projects.REQUIRED_DOCUMENTS_BY_CATEGORY.get(category, ()):
                    upload = Upload(f"{document_type}.pdf", "application/pdf", demo_pdf(f"{project.code} {document_type}"))
                    await projects.upload_document(uow, self.state.storage, project.id, document_type, upload)
                await projects.submit_project(uow, project.id, "已完成前期设计，请审核立项。")
            self.project_ids[key] = project.id
            for reviewer, comment in (("reviewer", "同意。"), ("finance", "预算指标充足，同意立项。")):
                async with self.work(reviewer) as uow:
                    review = (
                        await uow.session.execute(
                            select(ProjectReview.id).where(ProjectReview.project_id == project.id, ProjectReview.status == "pending")
                        )
                    ).scalar_one()
                    await projects.decide_review(uow, review, True, comment)

    async def make_room(self, wanted: dict[str, DemoProject], starts: dict[str, date]) -> None:
        """Raise the owner's allocation of each fiscal year by what these projects need, so
        the other demo projects keep the headroom they had."""
        needed: dict[int, Decimal] = {}
        for key, (_title, _category, budget, _items) in wanted.items():
            needed[starts[key].year] = needed.get(starts[key].year, Decimal("0")) + Decimal(budget)
        async with self.state.db.read() as session:
            rows = (
                await session.execute(
                    select(BudgetAllocation.fiscal_year, BudgetAllocation.amount).where(
                        BudgetAllocation.organisation_id == self.org("owner"), BudgetAllocation.fiscal_year.in_(list(needed))
                    )
                )
            ).all()
        current = {year: amount for year, amount in rows}
        async with self.work("finance") as uow:
            for year, amount in sorted(needed.items()):
                await projects.set_allocation(uow, self.org("owner"), year, current.get(year, Decimal("0")) + amount)

    # -- one tender's steps ---------------------------------------------------------------

    async def create(
        self,
        project: str,
        method: str,
        ceiling: str,
        deadline: datetime,
        *,
        qualification: tuple[str, str] | None = None,
        invited: tuple[str, ...] = CONTRACTORS,
    ) -> int:
        async with self.work("owner") as uow:
            tender = await tendering.create_tender(
                uow,
                tendering.TenderData(
                    project_id=self.project_ids[project],
                    template_id=self.templates[method],
                    ceiling_price=ceiling,
                    bid_deadline=deadline,
                    opening_time=deadline,
                    clarification_deadline=deadline - timedelta(days=2) + timedelta(hours=7),
                    invited_supplier_ids=[self.org(c) for c in invited] if method == "rfq" else [],
                    required_qualification_kind=qualification[0] if qualification else None,
                    required_qualification_grade=qualification[1] if qualification else None,
                    committee_size=3,
                ),
            )
            return tender.id

    async def publish(self, tender_id: int) -> None:
        seed = draw.new_seed()
        async with self.work("owner") as uow:
            await tendering.publish_tender(uow, tender_id, draw.commitment_of(seed))
        self.seeds[tender_id] = seed

    async def tender_on(self, project: str, method: str, ceiling: str, deadline_day: date, **options) -> int:
        """A tender created and published so that its deadline, 10:00 on ``deadline_day``,
        leaves the minimum response period."""
        published = publication_day_for(deadline_day, self.state.settings.tender_response_working_days)
        self.at(china_at(published, 8, 30))
        tender_id = await self.create(project, method, ceiling, china_at(deadline_day, 10), **options)
        self.at(china_at(published, 9))
        await self.publish(tender_id)
        return tender_id

    async def bid(self, tender_id: int, contractor: str, price: str) -> None:
        async with self.work(contractor) as uow:
            tender = await tendering.get_tender(uow, tender_id)
            documents = [
                bids.BidDocument(
                    row["key"], Upload(f"{row['name']}.pdf", "application/pdf", demo_pdf(f"{tender.code} {contractor} {row['key']}"))
                )
                for row in tendering.loads(tender.required_documents)
            ]
            answers = [bids.Answer(row["key"], "60日历天") for row in tendering.loads(tender.required_items)]
            await bids.submit_bid(uow, self.state.storage, tender_id, bids.BidData(price=price, answers=answers, documents=documents))

    async def bids_on(self, tender_id: int, day: date, prices: dict[str, str]) -> None:
        for hour, (contractor, price) in enumerate(prices.items(), start=9):
            self.at(china_at(day, hour, 20))
            await self.bid(tender_id, contractor, price)

    async def open(self, tender_id: int, day: date) -> None:
        self.at(china_at(day, 10, 5))
        async with self.work("owner") as uow:
            await bids.open_tender(uow, self.state.storage, tender_id, self.seeds.pop(tender_id))

    async def members(self, tender_id: int) -> list[str]:
        """The usernames of the committee's members still to evaluate, in the drawn order."""
        async with self.state.db.read() as session:
            return list(
                (
                    await session.execute(
                        select(User.username)
                        .join(CommitteeMember, CommitteeMember.user_id == User.id)
                        .where(CommitteeMember.tender_id == tender_id, CommitteeMember.status == "drawn")
                        .order_by(CommitteeMember.position)
                    )
                ).scalars()
            )

    async def evaluate(self, tender_id: int, day: date) -> None:
        """Every drawn member qualifies every bid; a simple tender's bids are also scored."""
        async with self.state.db.read() as session:
            method = (await session.execute(select(Tender.method).where(Tender.id == tender_id))).scalar_one()
            opened = (
                await session.execute(select(Bid.id, Bid.organisation_id).where(Bid.tender_id == tender_id, Bid.status == "opened"))
            ).all()
        contractor_of = {org_id: key for key, org_id in self.demo.organisations.items()}
        bidders = [(bid_id, contractor_of[org_id]) for bid_id, org_id in opened]
        for number, username in enumerate(await self.members(tender_id)):
            self.at(china_at(day, 14, 20 * number))
            sheets = []
            for bid_id, contractor in bidders:
                scores: dict[str, str | Decimal] = {}
                if method == "simple_tender":
                    technical, business = QUALITY_SCORES[contractor]
                    scores = {"technical": Decimal(technical) + number, "business": Decimal(business) - number}
                sheets.append(evaluation.SheetData(bid_id=bid_id, qualified=True, reason=None, scores=scores))
            async with self.work(username) as uow:
                await evaluation.submit_evaluation(uow, tender_id, sheets)

    async def start_publicity(self, tender_id: int, moment: datetime) -> None:
        self.at(moment)
        async with self.work("owner") as uow:
            await evaluation.start_publicity(uow, tender_id)

    async def taken_to_award(self, tender_id: int, day: date, prices: dict[str, str]) -> None:
        """Bids the day before ``day``, opened and evaluated on it, publicised the next
        morning, and awarded by the scheduled rule once the publicity has ended."""
        await self.bids_on(tender_id, day - timedelta(days=1), prices)
        await self.open(tender_id, day)
        await self.evaluate(tender_id, day)
        await self.start_publicity(tender_id, china_at(day + timedelta(days=1), 9, 30))
        async with self.state.db.read() as session:
            ends = (await session.execute(select(Tender.publicity_ends_at).where(Tender.id == tender_id))).scalar_one()
        assert ends is not None
        self.at(ends + timedelta(minutes=1))
        async with self.work(None) as uow:
            await evaluation.award_after_publicity(uow, today_in_china(uow.now))

    # -- one tender in every status -----------------------------------------------------------

    async def load(self) -> None:
        today = today_in_china(utcnow())
        self.at(china_at(today - timedelta(days=45), 9))
        await self.experts()
        await self.qualifications()
        await self.templates_of_owner()
        await self.approved_projects()

        # failed, then a second round on the same project, now evaluated: the first round asked
        # for a landscaping qualification only two contractors hold; the second asks for none.
        failed_day = working_day_on_or_before(today - timedelta(days=28))
        failed = await self.tender_on("greening", "simple_tender", "120000.00", failed_day, qualification=("landscaping", "third"))
        await self.bids_on(failed, failed_day - timedelta(days=1), {"contractor1": "112000.00", "contractor2": "108500.00"})
        await self.open(failed, failed_day)

        evaluated_day = working_day_on_or_before(today - timedelta(days=3))
        evaluated = await self.tender_on("greening", "simple_tender", "120000.00", evaluated_day)
        await self.bids_on(
            evaluated,
            evaluated_day - timedelta(days=1),
            {"contractor1": "111200.00", "contractor2": "106800.00", "contractor3": "114500.00"},
        )
        await self.open(evaluated, evaluated_day)
        # The first member drawn cannot come; the next in the seeded order takes the seat.
        first = (await self.members(evaluated))[0]
        self.at(china_at(evaluated_day, 11))
        async with self.work(first) as uow:
            await evaluation.decline_evaluation(uow, evaluated, "评标当日另有外地评审任务，无法到场。")
        await self.evaluate(evaluated, evaluated_day)

        # awarded: an rfq that went all the way, awarded by the scheduled rule after its publicity.
        awarded_day = working_day_on_or_before(today - timedelta(days=14))
        awarded = await self.tender_on("road", "rfq", "165000.00", awarded_day, qualification=("municipal_works", "third"))
        await self.taken_to_award(
            awarded, awarded_day, {"contractor1": "148600.00", "contractor2": "152300.00", "contractor3": "157900.00"}
        )

        # cancelled while published, with a bid that stays sealed for good; its project is
        # approved again, and its next round is the draft below.
        cancelled_day = working_day_on_or_before(today - timedelta(days=10))
        cancelled = await self.tender_on("park", "rfq", "72000.00", cancelled_day)
        await self.bids_on(cancelled, cancelled_day - timedelta(days=2), {"contractor2": "68800.00"})
        self.at(china_at(cancelled_day - timedelta(days=1), 16))
        async with self.work("owner") as uow:
            await tendering.cancel_tender(uow, cancelled, "社区提出调整改造范围，本次采购终止，调整方案后重新采购。")

        # publicity: evaluated a week ago, publicised since yesterday, one objection dismissed.
        publicity_day = working_day_on_or_before(today - timedelta(days=7))
        publicity = await self.tender_on(
            "eldercare", "simple_tender", "205000.00", publicity_day, qualification=("municipal_works", "third")
        )
        await self.bids_on(
            publicity,
            publicity_day - timedelta(days=1),
            {"contractor1": "198000.00", "contractor2": "201500.00", "contractor3": "189600.00"},
        )
        await self.open(publicity, publicity_day)
        await self.evaluate(publicity, publicity_day)
        now = utcnow()
        await self.start_publicity(publicity, now - timedelta(days=1))
        self.at(now - timedelta(hours=20))
        async with self.work("contractor1") as uow:
            objection = await evaluation.file_objection(uow, publicity, "我司技术方案含外墙保温专项措施，技术分明显偏低，请复核评分。")
        self.at(now - timedelta(hours=3))
        async with self.work("owner") as uow:
            await evaluation.answer_objection(
                uow, objection.id, False, "经评标委员会复核，技术分评分符合评分标准，各评委评分一致，维持原评审结果。"
            )

        # opened: bids opened yesterday (or the last working day), committee drawn, not yet evaluated.
        opened_day = working_day_on_or_before(today - timedelta(days=1))
        opened = await self.tender_on("pumping", "rfq", "95000.00", opened_day)
        await self.bids_on(
            opened, opened_day - timedelta(days=1), {"contractor1": "91800.00", "contractor2": "89900.00", "contractor3": "93400.00"}
        )
        await self.open(opened, opened_day)

        # published: bids close a few working days ahead; one question answered, one sealed bid
        # (submitted, then replaced with a lower price before the deadline).
        self.at(now - timedelta(days=1, hours=1))
        published_from = today_in_china(self.state.clock.now())
        deadline = china_at(add_working_days(published_from, self.state.settings.tender_response_working_days + 2), 10)
        published = await self.create("parking", "simple_tender", "86000.00", deadline)
        self.at(now - timedelta(days=1))
        await self.publish(published)
        self.at(now - timedelta(hours=20))
        async with self.work("contractor3") as uow:
            question = await tendering.ask_clarification(uow, published, "停车场现状沥青面层是否需要全部铣刨？铣刨厚度按多少计？")
        self.at(now - timedelta(hours=8))
        async with self.work("owner") as uow:
            await tendering.answer_clarification(uow, question.id, "需全部铣刨，平均厚度按 5 cm 计，详见补充图纸。")
        self.at(now - timedelta(hours=3))
        await self.bid(published, "contractor3", "79800.00")
        self.at(now - timedelta(hours=1))
        await self.bid(published, "contractor3", "78600.00")

        # draft: the cancelled project's next round, being prepared now.
        self.at(utcnow())
        await self.create("park", "rfq", "70000.00", china_at(add_working_days(today, 10), 10))


async def load(demo: Demo) -> None:
    """Tenders in every status of the tendering module, through the real services."""
    try:
        await Loader(demo).load()
    finally:
        demo.state.clock.offset = timedelta()
