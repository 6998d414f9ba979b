"""Collection costs are claimed once per claim; interest invoiced is not claimed again.

What a payment arrangement's charges invoice or a reminder's costs invoice
charged (or what was waived) is deducted by every consumer of
``account.move._debiteur_charges``: the engine's proposal and letter, the
costs invoice of a later reminder, the arrangement wizard and the debtor's
claim figures (the collection dossier: ``test_handoff_dossier``).

Interest: 10.15 % (NL commercial), 6 % (NL consumer), 10.5 % (BE commercial,
not capitalised), from the day after the due date, both ends included.
"""

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import DebiteurCommon

LETTER = "debiteur_dunning.action_report_debiteur_letter"


class ClaimedOnceCommon(DebiteurCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write(
            {
                "debiteur_arrangement_reminder_days": 3,
                "debiteur_arrangement_grace_days": 3,
                "debiteur_arrangement_break_days": 14,
            }
        )
        cls.costs_product, cls.interest_product = cls.company._debiteur_cost_products()

    def arrange(self, moves, on, first_date, **values):
        """An arrangement agreed on ``on`` through the wizard."""
        with freeze_time(on):
            wizard = self.env["debiteur.arrangement.wizard"].create(
                {
                    "move_ids": [Command.set(moves.ids)],
                    "instalment_count": 3,
                    "frequency": "monthly",
                    "first_date": first_date,
                    **values,
                }
            )
            return wizard._create_arrangement()

    def break_on(self, arrangement, day):
        with freeze_time(day):
            self.env["debiteur.arrangement"]._cron_process_arrangements(day)
        self.env.invalidate_all()
        self.assertEqual(arrangement.state, "broken")

    def figures(self, partner, day):
        partner = partner.with_context(debiteur_as_of=day)
        partner.invalidate_recordset()
        return (
            partner.debiteur_costs_due,
            partner.debiteur_interest_due,
            partner.debiteur_claim_total,
        )

    def invoice_costs(self, comm, on):
        with freeze_time(on):
            comm.action_invoice_costs()
        return comm.cost_move_id

    def line_of(self, move, product):
        return move.invoice_line_ids.filtered(lambda li: li.product_id == product)

    def letter_html(self, comm):
        html, _kind = self.env["ir.actions.report"]._render_qweb_html(LETTER, comm.ids)
        return html.decode()

    def money(self, amount):
        return self.company.currency_id.format(amount)


@tagged("post_install", "-at_install", "debiteur")
class TestBrokenArrangementBusiness(ClaimedOnceCommon):
    """1,500.00 (NL business debtor) reminded up to level 3, then an
    arrangement including the WIK (225.00) and the interest accrued (26.70),
    broken: the formal notice that follows states no collection costs."""

    def setUp(self):
        super().setUp()
        self.invoice = self.create_invoice(self.debtor, 1500.0, self.d(-49))
        for step in range(3):
            self.run_dunning(self.d(7 * step))
        self.assertEqual(self.invoice.debiteur_level_id, self.level3)
        self.arrangement = self.arrange(
            self.invoice,
            on=self.d(15),
            first_date=self.d(20),
            claims_mode="include",
            # 1500.00 from 14 April to 16 June, 64 days.
            interest_amount=26.70,
            costs_amount=225.0,
        )
        self.charges = self.arrangement.claims_move_id
        self.assertEqual(self.charges.amount_total, 251.70)
        self.assertTrue(self.charges.debiteur_is_cost_invoice)
        self.break_on(self.arrangement, self.d(34))
        self.notice = self.run_dunning(self.d(34)).communication_ids
        self.assertEqual(self.notice.level_id, self.level4)
        self.assertEqual(self.notice.state, "sent")

    def test_formal_notice_states_no_costs_again(self):
        notice = self.notice
        self.assertEqual(notice.invoice_line_ids.move_id, self.invoice | self.charges)
        self.assertEqual(notice.amount_due, 1751.70)
        # WIK on the principal 1500.00 is 225.00, all of it invoiced already.
        self.assertEqual(notice.costs_amount, 0.0)
        self.assertFalse(notice.costs_due)
        self.assertIn(
            "Amount: %s, of which %s already invoiced: %s left to claim"
            % (self.money(225.0), self.money(225.0), self.money(0.0)),
            notice.costs_note,
        )
        # Interest up to 5 July: 34.62, of which 26.70 invoiced; none on the
        # charges invoice itself.
        charges_line = notice.invoice_line_ids.filtered(
            lambda li: li.move_id == self.charges
        )
        self.assertEqual(charges_line.interest_amount, 0.0)
        self.assertEqual(notice.interest_amount, 7.92)
        self.assertEqual(notice.total_claim, 1759.62)
        html = self.letter_html(notice)
        self.assertNotIn("Collection costs</td>", html)
        self.assertNotIn("collection costs of", html)
        self.assertIn("1,759.62", html)

    def test_costs_invoice_does_not_charge_the_wik_twice(self):
        # Sunday 19 July: the term runs to Monday 20 July.
        self.assertEqual(self.notice.legal_deadline, self.d(49))
        costs, interest, total = self.figures(self.debtor, self.d(50))
        # Up to 21 July: 41.30 interest, 26.70 of it invoiced.
        self.assertEqual((costs, interest, total), (0.0, 14.60, 1766.30))
        move = self.invoice_costs(self.notice, self.d(50))
        self.assertFalse(self.line_of(move, self.costs_product))
        self.assertEqual(self.line_of(move, self.interest_product).price_unit, 14.60)
        self.assertEqual(move.amount_total, 14.60)
        self.assertEqual(self.notice.invoiced_costs_amount, 0.0)
        self.assertEqual(self.notice.invoiced_interest_amount, 14.60)
        with (
            freeze_time(self.d(51)),
            self.assertRaisesRegex(UserError, "already been invoiced"),
        ):
            self.notice.action_invoice_costs()
        # The claim figures agree: nothing left, the total unchanged.
        self.assertEqual(self.figures(self.debtor, self.d(50)), (0.0, 0.0, 1766.30))

    def test_an_arrangement_made_after_it_charges_nothing_again(self):
        """Renegotiated over the open invoices (the principal and the charges
        invoice): the wizard proposes no costs and only the interest since."""
        with freeze_time(self.d(49)):
            wizard = self.env["debiteur.arrangement.wizard"].create(
                {"move_ids": [Command.set((self.invoice | self.charges).ids)]}
            )
            self.assertEqual(wizard.costs_amount, 0.0)
            self.assertEqual(wizard.interest_amount, 14.18)


@tagged("post_install", "-at_install", "debiteur")
class TestBrokenArrangementConsumer(ClaimedOnceCommon):
    """1,500.00 owed by a Dutch consumer: the 14-day letter announced the WIK
    (225.00); after its term an arrangement included it and the interest
    (21.45); broken, the debtor is reminded again up to a new 14-day letter,
    which states no costs and is still a valid formal notice."""

    def test_second_fourteen_day_letter_states_no_costs(self):
        consumer = self.env["res.partner"].create(
            {"name": "Jan Jansen", "email": "jan@example.com", "lang": "en_US"}
        )
        self.assertEqual(consumer.debiteur_debtor_type, "consumer")
        invoice = self.create_invoice(consumer, 1500.0, self.d(-49))
        for step in range(4):
            self.run_dunning(self.d(7 * step))
        first = self.comms(consumer)[-1]
        self.assertTrue(first.level_id.is_legal_notice)
        self.assertEqual(first.costs_amount, 225.0)
        self.assertFalse(first.costs_due)
        self.assertEqual(first.legal_deadline, self.d(37))

        arrangement = self.arrange(
            invoice,
            on=self.d(38),
            first_date=self.d(45),
            claims_mode="include",
            # 1500.00 from 14 April to 9 July, 87 days at 6 %.
            interest_amount=21.45,
            costs_amount=225.0,
        )
        charges = arrangement.claims_move_id
        self.assertEqual(charges.amount_total, 246.45)
        self.break_on(arrangement, self.d(59))

        # The charges invoice climbs the levels; the principal stays at the top.
        levels = self.consumer_policy._sorted_levels()
        for day, level in ((59, 0), (66, 1), (73, 2)):
            comm = self.run_dunning(self.d(day)).communication_ids
            self.assertEqual(comm.level_id, levels[level])
            self.assertFalse(comm.costs_amount)
        self.assertFalse(self.run_dunning(self.d(80)))
        second = self.run_dunning(self.d(87)).communication_ids
        self.assertEqual(second.level_id, levels[3])
        self.assertTrue(second.level_id.is_legal_notice)
        self.assertEqual(second.state, "sent")
        self.assertEqual(second.invoice_line_ids.move_id, invoice | charges)
        # WIK 225.00 invoiced already; interest up to 27 August 33.53, 21.45 of
        # it invoiced.
        self.assertEqual(second.costs_amount, 0.0)
        self.assertEqual(second.interest_amount, 12.08)
        self.assertIn(
            "of which %s already invoiced" % self.money(225.0), second.costs_note
        )
        # Saturday 12 September: the term runs to Monday 14 September.
        self.assertEqual(second.legal_deadline, self.d(105))
        self.assertEqual(second.total_claim, 1500.0 + 246.45 + 12.08)

        # After its term: the claim figures and the costs invoice agree.
        self.assertEqual(self.figures(consumer, self.d(106)), (0.0, 16.77, 1763.22))
        move = self.invoice_costs(second, self.d(106))
        self.assertFalse(self.line_of(move, self.costs_product))
        self.assertEqual(move.amount_total, 16.77)
        self.assertEqual(self.figures(consumer, self.d(106)), (0.0, 0.0, 1763.22))

    def test_notice_without_anything_invoiced_still_needs_the_costs(self):
        """The check of the 14-day letter is unchanged when nothing was
        charged: statutory costs of 0.00 make the letter invalid."""
        consumer = self.env["res.partner"].create(
            {"name": "Piet Smit", "email": "piet@example.com", "lang": "en_US"}
        )
        self.create_invoice(consumer, 1500.0, self.d(-49))
        for step in range(3):
            self.run_dunning(self.d(7 * step))
        self.consumer_policy._sorted_levels()[3].charge_costs = False
        with freeze_time(self.d(21)):
            wizard = self.preview(self.d(21), partners=consumer)
        self.assertIn("the amount of the collection costs", wizard.line_ids.warning)


@tagged("post_install", "-at_install", "debiteur")
class TestBrokenArrangementBelgium(ClaimedOnceCommon):
    """Belgian business debtor (law of 2 August 2002): 40.00 per invoice, once.
    The arrangement included 80.00 for its two invoices; the formal notice
    after its break adds 40.00 only for an invoice that came due since."""

    def test_compensation_per_invoice_claimed_once(self):
        self.policy.jurisdiction = "be"
        inv1 = self.create_invoice(self.debtor, 1000.0, self.d(-49))
        inv2 = self.create_invoice(self.debtor, 500.0, self.d(-49))
        inv3 = self.create_invoice(self.debtor, 300.0, self.d(24))
        for step in range(3):
            self.run_dunning(self.d(7 * step))
        arrangement = self.arrange(
            inv1 | inv2,
            on=self.d(15),
            first_date=self.d(20),
            claims_mode="include",
            # 10.5 %, not capitalised: 18.41 + 9.21.
            interest_amount=27.62,
            costs_amount=80.0,
        )
        charges = arrangement.claims_move_id
        self.break_on(arrangement, self.d(34))
        notice = self.run_dunning(self.d(34)).communication_ids
        self.assertEqual(notice.level_id, self.level4)
        self.assertEqual(notice.invoice_line_ids.move_id, inv1 | inv2 | inv3 | charges)
        self.assertEqual(notice.costs_amount, 40.0)
        self.assertIn(
            "Amount: %s, of which %s already invoiced: %s left to claim"
            % (self.money(120.0), self.money(80.0), self.money(40.0)),
            notice.costs_note,
        )
        # 23.88 + 11.94 + 0.86 (300.00 for 10 days) less the 27.62 invoiced.
        self.assertEqual(notice.interest_amount, 9.06)
        costs, _interest, _total = self.figures(self.debtor, self.d(35))
        self.assertEqual(costs, 40.0)


@tagged("post_install", "-at_install", "debiteur")
class TestWaivedCostsStayWaived(ClaimedOnceCommon):
    """A waiver is a choice, not a reset: costs waived (their costs invoice
    reversed by a credit note, or never made) do not become claimable again."""

    def setUp(self):
        super().setUp()
        self.level3.write({"charge_costs": True, "charge_interest": True})
        self.invoice = self.create_invoice(self.debtor, 1234.56, self.d(-49))
        for step in range(3):
            self.run_dunning(self.d(7 * step))
        self.demand = self.comms(self.debtor)[-1]
        self.assertEqual(self.demand.level_id, self.level3)
        self.assertEqual(self.demand.costs_amount, 185.18)
        self.assertTrue(self.demand.costs_due)

    def test_reversed_costs_invoice_does_not_reopen_the_costs(self):
        first = self.invoice_costs(self.demand, self.d(15))
        self.assertEqual(self.line_of(first, self.costs_product).price_unit, 185.18)
        self.assertEqual(self.demand.invoiced_interest_amount, 21.97)
        with freeze_time(self.d(16)):
            self.demand._debiteur_waive(True, False, "Goodwill")
        self.assertEqual(first.payment_state, "reversed")
        self.assertEqual(self.demand.waived_costs_amount, 185.18)
        self.assertFalse(self.demand.interest_waived)

        notice = self.run_dunning(self.d(21)).communication_ids
        self.assertEqual(notice.level_id, self.level4)
        self.assertEqual(notice.costs_amount, 0.0)
        self.assertIn(
            "of which %s already invoiced or waived" % self.money(185.18),
            notice.costs_note,
        )
        # Only the costs were waived: the interest of the reversed invoice is
        # claimable again (up to 22 June: 24.03).
        self.assertEqual(notice.interest_amount, 24.03)
        self.assertEqual(self.figures(self.debtor, self.d(36))[0], 0.0)
        second = self.invoice_costs(notice, self.d(36))
        self.assertFalse(self.line_of(second, self.costs_product))
        self.assertEqual(second.amount_total, 29.18)

    def test_costs_and_interest_waived_before_invoicing(self):
        self.assertEqual(self.demand.interest_amount, 21.63)
        self.demand._debiteur_waive(True, True, "Settlement")
        self.assertEqual(self.demand.waived_costs_amount, 185.18)
        self.assertEqual(self.demand.waived_interest_amount, 21.63)
        notice = self.run_dunning(self.d(21)).communication_ids
        self.assertEqual(notice.costs_amount, 0.0)
        # 24.03 up to 22 June, less the 21.63 given up.
        self.assertEqual(notice.interest_amount, 2.40)

    def test_a_cancelled_costs_invoice_is_a_correction(self):
        """Cancelled without a waiver, a costs invoice charged nothing: the
        notice states the WIK."""
        first = self.invoice_costs(self.demand, self.d(15))
        first.button_draft()
        first.button_cancel()
        notice = self.run_dunning(self.d(21)).communication_ids
        self.assertEqual(notice.costs_amount, 185.18)
        self.assertEqual(notice.interest_amount, 24.03)


@tagged("post_install", "-at_install", "debiteur")
class TestReminderCostsInvoiceThenArrangement(ClaimedOnceCommon):
    """The costs of a reminder were invoiced; an arrangement over the open
    invoices (the costs invoice among them) proposes no costs again, and no
    interest on the costs invoice."""

    def test_arrangement_wizard_defaults(self):
        self.level3.write({"charge_costs": True, "charge_interest": True})
        invoice = self.create_invoice(self.debtor, 1234.56, self.d(-49))
        for step in range(3):
            self.run_dunning(self.d(7 * step))
        demand = self.comms(self.debtor)[-1]
        costs_move = self.invoice_costs(demand, self.d(15))
        self.assertEqual(costs_move.amount_total, 185.18 + 21.97)
        self.assertEqual(costs_move.invoice_date_due, self.d(29))
        with freeze_time(self.d(40)):
            wizard = self.env["debiteur.arrangement.wizard"].create(
                {"move_ids": [Command.set((invoice | costs_move).ids)]}
            )
            # 1234.56 up to 11 July: 30.55, of which 21.97 invoiced; the costs
            # invoice, overdue since 30 June, earns none.
            self.assertEqual(wizard.costs_amount, 0.0)
            self.assertEqual(wizard.interest_amount, 8.58)
            self.assertEqual(wizard.amount_owed, 1234.56 + 207.15)
