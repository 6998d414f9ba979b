# pylint: disable=consider-merging-classes-inherited
from odoo import models


class AccountPartialReconcile(models.Model):
    _inherit = "account.partial.reconcile"

    def unlink(self):
        lines = self.debit_move_id | self.credit_move_id
        result = super().unlink()
        lines.exists()._debiteur_case_sync()
        return result
