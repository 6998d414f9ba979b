"""Rules of the claim under Belgian and Dutch law that the engine enforces."""

import re
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
        self.company.vat = "BE0403170701"
        self.assertTrue(self.preview(TODAY).line_ids.selectable)
        self.company.write({"vat": False, "company_registry": "0403.170.701"})
        self.assertTrue(self.preview(TODAY).line_ids.selectable)

    def test_a_dutch_reminder_does_not_need_it(self):
        self.create_invoice(self.debtor, 100.0, self.d(-10))
        self.company.company_registry = False
        self.assertTrue(self.preview(TODAY).line_ids.selectable)


@tagged("post_install", "-at_install", "debiteur")
class TestClaimInTheCurrencyOwed(DebiteurCommon):
    """1,000.00 CHF invoiced at 1.25 CHF per unit of the company currency
    (800.00); on the letter date a unit buys 0.93 CHF, so the claim is worth
    1,075.27."""

    def setUp(self):
        super().setUp()
        self.chf = self.setup_other_currency(
            "CHF", rates=[("2020-01-01", 1.25), (str(TODAY), 0.93)]
        )
        self.assertNotEqual(self.chf, self.company.currency_id)
        self.level1.write({"charge_costs": True, "charge_interest": True})
        self.invoice = self.create_invoice(
            self.debtor, 1000.0, self.d(-60), currency=self.chf
        )
        self.assertEqual(self.invoice.amount_residual_signed, 800.0)

    def test_costs_on_the_value_of_the_day_and_stated_in_francs(self):
        self.run_dunning(TODAY)
        comm = self.comms(self.debtor)
        # The WIK on the euro value of the principal on the letter date.
        self.assertEqual(comm.costs_amount, 161.29)
        self.assertTrue(comm.costs_due)
        claim = comm._claim_statement()
        self.assertEqual(claim["currency"], self.chf)
        self.assertEqual(claim["balance"], 1000.0)
        self.assertEqual(claim["costs"], 150.0)
        line_interest = comm.invoice_line_ids.interest_amount
        self.assertGreater(line_interest, 0.0)
        # The interest in francs, as computed on the principal in francs.
        self.assertAlmostEqual(claim["interest"], line_interest, delta=0.01)
        self.assertEqual(
            claim["total"], self.chf.round(1000.0 + claim["interest"] + 150.0)
        )
        html, _kind = self.env["ir.actions.report"]._render_qweb_html(
            "debiteur_dunning.action_report_debiteur_letter", comm.ids
        )
        # The letter's text, tags and spacing left out.
        text = " ".join(re.sub(r"<[^>]+>", " ", html.decode()).split())
        company_currency = self.company.currency_id
        self.assertIn(
            "1 CHF = 1.075269 %s" % company_currency.name, text, "rate not stated"
        )
        self.assertIn(
            "Total claim CHF %s" % f"{claim['total']:,.2f}", text, "total not in CHF"
        )
        # No second, unexplained total in the company currency.
        self.assertNotIn(
            "Total claim %s" % company_currency.symbol, text, "two totals stated"
        )

    def test_the_rate_note_in_the_debtors_language(self):
        self.debtor.lang = "nl_NL"
        self.run_dunning(TODAY)
        comm = self.comms(self.debtor)
        html, _kind = self.env["ir.actions.report"]._render_qweb_html(
            "debiteur_dunning.action_report_debiteur_letter", comm.ids
        )
        text = " ".join(re.sub(r"<[^>]+>", " ", html.decode()).split())
        self.assertIn("Wisselkoers op de datum van de brief", text)
        self.assertIn("Rente en incassokosten worden tegen deze koers omgerekend", text)
        self.assertIn("Waarde van de totale vordering op die dag", text)


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
        # 1,000.00 x 29/365 = 8.0644 and 600.00 x 31/365 = 5.1723 (13.24),
        # not 16.68 on the full 1,000.00; the WIK on 600.00 as before.
        self.assertEqual(claim.interest, Decimal("13.24"))
        self.assertEqual(claim.costs_basis, Decimal("600.00"))
        self.assertEqual(self.interest_field(), 13.24)
