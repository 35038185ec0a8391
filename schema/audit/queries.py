"""The audit trail: events by target, actor and time, and chain verification: root query fields."""

from __future__ import annotations

import strawberry

from resolvers.audit import queries
from resolvers.core.audit import verify_chain
from resolvers.core.errors import BadInput
from schema.audit.inputs import AuditEventFilter
from schema.audit.types import AuditEvent, AuditVerification
from schema.core.connection import Connection, list_page
from schema.core.context import Info, signed_in_actor
from schema.core.node import from_global_id, primary_key, shown


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
        actor = await signed_in_actor(ctx)
        wanted = None
        if filter:
            wanted = queries.AuditEventFilter(
                target_type=filter.target_type,
                operation=filter.operation,
                occurred_after=filter.occurred_after,
                occurred_before=filter.occurred_before,
            )
            if filter.target_id:
                wanted.target = from_global_id(str(filter.target_id))
            if filter.actor_id:
                type_name, key = from_global_id(str(filter.actor_id))
                if type_name not in ("User", "ApiClient"):
                    raise BadInput("INVALID_ID", id=shown(filter.actor_id))
                wanted.actor = ("user" if type_name == "User" else "client", primary_key(key, filter.actor_id))
        return await list_page(info, queries.audit_events(actor, wanted), AuditEvent, first, after, last, before)

    @strawberry.field(description="Check every link of the audit chain. 校验审计链完整性。")
    async def verify_audit_trail(self, info: Info) -> AuditVerification | None:
        from models.base import utcnow

        # The walk needs a snapshot transaction of its own: give back the request's read
        # connection first, so a request never holds two connections of the pool.
        await info.context.reads.close()
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
