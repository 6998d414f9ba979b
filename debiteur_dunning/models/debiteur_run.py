import logging
import threading
import time

from odoo import api, fields, models
from odoo.tools import split_every

from .debiteur_proof_mixin import GROUP_USER, require_group

_logger = logging.getLogger(__name__)

CRON_BATCH_SIZE = 50
CRON_TIME_BUDGET = 240  # seconds of work per scheduler call before it yields


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
            self.env["debiteur.dispatch"]._send_communications(drafts)
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

    # ------------------------------------------------------------------
    # The daily scheduler
    # ------------------------------------------------------------------
    @api.model
    def _cron_run(self):
        """Daily scheduler (``ir_cron_debiteur_run``): the features' work that
        goes first (``_debiteur_daily_before``), then dunning for every
        company, batch by batch (``_cron_process``)."""
        self._debiteur_daily_before(fields.Date.context_today(self))
        return self._cron_process()

    @api.model
    def _cron_process(self):
        """The daily scheduler: every company, in committed batches of debtors.

        A company that fails is rolled back to its last committed batch, its run
        records the error, and the scheduler goes on with the next company.
        """
        auto_commit = not getattr(threading.current_thread(), "testing", False)
        started = time.monotonic()
        today = fields.Date.context_today(self)
        companies = self.env["debiteur.policy"].search([]).company_id
        total_done = total_remaining = 0
        for company in companies:
            try:
                done, remaining = self._cron_company_safe(
                    company.with_company(company), today, auto_commit, started
                )
            except Exception as exc:  # noqa: BLE001 logged and recorded on the run
                _logger.exception(
                    "Dunning scheduler: company %s failed; going on with the next",
                    company.id,
                )
                self._cron_record_error(company, today, exc, auto_commit)
                continue
            total_done += done
            total_remaining += remaining
            if remaining:
                break
        if not total_remaining:
            self._debiteur_daily_after(today)
        self.env["ir.cron"]._notify_progress(done=total_done, remaining=total_remaining)
        return total_remaining

    def _cron_company_safe(self, company, today, auto_commit, started):
        """``_cron_company``, undone up to its last commit when it fails."""
        if auto_commit:
            try:
                return self._cron_company(company, today, auto_commit, started)
            except Exception:
                self.env.cr.rollback()
                raise
            finally:
                self.env.invalidate_all()
        try:
            with self.env.cr.savepoint():
                return self._cron_company(company, today, auto_commit, started)
        finally:
            self.env.invalidate_all()

    def _cron_run_of(self, company, today):
        # Evidence: the run is written by the engine only.
        Run = self.env["debiteur.run"].with_company(company).sudo()
        return Run.search(
            [
                ("company_id", "=", company.id),
                ("date", "=", today),
                ("trigger", "=", "cron"),
            ],
            limit=1,
        ) or Run.create({"date": today, "company_id": company.id, "trigger": "cron"})

    def _cron_record_error(self, company, today, exc, auto_commit, batch=None):
        """Record on the company's run of the day that the scheduler failed
        (for a whole company, or only for ``batch``, the debtors' ids)."""
        run = self._cron_run_of(company, today)
        error = "%s: %s" % (type(exc).__name__, exc)
        if batch is None:
            message = self.env._(
                "Scheduler failed for this company: %(error)s", error=error
            )
            run.state = "failed"
        else:
            message = self.env._(
                "Batch of %(count)s debtor(s) skipped after an error: %(error)s "
                "(debtor ids: %(ids)s).",
                count=len(batch),
                error=error,
                ids=", ".join(str(i) for i in batch),
            )
        run.error_count += 1
        run._log(message)
        if auto_commit:
            self.env.cr.commit()  # pylint: disable=invalid-commit
        return run

    def _cron_company(self, company, today, auto_commit, started):
        self = self.with_company(company)
        Engine = self.env["debiteur.engine"]
        run = self._cron_run_of(company, today)
        # What the features do before reminders are proposed (e.g. match
        # payments that came in), then the debtors to look at: those with an
        # overdue invoice, less those this run has written to already (a call
        # that resumes a run).
        company._debiteur_before_dunning(today)
        debtors = Engine._candidate_partner_ids(today, company, run)
        done = 0
        for batch in split_every(CRON_BATCH_SIZE, debtors):
            if not Engine._lock_company(company, raise_if_busy=False):
                run._log(self.env._("Another run is busy; the scheduler will retry."))
                return done, len(debtors) - done
            # Each batch is its own transaction and proposes for its own
            # debtors: payments committed since the run started are respected,
            # and the whole company's proposals are never held at once. A batch
            # that fails is rolled back alone, recorded on the run and skipped.
            try:
                with self.env.cr.savepoint():
                    self._cron_batch(run, company, today, batch)
            except Exception as exc:  # noqa: BLE001 logged and recorded on the run
                _logger.exception(
                    "Dunning scheduler: run %s, a batch of %s debtors failed",
                    run.id,
                    len(batch),
                )
                self.env.invalidate_all()
                self._cron_record_error(company, today, exc, False, batch=batch)
            done += len(batch)
            self.env["ir.cron"]._notify_progress(
                done=done, remaining=len(debtors) - done
            )
            if auto_commit:
                self.env.cr.commit()  # pylint: disable=invalid-commit
            # Start each batch with an empty cache: the letters rendered so far
            # (their PDFs) would otherwise stay in memory for the whole run.
            self.env.invalidate_all()
            if done < len(debtors) and time.monotonic() - started > CRON_TIME_BUDGET:
                return done, len(debtors) - done
        self.env["debiteur.dispatch"]._merge_letters_for_print(run)
        run.state = "review" if run.draft_count else "done"
        run._log(self.env._("Scheduler: %(count)s debtor(s) handled.", count=done))
        self._debiteur_daily_company(company, today)
        if auto_commit:
            self.env.cr.commit()  # pylint: disable=invalid-commit
        return done, 0

    def _cron_batch(self, run, company, today, batch):
        Engine = self.env["debiteur.engine"]
        proposals = [
            p
            for p in Engine._compute_proposals(today, company, partner_ids=batch)
            if p.selectable
        ]
        comms = Engine._apply(run, proposals, send=False)
        to_send = comms.filtered(lambda c: c.policy_id.auto_send)
        self.env["debiteur.dispatch"]._send_communications(
            to_send, merge_letters=False, fresh=True
        )

    # ------------------------------------------------------------------
    # Hooks: the daily work of the features around the dunning
    # ------------------------------------------------------------------
    @api.model
    def _debiteur_daily_before(self, today):
        """Before any company is dunned, at every scheduler call.

        Arrangements go first, so the invoices of a broken arrangement are
        dunned the same morning.
        """
        self.env["debiteur.arrangement"]._cron_process_arrangements(today)

    @api.model
    def _debiteur_daily_company(self, company, today):
        """After the debtors of ``company`` were dunned (its last batch,
        committed with it): cases for invoices that became overdue overnight."""
        self.env["debiteur.case.sync"].sudo()._sync_company(company, today)

    @api.model
    def _debiteur_daily_after(self, today):
        """After the last company, once no debtor is left for the day: the
        promises to pay that were due are checked."""
        self.env["debiteur.case"].sudo()._cron_check_promises(today)
