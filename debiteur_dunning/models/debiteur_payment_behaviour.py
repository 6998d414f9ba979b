"""How a debtor pays: average days late, trend, DSO.

A service without records: it gathers the figures from the accounting in a
fixed number of queries for any number of debtors; the arithmetic is in
``debiteur_dunning/analysis.py`` (pure). The follow-up case, the debtor's form
and the company's DSO all show the figures this assembles.
"""

from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

from odoo import api, fields, models
from odoo.tools import SQL

from .. import analysis

# The figures of a debtor without any (no sales, nothing paid).
NO_FIGURES = {
    "dso": 0.0,
    "avg_days_late": 0.0,
    "days_late_trend": False,
    "has_days_late_trend": False,
}


class DebiteurPaymentBehaviour(models.AbstractModel):
    _name = "debiteur.payment.behaviour"
    _description = "Debtor Payment Behaviour"

    @api.model
    def _figures(self, company, partners, today=None):
        """{commercial partner id: {dso, avg_days_late, days_late_trend,
        has_days_late_trend}} of ``partners`` in ``company``, as shown; any
        other key gives ``NO_FIGURES``."""
        today = today or fields.Date.context_today(self)
        partners = partners.commercial_partner_id
        dso = self._dso(company, partners, today)
        behaviour = self._days_late(company, partners, today)
        figures = defaultdict(NO_FIGURES.copy)
        for partner in partners:
            avg, recent, previous = behaviour.get(partner.id, (0.0, None, None))
            trend = analysis.days_late_trend(recent, previous)
            figures[partner.id] = {
                "dso": dso.get(partner.id, 0.0),
                "avg_days_late": analysis.round_days(avg),
                "days_late_trend": trend,
                "has_days_late_trend": trend is not False,
            }
        return figures

    @api.model
    def _dso(self, company, partners=None, today=None):
        """DSO = open receivables / credit sales of the last 365 days x 365.

        Per debtor ({partner id: days}) when ``partners`` is given, else for the
        whole company ({False: days}). A debtor without sales in the period has 0.
        """
        today = today or fields.Date.context_today(self)
        groupby_line = ["partner_id"] if partners is not None else []
        groupby_move = ["commercial_partner_id"] if partners is not None else []
        line_domain = [
            ("company_id", "=", company.id),
            ("account_id.account_type", "=", "asset_receivable"),
            ("parent_state", "=", "posted"),
            ("reconciled", "=", False),
        ]
        move_domain = [
            ("company_id", "=", company.id),
            ("move_type", "in", ("out_invoice", "out_refund")),
            ("state", "=", "posted"),
            ("invoice_date", ">", today - timedelta(days=analysis.DSO_DAYS)),
            ("invoice_date", "<=", today),
        ]
        if partners is not None:
            partners = partners.commercial_partner_id
            line_domain.append(("partner_id", "in", partners.ids))
            move_domain.append(("commercial_partner_id", "in", partners.ids))
        open_rows = self.env["account.move.line"]._read_group(
            line_domain, groupby_line, ["amount_residual:sum"]
        )
        sales_rows = self.env["account.move"]._read_group(
            move_domain, groupby_move, ["amount_total_signed:sum"]
        )
        currency = company.currency_id
        if partners is None:
            receivable = open_rows[0][0] if open_rows else 0.0
            sales = sales_rows[0][0] if sales_rows else 0.0
            return {False: self._dso_days(receivable, sales, currency)}
        receivables = {partner.id: amount for partner, amount in open_rows}
        sales = {partner.id: amount for partner, amount in sales_rows}
        return {
            partner.id: self._dso_days(
                receivables.get(partner.id, 0.0), sales.get(partner.id, 0.0), currency
            )
            for partner in partners
        }

    @api.model
    def _dso_days(self, receivable, sales, currency):
        """Sales the currency rounds to nothing (or less) count as none."""
        if currency.compare_amounts(sales or 0.0, 0.0) <= 0:
            return 0.0
        return analysis.dso_days(receivable, sales)

    @api.model
    def _days_late(self, company, partners, today=None):
        """{partner id: (average days late over 12 months, average of the last
        6 months or None, average of the 6 months before or None)}, exact
        (Decimal, not rounded): the callers round what they show, once.

        Days late of a paid invoice = date of its last payment - due date
        (negative when paid early), weighted by the invoice amount. The windows
        are calendar months back from ``today``.
        """
        today = today or fields.Date.context_today(self)
        partners = partners.commercial_partner_id
        if not partners:
            return {}
        for model in ("account.move", "account.move.line", "account.partial.reconcile"):
            self.env[model].flush_model()
        year_ago, half_year_ago = analysis.behaviour_windows(today)
        self.env.cr.execute(
            SQL(
                """
                WITH paid AS (
                    SELECT m.commercial_partner_id AS partner_id,
                           ABS(m.amount_total_signed) AS weight,
                           MAX(apr.max_date) AS paid_on,
                           MAX(apr.max_date) - m.invoice_date_due AS days_late
                      FROM account_move m
                      JOIN account_move_line l
                        ON l.move_id = m.id AND l.display_type = 'payment_term'
                      JOIN account_partial_reconcile apr
                        ON apr.debit_move_id = l.id
                     WHERE m.company_id = %(company)s
                       AND m.move_type = 'out_invoice'
                       AND m.state = 'posted'
                       AND m.payment_state IN ('paid', 'in_payment')
                       AND m.commercial_partner_id = ANY(%(partners)s)
                     GROUP BY m.id
                )
                SELECT partner_id,
                       SUM(days_late * weight) / NULLIF(SUM(weight), 0),
                       SUM(days_late * weight) FILTER (WHERE paid_on > %(half)s)
                         / NULLIF(SUM(weight) FILTER (WHERE paid_on > %(half)s), 0),
                       SUM(days_late * weight) FILTER (WHERE paid_on <= %(half)s)
                         / NULLIF(SUM(weight) FILTER (WHERE paid_on <= %(half)s), 0)
                  FROM paid
                 WHERE paid_on > %(year)s AND paid_on <= %(today)s
                 GROUP BY partner_id
                """,
                company=company.id,
                partners=partners.ids,
                half=half_year_ago,
                year=year_ago,
                today=today,
            )
        )
        return {
            partner_id: (Decimal(avg or 0), recent, previous)
            for partner_id, avg, recent, previous in self.env.cr.fetchall()
        }
