from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"  # pylint: disable=consider-merging-classes-inherited

    debiteur_costs_product_id = fields.Many2one(
        related="company_id.debiteur_costs_product_id", readonly=False
    )
    debiteur_interest_product_id = fields.Many2one(
        related="company_id.debiteur_interest_product_id", readonly=False
    )
