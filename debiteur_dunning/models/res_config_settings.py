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
    debiteur_stale_rates_warning = fields.Char(
        string="Stale interest rates",
        compute="_compute_debiteur_stale_rates_warning",
    )

    def _compute_debiteur_stale_rates_warning(self):
        Rate = self.env["debiteur.interest.rate"]
        warning = Rate._stale_message() if Rate.has_access("read") else False
        for settings in self:
            settings.debiteur_stale_rates_warning = warning
