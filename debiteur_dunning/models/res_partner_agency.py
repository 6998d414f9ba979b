# pylint: disable=consider-merging-classes-inherited
from odoo import api, fields, models

AGENCY_TYPES = [
    ("incassobureau", "Collection agency"),
    ("deurwaarder", "Bailiff"),
    ("advocaat", "Lawyer"),
]


class ResPartner(models.Model):
    _inherit = "res.partner"

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
