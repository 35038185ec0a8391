"""The live permission policy as a list, optionally for one role or operation
(``schema.permissions.queries`` shows it)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models.permissions import CasbinRule


async def policy_rules(session: AsyncSession, role: str | None = None, operation: str | None = None) -> list[CasbinRule]:
    """The policy lines ordered by kind, first and third value; ``role`` keeps the lines
    whose first value is that role, ``operation`` the permission (``p``) lines for it."""
    stmt = select(CasbinRule).order_by(CasbinRule.ptype, CasbinRule.v0, CasbinRule.v2, CasbinRule.id)
    if role:
        stmt = stmt.where(CasbinRule.v0 == role)
    if operation:
        stmt = stmt.where(CasbinRule.ptype == "p", CasbinRule.v2 == operation)
    return list((await session.execute(stmt)).scalars().all())
