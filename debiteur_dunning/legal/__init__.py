"""Legal rules of Dutch and Belgian dunning, as pure functions.

This package imports nothing from Odoo (only the standard library,
python-stdnum and holidays), so integrators and fast tests can use it on its own. Each
module cites the articles it implements; LEGAL.md holds the worked examples.

Conventions shared by every function:

- Amounts are ``decimal.Decimal``. An ``int`` is accepted as is; a ``float``
  (what Odoo's monetary fields hold) is converted through its shortest repr,
  ``Decimal(repr(x))``, so ``1234.56`` becomes ``Decimal("1234.56")`` and not
  the binary approximation. ``bool``, ``str``, NaN and infinities are refused.
- Money results are rounded to cents with ROUND_HALF_UP, once, at the point
  the law rounds (see each function).
- Dates are ``datetime.date``; a ``datetime`` is refused.
- Invalid values (negative amounts, a period that ends before it starts, an
  unknown channel or country, a bad reference base, ...) raise ValueError
  with an English message; arguments of the wrong type raise TypeError.
"""

from .allocation import allocate_payment
from .calendar import (
    is_working_day,
    next_working_day,
    post_receipt_date,
    public_holidays,
)
from .costs import (
    BE_BUSINESS_COMPENSATION,
    BE_CONSUMER_REMINDER_FEE,
    NL_B2B_MINIMUM_PER_INVOICE,
    be_consumer_damages,
    collection_costs,
    costs_vat_surcharge,
    wik_collection_costs,
)
from .deadlines import legal_notice_deadline, receipt_date
from .interest import be_commercial_rate, interest_on_balances, statutory_interest
from .prescription import prescription_date
from .rates import stale_rate_kinds
from .references import be_structured_communication, epc_qr_payload, rf_reference

__all__ = [
    "BE_BUSINESS_COMPENSATION",
    "BE_CONSUMER_REMINDER_FEE",
    "NL_B2B_MINIMUM_PER_INVOICE",
    "allocate_payment",
    "be_commercial_rate",
    "be_consumer_damages",
    "be_structured_communication",
    "collection_costs",
    "epc_qr_payload",
    "costs_vat_surcharge",
    "interest_on_balances",
    "is_working_day",
    "legal_notice_deadline",
    "next_working_day",
    "post_receipt_date",
    "prescription_date",
    "public_holidays",
    "receipt_date",
    "rf_reference",
    "stale_rate_kinds",
    "statutory_interest",
    "wik_collection_costs",
]
