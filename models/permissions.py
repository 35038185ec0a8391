"""The live Casbin policy (the ``casbin_rule`` layout every Casbin adapter uses), its numbered
versions, and the changes waiting for a second policy administrator (four-eyes)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, BigId, UTCDateTime, one_of, utcnow


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


# How a version came about.
POLICY_VERSION_KINDS = ("migration", "change", "grant", "revoke", "rollback", "import")
PENDING_STATUSES = ("pending", "applied", "rejected", "withdrawn", "expired")


class PolicyVersion(Base):
    """One numbered version of the policy: who made it, when, why, what it changed, and every
    line it holds (so that any version can be restored). The number is ``policy_state.
    version`` once the change is committed. A migration that adds default lines records a
    version of its own (``migration``), the first one the policy as it stood then."""

    __tablename__ = "policy_versions"
    __table_args__ = (CheckConstraint(one_of("kind", POLICY_VERSION_KINDS), name="kind"),)

    number: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Who made it (a user's id; None for the system), as people read it then.
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    author_name: Mapped[str] = mapped_column(String(100))
    # Who approved it under the four-eyes rule, if anyone did.
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_by_name: Mapped[str | None] = mapped_column(String(100))
    comment: Mapped[str] = mapped_column(Text, default="")
    # The version a rollback restored.
    restores: Mapped[int | None] = mapped_column(BigInteger)
    # JSON arrays of lines (``["p", "reviewer", "*", "Query.projects", "read"]``).
    added: Mapped[str] = mapped_column(Text)
    removed: Mapped[str] = mapped_column(Text)
    lines: Mapped[str] = mapped_column(Text)


class PendingPolicyChange(Base):
    """A change one policy administrator proposed, waiting for another to approve it (when
    ``SMALLWORKS_POLICY_FOUR_EYES`` is on); it lapses at ``expires_at``."""

    __tablename__ = "pending_policy_changes"
    __table_args__ = (
        CheckConstraint(one_of("status", PENDING_STATUSES), name="status"),
        CheckConstraint(one_of("kind", POLICY_VERSION_KINDS), name="kind"),
        Index("ix_pending_policy_changes_status_expires", "status", "expires_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    author_name: Mapped[str] = mapped_column(String(100))
    # The author's region: the region of the audit events about it.
    region_code: Mapped[str] = mapped_column(String(6))
    comment: Mapped[str] = mapped_column(Text, default="")
    # JSON: ``[["add" | "remove", [ptype, v0, …]], …]``; for a rollback, the version restored.
    changes: Mapped[str] = mapped_column(Text)
    restores: Mapped[int | None] = mapped_column(BigInteger)
    # The policy version it was proposed against.
    base_version: Mapped[int] = mapped_column(BigInteger)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_by_name: Mapped[str | None] = mapped_column(String(100))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_comment: Mapped[str | None] = mapped_column(Text)
    applied_version: Mapped[int | None] = mapped_column(BigInteger)


class TrustedDocument(Base):
    """A GraphQL document registered to run (``smallworks trusted-documents add``): the
    only documents a server in trusted-documents mode runs, and a persisted query every
    server knows by its hash."""

    __tablename__ = "trusted_documents"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)  # lowercase hex of the UTF-8 text
    body: Mapped[str] = mapped_column(Text)
    name: Mapped[str | None] = mapped_column(String(200))
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
