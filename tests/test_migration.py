"""Upgrades: 18.0.1.0.1 (claimed-once rules), 18.0.1.0.2 (dossier evidence)."""

from freezegun import freeze_time

from odoo.modules.migration import load_script
from odoo.tests import tagged
from odoo.tools import SQL

from .common import TODAY
from .test_claimed_once import ClaimedOnceCommon
from .test_handoff import HandoffCommon


@tagged("post_install", "-at_install", "debiteur")
class TestMigration(ClaimedOnceCommon):
    """18.0.1.0.1: the charges invoices of arrangements made before are
    flagged as costs invoices, and earlier waivers get their amounts."""

    def test_post_migrate(self):
        invoice = self.create_invoice(self.debtor, 1500.0, self.d(-49))
        arrangement = self.arrange(
            invoice,
            on=TODAY,
            first_date=self.d(10),
            claims_mode="include",
            costs_amount=225.0,
        )
        charges = arrangement.claims_move_id
        other = self.create_invoice(self.other_debtor, 1234.56, self.d(-49))
        self.level3.charge_costs = True
        for step in range(3):
            self.run_dunning(self.d(7 * step), partners=self.other_debtor)
        demand = self.comms(self.other_debtor)[-1]
        costs_move = self.invoice_costs(demand, self.d(15))
        demand._debiteur_waive(True, False, "Goodwill")
        self.assertEqual(costs_move.payment_state, "reversed")
        self.env.flush_all()
        # The data as the previous version left it.
        self.env.cr.execute(
            SQL(
                "UPDATE account_move SET debiteur_is_cost_invoice = FALSE "
                "WHERE id = %s",
                charges.id,
            )
        )
        self.env.cr.execute(
            SQL(
                "UPDATE debiteur_communication SET waived_costs_amount = NULL "
                "WHERE id = %s",
                demand.id,
            )
        )
        self.env.invalidate_all()
        self.assertFalse(charges.debiteur_is_cost_invoice)
        self.assertFalse(demand.waived_costs_amount)

        script = load_script(
            "debiteur_dunning/migrations/18.0.1.0.1/post-migrate.py",
            "debiteur_dunning_post_migrate_18_0_1_0_1",
        )
        script.migrate(self.env.cr, "18.0.1.0.0")
        self.env.invalidate_all()
        self.assertTrue(charges.debiteur_is_cost_invoice)
        self.assertFalse(invoice.debiteur_is_cost_invoice)
        self.assertFalse(other.debiteur_is_cost_invoice)
        self.assertTrue(costs_move.debiteur_is_cost_invoice)
        self.assertEqual(demand.waived_costs_amount, 185.18)
        self.assertFalse(demand.waived_interest_amount)


@tagged("post_install", "-at_install", "debiteur")
class TestMigrationEvidence(HandoffCommon):
    """18.0.1.0.2: the dossier files made before are flagged, closed handoffs
    get their closing date."""

    def test_post_migrate(self):
        handoff = self.hand_off().sudo()
        files = handoff._dossier_attachments()
        with freeze_time(TODAY):
            handoff.action_recall()
        self.env.flush_all()
        # The data as the previous version left it.
        self.env.cr.execute(
            SQL(
                "UPDATE ir_attachment SET debiteur_dossier = NULL WHERE id IN %s",
                tuple(files.ids),
            )
        )
        self.env.cr.execute(
            SQL(
                "UPDATE debiteur_handoff SET closed_date = NULL WHERE id = %s",
                handoff.id,
            )
        )
        self.env.invalidate_all()
        self.assertFalse(any(files.mapped("debiteur_dossier")))
        script = load_script(
            "debiteur_dunning/migrations/18.0.1.0.2/post-migrate.py",
            "debiteur_dunning_post_migrate_18_0_1_0_2",
        )
        script.migrate(self.env.cr, "18.0.1.0.1")
        self.env.invalidate_all()
        self.assertTrue(all(files.mapped("debiteur_dossier")))
        self.assertTrue(handoff.closed_date)
