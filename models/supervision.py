"""Supervision and open data (数据统计与监管): red flags and their acknowledgements, OCDS
releases as published, signed checkpoints of the audit chain, and export jobs.

Reports have no tables of their own: they aggregate the other domains' tables in SQL.
"""

from __future__ import annotations

# -- red flags ---------------------------------------------------------------------------------
# (resolvers/supervision/flags.py computes them; docs in resolvers/supervision/flag_rules.py)
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, BigId, StatusHistory, UTCDateTime, one_of, utcnow

# The Open Contracting Partnership's Cardinal indicators computed here, and two of our own:
# SW01 a payment made before the milestone (or the final acceptance) it depends on was
# accepted; SW02 a contractor's check-ins far from the site on days its daily logs claim work.
RED_FLAG_CODES = ("R003", "R018", "R024", "R025", "R028", "R030", "R035", "R036", "R038", "R058", "SW01", "SW02")
# What a flag is about: one contracting process (a tender, or the contract made from it), a
# buyer (the owner organisation that procures) or a supplier (a tenderer).
RED_FLAG_LEVELS = ("process", "buyer", "supplier")
# Open until an auditor acknowledges it; cleared when it no longer holds (the acknowledgement,
# if any, is kept, and comes back with the flag if it holds again).
RED_FLAG_STATUSES = ("open", "acknowledged", "cleared")


class RedFlag(Base):
    """One red flag: a rule that holds for one subject in one year, with the numbers that
    raised it (JSON, from which its explanation is written in either language)."""

    __tablename__ = "red_flags"
    __table_args__ = (
        UniqueConstraint("code", "subject", "year", name="uq_red_flags_once"),
        CheckConstraint(one_of("code", RED_FLAG_CODES), name="code"),
        CheckConstraint(one_of("level", RED_FLAG_LEVELS), name="level"),
        CheckConstraint(one_of("status", RED_FLAG_STATUSES), name="status"),
        # Lists, counts and recomputations select a region (a code prefix) and a year.
        Index("ix_red_flags_region_code_year", "region_code", "year"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(String(4))
    level: Mapped[str] = mapped_column(String(10))
    # What it is about, as a key: "tender:<id>", "contract:<id>", "buyer:<id>@<region>",
    # "supplier:<id>@<region>" (buyers and suppliers are measured per region and year).
    subject: Mapped[str] = mapped_column(String(60))
    year: Mapped[int] = mapped_column(Integer)
    # The region whose auditors see it: the tender's or contract's, or the region a buyer or
    # supplier was measured in.
    region_code: Mapped[str] = mapped_column(String(6))
    tender_id: Mapped[int | None] = mapped_column(ForeignKey("tenders.id", ondelete="RESTRICT"), index=True)
    contract_id: Mapped[int | None] = mapped_column(ForeignKey("contracts.id", ondelete="RESTRICT"), index=True)
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id", ondelete="RESTRICT"), index=True)
    buyer_organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="RESTRICT"), index=True)
    # The supplier it is about (a supplier flag's subject; a process flag's winner, single
    # bidder or contractor when it concerns them); every supplier concerned is in
    # ``red_flag_suppliers``.
    supplier_organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="RESTRICT"), index=True)
    numbers: Mapped[str] = mapped_column(Text, default="{}")
    status: Mapped[str] = mapped_column(String(20), index=True, default="open")
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # The last computation that found it holding.
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    cleared_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    acknowledged_by_name: Mapped[str | None] = mapped_column(String(100))
    acknowledgement: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class RedFlagSupplier(Base):
    """A supplier a flag concerns (Cardinal flags the tenderers of some process flags too:
    the winner and the second-lowest bidder of R024, the bidders of identical prices of R028)."""

    __tablename__ = "red_flag_suppliers"
    __table_args__ = (UniqueConstraint("flag_id", "organisation_id", name="uq_red_flag_suppliers_pair"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    flag_id: Mapped[int] = mapped_column(ForeignKey("red_flags.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="RESTRICT"), index=True)


class RedFlagStatusChange(StatusHistory, Base):
    """One move of a flag: raised, acknowledged, cleared, holding again."""

    __tablename__ = "red_flag_status_changes"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    flag_id: Mapped[int] = mapped_column(ForeignKey("red_flags.id", ondelete="CASCADE"), index=True)


class RedFlagRun(Base):
    """When the flags of one region (a tender's county) and year were last computed in full,
    and since when something that changes them has happened (``stale_since``): the scheduled
    recompute takes the stale ones first, then refreshes the current years once a day."""

    __tablename__ = "red_flag_runs"
    __table_args__ = (UniqueConstraint("region_code", "year", name="uq_red_flag_runs_group"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    region_code: Mapped[str] = mapped_column(String(6))
    year: Mapped[int] = mapped_column(Integer)
    stale_since: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    computed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
