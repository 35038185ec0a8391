"""The lists of the other domains as export sources: projects, tenders, contracts, payment
requests, invoices, works warnings and the audit trail.

Each source takes the arguments of its GraphQL list as JSON, in the same shape (``filter``
and ``orderBy`` objects, enum values by their GraphQL names, objects by global ID, amounts
as decimal strings), builds the list with the domain's own query function (so the same row
scope, filters and order as the list), and reads it in keyset batches. Coded values are
written as their labels in the requester's language, names of related rows are looked up
in those rows' own row scope (blank where the requester may not see them, as the GraphQL
field would be null), and sensitive values are left out: no bank account, phone number or
bid content is in any of these lists.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import ColumnElement, and_, false, func, or_, select

from models.accounts import Organisation
from models.contracts import CONTRACT_STATUSES, Contract
from models.payments import INVOICE_STATUSES, REQUEST_STATUSES, PaymentRequest
from models.progress import WARNING_KINDS, WARNING_STATUSES
from models.projects import PROJECT_CATEGORIES, PROJECT_STATUSES, Project
from models.tendering import METHODS, TENDER_STATUSES
from policies.scope import scope_for
from resolvers.audit import queries as audit_queries
from resolvers.contracts import queries as contract_queries
from resolvers.core.context import Actor
from resolvers.core.errors import BadInput
from resolvers.core.i18n import Either, Label, label, register, register_labels
from resolvers.core.money import amount_argument
from resolvers.core.pagination import ListQuery, as_rows
from resolvers.core.validation import printable
from resolvers.payments import queries as payment_queries
from resolvers.progress import queries as progress_queries
from resolvers.progress.warnings import explanation
from resolvers.projects import queries as project_queries
from resolvers.supervision.sources import Arguments, Column, ExportContext, ExportSource, export_source
from resolvers.tendering import queries as tender_queries

register(
    "supervision",
    {
        "EXPORT_ARGUMENT_UNKNOWN": (
            "导出参数中没有 {argument}；可用的参数为：{allowed}。",
            "The export takes no argument {argument}; it takes {allowed}.",
        ),
        "EXPORT_ARGUMENT_INVALID": (
            "导出参数 {argument} 无效，应为{expected}。",
            "The export argument {argument} is not valid: expected {expected}.",
        ),
    },
    user_errors=False,
)

# What an argument of each kind must be, for the message that refuses it.
register_labels(
    "ExportArgumentKind",
    {
        "object": ("JSON 对象", "a JSON object"),
        "list": ("列表", "a list"),
        "id": ("全局ID", "a global ID"),
        "date": ("日期（YYYY-MM-DD）", "a date (YYYY-MM-DD)"),
        "datetime": ("带时区偏移的时间（ISO 8601）", "a time with its offset (ISO 8601)"),
        "text": ("不超过200个字符的文本", "text of at most 200 characters"),
        "bool": ("true 或 false", "true or false"),
    },
)

TEXT_MAX = 200


# -- arguments --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Arg:
    """One argument of a list: its kind, and for an enum the stored values (a client names
    them as GraphQL does, in capitals), for an ID the type its global ID must name."""

    kind: str  # enum | id | money | date | datetime | text | bool
    values: tuple[str, ...] = ()
    id_type: str = ""
    many: bool = False


# Argument name -> its rule, or the spec of a nested object (``filter``, ``orderBy``).
Spec = Mapping[str, Any]


def _invalid(name: str, expected: Any) -> BadInput:
    return BadInput("EXPORT_ARGUMENT_INVALID", argument=name, expected=expected)


def decode_id(value: Any, expected: str, name: str) -> int:
    """The primary key a global ID of type ``expected`` carries (``schema.core.node``
    encodes them: base64url of ``Type:key``)."""
    if not isinstance(value, str) or not value.isascii():
        raise _invalid(name, Label("ExportArgumentKind", "id"))
    try:
        type_name, _, pk = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise _invalid(name, Label("ExportArgumentKind", "id")) from None
    if type_name != expected or not (pk.isascii() and pk.isdigit()) or len(pk) > 19 or int(pk) > 2**63 - 1:
        raise _invalid(name, Label("ExportArgumentKind", "id"))
    return int(pk)


def _one(arg: Arg, value: Any, name: str) -> Any:
    """``value`` checked, in the form a client sends it (the stored arguments keep that form)."""
    if arg.kind == "enum":
        names = [v.upper() for v in arg.values]
        if not isinstance(value, str) or value not in names:
            raise _invalid(name, Either(names))
        return value
    if arg.kind == "id":
        decode_id(value, arg.id_type, name)
        return value
    if arg.kind == "money":
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise BadInput("INVALID_NUMBER", argument=name)
        return f"{amount_argument(name, value)}"
    if arg.kind == "date":
        day = _parsed(date.fromisoformat, value) if isinstance(value, str) and len(value) == 10 else None
        if day is None:
            raise _invalid(name, Label("ExportArgumentKind", "date"))
        return day.isoformat()
    if arg.kind == "datetime":
        moment = _parsed(datetime.fromisoformat, value) if isinstance(value, str) else None
        if moment is None or moment.tzinfo is None:
            raise _invalid(name, Label("ExportArgumentKind", "datetime"))
        return moment.isoformat()
    if arg.kind == "text":
        if not isinstance(value, str) or len(value) > TEXT_MAX:
            raise _invalid(name, Label("ExportArgumentKind", "text"))
        return printable(value)
    if arg.kind == "bool":
        if not isinstance(value, bool):
            raise _invalid(name, Label("ExportArgumentKind", "bool"))
        return value
    raise AssertionError(arg.kind)


def _parsed(parse: Any, text: str) -> Any:
    try:
        return parse(text)
    except ValueError:
        return None


def parse_arguments(spec: Spec, raw: Any, prefix: str = "") -> dict[str, Any]:
    """The arguments checked against ``spec`` (unknown names and bad values refused with a
    BAD_USER_INPUT error naming the argument); absent and null ones are left out."""
    if not isinstance(raw, Mapping):
        raise _invalid(prefix or "arguments", Label("ExportArgumentKind", "object"))
    parsed: dict[str, Any] = {}
    for key, value in raw.items():
        name = f"{prefix}.{key}" if prefix else str(key)
        rule = spec.get(key) if isinstance(key, str) else None
        if rule is None:
            raise BadInput("EXPORT_ARGUMENT_UNKNOWN", argument=name, allowed=", ".join(spec))
        if value is None:
            continue
        if isinstance(rule, Arg):
            if rule.many:
                if not isinstance(value, list):
                    raise _invalid(name, Label("ExportArgumentKind", "list"))
                parsed[key] = [_one(rule, item, f"{name}[{i}]") for i, item in enumerate(value)]
            else:
                parsed[key] = _one(rule, value, name)
        else:
            parsed[key] = parse_arguments(rule, value, name)
    return parsed


def stored(values: Sequence[str] | None) -> list[str] | None:
    """Enum names as a client sends them, as the stored values the queries compare."""
    return [v.lower() for v in values] if values else None


def _id(value: str | None, expected: str) -> int | None:
    return None if value is None else decode_id(value, expected, "")


def _day(value: str | None) -> date | None:
    return None if value is None else date.fromisoformat(value)


def _moment(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


def order_spec(fields: Sequence[str]) -> dict[str, Arg]:
    return {"field": Arg("enum", tuple(fields)), "direction": Arg("enum", ("asc", "desc"))}


def _order(args: Arguments, default: str = "created_at") -> tuple[str, str]:
    order = args.get("orderBy") or {}
    return (order.get("field") or default.upper()).lower(), (order.get("direction") or "DESC").lower()


def viewer(ctx: ExportContext) -> Actor:
    """The requester, as the domains' query functions take them."""
    return cast(Actor, ctx.actor)


# -- reading a list in batches --------------------------------------------------------------


def _nullable(column: Any) -> bool:
    return bool(getattr(getattr(column, "expression", column), "nullable", True))


def _equal(column: Any, value: Any) -> ColumnElement[bool]:
    return column.is_(None) if value is None else column == value


def _beyond_one(column: Any, descending: bool, value: Any, nulls_large: bool) -> ColumnElement[bool]:
    """Rows after ``value`` in one column of the order. NULLs sort as the largest values on
    PostgreSQL and as the smallest on MariaDB and SQLite, and the list's own ORDER BY puts
    them there; a list ordered by a column that may be NULL (contracts by signing time)
    reads on past them."""
    nulls_after = _nullable(column) and nulls_large != descending
    if value is None:
        return false() if nulls_after else column.is_not(None)
    step = column < value if descending else column > value
    return or_(step, column.is_(None)) if nulls_after else step


def _after(order: Sequence[tuple[Any, bool]], values: Sequence[Any], nulls_large: bool) -> ColumnElement[bool]:
    """Rows after ``values`` in ``order``. The first column's bound is also given on its own
    (``created_at <= :last``), so the database walks the index of that column from where
    the last batch ended instead of filtering every row again: each batch costs its own
    rows, and a long list costs rows, not rows squared."""
    clauses = []
    for i, (column, descending) in enumerate(order):
        before = [_equal(order[j][0], values[j]) for j in range(i)]
        clauses.append(and_(*before, _beyond_one(column, descending, values[i], nulls_large)))
    (first, descending), value = order[0], values[0]
    if value is None or _nullable(first):
        return or_(*clauses)
    return and_(first <= value if descending else first >= value, or_(*clauses))


async def batches(ctx: ExportContext, query: ListQuery) -> AsyncIterator[list[Any]]:
    """The list's rows in its order, ``export_batch_rows`` per statement: each batch starts
    after the last row of the one before (keyset), so memory holds one batch however long
    the list, and no statement reads past what it returns."""
    size = ctx.settings.export_batch_rows
    nulls_large = ctx.session.get_bind().dialect.name == "postgresql"
    statement = as_rows(query.statement)
    ordering = [column.desc() if descending else column.asc() for column, descending in query.order]
    after: list[Any] | None = None
    # Core rows on the session's connection (its snapshot): the ORM adds nothing to plain columns.
    connection = await ctx.session.connection()
    while True:
        stmt = statement if after is None else statement.where(_after(query.order, after, nulls_large))
        rows = list((await connection.execute(stmt.order_by(*ordering).limit(size))).all())
        if rows:
            yield rows
        if len(rows) < size:
            return
        after = [getattr(rows[-1], column.key) for column, _ in query.order]


async def count(ctx: ExportContext, query: ListQuery) -> int:
    statement = select(func.count()).select_from(query.statement.order_by(None).subquery())
    return int((await ctx.session.execute(statement)).scalar_one())


async def visible(ctx: ExportContext, model: Any, shown: Any, ids: set[int], known: dict[int, Any] | None = None) -> dict[int, Any]:
    """``shown`` of the ``model`` rows with these ids that the requester may see (through
    the model's own row scope); ``known`` keeps what earlier batches looked up."""
    found = {} if known is None else known
    wanted = sorted(i for i in ids if i is not None and i not in found)
    if wanted:
        stmt = select(model.id, shown).where(model.id.in_(wanted), scope_for(model)(ctx.actor))
        found.update({row[0]: row[1] for row in (await ctx.session.execute(stmt)).all()})
    return found


def _name(found: Mapping[int, Any], key: int | None) -> str | None:
    return None if key is None else found.get(key)


# -- projects ---------------------------------------------------------------------------------

PROJECT_ARGS: Spec = {
    "filter": {
        "status": Arg("enum", PROJECT_STATUSES, many=True),
        "category": Arg("enum", PROJECT_CATEGORIES, many=True),
        "regionPrefix": Arg("text"),
        "ownerOrganisationId": Arg("id", id_type="Organisation"),
        "budgetMin": Arg("money"),
        "budgetMax": Arg("money"),
        "plannedStartFrom": Arg("date"),
        "plannedStartTo": Arg("date"),
        "search": Arg("text"),
    },
    "orderBy": order_spec(project_queries.ORDER_FIELDS),
}

PROJECT_COLUMNS = (
    Column("code", ("项目编号", "Code")),
    Column("title", ("项目名称", "Title")),
    Column("status", ("状态", "Status")),
    Column("category", ("类别", "Category")),
    Column("region_code", ("行政区划代码", "Region code")),
    Column("owner", ("建设单位", "Owner")),
    Column("budget", ("预算金额（元）", "Budget (CNY)"), "money"),
    Column("funding_source", ("资金来源", "Funding source")),
    Column("planned_start", ("计划开工日期", "Planned start"), "date"),
    Column("planned_end", ("计划竣工日期", "Planned end"), "date"),
    Column("created_at", ("创建时间", "Created"), "datetime"),
    Column("updated_at", ("更新时间", "Updated"), "datetime"),
)


def project_query(ctx: ExportContext, args: Arguments) -> ListQuery:
    f = args.get("filter") or {}
    wanted = project_queries.ProjectFilter(
        status=stored(f.get("status")),
        category=stored(f.get("category")),
        region_prefix=f.get("regionPrefix"),
        owner_organisation_id=_id(f.get("ownerOrganisationId"), "Organisation"),
        budget_min=amount_argument("filter.budgetMin", f.get("budgetMin")),
        budget_max=amount_argument("filter.budgetMax", f.get("budgetMax")),
        planned_start_from=_day(f.get("plannedStartFrom")),
        planned_start_to=_day(f.get("plannedStartTo")),
        search=f.get("search"),
    )
    field, direction = _order(args)
    return project_queries.projects(viewer(ctx), wanted, project_queries.ProjectOrder(field=field, direction=direction))


async def project_rows(ctx: ExportContext, args: Arguments) -> AsyncIterator[Sequence[Any]]:
    organisations: dict[int, Any] = {}
    locale = ctx.locale
    async for batch in batches(ctx, project_query(ctx, args)):
        await visible(ctx, Organisation, Organisation.name, {r.owner_organisation_id for r in batch}, organisations)
        for r in batch:
            yield (
                r.code,
                r.title,
                label("ProjectStatus", r.status, locale),
                label("ProjectCategory", r.category, locale),
                r.region_code,
                _name(organisations, r.owner_organisation_id),
                r.budget_amount,
                r.funding_source,
                r.planned_start,
                r.planned_end,
                r.created_at,
                r.updated_at,
            )


# -- tenders ----------------------------------------------------------------------------------

TENDER_ARGS: Spec = {
    "filter": {
        "status": Arg("enum", TENDER_STATUSES, many=True),
        "method": Arg("enum", METHODS, many=True),
        "projectId": Arg("id", id_type="Project"),
        "regionPrefix": Arg("text"),
        "search": Arg("text"),
    },
    "orderBy": order_spec(tender_queries.ORDER_FIELDS),
}

TENDER_COLUMNS = (
    Column("code", ("招标编号", "Code")),
    Column("title", ("名称", "Title")),
    Column("method", ("采购方式", "Method")),
    Column("status", ("状态", "Status")),
    Column("region_code", ("行政区划代码", "Region code")),
    Column("project", ("项目编号", "Project")),
    Column("owner", ("建设单位", "Owner")),
    Column("ceiling_price", ("最高限价（元）", "Ceiling price (CNY)"), "money"),
    Column("published_at", ("发布时间", "Published"), "datetime"),
    Column("bid_deadline", ("投标截止时间", "Bid deadline"), "datetime"),
    Column("opening_time", ("开标时间", "Opening"), "datetime"),
    Column("number_of_tenderers", ("有效投标人数", "Valid bids"), "integer"),
    Column("award_value", ("中标金额（元）", "Winning price (CNY)"), "money"),
    Column("awarded_at", ("定标时间", "Awarded"), "datetime"),
    Column("created_at", ("创建时间", "Created"), "datetime"),
)


def tender_query(ctx: ExportContext, args: Arguments) -> ListQuery:
    f = args.get("filter") or {}
    wanted = tender_queries.TenderFilter(
        status=stored(f.get("status")),
        method=stored(f.get("method")),
        project_id=_id(f.get("projectId"), "Project"),
        region_prefix=f.get("regionPrefix"),
        search=f.get("search"),
    )
    field, direction = _order(args)
    return tender_queries.tenders(viewer(ctx), wanted, tender_queries.TenderOrder(field=field, direction=direction))


async def tender_rows(ctx: ExportContext, args: Arguments) -> AsyncIterator[Sequence[Any]]:
    organisations: dict[int, Any] = {}
    locale = ctx.locale
    async for batch in batches(ctx, tender_query(ctx, args)):
        await visible(ctx, Organisation, Organisation.name, {r.owner_organisation_id for r in batch}, organisations)
        projects = await visible(ctx, Project, Project.code, {r.project_id for r in batch})
        for r in batch:
            yield (
                r.code,
                r.title,
                label("TenderMethod", r.method, locale),
                label("TenderStatus", r.status, locale),
                r.region_code,
                _name(projects, r.project_id),
                _name(organisations, r.owner_organisation_id),
                r.ceiling_price,
                r.published_at,
                r.bid_deadline,
                r.opening_time,
                r.number_of_tenderers,
                r.award_value,
                r.awarded_at,
                r.created_at,
            )


# -- contracts --------------------------------------------------------------------------------

CONTRACT_ARGS: Spec = {
    "filter": {
        "status": Arg("enum", CONTRACT_STATUSES, many=True),
        "contractorId": Arg("id", id_type="Organisation"),
        "projectId": Arg("id", id_type="Project"),
        "regionPrefix": Arg("text"),
        "amountMin": Arg("money"),
        "amountMax": Arg("money"),
        "signedFrom": Arg("date"),
        "signedTo": Arg("date"),
        "search": Arg("text"),
    },
    "orderBy": order_spec(contract_queries.ORDER_FIELDS),
}

CONTRACT_COLUMNS = (
    Column("code", ("合同编码", "Code")),
    Column("number", ("合同编号", "Number")),
    Column("title", ("合同名称", "Title")),
    Column("status", ("状态", "Status")),
    Column("region_code", ("行政区划代码", "Region code")),
    Column("project", ("项目编号", "Project")),
    Column("owner", ("建设单位", "Owner")),
    Column("contractor", ("施工单位", "Contractor")),
    Column("supervisor", ("监理单位", "Supervisor")),
    Column("amount", ("合同金额（元）", "Amount (CNY)"), "money"),
    Column("works_start", ("计划开工日期", "Works start"), "date"),
    Column("works_end", ("计划竣工日期", "Works end"), "date"),
    Column("signed_at", ("签订时间", "Signed"), "datetime"),
    Column("completed_at", ("竣工时间", "Completed"), "datetime"),
    Column("created_at", ("创建时间", "Created"), "datetime"),
)


def contract_query(ctx: ExportContext, args: Arguments) -> ListQuery:
    f = args.get("filter") or {}
    wanted = contract_queries.ContractFilter(
        status=stored(f.get("status")),
        contractor_id=_id(f.get("contractorId"), "Organisation"),
        project_id=_id(f.get("projectId"), "Project"),
        region_prefix=f.get("regionPrefix"),
        amount_min=amount_argument("filter.amountMin", f.get("amountMin")),
        amount_max=amount_argument("filter.amountMax", f.get("amountMax")),
        signed_from=_day(f.get("signedFrom")),
        signed_to=_day(f.get("signedTo")),
        search=f.get("search"),
    )
    field, direction = _order(args)
    return contract_queries.contracts(viewer(ctx), wanted, contract_queries.ContractOrder(field=field, direction=direction))


async def contract_rows(ctx: ExportContext, args: Arguments) -> AsyncIterator[Sequence[Any]]:
    organisations: dict[int, Any] = {}
    locale = ctx.locale
    async for batch in batches(ctx, contract_query(ctx, args)):
        parties = {r.owner_organisation_id for r in batch} | {r.contractor_organisation_id for r in batch}
        parties |= {r.supervisor_organisation_id for r in batch if r.supervisor_organisation_id is not None}
        await visible(ctx, Organisation, Organisation.name, parties, organisations)
        projects = await visible(ctx, Project, Project.code, {r.project_id for r in batch})
        for r in batch:
            yield (
                r.code,
                r.number,
                r.title,
                label("ContractStatus", r.status, locale),
                r.region_code,
                _name(projects, r.project_id),
                _name(organisations, r.owner_organisation_id),
                _name(organisations, r.contractor_organisation_id),
                _name(organisations, r.supervisor_organisation_id),
                r.amount,
                r.works_start,
                r.works_end,
                r.signed_at,
                r.completed_at,
                r.created_at,
            )


# -- payment requests -------------------------------------------------------------------------

REQUEST_ARGS: Spec = {
    "contractId": Arg("id", id_type="Contract"),
    "projectId": Arg("id", id_type="Project"),
    "status": Arg("enum", REQUEST_STATUSES, many=True),
    "awaitingMe": Arg("bool"),
}

# The payer's and payee's bank accounts are not exported, masked or not.
REQUEST_COLUMNS = (
    Column("code", ("申请编号", "Code")),
    Column("status", ("状态", "Status")),
    Column("origin", ("来源", "Origin")),
    Column("trigger", ("付款条件", "Trigger")),
    Column("triggered_on", ("条件达成日", "Condition met on"), "date"),
    Column("contract", ("合同编码", "Contract")),
    Column("region_code", ("行政区划代码", "Region code")),
    Column("payer", ("付款方", "Payer")),
    Column("payee", ("收款方", "Payee")),
    Column("amount", ("申请金额（元）", "Amount requested (CNY)"), "money"),
    Column("paid_amount", ("实付金额（元）", "Amount paid (CNY)"), "money"),
    Column("paid_on", ("付款日期", "Paid on"), "date"),
    Column("bank_reference", ("银行流水号", "Bank reference")),
    Column("requested_at", ("申请时间", "Requested"), "datetime"),
    Column("approved_at", ("批准时间", "Approved"), "datetime"),
    Column("paid_at", ("付款登记时间", "Payment recorded"), "datetime"),
)


def request_query(ctx: ExportContext, args: Arguments) -> ListQuery:
    return payment_queries.payment_requests(
        viewer(ctx),
        _id(args.get("contractId"), "Contract"),
        _id(args.get("projectId"), "Project"),
        stored(args.get("status")),
        bool(args.get("awaitingMe", False)),
    )


async def request_rows(ctx: ExportContext, args: Arguments) -> AsyncIterator[Sequence[Any]]:
    organisations: dict[int, Any] = {}
    locale = ctx.locale
    async for batch in batches(ctx, request_query(ctx, args)):
        parties = {r.owner_organisation_id for r in batch} | {r.contractor_organisation_id for r in batch}
        await visible(ctx, Organisation, Organisation.name, parties, organisations)
        contracts = await visible(ctx, Contract, Contract.code, {r.contract_id for r in batch})
        for r in batch:
            yield (
                r.code,
                label("PaymentRequestStatus", r.status, locale),
                label("PaymentRequestOrigin", r.origin, locale),
                label("PaymentTrigger", r.trigger_on, locale),
                r.triggered_on,
                _name(contracts, r.contract_id),
                r.region_code,
                _name(organisations, r.owner_organisation_id),
                _name(organisations, r.contractor_organisation_id),
                r.amount,
                r.paid_amount,
                r.paid_on,
                r.bank_reference,
                r.requested_at,
                r.approved_at,
                r.paid_at,
            )


# -- invoices ---------------------------------------------------------------------------------

INVOICE_ARGS: Spec = {
    "requestId": Arg("id", id_type="PaymentRequest"),
    "contractId": Arg("id", id_type="Contract"),
    "status": Arg("enum", INVOICE_STATUSES, many=True),
}

INVOICE_COLUMNS = (
    Column("number", ("发票号码", "Number")),
    Column("code", ("发票代码", "Invoice code")),
    Column("kind", ("种类", "Kind")),
    Column("format", ("文件格式", "Format")),
    Column("status", ("状态", "Status")),
    Column("issued_on", ("开票日期", "Issued on"), "date"),
    Column("seller_name", ("销售方", "Seller")),
    Column("seller_tax_id", ("销售方纳税人识别号", "Seller's taxpayer id")),
    Column("buyer_name", ("购买方", "Buyer")),
    Column("buyer_tax_id", ("购买方纳税人识别号", "Buyer's taxpayer id")),
    Column("amount_without_tax", ("金额（不含税，元）", "Amount without tax (CNY)"), "money"),
    Column("tax_amount", ("税额（元）", "Tax (CNY)"), "money"),
    Column("total_amount", ("价税合计（元）", "Total with tax (CNY)"), "money"),
    Column("request", ("付款申请编号", "Payment request")),
    Column("region_code", ("行政区划代码", "Region code")),
    Column("uploaded_at", ("上传时间", "Uploaded"), "datetime"),
    Column("verified_at", ("核验时间", "Verified"), "datetime"),
    Column("archived_at", ("归档时间", "Archived"), "datetime"),
)


def invoice_query(ctx: ExportContext, args: Arguments) -> ListQuery:
    return payment_queries.invoices(
        viewer(ctx), _id(args.get("requestId"), "PaymentRequest"), _id(args.get("contractId"), "Contract"), stored(args.get("status"))
    )


async def invoice_rows(ctx: ExportContext, args: Arguments) -> AsyncIterator[Sequence[Any]]:
    locale = ctx.locale
    async for batch in batches(ctx, invoice_query(ctx, args)):
        requests = await visible(ctx, PaymentRequest, PaymentRequest.code, {r.request_id for r in batch})
        for r in batch:
            yield (
                r.number,
                r.code,
                label("InvoiceKind", r.kind, locale),
                label("InvoiceFormat", r.format, locale),
                label("InvoiceStatus", r.status, locale),
                r.issued_on,
                r.seller_name,
                r.seller_tax_id,
                r.buyer_name,
                r.buyer_tax_id,
                r.amount_without_tax,
                r.tax_amount,
                r.total_amount,
                _name(requests, r.request_id),
                r.region_code,
                r.uploaded_at,
                r.verified_at,
                r.archived_at,
            )


# -- works warnings ---------------------------------------------------------------------------

WARNING_ARGS: Spec = {
    "contractId": Arg("id", id_type="Contract"),
    "status": Arg("enum", WARNING_STATUSES, many=True),
    "kind": Arg("enum", WARNING_KINDS, many=True),
}

WARNING_COLUMNS = (
    Column("contract", ("合同编码", "Contract")),
    Column("kind", ("类型", "Kind")),
    Column("severity", ("级别", "Severity")),
    Column("status", ("状态", "Status")),
    Column("explanation", ("预警说明", "Explanation")),
    Column("region_code", ("行政区划代码", "Region code")),
    Column("raised_at", ("预警时间", "Raised"), "datetime"),
    Column("acknowledged_at", ("知悉时间", "Acknowledged"), "datetime"),
    Column("acknowledged_by", ("知悉人", "Acknowledged by")),
    Column("resolved_at", ("处理时间", "Resolved"), "datetime"),
    Column("resolved_by", ("处理人", "Resolved by")),
    Column("resolution", ("处理说明", "Resolution")),
)


def warning_query(ctx: ExportContext, args: Arguments) -> ListQuery:
    return progress_queries.warnings(
        viewer(ctx), _id(args.get("contractId"), "Contract"), stored(args.get("status")), stored(args.get("kind"))
    )


async def warning_rows(ctx: ExportContext, args: Arguments) -> AsyncIterator[Sequence[Any]]:
    locale = ctx.locale
    async for batch in batches(ctx, warning_query(ctx, args)):
        contracts = await visible(ctx, Contract, Contract.code, {r.contract_id for r in batch})
        for r in batch:
            yield (
                _name(contracts, r.contract_id),
                label("WarningKind", r.kind, locale),
                label("WarningSeverity", r.severity, locale),
                label("WarningStatus", r.status, locale),
                explanation(r.kind, json.loads(r.details or "{}"), locale),
                r.region_code,
                r.raised_at,
                r.acknowledged_at,
                r.acknowledged_by,
                r.resolved_at,
                r.resolved_by,
                r.resolution,
            )


# -- the audit trail --------------------------------------------------------------------------

AUDIT_ARGS: Spec = {
    "filter": {
        "targetId": Arg("text"),
        "targetType": Arg("text"),
        "actorId": Arg("text"),
        "operation": Arg("text"),
        "occurredAfter": Arg("datetime"),
        "occurredBefore": Arg("datetime"),
    }
}

AUDIT_COLUMNS = (
    Column("sequence", ("序号", "Sequence"), "integer"),
    Column("occurred_at", ("发生时间", "Occurred"), "datetime"),
    Column("actor_type", ("操作者类型", "Actor type")),
    Column("actor_name", ("操作者", "Actor")),
    Column("operation", ("操作", "Operation")),
    Column("target_type", ("对象类型", "Target type")),
    Column("target_id", ("对象标识", "Target key")),
    Column("region_code", ("行政区划代码", "Region code")),
    Column("changes", ("变更内容", "Changes")),
    Column("request_id", ("请求标识", "Request id")),
    Column("client_address", ("客户端地址", "Client address")),
    Column("hash", ("事件哈希", "Hash")),
)


def _global_id(value: str, name: str) -> tuple[str, str]:
    try:
        type_name, _, key = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise _invalid(name, Label("ExportArgumentKind", "id")) from None
    if not type_name or not key:
        raise _invalid(name, Label("ExportArgumentKind", "id"))
    return type_name, key


def parse_audit(raw: Arguments) -> Arguments:
    args = parse_arguments(AUDIT_ARGS, raw)
    f = args.get("filter") or {}
    if "targetId" in f:
        _global_id(f["targetId"], "filter.targetId")
    if "actorId" in f:
        type_name, key = _global_id(f["actorId"], "filter.actorId")
        if type_name not in ("User", "ApiClient") or not (key.isascii() and key.isdigit()) or len(key) > 19:
            raise _invalid("filter.actorId", Label("ExportArgumentKind", "id"))
    if "occurredAfter" in f and "occurredBefore" in f and _moment(f["occurredAfter"]) >= _moment(f["occurredBefore"]):  # type: ignore[operator]
        raise BadInput("INVALID_TIME_RANGE")
    return args


def audit_query(ctx: ExportContext, args: Arguments) -> ListQuery:
    f = args.get("filter") or {}
    wanted = audit_queries.AuditEventFilter(
        target_type=f.get("targetType"),
        operation=f.get("operation"),
        occurred_after=_moment(f.get("occurredAfter")),
        occurred_before=_moment(f.get("occurredBefore")),
    )
    if f.get("targetId"):
        wanted.target = _global_id(f["targetId"], "filter.targetId")
    if f.get("actorId"):
        type_name, key = _global_id(f["actorId"], "filter.actorId")
        wanted.actor = ("user" if type_name == "User" else "client", int(key))
    return audit_queries.audit_events(viewer(ctx), wanted)


async def audit_rows(ctx: ExportContext, args: Arguments) -> AsyncIterator[Sequence[Any]]:
    locale = ctx.locale
    async for batch in batches(ctx, audit_query(ctx, args)):
        for r in batch:
            yield (
                r.seq,
                r.occurred_at,
                label("ActorType", r.actor_type, locale),
                r.actor_name,
                r.operation,
                r.target_type,
                r.target_id,
                r.region_code,
                r.changes,
                r.request_id,
                r.client_address,
                r.hash,
            )


# -- the registry -----------------------------------------------------------------------------


def _source(name: str, operation: str, title: tuple[str, str], columns, spec, query, rows, parse=None) -> ExportSource:
    async def total(ctx: ExportContext, args: Arguments) -> int:
        return await count(ctx, query(ctx, args))

    return export_source(
        ExportSource(
            name=name,
            operation=operation,
            title=title,
            columns=lambda args: columns,
            parse=parse or (lambda raw: parse_arguments(spec, raw)),
            rows=rows,
            total=total,
        )
    )


LIST_SOURCES = (
    _source("list.projects", "Query.projects", ("项目列表", "Projects"), PROJECT_COLUMNS, PROJECT_ARGS, project_query, project_rows),
    _source("list.tenders", "Query.tenders", ("招标采购列表", "Tenders"), TENDER_COLUMNS, TENDER_ARGS, tender_query, tender_rows),
    _source("list.contracts", "Query.contracts", ("合同列表", "Contracts"), CONTRACT_COLUMNS, CONTRACT_ARGS, contract_query, contract_rows),
    _source(
        "list.payment_requests",
        "Query.paymentRequests",
        ("付款申请列表", "Payment requests"),
        REQUEST_COLUMNS,
        REQUEST_ARGS,
        request_query,
        request_rows,
    ),
    _source("list.invoices", "Query.invoices", ("发票列表", "Invoices"), INVOICE_COLUMNS, INVOICE_ARGS, invoice_query, invoice_rows),
    _source(
        "list.progress_warnings",
        "Query.progressWarnings",
        ("施工预警列表", "Works warnings"),
        WARNING_COLUMNS,
        WARNING_ARGS,
        warning_query,
        warning_rows,
    ),
    _source(
        "list.audit_events",
        "Query.auditEvents",
        ("审计日志", "Audit trail"),
        AUDIT_COLUMNS,
        AUDIT_ARGS,
        audit_query,
        audit_rows,
        parse=parse_audit,
    ),
)
