from unittest.mock import patch

import psycopg2
from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.debiteur_dunning.models.debiteur_engine import ADVISORY_LOCK_KEY

from .common import TODAY, DebiteurCommon


@tagged("post_install", "-at_install", "debiteur")
class TestScheduler(DebiteurCommon):
    def cron(self, day):
        with freeze_time(day):
            remaining = self.env["debiteur.run"]._cron_run()
            self.process_mail_queue()
        return remaining

    def test_cron_sends_in_auto_mode(self):
        invoice = self.create_invoice(self.debtor, 100.0, self.d(-10))
        self.assertEqual(self.cron(TODAY), 0)
        comm = self.comms(self.debtor)
        self.assertEqual(len(comm), 1)
        self.assertEqual(comm.state, "sent")
        self.assertEqual(comm.run_id.trigger, "cron")
        self.assertEqual(comm.run_id.state, "done")
        self.assertEqual(invoice.debiteur_level_id, self.level1)
        self.assertEqual(invoice.debiteur_last_date, TODAY)

    def test_cron_twice_same_day_sends_once(self):
        self.create_invoice(self.debtor, 100.0, self.d(-60))
        self.cron(TODAY)
        self.cron(TODAY)
        self.assertEqual(len(self.comms(self.debtor)), 1)
        self.assertEqual(
            self.env["debiteur.run"].search_count(
                [("company_id", "=", self.company.id), ("trigger", "=", "cron")]
            ),
            1,
        )

    def test_wizard_then_cron_same_day_sends_once(self):
        self.create_invoice(self.debtor, 100.0, self.d(-60))
        self.run_dunning(TODAY)
        self.cron(TODAY)
        self.assertEqual(len(self.comms(self.debtor)), 1)

    def test_review_mode_only_prepares(self):
        self.policy.auto_send = False
        invoice = self.create_invoice(self.debtor, 100.0, self.d(-10))
        self.cron(TODAY)
        comm = self.comms(self.debtor)
        self.assertEqual(comm.state, "draft")
        self.assertFalse(comm.mail_id)
        self.assertEqual(comm.run_id.state, "review")
        # Nothing reached yet: the level moves when the accountant confirms.
        self.assertFalse(invoice.debiteur_level_id)
        # Running again does not prepare it twice, nor does the wizard.
        self.cron(TODAY)
        self.assertFalse(self.preview(TODAY).line_ids)
        self.assertEqual(len(self.comms(self.debtor)), 1)
        with freeze_time(TODAY):
            comm.run_id.action_confirm_review()
            self.process_mail_queue()
        self.assertEqual(comm.state, "sent")
        self.assertEqual(comm.run_id.state, "done")
        self.assertEqual(invoice.debiteur_level_id, self.level1)

    def test_cron_reports_progress_in_batches(self):
        partners = self.env["res.partner"].create(
            [{"name": f"Debtor {i}", "email": f"d{i}@x.example"} for i in range(3)]
        )
        for partner in partners:
            self.create_invoice(partner, 100.0, self.d(-10))
        cron = self.env.ref("debiteur_dunning.ir_cron_debiteur_run")
        progress = self.env["ir.cron.progress"].create({"cron_id": cron.id})
        batch_size = "odoo.addons.debiteur_dunning.models.debiteur_run.CRON_BATCH_SIZE"
        with freeze_time(TODAY), mute_logger("odoo.addons.base.models.ir_cron"):
            with patch(batch_size, 2):
                self.env["debiteur.run"].with_context(
                    ir_cron_progress_id=progress.id
                )._cron_run()
        self.assertEqual(progress.done, 3)
        self.assertEqual(progress.remaining, 0)
        self.assertEqual(len(self.comms()), 3)

    def test_payment_before_confirm_is_respected(self):
        invoice = self.create_invoice(self.debtor, 100.0, self.d(-10))
        other = self.create_invoice(self.other_debtor, 100.0, self.d(-10))
        with freeze_time(TODAY):
            wizard = self.preview(TODAY)
            self.assertEqual(len(wizard.line_ids), 2)
            # The debtor pays between the preview and the confirmation.
            self.pay(invoice, 100.0)
            run = self.env["debiteur.run"].browse(wizard.action_confirm()["res_id"])
        self.assertEqual(run.communication_ids.invoice_line_ids.move_id, other)
        self.assertFalse(self.comms(self.debtor))


@tagged("post_install", "-at_install", "debiteur")
class TestConcurrency(DebiteurCommon):
    def test_run_refused_while_another_holds_the_lock(self):
        self.create_invoice(self.debtor, 100.0, self.d(-10))
        wizard = self.preview(TODAY)
        wizard.confirm_simulation = True  # TODAY is not the real today
        with self.registry.cursor() as other_cr:
            other_cr.execute(
                "SELECT pg_advisory_xact_lock(%s, %s)",
                (ADVISORY_LOCK_KEY, self.company.id),
            )
            with self.assertRaisesRegex(UserError, "in progress"):
                wizard.action_confirm()
            # The scheduler does not fail: it reports work left and retries.
            with freeze_time(TODAY):
                self.assertGreater(self.env["debiteur.run"]._cron_run(), 0)
            self.assertFalse(self.comms(self.debtor))
            other_cr.rollback()
        # Once the other run is finished, exactly one reminder goes out.
        with freeze_time(TODAY):
            self.env["debiteur.run"]._cron_run()
            self.env["debiteur.run"]._cron_run()
        self.assertEqual(len(self.comms(self.debtor)), 1)

    def test_database_refuses_the_same_level_twice(self):
        invoice = self.create_invoice(self.debtor, 100.0, self.d(-10))
        comm = self.run_dunning(TODAY).communication_ids
        line = comm.invoice_line_ids
        with mute_logger("odoo.sql_db"), self.assertRaises(psycopg2.IntegrityError):
            with self.cr.savepoint():
                self.env["debiteur.communication.line"].sudo().create(
                    {
                        "communication_id": comm.id,
                        "move_id": invoice.id,
                        "level_id": line.level_id.id,
                        "escalated": True,
                        "currency_id": invoice.currency_id.id,
                    }
                )
                self.env.flush_all()

    def test_concurrent_duplicate_is_skipped_not_fatal(self):
        """A debtor another run handled meanwhile is skipped and logged."""
        self.create_invoice(self.debtor, 100.0, self.d(-10))
        self.create_invoice(self.other_debtor, 100.0, self.d(-10))
        engine = self.env["debiteur.engine"]
        proposals = engine._compute_proposals(TODAY, self.company)
        self.assertEqual(len(proposals), 2)
        # Another run sends the reminder to one debtor first...
        self.run_dunning(TODAY, partners=self.debtor)
        # ...then this run applies its (now stale) proposals.
        run = (
            self.env["debiteur.run"]
            .sudo()
            .create({"date": TODAY, "company_id": self.company.id, "trigger": "manual"})
        )
        with mute_logger("odoo.sql_db"), freeze_time(TODAY):
            created = engine._apply(run, proposals)
        self.assertEqual(created.partner_id, self.other_debtor)
        self.assertIn("skipped", run.log)
        self.assertEqual(len(self.comms(self.debtor)), 1)


@tagged("post_install", "-at_install", "debiteur")
class TestStaleProposal(DebiteurCommon):
    def test_partial_payment_after_the_proposal_skips_the_debtor(self):
        """A reminder never claims an amount paid after it was proposed."""
        invoice = self.create_invoice(self.debtor, 300.0, self.d(-10))
        engine = self.env["debiteur.engine"]
        proposals = engine._compute_proposals(TODAY, self.company)
        self.pay(invoice, 100.0)
        run = (
            self.env["debiteur.run"]
            .sudo()
            .create({"date": TODAY, "company_id": self.company.id, "trigger": "manual"})
        )
        with freeze_time(TODAY):
            self.assertFalse(engine._apply(run, proposals))
        self.assertIn("changed during the run", run.log)
        # The next run reminds the 200.00 still open.
        comm = self.run_dunning(TODAY).communication_ids
        self.assertEqual(comm.invoice_line_ids.amount_residual, 200.0)


@tagged("post_install", "-at_install", "debiteur")
class TestCronTimeLimit(DebiteurCommon):
    def test_run_resumes_from_its_progress(self):
        """With no time left after each batch, every call does one batch and
        reports the rest; the next calls resume without duplicates."""
        partners = self.env["res.partner"].create(
            [{"name": f"Debtor {i}", "email": f"d{i}@x.example"} for i in range(5)]
        )
        for partner in partners:
            self.create_invoice(partner, 100.0, self.d(-10))
        module = "odoo.addons.debiteur_dunning.models.debiteur_run"
        remaining = []
        with (
            freeze_time(TODAY),
            patch(f"{module}.CRON_BATCH_SIZE", 2),
            patch(f"{module}.CRON_TIME_BUDGET", -1),
        ):
            for _call in range(5):
                remaining.append(self.env["debiteur.run"]._cron_run())
                if not remaining[-1]:
                    break
        self.assertEqual(remaining, [3, 1, 0])
        comms = self.comms()
        self.assertEqual(len(comms), 5)
        self.assertEqual(comms.partner_id, partners)
        self.assertEqual(len(comms.run_id), 1)


@tagged("post_install", "-at_install", "debiteur")
class TestSchedulerResilience(DebiteurCommon):
    """One failing company or batch does not stop the scheduler."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_b = cls.setup_other_company(name="Scheduler B BV")["company"]
        cls.company_b.partner_id.email = "debiteuren@scheduler-b.example"
        cls.policy_b = cls.company_b.debiteur_policy_business_id
        cls.policy_b.write({"auto_send": True, "min_amount": 0.0})
        cls.policy_b.level_ids.write({"channel": "email"})
        cls.invoice_a = cls.create_invoice(cls.debtor, 500.0, cls.d(-10))
        cls.invoice_b = cls.create_invoice(
            cls.debtor, 700.0, cls.d(-10), company=cls.company_b
        )

    def run_of(self, company):
        return self.env["debiteur.run"].search(
            [("company_id", "=", company.id), ("trigger", "=", "cron")]
        )

    def cron_failing(self, fails):
        """The scheduler with proposals that raise when ``fails(company,
        partner_ids)`` says so."""
        Engine = type(self.env["debiteur.engine"])
        original = Engine._compute_proposals

        def compute(engine, date, company, policies=None, partner_ids=None):
            if fails(company, partner_ids):
                raise ValueError(f"boom in {company.name}")
            return original(
                engine, date, company, policies=policies, partner_ids=partner_ids
            )

        with (
            freeze_time(TODAY),
            patch.object(Engine, "_compute_proposals", compute),
            mute_logger("odoo.addons.debiteur_dunning.models.debiteur_run"),
        ):
            remaining = self.env["debiteur.run"]._cron_run()
            self.process_mail_queue()
        return remaining

    def test_failing_batch_of_company_a_does_not_stop_company_b(self):
        remaining = self.cron_failing(lambda company, ids: company == self.company)
        self.assertEqual(remaining, 0)
        # Company B is reminded.
        comm_b = self.env["debiteur.communication"].search(
            [("company_id", "=", self.company_b.id)]
        )
        self.assertEqual(len(comm_b), 1)
        self.assertEqual(comm_b.state, "sent")
        self.assertEqual(self.invoice_b.debiteur_level_id, self.policy_b.level_ids[:1])
        # Company A: nothing half-done, the error is on its run.
        self.assertFalse(self.comms(self.debtor))
        self.assertFalse(self.invoice_a.debiteur_level_id)
        run_a = self.run_of(self.company)
        self.assertEqual(run_a.error_count, 1)
        self.assertIn("ValueError: boom in", run_a.log)
        self.assertIn(str(self.debtor.id), run_a.log)
        self.assertEqual(self.run_of(self.company_b).error_count, 0)

    def test_failing_batch_skipped_next_batch_reminded(self):
        self.create_invoice(self.other_debtor, 300.0, self.d(-10))
        module = "odoo.addons.debiteur_dunning.models.debiteur_run"
        with patch(f"{module}.CRON_BATCH_SIZE", 1):
            self.cron_failing(
                lambda company, ids: (
                    company == self.company and self.debtor.id in (ids or ())
                )
            )
        self.assertFalse(self.comms(self.debtor))
        self.assertEqual(self.comms(self.other_debtor).state, "sent")
        run_a = self.run_of(self.company)
        self.assertEqual(run_a.error_count, 1)
        self.assertEqual(run_a.state, "done")
        self.assertIn("Batch of 1 debtor(s) skipped", run_a.log)

    def test_failing_company_is_recorded_and_next_company_runs(self):
        Engine = type(self.env["debiteur.engine"])
        original = Engine._candidate_partner_ids

        def candidates(engine, date, company, run=None):
            if company == self.company:
                raise ValueError("no candidates today")
            return original(engine, date, company, run)

        with (
            freeze_time(TODAY),
            patch.object(Engine, "_candidate_partner_ids", candidates),
            mute_logger("odoo.addons.debiteur_dunning.models.debiteur_run"),
        ):
            self.assertEqual(self.env["debiteur.run"]._cron_run(), 0)
            self.process_mail_queue()
        run_a = self.run_of(self.company)
        self.assertEqual(run_a.state, "failed")
        self.assertEqual(run_a.error_count, 1)
        self.assertIn("no candidates today", run_a.log)
        self.assertEqual(
            len(
                self.env["debiteur.communication"].search(
                    [("company_id", "=", self.company_b.id)]
                )
            ),
            1,
        )
