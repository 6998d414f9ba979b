"""Statutory late-payment interest and the Belgian commercial rate.

- Netherlands: wettelijke rente (art. 6:119 BW, consumers and civil claims) and
  wettelijke handelsrente (art. 6:119a BW, businesses). Both capitalise yearly:
  after each full year the interest of that year is added to the principal
  (art. 6:119 lid 2 BW, which art. 6:119a BW declares applicable).
- Belgium: the commercial rate of the wet van 2 augustus 2002 betreffende de
  bestrijding van de betalingsachterstand bij handelstransacties, art. 5: the
  reference rate plus eight points, rounded up to the next half percent.

Which table applies is the caller's choice: :func:`statutory_interest` takes the
rates as data, a list of ``(date_from, percent per year)`` in ascending order,
each rate valid until the next one starts.

Computation. Every day from ``start`` to ``end`` (both included) earns
``principal x rate / 100 / days of that calendar year`` (365 or 366; a leap day
is counted with /366). The daily amounts are summed exactly (with
``fractions.Fraction``, so no intermediate rounding can move a cent) and
rounded to cents, half up, once per capitalisation year; without
capitalisation the whole sum is rounded once.

Capitalisation years are counted from ``start``: the first year ends the day
before the same date one year later, and the interest of that year, rounded to
cents, is added to the principal from that anniversary on. A year counted from
29 February ends on 28 February, so its anniversary in a common year is 1 March.
"""

from __future__ import annotations

import bisect
import calendar
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import ROUND_CEILING, Decimal
from fractions import Fraction

from ._common import (
    Amount,
    anniversary,
    check_date,
    fraction_to_cents,
    non_negative,
    to_decimal,
)

ONE_DAY = timedelta(days=1)

RateTable = Sequence[tuple[date, Amount]]


def statutory_interest(
    principal: Amount,
    start: date,
    end: date,
    rates: RateTable,
    compound: bool = True,
) -> Decimal:
    """Interest on ``principal`` from ``start`` to ``end``, both days included.

    ``start`` is the first day that earns interest (the day after the due
    date, or after the default for consumers), ``end`` the calculation day;
    ``start == end`` is one day of interest. ``rates`` is the rate table (see
    the module docstring); it must cover ``start``. With ``compound`` (the
    statutory rule) the interest of each full year counted from ``start`` is
    rounded to cents and added to the principal. Returns the interest alone
    (the principal not included), rounded to cents.

    Worked example (LEGAL.md): 10,000.00 with the Dutch business table from
    2023-01-01 to 2024-02-04 gives 1,125.62 for 2023 (181 days at 10.5 % and
    184 days at 12 %, /365), capitalised on 2024-01-01; then 35 days at
    12.5 % /366 on 11,125.62 = 132.99; in total 1,258.61 (1,245.15 without
    capitalisation).

    Raises ValueError on a negative principal or rate, ``end`` before
    ``start``, an empty or unordered table, or a ``start`` before the first
    rate.
    """
    amount = non_negative(principal, "principal")
    check_date(start, "start")
    check_date(end, "end")
    return interest_on_balances([(start, amount)], end, rates, compound)


def interest_on_balances(
    balances: Sequence[tuple[date, Amount]],
    end: date,
    rates: RateTable,
    compound: bool = True,
) -> Decimal:
    """Interest on a principal that changes over time, up to ``end`` included.

    ``balances`` lists ``(date, principal)`` in strictly ascending date order:
    the principal open from that date on, until the next date. The first date
    is the first interest day; a later amount may be lower (a payment) or
    higher (a new invoice of the same claim). Each day from the first date to
    ``end`` earns the principal of that day x rate / 100 / days of the
    calendar year (actual/actual, as :func:`statutory_interest`).

    With ``compound`` (art. 6:119 lid 2 BW) the interest of each full year
    counted from the first date is rounded to cents and added to the base
    from the anniversary on; a payment lowers the principal part only, the
    capitalised interest stays in the base. The 29 February rule of
    :func:`statutory_interest` applies. Without ``compound`` the exact sum is
    rounded once. Returns the interest alone, rounded to cents.

    ``statutory_interest(p, start, end, rates, c)`` equals
    ``interest_on_balances([(start, p)], end, rates, c)``.

    Example: 2,500.00 from 2024-01-01 at the Dutch business rates, paid down
    to 1,500.00 from 2024-07-01, until 2024-12-31: 182 days at 12.5 % on
    2,500.00 and 184 days at 12.25 % on 1,500.00, both /366: 247.77.

    Raises ValueError on an empty or unordered ``balances``, a negative
    amount, ``end`` before the first date, or a rate table as
    :func:`statutory_interest` refuses it.
    """
    steps = _balance_steps(balances)
    start = steps[0][0]
    check_date(end, "end")
    if end < start:
        raise ValueError(f"end ({end}) must not be before start ({start})")
    table = _RateTable(rates, start)

    def accrue(extra: Fraction, first: date, last: date) -> Fraction:
        """Exact interest from ``first`` to ``last`` on each balance + ``extra``."""
        total = Fraction(0)
        for index, (step_from, amount) in enumerate(steps):
            step_to = steps[index + 1][0] - ONE_DAY if index + 1 < len(steps) else last
            lo, hi = max(first, step_from), min(last, step_to)
            if lo <= hi:
                total += table.accrue(amount + extra, lo, hi)
        return total

    if not compound:
        return fraction_to_cents(accrue(Fraction(0), start, end))

    capitalised = Fraction(0)
    period_start = start
    years = 1
    while (next_start := anniversary(start, years)) <= end:
        year_interest = accrue(capitalised, period_start, next_start - ONE_DAY)
        capitalised += Fraction(fraction_to_cents(year_interest))
        period_start = next_start
        years += 1
    final_interest = fraction_to_cents(accrue(capitalised, period_start, end))
    return fraction_to_cents(capitalised) + final_interest


def _balance_steps(
    balances: Sequence[tuple[date, Amount]],
) -> list[tuple[date, Fraction]]:
    """``balances`` checked: non-empty, dates strictly ascending, amounts >= 0."""
    if isinstance(balances, str | bytes) or not balances:
        raise ValueError("balances must be a non-empty sequence of (date, amount)")
    return _dated_pairs(balances, "balance", "(date, amount)", "balance date")


def _dated_pairs(
    items: Sequence, noun: str, shape: str, date_label: str
) -> list[tuple[date, Fraction]]:
    """``items`` as ``(date, Fraction)`` pairs: each a pair, its date a date,
    the dates strictly ascending, the values not negative."""
    pairs: list[tuple[date, Fraction]] = []
    for item in items:
        try:
            day, value = item
        except (TypeError, ValueError):
            raise ValueError(
                f"each {noun} must be a {shape} pair, got {item!r}"
            ) from None
        check_date(day, date_label)
        if pairs and day <= pairs[-1][0]:
            raise ValueError(
                f"{noun}s must be in strictly ascending date order: {day} "
                f"follows {pairs[-1][0]}"
            )
        pairs.append((day, Fraction(non_negative(value, noun))))
    return pairs


def be_commercial_rate(reference_rate: Amount) -> Decimal:
    """Belgian commercial late-payment rate (wet 2 augustus 2002, art. 5).

    The ECB reference rate plus eight points, rounded up to the next half
    percent; a result already on a half percent stays as it is. Returned as a
    percentage with two decimals.

    >>> be_commercial_rate(Decimal("2.15"))
    Decimal('10.50')
    """
    doubled = (to_decimal(reference_rate, "reference_rate") + 8) * 2
    return (doubled.to_integral_value(rounding=ROUND_CEILING) / 2).quantize(
        Decimal("0.01")
    )


class _RateTable:
    """A validated rate table that sums the exact daily interest over a range."""

    def __init__(self, rates: RateTable, start: date):
        if not rates:
            raise ValueError("rates must not be empty")
        pairs = _dated_pairs(rates, "rate", "(date_from, percent)", "rate date_from")
        self.dates: list[date] = [day for day, _rate in pairs]
        self.percentages: list[Fraction] = [rate for _day, rate in pairs]
        if start < self.dates[0]:
            raise ValueError(
                f"start ({start}) is before the first rate ({self.dates[0]})"
            )

    def accrue(self, base: Fraction, first: date, last: date) -> Fraction:
        """Exact interest on ``base`` for every day from ``first`` to ``last``."""
        total = Fraction(0)
        day = first
        while day <= last:
            index = bisect.bisect_right(self.dates, day) - 1
            # The segment runs until the next rate, the next year or ``last``.
            segment_end = min(last + ONE_DAY, date(day.year + 1, 1, 1))
            if index + 1 < len(self.dates):
                segment_end = min(segment_end, self.dates[index + 1])
            days_in_year = 366 if calendar.isleap(day.year) else 365
            days = (segment_end - day).days
            total += base * self.percentages[index] * days / (100 * days_in_year)
            day = segment_end
        return total
