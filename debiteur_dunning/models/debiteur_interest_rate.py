from decimal import Decimal

from odoo import api, fields, models, tools
from odoo.exceptions import UserError, ValidationError

INTEREST_KINDS = [
    ("nl_consumer", "NL statutory interest (6:119 BW)"),
    ("nl_commercial", "NL commercial interest (6:119a BW)"),
    ("be_commercial", "BE commercial interest (law of 2 August 2002)"),
    ("be_legal", "BE legal interest rate"),
]


class DebiteurInterestRate(models.Model):
    """A dated table of statutory interest rates, one table per kind.

    Each rate applies from its ``date_from`` until the next rate of the same
    kind starts. The rates are data: shipped with the module (LEGAL.md), and
    corrected or extended by the user when a new half-year's rate is published.
    """

    _name = "debiteur.interest.rate"
    _description = "Statutory Interest Rate"
    _order = "kind, date_from"

    kind = fields.Selection(INTEREST_KINDS, required=True, index=True)
    date_from = fields.Date(
        string="Valid From",
        required=True,
        index=True,
        help="The rate applies from this day until the next rate of the same "
        "kind starts.",
    )
    rate = fields.Float(
        string="Rate (% per year)", digits=(6, 3), required=True, default=0.0
    )
    note = fields.Char(
        help="Source or status of the rate, e.g. 'derived: ECB 2.15 + 8; verify'."
    )
    active = fields.Boolean(default=True)

    _sql_constraints = [
        (
            "kind_date_from_unique",
            "UNIQUE(kind, date_from)",
            "There is already a rate of this kind starting on that date.",
        ),
    ]

    @api.depends("kind", "date_from", "rate")
    def _compute_display_name(self):
        kinds = dict(self._fields["kind"]._description_selection(self.env))
        for record in self:
            record.display_name = self.env._(
                "%(kind)s from %(date)s: %(rate)s %%",
                kind=kinds.get(record.kind, ""),
                date=record.date_from or "",
                rate=record.rate,
            )

    @api.constrains("rate")
    def _check_rate(self):
        for record in self:
            if not 0 <= record.rate < 100:
                raise ValidationError(
                    self.env._(
                        "An interest rate must be at least 0 and below 100 %% "
                        "per year, not %(rate)s.",
                        rate=record.rate,
                    )
                )

    # ------------------------------------------------------------------
    # Cache: the tables are read by every dunning run and letter, and
    # change twice a year at most.
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        self.env.registry.clear_cache()
        return records

    def write(self, vals):
        result = super().write(vals)
        self.env.registry.clear_cache()
        return result

    def unlink(self):
        result = super().unlink()
        self.env.registry.clear_cache()
        return result

    @api.model
    def _rates_for(self, kind):
        """The rate table of ``kind``: ``[(date_from, Decimal(rate))]``, ascending.

        The shape :func:`debiteur_dunning.legal.statutory_interest` takes.
        Only active rates count. One query the first time, none afterwards
        (the table is cached until a rate is created, changed or deleted).
        Raises UserError when no active rate of ``kind`` exists.
        """
        rates = self._rates_cached(kind)
        if not rates:
            kinds = dict(self._fields["kind"]._description_selection(self.env))
            raise UserError(
                self.env._(
                    'No interest rate is defined for "%(kind)s". Add the rates '
                    "under Accounting > Configuration > Interest Rates.",
                    kind=kinds.get(kind, kind),
                )
            )
        return list(rates)

    @api.model
    @tools.ormcache("kind")
    def _rates_cached(self, kind):
        records = self.with_context(active_test=True).search_fetch(
            [("kind", "=", kind)], ["date_from", "rate"], order="date_from"
        )
        return tuple(
            (record.date_from, Decimal(str(record.rate))) for record in records
        )
