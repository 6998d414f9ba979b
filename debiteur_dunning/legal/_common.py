"""Helpers shared by the legal modules: input checks, rounding, calendar arithmetic.

Private to the package; the conventions they enforce are described in ``__init__``.
"""

from __future__ import annotations

import math
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

Amount = Decimal | int | float

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def to_decimal(value: Amount, name: str) -> Decimal:
    """Return ``value`` as a finite Decimal.

    Decimal and int are taken as they are. A float is converted through its
    shortest ``repr`` (``Decimal(repr(0.1)) == Decimal("0.1")``), which is what
    Odoo's float fields hold for an amount typed in cents. Anything else,
    including ``bool`` and ``str``, is refused.
    """
    if isinstance(value, bool) or not isinstance(value, Decimal | int | float):
        raise TypeError(
            f"{name} must be a Decimal, int or float, not {type(value).__name__}"
        )
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{name} must be a finite number, got {value!r}")
        return Decimal(repr(value))
    result = Decimal(value)
    if not result.is_finite():
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    return result


def non_negative(value: Amount, name: str) -> Decimal:
    """Return ``value`` as a Decimal, refusing negative amounts."""
    amount = to_decimal(value, name)
    if amount < 0:
        raise ValueError(f"{name} must not be negative, got {amount}")
    return amount


def round_cents(value: Decimal) -> Decimal:
    """Round a Decimal to cents, half up (0.005 -> 0.01)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def fraction_to_cents(value: Fraction) -> Decimal:
    """Round a non-negative exact fraction to cents, half up, without any loss."""
    cents, rest = divmod(value.numerator * 100, value.denominator)
    if 2 * rest >= value.denominator:
        cents += 1
    return Decimal((0, Decimal(cents).as_tuple().digits, -2))


def check_date(value: date, name: str) -> date:
    """Refuse anything that is not a plain ``date`` (a datetime included)."""
    if isinstance(value, datetime) or not isinstance(value, date):
        raise TypeError(f"{name} must be a datetime.date, not {type(value).__name__}")
    return value


def anniversary(day: date, years: int) -> date:
    """The day that starts the ``years``-th year counted from ``day``.

    It is the same calendar date ``years`` later. For 29 February in a year
    without one it is 1 March: a year counted from 29 February ends on
    28 February.
    """
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a common year
        return date(day.year + years, 3, 1)
