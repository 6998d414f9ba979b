"""What invoices and debtors owe as of a date, and payments allocated in letters."""

from datetime import date
from decimal import Decimal

from freezegun import freeze_time

from odoo.tests import tagged

from odoo.addons.debiteur_dunning.legal import prescription_date

from .common import TODAY, DebiteurCommon


class ClaimsCommon(DebiteurCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Legal = cls.env["debiteur.legal"]
        cls.consumer = cls.env["res.partner"].create(
            {"name": "Jan Jansen", "email": "jan@example.com", "lang": "en_US"}
        )

    def interest_on(self, invoice, on):
        return self.Legal._invoice_claims(invoice, on)[invoice.id]["interest"]

    def as_of(self, records, on):
        self.env.invalidate_all()
        return records.with_context(debiteur_as_of=on)


@tagged("post_install", "-at_install", "debiteur")
class TestInvoiceClaims(ClaimsCommon):
    def test_interest_due_as_of_a_chosen_date(self):
        """LEGAL.md's worked example, on the invoice form."""
        invoice = self.create_invoice(self.debtor, 10000.0, date(2022, 12, 31))
        on = self.as_of(invoice, date(2024, 2, 4))
        self.assertEqual(on.debiteur_interest_due, 1258.61)
        self.assertAlmostEqual(on.debiteur_claim_total, 11258.61, places=2)
        self.assertEqual(on.debiteur_prescription_date, date(2027, 12, 31))
        # A string date works; on the due date nothing has accrued yet.
        self.assertEqual(
            self.as_of(invoice, "2024-02-04").debiteur_interest_due, 1258.61
        )
        due_day = self.as_of(invoice, date(2022, 12, 31))
        self.assertEqual(due_day.debiteur_interest_due, 0.0)
        self.assertEqual(due_day.debiteur_claim_total, 10000.0)

    def test_today_by_default(self):
        invoice = self.create_invoice(self.debtor, 1234.56, self.d(-49))
        with freeze_time(TODAY):
            self.env.invalidate_all()
            self.assertAlmostEqual(
                invoice.debiteur_interest_due,
                float(self.interest_on(invoice, TODAY)),
                places=2,
            )
            self.assertGreater(invoice.debiteur_interest_due, 0)

    def test_one_claims_call_for_many_invoices(self):
        invoices = self.create_invoice(self.debtor, 100.0, self.d(-40))
        for amount in (200.0, 300.0, 400.0):
            invoices |= self.create_invoice(self.other_debtor, amount, self.d(-40))
        calls = []
        original = type(self.Legal)._invoice_claims

        def spy(legal, moves, as_of, policy_by_partner=None, **kwargs):
            calls.append(moves)
            return original(legal, moves, as_of, policy_by_partner, **kwargs)

        self.env.invalidate_all()
        self.patch(type(self.Legal), "_invoice_claims", spy)
        invoices.with_context(debiteur_as_of=TODAY).mapped("debiteur_interest_due")
        self.assertEqual(len(calls), 1)
        self.assertEqual(calls[0], invoices)

    def test_only_open_posted_customer_invoices(self):
        draft = self.create_invoice(self.debtor, 500.0, self.d(-40), post=False)
        refund = self.create_invoice(
            self.debtor, 500.0, self.d(-40), move_type="out_refund"
        )
        paid = self.create_invoice(self.debtor, 500.0, self.d(-40))
        self.pay(paid, 500.0)
        for move in self.as_of(draft | refund | paid, TODAY):
            self.assertEqual(move.debiteur_interest_due, 0.0)
            self.assertEqual(move.debiteur_claim_total, 0.0)
            self.assertFalse(move.debiteur_prescription_date)

    def test_missing_rates_give_no_interest_but_a_prescription_date(self):
        invoice = self.create_invoice(self.debtor, 500.0, date(2019, 1, 31))
        on = self.as_of(invoice, TODAY)
        self.assertEqual(on.debiteur_interest_due, 0.0)
        self.assertEqual(on.debiteur_claim_total, 500.0)
        self.assertEqual(on.debiteur_prescription_date, date(2024, 1, 31))

    def test_prescription_date_moves_with_each_reminder(self):
        invoice = self.create_invoice(self.debtor, 500.0, self.d(-49))
        self.assertEqual(
            self.as_of(invoice, TODAY).debiteur_prescription_date,
            date(2031, 4, 13),
        )
        for step in range(4):
            run_date = self.d(7 * step)
            self.run_dunning(run_date)
            comm = self.comms(self.debtor)[-1]
            self.assertEqual(comm.sent_date, run_date)
            self.assertEqual(
                self.as_of(invoice, run_date).debiteur_prescription_date,
                prescription_date(run_date),
            )
            self.assertEqual(
                prescription_date(run_date),
                run_date.replace(year=run_date.year + 5),
            )

    def test_consumer_prescription_two_years_moves_too(self):
        """The sale of goods to a consumer (the policy's setting, not the
        debtor type) prescribes after two years."""
        self.consumer_policy.consumer_sale = True
        invoice = self.create_invoice(self.consumer, 500.0, self.d(-49))
        self.assertEqual(
            self.as_of(invoice, TODAY).debiteur_prescription_date,
            date(2028, 4, 13),
        )
        self.run_dunning(TODAY)
        self.assertEqual(
            self.as_of(invoice, TODAY).debiteur_prescription_date, date(2028, 6, 1)
        )
        self.run_dunning(self.d(7))
        self.assertEqual(
            self.as_of(invoice, self.d(7)).debiteur_prescription_date,
            date(2028, 6, 8),
        )

    def test_a_consumer_service_prescribes_after_five_years(self):
        self.assertFalse(self.consumer_policy.consumer_sale)
        invoice = self.create_invoice(self.consumer, 500.0, self.d(-49))
        self.assertEqual(
            self.as_of(invoice, TODAY).debiteur_prescription_date,
            date(2031, 4, 13),
        )

    def test_a_cancelled_reminder_does_not_move_it(self):
        invoice = self.create_invoice(self.debtor, 500.0, self.d(-49))
        comm = self.run_dunning(TODAY).communication_ids
        comm.with_context(debiteur_cancel_reason="Sent by mistake").action_cancel()
        self.assertEqual(comm.state, "cancelled")
        self.assertEqual(
            self.as_of(invoice, TODAY).debiteur_prescription_date,
            date(2031, 4, 13),
        )


@tagged("post_install", "-at_install", "debiteur")
class TestPartnerClaims(ClaimsCommon):
    def notice_for(self, partner, amount):
        invoice = self.create_invoice(partner, amount, self.d(-49))
        for step in range(4):
            self.run_dunning(self.d(7 * step))
        notice = self.comms(partner)[-1]
        self.assertEqual(notice.level_id.sequence, 40)
        return invoice, notice

    def test_business_debtor_totals(self):
        first = self.create_invoice(self.debtor, 1000.0, self.d(-49))
        second = self.create_invoice(self.debtor, 234.56, self.d(-30))
        not_due = self.create_invoice(self.debtor, 99.0, self.d(60))
        partner = self.as_of(self.debtor, TODAY)
        interest = sum(
            self.interest_on(m, TODAY) for m in (first, second)
        ) + self.interest_on(not_due, TODAY)
        self.assertAlmostEqual(partner.debiteur_interest_due, float(interest), 2)
        # No level that charges costs reached yet.
        self.assertEqual(partner.debiteur_costs_due, 0.0)
        self.assertAlmostEqual(
            partner.debiteur_claim_total, 1234.56 + float(interest), places=2
        )
        self.assertEqual(
            partner.debiteur_next_prescription_date, prescription_date(self.d(-49))
        )
        # A contact shows its company's figures.
        contact = self.env["res.partner"].create(
            {"name": "Piet", "parent_id": self.debtor.id}
        )
        self.assertEqual(
            self.as_of(contact, TODAY).debiteur_interest_due,
            partner.debiteur_interest_due,
        )

    def test_business_costs_after_the_notice_and_after_invoicing(self):
        invoice, notice = self.notice_for(self.debtor, 1234.56)
        day = self.d(36)
        partner = self.as_of(self.debtor, day)
        interest = float(self.interest_on(invoice, day))
        self.assertEqual(partner.debiteur_costs_due, 185.18)
        self.assertAlmostEqual(partner.debiteur_interest_due, interest, places=2)
        total = partner.debiteur_claim_total
        self.assertAlmostEqual(total, 1234.56 + interest + 185.18, places=2)
        self.assertEqual(
            partner.debiteur_next_prescription_date, prescription_date(self.d(21))
        )
        with freeze_time(day):
            notice.action_invoice_costs()
        partner = self.as_of(self.debtor, day)
        # Invoiced: no longer due on their own, still in the total claim.
        self.assertEqual(partner.debiteur_costs_due, 0.0)
        self.assertEqual(partner.debiteur_interest_due, 0.0)
        self.assertAlmostEqual(partner.debiteur_claim_total, total, places=2)

    def test_nl_consumer_costs_only_after_the_deadline(self):
        _invoice, notice = self.notice_for(self.consumer, 200.0)
        self.assertEqual(notice.legal_deadline, self.d(37))
        self.assertEqual(self.as_of(self.consumer, self.d(37)).debiteur_costs_due, 0)
        self.assertEqual(self.as_of(self.consumer, self.d(38)).debiteur_costs_due, 40.0)

    def test_waived_costs_are_not_due(self):
        _invoice, notice = self.notice_for(self.debtor, 1234.56)
        notice._debiteur_waive(True, False, "Settlement")
        partner = self.as_of(self.debtor, self.d(36))
        self.assertEqual(partner.debiteur_costs_due, 0.0)
        self.assertGreater(partner.debiteur_interest_due, 0.0)

    def test_no_open_invoices(self):
        partner = self.as_of(self.other_debtor, TODAY)
        self.assertEqual(partner.debiteur_interest_due, 0.0)
        self.assertEqual(partner.debiteur_costs_due, 0.0)
        self.assertEqual(partner.debiteur_claim_total, 0.0)
        self.assertFalse(partner.debiteur_next_prescription_date)


@tagged("post_install", "-at_install", "debiteur")
class TestPaymentAllocation(ClaimsCommon):
    """Statement in the letter: payments go to costs, interest, principal."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # A demand for payment that charges costs and interest at once (no
        # formal-notice term), so the costs are due at the letter date.
        cls.level3.write({"charge_costs": True, "charge_interest": True})

    def demand_after_payment(self, paid):
        invoice = self.create_invoice(self.debtor, 1234.56, self.d(-49))
        self.pay(invoice, paid, pay_date=self.d(3))
        for step in range(3):
            self.run_dunning(self.d(7 * step))
        demand = self.comms(self.debtor)[-1]
        self.assertEqual(demand.level_id, self.level3)
        self.assertTrue(demand.costs_due)
        return demand

    def letter(self, comm):
        html, _kind = self.env["ir.actions.report"]._render_qweb_html(
            "debiteur_dunning.action_report_debiteur_letter", comm.ids
        )
        return html.decode()

    def test_a_payment_before_the_costs_fell_due_goes_to_the_principal(self):
        """Paid before any letter claimed costs: the letter's costs and
        interest were computed on what was left, so the payment is not
        allocated to them again."""
        demand = self.demand_after_payment(100.0)
        # WIK on the 1,134.56 still open.
        self.assertEqual(demand.costs_amount, 170.18)
        allocation = demand._payment_allocation()
        self.assertEqual(allocation["paid"], 100.0)
        self.assertEqual(allocation["to_costs"], 0.0)
        self.assertEqual(allocation["to_interest"], 0.0)
        self.assertEqual(allocation["to_principal"], 100.0)
        self.assertEqual(allocation["principal"], 1234.56)
        self.assertAlmostEqual(allocation["due_costs"], 170.18, places=2)
        self.assertAlmostEqual(allocation["due_principal"], 1134.56, places=2)
        self.assertAlmostEqual(allocation["due_total"], demand.total_claim, places=2)

    def test_then_interest_then_principal(self):
        """Costs claimed by the second reminder (7 June); 234.56 paid on 11
        June goes to those costs first, then to the interest, then to the
        principal; the costs stay those of the 1,234.56 open when they fell
        due."""
        self.level2.write({"charge_costs": True})
        invoice = self.create_invoice(self.debtor, 1234.56, self.d(-49))
        self.run_dunning(self.d(0))
        second = self.run_dunning(self.d(7)).communication_ids
        self.assertEqual(second.level_id, self.level2)
        self.assertTrue(second.costs_due)
        self.assertEqual(second.costs_amount, 185.18)
        self.pay(invoice, 234.56, pay_date=self.d(10))
        demand = self.run_dunning(self.d(14)).communication_ids
        self.assertEqual(demand.level_id, self.level3)
        self.assertEqual(demand.costs_amount, 185.18)
        interest = demand.interest_amount
        self.assertGreater(interest, 0)
        allocation = demand._payment_allocation()
        self.assertEqual(allocation["paid"], 234.56)
        self.assertEqual(allocation["to_costs"], 185.18)
        self.assertAlmostEqual(allocation["to_interest"], interest, places=2)
        self.assertAlmostEqual(
            allocation["to_principal"], 234.56 - 185.18 - interest, places=2
        )
        self.assertEqual(allocation["due_costs"], 0.0)
        self.assertEqual(allocation["due_interest"], 0.0)
        self.assertAlmostEqual(
            allocation["due_principal"],
            float(Decimal("1234.56") - Decimal("49.38") + Decimal(str(interest))),
            places=2,
        )
        self.assertAlmostEqual(allocation["due_total"], demand.total_claim, places=2)
        text = self.letter(demand)
        self.assertIn("Your payments", text)
        self.assertIn("art. 6:44", text)
        self.assertIn("Still due", text)
        # The letter as sent carries it too.
        self.assertIn("Your payments", demand.attachment_id.raw.decode())

    def test_no_statement_without_payments_or_without_costs_and_interest(self):
        invoice = self.create_invoice(self.debtor, 1234.56, self.d(-49))
        comm = self.run_dunning(TODAY).communication_ids
        self.pay(invoice, 100.0, pay_date=self.d(-20))
        # A payment reminder states neither interest nor costs.
        self.assertFalse(comm._payment_allocation())
        self.assertNotIn("Your payments", self.letter(comm))
        other = self.create_invoice(self.other_debtor, 1234.56, self.d(-49))
        for step in range(3):
            self.run_dunning(self.d(7 * step), partners=self.other_debtor)
        demand = self.comms(self.other_debtor)[-1]
        self.assertTrue(demand.costs_amount)
        self.assertEqual(demand.invoice_line_ids.move_id, other)
        self.assertFalse(demand._payment_allocation())
        self.assertNotIn("Your payments", self.letter(demand))

    def test_payments_after_the_letter_date_are_left_out(self):
        invoice = self.create_invoice(self.debtor, 1234.56, self.d(-49))
        for step in range(3):
            self.run_dunning(self.d(7 * step))
        demand = self.comms(self.debtor)[-1]
        self.pay(invoice, 100.0, pay_date=self.d(20))
        self.assertFalse(demand._payment_allocation())
