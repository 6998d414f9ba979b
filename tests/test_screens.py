"""The accountant's and the manager's daily screens (issue #18): the review of
a run, why a debtor is absent, the case kanban as a work queue, the form that
follows the case."""

import base64
import io
from datetime import date, timedelta
from unittest.mock import patch

import lxml.html
from freezegun import freeze_time
from PIL import Image

from odoo import Command
from odoo.tests import HttpCase, tagged

from .common import TODAY, DebiteurCommon


@tagged("post_install", "-at_install", "debiteur")
class TestReview(DebiteurCommon):
    def setUp(self):
        super().setUp()
        self.invoice = self.create_invoice(self.debtor, 500.0, self.d(-10))
        self.create_invoice(self.other_debtor, 300.0, self.d(-10))

    def test_preview_opens_the_review_list(self):
        with freeze_time(TODAY):
            wizard = self.env["debiteur.dunning.wizard"].create({"date": TODAY})
            action = wizard.action_preview()
        self.assertEqual(action["res_model"], "debiteur.dunning.wizard.line")
        self.assertEqual(action["target"], "current")
        self.assertEqual(action["domain"], [("wizard_id", "=", wizard.id)])
        lines = self.env["debiteur.dunning.wizard.line"].search(action["domain"])
        self.assertEqual(lines.partner_id, self.debtor | self.other_debtor)
        self.assertEqual(wizard.selected_count, 2)
        self.assertEqual(wizard.letter_count, 0)
        self.assertEqual(wizard.total_amount, 800.0)
        money = self.company.currency_id.format
        self.assertEqual(
            wizard.confirm_label, f"Send 2 reminders (0 letters), {money(800.0)}"
        )
        lines.filtered(
            lambda line: line.partner_id == self.other_debtor
        ).selected = False
        lines.filtered(
            lambda line: line.partner_id == self.debtor
        ).channel = "email_letter"
        self.assertEqual(
            wizard.confirm_label, f"Send 1 reminders (1 letters), {money(500.0)}"
        )
        self.assertIn("1 of 2 debtors", wizard.summary_text)

    def test_debtor_shows_its_letter_and_email_and_nothing_remains(self):
        Comm = self.env["debiteur.communication"]
        Run = self.env["debiteur.run"]
        sequence = self.env["ir.sequence"].search(
            [("code", "=", "debiteur.communication")], limit=1
        )
        next_number = sequence.number_next_actual
        comms, runs = Comm.search_count([]), Run.search_count([])
        with freeze_time(TODAY):
            wizard = self.preview(TODAY)
            line = wizard.line_ids.filtered(lambda line: line.partner_id == self.debtor)
            self.assertIn(self.invoice.name, line.details)
            self.assertIn(self.level1.name, line.details)
            letter = line.letter_preview
            self.assertIn("o_debiteur_letter", letter)
            self.assertIn(self.invoice.name, letter)
            self.assertIn("Dear Sir or Madam,", letter)
            self.assertIn("Payment reminder", line.mail_subject)
            self.assertIn(self.invoice.name, line.mail_preview)
        self.assertEqual(Comm.search_count([]), comms)
        self.assertEqual(Run.search_count([]), runs)
        sequence.invalidate_recordset()
        self.assertEqual(sequence.number_next_actual, next_number)
        # The number the reminder will carry is the one shown.
        self.assertIn(sequence.get_next_char(next_number), letter)
        # And confirming still sends it, with that number.
        action = wizard.action_open_confirm()
        self.assertEqual(action["res_model"], "debiteur.dunning.wizard")
        with freeze_time(TODAY):
            run = Run.browse(wizard.action_confirm()["res_id"])
        self.assertEqual(len(run.communication_ids), 2)

    def test_letter_tab_shows_the_company_logo(self):
        # The review's letter tab, read as the web client reads a form (with
        # bin_size: binary fields come as their size, not their content).
        png = io.BytesIO()
        Image.new("RGB", (120, 40), (200, 30, 60)).save(png, format="PNG")
        self.company.logo = base64.b64encode(png.getvalue())
        with freeze_time(TODAY):
            wizard = self.preview(TODAY)
            line = wizard.line_ids.filtered(lambda line: line.partner_id == self.debtor)
            line.channel = "email_letter"
            (values,) = line.with_context(bin_size=True).web_read(
                {"letter_preview": {}}
            )
        (logo,) = lxml.html.fromstring(values["letter_preview"]).xpath(
            "//img[contains(@class, 'o_dl_logo')]"
        )
        head, data = logo.get("src").split(",", 1)
        self.assertEqual(head, "data:image/png;base64")
        image = Image.open(io.BytesIO(base64.b64decode(data, validate=True)))
        self.assertEqual((image.format, image.size), ("PNG", (120, 40)))
        self.assertEqual(image.convert("RGB").getpixel((5, 5)), (200, 30, 60))

    def test_review_filters(self):
        with freeze_time(TODAY):
            wizard = self.preview(TODAY)
        Line = self.env["debiteur.dunning.wizard.line"]
        base = [("wizard_id", "=", wizard.id)]
        self.assertFalse(Line.search(base + [("has_warning", "=", True)]))
        self.debtor.email = False
        with freeze_time(TODAY):
            wizard = self.preview(TODAY)
        base = [("wizard_id", "=", wizard.id)]
        warned = Line.search(base + [("has_warning", "=", True)])
        self.assertEqual(warned.partner_id, self.debtor)
        self.assertEqual(Line.search(base + [("is_letter", "=", True)]), warned)
        self.assertEqual(
            Line.read_group(base, ["total_claim:sum"], ["level_id"])[0]["total_claim"],
            800.0,
        )


@tagged("post_install", "-at_install", "debiteur")
class TestWhyNot(DebiteurCommon):
    def reasons(self, partner, day=TODAY):
        with freeze_time(day):
            wizard = self.env["debiteur.why.not"].create(
                {"partner_id": partner.id, "date": day}
            )
            return wizard._reasons()

    def test_reasons(self):
        self.assertEqual(self.reasons(self.debtor), ["No open invoices."])
        invoice = self.create_invoice(self.debtor, 500.0, self.d(5))
        self.assertIn("No invoice is overdue yet", self.reasons(self.debtor)[0])
        invoice.button_draft()
        invoice.invoice_date_due = self.d(-10)
        invoice.action_post()
        self.assertIn("A reminder is due", self.reasons(self.debtor)[-1])
        invoice.write(
            {"debiteur_blocked": True, "debiteur_block_reason": "Waiting for PO"}
        )
        self.assertIn(
            f"{invoice.name} is blocked: Waiting for PO", self.reasons(self.debtor)
        )
        invoice.debiteur_blocked = False
        self.run_dunning(TODAY)
        too_soon = self.reasons(self.debtor, self.d(3))
        self.assertTrue(any(r.startswith("Too soon") for r in too_soon), too_soon)
        self.policy.min_amount = 10000.0
        below = self.reasons(self.debtor, self.d(30))
        self.assertTrue(any("minimum" in r for r in below), below)

    def test_unmatched_payment(self):
        invoice = self.create_invoice(self.debtor, 500.0, self.d(-10))
        self.create_invoice(self.debtor, 100.0, self.d(-10), move_type="out_refund")
        reasons = self.reasons(self.debtor)
        self.assertTrue(any("not matched" in r for r in reasons), reasons)
        self.assertTrue(invoice)

    def test_from_the_review_and_the_partner(self):
        self.create_invoice(self.debtor, 500.0, self.d(-10))
        with freeze_time(TODAY):
            wizard = self.preview(TODAY)
        action = (
            wizard.line_ids[:1]
            .with_context(debiteur_wizard_id=wizard.id)
            .action_open_why_not()
        )
        self.assertEqual(action["res_model"], "debiteur.why.not")
        self.assertEqual(action["context"]["default_date"], "2026-06-01")
        self.assertEqual(action["context"]["default_partner_id"], self.debtor.id)


@tagged("post_install", "-at_install", "debiteur")
class TestQueue(DebiteurCommon):
    def test_kanban_folds_empty_columns_and_marks_late_actions(self):
        self.create_invoice(self.debtor, 500.0, date.today() - timedelta(days=40))
        Case = self.env["debiteur.case"]
        groups = Case.web_read_group(
            [("is_closed", "=", False)], ["amount_overdue:sum"], ["stage_id"]
        )["groups"]
        folded = {g["stage_id"][0]: g["__fold"] for g in groups}
        self.assertEqual(len(folded), 8)
        case = Case.search([("partner_id", "=", self.debtor.id)])
        self.assertFalse(folded[case.stage_id.id])
        self.assertEqual(sum(not f for f in folded.values()), 1)
        self.assertTrue(case.next_action_date < date.today())
        self.assertTrue(case.next_action_late)
        self.assertEqual(case.effective_policy_id, self.policy)
        self.assertFalse(case.at_last_level)
        self.assertFalse(case.has_behaviour_data)
        action_due = Case.search(
            [
                ("next_action_date", "<=", date.today()),
                ("partner_id", "=", self.debtor.id),
            ]
        )
        self.assertEqual(action_due, case)

    def test_folded_columns_follow_the_filter(self):
        Case = self.env["debiteur.case"]
        self.create_invoice(self.debtor, 500.0, date.today() - timedelta(days=40))
        self.create_invoice(self.other_debtor, 300.0, date.today() - timedelta(days=40))
        due = Case.search([("partner_id", "=", self.debtor.id)])
        disputed = Case.search([("partner_id", "=", self.other_debtor.id)])
        due.user_id = self.env.user
        disputed.user_id = False
        disputed._mark_disputed("Goods damaged", disputed.invoice_ids)
        self.assertEqual(disputed.stage_id.code, "disputed")
        self.assertNotEqual(due.stage_id, disputed.stage_id)

        def folded(domain):
            groups = Case.web_read_group(
                [("is_closed", "=", False), *domain],
                ["amount_overdue:sum"],
                ["stage_id"],
            )["groups"]
            return {g["stage_id"][0]: g["__fold"] for g in groups}

        action_due = folded([("next_action_date", "<=", date.today())])
        unassigned = folded([("user_id", "=", False)])
        self.assertEqual(len(action_due), 8)
        self.assertEqual(
            (action_due[due.stage_id.id], action_due[disputed.stage_id.id]),
            (False, True),
        )
        self.assertEqual(
            (unassigned[due.stage_id.id], unassigned[disputed.stage_id.id]),
            (True, False),
        )
        # The kanban uses the view that refolds its columns on a new filter.
        arch = Case.get_view(
            self.env.ref("debiteur_dunning.debiteur_case_view_kanban").id, "kanban"
        )["arch"]
        self.assertIn('js_class="debiteur_case_kanban"', arch)

    def test_formal_notice_card_shows_the_end_of_its_term(self):
        self.create_invoice(self.debtor, 500.0, self.d(-60))
        for day in (0, 14, 28, 42):
            self.run_dunning(self.d(day))
        with freeze_time(self.d(42)):
            case = self.env["debiteur.case"].search(
                [("partner_id", "=", self.debtor.id)]
            )
            notice = self.comms(self.debtor).filtered("legal_deadline")
            self.assertTrue(notice)
            case.invalidate_recordset()
            self.assertEqual(case.term_end_date, max(notice.mapped("legal_deadline")))


@tagged("post_install", "-at_install", "debiteur")
class TestStatementPayments(DebiteurCommon):
    def test_write_off_is_not_a_payment(self):
        invoice = self.create_invoice(self.debtor, 500.0, self.d(-10))
        payment = self.pay(invoice, 300.0, self.d(-5))
        payment.memo = "Bank ref 4711"
        write_off = self.env["account.move"].create(
            {
                "move_type": "entry",
                "date": self.d(-2),
                "line_ids": [
                    Command.create(
                        {
                            "account_id": self.company_data[
                                "default_account_receivable"
                            ].id,
                            "partner_id": self.debtor.id,
                            "credit": 1.0,
                        }
                    ),
                    Command.create(
                        {
                            "account_id": self.company_data[
                                "default_account_expense"
                            ].id,
                            "debit": 1.0,
                        }
                    ),
                ],
            }
        )
        write_off.action_post()
        case = self.env["debiteur.case"].search([("partner_id", "=", self.debtor.id)])
        data = case._statement_data(today=TODAY)
        self.assertEqual(data["payments"].move_id, payment.move_id)
        with freeze_time(TODAY):
            html = (
                self.env["ir.actions.report"]
                ._render_qweb_html(
                    "debiteur_dunning.action_report_debiteur_statement", case.ids
                )[0]
                .decode()
            )
        self.assertIn("Bank ref 4711", html)


# The tours of the review and the queue run from tests/test_case.py
# (TestCaseTours); the queue's folding below.


@tagged("post_install", "-at_install", "debiteur", "is_tour")
class TestQueueTour(DebiteurCommon, HttpCase):
    def test_folded_columns_follow_the_filter(self):
        admin = self.env.ref("base.user_admin")
        admin.write(
            {
                "company_ids": [Command.link(self.company.id)],
                "company_id": self.company.id,
            }
        )
        Partner = self.env["res.partner"]
        due_debtor = Partner.create({"name": "Tour Due BV", "is_company": True})
        disputed_debtor = Partner.create(
            {"name": "Tour Disputed BV", "is_company": True}
        )
        for partner in (due_debtor, disputed_debtor):
            self.create_invoice(partner, 400.0, date.today() - timedelta(days=20))
        Case = self.env["debiteur.case"]
        Case.search([("partner_id", "=", due_debtor.id)]).user_id = admin
        disputed = Case.search([("partner_id", "=", disputed_debtor.id)])
        disputed.user_id = False
        disputed._mark_disputed("Goods damaged", disputed.invoice_ids)
        self.start_tour("/odoo", "debiteur_case_kanban_fold_tour", login="admin")


@tagged("post_install", "-at_install", "debiteur")
class TestSchedulerLanguage(DebiteurCommon):
    def test_scheduler_writes_in_the_company_language(self):
        self.env["res.lang"]._activate_lang("nl_NL")
        self.company.partner_id.lang = "nl_NL"
        seen = []
        Run = type(self.env["debiteur.run"])

        def cron_process(run):
            seen.append(run.env.context.get("lang"))
            return 0

        with patch.object(Run, "_cron_process", cron_process):
            self.env["debiteur.run"].with_context(lang="en_US")._cron_run()
        self.assertEqual(seen, ["nl_NL"])
