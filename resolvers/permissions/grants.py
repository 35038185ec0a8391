"""Roles granted to a person in a region (``g, user:<id>, role, region[, starts_on[, ends_on]]``
policy lines): the grants in force for an actor, and the assignments as people read them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from models.accounts import Organisation, User, UserRole
from policies.engine import USER_SUBJECT, Grant, PolicyEngine, is_grant, region_match
from policies.evaluate import Line
from resolvers.core.clock import today_in_china
from resolvers.core.context import Actor, UnitOfWork
from resolvers.core.errors import Problem, UserErrors
from resolvers.permissions.changes import Change, check_comment, current_lines, submit


async def with_grants(policy: PolicyEngine, actor: Actor, now: datetime) -> Actor:
    """``actor`` with the roles granted to them that are in force today (China date): the
    gate and every row scope then cover the grants' regions for those roles. API clients
    are granted nothing this way."""
    if actor.kind != "user":
        return actor
    await policy.ready()
    return actor.with_grants(policy.grants_of(actor.id, today_in_china(now)))


# -- granting and revoking ------------------------------------------------------------------------


async def grant_role(
    uow: UnitOfWork,
    operations: dict[str, str],
    user_id: int,
    role: str,
    region: str,
    starts_on: date | None,
    ends_on: date | None,
    comment: str | None,
) -> tuple[Any, Any]:
    """Grant ``role`` to a person in ``region`` (from ``starts_on`` to ``ends_on``, either
    open): one ``g, user:<id>, role, region[, starts_on[, ends_on]]`` line, a new version."""
    values = [f"{USER_SUBJECT}{user_id}", role.strip(), region.strip()]
    if starts_on or ends_on:
        values += [starts_on.isoformat() if starts_on else "", ends_on.isoformat() if ends_on else ""]
    while values[-1] == "":
        values.pop()  # as the line is stored (no empty trailing values)
    line: Line = ("g", *values)
    return await submit(uow, operations, "grant", [Change("add", line)], check_comment(comment, required=False), where="input")


async def revoke_role(
    uow: UnitOfWork, operations: dict[str, str], user_id: int, role: str, region: str, comment: str | None
) -> tuple[Any, Any]:
    """Take ``role`` in ``region`` away from a person: every grant of it there, whatever its dates."""
    subject = f"{USER_SUBJECT}{user_id}"
    lines = [line for line in await current_lines(uow) if is_grant(list(line)) and line[1:4] == (subject, role.strip(), region.strip())]
    if not lines:
        raise UserErrors(Problem("GRANT_NOT_FOUND", "input"))
    return await submit(
        uow, operations, "revoke", [Change("remove", line) for line in lines], check_comment(comment, required=False), where="input"
    )


@dataclass(frozen=True)
class Assignment:
    """A role a person holds in a region: through their organisation (``grant`` None) or
    granted to them (with its dates, and whether it is in force today)."""

    user_id: int
    username: str
    display_name: str
    role: str
    region: str
    grant: Grant | None
    in_force: bool


async def assignments(
    session: Any, lines: Iterable[Line], today: date, user_id: int | None, role: str | None, region: str | None
) -> list[Assignment]:
    """Who holds which role where: organisation roles and grants, filtered by user, role and
    region (a region filter keeps what covers it or lies in it), ordered by user, role, region."""
    stmt = (
        select(User.id, User.username, User.display_name, Organisation.region_code, UserRole.role)
        .join(Organisation, Organisation.id == User.organisation_id)
        .join(UserRole, UserRole.user_id == User.id)
        .where(User.is_active.is_(True))
    )
    if user_id is not None:
        stmt = stmt.where(User.id == user_id)
    if role:
        stmt = stmt.where(UserRole.role == role)
    found = [
        Assignment(r.id, r.username, r.display_name or r.username, r.role, r.region_code, None, True)
        for r in (await session.execute(stmt)).all()
    ]
    grants = [g for line in lines if (g := Grant.of_line(list(line))) is not None]
    grants = [g for g in grants if (user_id is None or g.user_id == user_id) and (not role or g.role == role)]
    if grants:
        names = dict(
            (r.id, (r.username, r.display_name or r.username))
            for r in (
                await session.execute(select(User.id, User.username, User.display_name).where(User.id.in_({g.user_id for g in grants})))
            ).all()
        )
        for g in grants:
            username, display_name = names.get(g.user_id, ("", ""))
            found.append(Assignment(g.user_id, username, display_name, g.role, g.region, g, g.in_force(today)))
    if region:
        found = [a for a in found if region_match(region, a.region) or region_match(a.region, region)]
    return sorted(found, key=lambda a: (a.user_id, a.role, a.region, a.grant is not None))
