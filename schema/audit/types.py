"""The audit trail: events by target, actor and time, and chain verification: GraphQL types."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

import strawberry
from strawberry.scalars import JSON

from models.audit import AuditEvent as AuditEventModel
from schema.core.fields import column, label
from schema.core.node import Node, register_node, to_global_id


@register_node("audit_event")
@strawberry.type(description="One recorded change, linked to the previous by its hash. 审计事件。")
class AuditEvent(Node):
    row: strawberry.Private[AuditEventModel]

    pk_attribute: ClassVar[str] = "seq"

    sequence: int = column("seq", "Position in the chain, gapless from 1. 序号。")

    occurred_at: datetime = column("occurred_at", "When it was recorded (UTC). 发生时间。")

    actor_type: str = column("actor_type", "`user`, `client`, `system` or `anonymous`. 操作者类型。")

    actor_type_label: str = label("actor_type", "ActorType", "Actor type, in the request's language. 操作者类型名称。")

    @strawberry.field(description="Global ID of the acting user or API client. 操作者。")
    def actor_id(self) -> strawberry.ID | None:
        if self.row.actor_id is None:
            return None
        return strawberry.ID(to_global_id("User" if self.row.actor_type == "user" else "ApiClient", self.row.actor_id))

    actor_name: str = column(
        "actor_name",
        "Display name of the person or API client at the time (`actorId` identifies them); "
        "events recorded before display names were kept show the username. 操作者姓名（当时）。",
    )

    @strawberry.field(description="Global ID of the actor's organisation. 操作者单位。")
    def organisation_id(self) -> strawberry.ID | None:
        return None if self.row.organisation_id is None else strawberry.ID(to_global_id("Organisation", self.row.organisation_id))

    region_code: str | None = column("region_code", "Region the change belongs to. 行政区划。")

    operation: str = column("operation", "The operation, e.g. `Mutation.createUser`. 操作。")

    target_type: str = column("target_type", "Type of what changed, e.g. `User`. 对象类型。")

    @strawberry.field(description="Global ID of what changed (the raw key for non-node targets). 对象标识。")
    def target_id(self) -> str:
        from schema.core.node import NODE_TYPES

        if self.row.target_type in NODE_TYPES:
            return to_global_id(self.row.target_type, self.row.target_id)
        return self.row.target_id

    @strawberry.field(description="Changed fields: {field: {before, after}}; sensitive values redacted. 变更内容。")
    def changes(self) -> JSON:
        import json

        return json.loads(self.row.changes)

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
    reason: str | None = strawberry.field(description="SEQUENCE_GAP, PREVIOUS_HASH_MISMATCH, HASH_MISMATCH or HEAD_MISMATCH. 断裂原因。")
    verified_at: datetime = strawberry.field(description="When checked (UTC). 校验时间。")
