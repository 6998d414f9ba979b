from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from .common import TODAY, DebiteurCommon


@tagged("post_install", "-at_install", "debiteur")
class TestAccessRights(DebiteurCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_role_users("dd")
        cls.invoice = cls.create_invoice(cls.debtor, 500.0, cls.d(-10))

    def as_user(self, user):
        """Act as ``user`` in a new request: nothing read as admin is cached."""
        self.env.invalidate_all()
        self.env = self.env(user=user)

    def test_user_without_dunning_group_cannot_read_reminders_or_policies(self):
        comm = self.run_dunning(TODAY).communication_ids
        self.assertTrue(comm)
        with self.assertRaises(AccessError):
            comm.with_user(self.billing_user).read(["state"])
        with self.assertRaises(AccessError):
            self.policy.with_user(self.billing_user).read(["name"])
        with self.assertRaises(AccessError):
            self.level1.with_user(self.billing_user).read(["name"])

    def test_user_without_dunning_group_cannot_run_the_wizard(self):
        Wizard = self.env["debiteur.dunning.wizard"].with_user(self.billing_user)
        with self.assertRaises(AccessError):
            Wizard.create({"date": TODAY})

    def test_dunning_user_runs_the_wizard(self):
        self.as_user(self.dunning_user)
        run = self.run_dunning(TODAY)
        self.assertEqual(run.user_id, self.dunning_user)
        self.assertEqual(run.communication_ids.state, "sent")
        self.assertEqual(self.invoice.debiteur_level_id, self.level1)

    def test_dunning_user_sends_prepared_reminders(self):
        self.policy.auto_send = False
        with freeze_time(TODAY):
            self.env["debiteur.run"]._cron_run()
        comm = self.comms(self.debtor)
        self.assertEqual(comm.state, "draft")
        self.as_user(self.dunning_user)
        comm.with_env(self.env).action_send()
        self.assertEqual(comm.state, "queued")

    def test_dunning_user_blocks_an_invoice(self):
        self.as_user(self.dunning_user)
        action = self.invoice.with_env(self.env).action_debiteur_block()
        wizard = Form(self.env[action["res_model"]].with_context(**action["context"]))
        wizard.reason = "Disputed delivery"
        wizard.save().action_confirm()
        self.assertTrue(self.invoice.debiteur_blocked)
        self.assertEqual(self.invoice.debiteur_block_reason, "Disputed delivery")

    def test_dunning_user_cannot_edit_policies_or_levels(self):
        policy = self.policy.with_user(self.dunning_user)
        self.assertTrue(policy.name)  # may read them
        with self.assertRaises(AccessError):
            policy.write({"min_amount": 100.0})
        with self.assertRaises(AccessError):
            policy.level_ids[:1].write({"delay_days": 3})
        with self.assertRaises(AccessError):
            policy.create({"name": "Lenient", "company_id": self.company.id})

    def test_dunning_manager_edits_policies_and_levels(self):
        policy = self.policy.with_user(self.dunning_manager)
        policy.write({"min_amount": 100.0})
        policy.level_ids[:1].write({"delay_days": 3})
        new = policy.create({"name": "Lenient", "company_id": self.company.id})
        self.assertEqual(self.policy.min_amount, 100.0)
        self.assertEqual(self.level1.delay_days, 3)
        self.assertEqual(new.create_uid, self.dunning_manager)


@tagged("post_install", "-at_install", "debiteur")
class TestCancelRights(DebiteurCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_role_users("dd_cancel")
        cls.invoice = cls.create_invoice(cls.debtor, 500.0, cls.d(-7))

    def cancel_with_wizard(self, comm, user, reason):
        self.env.invalidate_all()  # a new request: nothing read as admin yet
        action = comm.with_user(user).action_cancel()
        self.assertEqual(action["res_model"], "debiteur.communication.cancel.wizard")
        wizard = Form(
            self.env[action["res_model"]]
            .with_user(user)
            .with_context(**action["context"])
        )
        wizard.reason = reason
        return wizard.save().action_confirm()

    def test_user_cancels_unsent_reminder_and_the_level_goes_back(self):
        self.run_dunning(TODAY)
        comm2 = self.run_dunning(self.d(14), deliver=False).communication_ids
        self.assertEqual(self.invoice.debiteur_level_id, self.level2)
        self.assertEqual(comm2.state, "queued")
        self.env.invalidate_all()  # a new request: nothing read as admin yet
        comm2.with_user(self.dunning_user).action_cancel()
        self.assertEqual(comm2.state, "cancelled")
        self.assertEqual(comm2.mail_id.state, "cancel")
        self.assertEqual(self.invoice.debiteur_level_id, self.level1)

    def test_user_cannot_cancel_a_sent_reminder(self):
        comm = self.run_dunning(TODAY).communication_ids
        self.assertEqual(comm.state, "sent")
        with self.assertRaises(UserError):
            comm.with_user(self.dunning_user).action_cancel()
        Wizard = self.env["debiteur.communication.cancel.wizard"]
        wizard = Wizard.with_user(self.dunning_user).create(
            {"communication_ids": comm.ids, "reason": "Paid in cash"}
        )
        with self.assertRaises(UserError):
            wizard.action_confirm()
        self.assertEqual(comm.state, "sent")
        self.assertEqual(self.invoice.debiteur_level_id, self.level1)

    def test_manager_cancels_a_sent_reminder_with_a_reason(self):
        comm = self.run_dunning(TODAY).communication_ids
        self.cancel_with_wizard(comm, self.dunning_manager, "Paid in cash")
        self.assertEqual(comm.state, "cancelled")
        self.assertEqual(comm.cancel_reason, "Paid in cash")
        self.assertEqual(comm.cancel_user_id, self.dunning_manager)
        self.assertFalse(self.invoice.debiteur_level_id)
        self.assertFalse(self.invoice.debiteur_last_date)

    def test_later_reminder_blocks_cancelling_an_earlier_one(self):
        comm1 = self.run_dunning(TODAY).communication_ids
        comm2 = self.run_dunning(self.d(14)).communication_ids
        self.assertEqual(comm2.level_id, self.level2)
        with self.assertRaises(UserError):
            self.cancel_with_wizard(comm1, self.dunning_manager, "Mistake")
        self.assertEqual(comm1.state, "sent")
        # Latest first, then the earlier one may go.
        self.cancel_with_wizard(comm2, self.dunning_manager, "Mistake")
        self.cancel_with_wizard(comm1, self.dunning_manager, "Mistake")
        self.assertFalse(self.invoice.debiteur_level_id)
