from datetime import timedelta

from odoo import api, fields, models


class DebiteurDemo(models.AbstractModel):
    _inherit = "debiteur.demo"

    @api.model
    def _create_demo_cases(self):
        """Give the follow-up kanban of the demo company something in most
        columns: a dispute, a promise, a broken promise, a closed case."""
        company = self.env.ref("base.main_company")
        self.env.invalidate_all()  # open invoices as they are now, not as cached
        Case = self.env["debiteur.case"].with_company(company)
        today = fields.Date.context_today(self)
        cases = Case.search(
            [("company_id", "=", company.id), ("is_closed", "=", False)],
            order="amount_overdue desc, id",
        )
        cases.write({"user_id": self.env.ref("base.user_admin").id})
        if len(cases) < 4:
            return
        disputed, promised, broken, paid = cases[:4]
        disputed.priority = "1"
        disputed._mark_disputed(
            self.env._("Disputes the hours invoiced"), disputed.invoice_ids[:1]
        )
        promised._record_promise(
            today + timedelta(days=7),
            promised.currency_id.round(promised.amount_overdue / 2),
        )
        broken.with_context(debiteur_case_sync=True).write(
            {
                "promise_start_date": today - timedelta(days=20),
                "promise_date": today - timedelta(days=3),
                "promise_amount": broken.amount_overdue,
            }
        )
        Case._cron_check_promises(today)
        for move in paid.invoice_ids:
            self._register_demo_payment(move.id, 1)
