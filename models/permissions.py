"""The live Casbin policy (the ``casbin_rule`` layout every Casbin adapter uses)."""

from __future__ import annotations

from sqlalchemy import BigInteger, CheckConstraint, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, BigId


def line_values(columns) -> list[str]:
    """The values of a policy line: its v0…v5 columns without the empty trailing ones."""
    values = list(columns)
    while values and values[-1] == "":
        values.pop()
    return values


class CasbinRule(Base):
    __tablename__ = "casbin_rule"
    __table_args__ = (UniqueConstraint("ptype", "v0", "v1", "v2", "v3", "v4", "v5", name="uq_casbin_rule_line"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    ptype: Mapped[str] = mapped_column(String(8))
    v0: Mapped[str] = mapped_column(String(100), default="")
    v1: Mapped[str] = mapped_column(String(100), default="")
    v2: Mapped[str] = mapped_column(String(100), default="")
    v3: Mapped[str] = mapped_column(String(100), default="")
    v4: Mapped[str] = mapped_column(String(100), default="")
    v5: Mapped[str] = mapped_column(String(100), default="")

    def values(self) -> list[str]:
        return line_values((self.v0, self.v1, self.v2, self.v3, self.v4, self.v5))


class PolicyState(Base):
    """One row: the version of the live policy, raised by every edit of ``casbin_rule`` in
    the same transaction. Server processes compare it with the version they loaded."""

    __tablename__ = "policy_state"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(BigInteger)
