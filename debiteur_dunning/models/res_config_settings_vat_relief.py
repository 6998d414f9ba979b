# pylint: disable=consider-merging-classes-inherited
from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    debiteur_vat_relief_mode = fields.Selection(
        related="company_id.debiteur_vat_relief_mode", readonly=False
    )
    debiteur_vat_relief_delay_days = fields.Integer(
        related="company_id.debiteur_vat_relief_delay_days", readonly=False
    )
    debiteur_vat_relief_journal_id = fields.Many2one(
        related="company_id.debiteur_vat_relief_journal_id", readonly=False
    )
    debiteur_vat_relief_account_id = fields.Many2one(
        related="company_id.debiteur_vat_relief_account_id", readonly=False
    )
    debiteur_vat_relief_expense_account_id = fields.Many2one(
        related="company_id.debiteur_vat_relief_expense_account_id", readonly=False
    )
