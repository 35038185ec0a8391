"""Permission administration: root mutation fields. Every change of the policy makes a new
numbered version (or, with the four-eyes rule on, waits for a second policy administrator)."""

from __future__ import annotations

from typing import Any

import strawberry

from resolvers.core.context import UnitOfWork
from resolvers.permissions import grants, pending, versions
from resolvers.permissions.changes import Change, check_comment, submit
from schema.core.context import Info
from schema.core.node import decode_id
from schema.core.payload import run_mutation
from schema.permissions.catalogue import operations
from schema.permissions.inputs import (
    ApplyPolicyChangeInput,
    DecidePolicyChangeInput,
    GrantRoleInput,
    ImportPolicyInput,
    PolicyChangePayload,
    PolicyRuleInput,
    PolicyRulePayload,
    RevokeRoleInput,
    RollbackPolicyInput,
)
from schema.permissions.types import PendingPolicyChange, PolicyRule, PolicyVersion


def _payload(result: Any, errors: list[Any]) -> PolicyChangePayload:
    version, waiting = result if result is not None else (None, None)
    return PolicyChangePayload(
        version=PolicyVersion.of(version) if version is not None else None,
        pending=PendingPolicyChange.of(waiting) if waiting is not None else None,
        errors=errors,
    )


async def _one_line(uow: UnitOfWork, ops: dict[str, str], op: str, ptype: str, values: list[str]) -> Any:
    line = (ptype, *(v.strip() for v in values))
    version, waiting = await submit(uow, ops, "change", [Change(op, line)], "", where="values")
    return line, version, waiting


@strawberry.type
class PermissionsMutation:
    @strawberry.mutation(description="Add a policy line; effective at once (a new version). 添加权限规则。")
    async def add_policy_rule(self, info: Info, input: PolicyRuleInput) -> PolicyRulePayload | None:
        found, errors = await run_mutation(info, _one_line, operations(info.schema), "add", input.ptype.value, input.values)
        return PolicyRulePayload(rule=PolicyRule.of_line(found[0]) if found else None, errors=errors)

    @strawberry.mutation(description="Remove a policy line; effective at once (a new version). 删除权限规则。")
    async def remove_policy_rule(self, info: Info, input: PolicyRuleInput) -> PolicyRulePayload | None:
        found, errors = await run_mutation(info, _one_line, operations(info.schema), "remove", input.ptype.value, input.values)
        return PolicyRulePayload(rule=PolicyRule.of_line(found[0]) if found else None, errors=errors)

    @strawberry.mutation(
        description="Add and remove several lines at once, with a comment: every line checked, the guards applied, then one "
        "transaction, one version and one audit event. 批量变更权限规则。"
    )
    async def apply_policy_change(self, info: Info, input: ApplyPolicyChangeInput) -> PolicyChangePayload | None:
        changes = [c.change() for c in input.changes]

        async def run(uow: UnitOfWork) -> Any:
            return await submit(uow, operations(info.schema), "change", changes, check_comment(input.comment, required=True))

        return _payload(*await run_mutation(info, run))

    @strawberry.mutation(
        description="Grant a role to a person in a region (a city-level reviewer for three counties), optionally from and until "
        "a date (a temporary 代理 appointment). Nobody grants a role to themselves. 授予角色。"
    )
    async def grant_role(self, info: Info, input: GrantRoleInput) -> PolicyChangePayload | None:
        user = decode_id(input.user_id, "User")
        result, errors = await run_mutation(
            info,
            grants.grant_role,
            operations(info.schema),
            user,
            input.role,
            input.region_code,
            input.starts_on,
            input.ends_on,
            input.comment,
        )
        return _payload(result, errors)

    @strawberry.mutation(description="Take a granted role away from a person in a region. 撤销角色。")
    async def revoke_role(self, info: Info, input: RevokeRoleInput) -> PolicyChangePayload | None:
        user = decode_id(input.user_id, "User")
        result, errors = await run_mutation(
            info, grants.revoke_role, operations(info.schema), user, input.role, input.region_code, input.comment
        )
        return _payload(result, errors)

    @strawberry.mutation(description="Restore an earlier version's lines; the restored policy is a new version. 回滚权限策略。")
    async def rollback_policy(self, info: Info, input: RollbackPolicyInput) -> PolicyChangePayload | None:
        result, errors = await run_mutation(info, versions.rollback, operations(info.schema), input.version, input.comment)
        return _payload(result, errors)

    @strawberry.mutation(
        description="Replace the policy with a CSV file's lines (as exportPolicy writes them): every line checked first, nothing "
        "applied unless all are good; the difference is one new version. 导入权限策略。"
    )
    async def import_policy(self, info: Info, input: ImportPolicyInput) -> PolicyChangePayload | None:
        result, errors = await run_mutation(info, versions.import_file, operations(info.schema), input.csv, input.comment)
        return _payload(result, errors)

    @strawberry.mutation(
        description="Approve a change another policy administrator proposed: checked again against the policy as it is now, "
        "then applied as a new version. 批准权限变更。"
    )
    async def approve_policy_change(self, info: Info, input: DecidePolicyChangeInput) -> PolicyChangePayload | None:
        change_id = decode_id(input.id, "PendingPolicyChange")

        async def run(uow: UnitOfWork) -> Any:
            decided, version = await pending.approve(uow, operations(info.schema), change_id, check_comment(input.comment, required=False))
            return version, decided

        return _payload(*await run_mutation(info, run))

    @strawberry.mutation(description="Reject a change another policy administrator proposed. 驳回权限变更。")
    async def reject_policy_change(self, info: Info, input: DecidePolicyChangeInput) -> PolicyChangePayload | None:
        change_id = decode_id(input.id, "PendingPolicyChange")

        async def run(uow: UnitOfWork) -> Any:
            return None, await pending.reject(uow, change_id, check_comment(input.comment, required=False))

        return _payload(*await run_mutation(info, run))

    @strawberry.mutation(description="Withdraw a change you proposed. 撤回权限变更。")
    async def withdraw_policy_change(self, info: Info, input: DecidePolicyChangeInput) -> PolicyChangePayload | None:
        change_id = decode_id(input.id, "PendingPolicyChange")

        async def run(uow: UnitOfWork) -> Any:
            return None, await pending.withdraw(uow, change_id)

        return _payload(*await run_mutation(info, run))
