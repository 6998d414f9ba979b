from odoo import fields, models


class DebiteurCaseDisputeWizard(models.TransientModel):
    _name = "debiteur.case.dispute.wizard"
    _description = "Mark a Debtor Case Disputed"

    case_id = fields.Many2one("debiteur.case", required=True, ondelete="cascade")
    partner_id = fields.Many2one(related="case_id.partner_id")
    company_id = fields.Many2one(related="case_id.company_id")
    move_ids = fields.Many2many(
        "account.move",
        string="Disputed Invoices",
        domain="[('commercial_partner_id', '=', partner_id),"
        " ('company_id', '=', company_id), ('move_type', '=', 'out_invoice'),"
        " ('state', '=', 'posted'), ('payment_state', 'in', ('not_paid', 'partial'))]",
        help="Dunning pauses for these invoices only. Leave empty to dispute the "
        "case without pausing any invoice.",
    )
    reason = fields.Char(required=True)

    def action_confirm(self):
        self.ensure_one()
        self.case_id._mark_disputed(self.reason, self.move_ids)
        return {"type": "ir.actions.act_window_close"}
