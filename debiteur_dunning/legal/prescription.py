"""Prescription (verjaring) of a claim for payment, Dutch law.

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
"""

from __future__ import annotations

from datetime import date, timedelta

from ._common import anniversary, check_date

YEARS = 5  # art. 3:307 BW
CONSUMER_SALE_YEARS = 2  # art. 7:28 BW

ONE_DAY = timedelta(days=1)


def prescription_date(reference: date, consumer_sale: bool = False) -> date:
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
    """
    check_date(reference, "reference")
    years = CONSUMER_SALE_YEARS if consumer_sale else YEARS
    return anniversary(reference + ONE_DAY, years) - ONE_DAY
