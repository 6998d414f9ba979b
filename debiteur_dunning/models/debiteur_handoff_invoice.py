from odoo import api, fields, models

from .debiteur_handoff import OPEN_STATES

UNIQUE_OPEN_INDEX = "debiteur_handoff_invoice_open_move_uniq"


class DebiteurHandoffInvoice(models.Model):
    """An invoice in a handoff. The stored copy of the handoff's state carries
    the partial unique index: an invoice is in at most one open handoff."""

    _name = "debiteur.handoff.invoice"
    _inherit = ["debiteur.invoice.link.mixin"]
    _description = "Invoice in a Collection Handoff"
    _order = "handoff_id, id"
    _link_unique_index = UNIQUE_OPEN_INDEX
    _link_unique_states = OPEN_STATES

    handoff_id = fields.Many2one(
        "debiteur.handoff", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(
        related="handoff_id.company_id", store=True, index=True
    )
    state = fields.Selection(related="handoff_id.state", store=True, index=True)
    currency_id = fields.Many2one(related="move_id.currency_id")
    company_currency_id = fields.Many2one(
        related="company_id.currency_id", string="Company Currency"
    )
    amount_total = fields.Monetary(string="Original Amount", readonly=True)
    amount_residual_start = fields.Monetary(string="Open at Handoff")
    amount_residual_signed_start = fields.Monetary(
        string="Open at Handoff (Company Currency)",
        currency_field="company_currency_id",
        compute="_compute_amount_signed_start",
        store=True,
        precompute=True,
    )
    invoice_date = fields.Date(related="move_id.invoice_date")
    debiteur_blocked = fields.Boolean(related="move_id.debiteur_blocked")

    @api.depends("move_id", "amount_residual_start")
    def _compute_amount_signed_start(self):
        for row in self:
            move = row.move_id
            rate = (
                move.amount_residual_signed / move.amount_residual
                if move.amount_residual
                else 1.0
            )
            row.amount_residual_signed_start = row.amount_residual_start * rate
