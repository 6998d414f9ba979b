"""Payment providers: whether a company takes online payments (the debtor's
page), known without a query on every page: providers change rarely, and
every change of one clears the answer."""

from odoo import api, models, tools

# What makes a provider one the debtor's page offers.
ONLINE_FIELDS = {"company_id", "state", "is_published"}


class PaymentProvider(models.Model):
    _inherit = "payment.provider"

    @api.model
    @tools.ormcache("company_id")
    def _debiteur_pays_online(self, company_id):
        """Whether company ``company_id`` has a provider the debtor's page
        offers: enabled (or in test) and published."""
        return bool(
            self.sudo().search_count(
                [
                    ("company_id", "=", company_id),
                    ("state", "in", ("enabled", "test")),
                    ("is_published", "=", True),
                ],
                limit=1,
            )
        )

    @api.model_create_multi
    def create(self, vals_list):
        providers = super().create(vals_list)
        self.env.registry.clear_cache()
        return providers

    def write(self, vals):
        result = super().write(vals)
        if ONLINE_FIELDS & set(vals):
            self.env.registry.clear_cache()
        return result

    def unlink(self):
        result = super().unlink()
        self.env.registry.clear_cache()
        return result
