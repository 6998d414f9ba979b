from odoo import fields, models


class DebiteurCasePromiseWizard(models.TransientModel):
    _name = "debiteur.case.promise.wizard"
    _description = "Record a Promise to Pay"

    case_id = fields.Many2one("debiteur.case", required=True, ondelete="cascade")
    currency_id = fields.Many2one(related="case_id.currency_id")
    date = fields.Date(
        string="Promised Date",
        required=True,
        default=fields.Date.context_today,
        help="The debtor promises to have paid the amount by this day.",
    )
    amount = fields.Monetary(string="Promised Amount", required=True)

    def action_confirm(self):
        self.ensure_one()
        self.case_id._record_promise(self.date, self.amount)
        return {"type": "ir.actions.act_window_close"}
