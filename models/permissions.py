"""The live Casbin policy (the ``casbin_rule`` layout every Casbin adapter uses)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, BigId, UTCDateTime, utcnow


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


class TrustedDocument(Base):
    """A GraphQL document registered to run (``smallworks trusted-documents add``): the
    only documents a server in trusted-documents mode runs, and a persisted query every
    server knows by its hash."""

    __tablename__ = "trusted_documents"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)  # lowercase hex of the UTF-8 text
    body: Mapped[str] = mapped_column(Text)
    name: Mapped[str | None] = mapped_column(String(200))
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
