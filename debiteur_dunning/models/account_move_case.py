# pylint: disable=consider-merging-classes-inherited
from odoo import api, fields, models


class AccountMove(models.Model):
    _inherit = "account.move"

    debiteur_days_overdue = fields.Integer(
        string="Days Overdue", compute="_compute_debiteur_days_overdue"
    )

    @api.depends("invoice_date_due", "payment_state")
    def _compute_debiteur_days_overdue(self):
        today = fields.Date.context_today(self)
        for move in self:
            due = move.invoice_date_due
            open_ = move.payment_state in ("not_paid", "partial")
            move.debiteur_days_overdue = (
                max((today - due).days, 0) if due and open_ else 0
            )

    def _post(self, soft=True):
        posted = super()._post(soft=soft)
        posted._debiteur_case_sync()
        return posted

    def write(self, vals):
        result = super().write(vals)
        if not vals.keys().isdisjoint(("debiteur_blocked", "debiteur_block_until")):
            # A blocked invoice makes its debtor no collection candidate.
            self._debiteur_case_sync()
        return result

    def button_draft(self):
        result = super().button_draft()
        self._debiteur_case_sync()
        return result

    def button_cancel(self):
        result = super().button_cancel()
        self._debiteur_case_sync()
        return result

    def _debiteur_case_sync(self):
        """Keep the debtors' cases exact when their invoices change.

        A case is bookkeeping that follows from the accounting: whoever may post
        or reconcile an invoice updates the case, hence ``sudo``.
        """
        moves = self.filtered(lambda m: m.is_sale_document(include_receipts=True))
        Case = self.env["debiteur.case"].sudo()
        for company in moves.company_id:
            company_moves = moves.filtered(lambda m, c=company: m.company_id == c)
            Case._sync(company_moves.commercial_partner_id, company)
