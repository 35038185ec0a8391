"""Permission administration: root query fields."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import strawberry

from policies.evaluate import PolicyModel
from policies.scope import REGION_WIDE_ROLES
from resolvers.core.clock import today_in_china
from resolvers.core.context import UnitOfWork
from resolvers.core.errors import UserErrors
from resolvers.permissions import explain as explaining
from resolvers.permissions import grants, pending, queries, versions
from resolvers.permissions.changes import export_csv
from schema.core.connection import Connection, list_page
from schema.core.context import Info, signed_in_actor
from schema.core.node import decode_id
from schema.core.payload import UserError
from schema.permissions.catalogue import catalogue, operations
from schema.permissions.inputs import PolicyLineChangeInput
from schema.permissions.types import (
    PendingPolicyChange,
    PendingPolicyChangeStatus,
    PermissionEffect,
    PermissionExplanation,
    PolicyChangePreview,
    PolicyOperation,
    PolicyRule,
    PolicyVersion,
    RoleAssignment,
)

# Who reads assignments and explanations, in the regions where they hold these roles.
ADMINISTERING_ROLES = REGION_WIDE_ROLES | {"policy_admin"}


@asynccontextmanager
async def reading(info: Info) -> AsyncIterator[UnitOfWork]:
    """A unit of work for a question about the policy: the caller, a read session, and no
    transaction to commit (nothing is written)."""
    ctx = info.context
    actor = await signed_in_actor(ctx)
    async with ctx.read() as session:
        yield UnitOfWork(
            session, ctx.settings, ctx.cipher, ctx.policy, ctx.meta, ctx.state.clock.now(), f"Query.{info.field_name}", actor=actor
        )


async def live_lines(info: Info) -> list[tuple[str, ...]]:
    """The lines of the policy this process enforces."""
    await info.context.policy.ready()
    loaded = info.context.policy.loaded
    return [] if loaded is None else list(loaded.lines)


@strawberry.type
class PermissionsQuery:
    @strawberry.field(description="The live policy, optionally for one role or operation. 当前权限规则。")
    async def policy_rules(self, info: Info, role: str | None = None, operation: str | None = None) -> list[PolicyRule] | None:
        async with info.context.read() as session:
            rows = await queries.policy_rules(session, role, operation)
        return [PolicyRule.of(r.ptype, r.values()) for r in rows]

    @strawberry.field(
        description="Every operation a policy line can allow, generated from the schema: each root Query, Mutation and "
        "Subscription field and each guarded field, with its action, description, module and the lines that allow it; `dead` "
        "when none does. 可授权操作目录。"
    )
    async def policy_operations(self, info: Info, module: str | None = None, dead_only: bool = False) -> list[PolicyOperation]:
        model = PolicyModel(await live_lines(info))
        found = []
        for op in catalogue(info.schema):
            if module and op.module != module:
                continue
            lines = [PolicyRule.of_line(line) for line in model.permission_lines(op.name, op.action)]
            if dead_only and lines:
                continue
            found.append(
                PolicyOperation(
                    name=op.name,
                    action=op.action,
                    module=op.module,
                    description_en=op.description_en,
                    description_zh=op.description_zh,
                    lines=lines,
                )
            )
        return found

    @strawberry.field(
        description="Who holds which role where, through their organisation or granted to them (with the grant's dates), "
        "filtered by person, role and region (a region keeps what covers it or lies in it). Within the regions where you "
        "administer. 角色分配。"
    )
    async def role_assignments(
        self, info: Info, user_id: strawberry.ID | None = None, role: str | None = None, region_code: str | None = None
    ) -> list[RoleAssignment]:
        actor = await signed_in_actor(info.context)
        wanted = decode_id(user_id, "User") if user_id else None
        today = today_in_china(info.context.state.clock.now())
        lines = await live_lines(info)
        async with info.context.read() as session:
            found = await grants.assignments(session, lines, today, wanted, role, region_code)
        prefixes = actor.region_prefixes(ADMINISTERING_ROLES)
        return [RoleAssignment.of(a) for a in found if any(a.region.startswith(p) for p in prefixes)]

    @strawberry.field(
        description="Whether a person may run an operation (in a region: where they act for it covers the region), and why: the "
        "role they hold, the role lines followed and the line that allows it; or, when denied, the nearest line and a change "
        "that would allow it. 权限解释。"
    )
    async def explain_permission(
        self, info: Info, user_id: strawberry.ID, operation: str, region_code: str | None = None
    ) -> PermissionExplanation:
        try:
            async with reading(info) as uow:
                person = decode_id(user_id, "User")
                prefixes = uow.require_actor().region_prefixes(ADMINISTERING_ROLES)
                found = await explaining.explain_for(uow, operations(info.schema), person, operation.strip(), region_code, prefixes)
        except UserErrors as refused:
            errors = [UserError.of(p, info.context.meta.locale) for p in refused.problems]
            return PermissionExplanation(
                allowed=False,
                operation=operation,
                action="",
                region_code=region_code,
                steps=[],
                nearest_rule=None,
                fix=None,
                reason=None,
                errors=errors,
            )
        return PermissionExplanation.of(found)

    @strawberry.field(
        description="What a change would do, before anything is saved: the lines it adds and removes, who gains and who loses "
        "which operation in which region, and what the guards would refuse. 权限变更预览。"
    )
    async def preview_policy_change(self, info: Info, changes: list[PolicyLineChangeInput]) -> PolicyChangePreview:
        try:
            async with reading(info) as uow:
                found = await explaining.preview(uow, operations(info.schema), [c.change() for c in changes])
        except UserErrors as refused:
            errors = [UserError.of(p, info.context.meta.locale) for p in refused.problems]
            return PolicyChangePreview(added=[], removed=[], gains=[], losses=[], refusals=[], errors=errors)
        locale = info.context.meta.locale
        return PolicyChangePreview(
            added=[PolicyRule.of_line(line) for line in found.added],
            removed=[PolicyRule.of_line(line) for line in found.removed],
            gains=[PermissionEffect.of(e) for e in found.effects if e.gains],
            losses=[PermissionEffect.of(e) for e in found.effects if not e.gains],
            refusals=[UserError.of(p, locale) for p in found.refusals],
            errors=[],
        )

    @strawberry.field(description="The policy's numbered versions, newest first. 权限策略版本。")
    async def policy_versions(
        self, info: Info, first: int | None = None, after: str | None = None, last: int | None = None, before: str | None = None
    ) -> Connection[PolicyVersion] | None:
        actor = await signed_in_actor(info.context)
        return await list_page(info, versions.versions(actor), PolicyVersion, first, after, last, before)

    @strawberry.field(
        description="Changes waiting for a second policy administrator (four-eyes rule), in your region, newest first; "
        "filtered by status (PENDING: still open, not expired). 待审批的权限变更。"
    )
    async def pending_policy_changes(
        self,
        info: Info,
        status: PendingPolicyChangeStatus | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[PendingPolicyChange] | None:
        actor = await signed_in_actor(info.context)
        listed = pending.listed(actor, info.context.state.clock.now(), status.value if status else None)
        return await list_page(info, listed, PendingPolicyChange, first, after, last, before)

    @strawberry.field(description="The live policy as a Casbin CSV file (importPolicy reads it back). 导出权限策略（CSV）。")
    async def export_policy(self, info: Info) -> str:
        return export_csv(await live_lines(info))
