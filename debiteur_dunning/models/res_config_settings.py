from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    debiteur_policy_business_id = fields.Many2one(
        related="company_id.debiteur_policy_business_id", readonly=False
    )
    debiteur_policy_consumer_id = fields.Many2one(
        related="company_id.debiteur_policy_consumer_id", readonly=False
    )
    debiteur_user_id = fields.Many2one(
        related="company_id.debiteur_user_id", readonly=False
    )
