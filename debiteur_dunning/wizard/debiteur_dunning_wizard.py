import lxml.html
from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_date

from ..models.debiteur_proof_mixin import GROUP_USER, require_group

LETTER_REPORT = "debiteur_dunning.action_report_debiteur_letter"

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
    selected_count = fields.Integer(
        compute="_compute_summary", string="Reminders to Send"
    )
    letter_count = fields.Integer(compute="_compute_summary", string="Of Which Letters")
    total_amount = fields.Monetary(
        compute="_compute_summary",
        currency_field="currency_id",
        string="Total Claimed",
        help="Balance, interest and costs due of the selected reminders.",
    )
    line_count = fields.Integer(compute="_compute_summary", string="Debtors Proposed")
    confirm_label = fields.Char(compute="_compute_summary")
    summary_text = fields.Char(compute="_compute_summary")
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

    @api.depends(
        "line_ids.selected", "line_ids.total_claim", "line_ids.channel", "currency_id"
    )
    def _compute_summary(self):
        # Read once for all the lines: a preview holds a thousand debtors.
        self.line_ids.fetch(["selected", "selectable", "total_claim", "channel"])
        for wizard in self:
            selected = wizard.line_ids.filtered(
                lambda line: line.selected and line.selectable
            )
            letters = selected.filtered(
                lambda line: line.channel in ("letter", "email_letter")
            )
            total = wizard.currency_id.round(sum(selected.mapped("total_claim")))
            wizard.line_count = len(wizard.line_ids)
            wizard.selected_count = len(selected)
            wizard.letter_count = len(letters)
            wizard.total_amount = total
            amount = wizard.currency_id.format(total) if wizard.currency_id else total
            wizard.confirm_label = self.env._(
                "Send %(count)s reminders (%(letters)s letters), %(amount)s",
                count=len(selected),
                letters=len(letters),
                amount=amount,
            )
            wizard.summary_text = self.env._(
                "%(count)s of %(debtors)s debtors get a reminder, %(letters)s of "
                "them by post; %(amount)s claimed in total.",
                count=len(selected),
                debtors=len(wizard.line_ids),
                letters=len(letters),
                amount=amount,
            )

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
        return self.action_open_review()

    def action_open_review(self):
        """The preview as a full-screen list of the debtors: filters on
        warnings, channel and level; a debtor opens on its invoices, its
        letter and its e-mail."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "debiteur_dunning.action_debiteur_dunning_wizard_line"
        )
        action.update(
            {
                "domain": [("wizard_id", "=", self.id)],
                "context": {
                    "debiteur_wizard_id": self.id,
                    "search_default_filter_selectable": 1,
                },
            }
        )
        action["name"] = action["display_name"] = self.env._(
            "Reminders of %(date)s", date=format_date(self.env, self.date)
        )
        return action

    def action_open_confirm(self):
        """The confirmation: what will be sent, in one sentence on the button."""
        self.ensure_one()
        return dict(
            self._reopen(),
            name=self.env._("Confirm the Reminders"),
            views=[
                (
                    self.env.ref(
                        "debiteur_dunning.debiteur_dunning_wizard_view_form_confirm"
                    ).id,
                    "form",
                )
            ],
        )

    def _line_vals(self, proposal):
        return {
            "partner_id": proposal.partner_id,
            "recipient_id": proposal.recipient_id,
            "policy_id": proposal.policy_id,
            "level_id": proposal.level_id,
            "amount": proposal.amount_due,
            "interest_amount": proposal.interest_amount,
            "costs_amount": proposal.costs_amount if proposal.costs_due else 0.0,
            "total_claim": self.currency_id.round(
                proposal.amount_due
                + proposal.interest_amount
                + (proposal.costs_amount if proposal.costs_due else 0.0)
            ),
            "has_warning": bool(proposal.warnings),
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
                "interest": inv.interest,
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
    _rec_name = "partner_id"

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
    amount_credit = fields.Monetary(currency_field="currency_id", string="Credit")
    interest_amount = fields.Monetary(currency_field="currency_id", string="Interest")
    costs_amount = fields.Monetary(
        currency_field="currency_id",
        string="Costs",
        help="Collection costs or damages claimed in this reminder (costs only "
        "announced for after the term are not counted).",
    )
    total_claim = fields.Monetary(
        currency_field="currency_id",
        string="Total Claimed",
        help="Balance due, interest and costs claimed.",
    )
    channel = fields.Selection(CHANNELS, required=True)
    is_letter = fields.Boolean(compute="_compute_is_letter", store=True)
    warning = fields.Text()
    has_warning = fields.Boolean(string="Has Warnings")
    # The reminder as it will be sent, rendered on opening the debtor (see
    # ``_render_reminder``): nothing of it is stored.
    letter_preview = fields.Html(
        compute="_compute_reminder_preview", sanitize=False, string="Letter"
    )
    mail_subject = fields.Char(compute="_compute_reminder_preview", string="Subject")
    mail_preview = fields.Html(
        compute="_compute_reminder_preview", sanitize=False, string="E-mail"
    )
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

    @api.depends("channel")
    def _compute_is_letter(self):
        for line in self:
            line.is_letter = line.channel in ("letter", "email_letter")

    def web_read(self, specification):
        return super().web_read(specification)

    # Reading the letter tab renders the reminder inside a savepoint (rows
    # written, then rolled back): on the read-only cursor web_read gets by
    # default, the server logged an error and read the form twice.
    web_read._readonly = False

    @api.depends("channel", "partner_id")
    def _compute_reminder_preview(self):
        for line in self:
            rendered = line._render_reminder() if len(self) == 1 else {}
            line.letter_preview = rendered.get("letter", False)
            line.mail_subject = rendered.get("subject", False)
            line.mail_preview = rendered.get("body", False)

    def _render_reminder(self):
        """The letter and the e-mail of this debtor exactly as confirming
        would make them: the engine's proposal for the debtor is applied
        inside a savepoint, rendered, and rolled back. Nothing remains, not
        even a number drawn: the reminder carries the number the sequence
        will give next."""
        self.ensure_one()
        wizard = self.wizard_id
        if not wizard or not self.selectable or self.channel == "phone":
            return {}
        company = wizard.company_id
        Engine = self.env["debiteur.engine"].with_company(company)
        proposal = next(
            (
                p
                for p in wizard._proposals(partner_ids=[self.partner_id.id])
                if p.partner_id == self.partner_id.id and p.selectable
            ),
            None,
        )
        if proposal is None:
            return {}
        proposal.channel = self.channel
        # The web client reads the review with ``bin_size``: binary fields
        # would come as their size ("4.21 Kb"), and the letter's logo, a data
        # URI of the company's logo, would be a broken image. Render as
        # sending does, with the files' contents.
        env = self.with_context(bin_size=False).env
        Comm = env["debiteur.communication"].with_company(company)
        env.flush_all()
        savepoint = env.cr.savepoint(flush=False)
        try:
            run = (
                env["debiteur.run"]
                .sudo()
                .with_context(tracking_disable=True)
                .create(
                    {"date": wizard.date, "company_id": company.id, "trigger": "wizard"}
                )
            )
            vals = Engine._communication_vals_list(run, [proposal])[0]
            vals["name"] = self._next_reminder_name(company)
            vals["payment_reference"] = Comm._payment_reference_for(
                company, vals["name"]
            )
            lines = vals.pop("lines")
            comm = Comm.sudo().with_context(tracking_disable=True).create(vals)
            Line = env["debiteur.communication.line"].sudo()
            Line.create(Line._vals_of(comm, [vals], [lines]))
            comm = comm.with_env(env)
            result = {}
            if self.channel in ("letter", "email_letter", "email"):
                html = env["ir.actions.report"]._render_qweb_html(
                    LETTER_REPORT, comm.ids
                )[0]
                root = lxml.html.fromstring(html)
                articles = root.xpath(
                    "//div[contains(concat(' ', normalize-space(@class), ' '),"
                    " ' article ')]"
                )
                result["letter"] = Markup(
                    lxml.html.tostring(articles[0], encoding="unicode")
                    if articles
                    else html.decode()
                )
            if self.channel in ("email", "email_letter"):
                # As sending does: the invoices' portal tokens in one statement
                # (the e-mail links every invoice), not one write per invoice.
                env["debiteur.dispatch"]._ensure_portal_tokens(comm)
                template = comm.level_id.mail_template_id or env.ref(
                    "debiteur_dunning.mail_template_dunning"
                )
                result["subject"] = template._render_field(
                    "subject", comm.ids, compute_lang=True
                )[comm.id]
                result["body"] = template._render_field(
                    "body_html", comm.ids, compute_lang=True
                )[comm.id]
            env.flush_all()
            return result
        finally:
            savepoint.close(rollback=True)
            env.invalidate_all(flush=False)

    @api.model
    def _next_reminder_name(self, company):
        """The number the reminder sequence of ``company`` gives next, read
        without drawing it."""
        sequence = (
            self.env["ir.sequence"]
            .sudo()
            .search(
                [
                    ("code", "=", "debiteur.communication"),
                    ("company_id", "in", [company.id, False]),
                ],
                order="company_id",
                limit=1,
            )
        )
        if not sequence:
            return "/"
        return sequence.get_next_char(sequence.number_next_actual)

    def action_open_confirm(self):
        """From the preview list: the confirmation of its wizard."""
        wizard = (
            self.env["debiteur.dunning.wizard"].browse(
                self.env.context.get("debiteur_wizard_id")
            )
            or self.wizard_id[:1]
        )
        if not wizard:
            raise UserError(self.env._("This preview has expired: start again."))
        return wizard.action_open_confirm()

    def action_open_why_not(self):
        """Why a debtor is absent from the preview (or why it is in it)."""
        wizard = (
            self.env["debiteur.dunning.wizard"].browse(
                self.env.context.get("debiteur_wizard_id")
            )
            or self.wizard_id[:1]
        )
        context = {"default_partner_id": self[:1].partner_id.id}
        if wizard:
            context.update(
                default_date=fields.Date.to_string(wizard.date),
                default_company_id=wizard.company_id.id,
            )
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "debiteur_dunning.action_debiteur_why_not"
        )
        action["context"] = context
        return action

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
            "<th class='text-end'>%s</th><th class='text-end'>%s</th></tr>"
            "</thead><tbody>"
        ) % (
            self.env._("Document"),
            self.env._("Due"),
            self.env._("Days late"),
            self.env._("Level"),
            self.env._("Open"),
            self.env._("Interest"),
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
                            "<td>%s</td><td class='text-end'>%s</td><td/></tr>"
                        )
                        % (
                            move.name,
                            format_date(self.env, row["date"]),
                            self.env._("Credit"),
                            amount,
                        )
                    )
                    continue
                level = levels.browse(row["level"] or ()).with_prefetch(levels._ids)
                html.append(
                    Markup(
                        "<tr><td>%s</td><td>%s</td><td class='text-end'>%s</td>"
                        "<td>%s%s</td><td class='text-end'>%s</td>"
                        "<td class='text-end'>%s</td></tr>"
                    )
                    % (
                        move.name,
                        format_date(self.env, row["date"]),
                        row["days"],
                        level.name or "",
                        " ↑" if row["up"] else "",
                        amount,
                        currency.format(row["interest"]) if row.get("interest") else "",
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
