"""Instalment arithmetic of a payment arrangement: amounts and dates.

Pure: no Odoo import (enforced by ``tests/test_instalments.py``). Amounts are
``Decimal`` in the currency's unit; ``debiteur.arrangement.schedule`` checks
the input and turns the result into the schedule the wizard shows.
"""

from datetime import timedelta
from decimal import ROUND_CEILING, ROUND_DOWN, Decimal

from dateutil.relativedelta import relativedelta

MAX_INSTALMENTS = 240


def to_decimal(value):
    """A float amount as the Decimal it reads as (0.1 -> Decimal("0.1"))."""
    return Decimal(repr(float(value or 0.0)))


def count_for_amount(rest, step):
    """How many instalments of ``step`` pay ``rest`` (the last one smaller)."""
    return int((rest / step).to_integral_value(rounding=ROUND_CEILING))


def equal_step(rest, count, unit):
    """``rest`` in ``count`` equal instalments, rounded down to ``unit``."""
    return (rest / count).quantize(unit, rounding=ROUND_DOWN)


def amounts(rest, step, count):
    """``count`` instalments of ``step``; the last one takes the difference."""
    return [step] * (count - 1) + [rest - step * (count - 1)] if count else []


def instalment_date(first_date, frequency, index):
    """The due date of instalment ``index`` (0 is ``first_date``)."""
    if frequency == "weekly":
        return first_date + timedelta(weeks=index)
    if frequency == "biweekly":
        return first_date + timedelta(weeks=2 * index)
    # relativedelta keeps the day of the month where it exists and takes
    # the month's last day otherwise: 31 Jan, 28/29 Feb, 31 Mar.
    return first_date + relativedelta(months=index)
