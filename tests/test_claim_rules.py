"""Rules of the claim under Belgian and Dutch law that the engine enforces."""

from decimal import Decimal

from odoo.tests import tagged

from .common import TODAY, DebiteurCommon


@tagged("post_install", "-at_install", "debiteur")
class TestBelgianCreditorIdentified(DebiteurCommon):
    def test_no_belgian_reminder_without_the_enterprise_number(self):
        self.policy.jurisdiction = "be"
        self.create_invoice(self.debtor, 100.0, self.d(-10))
        self.company.company_registry = False
        line = self.preview(TODAY).line_ids
        self.assertFalse(line.selectable)
        self.assertIn("enterprise number (KBO/BCE)", line.warning)
        self.company.company_registry = "0403.170.701"
        self.assertTrue(self.preview(TODAY).line_ids.selectable)

    def test_a_dutch_reminder_does_not_need_it(self):
        self.create_invoice(self.debtor, 100.0, self.d(-10))
        self.company.company_registry = False
        self.assertTrue(self.preview(TODAY).line_ids.selectable)


@tagged("post_install", "-at_install", "debiteur")
class TestClaimInTheCurrencyOwed(DebiteurCommon):
    """1,000.00 USD invoiced at 1.25 USD per euro (800.00 EUR); on the letter
    date a euro buys 0.93 USD, so the claim is worth 1,075.27 EUR."""

    def setUp(self):
        super().setUp()
        self.usd = self.setup_other_currency(
            "USD", rates=[("2020-01-01", 1.25), (str(TODAY), 0.93)]
        )
        self.level1.write({"charge_costs": True, "charge_interest": True})
        self.invoice = self.create_invoice(
            self.debtor, 1000.0, self.d(-60), currency=self.usd
        )
        self.assertEqual(self.invoice.amount_residual_signed, 800.0)

    def test_costs_on_the_value_of_the_day_and_stated_in_dollars(self):
        self.run_dunning(TODAY)
        comm = self.comms(self.debtor)
        # The WIK on the euro value of the principal on the letter date.
        self.assertEqual(comm.costs_amount, 161.29)
        self.assertTrue(comm.costs_due)
        claim = comm._claim_statement()
        self.assertEqual(claim["currency"], self.usd)
        self.assertEqual(claim["balance"], 1000.0)
        self.assertEqual(claim["costs"], 150.0)
        line_interest = comm.invoice_line_ids.interest_amount
        self.assertGreater(line_interest, 0.0)
        # The interest in dollars, as computed on the dollar principal.
        self.assertAlmostEqual(claim["interest"], line_interest, delta=0.01)
        self.assertEqual(
            claim["total"], self.usd.round(1000.0 + claim["interest"] + 150.0)
        )
        html, _kind = self.env["ir.actions.report"]._render_qweb_html(
            "debiteur_dunning.action_report_debiteur_letter", comm.ids
        )
        html = html.decode()
        self.assertIn("1 USD = 1.075269 EUR", html)
        total = self.usd.format(claim["total"]).replace("\xa0", "&nbsp;")
        self.assertIn(total, html)
        # No second, unexplained total in euros.
        self.assertNotIn(comm.company_currency_id.format(comm.total_claim), html)


@tagged("post_install", "-at_install", "debiteur")
class TestInterestOnWhatWasReallyOpen(DebiteurCommon):
    """NL commercial interest, 10.15 % in 2026, from 3 April (due 2 April)
    to TODAY, 1 June: 29 days until 1 May, 31 days from 2 May."""

    def claim(self, invoice):
        return self.env["debiteur.claim"]._claims(
            self.company, {self.debtor.id: invoice}, TODAY
        )[self.debtor.id]

    def interest_field(self):
        partner = self.debtor.with_context(debiteur_as_of=TODAY)
        partner.invalidate_recordset()
        return partner.debiteur_interest_due

    def test_a_part_payment_lowers_the_interest_from_its_day(self):
        invoice = self.create_invoice(self.debtor, 2500.0, self.d(-60))
        self.pay(invoice, 1000.0, pay_date=self.d(-30))
        claim = self.claim(invoice)
        # 2,500.00 x 10.15 % x 29/365 = 20.16 and 1,500.00 x 31/365 = 12.93
        # (summed exactly, rounded once); today's 1,500.00 over 60 days would
        # give 25.03.
        self.assertEqual(claim.invoices[invoice.id]["interest"], Decimal("33.09"))
        self.assertEqual(self.interest_field(), 33.09)
        invoice.invalidate_recordset()
        self.assertEqual(
            invoice.with_context(debiteur_as_of=TODAY).debiteur_interest_due, 33.09
        )

    def test_a_credit_counts_from_its_day(self):
        invoice = self.create_invoice(self.debtor, 1000.0, self.d(-60))
        # A credit note of 400.00 dated 2 May, not reconciled.
        credit = self.create_invoice(
            self.debtor, 400.0, self.d(-16), move_type="out_refund"
        )
        self.assertEqual(credit.date, self.d(-30))
        claim = self.claim(invoice)
        # 1,000.00 x 29/365 = 8.06 and 600.00 x 31/365 = 5.17 (13.23), not
        # 16.68 on the full 1,000.00; the WIK on 600.00 as before.
        self.assertEqual(claim.interest, Decimal("13.23"))
        self.assertEqual(claim.costs_basis, Decimal("600.00"))
        self.assertEqual(self.interest_field(), 13.23)
