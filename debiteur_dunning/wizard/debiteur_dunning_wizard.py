from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError

CHANNELS = [
    ("email", "E-mail"),
    ("letter", "Letter"),
    ("email_letter", "E-mail and letter"),
    ("phone", "Phone call"),
]


class DebiteurDunningWizard(models.TransientModel):
    _name = "debiteur.dunning.wizard"
    _description = "Dunning Wizard"
    _check_company_auto = True

    date = fields.Date(
        required=True,
        default=fields.Date.context_today,
        help="The run date: every date rule uses it, so a run can be simulated "
        "for any day.",
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    policy_ids = fields.Many2many(
        "debiteur.policy",
        string="Policies",
        domain="[('company_id', '=', company_id)]",
        help="Leave empty for all policies.",
    )
    partner_ids = fields.Many2many(
        "res.partner", string="Debtors", help="Leave empty for all debtors."
    )
    line_ids = fields.One2many(
        "debiteur.dunning.wizard.line", "wizard_id", string="Preview"
    )
    state = fields.Selection(
        [("setup", "Setup"), ("preview", "Preview")], default="setup", required=True
    )
    selected_count = fields.Integer(compute="_compute_summary")
    total_amount = fields.Monetary(
        compute="_compute_summary", currency_field="currency_id"
    )
    currency_id = fields.Many2one(related="company_id.currency_id")

    @api.depends("line_ids.selected", "line_ids.amount")
    def _compute_summary(self):
        for wizard in self:
            selected = wizard.line_ids.filtered("selected")
            wizard.selected_count = len(selected)
            wizard.total_amount = sum(selected.mapped("amount"))

    def _proposals(self, partner_ids=None):
        self.ensure_one()
        return self.env["debiteur.engine"]._compute_proposals(
            self.date,
            self.company_id,
            policies=self.policy_ids or None,
            partner_ids=partner_ids or self.partner_ids.ids or None,
        )

    def action_preview(self):
        self.ensure_one()
        proposals = self._proposals()
        # Names of every listed document at once (not one read per debtor).
        self.env["account.move"].browse(
            {i.move_id for p in proposals for i in p.invoices}
            | {c.move_id for p in proposals for c in p.credits}
        ).fetch(["name"])
        self.line_ids = [fields.Command.clear()] + [
            fields.Command.create(self._line_vals(p)) for p in proposals
        ]
        self.state = "preview"
        return self._reopen()

    def _line_vals(self, proposal):
        return {
            "partner_id": proposal.partner_id,
            "recipient_id": proposal.recipient_id,
            "policy_id": proposal.policy_id,
            "level_id": proposal.level_id,
            "move_ids": [fields.Command.set([i.move_id for i in proposal.invoices])],
            "credit_move_ids": [
                fields.Command.set(list({c.move_id for c in proposal.credits}))
            ],
            "amount": proposal.amount_due,
            "amount_overdue": proposal.amount_overdue,
            "amount_credit": proposal.amount_credit,
            "channel": proposal.channel,
            "warning": "\n".join(proposal.warnings) or False,
            "selected": proposal.selectable,
            "selectable": proposal.selectable,
            "details": self._details_html(proposal),
        }

    def _details_html(self, proposal):
        """The invoices (each with its level) and credits of one debtor."""
        Move = self.env["account.move"]
        Level = self.env["debiteur.level"]
        Currency = self.env["res.currency"]
        rows = []
        for inv in proposal.invoices:
            currency = Currency.browse(inv.currency_id)
            level = Level.browse(inv.level_id) if inv.level_id else Level
            rows.append(
                Markup(
                    "<tr><td>%s</td><td>%s</td><td class='text-end'>%s</td>"
                    "<td>%s%s</td><td class='text-end'>%s</td></tr>"
                )
                % (
                    Move.browse(inv.move_id).name,
                    fields.Date.to_string(inv.date_due),
                    inv.days_overdue,
                    level.name or "",
                    " ↑" if inv.escalated else "",
                    currency.format(inv.amount_residual),
                )
            )
        for credit in proposal.credits:
            currency = Currency.browse(credit.currency_id)
            rows.append(
                Markup(
                    "<tr class='text-success'><td>%s</td><td>%s</td><td/>"
                    "<td>%s</td><td class='text-end'>%s</td></tr>"
                )
                % (
                    Move.browse(credit.move_id).name,
                    fields.Date.to_string(credit.date),
                    self.env._("Credit"),
                    currency.format(credit.amount_residual),
                )
            )
        head = Markup(
            "<table class='table table-sm o_debiteur_preview'><thead><tr>"
            "<th>%s</th><th>%s</th><th class='text-end'>%s</th><th>%s</th>"
            "<th class='text-end'>%s</th></tr></thead><tbody>"
        ) % (
            self.env._("Document"),
            self.env._("Due"),
            self.env._("Days late"),
            self.env._("Level"),
            self.env._("Open"),
        )
        return head + Markup("").join(rows) + Markup("</tbody></table>")

    def action_confirm(self):
        self.ensure_one()
        selected = self.line_ids.filtered("selected")
        if not selected:
            raise UserError(self.env._("Select at least one debtor to remind."))
        refused = selected.filtered(lambda line: not line.selectable)[:1]
        if refused:
            raise UserError(
                self.env._(
                    "%(partner)s cannot be reminded: %(warning)s",
                    partner=refused.partner_id.display_name,
                    warning=refused.warning,
                )
            )
        overrides = {line.partner_id.id: line.channel for line in selected}
        run = self.env["debiteur.engine"]._run(
            self.date,
            self.company_id,
            "wizard",
            partner_ids=selected.partner_id.ids,
            policies=self.policy_ids or None,
            channel_overrides=overrides,
        )
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "debiteur_dunning.action_debiteur_run"
        )
        action.update(
            {"res_id": run.id, "view_mode": "form", "views": [(False, "form")]}
        )
        return action

    def _reopen(self):
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
            "name": self.env._("Dunning"),
        }


class DebiteurDunningWizardLine(models.TransientModel):
    _name = "debiteur.dunning.wizard.line"
    _description = "Dunning Wizard Preview Line"
    _order = "selectable desc, amount desc, id"

    wizard_id = fields.Many2one(
        "debiteur.dunning.wizard", required=True, ondelete="cascade"
    )
    currency_id = fields.Many2one(related="wizard_id.currency_id")
    selected = fields.Boolean(default=True)
    selectable = fields.Boolean(default=True)
    partner_id = fields.Many2one("res.partner", string="Debtor", required=True)
    recipient_id = fields.Many2one("res.partner", string="Addressee")
    policy_id = fields.Many2one("debiteur.policy")
    level_id = fields.Many2one("debiteur.level")
    move_ids = fields.Many2many(
        "account.move",
        "debiteur_wizard_line_move_rel",
        "line_id",
        "move_id",
        string="Overdue Invoices",
    )
    credit_move_ids = fields.Many2many(
        "account.move",
        "debiteur_wizard_line_credit_rel",
        "line_id",
        "move_id",
        string="Credits",
    )
    amount = fields.Monetary(string="Balance Due", currency_field="currency_id")
    amount_overdue = fields.Monetary(currency_field="currency_id")
    amount_credit = fields.Monetary(currency_field="currency_id")
    channel = fields.Selection(CHANNELS, required=True)
    warning = fields.Text()
    details = fields.Html(sanitize=False, readonly=True)
    invoice_count = fields.Integer(compute="_compute_invoice_count")
    avg_days_late = fields.Float(
        related="partner_id.debiteur_avg_days_late",
        string="Avg. Days Late",
        help="Payment behaviour: average days late over the last 12 months.",
    )
    days_late_trend = fields.Float(
        related="partner_id.debiteur_days_late_trend", string="Trend (days)"
    )

    @api.depends("move_ids")
    def _compute_invoice_count(self):
        for line in self:
            line.invoice_count = len(line.move_ids)
