from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, new_test_user, tagged

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


@tagged("post_install", "-at_install", "debiteur")
class TestEvidenceRights(DebiteurCommon):
    """Proof records are written by the server's own code paths only."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_role_users("dd_proof")
        cls.invoice = cls.create_invoice(cls.debtor, 500.0, cls.d(-10))
        cls.other_company = cls.setup_other_company(name="Proof Other BV")["company"]
        cls.other_invoice = cls.create_invoice(
            cls.debtor, 300.0, cls.d(-10), company=cls.other_company
        )

    def setUp(self):
        super().setUp()
        self.comm = self.run_dunning(TODAY).communication_ids
        self.assertEqual(self.comm.state, "sent")

    def refused(self, records, user, vals, error=AccessError):
        self.env.invalidate_all()
        with self.assertRaises(error):
            records.with_user(user).write(vals)

    def test_nobody_rewrites_a_sent_reminder(self):
        comm = self.comm
        before = comm.read(["state", "letter_sha256", "costs_amount"])[0]
        for user in (self.dunning_user, self.dunning_manager):
            for vals in (
                {"state": "cancelled"},
                {"letter_sha256": "0" * 64},
                {"costs_amount": 1.0},
                {"legal_deadline": TODAY},
                {"costs_waived": True},
            ):
                with self.subTest(user=user.login, vals=vals):
                    self.refused(comm, user, vals)
            with self.subTest(user=user.login, what="line"):
                self.refused(comm.line_ids, user, {"move_id": self.other_invoice.id})
            with self.subTest(user=user.login, what="run log"):
                self.refused(comm.run_id, user, {"log": "nothing happened"})
        self.assertEqual(
            comm.read(["state", "letter_sha256", "costs_amount"])[0], before
        )

    def test_nobody_creates_reminders_or_runs(self):
        Comm = self.env["debiteur.communication"].with_user(self.dunning_user)
        vals = self.comm.copy_data()[0]
        vals.update(state="sent", line_ids=[])
        with self.assertRaises(AccessError):
            Comm.create(vals)
        with self.assertRaises(AccessError):
            self.env["debiteur.run"].with_user(self.dunning_manager).create(
                {"date": TODAY, "company_id": self.company.id}
            )
        self.env.invalidate_all()
        with self.assertRaises(AccessError):
            self.comm.with_user(self.dunning_manager).unlink()
        with self.assertRaises(AccessError):
            self.comm.run_id.with_user(self.dunning_manager).unlink()
        self.assertTrue(self.comm.exists() and self.comm.run_id.exists())

    def test_a_line_lists_invoices_of_its_own_company(self):
        with self.assertRaises(ValidationError):
            self.comm.line_ids[:1].sudo().write({"move_id": self.other_invoice.id})

    def test_manager_cancels_through_the_wizard(self):
        self.env.invalidate_all()
        self.comm.with_user(self.dunning_manager).with_context(
            debiteur_cancel_reason="Paid in cash"
        ).action_cancel()
        self.assertEqual(self.comm.state, "cancelled")

    def test_billing_user_cannot_block_or_exclude(self):
        self.refused(self.invoice, self.billing_user, {"debiteur_blocked": True})
        self.refused(self.debtor, self.billing_user, {"debiteur_excluded": True})
        self.refused(
            self.debtor, self.dunning_user, {"debiteur_agency_registration": "123"}
        )
        with self.assertRaises(AccessError):
            self.invoice.with_user(self.billing_user).action_debiteur_unblock()
        self.assertFalse(self.invoice.debiteur_blocked)
        self.assertFalse(self.debtor.debiteur_excluded)
        # A contact follows its company's exclusion, whoever adds it.
        self.debtor.debiteur_excluded = True
        self.debtor.debiteur_exclusion_reason = "Bankrupt"
        clerk = new_test_user(
            self.env,
            login="dd_proof_clerk",
            groups="base.group_user,base.group_partner_manager",
        )
        with self.assertRaises(AccessError):
            self.env["res.partner"].with_user(clerk).create(
                {"name": "Excluded", "debiteur_excluded": True}
            )
        contact = (
            self.env["res.partner"]
            .with_user(clerk)
            .create({"name": "Jan", "parent_id": self.debtor.id})
        )
        self.assertTrue(contact.sudo().debiteur_excluded)
        self.assertEqual(contact.sudo().debiteur_exclusion_reason, "Bankrupt")

    def test_internal_fields_are_hidden_from_portal_and_employees(self):
        portal = new_test_user(
            self.env, login="dd_proof_portal", groups="base.group_portal"
        )
        with self.assertRaises(AccessError):
            self.invoice.with_user(portal).read(["debiteur_block_reason"])
        with self.assertRaises(AccessError):
            self.debtor.with_user(portal).read(["debiteur_avg_days_late"])
        employee = new_test_user(self.env, login="dd_proof_employee")
        with self.assertRaises(AccessError):
            self.debtor.with_user(employee).read(["debiteur_exclusion_reason"])
        self.debtor.with_user(self.dunning_user).read(["debiteur_exclusion_reason"])

    def test_case_sync_flag_is_the_servers_own(self):
        case = self.env["debiteur.case"].search([("partner_id", "=", self.debtor.id)])
        self.assertTrue(case)
        closed = self.env["debiteur.case.stage"]._by_code()["closed"]
        self.env.invalidate_all()
        with self.assertRaises(UserError):
            case.with_user(self.dunning_user).with_context(
                debiteur_case_sync=True
            ).write({"stage_id": closed.id})
        self.assertNotEqual(case.stage_id, closed)

    def test_level_template_must_be_a_reminder_template(self):
        template = self.env["mail.template"].search(
            [("model", "!=", "debiteur.communication")], limit=1
        )
        with self.assertRaises(ValidationError):
            self.level1.mail_template_id = template

    def test_interest_rates_are_settings(self):
        rate = self.env["debiteur.interest.rate"].search([], limit=1)
        self.refused(rate, self.dunning_manager, {"rate": 99.0})
        rate.with_user(self.dunning_user).read(["rate"])
        admin = new_test_user(
            self.env, login="dd_proof_admin", groups="base.group_system"
        )
        rate.with_user(admin).write({"rate": rate.rate})

    def test_no_demo_model_in_a_production_database(self):
        """The demo helpers are ``account.chart.template`` methods, as in Odoo's
        own ``account/demo/``: no model of their own in every database."""
        self.assertNotIn("debiteur.demo", self.env.registry)
        self.assertFalse(self.env["ir.model"].search([("model", "=", "debiteur.demo")]))
        self.assertTrue(
            callable(
                getattr(
                    self.env["account.chart.template"],
                    "_debiteur_demo_setup_company",
                    None,
                )
            )
        )
