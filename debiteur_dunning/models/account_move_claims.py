"""The claim of each customer invoice: interest due, total, prescription date.

Shown as of today, or as of any date put in the context as ``debiteur_as_of``
(``invoices.with_context(debiteur_as_of="2026-09-01")``). Never stored: they
depend on the day.

Also the one answer to "which collection costs and interest of this claim were
already charged" (:meth:`AccountMove._debiteur_charges`): the engine's
proposal and letter, the costs invoice of a reminder, the arrangement wizard,
the debtor's claim figures and the collection dossier all deduct it.
"""

from collections import defaultdict
from decimal import Decimal

from odoo import api, fields, models

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
            # No interest on a costs invoice: ``_invoice_claims`` gives it none.
            interest = claim["interest"]
            move.debiteur_interest_due = float(interest)
            move.debiteur_claim_total = move.currency_id.round(
                move.amount_residual + float(interest)
            )
            move.debiteur_prescription_date = claim["prescription_date"]

    @api.model
    def _debiteur_claims(self, invoices, as_of, policy_by_partner=None):
        """The claim of each invoice (``debiteur.claim._invoice_claims``):
        one call for all of them, that does not fail a whole screen."""
        claims = self.env["debiteur.claim"]._invoice_claims(
            invoices, as_of, policy_by_partner
        )
        claims.pop("__error__", None)
        missing = invoices.filtered(lambda m: m.id not in claims)
        if missing:
            # No interest without rates, but a prescription date all the same.
            claims.update(
                self.env["debiteur.legal"]._invoice_claims(missing, as_of, {})
            )
        return claims

    @api.model
    def _debiteur_charges(self, company, moves, exclude_communications=None):
        """What of the claims on ``moves`` was already charged, per debtor.

        The one place that answers it: collection costs are claimed once per
        claim (WIK, art. 6:96 BW; the Belgian compensation and damages alike)
        and interest already invoiced is not claimed again.

        ``moves``: the invoices of the claims (of ``company``: only its
        reminders and arrangements are searched), the principal
        invoices and the costs invoices (``debiteur_is_cost_invoice``) listed
        with them. Counted, for each debtor:

        - every costs invoice that charges costs or interest of the claim, while
          it stands (posted, neither cancelled nor reversed): the costs invoice
          of a reminder that listed one of the principal invoices, the charges
          invoice of a payment arrangement that covered one, and any costs
          invoice in ``moves``. Its costs are untaxed and include an
          arrangement fee.
        - what was waived on a reminder of the claim (``waived_costs_amount``,
          ``waived_interest_amount``), its costs invoice reversed by the waiver
          or never made: a waiver is a choice, not a reset, so the statutory
          costs it gave up do not become claimable again. A costs invoice
          cancelled or credited without a waiver is a correction: it counts
          no more.

        ``exclude_communications``: reminders left out (the one being invoiced).

        Returns ``{commercial partner id: {"costs", "interest" (Decimals, company
        currency: everything charged, waived included), "waived_costs",
        "waived_interest" (the waived part of them), "moves" (the standing
        costs invoices), "by_move" ({move id: {"interest", "costs", "origins"}}
        in the move's currency)}}``; a debtor with nothing charged is left
        out (see :meth:`_debiteur_no_charges`). Two searches, whatever the
        number of debtors.
        """
        if not moves:
            return {}
        currency = company.currency_id
        cost_moves = moves.filtered("debiteur_is_cost_invoice")
        principal_moves = moves - cost_moves
        excluded = exclude_communications.ids if exclude_communications else []
        comms = self.env["debiteur.communication"].search(
            [
                ("company_id", "=", company.id),
                ("id", "not in", excluded),
                "|",
                "|",
                ("cost_move_id", "!=", False),
                ("costs_waived", "=", True),
                ("interest_waived", "=", True),
                "|",
                ("invoice_line_ids.move_id", "in", principal_moves.ids),
                ("cost_move_id", "in", cost_moves.ids),
            ],
            order="id",
        )
        arrangements = self.env["debiteur.arrangement"].search(
            [
                ("company_id", "=", company.id),
                ("claims_move_id", "!=", False),
                "|",
                ("invoice_ids.move_id", "in", principal_moves.ids),
                ("claims_move_id", "in", cost_moves.ids),
            ],
            order="id",
        )
        comms.fetch(
            [
                "partner_id",
                "name",
                "cost_move_id",
                "invoiced_costs_amount",
                "invoiced_interest_amount",
                "costs_waived",
                "interest_waived",
                "waived_costs_amount",
                "waived_interest_amount",
            ]
        )
        arrangements.fetch(
            [
                "partner_id",
                "name",
                "claims_move_id",
                "claims_mode",
                "interest_amount",
                "costs_amount",
                "fee_amount",
            ]
        )
        (comms.cost_move_id | arrangements.claims_move_id).fetch(
            [
                "state",
                "payment_state",
                "currency_id",
                "amount_total",
                "amount_total_signed",
            ]
        )
        result = defaultdict(self._debiteur_no_charges)

        def standing(move):
            return move.state == "posted" and move.payment_state != "reversed"

        def add(debtor, move, interest, costs, origin):
            charges = result[debtor.commercial_partner_id.id]
            charges["moves"] |= move
            entry = charges["by_move"].setdefault(
                move.id, {"interest": 0.0, "costs": 0.0, "origins": []}
            )
            entry["interest"] += interest
            entry["costs"] += costs
            entry["origins"].append(origin)

        for comm in comms:
            move = comm.cost_move_id
            invoiced_costs = invoiced_interest = 0.0
            if move and standing(move):
                invoiced_costs = comm.invoiced_costs_amount
                invoiced_interest = comm.invoiced_interest_amount
                add(comm.partner_id, move, invoiced_interest, invoiced_costs, comm.name)
            # What was waived beyond what a standing invoice still holds.
            charges = result[comm.partner_id.commercial_partner_id.id]
            if comm.costs_waived:
                waived = max(comm.waived_costs_amount - invoiced_costs, 0.0)
                charges["waived_costs"] += _money(waived, currency)
            if comm.interest_waived:
                waived = max(comm.waived_interest_amount - invoiced_interest, 0.0)
                charges["waived_interest"] += _money(waived, currency)
        for arrangement in arrangements:
            move = arrangement.claims_move_id
            if not standing(move):
                continue
            included = arrangement.claims_mode == "include"
            add(
                arrangement.partner_id,
                move,
                arrangement.interest_amount if included else 0.0,
                (arrangement.costs_amount if included else 0.0)
                + arrangement.fee_amount,
                arrangement.name,
            )
        for charges in result.values():
            interest = charges["waived_interest"]
            costs = charges["waived_costs"]
            for move in charges["moves"]:
                entry = charges["by_move"][move.id]
                rate = (
                    Decimal(str(move.amount_total_signed))
                    / Decimal(str(move.amount_total))
                    if move.amount_total
                    else Decimal(1)
                )
                interest += _quantize(
                    _money(entry["interest"], move.currency_id) * rate, currency
                )
                costs += _quantize(
                    _money(entry["costs"], move.currency_id) * rate, currency
                )
            charges["interest"] = interest
            charges["costs"] = costs
        return {
            debtor: charges
            for debtor, charges in result.items()
            if charges["costs"] > 0 or charges["interest"] > 0 or charges["moves"]
        }

    @api.model
    def _debiteur_no_charges(self):
        """The value of :meth:`_debiteur_charges` for a debtor with nothing
        charged."""
        return {
            "costs": Decimal(0),
            "interest": Decimal(0),
            "waived_costs": Decimal(0),
            "waived_interest": Decimal(0),
            "moves": self.env["account.move"],
            "by_move": {},
        }
