"""Company settings of dunning: policies, costs, arrangements, cases, handoffs
and VAT relief."""

from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools.translate import LazyTranslate

_lt = LazyTranslate(__name__)

DEFAULT_POLICIES = [
    {
        "key": "business",
        "name": _lt("Dutch business debtors"),
        "debtor_type": "business",
    },
    {
        "key": "consumer",
        "name": _lt("Dutch consumers"),
        "debtor_type": "consumer",
    },
]

DEFAULT_LEVELS = [
    {
        "sequence": 10,
        "name": _lt("Payment reminder"),
        "delay_days": 7,
        "channel": "email",
        "intro": _lt(
            "<p>Our records show that the invoices below are past their due date. "
            "Perhaps this has slipped your attention. We kindly ask you to pay the "
            "open balance within 7 days.</p>"
        ),
        "closing": _lt(
            "<p>If you have already paid, please disregard this reminder. If you "
            "have a question about an invoice, please contact us.</p>"
        ),
    },
    {
        "sequence": 20,
        "name": _lt("Second reminder"),
        "delay_days": 21,
        "channel": "email",
        "intro": _lt(
            "<p>Despite our earlier reminder we have not yet received payment of the "
            "invoices below. We ask you to pay the open balance within 7 days.</p>"
        ),
        "closing": _lt(
            "<p>If you cannot pay the full amount at once, please contact us so we "
            "can agree on a payment arrangement.</p>"
        ),
    },
    {
        "sequence": 30,
        "name": _lt("Demand for payment"),
        "delay_days": 35,
        "channel": "email_letter",
        "intro": _lt(
            "<p>The invoices below remain unpaid after two reminders. We demand that "
            "you pay the open balance within 7 days.</p>"
        ),
        "closing": _lt(
            "<p>If we have not received payment by then, we will send you a formal "
            "notice, after which collection costs and interest will be charged.</p>"
        ),
    },
    {
        "sequence": 40,
        "name": _lt("Formal notice (14-day letter)"),
        "delay_days": 49,
        "channel": "email_letter",
        "is_legal_notice": True,
        "handoff_ready": True,
        "charge_costs": True,
        "charge_interest": True,
        "intro": _lt(
            "<p>You are in default of payment of the invoices below. We give you a "
            "last opportunity to pay the open balance within the term stated in "
            "this letter.</p>"
        ),
        "closing": _lt(
            "<p>If the balance has not been paid within that term, we will hand the "
            "claim over to a collection agency without further notice. The "
            "extrajudicial collection costs and the statutory interest will then be "
            "charged to you.</p>"
        ),
    },
]

LEVEL_TEXT_FIELDS = (
    ("name", "name"),
    ("letter_intro", "intro"),
    ("letter_closing", "closing"),
)

VAT_RELIEF_MODE_BY_COUNTRY = {"NL": "year", "BE": "manual"}

COSTS_PRODUCT_XMLID = "debiteur_dunning.product_debiteur_costs"

INTEREST_PRODUCT_XMLID = "debiteur_dunning.product_debiteur_interest"


class ResCompany(models.Model):
    _inherit = "res.company"

    # ----------------------------------------------------------------------
    # Dunning
    # ----------------------------------------------------------------------

    debiteur_policy_business_id = fields.Many2one(
        "debiteur.policy",
        string="Default Policy for Businesses",
        domain="[('company_id', '=', id)]",
    )
    debiteur_policy_consumer_id = fields.Many2one(
        "debiteur.policy",
        string="Default Policy for Consumers",
        domain="[('company_id', '=', id)]",
    )
    debiteur_user_id = fields.Many2one(
        "res.users",
        string="Default Credit Controller",
        help="Owner of dunning follow-ups (phone calls, cases) unless the debtor "
        "has its own.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        companies = super().create(vals_list)
        companies._debiteur_ensure_default_policies()
        return companies

    def _debiteur_ensure_default_policies(self):
        """Create the ready-made policies for companies that have none yet."""
        Policy = self.env["debiteur.policy"].sudo().with_context(active_test=False)
        for company in self:
            if Policy.search_count([("company_id", "=", company.id)], limit=1):
                continue
            for spec in DEFAULT_POLICIES:
                levels = [
                    fields.Command.create(
                        {
                            "sequence": lvl["sequence"],
                            "name": lvl["name"]._source,
                            "delay_days": lvl["delay_days"],
                            "channel": lvl["channel"],
                            "is_legal_notice": lvl.get("is_legal_notice", False),
                            "handoff_ready": lvl.get("handoff_ready", False),
                            "charge_costs": lvl.get("charge_costs", False),
                            "charge_interest": lvl.get("charge_interest", False),
                            "letter_intro": lvl["intro"]._source,
                            "letter_closing": lvl["closing"]._source,
                        }
                    )
                    for lvl in DEFAULT_LEVELS
                ]
                policy = Policy.with_context(lang="en_US").create(
                    {
                        "name": spec["name"]._source,
                        "company_id": company.id,
                        "jurisdiction": "nl",
                        "debtor_type": spec["debtor_type"],
                        "min_days_between": 7,
                        "interest_mode": "statutory",
                        "costs_mode": "statutory",
                        "level_ids": levels,
                    }
                )
                company.sudo()[f"debiteur_policy_{spec['key']}_id"] = policy
        installed = [code for code, _name in self.env["res.lang"].get_installed()]
        self._debiteur_translate_default_texts(installed)

    def _debiteur_translate_default_texts(self, langs):
        """Translate the ready-made policy texts into ``langs``.

        Only texts still equal to the shipped English text are touched, so what
        a user rewrote is never overwritten. Called at creation and whenever a
        language is loaded for this module.
        """
        langs = [lang for lang in langs if lang != "en_US"]
        if not langs:
            return
        policies = (
            self.env["debiteur.policy"]
            .sudo()
            .with_context(active_test=False, lang="en_US")
            .search([("company_id", "in", self.ids)])
        )
        policy_texts = {spec["name"]._source: spec["name"] for spec in DEFAULT_POLICIES}
        level_texts = {}
        for lvl in DEFAULT_LEVELS:
            for fname, key in LEVEL_TEXT_FIELDS:
                level_texts[(fname, lvl[key]._source)] = lvl[key]
        for lang in langs:
            env = self.env(context=dict(self.env.context, lang=lang))
            for policy in policies:
                if policy.name in policy_texts:
                    policy.update_field_translations(
                        "name", {lang: env._(policy_texts[policy.name])}
                    )
            for level in policies.level_ids:
                for fname, _key in LEVEL_TEXT_FIELDS:
                    source = level[fname] or ""
                    lazy = level_texts.get((fname, source))
                    if lazy:
                        level.update_field_translations(
                            fname,
                            {
                                lang: self._debiteur_translation(
                                    level._fields[fname], source, env._(lazy)
                                )
                            },
                        )

    @staticmethod
    def _debiteur_translation(field, source, translated):
        """The value ``update_field_translations`` expects for ``field``.

        Plain translated fields take the whole text; html fields are translated
        term by term (paragraph by paragraph), so map each source term to its
        translation.
        """
        if not callable(field.translate):
            return translated
        source_terms = field.get_trans_terms(source)
        translated_terms = field.get_trans_terms(translated)
        if len(source_terms) != len(translated_terms):
            return {}
        return dict(zip(source_terms, translated_terms, strict=True))

    def _debiteur_before_dunning(self, date):
        """Hook called before reminders are proposed for this company on
        ``date`` (the dunning wizard's preview, the scheduler): the place for
        work that changes what is due. Returns nothing.

        Payments first matches the payments that came in
        (``_debiteur_match_payments``, below)."""
        self.ensure_one()
        self._debiteur_match_payments(date)

    # ----------------------------------------------------------------------
    # VAT relief
    # ----------------------------------------------------------------------

    debiteur_vat_relief_mode = fields.Selection(
        [
            ("year", "One year after the due date (NL)"),
            ("days", "A number of days after the due date"),
            ("manual", "Only on manual confirmation with evidence (BE)"),
        ],
        string="VAT Relief Rule",
        compute="_compute_debiteur_vat_relief_mode",
        store=True,
        readonly=False,
        help="From when the VAT of an unpaid customer invoice may be reclaimed. "
        "Earlier relief is always possible on a manual confirmation with a "
        "reason and evidence.",
    )
    debiteur_vat_relief_delay_days = fields.Integer(
        string="VAT Relief Delay (days)",
        default=365,
        help="Days after the due date, for the rule 'a number of days'.",
    )
    debiteur_vat_relief_journal_id = fields.Many2one(
        "account.journal",
        string="VAT Relief Journal",
        domain="[('type', '=', 'general'), ('company_id', 'in', [id, False])]",
        help="Journal of the VAT relief, re-charge and write-off entries.",
    )
    debiteur_vat_relief_account_id = fields.Many2one(
        "account.account",
        string="VAT Relief Clearing Account",
        domain="[('account_type', 'in', ('liability_current', 'asset_current'))]",
        help="Holds the reclaimed VAT until the invoice is paid (re-charged) or "
        "written off.",
    )
    debiteur_vat_relief_expense_account_id = fields.Many2one(
        "account.account",
        string="Bad Debt Expense Account",
        domain="[('account_type', 'in', ('expense', 'expense_other'))]",
        help="Expense account of the final write-off of an uncollectible invoice.",
    )

    @api.depends("account_fiscal_country_id")
    def _compute_debiteur_vat_relief_mode(self):
        for company in self:
            code = company.account_fiscal_country_id.code
            company.debiteur_vat_relief_mode = VAT_RELIEF_MODE_BY_COUNTRY.get(
                code, "manual"
            )

    def _debiteur_vat_relief_eligible_date(self, due_date):
        """The date from which the VAT of an invoice due on ``due_date`` may be
        reclaimed without proof, or False when only a manual confirmation can."""
        self.ensure_one()
        if not due_date or self.debiteur_vat_relief_mode == "manual":
            return False
        if self.debiteur_vat_relief_mode == "year":
            return due_date + relativedelta(years=1)
        return due_date + timedelta(days=max(self.debiteur_vat_relief_delay_days, 0))

    def _debiteur_vat_lock_date(self):
        """The last locked day for VAT relief entries (tax lock date, or the
        fiscal lock date of the relief journal), or False."""
        self.ensure_one()
        locks = [
            self.user_tax_lock_date,
            self._get_user_fiscal_lock_date(self.debiteur_vat_relief_journal_id),
        ]
        locks = [day for day in locks if day]
        return max(locks) if locks else False

    def _debiteur_vat_relief_due_cutoff(self, today):
        """The latest due date of an invoice that may be eligible on ``today``
        (one day of slack for 29 February; the exact date is checked after)."""
        self.ensure_one()
        if self.debiteur_vat_relief_mode == "manual":
            return False
        if self.debiteur_vat_relief_mode == "year":
            return today - relativedelta(years=1) + timedelta(days=1)
        return today - timedelta(days=max(self.debiteur_vat_relief_delay_days, 0))

    def _debiteur_vat_relief_missing_config(self):
        """Labels of the settings this company still has to fill in."""
        self.ensure_one()
        missing = []
        if not self.debiteur_vat_relief_journal_id:
            missing.append(self.env._("VAT Relief Journal"))
        if not self.debiteur_vat_relief_account_id:
            missing.append(self.env._("VAT Relief Clearing Account"))
        return missing

    # ----------------------------------------------------------------------
    # Payment arrangements
    # ----------------------------------------------------------------------

    debiteur_arrangement_reminder_days = fields.Integer(
        string="Instalment Reminder (days before)",
        default=3,
        help="Send the debtor a friendly reminder this many days before each "
        "instalment. 0: no reminders.",
    )
    debiteur_arrangement_grace_days = fields.Integer(
        string="Instalment Grace Period (days)",
        default=3,
        help="An instalment not fully paid this many days after its date is late.",
    )
    debiteur_arrangement_break_days = fields.Integer(
        string="Arrangement Broken After (days)",
        default=14,
        help="An instalment still unpaid this many days after its date breaks "
        "the arrangement: its invoices go back into dunning.",
    )
    debiteur_arrangement_broken_notice = fields.Boolean(
        string="Notify Debtor of Broken Arrangement",
        default=True,
    )
    debiteur_arrangement_fee_product_id = fields.Many2one(
        "product.product",
        string="Arrangement Fee Product",
        help="Optional fee for an arrangement with a business debtor. Never "
        "charged to Dutch consumers (art. 6:96 BW).",
    )

    # ----------------------------------------------------------------------
    # Collection costs
    # ----------------------------------------------------------------------

    debiteur_costs_product_id = fields.Many2one(
        "product.product",
        string="Collection Costs Product",
        domain="[('type', '=', 'service'), '|', ('company_id', '=', False), "
        "('company_id', '=', id)]",
        help="Product of the collection-costs line of the costs invoices: its "
        "income account and, when VAT is charged on costs, its sale taxes.",
    )
    debiteur_interest_product_id = fields.Many2one(
        "product.product",
        string="Interest Product",
        domain="[('type', '=', 'service'), '|', ('company_id', '=', False), "
        "('company_id', '=', id)]",
        help="Product of the interest line of the costs invoices: its income "
        "account. Interest never carries VAT.",
    )

    def _debiteur_cost_products(self):
        """The (collection costs, interest) products of this company.

        The company's settings, or the products shipped with the module.
        """
        self.ensure_one()
        costs = self.debiteur_costs_product_id or self.env.ref(
            COSTS_PRODUCT_XMLID, raise_if_not_found=False
        )
        interest = self.debiteur_interest_product_id or self.env.ref(
            INTEREST_PRODUCT_XMLID, raise_if_not_found=False
        )
        return (
            costs or self.env["product.product"],
            interest or self.env["product.product"],
        )

    # ----------------------------------------------------------------------
    # Cases and cockpit figures
    # ----------------------------------------------------------------------

    debiteur_dso = fields.Float(
        string="DSO (days)",
        compute="_compute_debiteur_dso",
        digits=(16, 1),
        help="Days sales outstanding: open receivables / credit sales of the last "
        "365 days x 365.",
    )

    def _compute_debiteur_dso(self):
        Behaviour = self.env["debiteur.payment.behaviour"]
        for company in self:
            company.debiteur_dso = Behaviour._dso(company)[False]

    # ----------------------------------------------------------------------
    # Collection-agency handoff
    # ----------------------------------------------------------------------

    debiteur_handoff_commission_account_id = fields.Many2one(
        "account.account",
        string="Agency Commission Account",
        domain="[('account_type', 'in', ('expense', 'expense_direct_cost'))]",
        help="Expense account of the commission collection agencies keep.",
    )
    debiteur_handoff_commission_journal_id = fields.Many2one(
        "account.journal",
        string="Agency Commission Journal",
        domain="[('type', '=', 'general'), ('company_id', 'in', [id, False])]",
        help="Journal of the commission entries against the agency's payable.",
    )

    # ------------------------------------------------------------------
    # Retention (GDPR art. 5(1)(e); art. 52 AWR: 7 years)
    # ------------------------------------------------------------------
    debiteur_retention_years = fields.Integer(
        string="Retention of Letters and Dossiers (years)",
        default=7,
        help="Stored letters and collection dossier files are deleted this many "
        "years after the claim is closed; their SHA-256 and the records stay. "
        "Default 7 years: the Dutch fiscal retention period (art. 52 AWR).",
    )

    @api.constrains("debiteur_retention_years")
    def _check_debiteur_retention_years(self):
        for company in self:
            if company.debiteur_retention_years < 1:
                raise ValidationError(
                    self.env._(
                        "The retention period of letters and dossiers is at least "
                        "one year."
                    )
                )

    # ------------------------------------------------------------------
    # Debtor's page (the link in every reminder)
    # ------------------------------------------------------------------
    debiteur_page_link_days = fields.Integer(
        string="Debtor's Page Link Valid (days)",
        default=90,
        help="A debtor's page link stays valid this many days after the last "
        "reminder that carried it, and never once the claim is closed.",
    )
    debiteur_page_max_instalments = fields.Integer(
        string="Instalments a Debtor May Propose",
        default=6,
        help="The highest number of monthly instalments a debtor can propose on "
        "the debtor's page. 0: the page offers no payment arrangement.",
    )
    debiteur_page_auto_accept = fields.Boolean(
        string="Accept Proposed Arrangements at Once",
        help="An arrangement the debtor proposes within the limits below is "
        "agreed at once; any other proposal waits as a draft for the manager.",
    )
    debiteur_page_auto_max_instalments = fields.Integer(
        string="Accept up to (instalments)",
        default=3,
    )
    debiteur_page_auto_max_amount = fields.Monetary(
        string="Accept up to (amount)",
        currency_field="currency_id",
        default=2500.0,
    )
    debiteur_page_promise_days = fields.Integer(
        string="Promise to Pay Within (days)",
        default=14,
        help="The latest date a debtor can promise to pay by on the debtor's "
        "page, counted from today.",
    )

    @api.constrains(
        "debiteur_page_link_days",
        "debiteur_page_max_instalments",
        "debiteur_page_auto_max_instalments",
        "debiteur_page_promise_days",
    )
    def _check_debiteur_page_limits(self):
        for company in self:
            if (
                company.debiteur_page_link_days < 1
                or min(
                    company.debiteur_page_max_instalments,
                    company.debiteur_page_auto_max_instalments,
                    company.debiteur_page_promise_days,
                )
                < 0
            ):
                raise ValidationError(
                    self.env._(
                        "The debtor's page link is valid at least one day; its "
                        "limits cannot be negative."
                    )
                )

    # ----------------------------------------------------------------------
    # Payments first
    # ----------------------------------------------------------------------
    debiteur_auto_match = fields.Boolean(
        string="Reconcile Matched Payments Automatically",
        help="Before each preview and scheduler run, incoming bank statement lines "
        "are matched to open invoices. When set, a match that is exact and unique "
        "is reconciled at once; otherwise every match waits in Payments to Match.",
    )

    def _debiteur_match_payments(self, date):
        """Before reminders are proposed on ``date``: match the incoming
        payments to the open invoices (``debiteur.payment.match``), logged on
        the scheduler's run of the day when one is running."""
        self.ensure_one()
        run = (
            self.env["debiteur.run"]
            .sudo()
            .search(
                [
                    ("company_id", "=", self.id),
                    ("date", "=", date),
                    ("trigger", "=", "cron"),
                    ("state", "=", "running"),
                ],
                order="id desc",
                limit=1,
            )
        )
        self.env["debiteur.payment.match"]._debiteur_scan(self, date, run=run or None)
