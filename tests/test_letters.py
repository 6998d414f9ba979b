import hashlib
import io
import shutil
from unittest.mock import patch

from freezegun import freeze_time
from PyPDF2 import PdfReader, PdfWriter

from odoo.tests import tagged

from odoo.addons.debiteur_dunning import report_pdf
from odoo.addons.debiteur_dunning.models import debiteur_dispatch, debiteur_run

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
        with patch.object(report_pdf, "LETTER_BATCH_SIZE", 1):
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
class TestSchedulerLetters(DebiteurCommon):
    def test_letters_of_every_batch_are_in_the_print_file(self):
        """A scheduler run in several batches (and calls) prints all its
        letters in one file, not only the last batch's."""
        if not WKHTMLTOPDF:
            self.skipTest("merging the letters needs wkhtmltopdf")
        self.env = self.env(context=dict(self.env.context, force_report_rendering=True))
        self.levels.write({"channel": "letter"})
        partners = self.env["res.partner"].create(
            [
                {"name": f"Debtor {i}", "email": f"d{i}@x.example", "is_company": True}
                for i in range(5)
            ]
        )
        for partner in partners:
            self.create_invoice(partner, 100.0, self.d(-10))
        remaining = []
        with (
            freeze_time(TODAY),
            patch.object(debiteur_run, "CRON_BATCH_SIZE", 2),
            patch.object(debiteur_run, "CRON_TIME_BUDGET", -1),
            # Print files of 2 letters: the 5 letters go in 3 files.
            patch.object(debiteur_dispatch, "PRINT_FILE_LETTERS", 2),
        ):
            for _call in range(5):
                remaining.append(self.env["debiteur.run"]._cron_run())
                if not remaining[-1]:
                    break
        self.assertEqual(remaining, [3, 1, 0])
        run = self.comms().run_id
        self.assertEqual(len(run), 1)
        letters = run.communication_ids
        self.assertEqual(letters.partner_id, partners)
        self.assertEqual(set(letters.mapped("state")), {"printed"})
        self.assertEqual(run.state, "done")
        self.assertIn("debtor(s) handled", run.log)
        files = run.letter_attachment_ids.sorted("id")
        self.assertEqual(
            files.mapped("name"),
            [f"Letters to print {TODAY} ({n} of 3).pdf" for n in (1, 2, 3)],
        )
        self.assertEqual(run.letter_attachment_id, files[0])
        self.assertEqual(
            [page_count(f.raw) for f in files],
            [
                sum(page_count(c.attachment_id.raw) for c in part)
                for part in (letters[:2], letters[2:4], letters[4:])
            ],
        )
        # Only these files are left: the earlier ones were replaced.
        self.assertEqual(
            self.env["ir.attachment"].search(
                [
                    ("res_model", "=", run._name),
                    ("res_id", "=", run.id),
                    ("name", "like", "Letters to print"),
                ]
            ),
            files,
        )


def pdf_text(raw):
    return "".join(
        page.extract_text() for page in PdfReader(io.BytesIO(raw)).pages
    ).replace("\t", " ")


@tagged("post_install", "-at_install", "debiteur")
class TestLetterBatches(DebiteurCommon):
    """Several letters per wkhtmltopdf call, whatever wkhtmltopdf is built
    with: each letter still gets exactly its own pages."""

    def setUp(self):
        super().setUp()
        if not WKHTMLTOPDF:
            self.skipTest("rendering letters needs wkhtmltopdf")
        self.env = self.env(context=dict(self.env.context, force_report_rendering=True))
        self.debtors = self.env["res.partner"].create(
            [
                {"name": f"Debtor {i}", "email": f"d{i}@x.example", "is_company": True}
                for i in range(3)
            ]
        )
        for number, partner in enumerate(self.debtors):
            # The third debtor's letter runs over several pages.
            for i in range(1 if number < 2 else 45):
                self.create_invoice(partner, 100.0 + i, self.d(-10 - i % 5))
        patcher = patch.dict(report_pdf.letter_batching, mode="documents")
        patcher.start()
        self.addCleanup(patcher.stop)

    def check_letters(self, comms):
        self.assertEqual(len(comms), 3)
        for comm in comms:
            letter = comm.attachment_id
            self.assertEqual(letter.mimetype, "application/pdf")
            text = pdf_text(letter.raw)
            self.assertIn(comm.name, text)
            for other in comms - comm:
                self.assertNotIn(other.name, text)
                self.assertNotIn(other.partner_id.name, text)
        many = comms.filtered(lambda c: c.partner_id == self.debtors[2])
        self.assertGreater(page_count(many.attachment_id.raw), 1)

    def test_a_batch_of_letters_is_split_per_letter(self):
        run = self.run_dunning(TODAY, deliver=False)
        self.check_letters(run.communication_ids)
        # Learnt from the installed wkhtmltopdf: several documents per call
        # (Odoo's patched Qt) or the batch as one document (unpatched).
        self.assertIn(report_pdf.letter_batching["mode"], ("documents", "one_document"))

    def test_one_document_batch(self):
        """The path for an unpatched wkhtmltopdf, taken on any build."""
        report_pdf.letter_batching["mode"] = "one_document"
        run = self.run_dunning(TODAY, deliver=False)
        self.check_letters(run.communication_ids)
        self.assertEqual(report_pdf.letter_batching["mode"], "one_document")

    def run_one_document_failing(self, function, value):
        """A run in "one_document" mode with ``report_pdf``'s ``function``
        made to return ``value``; its letters must still be each their own."""
        report_pdf.letter_batching["mode"] = "one_document"
        with patch.object(report_pdf, function, return_value=value):
            run = self.run_dunning(TODAY, deliver=False)
        self.check_letters(run.communication_ids)
        return report_pdf.letter_batching["mode"]

    def test_unsplittable_batch_goes_one_letter_per_call(self):
        """A batch that cannot be split (a letter that uses the markers'
        font itself) is rendered one letter per call, never mixed up; the
        next batches are still rendered as one document."""
        mode = self.run_one_document_failing("split_letters", None)
        self.assertEqual(mode, "one_document")

    def test_no_marker_at_all_goes_one_letter_per_call_for_good(self):
        """Without the markers' font no batch can ever be split: the letters
        go one per call, and so do the next batches."""
        mode = self.run_one_document_failing("uses_marker_font", False)
        self.assertEqual(mode, "single")

    def test_split_needs_exactly_one_marker_per_letter(self):
        report_pdf.letter_batching["mode"] = "one_document"
        run = self.run_dunning(TODAY, deliver=False)
        comms = run.communication_ids.sorted("id")
        raws = [c.attachment_id.raw for c in comms]
        for raw in raws:
            pages = PdfReader(io.BytesIO(raw)).pages
            self.assertEqual(
                [report_pdf.uses_marker_font(page) for page in pages],
                [True] + [False] * (len(pages) - 1),
            )
        merged = (
            self.env["ir.actions.report"]
            ._merge_pdfs([io.BytesIO(raw) for raw in raws])
            .getvalue()
        )
        parts = report_pdf.split_letters(merged, 3)
        self.assertEqual([page_count(p) for p in parts], [page_count(r) for r in raws])
        self.assertIsNone(report_pdf.split_letters(merged, 2))
        self.assertIsNone(report_pdf.split_letters(merged, 4))
        # A document whose first page has no marker is refused.
        tail = (
            self.env["ir.actions.report"]._merge_pdfs([io.BytesIO(raws[2])]).getvalue()
        )
        reader = PdfReader(io.BytesIO(tail))
        self.assertIsNone(report_pdf.split_letters(self.pages_from(reader, 1), 1))

    @staticmethod
    def pages_from(reader, start):
        writer = PdfWriter()
        for page in reader.pages[start:]:
            writer.add_page(page)
        stream = io.BytesIO()
        writer.write(stream)
        return stream.getvalue()


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
