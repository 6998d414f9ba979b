"""Payments first: incoming bank statement lines matched to open invoices
before anyone is reminded (issue 17)."""

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import TODAY, DebiteurCommon

IBAN = "NL02ABNA0123456789"


@tagged("post_install", "-at_install", "debiteur")
class TestPaymentsFirst(DebiteurCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Match = cls.env["debiteur.payment.match"]
        cls.bank_journal = cls.company_data["default_journal_bank"]
        cls.company.debiteur_auto_match = False

    def st_line(self, amount, label="", partner=None, iban=None, day=None):
        return self.env["account.bank.statement.line"].create(
            {
                "journal_id": self.bank_journal.id,
                "date": day or self.d(-1),
                "amount": amount,
                "payment_ref": label or "/",
                "partner_id": partner.id if partner else False,
                "account_number": iban or False,
            }
        )

    def scan(self, day=TODAY):
        with freeze_time(day):
            self.Match._debiteur_scan(self.company, day)
        return self.Match.search([("company_id", "=", self.company.id)], order="id")

    def assert_paid(self, invoice, line):
        self.assertEqual(invoice.payment_state, "paid")
        self.assertTrue(line.is_reconciled)

    # ------------------------------------------------------------------
    # The rules, end to end
    # ------------------------------------------------------------------
    def test_reference_of_a_reminder_reconciled_automatically(self):
        invoice = self.create_invoice(self.debtor, 1210.0, self.d(-20))
        self.run_dunning(self.d(-5))
        reminder = self.comms(self.debtor)
        self.assertTrue(reminder.payment_reference)
        self.company.debiteur_auto_match = True
        line = self.st_line(1210.0, "Betaling %s" % reminder.payment_reference)
        match = self.scan()
        self.assertEqual(match.rule, "reference")
        self.assertEqual(match.invoice_ids, invoice)
        self.assertEqual(match.state, "reconciled")
        self.assert_paid(invoice, line)
        self.assertIn(
            "matched automatically",
            invoice.message_ids[:1].body,
        )

    def test_invoice_number_waits_when_auto_match_is_off(self):
        invoice = self.create_invoice(self.debtor, 100.0, self.d(-20))
        line = self.st_line(100.0, "factuur %s dank u" % invoice.name)
        match = self.scan()
        self.assertEqual(match.rule, "number")
        self.assertEqual(match.state, "to_check")
        self.assertTrue(match.exact)
        self.assertFalse(match.ambiguous)
        self.assertEqual(match.partner_id, self.debtor)
        self.assertFalse(line.is_reconciled)
        self.assertEqual(invoice.payment_state, "not_paid")

    def test_iban_and_exact_amount(self):
        self.debtor.bank_ids = [Command.create({"acc_number": IBAN})]
        invoice = self.create_invoice(self.debtor, 99.95, self.d(-20))
        self.create_invoice(self.debtor, 10.0, self.d(-20))
        self.company.debiteur_auto_match = True
        line = self.st_line(99.95, "thanks", iban="nl02 abna 0123 4567 89")
        match = self.scan()
        self.assertEqual(match.rule, "iban")
        self.assertEqual(match.state, "reconciled")
        self.assert_paid(invoice, line)
        self.assertEqual(line.partner_id, self.debtor)

    def test_subset_of_the_partners_invoices(self):
        first = self.create_invoice(self.debtor, 100.10, self.d(-30))
        second = self.create_invoice(self.debtor, 200.20, self.d(-20))
        self.create_invoice(self.debtor, 50.0, self.d(-10))
        self.company.debiteur_auto_match = True
        line = self.st_line(300.30, "two invoices", partner=self.debtor)
        match = self.scan()
        self.assertEqual(match.rule, "subset")
        self.assertEqual(match.invoice_ids, first | second)
        self.assertEqual(match.state, "reconciled")
        self.assert_paid(first, line)
        self.assertEqual(second.payment_state, "paid")

    # ------------------------------------------------------------------
    # Refusals
    # ------------------------------------------------------------------
    def test_two_invoices_of_the_same_amount_are_never_reconciled(self):
        self.create_invoice(self.debtor, 50.0, self.d(-30))
        self.create_invoice(self.debtor, 50.0, self.d(-20))
        self.company.debiteur_auto_match = True
        line = self.st_line(50.0, "payment", partner=self.debtor)
        match = self.scan()
        self.assertEqual(match.rule, "iban")
        self.assertTrue(match.ambiguous)
        self.assertEqual(len(match.invoice_ids), 2)
        self.assertEqual(match.state, "to_check")
        self.assertFalse(line.is_reconciled)

    def test_two_partners_on_one_iban_are_never_reconciled(self):
        self.debtor.bank_ids = [Command.create({"acc_number": IBAN})]
        self.other_debtor.bank_ids = [
            Command.create({"acc_number": IBAN, "allow_out_payment": False})
        ]
        self.create_invoice(self.debtor, 75.0, self.d(-20))
        self.company.debiteur_auto_match = True
        line = self.st_line(75.0, "payment", iban=IBAN)
        match = self.scan()
        self.assertTrue(match.ambiguous)
        self.assertEqual(match.state, "to_check")
        self.assertFalse(line.is_reconciled)

    def test_partial_payment_waits_and_is_accepted(self):
        invoice = self.create_invoice(self.debtor, 1000.0, self.d(-20))
        self.company.debiteur_auto_match = True
        line = self.st_line(400.0, invoice.name)
        match = self.scan()
        self.assertFalse(match.exact)
        self.assertEqual(match.state, "to_check")
        match.action_accept()
        self.assertEqual(match.state, "accepted")
        self.assertEqual(match.decided_by_id, self.env.user)
        self.assertTrue(line.is_reconciled)
        self.assertEqual(invoice.payment_state, "partial")
        self.assertAlmostEqual(invoice.amount_residual, 600.0)

    def test_overpayment_keeps_the_rest_in_suspense(self):
        invoice = self.create_invoice(self.debtor, 100.0, self.d(-20))
        line = self.st_line(150.0, invoice.name)
        match = self.scan()
        match.action_accept()
        self.assertEqual(invoice.payment_state, "paid")
        self.assertFalse(line.is_reconciled)
        self.assertAlmostEqual(abs(line.amount_residual), 50.0)

    def test_lines_without_candidate_and_outgoing_lines_are_left_alone(self):
        self.create_invoice(self.debtor, 100.0, self.d(-20))
        self.st_line(77.0, "rent")
        self.st_line(-100.0, "refund", partner=self.debtor)
        self.assertFalse(self.scan())

    def test_reject_is_not_proposed_again(self):
        invoice = self.create_invoice(self.debtor, 100.0, self.d(-20))
        line = self.st_line(100.0, invoice.name)
        match = self.scan()
        match.action_reject()
        self.assertEqual(match.state, "rejected")
        self.assertEqual(self.scan(), match)
        self.assertFalse(line.is_reconciled)
        with self.assertRaises(UserError):
            match.action_accept()

    def test_settled_elsewhere(self):
        invoice = self.create_invoice(self.debtor, 100.0, self.d(-20))
        self.st_line(100.0, invoice.name)
        match = self.scan()
        self.pay(invoice, 100.0)
        self.scan()
        self.assertEqual(match.state, "settled")
        # A statement line reconciled by someone else: settled too.
        other = self.create_invoice(self.other_debtor, 30.0, self.d(-20))
        line = self.st_line(30.0, other.name)
        match = self.scan().filtered(lambda m: m.statement_line_id == line)
        match.sudo()._reconcile_statement_line()
        self.scan()
        self.assertEqual(match.state, "settled")

    def test_scan_query_count_is_flat(self):
        def make(count):
            for _i in range(count):
                invoice = self.create_invoice(self.debtor, 10.0, self.d(-20))
                self.st_line(10.0, invoice.name)
            self.env.flush_all()
            self.env.invalidate_all()

        def count_scan():
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            self.Match._debiteur_scan(self.company, TODAY)
            self.env.flush_all()
            return self.env.cr.sql_log_count - before

        make(2)
        count_scan()
        make(2)  # 2 proposals to keep, 2 to create
        small = count_scan()
        self.assertEqual(self.Match.search_count([]), 4)
        make(20)  # 4 to keep, 20 to create
        self.env.invalidate_all()
        with self.assertQueryCount(small):
            self.Match._debiteur_scan(self.company, TODAY)
            self.env.flush_all()
        self.assertEqual(self.Match.search_count([("state", "=", "to_check")]), 24)

    # ------------------------------------------------------------------
    # A debtor with a payment to check is not reminded
    # ------------------------------------------------------------------
    def held_setup(self):
        self.create_invoice(self.debtor, 1210.0, self.d(-20))
        self.create_invoice(self.debtor, 1210.0, self.d(-15))
        self.create_invoice(self.other_debtor, 300.0, self.d(-20))
        # Two invoices of 1,210.00: ambiguous, a person must look.
        return self.st_line(1210.0, "betaling", partner=self.debtor, day=self.d(-3))

    def test_held_debtor_in_the_preview_and_the_wizard(self):
        self.held_setup()
        with freeze_time(TODAY):
            wizard = self.preview(TODAY)
        held = wizard.line_ids.filtered(lambda line: line.partner_id == self.debtor)
        self.assertFalse(held.selectable)
        self.assertFalse(held.selected)
        self.assertIn("1,210.00", held.warning)
        self.assertIn("received on 29 May not yet matched", held.warning)
        other = wizard.line_ids.filtered(lambda x: x.partner_id == self.other_debtor)
        self.assertTrue(other.selectable)
        # The scan ran before the preview: the proposal waits.
        match = self.Match.search([("partner_id", "=", self.debtor.id)])
        self.assertEqual(match.state, "to_check")
        held.selected = True
        with freeze_time(TODAY), self.assertRaises(UserError):
            wizard.action_confirm()
        self.run_dunning(TODAY)
        self.assertFalse(self.comms(self.debtor))
        self.assertTrue(self.comms(self.other_debtor))

    def test_held_debtor_gets_no_reminder_from_the_scheduler(self):
        self.held_setup()
        with freeze_time(TODAY):
            self.env["debiteur.run"]._cron_run()
        self.assertFalse(self.comms(self.debtor))
        self.assertTrue(self.comms(self.other_debtor))
        self.assertTrue(self.Match.search([("partner_id", "=", self.debtor.id)]))

    def test_rejected_or_accepted_payment_releases_the_debtor(self):
        self.held_setup()
        self.scan()
        match = self.Match.search([("partner_id", "=", self.debtor.id)])
        hold = self.debtor._debiteur_hold_reasons(TODAY, self.company)
        self.assertIn(self.debtor.id, hold)
        match.action_reject()
        self.assertFalse(self.debtor._debiteur_hold_reasons(TODAY, self.company))

    def test_warning_in_the_users_language(self):
        self.held_setup()
        self.scan()
        partner = self.debtor.with_context(lang="nl_NL")
        warning = partner._debiteur_hold_reasons(TODAY, self.company)[self.debtor.id]
        self.assertIn("29 mei", warning)

    # ------------------------------------------------------------------
    # Rights
    # ------------------------------------------------------------------
    def test_rights(self):
        self.setup_role_users("pay")
        invoice = self.create_invoice(self.debtor, 100.0, self.d(-20))
        self.st_line(100.0, invoice.name)
        match = self.scan()
        as_user = match.with_user(self.dunning_user)
        self.assertEqual(as_user.read(["state"])[0]["state"], "to_check")
        with self.assertRaises(AccessError):
            as_user.write({"state": "accepted"})
        with self.assertRaises(AccessError):
            as_user.action_accept()
        with self.assertRaises(AccessError):
            as_user.action_reject()
        with self.assertRaises(AccessError):
            self.Match.with_user(self.dunning_user).create(
                {
                    "company_id": self.company.id,
                    "statement_line_id": match.statement_line_id.id,
                    "currency_id": self.company.currency_id.id,
                    "rule": "number",
                }
            )
        with self.assertRaises(AccessError):
            as_user.unlink()
        as_manager = match.with_user(self.dunning_manager)
        with self.assertRaises(AccessError):
            as_manager.write({"state": "rejected"})
        with self.assertRaises(AccessError):
            match.with_user(self.billing_user).read(["state"])
        as_manager.action_reject()
        self.assertEqual(match.state, "rejected")
