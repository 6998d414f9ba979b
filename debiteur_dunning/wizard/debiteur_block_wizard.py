from odoo import fields, models


class DebiteurBlockWizard(models.TransientModel):
    _name = "debiteur.block.wizard"
    _description = "Block Dunning"

    move_ids = fields.Many2many("account.move", required=True, string="Invoices")
    reason = fields.Char(required=True)
    until = fields.Date(
        string="Blocked Until", help="Leave empty to block until unblocked."
    )

    def action_confirm(self):
        self.ensure_one()
        self.move_ids._debiteur_block(self.reason, self.until)
        return {"type": "ir.actions.act_window_close"}
