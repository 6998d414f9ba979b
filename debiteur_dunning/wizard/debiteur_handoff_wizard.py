from odoo import api, fields, models
from odoo.exceptions import UserError

from ..models.debiteur_handoff import STATES, STATUS_UPDATES


class DebiteurHandoffWizard(models.TransientModel):
    """Hand one or more debtors off to a collection agency."""

    _name = "debiteur.handoff.wizard"
    _description = "Hand Off to Collection Agency"
    _check_company_auto = True

    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    date = fields.Date(
        string="Handoff Date", required=True, default=fields.Date.context_today
    )
    partner_ids = fields.Many2many("res.partner", string="Debtors")
    agency_id = fields.Many2one(
        "res.partner",
        string="Collection Agency",
        required=True,
        domain=[("debiteur_agency_type", "!=", False)],
    )
    move_ids = fields.Many2many(
        "account.move",
        string="Invoices",
        compute="_compute_move_ids",
        store=True,
        readonly=False,
        check_company=True,
    )
    amount_open = fields.Monetary(
        string="Open Amount", currency_field="currency_id", compute="_compute_review"
    )
    warning = fields.Text(compute="_compute_review")
    needs_confirmation = fields.Boolean(compute="_compute_review")
    reason = fields.Text(
        help="Required when a debtor has an active arrangement or a disputed "
        "invoice: why it is handed off anyway."
    )
    agency_has_email = fields.Boolean(compute="_compute_review")
    send_email = fields.Boolean(
        string="E-mail the Dossier to the Agency",
        default=True,
        help="Without it (or without an agency e-mail address) the dossier is "
        "only available for download.",
    )

    @api.model
    def _eligible_domain(self, company, partners, date):
        return [
            ("company_id", "=", company.id),
            ("commercial_partner_id", "in", partners.commercial_partner_id.ids),
            ("move_type", "=", "out_invoice"),
            ("state", "=", "posted"),
            ("payment_state", "in", ("not_paid", "partial")),
            ("amount_residual", ">", 0),
            ("invoice_date_due", "<", date),
            ("debiteur_handoff_id", "=", False),
        ]

    @api.depends("partner_ids", "company_id", "date")
    def _compute_move_ids(self):
        for wizard in self:
            if not wizard.partner_ids or not wizard.date:
                wizard.move_ids = wizard.move_ids
                continue
            wizard.move_ids = self.env["account.move"].search(
                self._eligible_domain(
                    wizard.company_id, wizard.partner_ids, wizard.date
                )
            )

    @api.depends("move_ids", "agency_id", "date")
    def _compute_review(self):
        Handoff = self.env["debiteur.handoff"]
        legal = self.env["debiteur.legal"]
        for wizard in self:
            moves = wizard.move_ids
            lines = []
            lines += Handoff._confirmation_reasons(moves) if moves else []
            wizard.needs_confirmation = bool(lines)
            partners = moves.commercial_partner_id
            for problems in legal._check_debtor_data(partners).values():
                lines += problems
            agency = wizard.agency_id
            if agency and not agency.debiteur_agency_registration:
                consumers = partners.filtered(
                    lambda p: p.debiteur_debtor_type == "consumer"
                )
                if consumers:
                    lines.append(
                        self.env._(
                            "%(agency)s has no registration number and cannot "
                            "receive consumer debtors: %(debtors)s.",
                            agency=agency.display_name,
                            debtors=", ".join(consumers.mapped("display_name")),
                        )
                    )
            if agency and not agency.email:
                lines.append(
                    self.env._(
                        "%(agency)s has no e-mail address: download only.",
                        agency=agency.display_name,
                    )
                )
            wizard.warning = "\n".join(lines) or False
            wizard.agency_has_email = bool(agency.email)
            wizard.amount_open = sum(moves.mapped("amount_residual_signed"))

    @api.model
    def _action_open(self, partners=None, moves=None):
        context = {}
        if moves:
            moves = moves.filtered(lambda m: m.move_type == "out_invoice")
            if not moves:
                raise UserError(self.env._("Select overdue customer invoices."))
            context.update(
                default_company_id=moves.company_id[:1].id,
                default_partner_ids=moves.commercial_partner_id.ids,
                default_move_ids=moves.ids,
            )
        elif partners:
            context["default_partner_ids"] = partners.ids
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Hand Off to Collection Agency"),
            "res_model": self._name,
            "view_mode": "form",
            "target": "new",
            "context": context,
        }

    def action_confirm(self):
        self.ensure_one()
        Handoff = self.env["debiteur.handoff"]
        Handoff._check_manager()
        if not self.move_ids:
            raise UserError(self.env._("There are no overdue invoices to hand off."))
        if len(self.move_ids.company_id) > 1 or self.move_ids.company_id != (
            self.company_id
        ):
            raise UserError(
                self.env._("Hand off the invoices of one company at a time.")
            )
        handoffs = Handoff._create_handoffs(
            self.move_ids, self.agency_id, self.date, self.reason
        )
        action = {
            "type": "ir.actions.act_window",
            "name": self.env._("Collection Handoffs"),
            "res_model": "debiteur.handoff",
            "view_mode": "list,form",
            "views": [(False, "list"), (False, "form")],
            "domain": [("id", "in", handoffs.ids)],
        }
        if handoffs._hand_off_or_queue(send_email=self.send_email):
            return {
                "type": "ir.actions.client",
                "tag": "display_notification",
                "params": {
                    "type": "info",
                    "sticky": False,
                    "message": self.env._(
                        "%(count)s dossiers are being produced and sent in the "
                        "background; each handoff shows its status when done.",
                        count=len(handoffs),
                    ),
                    "next": action,
                },
            }
        if len(handoffs) == 1:
            action.update(view_mode="form", views=[(False, "form")], res_id=handoffs.id)
        return action


class DebiteurHandoffPaymentWizard(models.TransientModel):
    """Book money collected on a handoff: gross on the invoices, the agency's
    commission as an expense against its payable."""

    _name = "debiteur.handoff.payment.wizard"
    _description = "Book Collected Payment"

    handoff_id = fields.Many2one("debiteur.handoff", required=True)
    company_id = fields.Many2one(related="handoff_id.company_id")
    currency_id = fields.Many2one(related="handoff_id.currency_id")
    received_via = fields.Selection(
        [("agency", "Through the agency"), ("direct", "Directly by us")],
        required=True,
        default="agency",
    )
    date = fields.Date(required=True, default=fields.Date.context_today)
    amount = fields.Monetary(
        string="Amount Collected (Gross)",
        currency_field="currency_id",
        required=True,
        help="The full amount paid by the debtor, before the agency's commission.",
    )
    journal_id = fields.Many2one(
        "account.journal",
        required=True,
        domain="[('type', 'in', ('bank', 'cash')), ('company_id', '=', company_id)]",
    )
    commission = fields.Monetary(
        currency_field="currency_id",
        compute="_compute_commission",
        store=True,
        readonly=False,
        help="Kept by the agency; booked as an expense against its payable.",
    )

    @api.depends("amount", "received_via", "handoff_id")
    def _compute_commission(self):
        for wizard in self:
            if wizard.received_via == "agency" and wizard.handoff_id:
                wizard.commission = wizard.handoff_id._commission_default(wizard.amount)
            else:
                wizard.commission = 0.0

    def action_confirm(self):
        self.ensure_one()
        self.handoff_id._book_payment(
            self.amount,
            self.date,
            self.journal_id,
            self.received_via == "agency",
            self.commission,
        )
        return {"type": "ir.actions.act_window_close"}


class DebiteurHandoffStatusWizard(models.TransientModel):
    """The agency's report on a handoff."""

    _name = "debiteur.handoff.status.wizard"
    _description = "Collection Agency Report"

    handoff_id = fields.Many2one("debiteur.handoff", required=True)
    state = fields.Selection(
        [(key, label) for key, label in STATES if key in STATUS_UPDATES],
        string="Status",
        required=True,
        default="in_progress",
    )
    note = fields.Text(string="Agency Report")

    def action_confirm(self):
        self.ensure_one()
        result = self.handoff_id._set_status(self.state, self.note)
        if isinstance(result, dict):
            return result
        return {"type": "ir.actions.act_window_close"}
