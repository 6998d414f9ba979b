"""Debtors: policy, exclusion, claim figures, cases and collection agencies."""

from collections import defaultdict
from decimal import Decimal

from odoo import api, fields, models
from odoo.exceptions import AccessError

from .debiteur_claim_facts import MOVE_FIELDS as CLAIM_MOVE_FIELDS
from .debiteur_legal import _money, _quantize
from .debiteur_proof_mixin import GROUP_MANAGER, GROUP_USER

EXCLUSION_FIELDS = ("debiteur_excluded", "debiteur_exclusion_reason")

AGENCY_FIELDS = (
    "debiteur_agency_type",
    "debiteur_agency_commission",
    "debiteur_agency_fixed_fee",
    "debiteur_agency_export_format",
    "debiteur_agency_registration",
)

USER_GROUP = "debiteur_dunning.group_debiteur_user"

COUNTED_STATES = ("queued", "sent", "printed")

AGENCY_TYPES = [
    ("incassobureau", "Collection agency"),
    ("deurwaarder", "Bailiff"),
    ("advocaat", "Lawyer"),
]


class ResPartner(models.Model):
    _inherit = "res.partner"

    # ----------------------------------------------------------------------
    # Dunning
    # ----------------------------------------------------------------------

    debiteur_policy_id = fields.Many2one(
        "debiteur.policy",
        string="Dunning Policy",
        company_dependent=True,
        groups="base.group_user",
        help="Leave empty to use the company's default policy for this kind of debtor.",
    )
    debiteur_excluded = fields.Boolean(
        string="Excluded from Dunning",
        tracking=True,
        groups="base.group_user",
        help="No reminders at all for this debtor.",
    )
    debiteur_exclusion_reason = fields.Char(
        string="Exclusion Reason", tracking=True, groups=GROUP_USER
    )
    debiteur_debtor_type = fields.Selection(
        [("business", "Business"), ("consumer", "Consumer")],
        string="Debtor Type",
        compute="_compute_debiteur_debtor_type",
        store=True,
        readonly=False,
        recursive=True,
        help="Businesses and consumers get different legal treatment. Computed "
        "from the company type and the VAT number; you may correct it.",
    )
    debiteur_user_id = fields.Many2one(
        "res.users",
        string="Credit Controller",
        groups="base.group_user",
        help="Follows up this debtor; the company's default controller otherwise.",
    )
    debiteur_communication_ids = fields.One2many(
        "debiteur.communication", "partner_id", string="Reminders", readonly=True
    )
    debiteur_communication_count = fields.Integer(
        compute="_compute_debiteur_overdue", string="Reminder Count"
    )
    debiteur_overdue_amount = fields.Monetary(
        string="Overdue Amount",
        compute="_compute_debiteur_overdue",
        currency_field="debiteur_currency_id",
    )
    debiteur_currency_id = fields.Many2one(
        "res.currency", compute="_compute_debiteur_overdue"
    )
    debiteur_highest_level_id = fields.Many2one(
        "debiteur.level", string="Highest Level", compute="_compute_debiteur_overdue"
    )

    @api.model
    def _commercial_fields(self):
        return super()._commercial_fields() + [
            "debiteur_excluded",
            "debiteur_exclusion_reason",
            "debiteur_debtor_type",
            "debiteur_user_id",
        ]

    def _debiteur_hold_reasons(self, date, company):
        """``{debtor id: warning}`` for the debtors among ``self`` (the
        commercial partners the engine proposes for) whose reminders are held
        on ``date`` in ``company``: shown with the warning in the preview, not
        selectable there, not sent by the scheduler. A feature that must hold
        reminders back adds its reasons here.

        Payments first holds a debtor with a payment still to check
        (``_debiteur_payment_hold_reasons``, below).
        """
        return self._debiteur_payment_hold_reasons(date, company)

    # ------------------------------------------------------------------
    # Rights on the dunning fields
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            defaults = self.default_get(list(EXCLUSION_FIELDS + AGENCY_FIELDS))
            for vals in vals_list:
                changed = {
                    fname
                    for fname in EXCLUSION_FIELDS + AGENCY_FIELDS
                    if vals.get(fname) and vals[fname] != defaults.get(fname)
                }
                self._debiteur_check_field_rights(changed)
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su:
            vals = self._debiteur_write_protected(vals)
        return super().write(vals)

    def _debiteur_write_protected(self, vals):
        """Check the rights on the dunning fields in ``vals``; return the
        values left to write. A contact that takes over its company's
        exclusion (Odoo's sync of commercial fields) is no change of anyone's
        making: that part is written here, whoever the user."""
        restricted = [fname for fname in EXCLUSION_FIELDS if fname in vals]
        if restricted and not self.env.user.has_group(GROUP_USER):
            mirrored = all(
                partner.commercial_partner_id != partner
                and all(
                    partner.commercial_partner_id[fname] == vals[fname]
                    for fname in restricted
                )
                for partner in self
            )
            changed = {
                fname
                for fname in restricted
                for partner in self
                if partner[fname] != vals[fname]
            }
            if changed and not mirrored:
                self._debiteur_check_field_rights(changed)
            super(ResPartner, self.sudo()).write(
                {fname: vals[fname] for fname in restricted}
            )
            vals = {k: v for k, v in vals.items() if k not in restricted}
        agency = {
            fname
            for fname in AGENCY_FIELDS
            if fname in vals
            for partner in self
            if partner[fname] != vals[fname]
        }
        self._debiteur_check_field_rights(agency)
        return vals

    @api.model
    def _debiteur_check_field_rights(self, fnames):
        if not fnames:
            return
        user = self.env.user
        if set(fnames) & set(EXCLUSION_FIELDS) and not user.has_group(GROUP_USER):
            raise AccessError(
                self.env._("Only dunning users can exclude a debtor from dunning.")
            )
        if set(fnames) & set(AGENCY_FIELDS) and not user.has_group(GROUP_MANAGER):
            raise AccessError(
                self.env._(
                    "Only dunning managers can set up a partner as a collection agency."
                )
            )

    @api.depends("is_company", "vat", "parent_id.debiteur_debtor_type")
    def _compute_debiteur_debtor_type(self):
        for partner in self:
            if partner.parent_id:
                partner.debiteur_debtor_type = (
                    partner.parent_id.debiteur_debtor_type or "business"
                )
            elif partner.is_company or partner.vat:
                partner.debiteur_debtor_type = "business"
            else:
                partner.debiteur_debtor_type = "consumer"

    @api.depends_context("company")
    def _compute_debiteur_overdue(self):
        company = self.env.company
        today = fields.Date.context_today(self)
        commercial = self.commercial_partner_id
        groups = self.env["account.move"]._read_group(
            [
                ("company_id", "=", company.id),
                ("commercial_partner_id", "in", commercial.ids),
                ("move_type", "=", "out_invoice"),
                ("state", "=", "posted"),
                ("payment_state", "in", ("not_paid", "partial")),
                ("invoice_date_due", "<", today),
            ],
            ["commercial_partner_id"],
            ["amount_residual_signed:sum", "debiteur_level_id:array_agg"],
        )
        overdue = {p.id: (amount, levels) for p, amount, levels in groups}
        comm_counts = dict(
            self.env["debiteur.communication"]._read_group(
                [
                    ("company_id", "=", company.id),
                    ("partner_id", "in", commercial.ids),
                    ("state", "!=", "cancelled"),
                ],
                ["partner_id"],
                ["__count"],
            )
        )
        all_level_ids = {
            lid for _amount, lids in overdue.values() for lid in lids if lid
        }
        levels = self.env["debiteur.level"].browse(all_level_ids)
        for partner in self:
            amount, level_ids = overdue.get(partner.commercial_partner_id.id, (0.0, []))
            partner.debiteur_currency_id = company.currency_id
            partner.debiteur_overdue_amount = amount
            partner.debiteur_communication_count = comm_counts.get(
                partner.commercial_partner_id, 0
            )
            mine = levels.filtered(lambda lvl, ids=set(level_ids): lvl.id in ids)
            partner.debiteur_highest_level_id = mine.sorted(
                lambda lvl: (lvl.sequence, lvl.delay_days)
            )[-1:]

    def action_debiteur_view_communications(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "debiteur_dunning.action_debiteur_communication"
        )
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        return action

    def action_debiteur_open_wizard(self):
        """Dunning wizard for the selected customers (customer list button)."""
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Dunning"),
            "res_model": "debiteur.dunning.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {
                "default_partner_ids": self.commercial_partner_id.ids,
            },
        }

    # ----------------------------------------------------------------------
    # The claim: interest, costs, charges
    # The claim on each debtor: interest, collection costs, total, prescription.
    #
    # As of today or the context's ``debiteur_as_of``, in the current company and its
    # currency. Set-based: one search of the open invoices, one claims computation
    # and one search of the reminders, whatever the number of debtors.
    # ----------------------------------------------------------------------

    debiteur_interest_due = fields.Monetary(
        string="Interest Due",
        compute="_compute_debiteur_claim",
        currency_field="debiteur_currency_id",
        groups=USER_GROUP,
        help="Interest on the overdue invoices up to today (or the chosen date), "
        "less what was already invoiced (costs invoices of reminders, charges "
        "of payment arrangements); nothing once waived.",
    )
    debiteur_costs_due = fields.Monetary(
        string="Collection Costs Due",
        compute="_compute_debiteur_claim",
        currency_field="debiteur_currency_id",
        groups=USER_GROUP,
        help="The collection costs the law allows today on the overdue principal, "
        "under the debtor's policy and highest level reached, less what was "
        "already invoiced (costs invoices of reminders, charges of payment "
        "arrangements) or waived: collection costs are claimed once. For a "
        "Dutch consumer only after the term of a formal notice has passed.",
    )
    debiteur_claim_total = fields.Monetary(
        string="Total Claim",
        compute="_compute_debiteur_claim",
        currency_field="debiteur_currency_id",
        groups=USER_GROUP,
        help="Overdue invoices, open costs invoices, interest due and collection "
        "costs due.",
    )
    debiteur_next_prescription_date = fields.Date(
        string="Next Prescription Date",
        compute="_compute_debiteur_claim",
        groups=USER_GROUP,
        help="The earliest prescription date among the open invoices.",
    )

    @api.depends_context("debiteur_as_of", "company")
    def _compute_debiteur_claim(self):
        company = self.env.company
        currency = company.currency_id
        as_of = self.env["account.move"]._debiteur_as_of()
        commercial = self._origin.commercial_partner_id
        figures = self._debiteur_claim_figures(company, commercial, as_of)
        for partner in self:
            values = figures.get(partner._origin.commercial_partner_id.id, {})
            interest = values.get("interest", Decimal(0))
            costs = values.get("costs", Decimal(0))
            partner.debiteur_interest_due = float(interest)
            partner.debiteur_costs_due = float(costs)
            partner.debiteur_claim_total = currency.round(
                float(values.get("open", Decimal(0)) + interest + costs)
            )
            partner.debiteur_next_prescription_date = values.get("prescription", False)

    @api.model
    def _debiteur_claim_figures(
        self, company, partners, as_of, moves=None, credits=None, facts=None
    ):
        """``{commercial partner id: {"interest", "costs", "open", "prescription"}}``.

        ``open`` is the overdue principal plus the open costs invoices; amounts
        are Decimals in the company currency. Interest and costs are less what
        ``account.move._debiteur_charges`` says was already charged.

        A caller that has already read the debtors' open invoices (``moves``,
        with the fields of :meth:`_debiteur_claim_move_fields`) or their open
        credits (``credits``, as ``debiteur.claim._claims`` takes them) passes
        them instead of having them read again (the debtor's page), and so
        the facts of the claim (``debiteur.claim.ClaimFacts`` of these
        invoices, read with these debtors). A fixed number of queries.
        """
        if not partners:
            return {}
        currency = company.currency_id
        zero = _quantize(0, currency)
        if moves is None:
            moves = self.env["account.move"].search_fetch(
                [
                    ("company_id", "=", company.id),
                    ("commercial_partner_id", "in", partners.ids),
                    ("move_type", "=", "out_invoice"),
                    ("state", "=", "posted"),
                    ("payment_state", "in", ("not_paid", "partial")),
                    ("amount_residual", ">", 0),
                ],
                self._debiteur_claim_move_fields(),
            )
        if not moves:
            return {}
        partners = moves.commercial_partner_id.with_company(company).with_context(
            active_test=False
        )
        partners.fetch(["debiteur_policy_id", "debiteur_debtor_type", "lang"])
        Claim = self.env["debiteur.claim"]
        policies = Claim._policies(company, partners)
        if facts is None:
            facts = Claim._facts(company, moves, partners)
        Comm = self.env["debiteur.communication"]

        by_partner = defaultdict(lambda: self.env["account.move"])
        for move in moves:
            by_partner[move.commercial_partner_id.id] |= move
        # The claim: the overdue invoices and the open costs invoices.
        claimed = {
            partner.id: by_partner[partner.id].filtered(
                lambda m: m.debiteur_is_cost_invoice or m.invoice_date_due < as_of
            )
            for partner in partners
        }
        claims = Claim._claims(
            company, claimed, as_of, policies=policies, credits=credits, facts=facts
        )
        # The prescription date of every open invoice: the claim's have one,
        # the others (not yet due, costs invoices) are read once more.
        prescriptions = {
            move_id: entry["prescription_date"]
            for claim in claims.values()
            for move_id, entry in claim.invoices.items()
        }
        rest = moves.filtered(lambda m: m.id not in prescriptions)
        prescriptions.update(
            (move_id, entry["prescription_date"])
            for move_id, entry in Claim._invoice_claims(
                rest, as_of, policies, facts=facts
            ).items()
            if move_id != "__error__"
        )
        comms = self._debiteur_claim_communications(partners, facts)
        result = {}
        for partner in partners:
            claim = claims.get(partner.id)
            partner_comms = comms.get(partner.id, Comm)
            cost_moves = by_partner[partner.id].filtered("debiteur_is_cost_invoice")
            interest = costs = principal = zero
            if claim:
                principal = claim.principal
                interest = claim.interest
                costs = claim.costs
            if self._debiteur_waived(
                partner_comms, "charge_interest", "interest_waived"
            ):
                interest = zero
            if self._debiteur_waived(partner_comms, "charge_costs", "costs_waived"):
                costs = zero
            open_costs_invoices = sum(
                (_money(m.amount_residual_signed, currency) for m in cost_moves),
                Decimal(0),
            )
            result[partner.id] = {
                "interest": max(_quantize(interest, currency), zero),
                "costs": max(_quantize(costs, currency), zero),
                "open": _quantize(principal + open_costs_invoices, currency),
                "prescription": min(
                    (
                        prescriptions[m.id]
                        for m in by_partner[partner.id]
                        if m.id in prescriptions
                    ),
                    default=False,
                ),
            }
        return result

    @api.model
    def _debiteur_claim_move_fields(self):
        return list(CLAIM_MOVE_FIELDS)

    @api.model
    def _debiteur_claim_communications(self, partners, facts):
        """The debtors' reminders that count, newest first, per debtor (of
        the claim's facts, read with the debtors)."""
        result = defaultdict(lambda: self.env["debiteur.communication"])
        ids = set(partners.ids)
        for comm in facts.comms:
            if comm.partner_id.id in ids and comm.state in COUNTED_STATES:
                result[comm.partner_id.id] |= comm
        return result

    @api.model
    def _debiteur_waived(self, comms, charge_field, waived_field):
        """True when the newest reminder charging this component waived it."""
        charging = comms.filtered(lambda c: c.level_id[charge_field])[:1]
        return bool(charging[waived_field])

    # ----------------------------------------------------------------------
    # Cases and cockpit figures
    # ----------------------------------------------------------------------

    debiteur_case_ids = fields.One2many(
        "debiteur.case", "partner_id", string="Debtor Cases", readonly=True
    )
    debiteur_case_count = fields.Integer(
        string="Debtor Case Count", compute="_compute_debiteur_case_count"
    )
    debiteur_dso = fields.Float(
        string="DSO (days)",
        compute="_compute_debiteur_behaviour",
        groups="base.group_user",
        digits=(16, 1),
        help="Days sales outstanding: open receivables / credit sales of the last "
        "365 days x 365.",
    )
    debiteur_avg_days_late = fields.Float(
        string="Average Days Late",
        compute="_compute_debiteur_behaviour",
        groups="base.group_user",
        digits=(16, 1),
        help="Invoices paid in the last 12 months: payment date minus due date, "
        "weighted by amount.",
    )
    debiteur_days_late_trend = fields.Float(
        string="Payment Trend (days)",
        compute="_compute_debiteur_behaviour",
        groups="base.group_user",
        digits=(16, 1),
        help="Average days late of the last 6 months minus that of the 6 months "
        "before: above zero, the debtor pays later than before.",
    )
    debiteur_has_days_late_trend = fields.Boolean(
        string="Has a Trend",
        compute="_compute_debiteur_behaviour",
        groups="base.group_user",
        help="Both half-years have a paid invoice: without one, no trend shows.",
    )

    @api.depends_context("company")
    def _compute_debiteur_behaviour(self):
        figures = self.env["debiteur.payment.behaviour"]._figures(
            self.env.company, self.commercial_partner_id
        )
        for partner in self:
            values = figures[partner.commercial_partner_id.id]
            partner.debiteur_dso = values["dso"]
            partner.debiteur_avg_days_late = values["avg_days_late"]
            partner.debiteur_days_late_trend = values["days_late_trend"]
            partner.debiteur_has_days_late_trend = values["has_days_late_trend"]

    def _compute_debiteur_case_count(self):
        counts = dict(
            self.env["debiteur.case"]._read_group(
                [("partner_id", "in", self.commercial_partner_id.ids)],
                ["partner_id"],
                ["__count"],
            )
        )
        for partner in self:
            partner.debiteur_case_count = counts.get(partner.commercial_partner_id, 0)

    def action_debiteur_view_cases(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "debiteur_dunning.action_debiteur_case"
        )
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {}
        return action

    @api.model
    def _debiteur_after_reminders(self, communications):
        """Hook called once ``communications`` were sent (queued, printed or
        scheduled as calls): the debtors' cases follow what was sent (a case
        is bookkeeping derived from the facts, whoever sends)."""
        Sync = self.env["debiteur.case.sync"].sudo()
        for company in communications.company_id:
            Sync._sync_partners(
                communications.filtered(
                    lambda c, co=company: c.company_id == co
                ).partner_id,
                company,
            )

    # ----------------------------------------------------------------------
    # Collection agency
    # ----------------------------------------------------------------------

    debiteur_agency_type = fields.Selection(
        AGENCY_TYPES,
        string="Collection Agency Type",
        help="Set to make this partner a collection agency debtors can be handed "
        "off to.",
    )
    debiteur_agency_commission = fields.Float(
        string="Agency Commission (%)",
        digits=(5, 2),
        help="Percentage of the amount collected the agency keeps.",
    )
    debiteur_agency_fixed_fee = fields.Float(
        string="Agency Fixed Fee",
        digits="Account",
        help="Fixed fee per handoff, in the company currency.",
    )
    debiteur_agency_export_format = fields.Selection(
        [("xml", "XML"), ("csv", "CSV"), ("pdf", "PDF")],
        string="Preferred Dossier Format",
        default="xml",
    )
    debiteur_agency_registration = fields.Char(
        string="Registration Number",
        help="Number in the Register incassodienstverlening (Wet kwaliteit "
        "incassodienstverlening): required to collect from consumers.",
    )
    debiteur_handoff_candidate = fields.Boolean(
        string="Collection Candidate",
        compute="_compute_debiteur_handoff_candidate",
        search="_search_debiteur_handoff_candidate",
        help="Has overdue invoices that reached a level ready for a collection "
        "agency and are not handed off yet.",
    )

    _sql_constraints = [
        (
            "debiteur_agency_commission_range",
            "CHECK(debiteur_agency_commission >= 0 "
            "AND debiteur_agency_commission <= 100)",
            "The agency commission is a percentage between 0 and 100.",
        ),
        (
            "debiteur_agency_fee_positive",
            "CHECK(debiteur_agency_fixed_fee >= 0)",
            "The agency fixed fee cannot be negative.",
        ),
    ]

    @api.model
    def _debiteur_handoff_candidate_domain(self, company=None, today=None):
        """Invoices that make their debtor a collection-agency candidate: overdue
        at a level ready for collection whose legal term has ended, not with an
        agency, not under an active
        arrangement and not blocked (disputed, on hold, or left unpaid by an
        agency). The follow-up case's Ready for Collection Agency stage uses it.
        """
        company = company or self.env.company
        today = today or fields.Date.context_today(self)
        return [
            ("company_id", "=", company.id),
            ("move_type", "=", "out_invoice"),
            ("state", "=", "posted"),
            ("payment_state", "in", ("not_paid", "partial")),
            ("amount_residual", ">", 0),
            ("invoice_date_due", "<", today),
            ("debiteur_level_id.handoff_ready", "=", True),
            # The legal term of a reminder must have ended: it runs from the
            # day the reminder really left (a draft or a queued one has not).
            (
                "debiteur_communication_line_ids",
                "not any",
                [
                    ("state", "!=", "cancelled"),
                    ("communication_id.legal_deadline", "!=", False),
                    "|",
                    ("state", "in", ("draft", "queued")),
                    ("communication_id.legal_deadline", ">=", today),
                ],
            ),
            ("debiteur_handoff_id", "=", False),
            ("debiteur_arrangement_id", "=", False),
            "|",
            ("debiteur_blocked", "=", False),
            ("debiteur_block_until", "<=", today),
        ]

    @api.depends_context("company")
    def _compute_debiteur_handoff_candidate(self):
        groups = self.env["account.move"]._read_group(
            self._debiteur_handoff_candidate_domain()
            + [("commercial_partner_id", "in", self.commercial_partner_id.ids)],
            ["commercial_partner_id"],
        )
        candidates = {partner.id for (partner,) in groups}
        for partner in self:
            partner.debiteur_handoff_candidate = (
                partner.commercial_partner_id.id in candidates
            )

    def _search_debiteur_handoff_candidate(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            return NotImplemented
        groups = self.env["account.move"]._read_group(
            self._debiteur_handoff_candidate_domain(), ["commercial_partner_id"]
        )
        ids = [partner.id for (partner,) in groups]
        positive = (operator == "=") == value
        return [("id", "in" if positive else "not in", ids)]

    def action_debiteur_handoff(self):
        """Open the handoff wizard for the selected debtors."""
        return self.env["debiteur.handoff.wizard"]._action_open(
            partners=self.commercial_partner_id
        )

    # ----------------------------------------------------------------------
    # Payments first
    # ----------------------------------------------------------------------

    def _debiteur_payment_hold_reasons(self, date, company):
        """``{debtor id: warning}`` for the debtors among ``self`` with an
        incoming payment still to check: their reminder waits."""
        return self.env["debiteur.payment.match"]._debiteur_hold_reasons(
            self, company, date
        )
