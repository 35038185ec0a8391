"""Construction progress (进度): root query fields."""

from __future__ import annotations

from datetime import date

import strawberry

from resolvers.progress import queries
from schema.core.connection import Connection, list_page
from schema.core.context import Info, signed_in_actor
from schema.core.node import decode_id
from schema.progress.types import CheckIn, DailyLog


@strawberry.type
class ProgressQuery:
    @strawberry.field(description="Daily logs you can see, latest day first. 施工日志。")
    async def daily_logs(
        self,
        info: Info,
        contract_id: strawberry.ID | None = None,
        since: date | None = None,
        until: date | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[DailyLog] | None:
        actor = await signed_in_actor(info.context)
        contract = decode_id(contract_id, "Contract") if contract_id else None
        return await list_page(info, queries.daily_logs(actor, contract, since, until), DailyLog, first, after, last, before)

    @strawberry.field(description="Check-ins you can see, latest first. 定位打卡记录。")
    async def check_ins(
        self,
        info: Info,
        contract_id: strawberry.ID | None = None,
        flagged_only: bool = False,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[CheckIn] | None:
        actor = await signed_in_actor(info.context)
        contract = decode_id(contract_id, "Contract") if contract_id else None
        return await list_page(info, queries.check_ins(actor, contract, flagged_only), CheckIn, first, after, last, before)
