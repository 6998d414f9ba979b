"""Retention: letters and dossier files deleted after the company's period,
counted from the claim's closing; hashes, metadata and records kept."""

from datetime import timedelta
from unittest.mock import patch

from dateutil.relativedelta import relativedelta
from freezegun import freeze_time

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import TODAY
from .test_handoff import HandoffCommon

AFTER_7_YEARS = TODAY + relativedelta(years=7) + timedelta(days=1)
MODULE = "odoo.addons.debiteur_dunning.models.debiteur_retention"


@tagged("post_install", "-at_install", "debiteur")
class TestRetention(HandoffCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for comm in cls.env["debiteur.communication"].search(
            [("company_id", "=", cls.company.id)]
        ):
            if not comm.attachment_id:
                comm._attach_letter(
                    b"%PDF-1.4 letter " + comm.name.encode(), "application/pdf"
                )
        cls.comm = cls.env["debiteur.communication"].search(
            [("partner_id", "=", cls.debtor.id)]
        )
        cls.other_comm = cls.env["debiteur.communication"].search(
            [("partner_id", "=", cls.other_debtor.id)]
        )

    def purge(self, day):
        with freeze_time(day):
            remaining = self.env["debiteur.retention"]._cron_purge(day)
        self.env.invalidate_all()
        return remaining

    def close_claim(self):
        """The debtor pays everything today: its case closes."""
        with freeze_time(TODAY):
            self.pay(self.inv1, 1000.0, TODAY)
            self.pay(self.inv2, 500.0, TODAY)
        case = self.env["debiteur.case"].search(
            [("partner_id", "=", self.debtor.id), ("company_id", "=", self.company.id)]
        )
        self.assertTrue(case.is_closed)
        self.assertEqual(case.closed_date, TODAY)

    def test_default_is_seven_years(self):
        self.assertEqual(self.company.debiteur_retention_years, 7)
        with self.assertRaises(ValidationError):
            self.company.debiteur_retention_years = 0

    def test_letter_deleted_after_retention_hash_kept(self):
        self.close_claim()
        letter = self.comm.attachment_id
        sha = self.comm.letter_sha256
        self.assertTrue(letter and sha)
        # Exactly seven years after closing: still kept.
        self.assertEqual(self.purge(TODAY + relativedelta(years=7)), 0)
        self.assertTrue(letter.exists())
        self.assertEqual(self.purge(AFTER_7_YEARS), 0)
        self.assertFalse(letter.exists())
        self.assertTrue(self.comm.exists())
        self.assertFalse(self.comm.attachment_id)
        self.assertEqual(self.comm.letter_sha256, sha)
        self.assertEqual(self.comm.letter_purged_date, AFTER_7_YEARS)
        self.assertTrue(self.comm.line_ids)
        self.assertEqual(self.comm.state, "sent")
        # An open claim keeps its letters, however old.
        self.assertTrue(self.other_comm.attachment_id)
        self.assertFalse(self.other_comm.letter_purged_date)

    def test_company_period(self):
        self.close_claim()
        self.company.debiteur_retention_years = 10
        self.purge(AFTER_7_YEARS)
        self.assertTrue(self.comm.attachment_id)
        self.purge(TODAY + relativedelta(years=10, days=1))
        self.assertFalse(self.comm.attachment_id)

    def test_dossier_deleted_after_retention_hash_and_log_kept(self):
        handoff = self.hand_off(user=self.dunning_manager)
        files = handoff._dossier_attachments()
        fingerprint = handoff.dossier_sha256
        self.assertEqual(len(fingerprint.splitlines()), len(files))
        self.assertIn(handoff.csv_attachment_id.name, fingerprint)
        log = handoff.export_ids
        log_sha = log.sha256
        self.assertTrue(log_sha)
        # Open at the agency: kept.
        self.purge(AFTER_7_YEARS)
        self.assertTrue(files.exists())
        with freeze_time(TODAY):
            handoff.with_user(self.dunning_manager).action_recall()
        self.assertEqual(handoff.closed_date, TODAY)
        self.purge(AFTER_7_YEARS)
        self.assertFalse(files.exists())
        self.assertEqual(handoff.dossier_purged_date, AFTER_7_YEARS)
        self.assertEqual(handoff.dossier_sha256, fingerprint)
        self.assertEqual(log.sha256, log_sha)
        self.assertEqual(handoff.state, "recalled")
        self.assertTrue(handoff.invoice_ids)

    def close_both(self):
        self.close_claim()
        with freeze_time(TODAY):
            self.pay(self.other_inv, 300.0, TODAY)
        return self.comm | self.other_comm

    def test_batches(self):
        comms = self.close_both()
        with patch(f"{MODULE}.RETENTION_BATCH_SIZE", 1):
            self.assertEqual(self.purge(AFTER_7_YEARS), 0)
        self.assertFalse(comms.attachment_id)
        self.assertEqual(set(comms.mapped("letter_purged_date")), {AFTER_7_YEARS})

    def test_time_budget_asks_to_run_again(self):
        comms = self.close_both()
        with (
            patch(f"{MODULE}.RETENTION_BATCH_SIZE", 1),
            patch(f"{MODULE}.RETENTION_TIME_BUDGET", -1),
        ):
            self.assertEqual(self.purge(AFTER_7_YEARS), 1)
            self.assertEqual(self.purge(AFTER_7_YEARS), 0)
        self.assertFalse(comms.attachment_id)
