"""Payment-behaviour arithmetic: days late, DSO, trend, aging buckets.

Pure: no Odoo import (enforced by ``tests/test_analysis.py``), so the rules are
tested without a database. The ``debiteur.payment.behaviour`` service gathers
the figures from the accounting and calls these.
"""

from decimal import ROUND_HALF_UP, Decimal

from dateutil.relativedelta import relativedelta

DSO_DAYS = 365
AGING_BUCKETS = ("not_due", "1_30", "31_60", "61_90", "90_plus")


def round_days(value):
    """A number of days to one decimal, half up (10.25 -> 10.3): Python's
    round() on a float rounds half to even and trips on binary fractions."""
    if value is None:
        return None
    return float(Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def days_late_trend(recent, previous):
    """Last 6 months' average days late minus the 6 months before: the exact
    averages subtracted, rounded once. False (no trend, not 0.0) when either
    half-year has no paid invoice (``None``)."""
    if recent is None or previous is None:
        return False
    return round_days(Decimal(str(recent)) - Decimal(str(previous)))


def dso_days(receivable, sales, days=DSO_DAYS):
    """DSO = open receivables / credit sales of the period x the period's days.

    0.0 without sales: the caller passes 0 for sales its currency rounds to
    nothing or less."""
    if not sales or sales <= 0:
        return 0.0
    return round_days((receivable or 0.0) / sales * days)


def behaviour_windows(today):
    """(start of the 12 months, start of the last 6 months) before ``today``,
    in calendar months (31 August -> 28 or 29 February); both exclusive."""
    return today - relativedelta(months=12), today - relativedelta(months=6)


def aging_bucket(due, today):
    """The aging bucket of an item due on ``due`` (same rule as the SQL view
    ``debiteur.aging.report``)."""
    days = (today - due).days if due else 0
    if days <= 0:
        return "not_due"
    if days <= 30:
        return "1_30"
    if days <= 60:
        return "31_60"
    if days <= 90:
        return "61_90"
    return "90_plus"
