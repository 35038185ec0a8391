"""Demo payments on the road contract in force, whose three terms paid on signing (the
advance, the site safety fee and the materials advance) got their requests automatically
when it was signed:
- the advance: its first request cancelled by the owner (the advance guarantee was not in),
  the second rejected by finance (no invoice attached), the third approved by the owner,
  invoiced by the contractor with its 数电票 XML (read, verified and archived), approved by
  finance and paid into the contractor's account;
- the site safety fee: approved at both steps and waiting to be paid;
- the materials advance: waiting for the owner, with one typed-in invoice finance turned
  down and another waiting to be checked against its PDF.

Everything goes through the payments services, as the API would, with the process clock
moved to the moment each step happens (the tendering demo's ``Loader``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from app.demo.core import Demo, demo_pdf
from app.demo.einvoices import digital_invoice_xml
from app.demo.tendering import DEMO_PROJECTS, Loader, china_at
from models.accounts import Organisation
from models.base import utcnow
from models.contracts import Contract, PaymentTerm
from models.payments import PaymentRequest
from models.projects import Project
from resolvers.core.clock import today_in_china
from resolvers.payments import invoices, service
from resolvers.projects.service import Upload

SITE = "建筑服务发生地：江苏省苏州市昆山市周市镇；建筑项目名称：周市镇人民路人行道改造"
BUREAU = ("13205830000", "国家税务总局昆山市税务局")


@dataclass
class PaymentLoader:
    tenders: Loader

    async def road(self) -> tuple[Contract, list[PaymentTerm], Organisation, Organisation]:
        async with self.tenders.state.db.read() as session:
            contract = (
                await session.execute(
                    select(Contract)
                    .join(Project, Project.id == Contract.project_id)
                    .where(Project.title == DEMO_PROJECTS["road"][0], Contract.status == "active")
                )
            ).scalar_one()
            terms = list(
                (
                    await session.execute(
                        select(PaymentTerm)
                        .where(PaymentTerm.contract_id == contract.id, PaymentTerm.trigger_on == "signing")
                        .order_by(PaymentTerm.sequence)
                    )
                ).scalars()
            )
            owner = await session.get(Organisation, contract.owner_organisation_id)
            contractor = await session.get(Organisation, contract.contractor_organisation_id)
        assert owner is not None and contractor is not None and len(terms) == 3
        return contract, terms, owner, contractor

    async def request_of(self, term_id: int) -> int:
        """The live request of a term (the automatic one, raised when the contract was signed)."""
        async with self.tenders.state.db.read() as session:
            return (await session.execute(select(PaymentRequest.id).where(PaymentRequest.live_for_term == term_id))).scalar_one()

    def xml(self, number: str, day: date, amount: Decimal, owner: Organisation, contractor: Organisation) -> Upload:
        data = digital_invoice_xml(
            number=number,
            issued_on=day,
            seller_name=contractor.name,
            seller_tax_id=contractor.uscc,
            buyer_name=owner.name,
            buyer_tax_id=owner.uscc,
            total=amount,
            remark=SITE,
            tax_bureau=BUREAU,
        )
        return Upload(f"dzfp_{number}.xml", "application/xml", data)

    async def load(self) -> None:
        tenders = self.tenders
        state = tenders.state
        today = today_in_china(utcnow())
        contract, (advance, safety, materials), owner, contractor = await self.road()
        signed = today_in_china(contract.signed_at)  # type: ignore[arg-type]
        async with tenders.work(None) as uow:  # the requests raised on signing, should no worker have run then
            await service.ensure_requests(uow, contract.id)

        # The contract was signed three days ago at the latest: the payments happen on the two
        # days after it, each step at its hour.
        first, second_day = signed + timedelta(days=1), signed + timedelta(days=2)
        assert second_day < today

        def day(step: int) -> date:
            return first if step <= 3 else second_day

        # The advance: cancelled, raised again and rejected, raised a third time and paid.
        tenders.at(china_at(day(1), 8, 20))
        async with tenders.work("owner") as uow:
            await service.cancel(uow, await self.request_of(advance.id), "预付款须在承包人提交预付款保函后支付，保函到位后重新申请。")
        tenders.at(china_at(day(2), 9, 0))
        async with tenders.work("owner") as uow:
            second = await service.raise_request(uow, advance.id, "预付款保函已提交（保函编号 BH-2026-0318）。")
            await service.approve(uow, second.id, "同意支付预付款。")
        tenders.at(china_at(day(2), 10, 30))
        async with tenders.work("finance") as uow:
            await service.reject(uow, second.id, "未附发票，请承包人开具发票后重新提交。")
        tenders.at(china_at(day(3), 14, 10))
        async with tenders.work("owner") as uow:
            third = await service.raise_request(uow, advance.id, "已通知承包人随申请提交发票。")
            await service.approve(uow, third.id, "同意。")
        tenders.at(china_at(day(3), 16, 0))
        async with tenders.work("contractor1") as uow:
            upload = self.xml("26322000000012345678", day(3), advance.amount, owner, contractor)
            await invoices.upload_invoice(uow, state.storage, third.id, upload, invoices.InvoiceData())
        tenders.at(china_at(day(4), 8, 40))
        async with tenders.work("finance") as uow:
            await service.approve(uow, third.id, "发票已核验，同意支付。")
        tenders.at(china_at(day(4), 9, 30))
        async with tenders.work("finance") as uow:
            payment = service.PaymentData(paid_on=day(4), amount=advance.amount, bank_reference="KS20260412000188")
            await service.record_payment(uow, third.id, payment)

        # The site safety fee: approved by the owner and by finance, to be paid.
        safety_request = await self.request_of(safety.id)
        tenders.at(china_at(day(5), 10, 0))
        async with tenders.work("owner") as uow:
            await service.approve(uow, safety_request, "安全文明施工措施已落实，同意。")
        tenders.at(china_at(day(5), 10, 40))
        async with tenders.work("contractor1") as uow:
            upload = self.xml("26322000000012345699", day(5), safety.amount, owner, contractor)
            await invoices.upload_invoice(uow, state.storage, safety_request, upload, invoices.InvoiceData())
        tenders.at(china_at(day(6), 11, 20))
        async with tenders.work("finance") as uow:
            await service.approve(uow, safety_request, "同意，排入下一批支付。")

        # The materials advance: a legacy e-invoice finance turns down, and a typed-in
        # fully digital one waiting to be checked against its PDF.
        materials_request = await self.request_of(materials.id)
        tenders.at(china_at(day(6), 14, 0))
        half = (materials.amount / 2).quantize(Decimal("0.01"))
        typed = invoices.InvoiceData(
            number="04561234",
            code="032002400111",
            issued_on=day(6),
            seller_name=contractor.name,
            seller_tax_id=contractor.uscc,
            buyer_name=owner.name,
            buyer_tax_id=owner.uscc,
            amount_without_tax=(half / Decimal("1.13")).quantize(Decimal("0.01")),
        )
        typed.tax_amount = half - typed.amount_without_tax  # type: ignore[operator]
        typed.total_amount = half
        async with tenders.work("contractor1") as uow:
            rejected = await invoices.upload_invoice(
                uow, state.storage, materials_request, Upload("材料发票.pdf", "application/pdf", demo_pdf("invoice 04561234")), typed
            )
        tenders.at(china_at(day(7), 15, 0))
        async with tenders.work("finance") as uow:
            await invoices.reject_invoice(uow, rejected.id, "发票所列材料与材料进场清单不符。")
        tenders.at(china_at(day(7), 16, 30))
        net = (materials.amount / Decimal("1.13")).quantize(Decimal("0.01"))
        digital = invoices.InvoiceData(
            number="26322000000012345711",
            issued_on=day(7),
            seller_name=contractor.name,
            seller_tax_id=contractor.uscc,
            buyer_name=owner.name,
            buyer_tax_id=owner.uscc,
            amount_without_tax=net,
            tax_amount=materials.amount - net,
            total_amount=materials.amount,
        )
        async with tenders.work("contractor1") as uow:
            pdf = Upload("dzfp_26322000000012345711.pdf", "application/pdf", demo_pdf("invoice 26322000000012345711"))
            await invoices.upload_invoice(uow, state.storage, materials_request, pdf, digital)


async def load(demo: Demo) -> None:
    """The road contract's payments, through the real services."""
    try:
        await PaymentLoader(Loader(demo)).load()
    finally:
        demo.state.clock.offset = timedelta()
