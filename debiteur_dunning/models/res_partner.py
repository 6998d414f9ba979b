from odoo import api, fields, models
from odoo.exceptions import AccessError

from .debiteur_proof_mixin import GROUP_MANAGER, GROUP_USER

# Who may change what on a debtor: exclusion by Dunning users, the agency
# settings by Dunning managers (the server checks it, whatever the client).
EXCLUSION_FIELDS = ("debiteur_excluded", "debiteur_exclusion_reason")
AGENCY_FIELDS = (
    "debiteur_agency_type",
    "debiteur_agency_commission",
    "debiteur_agency_fixed_fee",
    "debiteur_agency_export_format",
    "debiteur_agency_registration",
)


class ResPartner(models.Model):
    _inherit = "res.partner"

    debiteur_policy_id = fields.Many2one(
        "debiteur.policy",
        string="Dunning Policy",
        company_dependent=True,
        groups="base.group_user",
        help="Leave empty to use the company's default policy for this kind of debtor.",
    )
    debiteur_excluded = fields.Boolean(
        string="Excluded from Dunning",
        tracking=True,
        groups="base.group_user",
        help="No reminders at all for this debtor.",
    )
    debiteur_exclusion_reason = fields.Char(
        string="Exclusion Reason", tracking=True, groups=GROUP_USER
    )
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
        groups="base.group_user",
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

    # ------------------------------------------------------------------
    # Rights on the dunning fields
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            defaults = self.default_get(list(EXCLUSION_FIELDS + AGENCY_FIELDS))
            for vals in vals_list:
                changed = {
                    fname
                    for fname in EXCLUSION_FIELDS + AGENCY_FIELDS
                    if vals.get(fname) and vals[fname] != defaults.get(fname)
                }
                self._debiteur_check_field_rights(changed)
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su:
            vals = self._debiteur_write_protected(vals)
        return super().write(vals)

    def _debiteur_write_protected(self, vals):
        """Check the rights on the dunning fields in ``vals``; return the
        values left to write. A contact that takes over its company's
        exclusion (Odoo's sync of commercial fields) is no change of anyone's
        making: that part is written here, whoever the user."""
        restricted = [fname for fname in EXCLUSION_FIELDS if fname in vals]
        if restricted and not self.env.user.has_group(GROUP_USER):
            mirrored = all(
                partner.commercial_partner_id != partner
                and all(
                    partner.commercial_partner_id[fname] == vals[fname]
                    for fname in restricted
                )
                for partner in self
            )
            changed = {
                fname
                for fname in restricted
                for partner in self
                if partner[fname] != vals[fname]
            }
            if changed and not mirrored:
                self._debiteur_check_field_rights(changed)
            super(ResPartner, self.sudo()).write(
                {fname: vals[fname] for fname in restricted}
            )
            vals = {k: v for k, v in vals.items() if k not in restricted}
        agency = {
            fname
            for fname in AGENCY_FIELDS
            if fname in vals
            for partner in self
            if partner[fname] != vals[fname]
        }
        self._debiteur_check_field_rights(agency)
        return vals

    @api.model
    def _debiteur_check_field_rights(self, fnames):
        if not fnames:
            return
        user = self.env.user
        if set(fnames) & set(EXCLUSION_FIELDS) and not user.has_group(GROUP_USER):
            raise AccessError(
                self.env._("Only dunning users can exclude a debtor from dunning.")
            )
        if set(fnames) & set(AGENCY_FIELDS) and not user.has_group(GROUP_MANAGER):
            raise AccessError(
                self.env._(
                    "Only dunning managers can set up a partner as a collection agency."
                )
            )

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
