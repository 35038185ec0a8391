"""Exact amounts: money in yuan to the fen (two places), quantities to three places.

Input arrives as strings or Decimals (the GraphQL ``Decimal`` scalar never goes through a
float); these helpers parse, bound and quantize it, reporting what is wrong as user errors.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from models.base import FEN
from resolvers.core.errors import BadInput
from resolvers.core.validation import Checks

MAX_AMOUNT = Decimal("999999999999.99")


def decimal_field(checks: Checks, field_name: str, value, exponent: Decimal, maximum: Decimal = MAX_AMOUNT) -> Decimal | None:
    """``value`` as a Decimal with exactly the places of ``exponent`` (``FEN``, ``MILLI``),
    or None with the problem added to ``checks``: not a number, too large, or more
    decimal places than allowed (never rounded silently)."""
    if value is None:
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        checks.add("INVALID_NUMBER", field_name)
        return None
    if not number.is_finite():
        checks.add("INVALID_NUMBER", field_name)
        return None
    if abs(number) > maximum:
        checks.add("NUMBER_TOO_LARGE", field_name, max=f"{maximum:,}")
        return None
    if number != number.quantize(exponent, rounding=ROUND_HALF_UP):
        places = exponent.as_tuple().exponent
        assert isinstance(places, int)  # exponents are finite (FEN, MILLI), not NaN or infinity
        checks.add("TOO_MANY_DECIMALS", field_name, places=-places)
        return None
    return number.quantize(exponent)


def amount_argument(name: str, value) -> Decimal | None:
    """A money amount given as a query argument (a filter bound), exact to the fen, or a
    BAD_USER_INPUT error saying what is wrong with it."""
    checks = Checks()
    number = decimal_field(checks, name, value, FEN)
    if checks.problems:
        problem = checks.problems[0]
        raise BadInput(problem.code, argument=name, **problem.params)
    return number
