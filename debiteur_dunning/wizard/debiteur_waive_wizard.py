from odoo import fields, models
from odoo.exceptions import UserError


class DebiteurWaiveWizard(models.TransientModel):
    _name = "debiteur.waive.wizard"
    _description = "Waive Collection Costs and Interest"

    communication_ids = fields.Many2many(
        "debiteur.communication", string="Reminders", required=True
    )
    waive_costs = fields.Boolean(string="Waive Collection Costs", default=True)
    waive_interest = fields.Boolean(default=True)
    reason = fields.Text(
        required=True, help="Why the costs or interest are waived, e.g. a settlement."
    )

    def action_confirm(self):
        self.ensure_one()
        if not (self.reason or "").strip():
            raise UserError(self.env._("Give a reason for waiving."))
        self.communication_ids._debiteur_waive(
            self.waive_costs, self.waive_interest, self.reason
        )
        return {"type": "ir.actions.act_window_close"}
