"""Editing the live permission policy (policy_admin). Every change is audited, raises the
policy version in the same transaction, and takes effect in this process at once and in
the others as soon as they hear of it (Redis) or within ``policy_cache_seconds``."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select, update

from models.permissions import CasbinRule, PolicyState
from resolvers.core.context import UnitOfWork
from resolvers.core.errors import Problem, UserErrors
from resolvers.core.validation import REGION_RE

ROLE_RE = re.compile(r"^[a-z][a-z0-9_]{1,31}$")
OBJECT_RE = re.compile(r"^[A-Z][A-Za-z0-9]*\.(\*|[a-z][A-Za-z0-9]*)$")
ACTIONS = ("read", "write", "subscribe", "read_full")
# Rules that must survive every removal, or nobody could ever edit the policy again.
ESSENTIAL_OBJECTS = ("Mutation.addPolicyRule",)


@dataclass(frozen=True)
class Rule:
    """``p``: role may do action on object in region. ``g``: role includes another role in region."""

    ptype: str
    values: tuple[str, ...]

    @property
    def columns(self) -> dict[str, str]:
        padded = list(self.values) + [""] * (6 - len(self.values))
        return {"ptype": self.ptype, **{f"v{i}": v for i, v in enumerate(padded)}}


def _region_ok(uow: UnitOfWork, region: str) -> bool:
    prefix = uow.require_actor().region_prefix
    if region == "*":
        return prefix == ""
    return REGION_RE.match(region) is not None and region.startswith(prefix)


def validate_rule(uow: UnitOfWork, ptype: str, values: list[str]) -> Rule:
    values = [v.strip() for v in values]

    def bad(reason: str) -> UserErrors:
        return UserErrors(Problem("INVALID_POLICY_RULE", "values", {"reason": reason}))

    if ptype == "p":
        if len(values) != 4:
            raise bad("p takes role, region, object, action")
        role, region, obj, act = values
        if not OBJECT_RE.match(obj):
            raise bad(f"object {obj!r} is not Type.field")
        if act not in ACTIONS:
            raise bad(f"action must be one of {', '.join(ACTIONS)}")
    elif ptype == "g":
        if len(values) != 3:
            raise bad("g takes role, inherited role, region")
        role, inherited, region = values
        if not ROLE_RE.match(inherited):
            raise bad(f"role {inherited!r} is not a role name")
    else:
        raise bad("ptype must be p or g")
    if not ROLE_RE.match(role):
        raise bad(f"role {role!r} is not a role name")
    if not _region_ok(uow, region):
        raise UserErrors(Problem("REGION_OUT_OF_SCOPE", "values"))
    return Rule(ptype, tuple(values))


async def _find(uow: UnitOfWork, rule: Rule) -> CasbinRule | None:
    cols = rule.columns
    stmt = select(CasbinRule).where(*(getattr(CasbinRule, k) == v for k, v in cols.items()))
    return (await uow.session.execute(stmt)).scalar_one_or_none()


async def add_rule(uow: UnitOfWork, ptype: str, values: list[str]) -> CasbinRule:
    rule = validate_rule(uow, ptype, values)
    if await _find(uow, rule):
        raise UserErrors(Problem("POLICY_RULE_EXISTS", "values"))
    row = CasbinRule(**rule.columns)
    uow.session.add(row)
    await uow.session.flush()
    await _bump_version(uow)
    uow.audit("PolicyRule", row.id, {"rule": {"before": None, "after": [ptype, *rule.values]}})
    return row


async def remove_rule(uow: UnitOfWork, ptype: str, values: list[str]) -> Rule:
    rule = validate_rule(uow, ptype, values)
    row = await _find(uow, rule)
    if row is None:
        raise UserErrors(Problem("POLICY_RULE_NOT_FOUND", "values"))
    if ptype == "p" and rule.values[2] in ESSENTIAL_OBJECTS:
        others = (
            await uow.session.execute(
                select(CasbinRule.id).where(CasbinRule.ptype == "p", CasbinRule.v2 == rule.values[2], CasbinRule.id != row.id)
            )
        ).first()
        if others is None:
            raise UserErrors(
                Problem("INVALID_POLICY_RULE", "values", {"reason": "the last rule that lets anyone edit the policy cannot be removed"})
            )
    await uow.session.delete(row)
    await uow.session.flush()
    await _bump_version(uow)
    uow.audit("PolicyRule", row.id, {"rule": {"before": [ptype, *rule.values], "after": None}})
    return rule


async def _bump_version(uow: UnitOfWork) -> None:
    """Every server process compares this with the version it loaded."""
    await uow.session.execute(update(PolicyState).where(PolicyState.id == 1).values(version=PolicyState.version + 1))
    uow.policy_changed = True
