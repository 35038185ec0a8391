"""SQL that differs per backend, written once as SQLAlchemy constructs with a compilation per
dialect, and the portable percentile helpers the reports use.

Times are stored in UTC (``models.base.UTCDateTime``); reports count periods in China time,
Asia/Shanghai, which is UTC+8 all year (no daylight saving): a timestamp is shifted by eight
hours before its year, quarter, month or date is taken.

- ``china_local(ts)``: the UTC timestamp ``ts`` as a wall-clock time in China (no zone);
- ``year_of``, ``quarter_of``, ``month_of``: integer parts of a wall-clock time or a date;
- ``china_date(ts)``: the calendar date in China of the UTC timestamp ``ts``;
- ``seconds_between(a, b)``: ``b - a`` in seconds, a double;
- ``as_double(x)``: ``x`` as a double precision number (sums of squares of amounts exceed
  64-bit integers);
- ``region_at(code, level)``: the province (``320000``), city (``320500``) or county
  (``320583``) code a region code lies in.

Percentiles are picked from ranks given by window functions, which all three backends run
(PostgreSQL, MariaDB 10.2+, SQLite 3.25+; PostgreSQL computes the same two percentiles with
its ordered-set aggregates instead, below): ``ranks(value, partition)`` numbers the non-null
values of each partition in ascending order (``ROW_NUMBER``) and counts them (``COUNT``); the
aggregate over the ranked rows then keeps the ranks it needs:

- median: the middle value of the n values in ascending order, or the mean of the two middle
  values when n is even (ranks ⌊(n+1)/2⌋ and ⌈(n+1)/2⌉, i.e. the ranks r with n ≤ 2r ≤ n+2);
- 90th percentile: the nearest-rank definition, the value at rank ⌈0.9·n⌉ (the smallest
  rank r with 10r ≥ 9n). It is always one of the values, never an interpolation.

Both conditions are integer arithmetic on the ranks, so every backend picks the same rows.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Date, Double, Integer, String, case, func, literal, literal_column
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement, FunctionElement
from sqlalchemy.types import DateTime

REGION_LEVELS = ("province", "city", "county")
# How many leading digits of a region code each level keeps (the rest become zeros).
REGION_DIGITS = {"province": 2, "city": 4, "county": 6}


class china_local(FunctionElement):
    """The UTC timestamp as a wall-clock time in China (UTC+8), without a zone."""

    type = DateTime()
    inherit_cache = True
    name = "china_local"


@compiles(china_local)
def _china_local_sqlite(element: Any, compiler: Any, **kw: Any) -> str:
    (ts,) = element.clauses
    return f"datetime({compiler.process(ts, **kw)}, '+8 hours')"


@compiles(china_local, "postgresql")
def _china_local_postgresql(element: Any, compiler: Any, **kw: Any) -> str:
    (ts,) = element.clauses
    # A timestamptz read in UTC (whatever the session's time zone), then moved eight hours on.
    return f"(({compiler.process(ts, **kw)}) AT TIME ZONE 'UTC' + INTERVAL '8 hours')"


@compiles(china_local, "mysql")
@compiles(china_local, "mariadb")
def _china_local_mysql(element: Any, compiler: Any, **kw: Any) -> str:
    (ts,) = element.clauses
    return f"DATE_ADD({compiler.process(ts, **kw)}, INTERVAL 8 HOUR)"


class china_date(FunctionElement):
    """The calendar date in China of a UTC timestamp."""

    type = Date()
    inherit_cache = True
    name = "china_date"


@compiles(china_date)
def _china_date_sqlite(element: Any, compiler: Any, **kw: Any) -> str:
    (ts,) = element.clauses
    return f"date({compiler.process(ts, **kw)}, '+8 hours')"


@compiles(china_date, "postgresql")
def _china_date_postgresql(element: Any, compiler: Any, **kw: Any) -> str:
    (ts,) = element.clauses
    return f"CAST((({compiler.process(ts, **kw)}) AT TIME ZONE 'UTC' + INTERVAL '8 hours') AS DATE)"


@compiles(china_date, "mysql")
@compiles(china_date, "mariadb")
def _china_date_mysql(element: Any, compiler: Any, **kw: Any) -> str:
    (ts,) = element.clauses
    return f"DATE(DATE_ADD({compiler.process(ts, **kw)}, INTERVAL 8 HOUR))"


class year_of(FunctionElement):
    """The year of a wall-clock time or a date, an integer."""

    type = Integer()
    inherit_cache = True
    name = "year_of"


class quarter_of(FunctionElement):
    """The quarter (1–4) of a wall-clock time or a date."""

    type = Integer()
    inherit_cache = True
    name = "quarter_of"


class month_of(FunctionElement):
    """The month (1–12) of a wall-clock time or a date."""

    type = Integer()
    inherit_cache = True
    name = "month_of"


def _argument(element: Any, compiler: Any, **kw: Any) -> str:
    (value,) = element.clauses
    return compiler.process(value, **kw)


@compiles(year_of)
def _year_sqlite(element: Any, compiler: Any, **kw: Any) -> str:
    return f"CAST(strftime('%Y', {_argument(element, compiler, **kw)}) AS INTEGER)"


@compiles(month_of)
def _month_sqlite(element: Any, compiler: Any, **kw: Any) -> str:
    return f"CAST(strftime('%m', {_argument(element, compiler, **kw)}) AS INTEGER)"


@compiles(quarter_of)
def _quarter_sqlite(element: Any, compiler: Any, **kw: Any) -> str:
    # Integer division of integers in SQLite: months 1–3 → 1, …, 10–12 → 4.
    return f"((CAST(strftime('%m', {_argument(element, compiler, **kw)}) AS INTEGER) + 2) / 3)"


def _extract(field: str):
    def compile_postgresql(element: Any, compiler: Any, **kw: Any) -> str:
        # date_part gives a double (EXTRACT a numeric since PostgreSQL 14, slower over the
        # hundreds of thousands of rows a province's report groups): made an integer here.
        return f"CAST(date_part('{field.lower()}', {_argument(element, compiler, **kw)}) AS INTEGER)"

    def compile_mysql(element: Any, compiler: Any, **kw: Any) -> str:
        return f"{field}({_argument(element, compiler, **kw)})"

    return compile_postgresql, compile_mysql


for _construct, _field in ((year_of, "YEAR"), (quarter_of, "QUARTER"), (month_of, "MONTH")):
    _postgresql, _mysql = _extract(_field)
    compiles(_construct, "postgresql")(_postgresql)
    compiles(_construct, "mysql")(_mysql)
    compiles(_construct, "mariadb")(_mysql)


class seconds_between(FunctionElement):
    """``end - start`` in seconds (a double; negative when ``end`` is earlier)."""

    type = Double()
    inherit_cache = True
    name = "seconds_between"


@compiles(seconds_between)
def _seconds_sqlite(element: Any, compiler: Any, **kw: Any) -> str:
    start, end = (compiler.process(c, **kw) for c in element.clauses)
    return f"((julianday({end}) - julianday({start})) * 86400.0)"


@compiles(seconds_between, "postgresql")
def _seconds_postgresql(element: Any, compiler: Any, **kw: Any) -> str:
    start, end = (compiler.process(c, **kw) for c in element.clauses)
    # date_part gives a double; EXTRACT gives a numeric (PostgreSQL 14+), slower to compute
    # and to cast over the hundreds of thousands of stage durations of a province.
    return f"date_part('epoch', ({end}) - ({start}))"


@compiles(seconds_between, "mysql")
@compiles(seconds_between, "mariadb")
def _seconds_mysql(element: Any, compiler: Any, **kw: Any) -> str:
    start, end = (compiler.process(c, **kw) for c in element.clauses)
    # Microseconds, as the columns keep them, then seconds as a double.
    return f"(TIMESTAMPDIFF(MICROSECOND, {start}, {end}) * 1e-6)"


class as_double(FunctionElement):
    """A number as double precision."""

    type = Double()
    inherit_cache = True
    name = "as_double"


@compiles(as_double)
def _double_sqlite(element: Any, compiler: Any, **kw: Any) -> str:
    return f"CAST({_argument(element, compiler, **kw)} AS REAL)"


@compiles(as_double, "postgresql")
def _double_postgresql(element: Any, compiler: Any, **kw: Any) -> str:
    return f"CAST({_argument(element, compiler, **kw)} AS DOUBLE PRECISION)"


@compiles(as_double, "mysql")
@compiles(as_double, "mariadb")
def _double_mysql(element: Any, compiler: Any, **kw: Any) -> str:
    return f"CAST({_argument(element, compiler, **kw)} AS DOUBLE)"


def days_between(start: Any, end: Any) -> ColumnElement[Any]:
    """``end - start`` in days of 24 hours (a double)."""
    return seconds_between(start, end) / 86400.0


def region_at(code: Any, level: str) -> ColumnElement[str]:
    """The code of the province, city or county a six-digit region code lies in:
    ``region_at('320583', 'city')`` is ``320500``."""
    digits = REGION_DIGITS[level]
    if digits == 6:
        return code
    return func.substr(code, 1, digits).concat(literal("0" * (6 - digits), String(6)))


# -- percentiles -------------------------------------------------------------------------------


def ranks(value: Any, partition: list[Any]) -> tuple[ColumnElement[int], ColumnElement[int]]:
    """Window columns for the percentiles of ``value`` within each ``partition``: the rank of
    each non-null value in ascending order (1, 2, …; nulls are ranked apart and never picked)
    and the number of non-null values."""
    null_last = case((value.is_(None), 1), else_=0)
    rank = func.row_number().over(partition_by=[*partition, null_last], order_by=value)
    count = func.count(value).over(partition_by=partition)
    return rank, count


class median(FunctionElement):
    """The median of ``value`` over a group of ranked rows (an aggregate): the middle value,
    or the mean of the two middle values for an even count; NULL for no values.
    ``median(value, rank, count)`` with the columns ``ranks`` gave."""

    type = Double()
    inherit_cache = True
    name = "median"


@compiles(median)
def _median_ranked(element: Any, compiler: Any, **kw: Any) -> str:
    value, rank, count = element.clauses
    middle = value.is_not(None) & (2 * rank >= count) & (2 * rank <= count + 2)
    return compiler.process(func.avg(case((middle, value))), **kw)


# PostgreSQL has the percentiles as ordered-set aggregates, which sort each group's values
# alone: over the province's 490,000 stage durations a third of the time of ranking every
# row in one window sort. The rank and count columns are then unused, and the planner drops
# their window functions. Same definitions: percentile_cont(0.5) is the median as above,
# percentile_disc(p) the value at rank ⌈p·n⌉, the nearest rank.
@compiles(median, "postgresql")
def _median_postgresql(element: Any, compiler: Any, **kw: Any) -> str:
    value, _, _ = element.clauses
    return f"percentile_cont(0.5) WITHIN GROUP (ORDER BY {compiler.process(value, **kw)})"


class _nearest_rank(FunctionElement):
    type = Double()
    inherit_cache = True
    name = "nearest_rank"


def nearest_rank(value: Any, rank: Any, count: Any, percent: int) -> ColumnElement[float]:
    """The ``percent``-th percentile of ``value`` over a group of ranked rows (an aggregate),
    nearest-rank: the value at rank ⌈percent/100 · n⌉; NULL for no values."""
    if not 0 < percent <= 100:
        raise ValueError("nearest_rank takes a whole percent between 1 and 100")
    # The percent is part of the statement's text (and so of its cache key), not a parameter.
    return _nearest_rank(value, rank, count, literal_column(str(int(percent)), Integer))


@compiles(_nearest_rank)
def _nearest_rank_ranked(element: Any, compiler: Any, **kw: Any) -> str:
    value, rank, count, percent_clause = element.clauses
    percent = int(percent_clause.name)
    picked = value.is_not(None) & (100 * rank >= percent * count) & (100 * (rank - 1) < percent * count)
    return compiler.process(func.max(case((picked, value))), **kw)


@compiles(_nearest_rank, "postgresql")
def _nearest_rank_postgresql(element: Any, compiler: Any, **kw: Any) -> str:
    value, _, _, percent_clause = element.clauses
    fraction = int(percent_clause.name) / 100
    return f"percentile_disc({fraction!r}) WITHIN GROUP (ORDER BY {compiler.process(value, **kw)})"
