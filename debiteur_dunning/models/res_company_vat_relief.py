# pylint: disable=consider-merging-classes-inherited
from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models

# The rule that decides from when the VAT of an unpaid invoice may be reclaimed,
# by fiscal country. NL: at the latest one year after the due date; BE: only
# once the loss is certain (manual confirmation with evidence).
VAT_RELIEF_MODE_BY_COUNTRY = {"NL": "year", "BE": "manual"}


class ResCompany(models.Model):
    _inherit = "res.company"

    debiteur_vat_relief_mode = fields.Selection(
        [
            ("year", "One year after the due date (NL)"),
            ("days", "A number of days after the due date"),
            ("manual", "Only on manual confirmation with evidence (BE)"),
        ],
        string="VAT Relief Rule",
        compute="_compute_debiteur_vat_relief_mode",
        store=True,
        readonly=False,
        help="From when the VAT of an unpaid customer invoice may be reclaimed. "
        "Earlier relief is always possible on a manual confirmation with a "
        "reason and evidence.",
    )
    debiteur_vat_relief_delay_days = fields.Integer(
        string="VAT Relief Delay (days)",
        default=365,
        help="Days after the due date, for the rule 'a number of days'.",
    )
    debiteur_vat_relief_journal_id = fields.Many2one(
        "account.journal",
        string="VAT Relief Journal",
        domain="[('type', '=', 'general'), ('company_id', 'in', [id, False])]",
        help="Journal of the VAT relief, re-charge and write-off entries.",
    )
    debiteur_vat_relief_account_id = fields.Many2one(
        "account.account",
        string="VAT Relief Clearing Account",
        domain="[('account_type', 'in', ('liability_current', 'asset_current'))]",
        help="Holds the reclaimed VAT until the invoice is paid (re-charged) or "
        "written off.",
    )
    debiteur_vat_relief_expense_account_id = fields.Many2one(
        "account.account",
        string="Bad Debt Expense Account",
        domain="[('account_type', 'in', ('expense', 'expense_other'))]",
        help="Expense account of the final write-off of an uncollectible invoice.",
    )

    @api.depends("account_fiscal_country_id")
    def _compute_debiteur_vat_relief_mode(self):
        for company in self:
            code = company.account_fiscal_country_id.code
            company.debiteur_vat_relief_mode = VAT_RELIEF_MODE_BY_COUNTRY.get(
                code, "manual"
            )

    def _debiteur_vat_relief_eligible_date(self, due_date):
        """The date from which the VAT of an invoice due on ``due_date`` may be
        reclaimed without proof, or False when only a manual confirmation can."""
        self.ensure_one()
        if not due_date or self.debiteur_vat_relief_mode == "manual":
            return False
        if self.debiteur_vat_relief_mode == "year":
            return due_date + relativedelta(years=1)
        return due_date + timedelta(days=max(self.debiteur_vat_relief_delay_days, 0))

    def _debiteur_vat_lock_date(self):
        """The last locked day for VAT relief entries (tax lock date, or the
        fiscal lock date of the relief journal), or False."""
        self.ensure_one()
        locks = [
            self.user_tax_lock_date,
            self._get_user_fiscal_lock_date(self.debiteur_vat_relief_journal_id),
        ]
        locks = [day for day in locks if day]
        return max(locks) if locks else False

    def _debiteur_vat_relief_due_cutoff(self, today):
        """The latest due date of an invoice that may be eligible on ``today``
        (one day of slack for 29 February; the exact date is checked after)."""
        self.ensure_one()
        if self.debiteur_vat_relief_mode == "manual":
            return False
        if self.debiteur_vat_relief_mode == "year":
            return today - relativedelta(years=1) + timedelta(days=1)
        return today - timedelta(days=max(self.debiteur_vat_relief_delay_days, 0))

    def _debiteur_vat_relief_missing_config(self):
        """Labels of the settings this company still has to fill in."""
        self.ensure_one()
        missing = []
        if not self.debiteur_vat_relief_journal_id:
            missing.append(self.env._("VAT Relief Journal"))
        if not self.debiteur_vat_relief_account_id:
            missing.append(self.env._("VAT Relief Clearing Account"))
        return missing
