"""Demo contracts of the owner: the awarded road tender's contract in force, signed by every
party, and a second award's contract waiting for signatures.

Everything goes through the contract services, as the API would, with the process clock
moved to the moment each step happens (the tendering demo's ``Loader``), so drafting,
sending for signature and each signature lie a few days after their award. The clock is put
back when the loader ends, whether it succeeds or not.

The parties' signing keys: the owner's organisation and the supervisor's are held by the
service (Ed25519 and SM2); the road contractor signs on its own device with SM2. For that
one the pair is made here as the device would make it, only its public half is registered,
the content hash is signed with the private half, the signature is uploaded, and the private
half is dropped: nothing that could sign for the contractor is kept anywhere.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select

from app.demo.core import Demo
from app.demo.tendering import DEMO_PROJECTS, DemoProject, Loader, china_at, publication_day_for, working_day_on_or_before
from models.base import utcnow
from models.contracts import ContractVersion
from models.projects import Project
from models.tendering import Tender, TenderTemplate
from resolvers.contracts import service as contracts
from resolvers.contracts import signatures
from resolvers.core.clock import today_in_china
from resolvers.core.workdays import is_working_day
from resolvers.security import signing

# The second award, made here: a small greening job whose contract waits for signatures.
VERGE: dict[str, DemoProject] = {
    "verge": (
        "市北路沿线绿化带提升工程",
        "greening",
        "98000.00",
        [("乔木移植", "60", "株", "900.00"), ("绿篱及地被", "1100", "m²", "40.00")],
    ),
}
# Its bids: contractor2 quotes lowest and wins.
VERGE_BIDS = {"contractor1": "92600.00", "contractor2": "89800.00", "contractor3": "93900.00"}

# project key: (the owner's contract number, the acceptance standard, with the demo supervisor)
DEMO_CONTRACTS = {
    "road": ("周市建〔{year}〕31号", "CJJ 1-2008《城镇道路工程施工与质量验收规范》", True),
    "verge": ("周市建〔{year}〕36号", "CJJ 82-2012《园林绿化工程施工及验收规范》", False),
}
HUNDRED = Decimal("100")


@dataclass(frozen=True)
class Award:
    """An awarded demo tender and the works period its project planned."""

    tender_id: int
    awarded_at: datetime
    works_start: date
    works_end: date

    @property
    def day(self) -> date:
        return today_in_china(self.awarded_at)


def working_day_from(day: date, latest: date) -> date:
    """The first working day from ``day`` on; ``day`` itself when that working day would
    come after ``latest`` (a long holiday just before today)."""
    found = day
    while not is_working_day(found):
        found += timedelta(days=1)
    return found if found <= latest else day


def milestones_of(project: DemoProject, start: date, end: date) -> list[contracts.MilestoneData]:
    """One milestone per line item of the project, in the bill's order, spread evenly over
    the works period before its end; each item's share of the budget is its share of the
    works (to the hundredth, the last taking what rounding leaves)."""
    _title, _category, budget, items = project
    values = [Decimal(quantity) * Decimal(price) for _name, quantity, _unit, price in items]
    shares = [(value * HUNDRED / Decimal(budget)).quantize(Decimal("0.01")) for value in values[:-1]]
    shares.append(HUNDRED - sum(shares, Decimal("0")))
    days = (end - start).days
    return [
        contracts.MilestoneData(f"M{i}", f"{name}完成", start + timedelta(days=days * i // (len(items) + 1)), share)
        for i, ((name, _quantity, _unit, _price), share) in enumerate(zip(items, shares, strict=True), start=1)
    ]


def contract_data(key: str, project: DemoProject, award: Award, supervisor_id: int | None, drafted: date) -> contracts.ContractData:
    """A draft in the owner's usual form, for the project's bill of quantities: scope,
    payment, acceptance, a 12-month warranty and a delay penalty; 30 % on signing (the
    advance, the site safety fee and the materials advance: three requests to pay),
    40 % on the first milestone, the balance on final acceptance and 3 % retention."""
    number, standard, _supervised = DEMO_CONTRACTS[key]
    title, _category, _budget, items = project
    milestones = milestones_of(project, award.works_start, award.works_end)
    works = "、".join(f"{name} {quantity} {unit}" for name, quantity, unit, _price in items)
    clauses = [
        contracts.ClauseData(
            "scope",
            "工程范围",
            f"{title}：{works}。以施工图及工程量清单为准，含材料、人工、机械、运输及施工期间的安全文明施工措施。",
        ),
        contracts.ClauseData(
            "payment_term",
            "合同价款支付",
            f"合同生效后支付合同价款的 20% 作为预付款、5% 作为安全文明施工费、5% 作为材料预付款；“{milestones[0].name}”节点经发包人确认后支付 40%；"
            "竣工验收合格并办理结算后支付至 97%；其余 3% 作为质量保证金，缺陷责任期满且无质量问题后无息退还。",
        ),
        contracts.ClauseData(
            "acceptance",
            "竣工验收",
            "承包人完成合同范围内全部工程并自检合格后，书面申请竣工验收；发包人在收到申请后 7 日内组织验收。",
            {"standard": standard, "inspectionDays": 7},
        ),
        contracts.ClauseData(
            "warranty",
            "缺陷责任与保修",
            "缺陷责任期自竣工验收合格之日起计算；期内出现的质量缺陷由承包人负责修复，费用由承包人承担。",
            {"defectLiabilityMonths": 12},
        ),
        contracts.ClauseData(
            "penalty",
            "逾期违约责任",
            "承包人逾期竣工的，每逾期一日按合同价款的 0.05% 向发包人支付违约金，累计不超过合同价款的 10%。",
            {"dailyRatePercent": "0.05", "capPercent": "10"},
        ),
    ]
    return contracts.ContractData(
        tender_id=award.tender_id,
        supervisor_id=supervisor_id,
        number=number.format(year=drafted.year),
        works_start=award.works_start,
        works_end=award.works_end,
        clauses=clauses,
        milestones=milestones,
        payment_terms=[
            contracts.TermData("预付款", "20", "signing"),
            contracts.TermData("安全文明施工费", "5", "signing"),
            contracts.TermData("材料预付款", "5", "signing"),
            contracts.TermData("进度款", "40", "milestone", milestones[0].code),
            contracts.TermData("竣工结算款", "27", "final_acceptance"),
            contracts.TermData("质量保证金", "3", "retention"),
        ],
    )


@dataclass
class ContractLoader:
    tenders: Loader

    async def award_of(self, project: DemoProject) -> Award:
        """The awarded tender of the owner's demo ``project``."""
        async with self.tenders.state.db.read() as session:
            tender_id, awarded_at, start, end = (
                await session.execute(
                    select(Tender.id, Tender.awarded_at, Project.planned_start, Project.planned_end)
                    .join(Project, Project.id == Tender.project_id)
                    .where(Project.title == project[0], Tender.status == "awarded")
                )
            ).one()
        assert awarded_at is not None and start is not None and end is not None
        return Award(tender_id, awarded_at, start, end)

    async def content_hash(self, contract_id: int) -> str:
        """The hash of the version waiting for signatures, as a signer reviews it."""
        async with self.tenders.state.db.read() as session:
            return (
                await session.execute(select(ContractVersion.content_sha256).where(ContractVersion.open_for_contract == contract_id))
            ).scalar_one()

    async def drafted_and_submitted(self, key: str, project: DemoProject, award: Award, day: date) -> int:
        """The contract of the award drafted by the owner on ``day``, and sent for signature
        that afternoon."""
        supervisor = self.tenders.org("supervisor") if DEMO_CONTRACTS[key][2] else None
        self.tenders.at(china_at(day, 10))
        async with self.tenders.work("owner") as uow:
            contract_id = (await contracts.draft_contract(uow, contract_data(key, project, award, supervisor, day))).id
        self.tenders.at(china_at(day, 16))
        async with self.tenders.work("owner") as uow:
            await contracts.submit_for_signature(uow, contract_id)
        return contract_id

    async def server_key(self, username: str, algorithm: str) -> None:
        """A key the service holds for ``username``'s organisation."""
        async with self.tenders.work(username) as uow:
            await signatures.create_signing_key(uow, algorithm)

    async def sign(self, username: str, contract_id: int) -> None:
        """Signed with the organisation's key held by the service."""
        digest = await self.content_hash(contract_id)
        async with self.tenders.work(username) as uow:
            await signatures.sign_contract(uow, contract_id, digest, None)

    async def sign_on_device(self, username: str, contract_id: int) -> None:
        """Signed on the organisation's own device with SM2: the device makes its pair, the
        public half is registered, the hash is signed with the private half and the
        signature uploaded. The pair lives in this call only."""
        pair = signing.generate_key(signing.SM2_SM3)
        async with self.tenders.work(username) as uow:
            await signatures.register_signing_key(uow, signing.SM2_SM3, pair.public_key.hex())
        digest = await self.content_hash(contract_id)
        value = signing.encode(signing.sign(signing.SM2_SM3, pair.private_key, bytes.fromhex(digest)))
        del pair
        async with self.tenders.work(username) as uow:
            await signatures.sign_contract(uow, contract_id, digest, value)

    async def active_road_contract(self, today: date) -> None:
        """The road tender's contract (awarded at least ten days ago): drafted a couple of
        days after the award, then signed by the owner, and the next working day by the
        contractor (on its device) and the supervisor, which puts it in force, the project
        contracted and the advance due. Its works start the day after, at least two days
        before today, so the progress demo has days of works to log; the works period keeps
        the length the project planned."""
        road = DEMO_PROJECTS["road"]
        award = await self.award_of(road)
        drafted = working_day_from(award.day + timedelta(days=2), today - timedelta(days=5))
        owner_signs = working_day_from(drafted + timedelta(days=1), today - timedelta(days=4))
        others_sign = working_day_from(owner_signs + timedelta(days=1), today - timedelta(days=3))
        works_start = others_sign + timedelta(days=1)
        award = replace(award, works_start=works_start, works_end=works_start + (award.works_end - award.works_start))
        self.tenders.at(china_at(drafted, 9))
        await self.server_key("owner", signing.ED25519)
        contract_id = await self.drafted_and_submitted("road", road, award, drafted)
        self.tenders.at(china_at(owner_signs, 9, 30))
        await self.sign("owner", contract_id)
        self.tenders.at(china_at(others_sign, 10))
        await self.sign_on_device("contractor1", contract_id)
        self.tenders.at(china_at(others_sign, 15))
        await self.server_key("supervisor", signing.SM2_SM3)
        await self.sign("supervisor", contract_id)

    async def awarded_verge_tender(self, today: date) -> None:
        """A second rfq, for a project of its own, taken to its award the way the tendering
        demo takes its awarded one, its bids closing ten days ago."""
        deadline = working_day_on_or_before(today - timedelta(days=10))
        published = publication_day_for(deadline, self.tenders.state.settings.tender_response_working_days)
        self.tenders.at(china_at(published - timedelta(days=7), 9))
        async with self.tenders.state.db.read() as session:
            self.tenders.templates["rfq"] = (
                await session.execute(
                    select(TenderTemplate.id).where(
                        TenderTemplate.owner_organisation_id == self.tenders.org("owner"),
                        TenderTemplate.method == "rfq",
                        TenderTemplate.is_latest.is_(True),
                    )
                )
            ).scalar_one()
        await self.tenders.approved_projects(VERGE)
        tender_id = await self.tenders.tender_on("verge", "rfq", "95000.00", deadline)
        await self.tenders.taken_to_award(tender_id, deadline, VERGE_BIDS)

    async def pending_verge_contract(self, today: date) -> None:
        """Its contract (awarded at least six days ago), between the owner and the winner
        without a supervisor: drafted and sent a couple of days after the award, signed by
        the owner the next working day; the contractor's signature is still to come."""
        verge = VERGE["verge"]
        award = await self.award_of(verge)
        drafted = working_day_from(award.day + timedelta(days=2), today - timedelta(days=2))
        owner_signs = working_day_from(drafted + timedelta(days=1), today - timedelta(days=1))
        contract_id = await self.drafted_and_submitted("verge", verge, award, drafted)
        self.tenders.at(china_at(owner_signs, 9, 30))
        await self.sign("owner", contract_id)

    async def load(self) -> None:
        today = today_in_china(utcnow())
        await self.active_road_contract(today)
        await self.awarded_verge_tender(today)
        await self.pending_verge_contract(today)


async def load(demo: Demo) -> None:
    """A contract in force and one waiting for signatures, through the real services."""
    try:
        await ContractLoader(Loader(demo)).load()
    finally:
        demo.state.clock.offset = timedelta()
