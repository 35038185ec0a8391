"""Payments (财务支付): root query fields."""

from __future__ import annotations

from typing import Annotated

import strawberry

from resolvers.core.i18n import label
from resolvers.payments import archive, funds, queries
from schema.core.connection import Connection, list_page
from schema.core.context import Info, signed_in_actor
from schema.core.node import decode_id
from schema.payments.types import (
    ArchiveFinding,
    ArchiveReport,
    BudgetExecution,
    Funds,
    Invoice,
    InvoiceStatus,
    PaymentRequest,
    PaymentRequestStatus,
    funds_of,
)


@strawberry.type
class PaymentsQuery:
    @strawberry.field(description="Payment requests you can see, latest first. 付款申请。")
    async def payment_requests(
        self,
        info: Info,
        contract_id: strawberry.ID | None = None,
        project_id: strawberry.ID | None = None,
        status: list[PaymentRequestStatus] | None = None,
        awaiting_me: Annotated[bool, strawberry.argument(description="Only requests waiting for your decision. 仅待我审批的。")] = False,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[PaymentRequest] | None:
        actor = await signed_in_actor(info.context)
        query = queries.payment_requests(
            actor,
            decode_id(contract_id, "Contract") if contract_id else None,
            decode_id(project_id, "Project") if project_id else None,
            [s.value for s in status] if status else None,
            awaiting_me,
        )
        return await list_page(info, query, PaymentRequest, first, after, last, before)

    @strawberry.field(description="Invoices you can see, latest first. 发票。")
    async def invoices(
        self,
        info: Info,
        request_id: strawberry.ID | None = None,
        contract_id: strawberry.ID | None = None,
        status: list[InvoiceStatus] | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Invoice] | None:
        actor = await signed_in_actor(info.context)
        query = queries.invoices(
            actor,
            decode_id(request_id, "PaymentRequest") if request_id else None,
            decode_id(contract_id, "Contract") if contract_id else None,
            [s.value for s in status] if status else None,
        )
        return await list_page(info, query, Invoice, first, after, last, before)

    @strawberry.field(
        description="Where a contract's money stands: budget, contract amount, requested, approved, paid, retention held, outstanding. 合同资金情况。"
    )
    async def contract_funds(self, info: Info, contract_id: strawberry.ID) -> Funds | None:
        row = await info.context.loaders.funds_of_contract.load(decode_id(contract_id, "Contract"))
        return funds_of(row) if row is not None else None

    @strawberry.field(description="Where a project's money stands, over its signed contracts. 项目资金情况。")
    async def project_funds(self, info: Info, project_id: strawberry.ID) -> Funds | None:
        row = await info.context.loaders.funds_of_project.load(decode_id(project_id, "Project"))
        return funds_of(row) if row is not None else None

    @strawberry.field(
        description="Budget execution of one fiscal year per owner organisation: allocation, reserved, contracted, paid. 预算执行情况。"
    )
    async def budget_execution(self, info: Info, fiscal_year: int, organisation_id: strawberry.ID | None = None) -> list[BudgetExecution]:
        actor = await signed_in_actor(info.context)
        organisation = decode_id(organisation_id, "Organisation") if organisation_id else None
        rows = await info.context.reads.all(funds.budget_execution(actor, fiscal_year, organisation))
        return [
            BudgetExecution(
                organisation_id=r.organisation_id,
                fiscal_year=r.fiscal_year,
                allocation=r.allocation,
                reserved=r.reserved,
                contracted=r.contracted,
                paid=r.paid,
            )
            for r in rows
        ]

    @strawberry.field(description="Re-hash the archived invoice files you can see and report any changed or missing. 核验发票档案。")
    async def verify_archive(self, info: Info, contract_id: strawberry.ID | None = None) -> ArchiveReport:
        actor = await signed_in_actor(info.context)
        contract = decode_id(contract_id, "Contract") if contract_id else None
        report = await archive.verify_archive(info.context.reads, info.context.settings.archive_dir, actor, contract)
        invoices = await info.context.loaders.invoice.load_many([f.invoice_id for f in report.findings])
        locale = info.context.meta.locale
        return ArchiveReport(
            checked=report.checked,
            intact=report.intact,
            waiting=report.waiting,
            findings=[
                ArchiveFinding(
                    archive_number=f.archive_number,
                    problem=f.problem,
                    problem_label=label("ArchiveProblem", f.problem, locale),
                    expected_sha256=f.expected_sha256,
                    found_sha256=f.found_sha256,
                    invoice=Invoice.of(row) if row is not None else None,
                )
                for f, row in zip(report.findings, invoices, strict=True)
            ],
        )
