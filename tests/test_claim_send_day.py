"""The claim on the day a reminder leaves.

A formal notice's term runs from the day it really leaves: the letter printed,
the e-mail delivered by the mail queue, not the date of a back-dated run. A
draft prepared by the scheduler and confirmed later is checked again: paid
invoices are left out, a reminder with nothing left is cancelled, and the
claim and the term are those of the day it leaves.

TODAY is Monday 1 June 2026; e-mail terms end 14 days after sending.
"""

from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import TODAY, DebiteurCommon


class SendDayCommon(DebiteurCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # The first level is the formal notice: one run is enough.
        cls.level1.write(
            {"is_legal_notice": True, "charge_costs": True, "charge_interest": True}
        )
        cls.debtor.write({"street": "Dorpsstraat 1", "zip": "1234 AB", "city": "Ede"})
        cls.company.partner_id.country_id = cls.env.ref("base.nl")

    def notice(self, partner=None):
        return self.comms(partner or self.debtor)[-1:]


@tagged("post_install", "-at_install", "debiteur")
class TestTermFromTheRealSendDay(SendDayCommon):
    def test_a_back_dated_run_counts_from_the_day_it_sends(self):
        invoice = self.create_invoice(self.debtor, 1000.0, self.d(-30))
        with freeze_time(TODAY):
            wizard = self.preview(self.d(-5))
            # A run dated another day sends real reminders today: confirmed.
            wizard.confirm_simulation = True
            wizard.action_confirm()
            self.process_mail_queue()
        notice = self.notice()
        self.assertEqual(notice.invoice_line_ids.move_id, invoice)
        self.assertEqual(notice.state, "sent")
        self.assertEqual(notice.date, TODAY)
        # Sent on Monday 1 June: the term ends on Monday 15 June, not on
        # 10 June as a term counted from the run's date would.
        self.assertEqual(notice.legal_deadline, self.d(14))
        with freeze_time(self.d(14)), self.assertRaises(UserError):
            notice.action_invoice_costs()
        with freeze_time(self.d(15)):
            notice.action_invoice_costs()
        # WIK on 1,000.00.
        self.assertEqual(notice.invoiced_costs_amount, 150.0)

    def test_no_costs_invoice_while_the_mail_waits_in_the_queue(self):
        self.create_invoice(self.debtor, 1000.0, self.d(-30))
        self.run_dunning(TODAY, deliver=False)
        notice = self.notice()
        self.assertEqual(notice.state, "queued")
        with freeze_time(self.d(30)), self.assertRaisesRegex(UserError, "mail queue"):
            notice.action_invoice_costs()
        self.assertFalse(notice.cost_move_id)

    def test_a_mail_delivered_later_moves_the_term(self):
        self.create_invoice(self.debtor, 1000.0, self.d(-30))
        self.run_dunning(TODAY, deliver=False)
        notice = self.notice()
        self.assertEqual(notice.legal_deadline, self.d(14))
        # The mail server was down until Thursday.
        with freeze_time(self.d(3)):
            self.process_mail_queue()
        self.assertEqual(notice.state, "sent")
        self.assertEqual(notice.sent_date, self.d(3))
        self.assertEqual(notice.legal_deadline, self.d(17))
        self.assertIn("legal term runs until", notice.message_ids[0].body)
        with freeze_time(self.d(17)), self.assertRaises(UserError):
            notice.action_invoice_costs()
        with freeze_time(self.d(18)):
            notice.action_invoice_costs()
        self.assertTrue(notice.cost_move_id)


@tagged("post_install", "-at_install", "debiteur")
class TestDraftConfirmedLater(SendDayCommon):
    def setUp(self):
        super().setUp()
        self.policy.auto_send = False
        self.inv1 = self.create_invoice(self.debtor, 800.0, self.d(-30))
        self.inv2 = self.create_invoice(self.debtor, 200.0, self.d(-30))
        self.other_inv = self.create_invoice(self.other_debtor, 500.0, self.d(-30))
        with freeze_time(TODAY):
            self.env["debiteur.run"]._cron_run()
        self.draft = self.notice()
        self.other_draft = self.notice(self.other_debtor)
        self.run = self.draft.run_id
        self.assertEqual((self.draft | self.other_draft).mapped("state"), ["draft"] * 2)
        self.assertEqual(self.draft.costs_amount, 150.0)

    def confirm(self, day):
        with freeze_time(day):
            self.run.action_confirm_review()
            self.process_mail_queue()

    def test_paid_drafts_are_cancelled_and_logged(self):
        self.pay(self.other_inv, 500.0, pay_date=self.d(1))
        self.confirm(self.d(2))
        self.assertEqual(self.other_draft.state, "cancelled")
        self.assertFalse(self.other_draft.mail_id)
        self.assertFalse(self.other_draft.attachment_id)
        self.assertIn("paid before it was sent", self.run.log)
        self.assertFalse(self.other_inv.debiteur_level_id)
        self.assertEqual(self.draft.state, "sent")

    def test_a_paid_invoice_is_left_out_and_the_claim_computed_again(self):
        self.pay(self.inv1, 800.0, pay_date=self.d(1))
        self.confirm(self.d(2))
        draft = self.draft
        self.assertEqual(draft.state, "sent")
        self.assertEqual(draft.invoice_line_ids.move_id, self.inv2)
        self.assertEqual(draft.amount_overdue, 200.0)
        self.assertEqual(draft.date, self.d(2))
        # The term from the day it left; the WIK on what is still open.
        self.assertEqual(draft.legal_deadline, self.d(16))
        self.assertEqual(draft.costs_amount, 40.0)
        self.assertFalse(self.inv1.debiteur_level_id)
        self.assertEqual(self.inv2.debiteur_level_id, self.level1)
        self.assertIn("paid before it was sent, left out", self.run.log)


@tagged("post_install", "-at_install", "debiteur")
class TestAgencyWaitsForTheTerm(SendDayCommon):
    def candidate(self, day):
        with freeze_time(day):
            partner = self.debtor.with_context(tz="UTC")
            partner.invalidate_recordset(["debiteur_handoff_candidate"])
            return partner.debiteur_handoff_candidate

    def test_ready_for_collection_only_after_the_term_of_the_notice(self):
        self.level1.handoff_ready = True
        self.create_invoice(self.debtor, 1000.0, self.d(-30))
        self.run_dunning(TODAY, deliver=False)
        # Queued: the term has not started.
        self.assertFalse(self.candidate(self.d(20)))
        with freeze_time(TODAY):
            self.process_mail_queue()
        self.assertEqual(self.notice().legal_deadline, self.d(14))
        self.assertFalse(self.candidate(self.d(14)))
        self.assertTrue(self.candidate(self.d(15)))
