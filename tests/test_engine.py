from freezegun import freeze_time

from odoo.tests import tagged

from .common import TODAY, DebiteurCommon


@tagged("post_install", "-at_install", "debiteur")
class TestEscalation(DebiteurCommon):
    def test_levels_reached_on_the_right_day(self):
        invoice = self.create_invoice(self.debtor, 500.0, self.d(-6))
        # 6 days overdue: level 1 needs 7.
        self.assertFalse(self.run_dunning(TODAY))
        self.assertFalse(invoice.debiteur_level_id)
        # 7 days overdue: the payment reminder.
        run = self.run_dunning(self.d(1))
        self.assertEqual(len(run.communication_ids), 1)
        self.assertEqual(invoice.debiteur_level_id, self.level1)
        comm = run.communication_ids
        self.assertEqual(comm.level_id, self.level1)
        self.assertEqual(comm.partner_id, self.debtor)
        self.assertEqual(comm.amount_due, 500.0)
        # Level 2 at 21 days, level 3 at 35, level 4 at 49.
        comm.invalidate_recordset()
        self.assertEqual(comm.state, "sent", comm.failure_reason)
        self.assertEqual(comm.sent_date, self.d(1))
        self.assertFalse(self.run_dunning(self.d(14)))  # 20 days
        self.run_dunning(self.d(15))  # 21 days
        self.assertEqual(invoice.debiteur_level_id, self.level2)
        self.run_dunning(self.d(29))  # 35 days
        self.assertEqual(invoice.debiteur_level_id, self.level3)
        self.run_dunning(self.d(43))  # 49 days
        self.assertEqual(invoice.debiteur_level_id, self.level4)
        # No level beyond the last one.
        self.assertFalse(self.run_dunning(self.d(80)))
        self.assertEqual(len(self.comms(self.debtor)), 4)
