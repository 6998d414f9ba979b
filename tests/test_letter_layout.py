"""A stored letter looks like a letter, whoever renders it.

The scheduler renders letters without Odoo's HTTP server: a letter that
fetched its styles from the server came out without them (no margins, text
against the page edge). The letter carries its own styles and logo, on its
own A4 paperformat, so the stored PDF is the same with or without a server.
"""

import re
import shutil
import subprocess
import tempfile
from unittest.mock import patch

from freezegun import freeze_time

from odoo.tests import HttpCase, tagged
from odoo.tools import config

from odoo.addons.debiteur_dunning import report_pdf
from odoo.addons.debiteur_dunning.models.ir_actions_report import without_fetching

from .common import TODAY, DebiteurCommon

LETTER = "debiteur_dunning.action_report_debiteur_letter"
WKHTMLTOPDF = shutil.which("wkhtmltopdf")
PDFTOTEXT = shutil.which("pdftotext")
MM = 72 / 25.4  # PDF points per millimetre
# No dead-address fetch may be tried: nothing listens on the discard port.
DEAD_URL = "http://127.0.0.1:9"
WORD = re.compile(
    r'<word xMin="([\d.]+)" yMin="([\d.]+)" '
    r'xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>'
)
PAGE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">')


def pdf_words(raw):
    """The page size and the words of the PDF with their boxes, in points."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as pdf:
        pdf.write(raw)
        pdf.flush()
        out = subprocess.run(
            [PDFTOTEXT, "-bbox", pdf.name, "-"],
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        ).stdout
    width, height = (float(v) for v in PAGE.search(out).groups())
    words = [
        (text, float(x0), float(y0), float(x1), float(y1))
        for x0, y0, x1, y1, text in WORD.findall(out)
    ]
    return width, height, words


class LetterLayoutMixin:
    def setup_letterhead(self):
        self.company.write({"vat": "NL000099998B57", "phone": "+31 20 123 4567"})
        self.env["ir.config_parameter"].sudo().set_param("report.url", DEAD_URL)

    def stored_letter(self):
        """A letter made by the scheduler: the engine, no request, real PDF."""
        self.create_invoice(self.debtor, 1234.56, self.d(-20))
        engine_env = self.env(
            context=dict(self.env.context, force_report_rendering=True)
        )
        with (
            patch.dict(report_pdf.letter_batching, mode="documents"),
            freeze_time(TODAY),
        ):
            engine_env["debiteur.run"]._cron_run()
        comm = self.comms(self.debtor)
        self.assertEqual(len(comm), 1)
        self.assertEqual(comm.attachment_id.mimetype, "application/pdf")
        return comm

    def assert_inside_margins(self, raw):
        width, height, words = pdf_words(raw)
        # A4 in points.
        self.assertAlmostEqual(width, 595.3, delta=1.5)
        self.assertAlmostEqual(height, 841.9, delta=1.5)
        self.assertGreater(len(words), 40)
        # The paperformat's margins are 20 mm left and right, 18 mm top and
        # bottom: no word may come nearer to the edge than 15 and 12 mm.
        for text, x0, y0, x1, y1 in words:
            self.assertGreaterEqual(x0, 15 * MM, text)
            self.assertLessEqual(x1, width - 15 * MM, text)
            self.assertGreaterEqual(y0, 12 * MM, text)
            self.assertLessEqual(y1, height - 12 * MM, text)
        # The body is not a narrow column either: text reaches past 3/4 of
        # the page (the letterhead's right column, the amounts).
        self.assertGreater(max(x1 for _t, _x0, _y0, x1, _y1 in words), width * 0.75)
        return " ".join(text for text, *_box in words)


@tagged("post_install", "-at_install", "debiteur")
class TestLetterLayout(LetterLayoutMixin, DebiteurCommon):
    def html(self, comm):
        return (
            self.env["ir.actions.report"]
            ._render_qweb_html(LETTER, comm.ids)[0]
            .decode()
        )

    def test_letter_is_self_contained(self):
        self.setup_letterhead()
        self.create_invoice(self.debtor, 100.0, self.d(-10))
        comm = self.run_dunning(TODAY, deliver=False).communication_ids
        Report = self.env["ir.actions.report"]
        report = Report._get_report(LETTER)
        self.assertEqual(report.paperformat_id.format, "A4")
        html = Report._render_qweb_html(LETTER, comm.ids, data={"report_type": "pdf"})[
            0
        ]
        bodies, ids, header, footer, _args = report._prepare_html(
            html, report_model=report.model
        )
        self.assertEqual(ids, comm.ids)
        self.assertFalse(header)
        self.assertFalse(footer)
        body = str(bodies[0])
        for fetching in ("<link", "<base", 'src="/', "src='/", "url("):
            self.assertNotIn(fetching, body)
        self.assertIn("<style", body)
        self.assertIn('src="data:image/', body)
        for letterhead in (
            self.company.name,
            "12345678",
            "NL000099998B57",
            "NL91 ABNA 0417 1643 00",
            "Keizersgracht 1",
        ):
            self.assertIn(letterhead, body)
        self.assertIn("page-break-inside: avoid", body)

    def test_without_fetching(self):
        html = (
            '<html><head><base href="http://x"/><link rel="stylesheet" href="/a.css"/>'
            '<script type="text/javascript" src="/b.js"></script>'
            "<script>var inline = 1;</script></head><body>x</body></html>"
        )
        self.assertEqual(
            without_fetching(html),
            "<html><head><script>var inline = 1;</script></head><body>x</body></html>",
        )

    def test_company_debtor_is_addressed_as_sir_or_madam(self):
        self.create_invoice(self.debtor, 100.0, self.d(-10))
        consumer = self.env["res.partner"].create(
            {"name": "Jan Jansen", "email": "jan@x.example", "lang": "en_US"}
        )
        self.create_invoice(consumer, 100.0, self.d(-10))
        comms = self.run_dunning(TODAY, deliver=False).communication_ids
        company_letter = comms.filtered(lambda c: c.partner_id == self.debtor)
        person_letter = comms - company_letter
        self.assertIn("Dear Sir or Madam,", self.html(company_letter))
        self.assertNotIn("Dear Sir or Madam,", self.html(person_letter))
        self.assertRegex(self.html(person_letter), r"Dear\s*<span>Jan Jansen</span>,")

    def test_salutation_in_dutch_and_french(self):
        self.env["res.lang"]._activate_lang("nl_NL")
        self.env["res.lang"]._activate_lang("fr_BE")
        self.env["ir.module.module"].search(
            [("name", "=", "debiteur_dunning")]
        )._update_translations(["nl_NL", "fr_BE"])
        self.debtor.lang = "nl_NL"
        self.other_debtor.lang = "fr_BE"
        self.create_invoice(self.debtor, 100.0, self.d(-10))
        self.create_invoice(self.other_debtor, 100.0, self.d(-10))
        comms = self.run_dunning(TODAY, deliver=False).communication_ids
        dutch = comms.filtered(lambda c: c.partner_id == self.debtor)
        self.assertIn("Geachte heer/mevrouw,", self.html(dutch))
        self.assertIn("Madame, Monsieur,", self.html(comms - dutch))

    def test_stored_letter_without_http_server(self):
        if not (WKHTMLTOPDF and PDFTOTEXT):
            self.skipTest("needs wkhtmltopdf and pdftotext")
        self.setup_letterhead()
        comm = self.stored_letter()
        text = self.assert_inside_margins(comm.attachment_id.raw)
        for expected in (self.company.name.split()[0], comm.name, "12345678"):
            self.assertIn(expected, text)
        self.assertIn("Dear Sir or Madam,", text)


@tagged("post_install", "-at_install", "debiteur")
class TestLetterLayoutWithServer(LetterLayoutMixin, DebiteurCommon, HttpCase):
    """The same letter while Odoo's HTTP server runs: the same words in the
    same places as the one made with a dead report URL."""

    def test_same_letter_with_and_without_http_server(self):
        if not (WKHTMLTOPDF and PDFTOTEXT):
            self.skipTest("needs wkhtmltopdf and pdftotext")
        self.setup_letterhead()
        comm = self.stored_letter()
        stored = self.assert_inside_margins(comm.attachment_id.raw)
        self.env["ir.config_parameter"].sudo().set_param(
            "report.url", f"http://127.0.0.1:{config['http_port']}"
        )
        # Rendered on the letter's day: the debtor's page link it prints is
        # still valid then (later, an expired link is renewed with a new token).
        with freeze_time(TODAY):
            served, _kind = (
                self.env["ir.actions.report"]
                .with_context(force_report_rendering=True)
                ._render_qweb_pdf(LETTER, comm.ids)
            )
        self.assertEqual(self.assert_inside_margins(served), stored)
        self.assertEqual(pdf_words(served), pdf_words(comm.attachment_id.raw))
