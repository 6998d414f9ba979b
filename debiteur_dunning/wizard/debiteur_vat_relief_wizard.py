from datetime import timedelta

from odoo import api, fields, models


class DebiteurVatReliefWizard(models.TransientModel):
    """Reclaim the VAT of unpaid invoices now: on or after their eligible date,
    or earlier when the manager confirms them uncollectible with evidence."""

    _name = "debiteur.vat.relief.wizard"
    _description = "Reclaim VAT on Uncollectible Invoices"

    move_ids = fields.Many2many("account.move", required=True, string="Invoices")
    date = fields.Date(
        string="Relief Date",
        required=True,
        compute="_compute_date",
        store=True,
        readonly=False,
        help="Accounting date of the relief: the VAT return it belongs to. By "
        "default the day the invoices became eligible (the latest of them), or "
        "the first day after the VAT lock date when that day is locked; today "
        "for an invoice not eligible yet.",
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

    @api.depends("move_ids")
    def _compute_date(self):
        today = fields.Date.context_today(self)
        for wizard in self:
            days = []
            for move in wizard.move_ids:
                company = move.company_id
                eligible = company._debiteur_vat_relief_eligible_date(
                    move.invoice_date_due
                )
                day = eligible if eligible and eligible <= today else today
                lock = company._debiteur_vat_lock_date()
                days.append(max(day, lock + timedelta(days=1)) if lock else day)
            wizard.date = max(days) if days else today

    def action_confirm(self):
        self.ensure_one()
        reliefs = self.env["debiteur.vat.relief"]._debiteur_create_manual(
            self.move_ids, self.date, self.reason, self.attachment_ids
        )
        reliefs.action_confirm()
        if len(reliefs) == 1:
            return reliefs.move_id.action_debiteur_view_vat_relief()
        return {"type": "ir.actions.act_window_close"}
