"""Reconciliations: payments that reopen VAT relief and refresh cases."""

from odoo import api, fields, models


class AccountPartialReconcile(models.Model):
    _inherit = "account.partial.reconcile"

    # The invoice a payment was reconciled with, to group the payments of
    # many invoices in one query (debiteur.claim).
    debiteur_debit_move_id = fields.Many2one(
        "account.move", related="debit_move_id.move_id", string="Debit Entry"
    )

    # ----------------------------------------------------------------------
    # VAT relief
    # ----------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        partials = super().create(vals_list)
        moves = partials.debit_move_id.move_id | partials.credit_move_id.move_id
        reliefs = moves._debiteur_vat_relief_followed()
        if reliefs:
            by_move = {relief.move_id: relief for relief in reliefs}
            dates = {}
            for partial in partials:
                for move in (
                    partial.debit_move_id.move_id | partial.credit_move_id.move_id
                ):
                    relief = by_move.get(move)
                    if relief:
                        dates[relief] = max(
                            dates.get(relief, partial.max_date), partial.max_date
                        )
            reliefs._debiteur_sync_payments(dates)
        return partials

    def unlink(self):
        lines = self.debit_move_id | self.credit_move_id
        moves = lines.move_id
        result = super().unlink()
        reliefs = moves._debiteur_vat_relief_followed()
        if reliefs:
            reliefs._debiteur_sync_payments()
        # A payment taken back changes the debtor's case figures.
        lines.exists()._debiteur_case_sync()
        return result
