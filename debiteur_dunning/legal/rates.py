"""When a statutory rate table needs a newer rate.

The rates are data (LEGAL.md): NL (art. 6:119 and 6:119a BW) and BE commercial
(wet 2 augustus 2002, art. 5) rates are set per half-year, the BE legal rate
(wet 5 mei 1865, art. 2) per calendar year. A table whose newest rate started
more than six calendar months ago is *stale*: a newer rate has probably been
published and is missing, and carrying the old one forward silently would
charge the wrong interest.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from datetime import date

from ._common import check_date

STALE_MONTHS = 6


def add_months(day: date, months: int) -> date:
    """``day`` plus ``months`` calendar months; a day the month lacks becomes
    its last day (31 August + 6 months = 28 or 29 February)."""
    check_date(day, "day")
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def stale_rate_kinds(
    newest_by_kind: Mapping[str, date | None],
    today: date,
    months: int = STALE_MONTHS,
    *,
    months_by_kind: Mapping[str, int] | None = None,
) -> list[str]:
    """The kinds whose newest rate is more than ``months`` calendar months old.

    ``newest_by_kind`` maps each rate kind to the ``date_from`` of its newest
    rate (``None``: no rate at all, always stale). A rate from 2026-01-01 is
    stale from 2026-07-02 on (six months later is 2026-07-01, which is not
    *more* than six months). ``months_by_kind`` overrides ``months`` for some
    kinds, e.g. 12 for a yearly rate. Returns the stale kinds, sorted.

    >>> stale_rate_kinds({"nl_commercial": date(2026, 1, 1)}, date(2026, 7, 2))
    ['nl_commercial']
    """
    check_date(today, "today")
    overrides = months_by_kind or {}
    stale = []
    for kind, newest in newest_by_kind.items():
        if newest is None:
            stale.append(kind)
            continue
        check_date(newest, "newest")
        if add_months(newest, overrides.get(kind, months)) < today:
            stale.append(kind)
    return sorted(stale)
