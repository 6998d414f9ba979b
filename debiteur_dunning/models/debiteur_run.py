from odoo import api, fields, models

from .debiteur_proof_mixin import GROUP_USER, require_group


class DebiteurRun(models.Model):
    """One execution of the dunning engine: the unit of audit."""

    _name = "debiteur.run"
    _inherit = ["debiteur.proof.mixin"]
    _description = "Dunning Run"
    _order = "date desc, id desc"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name", store=True)
    date = fields.Date(required=True, index=True, readonly=True)
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        readonly=True,
        default=lambda self: self.env.company,
    )
    trigger = fields.Selection(
        [("wizard", "Dunning wizard"), ("cron", "Scheduler"), ("manual", "Manual")],
        required=True,
        readonly=True,
        default="wizard",
    )
    user_id = fields.Many2one(
        "res.users", readonly=True, default=lambda self: self.env.user
    )
    state = fields.Selection(
        [
            ("running", "Running"),
            ("review", "To review"),
            ("done", "Done"),
            ("failed", "Failed"),
        ],
        required=True,
        default="running",
        readonly=True,
        index=True,
    )
    communication_ids = fields.One2many(
        "debiteur.communication", "run_id", readonly=True
    )
    communication_count = fields.Integer(compute="_compute_counts")
    sent_count = fields.Integer(compute="_compute_counts")
    draft_count = fields.Integer(compute="_compute_counts")
    failed_count = fields.Integer(compute="_compute_counts")
    debtor_count = fields.Integer(readonly=True, help="Debtors examined.")
    skipped_count = fields.Integer(readonly=True, help="Debtors skipped.")
    letter_attachment_id = fields.Many2one(
        "ir.attachment",
        string="Letters to Print",
        readonly=True,
        help="The letters of this run merged into one PDF, ready to print (the "
        "first file when the run has more letters than one file holds).",
    )
    letter_attachment_ids = fields.Many2many(
        "ir.attachment",
        "debiteur_run_print_file_rel",
        "run_id",
        "attachment_id",
        string="Print Files",
        readonly=True,
        help="The letters of this run to print, in files of at most 200 letters.",
    )
    log = fields.Text(readonly=True)
    error_count = fields.Integer(
        string="Errors",
        readonly=True,
        help="Batches or companies the scheduler skipped after an error (see the "
        "log); the other debtors were reminded.",
    )

    @api.depends("date", "trigger", "company_id")
    def _compute_name(self):
        labels = dict(self._fields["trigger"]._description_selection(self.env))
        for run in self:
            run.name = "%s %s" % (labels.get(run.trigger, ""), run.date or "")

    @api.depends("communication_ids.state")
    def _compute_counts(self):
        groups = self.env["debiteur.communication"]._read_group(
            [("run_id", "in", self.ids)], ["run_id", "state"], ["__count"]
        )
        by_run = {}
        for run, state, count in groups:
            by_run.setdefault(run.id, {})[state] = count
        for run in self:
            counts = by_run.get(run.id, {})
            run.communication_count = sum(counts.values())
            run.sent_count = sum(
                counts.get(s, 0) for s in ("queued", "sent", "printed")
            )
            run.draft_count = counts.get("draft", 0)
            run.failed_count = counts.get("failed", 0)

    def _log(self, message):
        """Append one line to the run's log (kept as the audit trail)."""
        for run in self.sudo():
            stamp = fields.Datetime.now().strftime("%H:%M:%S")
            run.log = "%s%s %s\n" % (run.log or "", stamp, message)

    def action_view_communications(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "debiteur_dunning.action_debiteur_communication"
        )
        action["domain"] = [("run_id", "=", self.id)]
        action["context"] = {"search_default_group_state": 1}
        return action

    def action_confirm_review(self):
        """Confirm and send the proposals the scheduler prepared (review mode)."""
        require_group(self.env, GROUP_USER)
        for run in self:
            drafts = run.communication_ids.filtered(lambda c: c.state == "draft")
            self.env["debiteur.engine"]._send_communications(drafts)
            run.sudo().state = "done"
        return True

    def action_download_letters(self):
        self.ensure_one()
        if not self.letter_attachment_id:
            return False
        return {
            "type": "ir.actions.act_url",
            "url": "/web/content/%s?download=true" % self.letter_attachment_id.id,
            "target": "self",
        }

    @api.model
    def _cron_run(self):
        """Daily scheduler: dunning for every company, batch by batch.

        Arrangements go first, so the invoices of a broken arrangement are
        dunned the same morning.

        The scheduler's user (OdooBot) reads English: what the run writes in
        the chatter is written in the company's language instead.
        """
        lang = self.env.company.partner_id.lang
        if lang and lang != self.env.context.get("lang"):
            self = self.with_context(lang=lang)
        self.env["debiteur.arrangement"]._cron_process_arrangements(
            fields.Date.context_today(self)
        )
        return self.env["debiteur.engine"]._cron_process()
