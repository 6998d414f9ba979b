# pylint: disable=consider-merging-classes-inherited
from odoo import fields, models


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
