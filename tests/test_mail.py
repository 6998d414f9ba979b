from unittest.mock import patch

from freezegun import freeze_time
from lxml import etree

from odoo.tests import new_test_user, tagged
from odoo.tools.safe_eval import safe_eval

from odoo.addons.base.models.ir_mail_server import IrMailServer, MailDeliveryException

from .common import TODAY, DebiteurCommon


def smtp_rejects(reason="550 5.1.1 mailbox unavailable"):
    return patch.object(
        IrMailServer,
        "send_email",
        side_effect=MailDeliveryException("Mail Delivery Failed", reason),
    )


@tagged("post_install", "-at_install", "debiteur")
class TestMail(DebiteurCommon):
    def failed_filter_domain(self):
        """The domain of the "Failed" filter of the reminders' search view."""
        view = self.env.ref("debiteur_dunning.debiteur_communication_view_search")
        node = etree.fromstring(view.arch).xpath("//filter[@name='failed']")[0]
        return safe_eval(node.get("domain"))

    def test_case_counts_from_the_delivered_reminder(self):
        """Once the queue has sent the reminder, the case's next action waits
        the policy's minimum days from that day."""
        self.policy.min_days_between = 14
        self.create_invoice(self.debtor, 100.0, self.d(-12))
        with freeze_time(TODAY):
            self.run_dunning(TODAY, deliver=False)
            case = self.env["debiteur.case"].search(
                [("partner_id", "=", self.debtor.id)]
            )
            # Queued, not sent: only the level table counts (due + 21 days).
            self.assertEqual(case.next_action_date, self.d(-12 + 21))
            self.process_mail_queue()
        self.assertEqual(self.comms(self.debtor).state, "sent")
        self.assertEqual(case.next_action_date, self.d(14))

    def test_email_to_invoice_address_with_letter_attached(self):
        contact = self.env["res.partner"].create(
            {
                "name": "Accounts payable",
                "parent_id": self.debtor.id,
                "type": "invoice",
                "email": "ap@devries.example",
            }
        )
        self.create_invoice(self.debtor, 500.0, self.d(-10))
        comm = self.run_dunning(TODAY, deliver=False).communication_ids
        self.assertEqual(comm.partner_id, self.debtor)
        self.assertEqual(comm.recipient_id, contact)
        mail = comm.mail_id
        self.assertEqual(mail.recipient_ids, contact)
        self.assertEqual(mail.attachment_ids, comm.attachment_id)
        self.assertIn(mail.attachment_ids.mimetype, ("application/pdf", "text/html"))
        self.assertEqual((comm.state, mail.state), ("queued", "outgoing"))
        with freeze_time(TODAY):
            self.process_mail_queue()
        self.assertEqual((comm.state, comm.sent_date), ("sent", TODAY))

    def test_rejected_mail_leaves_reminder_failed_and_visible(self):
        invoice = self.create_invoice(self.debtor, 500.0, self.d(-10))
        with smtp_rejects("550 5.1.1 mailbox unavailable"):
            run = self.run_dunning(TODAY)
        comm = run.communication_ids
        self.assertEqual(comm.state, "failed")
        self.assertIn("550 5.1.1 mailbox unavailable", comm.failure_reason)
        self.assertFalse(comm.sent_date)
        self.assertEqual(run.failed_count, 1)
        failed = self.env["debiteur.communication"].search(self.failed_filter_domain())
        self.assertIn(comm, failed)
        # The level counts: the next run does not send the same reminder again.
        self.assertEqual(invoice.debiteur_level_id, self.level1)
        self.assertFalse(self.run_dunning(self.d(8)))

    def test_unreachable_mail_server_leaves_reminder_failed(self):
        self.create_invoice(self.debtor, 500.0, self.d(-10))
        with patch.object(
            IrMailServer, "connect", side_effect=ConnectionRefusedError("refused")
        ):
            comm = self.run_dunning(TODAY).communication_ids
        self.assertEqual(comm.state, "failed")
        self.assertIn("refused", comm.failure_reason)

    def test_retry_sends_and_dates_the_reminder_on_the_real_send_day(self):
        invoice = self.create_invoice(self.debtor, 500.0, self.d(-10))
        with smtp_rejects():
            comm = self.run_dunning(TODAY).communication_ids
        with freeze_time(self.d(3)):
            comm.action_retry()
            self.assertEqual(comm.state, "queued")
            self.assertFalse(comm.failure_reason)
            self.process_mail_queue()
        self.assertEqual(comm.state, "sent")
        self.assertEqual(comm.sent_date, self.d(3))
        self.assertEqual(comm.date, TODAY)
        self.assertEqual(invoice.debiteur_last_date, self.d(3))

    def test_phone_channel_schedules_a_call_for_the_controller(self):
        controller = new_test_user(
            self.env,
            login="dd_controller",
            groups="base.group_user,debiteur_dunning.group_debiteur_user",
            company_id=self.company.id,
            company_ids=self.company.ids,
        )
        self.company.debiteur_user_id = controller
        self.level1.channel = "phone"
        self.create_invoice(self.debtor, 500.0, self.d(-10))
        comm = self.run_dunning(TODAY).communication_ids
        activity = comm.activity_ids
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, controller)
        self.assertEqual(
            activity.activity_type_id, self.env.ref("mail.mail_activity_data_call")
        )
        self.assertEqual(comm.state, "sent")
        self.assertFalse(comm.mail_id)

    def test_debtor_without_email_gets_a_letter_with_a_warning(self):
        self.debtor.email = False
        self.create_invoice(self.debtor, 500.0, self.d(-10))
        wizard = self.preview(TODAY)
        line = wizard.line_ids
        self.assertEqual(line.partner_id, self.debtor)
        self.assertEqual(line.channel, "letter")
        self.assertTrue(line.selected)
        self.assertIn("No e-mail address", line.warning)
        comm = self.run_dunning(TODAY).communication_ids
        self.assertEqual((comm.channel, comm.state), ("letter", "printed"))
        self.assertIn("No e-mail address", comm.warning)
        self.assertTrue(comm.attachment_id)
        self.assertFalse(comm.mail_id)
