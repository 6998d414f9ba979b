# pylint: disable=consider-merging-classes-inherited
from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    debiteur_handoff_commission_account_id = fields.Many2one(
        related="company_id.debiteur_handoff_commission_account_id", readonly=False
    )
    debiteur_handoff_commission_journal_id = fields.Many2one(
        related="company_id.debiteur_handoff_commission_journal_id", readonly=False
    )
    debiteur_retention_years = fields.Integer(
        related="company_id.debiteur_retention_years", readonly=False
    )
