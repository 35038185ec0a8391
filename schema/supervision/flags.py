"""Red flags (风险预警): the GraphQL types, the list, the counts and the acknowledgement."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from models import supervision as tables
from models.supervision import RED_FLAG_CODES, RED_FLAG_LEVELS, RED_FLAG_STATUSES
from resolvers.core.i18n import label as label_of
from resolvers.supervision import flag_rules, flags
from schema.accounts.types import Organisation
from schema.contracts.types import Contract
from schema.core import loaders
from schema.core.connection import Connection, list_page
from schema.core.context import Info, signed_in_actor
from schema.core.fields import column, enum_of, label, labels_in_request, loaded
from schema.core.node import Node, decode_id, register_node, to_global_id
from schema.core.payload import UserError, run_mutation
from schema.projects.types import Project
from schema.tendering.types import Tender

if TYPE_CHECKING:
    import enum

    class RedFlagCode(enum.Enum): ...

    class RedFlagLevel(enum.Enum): ...

    class RedFlagStatus(enum.Enum): ...

    class RedFlagAction(enum.Enum): ...

    class RedFlagGroupBy(enum.Enum): ...

else:
    RedFlagCode = enum_of(
        "RedFlagCode",
        RED_FLAG_CODES,
        "A red flag: an Open Contracting Partnership Cardinal indicator (R…), or one of this system's own (SW…). 风险预警类型。",
    )
    RedFlagLevel = enum_of("RedFlagLevel", RED_FLAG_LEVELS, "What a red flag is about: a process, a buyer or a supplier. 预警层级。")
    RedFlagStatus = enum_of(
        "RedFlagStatus", RED_FLAG_STATUSES, "Open, acknowledged by an auditor, or cleared (no longer holds). 预警状态。"
    )
    RedFlagAction = enum_of(
        "RedFlagAction", tuple(flags.RED_FLAG_ACTIONS), "Something a viewer may do to a red flag now. 对预警可执行的操作。"
    )
    RedFlagGroupBy = enum_of("RedFlagGroupBy", flags.GROUP_BY, "What red flags are counted by. 预警统计维度。")

loaders.by_id("red_flag", tables.RedFlag)
loaders.children("suppliers_of_red_flag", tables.RedFlagSupplier, tables.RedFlagSupplier.flag_id, tables.RedFlagSupplier.organisation_id)
loaders.children(
    "history_of_red_flag",
    tables.RedFlagStatusChange,
    tables.RedFlagStatusChange.flag_id,
    tables.RedFlagStatusChange.occurred_at,
    tables.RedFlagStatusChange.id,
)


@strawberry.type(description="One move of a red flag: raised, acknowledged, cleared, holding again. 预警状态变更。")
class RedFlagStatusChange:
    row: strawberry.Private[tables.RedFlagStatusChange]

    action: str = column("action", "The action (its code). 操作。")
    action_label: str = label("action", "RedFlagAction", "The action, in the request's language. 操作名称。")
    to_status: RedFlagStatus = column("to_status", "The status it moved to. 变更后状态。", RedFlagStatus)
    to_status_label: str = label("to_status", "RedFlagStatus", "That status, in the request's language. 变更后状态名称。")
    actor_name: str = column("actor_name", "Who (the system, for the computation's moves). 操作人。")
    comment: str | None = column("comment", "Comment. 说明。")
    occurred_at: datetime = column("occurred_at", "When (UTC). 时间。")


@register_node("red_flag")
@strawberry.type(
    description="A red flag (风险预警): a rule that holds for a process, buyer or supplier in a year, with the numbers that raised it. 风险预警。",
)
class RedFlag(Node):
    row: strawberry.Private[tables.RedFlag]

    code: RedFlagCode = column("code", "Which rule. 预警类型。", RedFlagCode)
    code_label: str = label("code", "RedFlagCode", "The rule, in the request's language. 预警类型名称。")
    level: RedFlagLevel = column("level", "What it is about. 预警层级。", RedFlagLevel)
    level_label: str = label("level", "RedFlagLevel", "The level, in the request's language. 预警层级名称。")
    year: int = column("year", "The year (China) of the process, or of the payments or logs concerned. 年度。")
    region_code: str = column("region_code", "The region (county) it belongs to. 行政区划代码。")
    status: RedFlagStatus = column("status", "Status. 状态。", RedFlagStatus)
    status_label: str = label("status", "RedFlagStatus", "Status, in the request's language. 状态名称。")
    raised_at: datetime = column("raised_at", "When first raised (UTC). 发现时间。")
    last_seen_at: datetime = column("last_seen_at", "When last found holding (UTC). 最近一次确认成立的时间。")
    cleared_at: datetime | None = column("cleared_at", "When it stopped holding (UTC), while cleared. 不再成立的时间。")
    acknowledged_at: datetime | None = column("acknowledged_at", "When an auditor acknowledged it (UTC). 确认时间。")
    acknowledged_by_name: str | None = column("acknowledged_by_name", "Who acknowledged it. 确认人。")
    acknowledgement: str | None = column("acknowledgement", "What the auditor found. 确认意见。")

    @strawberry.field(description="What raised it, naming its numbers, in the request's language. 预警说明。")
    def explanation(self, info: Info) -> str:
        row = self.row
        return flag_rules.explanation(row.code, row.level, flag_rules.numbers_of(row.numbers), info.context.meta.locale)

    @strawberry.field(description="The numbers that raised it (values, fences, quartiles, names), as JSON. 预警数据。")
    def numbers(self) -> strawberry.scalars.JSON:
        numbers: Any = flag_rules.numbers_of(self.row.numbers)
        return numbers

    # Nested objects by nullable keys: a buyer flag has no tender, a supplier flag no buyer.
    @strawberry.field(description="The tender (process) it is about. 招标。")
    async def tender(self, info: Info) -> Tender | None:
        return await _one(info, "tender", self.row.tender_id, Tender)

    @strawberry.field(description="The contract, for a contract's own flags (SW01, SW02). 合同。")
    async def contract(self, info: Info) -> Contract | None:
        return await _one(info, "contract", self.row.contract_id, Contract)

    @strawberry.field(description="The project of the process. 项目。")
    async def project(self, info: Info) -> Project | None:
        return await _one(info, "project", self.row.project_id, Project)

    @strawberry.field(description="The buyer (the owner that procures). 采购人。")
    async def buyer(self, info: Info) -> Organisation | None:
        return await _one(info, "organisation", self.row.buyer_organisation_id, Organisation)

    @strawberry.field(
        description="The supplier it is about: a supplier flag's subject, or a process's winner, single bidder or contractor. 供应商。"
    )
    async def supplier(self, info: Info) -> Organisation | None:
        return await _one(info, "organisation", self.row.supplier_organisation_id, Organisation)

    @strawberry.field(description="Every supplier it concerns (e.g. the bidders of identical prices). 涉及的供应商。")
    async def suppliers(self, info: Info) -> list[Organisation]:
        links = await info.context.loaders.suppliers_of_red_flag.load(self.row.id)
        rows = await info.context.loaders.organisation.load_many([link.organisation_id for link in links])
        return [Organisation.of(row) for row in rows if row is not None]

    @strawberry.field(description="Its moves, oldest first. 状态变更记录。")
    @loaded("history_of_red_flag", "id", shows=RedFlagStatusChange)
    async def history(self, info: Info) -> list[RedFlagStatusChange]:
        raise NotImplementedError  # resolved from the @loaded declaration above

    @strawberry.field(description="What the viewer may do to this flag now. 当前用户可执行的操作。")
    async def available_actions(self, info: Info) -> list[RedFlagAction]:
        return [RedFlagAction(a) for a in await _actions(info, self.row)]

    @strawberry.field(description="The labels of `availableActions`, in order. 可执行操作名称。")
    async def available_action_labels(self, info: Info) -> list[str]:
        return labels_in_request(info, "RedFlagAction", await _actions(info, self.row))


async def _one(info: Info, loader: str, key: int | None, shows: Any) -> Any:
    """The object of a nullable key through the request's (scoped) loader, or None."""
    if key is None:
        return None
    row = await getattr(info.context.loaders, loader).load(key)
    return shows.of(row) if row is not None else None


async def _actions(info: Info, row: Any) -> list[str]:
    from schema.core.actions import viewer_actions

    return await viewer_actions(info, lambda actor: flags.red_flag_actions(actor, row), flags.RED_FLAG_ACTIONS)


@strawberry.input(description="Which red flags. 预警筛选条件。")
class RedFlagFilter:
    codes: list[RedFlagCode] | None = strawberry.field(default=None, description="Any of these rules. 预警类型。")
    levels: list[RedFlagLevel] | None = strawberry.field(default=None, description="Any of these levels. 预警层级。")
    statuses: list[RedFlagStatus] | None = strawberry.field(default=None, description="Any of these statuses. 状态。")
    region_code: str | None = strawberry.field(
        default=None, description="A region code (6 digits); a province or city code covers what lies below it. 行政区划代码。"
    )
    year: int | None = strawberry.field(default=None, description="Year. 年度。")
    buyer_id: strawberry.ID | None = strawberry.field(default=None, description="Buyer (an Organisation). 采购人。")
    supplier_id: strawberry.ID | None = strawberry.field(default=None, description="A supplier it concerns (an Organisation). 供应商。")
    tender_id: strawberry.ID | None = strawberry.field(default=None, description="Tender. 招标。")


def _filter(given: RedFlagFilter | None) -> flags.RedFlagFilter | None:
    if given is None:
        return None
    return flags.RedFlagFilter(
        codes=[c.value for c in given.codes] if given.codes else None,
        levels=[v.value for v in given.levels] if given.levels else None,
        statuses=[s.value for s in given.statuses] if given.statuses else None,
        region_code=given.region_code,
        year=given.year,
        buyer_id=decode_id(given.buyer_id, "Organisation") if given.buyer_id else None,
        supplier_id=decode_id(given.supplier_id, "Organisation") if given.supplier_id else None,
        tender_id=decode_id(given.tender_id, "Tender") if given.tender_id else None,
    )


@strawberry.type(description="How many red flags one code, region, year, buyer or supplier has. 预警统计。")
class RedFlagCount:
    organisation_id: strawberry.Private[int | None]
    key: str = strawberry.field(
        description="The code (`R003`), region code, year, or the organisation's global ID it counts. 统计维度取值。"
    )
    label: str = strawberry.field(description="The key as people read it: the rule's or organisation's name. 维度名称。")
    total: int = strawberry.field(description="Flags in all. 预警总数。")
    open: int = strawberry.field(description="Open. 待核查。")
    acknowledged: int = strawberry.field(description="Acknowledged. 已确认知悉。")
    cleared: int = strawberry.field(description="Cleared. 已不成立。")

    @strawberry.field(description="The buyer or supplier counted, when grouped by one. 单位。")
    async def organisation(self, info: Info) -> Organisation | None:
        if self.organisation_id is None:
            return None
        row = await info.context.loaders.organisation.load(self.organisation_id)
        return Organisation.of(row) if row is not None else None


@strawberry.input(description="Acknowledge a red flag with what was found. 确认知悉风险预警。")
class AcknowledgeRedFlagInput:
    id: strawberry.ID = strawberry.field(description="The red flag. 风险预警。")
    comment: str = strawberry.field(description="What the auditor found (required, at most 2000 characters). 确认意见。")


@strawberry.type(description="Result of acknowledging a red flag. 确认预警结果。")
class RedFlagPayload:
    red_flag: RedFlag | None = strawberry.field(description="The red flag. 风险预警。")
    errors: list[UserError] = strawberry.field(description="Validation failures; nothing changed. 校验错误。")


@strawberry.type
class FlagsQuery:
    @strawberry.field(description="Red flags you may see (auditors, administrators and finance of the region), latest first. 风险预警。")
    async def red_flags(
        self,
        info: Info,
        filter: RedFlagFilter | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[RedFlag] | None:
        actor = await signed_in_actor(info.context)
        return await list_page(info, flags.red_flags(actor, _filter(filter)), RedFlag, first, after, last, before)

    @strawberry.field(description="Red flags you may see, counted by code, region, year, buyer or supplier (in SQL). 风险预警统计。")
    async def red_flag_counts(
        self,
        info: Info,
        group_by: Annotated[RedFlagGroupBy, strawberry.argument(description="What to count by. 统计维度。")],
        filter: RedFlagFilter | None = None,
    ) -> list[RedFlagCount]:
        actor = await signed_in_actor(info.context)
        by = group_by.value
        rows = await info.context.reads.all(flags.red_flag_counts(actor, _filter(filter), by))
        locale = info.context.meta.locale
        counts = []
        for row in rows:
            organisation = int(row.key) if by in ("buyer", "supplier") else None
            if by == "code":
                key, text = str(row.key), label_of("RedFlagCode", row.key, locale)
            elif organisation is not None:
                key, text = to_global_id("Organisation", organisation), row.name
            else:
                key = text = str(row.key)
            counts.append(
                RedFlagCount(
                    organisation_id=organisation,
                    key=key,
                    label=text,
                    total=int(row.total),
                    open=int(row.open or 0),
                    acknowledged=int(row.acknowledged or 0),
                    cleared=int(row.cleared or 0),
                )
            )
        return counts


@strawberry.type
class FlagsMutation:
    @strawberry.mutation(description="Acknowledge a red flag with what was found (auditors of its region). 确认知悉风险预警。")
    async def acknowledge_red_flag(self, info: Info, input: AcknowledgeRedFlagInput) -> RedFlagPayload | None:
        row, errors = await run_mutation(info, flags.acknowledge, decode_id(input.id, "RedFlag"), input.comment)
        return RedFlagPayload(red_flag=RedFlag.of(row) if row else None, errors=errors)
