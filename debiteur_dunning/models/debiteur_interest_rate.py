from decimal import Decimal

from odoo import api, fields, models, tools
from odoo.exceptions import UserError, ValidationError
from odoo.osv import expression

from ..legal import stale_rate_kinds

INTEREST_KINDS = [
    ("nl_consumer", "NL statutory interest (6:119 BW)"),
    ("nl_commercial", "NL commercial interest (6:119a BW)"),
    ("be_commercial", "BE commercial interest (law of 2 August 2002)"),
    ("be_legal", "BE legal interest rate"),
]
# A table is stale when its newest rate is more than six calendar months old
# (LEGAL.md); the Belgian legal rate is set per calendar year, so it gets
# twelve months: a January rate is not missing its successor in July.
STALE_MONTHS = 6
STALE_MONTHS_BY_KIND = {"be_legal": 12}


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
    is_stale = fields.Boolean(
        string="Stale",
        compute="_compute_is_stale",
        search="_search_is_stale",
        help="This is the newest rate of its kind and it is more than six "
        "months old (twelve for the yearly Belgian legal rate): a newer rate "
        "has probably been published. Add it.",
    )

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

    def _compute_is_stale(self):
        newest = {kind: day for kind, _label, day in self._stale_kinds()}
        for record in self:
            record.is_stale = bool(
                record.active and newest.get(record.kind) == record.date_from
            )

    def _search_is_stale(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Unsupported search on Stale."))
        domain = expression.OR(
            [("kind", "=", kind), ("date_from", "=", day)]
            for kind, _label, day in self._stale_kinds()
        )
        if (operator == "=") == value:
            return domain
        return ["!", *domain]

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

    # ------------------------------------------------------------------
    # Stale tables: a newer rate is probably published but missing.
    # ------------------------------------------------------------------
    @api.model
    def _stale_kinds(self, today=None):
        """The rate tables whose newest active rate is too old (LEGAL.md).

        Returns ``[(kind, label, newest date_from)]`` sorted by kind, for the
        kinds that have at least one active rate and whose newest one is more
        than six calendar months before ``today`` (default: today; twelve
        months for the yearly Belgian legal rate). One query.
        """
        today = fields.Date.to_date(today) or fields.Date.context_today(self)
        newest = dict(
            self.with_context(active_test=True)._read_group(
                [], ["kind"], ["date_from:max"]
            )
        )
        kinds = dict(self._fields["kind"]._description_selection(self.env))
        return [
            (kind, kinds.get(kind, kind), newest[kind])
            for kind in stale_rate_kinds(
                newest, today, STALE_MONTHS, months_by_kind=STALE_MONTHS_BY_KIND
            )
        ]

    @api.model
    def _stale_message(self, today=None, stale=None):
        """A sentence naming the stale tables (``stale``: a result of
        :meth:`_stale_kinds`, computed when not given), or False."""
        if stale is None:
            stale = self._stale_kinds(today)
        if not stale:
            return False
        kinds = dict(self._fields["kind"]._description_selection(self.env))
        tables = "; ".join(
            self.env._(
                "%(kind)s (newest from %(date)s)",
                kind=kinds.get(kind, label),
                date=tools.format_date(self.env, day),
            )
            for kind, label, day in stale
        )
        return self.env._(
            "These interest rate tables have no rate for the current period: "
            "%(tables)s. Add the newly published rates under Accounting > "
            "Configuration > Interest Rates; until then the last rate is "
            "carried forward.",
            tables=tables,
        )

    @api.model
    def _cron_stale_rates_activity(self):
        """Daily: a to-do for the dunning managers when a rate table is stale.

        One activity per company, on the company's partner, for the company's
        credit controller when they are a dunning manager, else for the first
        dunning manager of the company, in the company's language. Not
        created again while one is open.
        """
        stale = self._stale_kinds()
        if not stale:
            return
        activity_type = self.env.ref(
            "debiteur_dunning.mail_activity_type_stale_rates", raise_if_not_found=False
        )
        managers = self.env.ref("debiteur_dunning.group_debiteur_manager").users
        managers = managers.filtered(lambda user: user.active and not user.share)
        if not activity_type or not managers:
            return
        companies = self.env["res.company"].sudo().search([])
        Activity = self.env["mail.activity"].sudo()
        open_partner_ids = set(
            Activity.search(
                [
                    ("res_model", "=", "res.partner"),
                    ("res_id", "in", companies.partner_id.ids),
                    ("activity_type_id", "=", activity_type.id),
                ]
            ).mapped("res_id")
        )
        model_id = self.env["ir.model"]._get_id("res.partner")
        texts = {}  # per language: (summary, note)
        vals_list = []
        for company in companies:
            if company.partner_id.id in open_partner_ids:
                continue
            company_managers = managers.filtered(
                lambda user, c=company: c in user.company_ids
            )
            user = company.debiteur_user_id
            if user not in company_managers:
                user = company_managers.sorted("id")[:1]
            if not user:
                continue
            # In the company's language, like the rest of the addon's chatter.
            lang = company.partner_id.lang or user.lang
            if lang not in texts:
                texts[lang] = (
                    activity_type.with_context(lang=lang).summary,
                    self.with_context(lang=lang)._stale_message(stale=stale),
                )
            summary, note = texts[lang]
            vals_list.append(
                {
                    "res_model_id": model_id,
                    "res_id": company.partner_id.id,
                    "activity_type_id": activity_type.id,
                    "user_id": user.id,
                    "summary": summary,
                    "note": note,
                    "date_deadline": fields.Date.context_today(self),
                    "automated": True,
                }
            )
        if vals_list:
            Activity.create(vals_list)
