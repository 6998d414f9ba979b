from odoo import fields, models
from odoo.tools import SQL

AGING_BUCKETS = [
    ("not_due", "Not due"),
    ("1_30", "1-30 days"),
    ("31_60", "31-60 days"),
    ("61_90", "61-90 days"),
    ("90_plus", "More than 90 days"),
]


class DebiteurAgingReport(models.Model):
    """Open customer invoices by age, as of today (a view: never stored)."""

    _name = "debiteur.aging.report"
    _description = "Receivables Aging"
    _auto = False
    _order = "invoice_date_due, id"

    move_id = fields.Many2one("account.move", string="Invoice", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Debtor", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    user_id = fields.Many2one("res.users", string="Credit Controller", readonly=True)
    invoice_date_due = fields.Date(string="Due Date", readonly=True)
    days_overdue = fields.Integer(readonly=True, aggregator="max")
    bucket = fields.Selection(AGING_BUCKETS, string="Age", readonly=True)
    amount_residual_signed = fields.Monetary(
        string="Open Amount", currency_field="currency_id", readonly=True
    )

    def init(self):
        self.env.cr.execute(
            SQL(
                """
                CREATE OR REPLACE VIEW debiteur_aging_report AS (
                    SELECT m.id AS id,
                           m.id AS move_id,
                           m.commercial_partner_id AS partner_id,
                           m.company_id AS company_id,
                           c.currency_id AS currency_id,
                           COALESCE(p.debiteur_user_id, c.debiteur_user_id)
                               AS user_id,
                           m.invoice_date_due AS invoice_date_due,
                           GREATEST(CURRENT_DATE - m.invoice_date_due, 0)
                               AS days_overdue,
                           CASE
                               WHEN CURRENT_DATE - m.invoice_date_due <= 0
                                   THEN 'not_due'
                               WHEN CURRENT_DATE - m.invoice_date_due <= 30
                                   THEN '1_30'
                               WHEN CURRENT_DATE - m.invoice_date_due <= 60
                                   THEN '31_60'
                               WHEN CURRENT_DATE - m.invoice_date_due <= 90
                                   THEN '61_90'
                               ELSE '90_plus'
                           END AS bucket,
                           m.amount_residual_signed AS amount_residual_signed
                      FROM account_move m
                      JOIN res_company c ON c.id = m.company_id
                      JOIN res_partner p ON p.id = m.commercial_partner_id
                     WHERE m.move_type = 'out_invoice'
                       AND m.state = 'posted'
                       AND m.payment_state IN ('not_paid', 'partial')
                       AND m.amount_residual > 0
                )
                """
            )
        )
