# pylint: disable=consider-merging-classes-inherited
from odoo import api, fields, models
from odoo.exceptions import UserError


class AccountMove(models.Model):
    _inherit = "account.move"

    debiteur_arrangement_invoice_ids = fields.One2many(
        "debiteur.arrangement.invoice",
        "move_id",
        string="Arrangements",
        readonly=True,
        copy=False,
    )
    debiteur_arrangement_id = fields.Many2one(
        "debiteur.arrangement",
        string="Payment Arrangement",
        compute="_compute_debiteur_arrangement_id",
        store=True,
        index=True,
        copy=False,
        help="The active payment arrangement: while it runs, no reminders.",
    )

    @api.depends("debiteur_arrangement_invoice_ids.state")
    def _compute_debiteur_arrangement_id(self):
        for move in self:
            active = move.debiteur_arrangement_invoice_ids.filtered(
                lambda row: row.state == "active"
            )
            move.debiteur_arrangement_id = active.arrangement_id[:1]

    def action_debiteur_arrangement(self):
        """Open "Make a Payment Arrangement" on the selected invoices."""
        invoices = self.filtered(
            lambda m: m.move_type == "out_invoice" and m.state == "posted"
        )
        if not invoices:
            raise UserError(
                self.env._("Select posted customer invoices of one debtor.")
            )
        return self.env["debiteur.arrangement.wizard"]._action_open(invoices)


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    def reconcile(self):
        """A payment that pays an arrangement off completes it at once."""
        result = super().reconcile()
        # The scheduler's job done early: whoever reconciles (also a user
        # without dunning rights) completes the arrangement it pays off.
        arrangements = self.move_id.sudo().debiteur_arrangement_id
        if arrangements:
            arrangements._complete_paid()
        return result
