from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_date

from ..models.debiteur_proof_mixin import GROUP_USER, require_group

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
    # A run dated another day simulates that day's rules, but what it sends is
    # real and leaves today: the preview says so, and confirming asks for it.
    is_simulation = fields.Boolean(compute="_compute_simulation")
    simulation_banner = fields.Char(compute="_compute_simulation")
    confirm_simulation = fields.Boolean(
        string="I understand that real reminders are sent today",
        help="Required to confirm a run dated another day than today.",
    )

    @api.depends("date")
    def _compute_simulation(self):
        today = fields.Date.context_today(self)
        for wizard in self:
            wizard.is_simulation = bool(wizard.date) and wizard.date != today
            wizard.simulation_banner = (
                self.env._(
                    "Simulation for %(date)s: confirming sends real reminders today.",
                    date=format_date(self.env, wizard.date),
                )
                if wizard.is_simulation
                else False
            )

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
        require_group(self.env, GROUP_USER)
        self.ensure_one()
        self.company_id._debiteur_before_dunning(self.date)
        proposals = self._proposals()
        self.line_ids.unlink()
        # One create for all the lines; their details table is formatted only
        # when a line is opened (see ``_compute_details``).
        self.env["debiteur.dunning.wizard.line"].create(
            [
                dict(
                    self._line_vals(p),
                    wizard_id=self.id,
                    currency_id=self.currency_id.id,
                )
                for p in proposals
            ]
        )
        self.state = "preview"
        return self._reopen()

    def _line_vals(self, proposal):
        return {
            "partner_id": proposal.partner_id,
            "recipient_id": proposal.recipient_id,
            "policy_id": proposal.policy_id,
            "level_id": proposal.level_id,
            "amount": proposal.amount_due,
            "amount_overdue": proposal.amount_overdue,
            "amount_credit": proposal.amount_credit,
            "channel": proposal.channel,
            "warning": "\n".join(proposal.warnings) or False,
            "selected": proposal.selectable,
            "selectable": proposal.selectable,
            "details_data": self._details_data(proposal),
        }

    @api.model
    def _details_data(self, proposal):
        """The rows of the details table, as plain data."""
        return [
            {
                "move": inv.move_id,
                "date": fields.Date.to_string(inv.date_due),
                "days": inv.days_overdue,
                "level": inv.level_id or False,
                "up": inv.escalated,
                "currency": inv.currency_id,
                "amount": inv.amount_residual,
            }
            for inv in proposal.invoices
        ] + [
            {
                "move": credit.move_id,
                "date": fields.Date.to_string(credit.date),
                "credit": True,
                "currency": credit.currency_id,
                "amount": credit.amount_residual,
            }
            for credit in proposal.credits
        ]

    def action_confirm(self):
        require_group(self.env, GROUP_USER)
        self.ensure_one()
        if self.date != fields.Date.context_today(self) and not self.confirm_simulation:
            raise UserError(
                self.env._(
                    "This run is dated %(date)s, not today: confirming sends real "
                    "reminders today. Tick the confirmation box to send them anyway.",
                    date=format_date(self.env, self.date),
                )
            )
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
    # The company's currency, set on creation: a related field would make
    # each monetary value of a thousand new lines compute it again.
    currency_id = fields.Many2one("res.currency", readonly=True)
    selected = fields.Boolean(default=True)
    selectable = fields.Boolean(default=True)
    partner_id = fields.Many2one("res.partner", string="Debtor", required=True)
    recipient_id = fields.Many2one("res.partner", string="Addressee")
    policy_id = fields.Many2one("debiteur.policy")
    level_id = fields.Many2one("debiteur.level")
    # Read from the details (not stored): a preview of a thousand debtors
    # would otherwise write ten thousand relation rows nobody reads.
    move_ids = fields.Many2many(
        "account.move", compute="_compute_moves", string="Overdue Invoices"
    )
    credit_move_ids = fields.Many2many(
        "account.move", compute="_compute_moves", string="Credits"
    )
    amount = fields.Monetary(string="Balance Due", currency_field="currency_id")
    amount_overdue = fields.Monetary(currency_field="currency_id")
    amount_credit = fields.Monetary(currency_field="currency_id")
    channel = fields.Selection(CHANNELS, required=True)
    warning = fields.Text()
    details_data = fields.Json(readonly=True)
    details = fields.Html(compute="_compute_details", sanitize=False)
    invoice_count = fields.Integer(compute="_compute_invoice_count")
    avg_days_late = fields.Float(
        related="partner_id.debiteur_avg_days_late",
        string="Avg. Days Late",
        help="Payment behaviour: average days late over the last 12 months.",
    )
    days_late_trend = fields.Float(
        related="partner_id.debiteur_days_late_trend", string="Trend (days)"
    )
    has_days_late_trend = fields.Boolean(
        related="partner_id.debiteur_has_days_late_trend"
    )

    @api.depends("details_data")
    def _compute_details(self):
        """The invoices (each with its level) and credits of one debtor."""
        rows_of = {line: line.details_data or [] for line in self}
        rows = [row for line_rows in rows_of.values() for row in line_rows]
        moves = self.env["account.move"].browse({row["move"] for row in rows})
        moves.fetch(["name"])
        levels = self.env["debiteur.level"].browse(
            {row["level"] for row in rows if row.get("level")}
        )
        currencies = self.env["res.currency"].browse({row["currency"] for row in rows})
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
        for line, line_rows in rows_of.items():
            html = []
            for row in line_rows:
                move = moves.browse(row["move"]).with_prefetch(moves._ids)
                currency = currencies.browse(row["currency"]).with_prefetch(
                    currencies._ids
                )
                amount = currency.format(row["amount"])
                if row.get("credit"):
                    html.append(
                        Markup(
                            "<tr class='text-success'><td>%s</td><td>%s</td><td/>"
                            "<td>%s</td><td class='text-end'>%s</td></tr>"
                        )
                        % (move.name, row["date"], self.env._("Credit"), amount)
                    )
                    continue
                level = levels.browse(row["level"] or ()).with_prefetch(levels._ids)
                html.append(
                    Markup(
                        "<tr><td>%s</td><td>%s</td><td class='text-end'>%s</td>"
                        "<td>%s%s</td><td class='text-end'>%s</td></tr>"
                    )
                    % (
                        move.name,
                        row["date"],
                        row["days"],
                        level.name or "",
                        " ↑" if row["up"] else "",
                        amount,
                    )
                )
            line.details = head + Markup("").join(html) + Markup("</tbody></table>")

    @api.depends("details_data")
    def _compute_moves(self):
        Move = self.env["account.move"]
        for line in self:
            rows = line.details_data or []
            line.move_ids = Move.browse(
                dict.fromkeys(row["move"] for row in rows if not row.get("credit"))
            )
            line.credit_move_ids = Move.browse(
                dict.fromkeys(row["move"] for row in rows if row.get("credit"))
            )

    @api.depends("details_data")
    def _compute_invoice_count(self):
        for line in self:
            line.invoice_count = len(
                [row for row in line.details_data or [] if not row.get("credit")]
            )
