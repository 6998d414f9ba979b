"""Settings screen of dunning, arrangements, costs, handoffs and VAT relief."""

from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    # ----------------------------------------------------------------------
    # Dunning
    # ----------------------------------------------------------------------

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

    # ----------------------------------------------------------------------
    # VAT relief
    # ----------------------------------------------------------------------

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

    # ----------------------------------------------------------------------
    # Payment arrangements
    # ----------------------------------------------------------------------

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

    # ----------------------------------------------------------------------
    # Collection costs
    # ----------------------------------------------------------------------

    debiteur_costs_product_id = fields.Many2one(
        related="company_id.debiteur_costs_product_id", readonly=False
    )
    debiteur_interest_product_id = fields.Many2one(
        related="company_id.debiteur_interest_product_id", readonly=False
    )

    # ----------------------------------------------------------------------
    # Collection-agency handoff
    # ----------------------------------------------------------------------

    debiteur_handoff_commission_account_id = fields.Many2one(
        related="company_id.debiteur_handoff_commission_account_id", readonly=False
    )
    debiteur_handoff_commission_journal_id = fields.Many2one(
        related="company_id.debiteur_handoff_commission_journal_id", readonly=False
    )
    debiteur_retention_years = fields.Integer(
        related="company_id.debiteur_retention_years", readonly=False
    )

    # ----------------------------------------------------------------------
    # Debtor's page
    # ----------------------------------------------------------------------

    debiteur_page_link_days = fields.Integer(
        related="company_id.debiteur_page_link_days", readonly=False
    )
    debiteur_page_max_instalments = fields.Integer(
        related="company_id.debiteur_page_max_instalments", readonly=False
    )
    debiteur_page_auto_accept = fields.Boolean(
        related="company_id.debiteur_page_auto_accept", readonly=False
    )
    debiteur_page_auto_max_instalments = fields.Integer(
        related="company_id.debiteur_page_auto_max_instalments", readonly=False
    )
    debiteur_page_auto_max_amount = fields.Monetary(
        related="company_id.debiteur_page_auto_max_amount", readonly=False
    )
    debiteur_page_promise_days = fields.Integer(
        related="company_id.debiteur_page_promise_days", readonly=False
    )

    # ----------------------------------------------------------------------
    # Payments first
    # ----------------------------------------------------------------------

    debiteur_auto_match = fields.Boolean(
        related="company_id.debiteur_auto_match", readonly=False
    )
