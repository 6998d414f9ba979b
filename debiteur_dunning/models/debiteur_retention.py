"""Retention of letters and dossiers (GDPR art. 5(1)(e), art. 52 AWR).

The stored letter PDFs, the print files made of them and the collection
dossier files are kept for the company's retention period (default 7 years,
the Dutch fiscal retention period of art. 52 AWR) after the claim is closed,
then deleted by a daily, batched purge. What proves what was sent stays: the
records themselves, their metadata and the SHA-256 of every file; each record
shows the date its files were purged.

When a claim is closed:
- a letter: when the debtor's follow-up case in that company was closed, on or
  after the letter's date (nothing was overdue any more);
- a dossier: when its handoff reached a final state (collected, partly
  collected, uncollectible, recalled).
"""

import threading
import time

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.tools import SQL

RETENTION_BATCH_SIZE = 200
RETENTION_TIME_BUDGET = 240  # seconds of work per call before it yields


class DebiteurRetention(models.AbstractModel):
    _name = "debiteur.retention"
    _description = "Dunning Retention Purge"

    @api.model
    def _cutoff(self, company, today):
        """Claims closed before this date are past their retention period."""
        return today - relativedelta(years=company.debiteur_retention_years)

    @api.model
    def _purgeable_communications(self, company, today, limit=None):
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                SELECT c.id FROM debiteur_communication c
                 WHERE c.company_id = %(company)s
                   AND c.attachment_id IS NOT NULL
                   AND c.letter_purged_date IS NULL
                   AND EXISTS (
                       SELECT 1 FROM debiteur_case k
                        WHERE k.partner_id = c.partner_id
                          AND k.company_id = c.company_id
                          AND k.is_closed
                          AND k.closed_date < %(cutoff)s
                          AND c.date <= k.closed_date)
                 ORDER BY c.id
                 LIMIT %(limit)s
                """,
                company=company.id,
                cutoff=self._cutoff(company, today),
                limit=limit,
            )
        )
        return self.env["debiteur.communication"].browse(
            row[0] for row in self.env.cr.fetchall()
        )

    @api.model
    def _purgeable_handoffs(self, company, today, limit=None):
        return (
            self.env["debiteur.handoff"]
            .sudo()
            .search(
                [
                    ("company_id", "=", company.id),
                    ("closed_date", "<", self._cutoff(company, today)),
                    ("dossier_purged_date", "=", False),
                ],
                order="id",
                limit=limit,
            )
        )

    @api.model
    def _purge_communications(self, comms, today):
        """Delete the letters of ``comms``; keep their SHA-256 and metadata."""
        comms = comms.sudo()
        # sudo: the purge is the server's; the letters are evidence clients
        # cannot delete.
        comms.attachment_id.sudo().unlink()
        comms.write({"letter_purged_date": today})
        for comm in comms:
            note = comm._debiteur_chatter()
            note.message_post(
                body=note.env._(
                    "Letter deleted after the retention period (SHA-256 %(sha)s kept).",
                    sha=comm.letter_sha256 or "-",
                )
            )
        # Print files whose letters are all purged go too.
        runs = comms.run_id.filtered(
            lambda r: r.letter_attachment_ids or r.letter_attachment_id
        )
        for run in runs:
            if not run.communication_ids.filtered(
                lambda c: c.attachment_id and not c.letter_purged_date
            ):
                (run.letter_attachment_ids | run.letter_attachment_id).sudo().unlink()
                run._log(self.env._("Print files deleted after the retention period."))

    @api.model
    def _purge_handoffs(self, handoffs, today):
        """Delete the dossier files of ``handoffs``; keep hashes and metadata."""
        handoffs = handoffs.sudo()
        for handoff in handoffs:
            files = handoff._dossier_attachments()
            if files and not handoff.dossier_sha256:
                handoff.dossier_sha256 = handoff._dossier_fingerprint(files)
            files.unlink()
            handoff.dossier_purged_date = today
            note = handoff._debiteur_chatter()
            note.message_post(
                body=note.env._(
                    "Dossier files deleted after the retention period (SHA-256 "
                    "kept: %(sha)s).",
                    sha=handoff.dossier_sha256 or "-",
                )
            )

    @api.model
    def _cron_purge(self, today=None):
        """Daily: every company, batch by batch; yields after a time budget and
        asks to be called again (``ir.cron`` progress) while work remains."""
        auto_commit = not getattr(threading.current_thread(), "testing", False)
        started = time.monotonic()
        today = today or fields.Date.context_today(self)
        done = remaining = 0
        for company in self.env["res.company"].search([]):
            for finder, purger in (
                (self._purgeable_communications, self._purge_communications),
                (self._purgeable_handoffs, self._purge_handoffs),
            ):
                while True:
                    batch = finder(company, today, limit=RETENTION_BATCH_SIZE)
                    if not batch:
                        break
                    if done and time.monotonic() - started > RETENTION_TIME_BUDGET:
                        remaining = len(finder(company, today))
                        self.env["ir.cron"]._notify_progress(
                            done=done, remaining=remaining
                        )
                        return remaining
                    purger(batch, today)
                    done += len(batch)
                    if auto_commit:
                        self.env.cr.commit()  # pylint: disable=invalid-commit
                    self.env.invalidate_all()
        self.env["ir.cron"]._notify_progress(done=done, remaining=0)
        return 0
