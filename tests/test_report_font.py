"""The add-on's reports on a wkhtmltopdf without Odoo's patched Qt are set in
a system font, so that their text stays text (see models/ir_actions_report)."""

from unittest.mock import patch

from markupsafe import Markup

from odoo.tests import tagged

from odoo.addons.debiteur_dunning.models import ir_actions_report
from odoo.addons.debiteur_dunning.models.ir_actions_report import (
    KEEP_FONT_CLASS,
    SYSTEM_FONT_STYLE,
    with_system_font,
)

from .common import TODAY, DebiteurCommon

LETTER = "debiteur_dunning.action_report_debiteur_letter"


@tagged("post_install", "-at_install", "debiteur")
class TestReportSystemFont(DebiteurCommon):
    def prepared(self, report_ref, res_ids, patched):
        Report = self.env["ir.actions.report"]
        report = Report._get_report(report_ref)
        html = Report._render_qweb_html(
            report_ref, res_ids, data={"report_type": "pdf"}
        )[0]
        with patch.object(
            ir_actions_report, "wkhtmltopdf_is_patched", return_value=patched
        ):
            return report._prepare_html(html, report_model=report.model)

    def letter(self):
        self.create_invoice(self.debtor, 100.0, self.d(-10))
        return self.run_dunning(TODAY, deliver=False).communication_ids

    def test_unpatched_build_sets_the_letter_in_a_system_font(self):
        comm = self.letter()
        bodies, _ids, header, footer, _args = self.prepared(LETTER, comm.ids, False)
        # The letter has no header or footer document (see test_letter_layout).
        self.assertFalse(header or footer)
        for document in bodies:
            head, _sep, _rest = document.partition("</head>")
            # In the head, as a style element, not escaped into the text.
            self.assertIn(SYSTEM_FONT_STYLE, head)
            self.assertEqual(document.count("o_debiteur_system_font"), 1)
        self.assertIn(f":not(.{KEEP_FONT_CLASS})", SYSTEM_FONT_STYLE)

    def test_patched_build_keeps_the_company_font(self):
        comm = self.letter()
        bodies, _ids, header, footer, _args = self.prepared(LETTER, comm.ids, True)
        for document in (*bodies, header or "", footer or ""):
            self.assertNotIn("o_debiteur_system_font", document)

    def test_other_reports_keep_their_font(self):
        invoice = self.create_invoice(self.debtor, 100.0, self.d(-10))
        bodies, _ids, header, _footer, _args = self.prepared(
            "account.account_invoices", invoice.ids, False
        )
        self.assertNotIn("o_debiteur_system_font", bodies[0] + header)

    def test_with_system_font(self):
        html = Markup(
            "<html><head><title>x &amp; y</title></head><body>é</body></html>"
        )
        styled = with_system_font(html)
        self.assertIsInstance(styled, Markup)
        self.assertEqual(
            str(styled),
            "<html><head><title>x &amp; y</title>"
            + SYSTEM_FONT_STYLE
            + "</head><body>é</body></html>",
        )
        self.assertEqual(with_system_font(styled), styled, "added once")
        self.assertEqual(with_system_font("<p>no head</p>"), "<p>no head</p>")
        self.assertIsInstance(with_system_font("<head></head>"), str)
        self.assertFalse(with_system_font(""))

    def test_version_is_read_from_the_installed_wkhtmltopdf(self):
        with patch.dict(ir_actions_report._patched, clear=True):
            with patch.object(ir_actions_report.subprocess, "run") as run:
                run.return_value.stdout = "wkhtmltopdf 0.12.6.1 (with patched qt)\n"
                self.assertTrue(ir_actions_report.wkhtmltopdf_is_patched())
        with patch.dict(ir_actions_report._patched, clear=True):
            with patch.object(ir_actions_report.subprocess, "run") as run:
                run.return_value.stdout = "wkhtmltopdf 0.12.6\n"
                self.assertFalse(ir_actions_report.wkhtmltopdf_is_patched())
                self.assertFalse(ir_actions_report.wkhtmltopdf_is_patched())
            self.assertEqual(run.call_count, 1, "asked once per process")
