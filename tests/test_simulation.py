"""A dunning run dated another day: the preview warns, confirming asks twice."""

from datetime import timedelta

from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import TODAY, DebiteurCommon


@tagged("post_install", "-at_install", "debiteur")
class TestSimulationBanner(DebiteurCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.invoice = cls.create_invoice(cls.debtor, 400.0, TODAY - timedelta(days=30))

    def test_today_no_banner_no_confirmation(self):
        with freeze_time(TODAY):
            wizard = self.preview(TODAY)
            self.assertFalse(wizard.is_simulation)
            self.assertFalse(wizard.simulation_banner)
            action = wizard.action_confirm()
        run = self.env["debiteur.run"].browse(action["res_id"])
        self.assertEqual(run.date, TODAY)
        self.assertTrue(self.comms(self.debtor))

    def test_other_date_shows_banner_and_needs_confirmation(self):
        later = TODAY + timedelta(days=20)
        with freeze_time(TODAY):
            wizard = self.preview(later)
            self.assertTrue(wizard.line_ids)
            self.assertTrue(wizard.is_simulation)
            self.assertIn("Simulation for 06/21/2026", wizard.simulation_banner)
            self.assertIn("real reminders today", wizard.simulation_banner)
            with self.assertRaisesRegex(UserError, "not today"):
                wizard.action_confirm()
            self.assertFalse(self.comms(self.debtor))
            # Ticking the box is the explicit confirmation, checked on the server.
            wizard.confirm_simulation = True
            action = wizard.action_confirm()
        run = self.env["debiteur.run"].browse(action["res_id"])
        self.assertEqual(run.date, later)
        self.assertTrue(self.comms(self.debtor))

    def test_past_date_is_a_simulation_too(self):
        with freeze_time(TODAY):
            wizard = self.preview(TODAY - timedelta(days=1))
            self.assertTrue(wizard.is_simulation)
            with self.assertRaises(UserError):
                wizard.action_confirm()

    def test_banner_in_dutch(self):
        self.env["res.lang"]._activate_lang("nl_NL")
        with freeze_time(TODAY):
            wizard = self.preview(TODAY + timedelta(days=3)).with_context(lang="nl_NL")
            wizard.invalidate_recordset(["simulation_banner"])
            self.assertIn("Simulatie voor", wizard.simulation_banner)
            with self.assertRaisesRegex(UserError, "niet vandaag"):
                wizard.action_confirm()
