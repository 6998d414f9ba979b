"""Allocation of a payment to a claim, Dutch law.

Art. 6:44 lid 1 BW: a payment on a claim goes first to the costs, then to the
interest that has become due, and only then to the principal and the running
interest. (Lid 2: the creditor may refuse a payment for which the debtor
designates another order; that choice is the caller's.)
"""

from __future__ import annotations

from decimal import Decimal

from ._common import Amount, non_negative


def allocate_payment(
    amount: Amount, costs: Amount, interest: Amount, principal: Amount
) -> tuple[Decimal, Decimal, Decimal, Decimal]:
    """Split a payment of ``amount`` over the open ``costs``, ``interest`` and
    ``principal`` in that order (art. 6:44 BW).

    Returns ``(to_costs, to_interest, to_principal, excess)``; ``excess`` is
    what is left after everything is paid. The four parts always add up to
    ``amount`` exactly: nothing is rounded (amounts in cents stay in cents).

    >>> allocate_payment(Decimal("100"), Decimal("40"), Decimal("25"), Decimal("500"))
    (Decimal('40'), Decimal('25'), Decimal('35'), Decimal('0'))
    """
    remaining = non_negative(amount, "amount")
    parts = []
    for value, name in (
        (costs, "costs"),
        (interest, "interest"),
        (principal, "principal"),
    ):
        part = min(remaining, non_negative(value, name))
        parts.append(part)
        remaining -= part
    to_costs, to_interest, to_principal = parts
    return to_costs, to_interest, to_principal, remaining
