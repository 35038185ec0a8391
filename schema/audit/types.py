"""The audit trail: events by target, actor and time, and chain verification."""

from __future__ import annotations

from datetime import datetime

import strawberry
from sqlalchemy import select
from strawberry.scalars import JSON
from strawberry.types import Info

from models.audit import AuditEvent as AuditEventModel
from policies.scope import legacy as scope
from resolvers.core.audit import verify_chain
from resolvers.core.errors import BadInput
from schema.core.base import Connection, Node, column, from_global_id, list_page, register_node, to_global_id


@register_node("audit_event")
@strawberry.type(description="One recorded change, linked to the previous by its hash. 审计事件。")
class AuditEvent(Node):
    m: strawberry.Private[AuditEventModel]

    @classmethod
    def of(cls, row: AuditEventModel) -> "AuditEvent":
        return cls(pk=row.seq, m=row)

    sequence: int = column("seq", "Position in the chain, gapless from 1. 序号。")

    occurred_at: datetime = column("occurred_at", "When it was recorded (UTC). 发生时间。")

    actor_type: str = column("actor_type", "`user`, `client` or `anonymous`. 操作者类型。")

    @strawberry.field(description="Global ID of the acting user or API client. 操作者。")
    def actor_id(self) -> strawberry.ID | None:
        if self.m.actor_id is None:
            return None
        return strawberry.ID(to_global_id("User" if self.m.actor_type == "user" else "ApiClient", self.m.actor_id))

    actor_name: str = column("actor_name", "Username or client id at the time. 操作者名称。")

    @strawberry.field(description="Global ID of the actor's organisation. 操作者单位。")
    def organisation_id(self) -> strawberry.ID | None:
        return None if self.m.organisation_id is None else strawberry.ID(to_global_id("Organisation", self.m.organisation_id))

    region_code: str | None = column("region_code", "Region the change belongs to. 行政区划。")

    operation: str = column("operation", "The operation, e.g. `Mutation.createUser`. 操作。")

    target_type: str = column("target_type", "Type of what changed, e.g. `User`. 对象类型。")

    @strawberry.field(description="Global ID of what changed (the raw key for non-node targets). 对象标识。")
    def target_id(self) -> str:
        from schema.core.base import NODE_TYPES

        if self.m.target_type in NODE_TYPES:
            return to_global_id(self.m.target_type, self.m.target_id)
        return self.m.target_id

    @strawberry.field(description="Changed fields: {field: {before, after}}; sensitive values redacted. 变更内容。")
    def changes(self) -> JSON:
        import json

        return json.loads(self.m.changes)

    request_id: str | None = column("request_id", "X-Request-ID of the request. 请求标识。")

    client_address: str | None = column("client_address", "Client IP address. 客户端地址。")

    previous_hash: str = column("prev_hash", "Hash of the previous event. 前一事件哈希。")

    hash: str = column("hash", "SHA-256 over this event's canonical JSON. 本事件哈希。")


@strawberry.type(description="Result of checking the whole audit chain. 审计链校验结果。")
class AuditVerification:
    valid: bool = strawberry.field(description="Every link holds. 是否完整。")
    checked_events: int = strawberry.field(description="Events checked before stopping. 已校验事件数。")
    head_sequence: int = strawberry.field(description="Last sequence number on record. 当前末尾序号。")
    first_broken_sequence: int | None = strawberry.field(description="First event that fails. 首个断裂序号。")
    reason: str | None = strawberry.field(
        description="SEQUENCE_GAP, PREVIOUS_HASH_MISMATCH, HASH_MISMATCH or HEAD_MISMATCH. 断裂原因。"
    )
    verified_at: datetime = strawberry.field(description="When checked (UTC). 校验时间。")


@strawberry.input(description="Filter for audit events. 审计事件筛选条件。")
class AuditEventFilter:
    target_id: strawberry.ID | None = strawberry.field(default=None, description="Global ID of the target. 对象。")
    target_type: str | None = strawberry.field(default=None, description="Target type, e.g. `User`. 对象类型。")
    actor_id: strawberry.ID | None = strawberry.field(default=None, description="Global ID of the acting user or client. 操作者。")
    operation: str | None = strawberry.field(default=None, description="Operation, e.g. `Mutation.login`. 操作。")
    occurred_after: datetime | None = strawberry.field(default=None, description="From (inclusive). 起始时间。")
    occurred_before: datetime | None = strawberry.field(default=None, description="Until (exclusive). 截止时间。")


@strawberry.type
class AuditQuery:
    @strawberry.field(description="Audit events in your scope, newest first. 审计事件。")
    async def audit_events(
        self,
        info: Info,
        filter: AuditEventFilter | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[AuditEvent] | None:
        ctx = info.context
        actor = await ctx.actor()
        M = AuditEventModel
        stmt = select(M).where(scope.audit_events(actor))
        if filter:
            if filter.target_id:
                type_name, key = from_global_id(str(filter.target_id))
                stmt = stmt.where(M.target_type == type_name, M.target_id == key)
            if filter.target_type:
                stmt = stmt.where(M.target_type == filter.target_type)
            if filter.actor_id:
                type_name, key = from_global_id(str(filter.actor_id))
                if not key.isdigit() or type_name not in ("User", "ApiClient"):
                    raise BadInput("INVALID_ID", id=filter.actor_id)
                stmt = stmt.where(M.actor_type == ("user" if type_name == "User" else "client"), M.actor_id == int(key))
            if filter.operation:
                stmt = stmt.where(M.operation == filter.operation)
            if filter.occurred_after and filter.occurred_before and filter.occurred_after >= filter.occurred_before:
                raise BadInput("INVALID_TIME_RANGE")
            if filter.occurred_after:
                stmt = stmt.where(M.occurred_at >= filter.occurred_after)
            if filter.occurred_before:
                stmt = stmt.where(M.occurred_at < filter.occurred_before)
        return await list_page(info, stmt, [(M.seq, True)], AuditEvent.of, first, after, last, before)

    @strawberry.field(description="Check every link of the audit chain. 校验审计链完整性。")
    async def verify_audit_trail(self, info: Info) -> AuditVerification | None:
        from models.base import utcnow

        async with info.context.db.snapshot() as session:
            result = await verify_chain(session)
        return AuditVerification(
            valid=result.valid,
            checked_events=result.checked,
            head_sequence=result.head_seq,
            first_broken_sequence=result.first_broken_seq,
            reason=result.reason,
            verified_at=utcnow(),
        )
