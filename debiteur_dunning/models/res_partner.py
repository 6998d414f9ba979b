from odoo import api, fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    debiteur_policy_id = fields.Many2one(
        "debiteur.policy",
        string="Dunning Policy",
        company_dependent=True,
        help="Leave empty to use the company's default policy for this kind of debtor.",
    )
    debiteur_excluded = fields.Boolean(
        string="Excluded from Dunning",
        tracking=True,
        help="No reminders at all for this debtor.",
    )
    debiteur_exclusion_reason = fields.Char(string="Exclusion Reason", tracking=True)
    debiteur_debtor_type = fields.Selection(
        [("business", "Business"), ("consumer", "Consumer")],
        string="Debtor Type",
        compute="_compute_debiteur_debtor_type",
        store=True,
        readonly=False,
        recursive=True,
        help="Businesses and consumers get different legal treatment. Computed "
        "from the company type and the VAT number; you may correct it.",
    )
    debiteur_user_id = fields.Many2one(
        "res.users",
        string="Credit Controller",
        help="Follows up this debtor; the company's default controller otherwise.",
    )
    debiteur_communication_ids = fields.One2many(
        "debiteur.communication", "partner_id", string="Reminders", readonly=True
    )
    debiteur_communication_count = fields.Integer(
        compute="_compute_debiteur_overdue", string="Reminder Count"
    )
    debiteur_overdue_amount = fields.Monetary(
        string="Overdue Amount",
        compute="_compute_debiteur_overdue",
        currency_field="debiteur_currency_id",
    )
    debiteur_currency_id = fields.Many2one(
        "res.currency", compute="_compute_debiteur_overdue"
    )
    debiteur_highest_level_id = fields.Many2one(
        "debiteur.level", string="Highest Level", compute="_compute_debiteur_overdue"
    )

    @api.model
    def _commercial_fields(self):
        return super()._commercial_fields() + [
            "debiteur_excluded",
            "debiteur_exclusion_reason",
            "debiteur_debtor_type",
            "debiteur_user_id",
        ]

    @api.depends("is_company", "vat", "parent_id.debiteur_debtor_type")
    def _compute_debiteur_debtor_type(self):
        for partner in self:
            if partner.parent_id:
                partner.debiteur_debtor_type = (
                    partner.parent_id.debiteur_debtor_type or "business"
                )
            elif partner.is_company or partner.vat:
                partner.debiteur_debtor_type = "business"
            else:
                partner.debiteur_debtor_type = "consumer"

    @api.depends_context("company")
    def _compute_debiteur_overdue(self):
        company = self.env.company
        today = fields.Date.context_today(self)
        commercial = self.commercial_partner_id
        groups = self.env["account.move"]._read_group(
            [
                ("company_id", "=", company.id),
                ("commercial_partner_id", "in", commercial.ids),
                ("move_type", "=", "out_invoice"),
                ("state", "=", "posted"),
                ("payment_state", "in", ("not_paid", "partial")),
                ("invoice_date_due", "<", today),
            ],
            ["commercial_partner_id"],
            ["amount_residual_signed:sum", "debiteur_level_id:array_agg"],
        )
        overdue = {p.id: (amount, levels) for p, amount, levels in groups}
        comm_counts = dict(
            self.env["debiteur.communication"]._read_group(
                [
                    ("company_id", "=", company.id),
                    ("partner_id", "in", commercial.ids),
                    ("state", "!=", "cancelled"),
                ],
                ["partner_id"],
                ["__count"],
            )
        )
        all_level_ids = {
            lid for _amount, lids in overdue.values() for lid in lids if lid
        }
        levels = self.env["debiteur.level"].browse(all_level_ids)
        for partner in self:
            amount, level_ids = overdue.get(partner.commercial_partner_id.id, (0.0, []))
            partner.debiteur_currency_id = company.currency_id
            partner.debiteur_overdue_amount = amount
            partner.debiteur_communication_count = comm_counts.get(
                partner.commercial_partner_id, 0
            )
            mine = levels.filtered(lambda lvl, ids=set(level_ids): lvl.id in ids)
            partner.debiteur_highest_level_id = mine.sorted(
                lambda lvl: (lvl.sequence, lvl.delay_days)
            )[-1:]

    def action_debiteur_view_communications(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "debiteur_dunning.action_debiteur_communication"
        )
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        return action

    def action_debiteur_open_wizard(self):
        """Dunning wizard for the selected customers (customer list button)."""
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Dunning"),
            "res_model": "debiteur.dunning.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {
                "default_partner_ids": self.commercial_partner_id.ids,
            },
        }
