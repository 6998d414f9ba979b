"""The dossier's PDF summaries as wkhtmltopdf renders them: without Odoo's
one-second wait for scripts (the summary runs none of its own; the page
numbers of a patched wkhtmltopdf's footer are filled in on the footer's load,
not after a delay), and the add-on's paper formats looked up without a query
per document."""

import io
import shutil
import subprocess
from unittest.mock import patch

from freezegun import freeze_time
from PyPDF2 import PdfReader

from odoo.tests import tagged

from odoo.addons.base.models import ir_actions_report as base_report
from odoo.addons.debiteur_dunning import report_pdf

from .common import TODAY
from .test_handoff_batch import HandoffBatchCommon

WKHTMLTOPDF = shutil.which("wkhtmltopdf")
DOSSIER = "debiteur_dunning.action_report_debiteur_handoff"


@tagged("post_install", "-at_install", "debiteur")
class TestHandoffPdf(HandoffBatchCommon):
    def test_dossier_pdfs_without_the_script_wait(self):
        if not WKHTMLTOPDF:
            self.skipTest("rendering the dossier needs wkhtmltopdf")
        commands = []
        popen = subprocess.Popen

        def watched(args, *a, **kw):
            if args and "wkhtmltopdf" in str(args[0]) and "--version" not in args:
                commands.append(list(args))
            return popen(args, *a, **kw)

        env = self.env(context=dict(self.env.context, force_report_rendering=True))
        with (
            freeze_time(TODAY),
            patch.dict(report_pdf.letter_batching, mode="one_document"),
            patch.object(base_report.subprocess, "Popen", watched),
        ):
            handoffs = env["debiteur.handoff"]._create_handoffs(
                self.debtors[:2].invoice_ids.filtered(
                    lambda m: m.state == "posted" and m.move_type == "out_invoice"
                ),
                self.agency,
                TODAY,
            )
            handoffs.action_hand_off(send_email=False)
        self.assertTrue(commands)
        for command in commands:
            self.assertEqual(command[command.index("--javascript-delay") + 1], "0")
        for handoff in handoffs:
            pdf = handoff.pdf_attachment_id
            self.assertEqual(pdf.mimetype, "application/pdf")
            text = " ".join(
                " ".join(page.extract_text().split())
                for page in PdfReader(io.BytesIO(pdf.raw)).pages
            )
            self.assertIn(handoff.name, text)
            self.assertIn(handoff.partner_id.name, text)
            for other in handoffs - handoff:
                self.assertNotIn(other.name, text)

    def test_paper_format_of_a_report_without_a_query(self):
        Report = self.env["ir.actions.report"]
        expected = self.env.ref(DOSSIER).get_paperformat()
        Report.get_paperformat_by_xmlid(DOSSIER)  # the external id cached
        with self.assertQueryCount(0):
            self.assertEqual(Report.get_paperformat_by_xmlid(DOSSIER), expected)
        # Other reports: Odoo's own look-up.
        self.assertEqual(
            Report.get_paperformat_by_xmlid("account.account_invoices"),
            self.env.ref("account.account_invoices").get_paperformat(),
        )
        self.assertEqual(
            Report.get_paperformat_by_xmlid(False), self.env.company.paperformat_id
        )
