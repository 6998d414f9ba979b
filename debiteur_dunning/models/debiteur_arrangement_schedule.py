"""The instalments of a payment arrangement, before it exists.

The arrangement wizard asks this service for the schedule it shows and then
creates; the arithmetic (amounts in the currency's unit, dates) is pure, in
``debiteur_dunning/instalments.py``.
"""

from odoo import api, models
from odoo.exceptions import ValidationError

from .. import instalments


class DebiteurArrangementSchedule(models.AbstractModel):
    _name = "debiteur.arrangement.schedule"
    _description = "Payment Arrangement Schedule"

    @api.model
    def _instalments(
        self,
        currency,
        total,
        first_date,
        frequency,
        count=0,
        amount=0.0,
        down_payment=0.0,
        start_date=None,
    ):
        """The instalments for ``total``: a list of ``{date, amount,
        is_down_payment}``.

        Either ``count`` instalments of equal amounts (rounded down to the
        currency's unit; the last one takes the difference), or instalments of
        ``amount`` until the rest is paid (the last one smaller). Monthly
        dates count from ``first_date`` (31 January, 28 or 29 February,
        31 March). A down payment is due on ``start_date``.
        """
        _ = self.env._
        today = self.env["debiteur.arrangement"]._today()
        start_date = start_date or today
        if not first_date:
            raise ValidationError(_("Set the date of the first instalment."))
        if first_date < today:
            raise ValidationError(
                _(
                    "The first instalment cannot be in the past (%(date)s).",
                    date=first_date,
                )
            )
        if currency.compare_amounts(total, 0.0) <= 0:
            raise ValidationError(_("There is nothing to pay in instalments."))
        if currency.compare_amounts(down_payment, 0.0) < 0:
            raise ValidationError(_("The down payment cannot be negative."))
        rest = currency.round(total - down_payment)
        if currency.compare_amounts(rest, 0.0) <= 0:
            raise ValidationError(
                _(
                    "The down payment of %(down)s covers the whole amount of "
                    "%(total)s: no arrangement is needed.",
                    down=currency.format(down_payment),
                    total=currency.format(total),
                )
            )
        unit = instalments.to_decimal(currency.rounding)
        rest_d = instalments.to_decimal(rest)
        if amount:
            if currency.compare_amounts(amount, 0.0) <= 0:
                raise ValidationError(_("The instalment amount must be positive."))
            step = instalments.to_decimal(currency.round(amount))
            count = instalments.count_for_amount(rest_d, step)
        else:
            if not count or count < 1:
                raise ValidationError(
                    _("An arrangement needs at least one instalment.")
                )
            step = instalments.equal_step(rest_d, count, unit)
            if step <= 0:
                raise ValidationError(
                    _(
                        "%(count)s instalments are too many for %(rest)s.",
                        count=count,
                        rest=currency.format(rest),
                    )
                )
        if count > instalments.MAX_INSTALMENTS:
            raise ValidationError(
                _(
                    "At most %(max)s instalments; this would make %(count)s.",
                    max=instalments.MAX_INSTALMENTS,
                    count=count,
                )
            )
        schedule = []
        if currency.compare_amounts(down_payment, 0.0) > 0:
            schedule.append(
                {
                    "date": start_date,
                    "amount": currency.round(down_payment),
                    "is_down_payment": True,
                }
            )
        for index, value in enumerate(instalments.amounts(rest_d, step, count)):
            schedule.append(
                {
                    "date": instalments.instalment_date(first_date, frequency, index),
                    "amount": float(value),
                    "is_down_payment": False,
                }
            )
        return schedule
