"""Collection costs and damages that may be charged to a debtor.

- Netherlands: art. 6:96 lid 2 sub c and lid 5 BW with the Besluit vergoeding voor
  buitengerechtelijke incassokosten (WIK), art. 2 lid 1: a sliding scale on the
  principal, at least 40.00 and at most 6,775.00.
- Belgium, consumers: Boek XIX Wetboek van Economisch Recht (wet 4 mei 2023),
  art. XIX.4: the cap on the damages clause, by balance bracket, at most 2,000.00.

Both functions return the legal *maximum*; whether it may be charged at all (the
14-day letter, a first free reminder, the VAT on top, the 140.00 cap per six
months on small recurring consumer claims) is decided by the caller.
"""

from __future__ import annotations

from decimal import Decimal

from ._common import ZERO, Amount, non_negative, round_cents

# (width of the bracket, share of it); the last bracket reaches the maximum.
_WIK_BRACKETS = (
    (Decimal(2500), Decimal("0.15")),
    (Decimal(2500), Decimal("0.10")),
    (Decimal(5000), Decimal("0.05")),
    (Decimal(190000), Decimal("0.01")),
    (Decimal(800000), Decimal("0.005")),
)
WIK_MINIMUM = Decimal("40.00")
WIK_MAXIMUM = Decimal("6775.00")

BE_DAMAGES_MAXIMUM = Decimal("2000.00")


def wik_collection_costs(principal: Amount) -> Decimal:
    """Extrajudicial collection costs on ``principal`` under the Dutch WIK scale.

    15 % of the first 2,500, 10 % of the next 2,500, 5 % of the next 5,000,
    1 % of the next 190,000 and 0.5 % of the rest, rounded to cents half up,
    then held between 40.00 and 6,775.00 (the maximum is reached at
    1,000,000). ``principal`` is the unpaid invoice amount, without interest
    unless it was capitalised. A principal of zero owes nothing: 0.00.

    >>> wik_collection_costs(Decimal("1234.56"))
    Decimal('185.18')
    """
    remaining = non_negative(principal, "principal")
    if not remaining:
        return ZERO
    costs = Decimal(0)
    for width, share in _WIK_BRACKETS:
        part = min(remaining, width)
        costs += part * share
        remaining -= part
        if not remaining:
            break
    return min(max(round_cents(costs), WIK_MINIMUM), WIK_MAXIMUM)


def be_consumer_damages(balance: Amount) -> Decimal:
    """Maximum damages on an unpaid consumer ``balance`` in Belgium (art. XIX.4 WER).

    Up to 150.00: 20.00; from 150.01 to 500.00: 30.00 + 10 % of the part above
    150.00; above 500.00: 65.00 + 5 % of the part above 500.00, at most
    2,000.00. Rounded to cents half up. A balance of zero owes nothing: 0.00.

    >>> be_consumer_damages(Decimal("1234.56"))
    Decimal('101.73')
    """
    amount = non_negative(balance, "balance")
    if not amount:
        return ZERO
    if amount <= 150:
        damages = Decimal(20)
    elif amount <= 500:
        damages = 30 + (amount - 150) * Decimal("0.10")
    else:
        # Cap the balance first so huge amounts never strain the precision.
        capped = min(amount, Decimal(39200))  # 65 + 5 % of 38,700 = 2,000
        damages = 65 + (capped - 500) * Decimal("0.05")
    return min(round_cents(damages), BE_DAMAGES_MAXIMUM)
