"""The claim of each customer invoice: interest due, total, prescription date.

Shown as of today, or as of any date put in the context as ``debiteur_as_of``
(``invoices.with_context(debiteur_as_of="2026-09-01")``). Never stored: they
depend on the day.
"""

from decimal import Decimal

from odoo import api, fields, models
from odoo.exceptions import UserError

from .debiteur_legal import _money, _quantize

USER_GROUP = "debiteur_dunning.group_debiteur_user"


class AccountMove(models.Model):
    _inherit = "account.move"  # pylint: disable=consider-merging-classes-inherited

    debiteur_interest_due = fields.Monetary(
        string="Interest Due",
        compute="_compute_debiteur_claim",
        currency_field="currency_id",
        groups=USER_GROUP,
        help="Interest on the open amount from the day after the due date up to "
        "today (or the chosen date), under the debtor's dunning policy.",
    )
    debiteur_claim_total = fields.Monetary(
        string="Total Claim",
        compute="_compute_debiteur_claim",
        currency_field="currency_id",
        groups=USER_GROUP,
        help="Open amount plus interest due.",
    )
    debiteur_prescription_date = fields.Date(
        string="Prescription Date",
        compute="_compute_debiteur_claim",
        groups=USER_GROUP,
        help="Last day to enforce the claim: 5 years after the due date (2 for a "
        "consumer sale), restarted by every written reminder sent.",
    )
    debiteur_cost_communication_ids = fields.One2many(
        "debiteur.communication",
        "cost_move_id",
        string="Costs of Reminder",
        readonly=True,
        groups=USER_GROUP,
    )
    debiteur_claims_arrangement_ids = fields.One2many(
        "debiteur.arrangement",
        "claims_move_id",
        string="Charges of Arrangement",
        readonly=True,
        groups=USER_GROUP,
    )
    debiteur_is_cost_invoice = fields.Boolean(
        string="Costs Invoice",
        compute="_compute_debiteur_is_cost_invoice",
        store=True,
        index=True,
        help="This invoice charges the collection costs and interest of a "
        "reminder, or the interest, costs and fee of a payment arrangement: no "
        "further costs or interest are computed on it, and it is no principal.",
    )

    @api.depends("debiteur_cost_communication_ids", "debiteur_claims_arrangement_ids")
    def _compute_debiteur_is_cost_invoice(self):
        for move in self:
            sudo_move = move.sudo()
            move.debiteur_is_cost_invoice = bool(
                sudo_move.debiteur_cost_communication_ids
                or sudo_move.debiteur_claims_arrangement_ids
            )

    @api.model
    def _debiteur_as_of(self):
        """The date the claims are computed for: the context's, or today."""
        as_of = self.env.context.get("debiteur_as_of")
        return fields.Date.to_date(as_of) if as_of else fields.Date.context_today(self)

    @api.depends(
        "move_type",
        "state",
        "amount_residual",
        "invoice_date_due",
        "commercial_partner_id",
        "debiteur_communication_line_ids.state",
        "debiteur_communication_line_ids.communication_id.sent_date",
    )
    @api.depends_context("debiteur_as_of", "company")
    def _compute_debiteur_claim(self):
        as_of = self._debiteur_as_of()
        invoices = self.filtered(
            lambda m: m.move_type == "out_invoice" and m.state == "posted"
        )._origin
        claims = self._debiteur_claims(invoices, as_of)
        for move in self:
            claim = claims.get(move._origin.id)
            is_open = move.currency_id.compare_amounts(move.amount_residual, 0.0) > 0
            if not claim or not is_open:
                move.debiteur_interest_due = 0.0
                move.debiteur_claim_total = 0.0
                move.debiteur_prescription_date = False
                continue
            interest = 0.0 if move.debiteur_is_cost_invoice else claim["interest"]
            move.debiteur_interest_due = float(interest)
            move.debiteur_claim_total = move.currency_id.round(
                move.amount_residual + float(interest)
            )
            move.debiteur_prescription_date = claim["prescription_date"]

    @api.model
    def _debiteur_claims(self, invoices, as_of, policy_by_partner=None):
        """``debiteur.legal._invoice_claims`` that does not fail a whole screen.

        One call for all invoices; when a rate table does not reach back far
        enough (a UserError), the invoices are taken one by one and those that
        fail get no interest (their prescription date is still computed).
        """
        if not invoices:
            return {}
        Legal = self.env["debiteur.legal"]
        try:
            return Legal._invoice_claims(invoices, as_of, policy_by_partner)
        except UserError:
            claims = {}
            for invoice in invoices:
                try:
                    claims.update(
                        Legal._invoice_claims(invoice, as_of, policy_by_partner)
                    )
                except UserError:
                    claims.update(Legal._invoice_claims(invoice, as_of, {}))
            return claims

    def _debiteur_company_amount(self, amount):
        """``amount`` in this invoice's currency as a Decimal in the company's.

        At the invoice's own rate (open amount in company currency over open
        amount), as the engine converts interest.
        """
        self.ensure_one()
        company_currency = self.company_id.currency_id
        if self.currency_id == company_currency or not self.amount_residual:
            return _money(amount, company_currency)
        rate = Decimal(str(self.amount_residual_signed)) / Decimal(
            str(self.amount_residual)
        )
        return _quantize(Decimal(amount) * rate, company_currency)
