from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.tests import Form, new_test_user, tagged

from .common import TODAY, DebiteurCommon


@tagged("post_install", "-at_install", "debiteur")
class TestMultiCompany(DebiteurCommon):
    """Two companies, each with its own ready-made policies, one shared debtor."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_b = cls.setup_other_company(name="Brouwerij Zuid BV")["company"]
        cls.company_b.partner_id.email = "debiteuren@zuid.example"
        cls.policy_b = cls.company_b.debiteur_policy_business_id
        cls.policy_b.write({"auto_send": True, "min_amount": 0.0})
        cls.policy_b.level_ids.write({"channel": "email"})
        cls.invoice_a = cls.create_invoice(cls.debtor, 500.0, cls.d(-10))
        cls.invoice_b = cls.create_invoice(
            cls.debtor, 700.0, cls.d(-10), company=cls.company_b
        )

    def run_b(self, run_date):
        return self.run_dunning(run_date, company=self.company_b)

    def test_each_company_has_its_own_policies(self):
        self.assertTrue(self.policy_b)
        self.assertNotEqual(self.policy_b, self.policy)
        self.assertEqual(self.policy_b.level_ids.company_id, self.company_b)

    def test_run_of_company_a_leaves_company_b_alone(self):
        comm = self.run_dunning(TODAY).communication_ids
        self.assertEqual(len(comm), 1)
        self.assertEqual(comm.line_ids.move_id, self.invoice_a)
        self.assertEqual(comm.amount_due, 500.0)
        self.assertEqual(
            (comm.policy_id, comm.level_id.company_id), (self.policy, self.company)
        )
        self.assertFalse(self.invoice_b.debiteur_level_id)
        self.assertFalse(self.invoice_b.debiteur_communication_line_ids)

    def test_reminder_in_company_a_does_not_delay_company_b(self):
        self.run_dunning(TODAY)
        comm_b = self.run_b(TODAY).communication_ids
        self.assertEqual(len(comm_b), 1)
        self.assertEqual(comm_b.company_id, self.company_b)
        self.assertEqual(comm_b.policy_id, self.policy_b)
        self.assertEqual(comm_b.line_ids.move_id, self.invoice_b)
        self.assertEqual(comm_b.line_ids.company_id, self.company_b)
        self.assertEqual(comm_b.run_id.company_id, self.company_b)
        self.assertEqual(self.invoice_b.debiteur_level_id.company_id, self.company_b)

    def test_letter_and_email_of_company_b_are_company_b_only(self):
        comm_b = self.run_b(TODAY).communication_ids
        letter = comm_b.attachment_id.raw.decode()
        self.assertIn("Brouwerij Zuid BV", letter)
        self.assertNotIn(self.company.name, letter)
        self.assertIn("debiteuren@zuid.example", comm_b.mail_id.email_from)
        self.assertNotIn(self.company.name, comm_b.mail_id.body_html)

    def test_run_for_company_b_chosen_while_working_in_company_a(self):
        env = self.env(
            context=dict(
                self.env.context,
                allowed_company_ids=[self.company.id, self.company_b.id],
            )
        )
        self.assertEqual(env.company, self.company)
        with freeze_time(TODAY):
            form = Form(env["debiteur.dunning.wizard"])
            form.company_id = self.company_b
            wizard = form.save()
            wizard.action_preview()
            self.assertEqual(wizard.line_ids.move_ids, self.invoice_b)
            run = env["debiteur.run"].browse(wizard.action_confirm()["res_id"])
        comm = run.communication_ids
        self.assertEqual(run.company_id, self.company_b)
        self.assertEqual(comm.company_id, self.company_b)
        self.assertEqual(comm.policy_id, self.policy_b)
        self.assertEqual(comm.attachment_id.company_id, self.company_b)
        self.assertFalse(self.invoice_a.debiteur_level_id)

    def test_user_of_company_a_cannot_read_company_b_reminders(self):
        comm_a = self.run_dunning(TODAY).communication_ids
        comm_b = self.run_b(TODAY).communication_ids
        user_a = new_test_user(
            self.env,
            login="dd_user_a",
            groups="base.group_user,debiteur_dunning.group_debiteur_manager",
            company_id=self.company.id,
            company_ids=self.company.ids,
        )
        self.env.invalidate_all()
        Comm = self.env["debiteur.communication"].with_user(user_a)
        self.assertEqual(Comm.search([("partner_id", "=", self.debtor.id)]), comm_a)
        with self.assertRaises(AccessError):
            comm_b.with_user(user_a).read(["name"])
        with self.assertRaises(AccessError):
            comm_b.line_ids.with_user(user_a).read(["move_id"])
        with self.assertRaises(AccessError):
            self.policy_b.with_user(user_a).read(["name"])
