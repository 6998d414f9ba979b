from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .debiteur_arrangement import UNIQUE_ACTIVE_INDEX


class DebiteurArrangementInvoice(models.Model):
    """An invoice covered by an arrangement.

    One row per invoice and arrangement, kept after the arrangement ends. The
    stored copy of the arrangement's state carries the partial unique index
    that lets PostgreSQL guarantee an invoice is in at most one active
    arrangement, whatever the number of concurrent transactions.
    """

    _name = "debiteur.arrangement.invoice"
    _inherit = ["debiteur.invoice.link.mixin"]
    _description = "Invoice in a Payment Arrangement"
    _order = "arrangement_id, id"
    _link_unique_index = UNIQUE_ACTIVE_INDEX
    _link_unique_states = ("active",)

    arrangement_id = fields.Many2one(
        "debiteur.arrangement", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(
        related="arrangement_id.company_id", store=True, index=True
    )
    currency_id = fields.Many2one(related="arrangement_id.currency_id")
    state = fields.Selection(related="arrangement_id.state", store=True, index=True)
    amount_residual_start = fields.Monetary(
        string="Open at Start",
        help="Open amount of the invoice when the arrangement was agreed.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        arrangements = self.env["debiteur.arrangement"].browse(
            {vals.get("arrangement_id") for vals in vals_list} - {None, False}
        )
        arrangements._check_draft_for_client()
        return super().create(vals_list)

    def write(self, vals):
        self.arrangement_id._check_draft_for_client()
        if vals.get("arrangement_id"):
            self.arrangement_id.browse(vals["arrangement_id"])._check_draft_for_client()
        return super().write(vals)

    @api.constrains("move_id", "company_id")
    def _check_move_company(self):
        for row in self:
            if row.move_id.company_id != row.company_id:
                raise ValidationError(
                    self.env._(
                        "Arrangement %(name)s cannot cover %(invoice)s: it belongs "
                        "to another company.",
                        name=row.arrangement_id.name,
                        invoice=row.move_id.display_name,
                    )
                )
