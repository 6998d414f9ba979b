import hashlib
import io
import shutil
from unittest.mock import patch

from PyPDF2 import PdfReader

from odoo.tests import tagged

from odoo.addons.debiteur_dunning.models import debiteur_engine

from .common import TODAY, DebiteurCommon

WKHTMLTOPDF = shutil.which("wkhtmltopdf")


def page_count(raw):
    return len(PdfReader(io.BytesIO(raw)).pages)


@tagged("post_install", "-at_install", "debiteur")
class TestLetters(DebiteurCommon):
    def render_real_pdfs(self):
        """In test mode Odoo renders reports as HTML unless told otherwise."""
        self.env = self.env(context=dict(self.env.context, force_report_rendering=True))

    def test_confirm_creates_communication_and_mail_with_letter(self):
        if WKHTMLTOPDF:
            self.render_real_pdfs()
        invoice = self.create_invoice(self.debtor, 500.0, self.d(-10))
        run = self.run_dunning(TODAY, deliver=False)
        comm = run.communication_ids
        self.assertEqual(len(comm), 1)
        self.assertEqual(comm.invoice_line_ids.move_id, invoice)
        self.assertEqual(comm.state, "queued")
        letter = comm.attachment_id
        self.assertEqual(comm.mail_id.attachment_ids, letter)
        self.assertEqual((letter.res_model, letter.res_id), (comm._name, comm.id))
        if WKHTMLTOPDF:
            self.assertEqual(letter.mimetype, "application/pdf")
            self.assertTrue(letter.raw.startswith(b"%PDF"))
        else:
            self.assertEqual(letter.mimetype, "text/html")
            self.assertIn(invoice.name, letter.raw.decode())

    def test_letter_fingerprint_is_sha256_of_attachment(self):
        self.create_invoice(self.debtor, 500.0, self.d(-10))
        comm = self.run_dunning(TODAY).communication_ids
        self.assertTrue(comm.attachment_id.raw)
        self.assertEqual(
            comm.letter_sha256, hashlib.sha256(comm.attachment_id.raw).hexdigest()
        )

    def test_letter_channel_prints_and_merges_the_letters_of_the_run(self):
        if not WKHTMLTOPDF:
            self.skipTest("merging the letters needs wkhtmltopdf")
        self.render_real_pdfs()
        self.levels.write({"channel": "letter"})
        self.create_invoice(self.debtor, 500.0, self.d(-10))
        self.create_invoice(self.other_debtor, 300.0, self.d(-10))
        # One letter per wkhtmltopdf call: an unpatched-Qt wkhtmltopdf (the
        # distributions' package) cannot render several documents in one call.
        with patch.object(debiteur_engine, "LETTER_BATCH_SIZE", 1):
            run = self.run_dunning(TODAY)
        comms = run.communication_ids
        self.assertEqual(len(comms), 2)
        self.assertEqual(comms.mapped("state"), ["printed", "printed"])
        self.assertEqual(comms.mapped("sent_date"), [TODAY, TODAY])
        self.assertFalse(comms.mail_id)
        merged = run.letter_attachment_id.raw
        self.assertTrue(merged.startswith(b"%PDF"))
        self.assertEqual(
            page_count(merged), sum(page_count(c.attachment_id.raw) for c in comms)
        )


@tagged("post_install", "-at_install", "debiteur")
class TestLetterLanguage(DebiteurCommon):
    """Dutch added to the database the way Settings > Languages does it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("nl_NL")
        cls.env["ir.module.module"]._load_module_terms(
            ["debiteur_dunning"], ["nl_NL"], overwrite=True
        )
        cls.dutch_debtor = cls.env["res.partner"].create(
            {
                "name": "Slagerij Bakker",
                "is_company": True,
                "email": "boekhouding@bakker.example",
                "lang": "nl_NL",
            }
        )
        cls.create_invoice(cls.dutch_debtor, 400.0, cls.d(-10))
        cls.create_invoice(cls.debtor, 500.0, cls.d(-10))

    def remind_both(self):
        run = self.run_dunning(TODAY, deliver=False)
        dutch = run.communication_ids.filtered(
            lambda c: c.partner_id == self.dutch_debtor
        )
        english = run.communication_ids - dutch
        self.assertEqual(english.partner_id, self.debtor)
        return dutch, english

    def test_letter_in_the_debtor_language(self):
        dutch, english = self.remind_both()
        dutch_html = dutch.attachment_id.raw.decode()
        english_html = english.attachment_id.raw.decode()
        self.assertIn("Openstaand bedrag", dutch_html)
        self.assertIn("Te betalen saldo", dutch_html)
        self.assertNotIn("Open amount", dutch_html)
        self.assertIn("Open amount", english_html)
        self.assertNotIn("Openstaand bedrag", english_html)

    def test_default_level_texts_in_the_debtor_language(self):
        dutch, english = self.remind_both()
        self.assertIn("Betalingsherinnering", dutch.attachment_id.raw.decode())
        self.assertIn("Payment reminder", english.attachment_id.raw.decode())
        self.assertTrue(dutch.mail_id.subject.startswith("Betalingsherinnering"))
        self.assertTrue(english.mail_id.subject.startswith("Payment reminder"))

    def test_email_in_the_debtor_language_with_its_letter(self):
        dutch, english = self.remind_both()
        self.assertIn("Geachte", dutch.mail_id.body_html)
        self.assertIn("Openstaand bedrag", dutch.mail_id.body_html)
        self.assertNotIn("Dear", dutch.mail_id.body_html)
        self.assertIn("Dear", english.mail_id.body_html)
        self.assertEqual(dutch.mail_id.attachment_ids, dutch.attachment_id)
        self.assertEqual(english.mail_id.attachment_ids, english.attachment_id)
