"""Declarative base and the column types every module shares."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import BigInteger, DateTime, Integer, MetaData, String, Text
from sqlalchemy.dialects import mysql, postgresql
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# 64-bit keys everywhere except SQLite, whose autoincrement needs INTEGER PRIMARY KEY.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def utcnow() -> datetime:
    return datetime.now(UTC)


def _then(convert, impl_processor):
    """``convert`` after the driver type's own result processing, if it has any: one call
    per value (a page reads thousands of amounts and times)."""
    if impl_processor is None:
        return convert
    return lambda value: convert(impl_processor(value))


def _as_utc(value):
    if value is None:
        return None
    tzinfo = value.tzinfo
    if tzinfo is UTC:  # PostgreSQL's drivers give timestamptz in UTC already
        return value
    if tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


class UTCDateTime(TypeDecorator):
    """A point in time, stored in UTC with microseconds on every backend, returned aware."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def load_dialect_impl(self, dialect):
        if dialect.name == "mysql":
            return dialect.type_descriptor(mysql.DATETIME(fsp=6))
        if dialect.name == "postgresql":
            return dialect.type_descriptor(postgresql.TIMESTAMP(timezone=True))
        return dialect.type_descriptor(DateTime())

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; times are stored in UTC and must be aware")
        value = value.astimezone(UTC)
        return value if dialect.name == "postgresql" else value.replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        return _as_utc(value)

    def result_processor(self, dialect, coltype):
        return _then(_as_utc, self.impl_instance.result_processor(dialect, coltype))


FEN = Decimal("0.01")
MILLI = Decimal("0.001")


class ScaledDecimal(TypeDecorator):
    """An exact decimal with a fixed number of places, stored as a scaled integer so every
    backend (SQLite included) keeps it exact. Values with more places are refused."""

    impl = BigInteger
    cache_ok = True
    exponent = FEN
    what = "amount"
    places = 2  # -exponent's exponent, set for each subclass below

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.places = -int(cls.exponent.as_tuple().exponent)

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        value = Decimal(value)
        if value != value.quantize(self.exponent):
            raise ValueError(f"{self.what} {value} has more than {self.places} decimal places")
        return int(value.scaleb(self.places))

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        # An integer scaled down has exactly the column's places: 8600000 → 86000.00.
        return Decimal(int(value)).scaleb(-self.places)

    def result_processor(self, dialect, coltype):
        scale = -self.places

        def scaled(value):
            return None if value is None else Decimal(int(value)).scaleb(scale)

        return _then(scaled, self.impl_instance.result_processor(dialect, coltype))


class Money(ScaledDecimal):
    """CNY amount, exact to the fen: a Decimal in Python, integer fen in the database."""

    cache_ok = True
    exponent = FEN
    what = "amount"


class Quantity(ScaledDecimal):
    """A measured quantity exact to three decimals (12.5 m², 3 units): integer thousandths."""

    cache_ok = True
    exponent = MILLI
    what = "quantity"


def one_of(column: str, values: tuple[str, ...]) -> str:
    """SQL of a CHECK constraint that ``column`` holds one of ``values``."""
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class StatusHistory:
    """The columns every status-history row has (projects, tenders, contracts, milestones,
    rectifications, warnings): where the row was, where it went, by which action, who did
    it (their name as it was then) and their comment. Each history table adds its id and
    the column that names the row (``resolvers.core.lifecycle.StateMachine.apply`` fills them)."""

    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(30))
    actor_id: Mapped[int | None] = mapped_column(BigInteger)
    actor_name: Mapped[str] = mapped_column(String(100))
    comment: Mapped[str | None] = mapped_column(Text)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
