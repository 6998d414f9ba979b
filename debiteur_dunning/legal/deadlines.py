"""The payment term of the legal notice, after which collection costs may be charged.

- Netherlands, consumers: art. 6:96 lid 6 BW. Costs are due only after a letter
  (the "veertiendagenbrief") giving a term of 14 days *starting the day after
  receipt* (HR 25 November 2016, ECLI:NL:HR:2016:2704). Receipt is taken as the
  sent date for e-mail and two days later for post (the safe deadline of
  LEGAL.md).
- Belgium, consumers: Boek XIX Wetboek van Economisch Recht, art. XIX.2: a
  waiting period of 14 calendar days that starts on the third working day after
  a paper reminder is sent, or on the working day after an electronic one.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, timedelta

from ._common import check_date

CHANNELS = ("email", "post")
COUNTRIES = ("NL", "BE")

TERM_DAYS = 14
NL_POST_DELIVERY_DAYS = 2
BE_START_WORKING_DAYS = {"post": 3, "email": 1}


def legal_notice_deadline(
    sent: date,
    channel: str,
    country: str,
    *,
    holidays: Collection[date] = (),
) -> date:
    """Last day of the legal payment term of a notice sent on ``sent``.

    The returned date is the **last day the debtor may still pay without
    costs**: costs, damages and interest under the notice may be charged from
    the day after it. Print it in the letter as "uiterlijk op <date>".

    ``channel`` is ``"email"`` or ``"post"``, ``country`` is ``"NL"`` or
    ``"BE"`` (case-insensitive). A notice sent both ways should be computed
    with ``"post"``, the later of the two.

    NL: receipt = ``sent`` (e-mail) or ``sent`` + 2 days (post); the 14 days
    run from the day after receipt, so the last day is receipt + 14. Calendar
    days only: a term ending on a weekend is not extended (the safe deadline of
    LEGAL.md; the Algemene termijnenwet is not applied).

    BE: the term starts on the 1st (e-mail) or 3rd (post) working day after
    ``sent``, that day being day 1 of 14, so the last day is that start + 13.
    Working days are Monday to Friday. For e-mail the start is the *working*
    day after sending, as LEGAL.md reads the law; a reading of "the day
    after" would only give an earlier date, so this one is safe under both.

    Public holidays are not modelled: they are calendar data (Easter-based,
    per country), which this pure package does not hold. That is **not**
    conservative: in Belgium a public holiday on one of the working days
    counted before the term starts moves the start, and so the deadline, one
    day later, and the default computation misses it. The caller that knows
    the holidays (Odoo's working calendar) passes them as ``holidays``; they
    are then skipped like weekends. Example: post sent Thursday 17 April 2025,
    Easter Monday 21 April: 2025-05-05 by default, 2025-05-06 with
    ``holidays={date(2025, 4, 21)}``. The Dutch rule counts calendar days and
    ignores ``holidays``.

    Worked examples, notice sent on Friday 7 March 2025:

    - NL, e-mail: received 7 March, term 8-21 March, returns 2025-03-21.
    - NL, post: received Sunday 9 March, term 10-23 March, returns 2025-03-23.
    - BE, e-mail: first working day after Friday is Monday 10 March, term
      10-23 March, returns 2025-03-23.
    - BE, post: working days Mon 10, Tue 11, Wed 12 March; term 12-25 March,
      returns 2025-03-25 (costs from 26 March).
    """
    check_date(sent, "sent")
    channel_key = _normalise(channel, "channel").lower()
    country_key = _normalise(country, "country").upper()
    if channel_key not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}: expected one of {CHANNELS}")
    if country_key not in COUNTRIES:
        raise ValueError(f"unknown country {country!r}: expected one of {COUNTRIES}")

    if country_key == "NL":
        receipt = sent
        if channel_key == "post":
            receipt += timedelta(days=NL_POST_DELIVERY_DAYS)
        return receipt + timedelta(days=TERM_DAYS)

    first_day = _working_day_after(sent, BE_START_WORKING_DAYS[channel_key], holidays)
    return first_day + timedelta(days=TERM_DAYS - 1)


def _normalise(value: str, name: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, not {type(value).__name__}")
    return value.strip()


def _working_day_after(day: date, count: int, holidays: Collection[date]) -> date:
    """The ``count``-th working day after ``day`` (Monday to Friday, not a holiday)."""
    while count:
        day += timedelta(days=1)
        if day.weekday() < 5 and day not in holidays:
            count -= 1
    return day
