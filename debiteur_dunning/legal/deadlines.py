"""The payment term of the legal notice, after which collection costs may be charged.

- Netherlands, consumers: art. 6:96 lid 6 BW. Costs are due only after a letter
  (the "veertiendagenbrief") giving a term of 14 days *starting the day after
  receipt* (HR 25 November 2016, ECLI:NL:HR:2016:2704). Receipt: the send
  date for e-mail; for post the second delivery day after posting
  (:func:`.calendar.post_receipt_date`). A last day on a Saturday, Sunday or
  recognised public holiday moves to the next working day (Algemene
  termijnenwet art. 1 and 3).
- Belgium, consumers: Boek XIX Wetboek van Economisch Recht, art. XIX.2: a
  waiting period of 14 calendar days that starts on the third working day after
  a paper reminder is sent, or on the working day after an electronic one; a
  last day on a Saturday, Sunday or legal holiday moves to the next working
  day (art. 1.7 BW, Book 1).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, timedelta

from ._common import check_date
from .calendar import (
    NL_POST_DELIVERY_DAYS,
    next_working_day,
    normalise_country,
    post_receipt_date,
    working_day_after,
)

CHANNELS = ("email", "post")
# Sent both ways: the later, postal, receipt counts (LEGAL.md).
CHANNEL_ALIASES = {"email_letter": "post", "both": "post"}
COUNTRIES = ("NL", "BE")

TERM_DAYS = 14
BE_START_WORKING_DAYS = {"post": 3, "email": 1}

__all__ = [
    "BE_START_WORKING_DAYS",
    "CHANNELS",
    "COUNTRIES",
    "NL_POST_DELIVERY_DAYS",
    "TERM_DAYS",
    "legal_notice_deadline",
    "receipt_date",
]


def receipt_date(
    sent: date,
    channel: str,
    country: str,
    *,
    holidays: Collection[date] | None = None,
) -> date:
    """The day the debtor is deemed to have received a letter sent on ``sent``.

    A written reminder interrupts prescription when it reaches the debtor
    (NL: art. 3:317 with 3:37 lid 3 BW). E-mail: ``sent`` itself. Post (and
    e-mail together with a letter, ``"email_letter"``/``"both"``): NL the
    second delivery day after posting, BE the third working day after it (see
    :func:`.calendar.post_receipt_date`). ``holidays`` as in
    :func:`legal_notice_deadline`.

    >>> receipt_date(date(2026, 3, 2), "post", "NL")
    datetime.date(2026, 3, 4)
    """
    check_date(sent, "sent")
    channel_key = _channel(channel)
    country_key = normalise_country(country)
    if channel_key == "email":
        return sent
    return post_receipt_date(sent, country_key, holidays=holidays)


def legal_notice_deadline(
    sent: date,
    channel: str,
    country: str,
    *,
    holidays: Collection[date] | None = None,
) -> date:
    """Last day of the legal payment term of a notice sent on ``sent``.

    The returned date is the **last day the debtor may still pay without
    costs**: costs, damages and interest under the notice may be charged from
    the day after it. Print it in the letter as "uiterlijk op <date>".
    ``sent`` must be the actual send date, not a back-dated run date.

    ``channel`` is ``"email"`` or ``"post"``; ``"email_letter"`` or
    ``"both"`` (e-mail together with a letter) counts as post, the later of
    the two. ``country`` is ``"NL"`` or ``"BE"`` (case-insensitive).

    ``holidays``: ``None`` (the default) uses the public holidays of
    ``country`` from the ``holidays`` package (:mod:`.calendar`); an explicit
    collection of dates is used **instead** of it (an empty one: weekends
    only), as before this package knew the calendars.

    NL (art. 6:96 lid 6 BW, Algemene termijnenwet): receipt = ``sent``
    (e-mail) or the second delivery day after posting (post); the 14 days run
    from the day after receipt, so the last day is receipt + 14; a last day
    on a Saturday, Sunday or public holiday moves to the next working day.

    BE (art. XIX.2 WER, art. 1.7 BW): the term starts on the 1st (e-mail) or
    3rd (post) working day after ``sent``, that day being day 1 of 14, so the
    last day is that start + 13, moved to the next working day when it is a
    Saturday, Sunday or legal holiday.

    Worked examples (LEGAL.md), NL:

    - e-mail Mon 2026-03-02 -> 2026-03-16;
    - post Mon 2026-03-02: received Wed 03-04 -> 2026-03-18;
    - e-mail Sun 2026-03-08: 03-22 is a Sunday -> Mon 2026-03-23;
    - e-mail Fri 2026-04-10 -> 2026-04-24.

    BE, post sent Thursday 17 April 2025 (Easter Monday 21 April): working
    days Fri 18, Tue 22, Wed 23; term 23 April - 6 May, returns 2025-05-06.
    """
    check_date(sent, "sent")
    channel_key = _channel(channel)
    country_key = normalise_country(country)

    if country_key == "NL":
        receipt = receipt_date(sent, channel_key, country_key, holidays=holidays)
        last = receipt + timedelta(days=TERM_DAYS)
    else:
        first_day = working_day_after(
            sent, BE_START_WORKING_DAYS[channel_key], country_key, holidays=holidays
        )
        last = first_day + timedelta(days=TERM_DAYS - 1)
    return next_working_day(last, country_key, holidays=holidays)


def _channel(channel: str) -> str:
    key = _normalise(channel, "channel").lower()
    key = CHANNEL_ALIASES.get(key, key)
    if key not in CHANNELS:
        raise ValueError(
            f"unknown channel {channel!r}: expected one of {CHANNELS} "
            f"or {tuple(CHANNEL_ALIASES)}"
        )
    return key


def _normalise(value: str, name: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, not {type(value).__name__}")
    return value.strip()
