"""One claim, computed in one place (``debiteur.claim``).

The letter, the debtor's claim fields, the arrangement wizard, the agency
dossier and the costs invoice state the same interest and collection costs for
the same debtor on the same day, and the costs stay those of the amount open
when the legal term ended.

The debtor: a Dutch business (NL commercial interest, 10.15 % in 2026, WIK),
one invoice of 2,500.00 due 60 days before TODAY (2026-06-01), reminded at
every level; the formal notice leaves by e-mail on 4 June, its term ends on
18 June.
"""

import contextlib
from decimal import Decimal

from freezegun import freeze_time

from odoo import Command
from odoo.tests import tagged

from .test_handoff import HandoffCommon


class Rollback(Exception):
    """Undo what a block wrote (a handoff), keeping what it read."""


@tagged("post_install", "-at_install", "debiteur")
class TestOneClaim(HandoffCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.claimant = cls.env["res.partner"].create(
            {
                "name": "Drukkerij Claes BV",
                "is_company": True,
                "email": "boekhouding@claes.example",
                "lang": "en_US",
                "street": "Markt 3",
                "zip": "3511 AA",
                "city": "Utrecht",
                "country_id": cls.env.ref("base.nl").id,
                "company_registry": "87654321",
            }
        )
        cls.invoice = cls.create_invoice(cls.claimant, 2500.0, cls.d(-60))

    def setUp(self):
        super().setUp()
        for day in (-39, -25, -11, 3):
            self.run_dunning(self.d(day), partners=self.claimant)
        self.notice = self.comms(self.claimant)[-1]
        self.assertTrue(self.notice.level_id.is_legal_notice)
        self.assertEqual(self.notice.state, "sent")
        self.assertEqual(self.notice.legal_deadline, self.d(17))

    # ------------------------------------------------------------------
    def partner_figures(self, day):
        partner = self.claimant.with_context(debiteur_as_of=day)
        partner.invalidate_recordset()
        return partner.debiteur_costs_due, partner.debiteur_interest_due

    def arrangement_figures(self, day):
        with freeze_time(day):
            wizard = self.env["debiteur.arrangement.wizard"].new(
                {"move_ids": [Command.set(self.invoice.ids)]}
            )
            interest, costs = wizard._accrued_claims()
        return costs, interest

    def dossier_figures(self, day):
        figures = None
        with contextlib.suppress(Rollback), self.env.cr.savepoint(), freeze_time(day):
            wizard = self.env["debiteur.handoff.wizard"].create(
                {
                    "partner_ids": [Command.set(self.claimant.ids)],
                    "agency_id": self.agency.id,
                    "date": day,
                }
            )
            handoff = self.env["debiteur.handoff"].browse(
                wizard.action_confirm()["res_id"]
            )
            claim = handoff._dossier_data()["claim"]
            figures = (claim["costs"], claim["interest"])
            # Undo the handoff, keep what was read.
            raise Rollback
        self.env.invalidate_all()
        return figures

    def invoice_figures(self, day):
        with freeze_time(day):
            self.notice.action_invoice_costs()
        return (
            self.notice.invoiced_costs_amount,
            self.notice.invoiced_interest_amount,
        )

    def assembled(self, day):
        claim = self.env["debiteur.claim"]._claims(
            self.company, {self.claimant.id: self.invoice}, day
        )[self.claimant.id]
        return float(claim.costs), float(claim.interest)

    # ------------------------------------------------------------------
    def test_the_letter_states_the_claim_of_its_day(self):
        # Interest on the letter date, as the debtor's figures of that day.
        _costs, interest = self.partner_figures(self.d(3))
        self.assertEqual(self.notice.interest_amount, interest)
        self.assertGreater(interest, 0.0)
        # Before the term ends the letter announces the WIK on 2,500.00.
        self.assertEqual(self.notice.costs_amount, 375.0)
        self.assertFalse(self.notice.costs_due)

    def test_same_figures_everywhere_on_the_same_day(self):
        day = self.d(24)
        expected = self.assembled(day)
        self.assertEqual(expected[0], 375.0)
        table = {
            "debtor's claim fields": self.partner_figures(day),
            "arrangement wizard": self.arrangement_figures(day),
            "agency dossier": self.dossier_figures(day),
            "costs invoice": self.invoice_figures(day),
        }
        for where, figures in table.items():
            with self.subTest(where=where):
                self.assertEqual(figures, expected)
        # Once invoiced, nobody claims them again.
        self.assertEqual(self.partner_figures(day), (0.0, 0.0))
        self.assertEqual(self.assembled(day), (0.0, 0.0))

    def test_costs_stay_those_of_the_end_of_the_term(self):
        """2,500.00 open when the term ended, 1,000.00 paid afterwards: the
        WIK stays 375.00 (payments go to the costs first, art. 6:44 BW)."""
        self.pay(self.invoice, 1000.0, pay_date=self.d(20))
        day = self.d(24)
        self.assertEqual(self.partner_figures(day)[0], 375.0)
        self.assertEqual(self.dossier_figures(day)[0], 375.0)
        self.assertEqual(self.arrangement_figures(day)[0], 375.0)
        self.assertEqual(self.invoice_figures(day)[0], 375.0)

    def test_a_payment_before_the_end_of_the_term_lowers_them(self):
        self.pay(self.invoice, 1000.0, pay_date=self.d(10))
        day = self.d(24)
        # WIK on 1,500.00.
        self.assertEqual(self.partner_figures(day)[0], 225.0)
        self.assertEqual(self.dossier_figures(day)[0], 225.0)
        self.assertEqual(self.invoice_figures(day)[0], 225.0)

    def test_a_credit_before_the_end_of_the_term_lowers_them(self):
        credit = self.create_invoice(
            self.claimant, 500.0, self.d(5), move_type="out_refund"
        )
        self.assertEqual(credit.payment_state, "not_paid")
        day = self.d(24)
        claim = self.env["debiteur.claim"]._claims(
            self.company, {self.claimant.id: self.invoice}, day
        )[self.claimant.id]
        self.assertEqual(claim.credits, Decimal("-500.00"))
        # WIK on 2,000.00.
        self.assertEqual(claim.costs, Decimal("300.00"))
        self.assertEqual(self.partner_figures(day)[0], 300.0)
        self.assertEqual(self.dossier_figures(day)[0], 300.0)
