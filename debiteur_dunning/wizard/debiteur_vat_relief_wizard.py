from odoo import fields, models


class DebiteurVatReliefWizard(models.TransientModel):
    """Reclaim the VAT of unpaid invoices now: on or after their eligible date,
    or earlier when the manager confirms them uncollectible with evidence."""

    _name = "debiteur.vat.relief.wizard"
    _description = "Reclaim VAT on Uncollectible Invoices"

    move_ids = fields.Many2many("account.move", required=True, string="Invoices")
    date = fields.Date(
        string="Relief Date",
        required=True,
        default=fields.Date.context_today,
        help="Accounting date of the relief: the VAT return it belongs to.",
    )
    reason = fields.Text(
        help="Why the invoices are uncollectible (bankruptcy, judicial "
        "reorganisation, collection agency report, ...). Required before the "
        "eligible date."
    )
    attachment_ids = fields.Many2many(
        "ir.attachment",
        string="Evidence",
        help="Required before the eligible date: the proof that the claim is "
        "uncollectible.",
    )

    def action_confirm(self):
        self.ensure_one()
        reliefs = self.env["debiteur.vat.relief"]._debiteur_create_manual(
            self.move_ids, self.date, self.reason, self.attachment_ids
        )
        reliefs.action_confirm()
        if len(reliefs) == 1:
            return reliefs.move_id.action_debiteur_view_vat_relief()
        return {"type": "ir.actions.act_window_close"}
