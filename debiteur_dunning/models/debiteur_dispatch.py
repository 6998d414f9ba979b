"""Sending reminders: letters, e-mails and calls.

What the engine applied leaves here (``_send_communications``): a reminder
prepared on another day is brought up to the day it leaves, letters are
rendered (in batches, see ``report_pdf``) and merged into print files, e-mails
are queued with their letter attached, and calls become activities.
"""

import io
import logging
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor

import lxml.html
from PyPDF2.errors import PdfReadError

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, config, split_every

from odoo.addons.base.models.ir_actions_report import _get_wkhtmltopdf_bin, _split_table

from .. import report_pdf

_logger = logging.getLogger(__name__)

PRINT_FILE_LETTERS = 200  # letters per print file


class DebiteurDispatch(models.AbstractModel):
    _name = "debiteur.dispatch"
    _description = "Dunning Dispatch (letters, e-mails, calls)"

    @api.model
    def _refresh_claims(self, comms, today):
        """Bring reminders prepared on another day up to ``today``, the day
        they leave: what is still due, the claim, the legal term.

        Invoices paid in the meantime are taken out of the reminder (their
        level does not move); a reminder with nothing left is cancelled, with
        a line in its run's log. The open amounts, the interest and costs
        (``debiteur.claim``, as a letter states them) and the last day of the
        legal term are computed again for ``today``. Returns the cancelled
        reminders.
        """
        _ = self.env._
        # Evidence: written by the engine (the action that sends checked the
        # user's group).
        comms = comms.sudo().filtered(lambda c: c.state in ("draft", "failed"))
        cancelled = self.env["debiteur.communication"].sudo()
        if not comms:
            return cancelled
        lines = comms.invoice_line_ids
        lines.move_id.fetch(
            [
                "state",
                "payment_state",
                "currency_id",
                "amount_residual",
                "amount_residual_signed",
            ]
        )

        def still_due(move):
            return (
                move.state == "posted"
                and move.payment_state in ("not_paid", "partial")
                and move.currency_id.compare_amounts(move.amount_residual, 0.0) > 0
            )

        paid = lines.filtered(lambda line: not still_due(line.move_id))
        for comm in comms:
            gone = paid & comm.invoice_line_ids
            if gone and gone == comm.invoice_line_ids:
                comm.write(
                    {
                        "state": "cancelled",
                        "cancel_reason": _("Paid before the reminder was sent."),
                        "cancel_user_id": self.env.user.id,
                    }
                )
                note = comm._debiteur_chatter()
                message = note.env._(
                    "%(reminder)s to %(partner)s: cancelled, its invoices were "
                    "paid before it was sent.",
                    reminder=comm.name,
                    partner=comm.partner_id.display_name,
                )
                comm.run_id._log(message)
                note.message_post(body=message)
                cancelled |= comm
            elif gone:
                comm.run_id._log(
                    _(
                        "%(reminder)s to %(partner)s: %(invoices)s paid before it "
                        "was sent, left out.",
                        reminder=comm.name,
                        partner=comm.partner_id.display_name,
                        invoices=", ".join(gone.move_id.mapped("display_name")),
                    )
                )
        paid.unlink()
        comms -= cancelled
        for line in comms.invoice_line_ids:
            move = line.move_id
            line.write(
                {
                    "amount_residual": move.amount_residual,
                    "amount_residual_company": move.amount_residual_signed,
                    "days_overdue": (today - line.date_due).days
                    if line.date_due
                    else line.days_overdue,
                }
            )
        for company in comms.company_id:
            self._refresh_company_claims(
                comms.filtered(lambda c, co=company: c.company_id == co), today
            )
        return cancelled

    @api.model
    def _refresh_company_claims(self, comms, today):
        """The claims of ``comms`` (one company) as they leave ``today``: one
        ``debiteur.claim`` call for all of them (a debtor has one reminder per
        run; reminders of one debtor from several runs go in rounds)."""
        rounds = []
        for comm in comms:
            pid = comm.partner_id.id
            for round_comms in rounds:
                if pid not in round_comms:
                    round_comms[pid] = comm
                    break
            else:
                rounds.append({pid: comm})
        for by_partner in rounds:
            self._refresh_round(by_partner, today)

    def _refresh_round(self, by_partner, today):
        """``_refresh_company_claims`` for ``{debtor id: reminder}``."""
        comms = self.env["debiteur.communication"].union(*by_partner.values())
        company = comms.company_id
        currency = company.currency_id
        Legal = self.env["debiteur.legal"]
        deadlines = {
            pid: Legal._legal_deadline(
                today, comm.level_id, comm.policy_id, comm.channel, comm.partner_id
            )
            for pid, comm in by_partner.items()
        }
        with_interest = {
            pid
            for pid, comm in by_partner.items()
            if comm.level_id.charge_interest and comm.policy_id.interest_mode != "none"
        }
        claims = self.env["debiteur.claim"]._claims(
            company,
            {pid: comm.invoice_line_ids.move_id for pid, comm in by_partner.items()},
            today,
            policies={pid: comm.policy_id for pid, comm in by_partner.items()},
            levels={pid: comm.level_id for pid, comm in by_partner.items()},
            deadlines=deadlines,
            announce=True,
            lang=True,
            interest_for=with_interest,
        )
        for pid, comm in by_partner.items():
            claim = claims[pid]
            overdue = currency.round(
                sum(comm.invoice_line_ids.mapped("amount_residual_company"))
            )
            values = {
                "date": today,
                "legal_deadline": deadlines[pid],
                "amount_overdue": overdue,
                "amount_due": currency.round(overdue + comm.amount_credit),
            }
            if pid in with_interest and not claim.error:
                values["interest_amount"] = float(claim.interest)
                for line in comm.invoice_line_ids:
                    entry = claim.invoices.get(line.move_id.id)
                    line.interest_amount = float(entry["interest"]) if entry else 0.0
            if comm.level_id.charge_costs:
                values.update(
                    costs_amount=float(claim.costs),
                    costs_due=claim.costs_due,
                    costs_note=claim.costs_note or False,
                )
            comm.write(values)

    # ------------------------------------------------------------------
    # Sending
    # ------------------------------------------------------------------
    @api.model
    def _send_communications(self, comms, merge_letters=True, fresh=False):
        """Render the letters, queue the e-mails, collect the letters to print
        (unless ``merge_letters`` is False: the scheduler merges its run's
        letters once, after its last batch).

        The claim is that of the day a reminder leaves: one prepared on
        another day (a draft confirmed later, a back-dated run, a retry) is
        checked and computed again first (:meth:`_refresh_claims`). ``fresh``:
        the reminders were proposed and checked today, in this transaction.
        """
        today = fields.Date.context_today(self)
        stale = comms if not fresh else comms.filtered(lambda c: c.date != today)
        if stale:
            comms -= self._refresh_claims(stale, today).with_env(comms.env)
        if not comms:
            return
        # Every debtor's page link made or renewed at once, not once for the
        # e-mail and once for the letter of every reminder.
        prepared = self.env["debiteur.debtor.link"]._prepare_links(comms)
        self = self.with_context(debiteur_debtor_links=prepared)
        comms = comms.with_env(self.env)
        with_letter = comms.filtered(lambda c: c.channel != "phone")
        self._render_letters(with_letter)
        emails = comms.filtered(lambda c: c.channel in ("email", "email_letter"))
        self._ensure_portal_tokens(emails)
        self._queue_mails(emails)
        printed = comms.filtered(lambda c: c.channel == "letter")
        printed.sudo().write(
            {"state": "printed", "sent_date": fields.Date.context_today(self)}
        )
        for comm in comms.filtered(lambda c: c.channel == "phone"):
            self._schedule_call(comm)
        if merge_letters:
            self._merge_letters_for_print(comms.run_id)
        # The debtors' cases follow what was sent (a case is bookkeeping derived
        # from the facts, whoever sends).
        self.env["res.partner"]._debiteur_after_reminders(comms)

    def _render_letters(self, comms):
        """Render the letters in batches: one wkhtmltopdf call per batch.

        A wkhtmltopdf built with Odoo's patched Qt renders a batch as several
        documents and Odoo splits the PDF on its outline. An unpatched build
        (Debian's) refuses more than one document per call: the batch is then
        rendered as one document, one letter per page break, and split on each
        letter's marker. Should that split fail, the letters go one per call.

        As one document, a batch's wkhtmltopdf runs in a thread of its own
        while this one renders the next batch's HTML (two cores busy instead
        of one); its PDF is split and attached here, after that.
        """
        todo = list(comms.ids)
        pending = None
        with ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="wkhtmltopdf"
        ) as pool:
            while todo:
                mode = report_pdf.letter_batching["mode"]
                size = report_pdf.batch_size(mode)
                batch = comms.browse(todo[:size])
                del todo[:size]
                if mode == "one_document" and len(batch) > 1 and self._renders_pdf():
                    started = self._start_letters_document(batch, pool)
                    if started is None:
                        self._render_letters_each(batch)
                        continue
                    if pending:
                        self._finish_letters_document(*pending)
                    pending = (batch, started)
                    continue
                if pending:
                    self._finish_letters_document(*pending)
                    pending = None
                try:
                    self._render_letters_documents(batch)
                except (PdfReadError, UserError) as exc:
                    if len(batch) == 1:
                        raise
                    _logger.warning(
                        "Rendering %s letters as separate documents in one "
                        "wkhtmltopdf call failed (%s): wkhtmltopdf is not built "
                        "with Odoo's patched Qt; rendering each batch as one "
                        "document from now on.",
                        len(batch),
                        exc,
                    )
                    report_pdf.letter_batching["mode"] = "one_document"
                    self._render_letters(batch)
            if pending:
                self._finish_letters_document(*pending)

    def _render_letters_each(self, batch):
        """One letter per wkhtmltopdf call: a batch that cannot be split."""
        for comm in batch:
            self._render_letters_documents(comm)

    def _renders_pdf(self):
        """False in Odoo's test mode, where reports come out as HTML unless a
        test asks for real rendering (as ``_pre_render_qweb_pdf`` decides)."""
        testing = config["test_enable"] or config["test_file"]
        return not testing or self.env.context.get("force_report_rendering")

    def _render_letters_documents(self, batch):
        Report = self.env["ir.actions.report"]
        report_ref = "debiteur_dunning.action_report_debiteur_letter"
        result, kind = Report._pre_render_qweb_pdf(report_ref, res_ids=batch.ids)
        if kind == "pdf":
            for comm in batch:
                stream = result[comm.id]["stream"]
                comm._attach_letter(stream.getvalue(), "application/pdf")
                stream.close()
        else:
            # Test mode without report rendering: keep the HTML as the proof.
            for comm in batch:
                html, _kind = Report._render_qweb_html(report_ref, comm.ids)
                comm._attach_letter(html, "text/html")

    def _start_letters_document(self, batch, pool):
        """Render ``batch``'s HTML as one document and start its wkhtmltopdf
        in ``pool``: a future of ``(pdf, warnings)``, or None when the batch
        cannot be rendered as one document.

        The letter is self-contained (no header or footer document, nothing
        to fetch, no script): wkhtmltopdf gets the command line Odoo's
        ``_run_wkhtmltopdf`` builds for it, without a session cookie, which
        would serve nothing. Only the subprocess runs in the thread.
        """
        Report = self.env["ir.actions.report"].with_context(debug=False)
        report_ref = "debiteur_dunning.action_report_debiteur_letter"
        report = Report._get_report(report_ref)
        html = Report._render_qweb_html(
            report_ref, batch.ids, data={"report_type": "pdf", "debug": False}
        )[0]
        bodies, html_ids, header, footer, paperformat_args = report._prepare_html(
            html, report_model=report.model
        )
        if html_ids != batch.ids or header or footer:
            return None
        markers = [report_pdf.letter_marker(comm.id) for comm in batch]
        body = report_pdf.join_letter_bodies(bodies, markers)
        if len(body) < 4 * 1024 * 1024:
            body = body.encode()
        else:
            # As Odoo's _run_wkhtmltopdf: long tables cut every 500 rows.
            tree = lxml.html.fromstring(body)
            _split_table(tree, 500)
            body = lxml.html.tostring(tree)
        command = [
            _get_wkhtmltopdf_bin(),
            *Report.with_context(debiteur_no_script_delay=True)._build_wkhtmltopdf_args(
                report.get_paperformat(),
                False,
                specific_paperformat_args=paperformat_args,
                set_viewport_size=False,
            ),
        ]
        return pool.submit(report_pdf.run_wkhtmltopdf, command, body)

    def _finish_letters_document(self, batch, started):
        """Split the PDF ``started`` made of ``batch`` and attach each letter's
        pages to it; a batch that cannot be split goes one letter per call."""
        try:
            pdf, warnings = started.result()
        except report_pdf.WkhtmltopdfError as exc:
            message = self.env._(
                "wkhtmltopdf failed (error code: %(code)s). Message: %(message)s",
                code=exc.returncode,
                message=exc.stderr[-1000:],
            )
            _logger.warning(message)
            raise UserError(message) from exc
        if warnings:
            _logger.warning("wkhtmltopdf: %s", warnings)
        letters = report_pdf.split_letters(pdf, len(batch))
        if letters is None:
            if report_pdf.has_marker(pdf):
                # A letter of this batch is at fault (say, a template that
                # uses the markers' font): the other batches still split.
                _logger.warning(
                    "Could not split %s letters rendered as one document on "
                    "their markers; rendering this batch one letter per call.",
                    len(batch),
                )
            else:
                _logger.warning(
                    "The PDF of %s letters rendered as one document has no "
                    "marker (is the font %s missing?); rendering letters one "
                    "per call from now on.",
                    len(batch),
                    report_pdf.MARKER_FONT,
                )
                report_pdf.letter_batching["mode"] = "single"
            self._render_letters_each(batch)
            return
        for comm, content in zip(batch, letters, strict=True):
            comm._attach_letter(content, "application/pdf")

    def _ensure_portal_tokens(self, comms):
        """Give the listed invoices their portal token in one statement.

        The e-mail links every invoice to the portal; creating the tokens one
        by one through ``account.move.write`` costs five queries per invoice.
        """
        moves = comms.invoice_line_ids.move_id
        if not moves:
            return
        self.env["account.move"].flush_model(["access_token"])
        self.env.cr.execute(
            SQL(
                """
                UPDATE account_move
                   SET access_token = gen_random_uuid()::text
                 WHERE id = ANY(%s) AND access_token IS NULL
                """,
                moves.ids,
            )
        )
        moves.invalidate_recordset(["access_token"])

    def _queue_mails(self, comms):
        """Queue one e-mail per communication, its letter attached.

        One ``send_mail_batch`` per mail template, its body compiled once for
        all its communications (``debiteur_compile_once``, see ``ir_qweb``)
        instead of again for every e-mail.
        """
        default = self.env.ref("debiteur_dunning.mail_template_dunning")
        by_template = defaultdict(lambda: self.env["debiteur.communication"])
        for comm in comms:
            by_template[comm.level_id.mail_template_id or default] |= comm
        for template, group in by_template.items():
            mails = template.with_context(debiteur_compile_once=True).send_mail_batch(
                group.ids,
                force_send=False,
                email_values={"auto_delete": False},
                email_layout_xmlid="mail.mail_notification_light",
            )
            for comm, mail in zip(group, mails, strict=True):
                mail.write(
                    {
                        "recipient_ids": [fields.Command.set(comm.recipient_id.ids)],
                        "attachment_ids": [fields.Command.set(comm.attachment_id.ids)],
                    }
                )
                comm.sudo().mail_id = mail
            group.sudo().write({"state": "queued"})

    def _schedule_call(self, comm):
        user = (
            comm.partner_id.debiteur_user_id
            or comm.company_id.debiteur_user_id
            or self.env.user
        )
        note = comm._debiteur_chatter()
        note.activity_schedule(
            "mail.mail_activity_data_call",
            date_deadline=comm.date,
            summary=note.env._(
                "Call %(partner)s about overdue invoices (%(level)s)",
                partner=comm.partner_id.display_name,
                level=comm.level_id.name,
            ),
            user_id=user.id,
        )
        comm.sudo().write({"state": "sent", "sent_date": comm.date})

    def _merge_letters_for_print(self, runs):
        """The run's letters that go by post, sorted by debtor, merged into
        print files of at most PRINT_FILE_LETTERS letters, replacing the run's
        previous ones (a run whose letters are sent in several steps still
        prints them all). One file at a time is held in memory: a scheduler
        run of thousands of letters would otherwise hold them all at once."""
        Attachment = self.env["ir.attachment"]
        Report = self.env["ir.actions.report"]
        for run in runs:
            letters = run.communication_ids.filtered(
                lambda c: (
                    c.channel in ("letter", "email_letter")
                    and c.state != "cancelled"
                    and c.attachment_id.mimetype == "application/pdf"
                )
            ).sorted(lambda c: (c.partner_id.name or "", c.id))
            previous = run.letter_attachment_ids | run.letter_attachment_id
            chunks = list(split_every(PRINT_FILE_LETTERS, letters.ids, letters.browse))
            files = Attachment
            for number, chunk in enumerate(chunks, start=1):
                streams = [io.BytesIO(c.attachment_id.raw) for c in chunk]
                merged = Report._merge_pdfs(streams).getvalue()
                for stream in streams:
                    stream.close()
                if len(chunks) == 1:
                    name = self.env._("Letters to print %(date)s.pdf", date=run.date)
                else:
                    name = self.env._(
                        "Letters to print %(date)s (%(part)s of %(parts)s).pdf",
                        date=run.date,
                        part=number,
                        parts=len(chunks),
                    )
                files |= Attachment.create(
                    {
                        "name": name,
                        "raw": merged,
                        "mimetype": "application/pdf",
                        "res_model": run._name,
                        "res_id": run.id,
                    }
                )
                del merged
                # Let the letters' and the file's contents go.
                chunk.attachment_id.invalidate_recordset(["raw", "datas"])
                files.invalidate_recordset(["raw", "datas"])
            run.sudo().write(
                {
                    "letter_attachment_ids": [fields.Command.set(files.ids)],
                    "letter_attachment_id": files[:1].id,
                }
            )
            previous.unlink()
