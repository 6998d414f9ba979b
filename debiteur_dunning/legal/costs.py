"""Collection costs and damages that may be charged to a debtor.

- Netherlands: art. 6:96 lid 2 sub c and lid 5 BW with the Besluit vergoeding voor
  buitengerechtelijke incassokosten (WIK), art. 2 lid 1: a sliding scale on the
  principal, at least 40.00 and at most 6,775.00.
- Belgium, consumers: Boek XIX Wetboek van Economisch Recht (wet 4 mei 2023),
  art. XIX.4: the cap on the damages clause, by balance bracket, at most 2,000.00.

- Netherlands, businesses: art. 6:96 lid 4 BW (Richtlijn 2011/7/EU, art. 6):
  at least 40.00 once the term has passed, due **per invoice** (HvJ EU
  20 October 2022, C-585/20, BFF Finance Iberia); the WIK scale applies to the
  total principal.
- Belgium, businesses: wet van 2 augustus 2002, art. 6: a fixed compensation
  of 40.00 per invoice.
- Belgium, consumers: art. XIX.4 WER: no costs other than the damages of an
  express clause, except 7.50 plus postage per reminder beyond three a year
  under a contract with recurring payments.

:func:`wik_collection_costs` and :func:`be_consumer_damages` return the legal
*maximum*; :func:`collection_costs` decides what may be charged on a
reminder, and why.
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

# Belgium, B2B: fixed compensation per invoice (wet 2 augustus 2002, art. 6).
BE_BUSINESS_COMPENSATION = Decimal("40.00")
# Belgium, consumers: 7.50 (plus postage, not modelled) per reminder beyond
# three a year under a recurring contract (art. XIX.4 WER).
BE_CONSUMER_REMINDER_FEE = Decimal("7.50")
BE_CONSUMER_FREE_REMINDERS_PER_YEAR = 3
# Netherlands, B2B: the 40.00 minimum is due per invoice (CJEU C-585/20).
NL_B2B_MINIMUM_PER_INVOICE = Decimal("40.00")
# Art. 2 lid 3 BIK: the VAT the creditor could not deduct, on top of the costs.
DUTCH_VAT_RATE = Decimal(21)

COSTS_MODES = ("none", "fixed", "statutory")


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


def costs_vat_surcharge(costs: Amount, rate: Amount = DUTCH_VAT_RATE) -> Decimal:
    """The VAT surcharge on collection ``costs`` (art. 2 lid 3 BIK), in cents.

    Only when the creditor used a collection service that charged VAT, cannot
    deduct that VAT and says so in the letter may ``rate`` % (21 %) be added
    to the costs as damages. It is not output VAT: it is stated in the letter
    and not booked as tax. Rounded to cents, half up.

    >>> costs_vat_surcharge(Decimal("185.18"))
    Decimal('38.89')
    """
    amount = non_negative(costs, "costs")
    percent = non_negative(rate, "rate")
    return round_cents(amount * percent / 100)


def collection_costs(
    *,
    jurisdiction: str,
    consumer: bool,
    costs_mode: str,
    principal: Amount,
    invoice_count: int,
    fee: Amount = 0,
    deadline_passed: bool,
    first_reminder: bool,
    express_clause: bool = True,
    recurring_contract_fee: bool = False,
    reminders_this_year: int = 0,
) -> tuple[Decimal, str, dict]:
    """The collection costs the law allows on a reminder, and why.

    Returns ``(amount, code, params)``: the amount in euros rounded to cents,
    a reason code (the caller turns it into a translated sentence) and the
    values that sentence needs (Decimals and ints).

    Arguments: ``jurisdiction`` ``"nl"``, ``"be"`` or anything else (no
    statutory costs); ``consumer`` whether the debtor is a consumer;
    ``costs_mode`` the policy's ``"none"``, ``"fixed"`` (the level's ``fee``)
    or ``"statutory"``; ``principal`` the debtor's open principal (without
    interest); ``invoice_count`` the number of open invoices (at least 1 is
    counted); ``deadline_passed`` whether the legal term (NL consumer: the
    14-day letter; BE consumer: the waiting period after the first reminder)
    has ended; ``first_reminder`` whether this is the debtor's first reminder;
    ``express_clause`` whether the contract has an express damages clause
    (BE consumers); ``recurring_contract_fee`` whether the contract is one
    with recurring payments whose reminders beyond three a year may cost
    7.50; ``reminders_this_year`` the reminders the debtor already had this
    year, before this one.

    Decision table (codes):

    - ``nothing_open``: principal 0. ``policy_none``: costs mode "none".
    - Fixed fee: ``nl_consumer_no_fees`` (art. 6:96 lid 6 BW: no fees other
      than the statutory costs); BE consumer: ``be_consumer_first_free``,
      ``be_consumer_no_fees`` (art. XIX.4 WER: no fee per reminder), or, under
      a recurring contract from the fourth reminder of the year, the fee up to
      7.50: ``be_consumer_recurring_fee`` / ``be_consumer_fee_capped``;
      otherwise ``no_fee`` or ``fixed_fee``.
    - Statutory, NL: consumer ``nl_consumer_before_term`` or
      ``nl_wik_consumer`` (the WIK scale); business the larger of the WIK
      scale on the total principal (``nl_wik_business``) and 40.00 per invoice
      (``nl_business_minimum_per_invoice``, CJEU C-585/20).
    - Statutory, BE: consumer ``be_consumer_first_free_damages``,
      ``be_consumer_no_clause``, ``be_consumer_before_term`` or
      ``be_consumer_damages`` (art. XIX.4 WER cap); business
      ``be_business_compensation`` (40.00 per invoice).
    - ``other_jurisdiction``: no statutory costs elsewhere.
    """
    amount = non_negative(principal, "principal")
    fee_amount = non_negative(fee, "fee")
    if costs_mode not in COSTS_MODES:
        raise ValueError(
            f"unknown costs_mode {costs_mode!r}: expected one of {COSTS_MODES}"
        )
    if not isinstance(jurisdiction, str):
        raise TypeError(
            f"jurisdiction must be a str, not {type(jurisdiction).__name__}"
        )
    jurisdiction = jurisdiction.strip().lower()
    count = max(_count(invoice_count, "invoice_count"), 1)
    earlier = _count(reminders_this_year, "reminders_this_year")

    if not amount:
        return ZERO, "nothing_open", {}
    if costs_mode == "none":
        return ZERO, "policy_none", {}
    if costs_mode == "fixed":
        return _fixed_fee(
            jurisdiction == "nl" and consumer,
            jurisdiction == "be" and consumer,
            fee_amount,
            first_reminder=first_reminder,
            recurring=recurring_contract_fee
            and earlier >= BE_CONSUMER_FREE_REMINDERS_PER_YEAR,
            earlier=earlier,
        )
    if jurisdiction == "nl":
        return _nl_statutory(amount, consumer, count, deadline_passed)
    if jurisdiction == "be":
        if consumer:
            return _be_consumer_damages(
                amount, first_reminder, express_clause, deadline_passed
            )
        return (
            round_cents(BE_BUSINESS_COMPENSATION * count),
            "be_business_compensation",
            {"each": BE_BUSINESS_COMPENSATION, "count": count},
        )
    return ZERO, "other_jurisdiction", {}


def _fixed_fee(
    nl_consumer: bool,
    be_consumer: bool,
    fee: Decimal,
    *,
    first_reminder: bool,
    recurring: bool,
    earlier: int,
) -> tuple[Decimal, str, dict]:
    """The level's fixed fee, where the law allows one (see collection_costs)."""
    if nl_consumer:
        return ZERO, "nl_consumer_no_fees", {}
    if be_consumer:
        if first_reminder:
            return ZERO, "be_consumer_first_free", {}
        if not recurring:
            return ZERO, "be_consumer_no_fees", {"count": earlier}
        if not fee:
            return ZERO, "no_fee", {}
        params = {"cap": BE_CONSUMER_REMINDER_FEE, "count": earlier}
        if fee > BE_CONSUMER_REMINDER_FEE:
            return BE_CONSUMER_REMINDER_FEE, "be_consumer_fee_capped", params
        fee = round_cents(fee)
        return fee, "be_consumer_recurring_fee", params | {"amount": fee}
    if not fee:
        return ZERO, "no_fee", {}
    fee = round_cents(fee)
    return fee, "fixed_fee", {"amount": fee}


def _nl_statutory(
    principal: Decimal, consumer: bool, count: int, deadline_passed: bool
) -> tuple[Decimal, str, dict]:
    """WIK costs; consumers after the 14-day term, businesses 40.00 per invoice."""
    wik = wik_collection_costs(principal)
    if consumer:
        if not deadline_passed:
            return ZERO, "nl_consumer_before_term", {}
        return wik, "nl_wik_consumer", {"principal": principal}
    minimum = NL_B2B_MINIMUM_PER_INVOICE * count
    if minimum > wik:
        return (
            minimum,
            "nl_business_minimum_per_invoice",
            {"each": NL_B2B_MINIMUM_PER_INVOICE, "count": count},
        )
    return (
        wik,
        "nl_wik_business",
        {"principal": principal, "minimum": NL_B2B_MINIMUM_PER_INVOICE},
    )


def _be_consumer_damages(
    balance: Decimal, first_reminder: bool, express_clause: bool, passed: bool
) -> tuple[Decimal, str, dict]:
    """XIX.4 WER: damages only under an express clause, after the waiting period."""
    if first_reminder:
        return ZERO, "be_consumer_first_free_damages", {}
    if not express_clause:
        return ZERO, "be_consumer_no_clause", {}
    if not passed:
        return ZERO, "be_consumer_before_term", {}
    return be_consumer_damages(balance), "be_consumer_damages", {"balance": balance}


def _count(value: int, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, not {type(value).__name__}")
    if value < 0:
        raise ValueError(f"{name} must not be negative, got {value}")
    return value
