"""Working days, public holidays and postal delivery in the Netherlands and Belgium.

- Netherlands: Algemene termijnenwet (Atw). Art. 1 lid 1: a statutory term
  that ends on a Saturday, Sunday or recognised public holiday is extended to
  the next day that is none of these. Art. 3 lid 1 lists the recognised
  public holidays: New Year's Day, Easter Monday, Ascension Day, Whit Monday,
  Christmas Day and Boxing Day, King's Day and 5 May (every year, not only
  every fifth year as the ``holidays`` package's NL calendar has it). Good
  Friday is **not** in art. 3, but it is treated as a holiday here too: a
  day more that is not a working day can only make a term longer (or a
  postal receipt later), which is the safe side for a creditor who bears the
  risk of a term that is too short (HR 25 November 2016,
  ECLI:NL:HR:2016:2704).
- Belgium: the legal public holidays (wet 4 januari 1974 betreffende de
  feestdagen; KB 18 april 1974), as the ``holidays`` package's BE calendar
  has them; art. 1.7 BW (Book 1) moves a last day that falls on a Saturday,
  Sunday or legal holiday to the next working day.

Working days are Monday to Friday that are not a public holiday. The
calendars come from the ``holidays`` PyPI package and are cached per
(country, year).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, timedelta
from functools import lru_cache

import holidays as holidays_package

from ._common import check_date

COUNTRIES = ("NL", "BE")
ONE_DAY = timedelta(days=1)
SATURDAY = 5
# No postal delivery on Sunday or Monday (PostNL delivers letters Tuesday to
# Saturday since 2024).
NL_DELIVERY_WEEKDAYS = frozenset({1, 2, 3, 4, 5})
NL_POST_DELIVERY_DAYS = 2  # receipt: the second delivery day after posting
BE_POST_WORKING_DAYS = 3  # XIX.2 WER: the 3rd working day after sending


def normalise_country(country: str) -> str:
    """``country`` as ``"NL"`` or ``"BE"`` (case and whitespace forgiven)."""
    if not isinstance(country, str):
        raise TypeError(f"country must be a str, not {type(country).__name__}")
    key = country.strip().upper()
    if key not in COUNTRIES:
        raise ValueError(f"unknown country {country!r}: expected one of {COUNTRIES}")
    return key


def _easter_sunday(year: int) -> date:
    """Gregorian Easter Sunday (the anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    m = (32 + 2 * e + 2 * i - h - k) % 7
    n = (a + 11 * h + 22 * m) // 451
    month, day = divmod(h + m - 7 * n + 114, 31)
    return date(year, month, day + 1)


@lru_cache(maxsize=256)
def public_holidays(country: str, year: int) -> frozenset[date]:
    """The public holidays of ``country`` (``"NL"`` or ``"BE"``) in ``year``.

    NL: the package's NL calendar plus 5 May and Good Friday of every year
    (see the module docstring: Good Friday is the safe side). BE: the
    package's BE calendar (the ten legal holidays and the Sundays among
    them).
    """
    key = normalise_country(country)
    days = set(holidays_package.country_holidays(key, years=year))
    if key == "NL":
        days.add(date(year, 5, 5))
        days.add(_easter_sunday(year) - 2 * ONE_DAY)
    return frozenset(days)


def _is_holiday(day: date, country: str, holidays: Collection[date] | None) -> bool:
    if holidays is not None:
        return day in holidays
    return day in public_holidays(country, day.year)


def is_working_day(
    day: date, country: str, *, holidays: Collection[date] | None = None
) -> bool:
    """True when ``day`` is neither a Saturday, a Sunday nor a public holiday.

    ``holidays``: None uses the country's calendar (:func:`public_holidays`);
    an explicit collection of dates is used instead of it.
    """
    check_date(day, "day")
    key = normalise_country(country)
    return day.weekday() < SATURDAY and not _is_holiday(day, key, holidays)


def next_working_day(
    day: date, country: str, *, holidays: Collection[date] | None = None
) -> date:
    """``day`` itself when it is a working day, else the next working day.

    This is how Atw art. 1 (NL) and art. 1.7 BW (BE) extend a last day that
    falls on a Saturday, Sunday or public holiday.
    """
    while not is_working_day(day, country, holidays=holidays):
        day += ONE_DAY
    return day


def working_day_after(
    day: date, count: int, country: str, *, holidays: Collection[date] | None = None
) -> date:
    """The ``count``-th working day after ``day`` (``day`` itself not counted)."""
    check_date(day, "day")
    while count > 0:
        day += ONE_DAY
        if is_working_day(day, country, holidays=holidays):
            count -= 1
    return day


def is_delivery_day(
    day: date, country: str = "NL", *, holidays: Collection[date] | None = None
) -> bool:
    """NL: True on Tuesday to Saturday unless a public holiday (no post is
    delivered on Sunday, Monday or a holiday)."""
    check_date(day, "day")
    key = normalise_country(country)
    return day.weekday() in NL_DELIVERY_WEEKDAYS and not _is_holiday(day, key, holidays)


def post_receipt_date(
    posted: date, country: str, *, holidays: Collection[date] | None = None
) -> date:
    """The day a letter posted on ``posted`` is deemed received.

    NL: the second delivery day after posting (art. 3:37 lid 3 BW: a
    statement takes effect when it reaches the addressee), delivery days
    being Tuesday to Saturday that are not public holidays. Posted Monday
    2 March 2026: delivery days Tue 3, Wed 4 March; received Wednesday
    2026-03-04. Posted Friday 6 March 2026: Sat 7, (no Sun, Mon) Tue 10.

    BE: the third working day after sending (art. XIX.2 WER counts the
    waiting period from it).
    """
    check_date(posted, "posted")
    key = normalise_country(country)
    if key == "BE":
        return working_day_after(posted, BE_POST_WORKING_DAYS, key, holidays=holidays)
    day, count = posted, NL_POST_DELIVERY_DAYS
    while count:
        day += ONE_DAY
        if is_delivery_day(day, key, holidays=holidays):
            count -= 1
    return day
