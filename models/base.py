"""Declarative base and the column types every module shares."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import BigInteger, DateTime, Integer, MetaData
from sqlalchemy.dialects import mysql, postgresql
from sqlalchemy.orm import DeclarativeBase
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
        if value is None:
            return None
        tzinfo = value.tzinfo
        if tzinfo is UTC:  # PostgreSQL's drivers give timestamptz in UTC already
            return value
        if tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


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
