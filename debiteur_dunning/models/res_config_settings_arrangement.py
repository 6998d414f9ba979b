# pylint: disable=consider-merging-classes-inherited
from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    debiteur_arrangement_reminder_days = fields.Integer(
        related="company_id.debiteur_arrangement_reminder_days", readonly=False
    )
    debiteur_arrangement_grace_days = fields.Integer(
        related="company_id.debiteur_arrangement_grace_days", readonly=False
    )
    debiteur_arrangement_break_days = fields.Integer(
        related="company_id.debiteur_arrangement_break_days", readonly=False
    )
    debiteur_arrangement_broken_notice = fields.Boolean(
        related="company_id.debiteur_arrangement_broken_notice", readonly=False
    )
    debiteur_arrangement_fee_product_id = fields.Many2one(
        related="company_id.debiteur_arrangement_fee_product_id", readonly=False
    )
