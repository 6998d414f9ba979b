from odoo import fields, models
from odoo.exceptions import UserError


class DebiteurCommunicationCancelWizard(models.TransientModel):
    _name = "debiteur.communication.cancel.wizard"
    _description = "Cancel Reminders"

    communication_ids = fields.Many2many("debiteur.communication", required=True)
    reason = fields.Text(required=True)

    def action_confirm(self):
        self.ensure_one()
        if not (self.reason or "").strip():
            raise UserError(self.env._("Give a reason for cancelling."))
        return self.communication_ids.with_context(
            debiteur_cancel_reason=self.reason.strip()
        ).action_cancel()
