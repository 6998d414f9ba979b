"""Letters rendered as one document per batch, wkhtmltopdf in a thread.

With an unpatched wkhtmltopdf (one document per call) each batch of letters
is rendered as one document; its wkhtmltopdf runs in a thread while the next
batch's HTML is rendered (``debiteur.dispatch._render_letters``), without
Odoo's one-second wait for scripts (the letter has none). The letters must be
those Odoo's own ``_run_wkhtmltopdf`` makes of the same HTML: the same bytes,
but for the names wkhtmltopdf draws at random for the font subsets.
"""

import io
import re
import shutil
from unittest.mock import patch

from freezegun import freeze_time
from PyPDF2 import PdfReader

from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.base.models.ir_actions_report import IrActionsReport
from odoo.addons.debiteur_dunning import report_pdf

from .common import TODAY, DebiteurCommon

WKHTMLTOPDF = shutil.which("wkhtmltopdf")
REPORT = "debiteur_dunning.action_report_debiteur_letter"
# "/QEJAAA+LiberationSans": a new six-letter tag every run of wkhtmltopdf.
SUBSET_TAG = re.compile(rb"/[A-Z]{6}\+")


def without_subset_tags(pdf):
    return SUBSET_TAG.sub(b"/SUBSET+", pdf)


@tagged("post_install", "-at_install", "debiteur")
class TestLettersPipeline(DebiteurCommon):
    def setUp(self):
        super().setUp()
        if not WKHTMLTOPDF:
            self.skipTest("rendering letters needs wkhtmltopdf")
        self.env = self.env(context=dict(self.env.context, force_report_rendering=True))
        for patcher in (
            patch.dict(report_pdf.letter_batching, mode="one_document"),
            # Five letters in batches of two, two and one.
            patch.object(report_pdf, "LETTER_BATCH_SIZE", 2),
        ):
            patcher.start()
            self.addCleanup(patcher.stop)
        self.debtors = self.env["res.partner"].create(
            [
                {"name": f"Debtor {i}", "email": f"d{i}@x.example", "is_company": True}
                for i in range(5)
            ]
        )
        for number, partner in enumerate(self.debtors):
            for i in range(1 + 44 * (number == 3)):  # one letter of two pages
                self.create_invoice(partner, 100.0 + 10 * number + i, self.d(-10 - i))

    def odoo_letters(self, comms):
        """``comms``' letters as one document through Odoo's own
        ``_run_wkhtmltopdf`` (its script delay included), split."""
        Report = self.env["ir.actions.report"].with_context(debug=False)
        report = Report._get_report(REPORT)
        html = Report._render_qweb_html(
            REPORT, comms.ids, data={"report_type": "pdf", "debug": False}
        )[0]
        bodies, ids, header, footer, args = report._prepare_html(
            html, report_model=report.model
        )
        self.assertEqual(ids, comms.ids)
        body = report_pdf.join_letter_bodies(
            bodies, [report_pdf.letter_marker(i) for i in ids]
        )
        pdf = IrActionsReport._run_wkhtmltopdf(
            Report,
            [body],
            report_ref=REPORT,
            header=header,
            footer=footer,
            specific_paperformat_args=args,
        )
        return report_pdf.split_letters(pdf, len(comms))

    def test_batches_in_a_thread_give_odoos_letters(self):
        threads = []
        run_wkhtmltopdf = report_pdf.run_wkhtmltopdf

        def watched(command, body):
            ids = [int(i) for i in re.findall(rb"DEBITEURLETTER(\d+)END", body)]
            threads.append((command, ids))
            return run_wkhtmltopdf(command, body)

        with patch.object(report_pdf, "run_wkhtmltopdf", watched):
            run = self.run_dunning(TODAY, deliver=False)
        comms = run.communication_ids.sorted("id")
        self.assertEqual(len(comms), 5)
        # Two batches of two as one document each; the last letter alone.
        self.assertEqual([len(ids) for _command, ids in threads], [2, 2])
        command = threads[0][0]
        self.assertEqual(command[command.index("--javascript-delay") + 1], "0")
        for comm in comms:
            raw = comm.attachment_id.raw
            self.assertEqual(comm.attachment_id.mimetype, "application/pdf")
            pages = PdfReader(io.BytesIO(raw)).pages
            text = "".join(page.extract_text() for page in pages)
            self.assertIn(comm.name, text)
            for other in comms - comm:
                self.assertNotIn(other.name, text)
            many = comm.partner_id == self.debtors[3]
            self.assertEqual(len(pages) > 1, many, comm.partner_id.name)
        for _command, ids in threads:
            batch = comms.browse(ids)
            with freeze_time(TODAY):  # the debtor's page links as on that day
                expected = self.odoo_letters(batch)
            for comm, letter in zip(batch, expected, strict=True):
                self.assertEqual(
                    without_subset_tags(comm.attachment_id.raw),
                    without_subset_tags(letter),
                    comm.partner_id.name,
                )

    def test_wkhtmltopdf_failure_is_an_error(self):
        failure = report_pdf.WkhtmltopdfError(-11, "out of memory")
        with (
            patch.object(report_pdf, "run_wkhtmltopdf", side_effect=failure),
            self.assertRaisesRegex(UserError, "error code: -11.*out of memory"),
        ):
            self.run_dunning(TODAY, deliver=False)
