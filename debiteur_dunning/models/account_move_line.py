"""Journal items: receivable changes keep the case figures exact; arrangement
links."""

from odoo import models


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    # ----------------------------------------------------------------------
    # Cases and cockpit figures
    # ----------------------------------------------------------------------

    def _reconcile_plan(self, reconciliation_plan):
        result = super()._reconcile_plan(reconciliation_plan)
        lines = self.browse()
        todo = list(reconciliation_plan)
        while todo:
            item = todo.pop()
            if isinstance(item, models.BaseModel):
                lines |= item
            else:
                todo.extend(item)
        lines._debiteur_case_sync()
        return result

    def _debiteur_case_sync(self):
        """Payments, credit notes and reversals change what a debtor owes."""
        receivable = self.filtered(
            lambda line: (
                line.account_id.account_type == "asset_receivable" and line.partner_id
            )
        )
        Sync = self.env["debiteur.case.sync"].sudo()
        for company in receivable.company_id:
            partners = receivable.filtered(
                lambda line, c=company: line.company_id == c
            ).partner_id
            Sync._sync_partners(partners, company)

    # ----------------------------------------------------------------------
    # Payment arrangements
    # ----------------------------------------------------------------------

    def reconcile(self):
        """A payment that pays an arrangement off completes it at once."""
        result = super().reconcile()
        # The scheduler's job done early: whoever reconciles (also a user
        # without dunning rights) completes the arrangement it pays off.
        arrangements = self.move_id.sudo().debiteur_arrangement_id
        if arrangements:
            arrangements._complete_paid()
        return result
