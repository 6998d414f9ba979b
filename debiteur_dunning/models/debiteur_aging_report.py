from odoo import api, fields, models
from odoo.osv import expression
from odoo.tools import SQL, drop_view_if_exists

AGING_BUCKETS = [
    ("not_due", "Not due"),
    ("1_30", "1-30 days"),
    ("31_60", "31-60 days"),
    ("61_90", "61-90 days"),
    ("90_plus", "More than 90 days"),
]


class DebiteurAgingReport(models.Model):
    """Open customer invoices by age, as of the user's today (a query: never stored).

    The age is counted from the user's (context) date, like the rest of the
    addon, not the database server's ``CURRENT_DATE``. The buckets are grouped
    in age order, and all five always show, the empty ones too.
    """

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
    bucket = fields.Selection(
        AGING_BUCKETS, string="Age", readonly=True, group_expand=True
    )
    amount_residual_signed = fields.Monetary(
        string="Open Amount", currency_field="currency_id", readonly=True
    )

    def init(self):
        # Was a database view counting from CURRENT_DATE: now a query per read.
        drop_view_if_exists(self.env.cr, self._table)

    @property
    def _table_query(self):
        return SQL(
            """
                    SELECT m.id AS id,
                           m.id AS move_id,
                           m.commercial_partner_id AS partner_id,
                           m.company_id AS company_id,
                           c.currency_id AS currency_id,
                           COALESCE(p.debiteur_user_id, c.debiteur_user_id)
                               AS user_id,
                           m.invoice_date_due AS invoice_date_due,
                           GREATEST(%(today)s - m.invoice_date_due, 0)
                               AS days_overdue,
                           CASE
                               WHEN %(today)s - m.invoice_date_due <= 0
                                   THEN 'not_due'
                               WHEN %(today)s - m.invoice_date_due <= 30
                                   THEN '1_30'
                               WHEN %(today)s - m.invoice_date_due <= 60
                                   THEN '31_60'
                               WHEN %(today)s - m.invoice_date_due <= 90
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
            """,
            today=fields.Date.context_today(self),
        )

    @api.model
    def _read_group_orderby(self, order, groupby_terms, query):
        # Buckets in age order, not in the alphabetical order of their keys.
        if "bucket" in groupby_terms:
            groupby_terms = dict(
                groupby_terms,
                bucket=SQL(
                    "array_position(%s, %s)",
                    [key for key, _label in AGING_BUCKETS],
                    groupby_terms["bucket"],
                ),
            )
        return super()._read_group_orderby(order, groupby_terms, query)

    @api.model
    def read_group(
        self, domain, fields, groupby, offset=0, limit=None, orderby=False, lazy=True
    ):
        """All five buckets, the empty ones too, also in the pivot (not lazy)."""
        result = super().read_group(
            domain, fields, groupby, offset, limit, orderby, lazy
        )
        groupby = [groupby] if isinstance(groupby, str) else list(groupby or [])
        if lazy or groupby != ["bucket"] or limit or offset:
            return result
        found = {row["bucket"] for row in result}
        empty = (
            {
                name: 0 if name == "__count" else False
                for name in result[0]
                if name not in ("bucket", "__domain")
            }
            if result
            else {"__count": 0}
        )
        rows = {row["bucket"]: row for row in result}
        for key, _label in AGING_BUCKETS:
            if key not in found:
                rows[key] = dict(
                    empty,
                    bucket=key,
                    __domain=expression.AND([domain or [], [("bucket", "=", key)]]),
                )
        keys = [key for key, _label in AGING_BUCKETS]
        if orderby and orderby.strip().lower() == "bucket desc":
            keys.reverse()
        return [rows[key] for key in keys] + [
            row for key, row in rows.items() if key not in keys
        ]
