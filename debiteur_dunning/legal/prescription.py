"""Prescription (verjaring) of a claim for payment, Dutch and Belgian law.

- Art. 3:307 lid 1 BW: a claim for performance prescribes five years after the
  start of the day following the day on which it became due.
- Art. 7:28 BW: the claim for the price of a consumer sale prescribes after
  two years.
- Art. 3:317 lid 1 BW: a written reminder (schriftelijke aanmaning)
  interrupts prescription; art. 3:319 lid 1 BW: a new term of the same length
  (at most five years) then starts on the following day.

Because the new term after an interruption starts the day after the reminder,
exactly as the first one starts the day after the due date, one computation
serves both: pass the due date, or the date of the last written reminder that
interrupted prescription.

Belgium (oud Burgerlijk Wetboek, Book III title XX; verify against the code
in force):

- art. 2262bis par. 1: personal claims (ordinary contractual claims)
  prescribe after ten years (``kind="default"``);
- art. 2277: periodic payments (rent, interest, everything payable yearly or
  at shorter intervals) after five years (``kind="periodic"``);
- art. 2272: claims of traders for goods supplied to consumers (non-traders)
  after one year (``kind="consumer_supply"``).

The term runs from the day after the reference day and ends at the end of its
last day (art. 2260-2261 oud BW: counted by days), as in Dutch law. An
ordinary reminder by the creditor does not interrupt prescription in Belgium
(art. 2244 oud BW: a summons; art. 2248: the debtor's acknowledgement;
art. 2244 par. 2: a formal notice by a lawyer or bailiff, under conditions;
verify), so for BE the caller normally passes the due date.
"""

from __future__ import annotations

from datetime import date, timedelta

from ._common import anniversary, check_date

YEARS = 5  # art. 3:307 BW
CONSUMER_SALE_YEARS = 2  # art. 7:28 BW
BE_YEARS = {
    "default": 10,  # art. 2262bis par. 1 oud BW
    "periodic": 5,  # art. 2277 oud BW
    "consumer_supply": 1,  # art. 2272 oud BW
}
KINDS = tuple(BE_YEARS)
COUNTRIES = ("NL", "BE")

ONE_DAY = timedelta(days=1)


def prescription_date(
    reference: date,
    consumer_sale: bool = False,
    *,
    country: str = "NL",
    kind: str = "default",
) -> date:
    """Last day on which the claim can still be enforced or interrupted.

    ``reference`` is the due date, or the date of the last written reminder
    that interrupted prescription. The term starts the next day and lasts five
    years (two for the price of a consumer sale, ``consumer_sale=True``). The
    date returned is the **last day of that term**: a reminder sent or a
    summons served on it still counts; from the next day the claim is
    time-barred. That is the same calendar date N years after ``reference``,
    except around 29 February, where a year counted from 29 February ends on
    28 February:

    - due 2020-03-15 -> 2025-03-15
    - due 2023-02-28 (term starts 2023-03-01) -> 2028-02-29
    - due 2024-02-29 (term starts 2024-03-01) -> 2029-02-28

    ``country`` ``"NL"`` (default) or ``"BE"``. NL ignores ``kind``; BE
    ignores ``consumer_sale`` and takes the term of ``kind``: ``"default"``
    10 years, ``"periodic"`` 5, ``"consumer_supply"`` 1 (see the module
    docstring). BE, due 2020-03-15: 2030-03-15 (default), 2025-03-15
    (periodic), 2021-03-15 (consumer supply).
    """
    check_date(reference, "reference")
    if not isinstance(country, str) or not isinstance(kind, str):
        raise TypeError("country and kind must be str")
    country_key = country.strip().upper()
    if country_key not in COUNTRIES:
        raise ValueError(f"unknown country {country!r}: expected one of {COUNTRIES}")
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}: expected one of {KINDS}")
    if country_key == "BE":
        years = BE_YEARS[kind]
    else:
        years = CONSUMER_SALE_YEARS if consumer_sale else YEARS
    return anniversary(reference + ONE_DAY, years) - ONE_DAY
