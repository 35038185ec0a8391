"""The audit trail: events by target, actor and time, and chain verification: inputs, filters and payloads."""

from __future__ import annotations

from datetime import datetime

import strawberry


@strawberry.input(description="Filter for audit events. 审计事件筛选条件。")
class AuditEventFilter:
    target_id: strawberry.ID | None = strawberry.field(default=None, description="Global ID of the target. 对象。")
    target_type: str | None = strawberry.field(default=None, description="Target type, e.g. `User`. 对象类型。")
    actor_id: strawberry.ID | None = strawberry.field(default=None, description="Global ID of the acting user or client. 操作者。")
    operation: str | None = strawberry.field(default=None, description="Operation, e.g. `Mutation.login`. 操作。")
    occurred_after: datetime | None = strawberry.field(default=None, description="From (inclusive). 起始时间。")
    occurred_before: datetime | None = strawberry.field(default=None, description="Until (exclusive). 截止时间。")
