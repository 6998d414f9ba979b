"""The claim on each debtor: interest, collection costs, total, prescription.

As of today or the context's ``debiteur_as_of``, in the current company and its
currency. Set-based: one search of the open invoices, one claims computation
and one search of the reminders, whatever the number of debtors.
"""

from collections import defaultdict
from decimal import Decimal

from odoo import api, fields, models

from .debiteur_legal import _money, _quantize

USER_GROUP = "debiteur_dunning.group_debiteur_user"
COUNTED_STATES = ("queued", "sent", "printed")


class ResPartner(models.Model):
    _inherit = "res.partner"  # pylint: disable=consider-merging-classes-inherited

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
    def _debiteur_claim_figures(self, company, partners, as_of):
        """``{commercial partner id: {"interest", "costs", "open", "prescription"}}``.

        ``open`` is the overdue principal plus the open costs invoices; amounts
        are Decimals in the company currency. Interest and costs are less what
        ``account.move._debiteur_charges`` says was already charged.
        """
        if not partners:
            return {}
        currency = company.currency_id
        zero = _quantize(0, currency)
        moves = self.env["account.move"].search_fetch(
            [
                ("company_id", "=", company.id),
                ("commercial_partner_id", "in", partners.ids),
                ("move_type", "=", "out_invoice"),
                ("state", "=", "posted"),
                ("payment_state", "in", ("not_paid", "partial")),
                ("amount_residual", ">", 0),
            ],
            [
                "commercial_partner_id",
                "currency_id",
                "amount_residual",
                "amount_residual_signed",
                "invoice_date_due",
                "debiteur_level_id",
                "debiteur_is_cost_invoice",
            ],
        )
        if not moves:
            return {}
        partners = moves.commercial_partner_id.with_company(company).with_context(
            active_test=False
        )
        partners.fetch(["debiteur_policy_id", "debiteur_debtor_type", "lang"])
        policies = self.env["debiteur.engine"]._policy_by_partner(company, partners)
        comms = self._debiteur_claim_communications(company, partners)
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
        Claim = self.env["debiteur.claim"]
        claims = Claim._claims(company, claimed, as_of, policies=policies)
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
            for move_id, entry in Claim._invoice_claims(rest, as_of, policies).items()
            if move_id != "__error__"
        )
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
    def _debiteur_claim_communications(self, company, partners):
        """The debtors' reminders that count, newest first, per debtor."""
        comms = self.env["debiteur.communication"].search_fetch(
            [
                ("company_id", "=", company.id),
                ("partner_id", "in", partners.ids),
                ("state", "in", COUNTED_STATES),
            ],
            [
                "partner_id",
                "level_id",
                "legal_deadline",
                "costs_waived",
                "interest_waived",
            ],
            order="date desc, id desc",
        )
        comms.level_id.fetch(["charge_costs", "charge_interest"])
        result = defaultdict(lambda: self.env["debiteur.communication"])
        for comm in comms:
            result[comm.partner_id.id] |= comm
        return result

    @api.model
    def _debiteur_waived(self, comms, charge_field, waived_field):
        """True when the newest reminder charging this component waived it."""
        charging = comms.filtered(lambda c: c.level_id[charge_field])[:1]
        return bool(charging[waived_field])
