# pylint: disable=consider-merging-classes-inherited
from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    _inherit = "res.company"

    debiteur_handoff_commission_account_id = fields.Many2one(
        "account.account",
        string="Agency Commission Account",
        domain="[('account_type', 'in', ('expense', 'expense_direct_cost'))]",
        help="Expense account of the commission collection agencies keep.",
    )
    debiteur_handoff_commission_journal_id = fields.Many2one(
        "account.journal",
        string="Agency Commission Journal",
        domain="[('type', '=', 'general'), ('company_id', 'in', [id, False])]",
        help="Journal of the commission entries against the agency's payable.",
    )

    # ------------------------------------------------------------------
    # Retention (GDPR art. 5(1)(e); art. 52 AWR: 7 years)
    # ------------------------------------------------------------------
    debiteur_retention_years = fields.Integer(
        string="Retention of Letters and Dossiers (years)",
        default=7,
        help="Stored letters and collection dossier files are deleted this many "
        "years after the claim is closed; their SHA-256 and the records stay. "
        "Default 7 years: the Dutch fiscal retention period (art. 52 AWR).",
    )

    @api.constrains("debiteur_retention_years")
    def _check_debiteur_retention_years(self):
        for company in self:
            if company.debiteur_retention_years < 1:
                raise ValidationError(
                    self.env._(
                        "The retention period of letters and dossiers is at least "
                        "one year."
                    )
                )
