"""Invoicing the collection costs and interest of a reminder, and waiving them."""

from datetime import timedelta
from decimal import Decimal

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from .common import TODAY, DebiteurCommon


class CostInvoiceCommon(DebiteurCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Legal = cls.env["debiteur.legal"]
        cls.consumer = cls.env["res.partner"].create(
            {"name": "Jan Jansen", "email": "jan@example.com", "lang": "en_US"}
        )
        cls.costs_product, cls.interest_product = cls.company._debiteur_cost_products()

    def notice_for(self, partner, amount, currency=None):
        """Run the four levels (days 0, 7, 14, 21) and return the formal notice."""
        invoice = self.create_invoice(partner, amount, self.d(-49), currency=currency)
        for step in range(4):
            self.run_dunning(self.d(7 * step))
        notice = self.comms(partner)[-1]
        self.assertEqual(notice.level_id.sequence, 40)
        self.assertEqual(notice.state, "sent")
        return invoice, notice

    def invoice_costs(self, comms, on):
        with freeze_time(on):
            comms.action_invoice_costs()
        return comms.cost_move_id

    def waive(self, comms, reason, costs=True, interest=True):
        action = comms.action_waive_costs()
        wizard = Form(self.env[action["res_model"]].with_context(**action["context"]))
        wizard.waive_costs = costs
        wizard.waive_interest = interest
        wizard.reason = reason
        wizard.save().action_confirm()

    def interest_on(self, invoice, on):
        return self.Legal._invoice_claims(invoice, on)[invoice.id]["interest"]

    @staticmethod
    def line_of(move, product):
        return move.invoice_line_ids.filtered(lambda li: li.product_id == product)


@tagged("post_install", "-at_install", "debiteur")
class TestCostInvoice(CostInvoiceCommon):
    def test_business_costs_and_interest_amounts_products_and_accounts(self):
        costs_account = self.copy_account(self.company_data["default_account_revenue"])
        interest_account = self.copy_account(
            self.company_data["default_account_revenue"]
        )
        self.costs_product.with_company(
            self.company
        ).property_account_income_id = costs_account
        self.interest_product.with_company(
            self.company
        ).property_account_income_id = interest_account
        invoice, notice = self.notice_for(self.debtor, 1234.56)
        # E-mail: the term ends 14 days after sending (day 21).
        self.assertEqual(notice.legal_deadline, self.d(35))
        move = self.invoice_costs(notice, self.d(36))

        self.assertEqual(notice.cost_move_id, move)
        self.assertEqual(move.state, "posted")
        self.assertEqual(move.move_type, "out_invoice")
        self.assertEqual(move.partner_id, self.debtor)
        self.assertEqual(move.company_id, self.company)
        self.assertEqual(move.currency_id, self.company.currency_id)
        self.assertEqual(move.invoice_date, self.d(36))
        self.assertEqual(move.invoice_date_due, self.d(50))
        self.assertEqual(move.ref, notice.name)
        self.assertTrue(move.debiteur_is_cost_invoice)
        self.assertEqual(move.debiteur_cost_communication_ids, notice)
        self.assertEqual(len(move.invoice_line_ids), 2)

        costs_line = self.line_of(move, self.costs_product)
        self.assertEqual(costs_line.name, "Extrajudicial collection costs (WIK)")
        self.assertAlmostEqual(costs_line.price_subtotal, 185.18, places=2)
        self.assertEqual(costs_line.account_id, costs_account)
        self.assertFalse(costs_line.tax_ids)

        interest = self.interest_on(invoice, self.d(36))
        self.assertGreater(interest, 0)
        interest_line = self.line_of(move, self.interest_product)
        self.assertEqual(
            interest_line.name, "Statutory commercial interest up to 07/07/2026"
        )
        self.assertAlmostEqual(interest_line.price_subtotal, float(interest), places=2)
        self.assertEqual(interest_line.account_id, interest_account)
        self.assertFalse(interest_line.tax_ids)

        self.assertFalse(move.amount_tax)
        self.assertAlmostEqual(move.amount_total, 185.18 + float(interest), places=2)
        self.assertEqual(notice.invoiced_costs_amount, 185.18)
        self.assertAlmostEqual(notice.invoiced_interest_amount, float(interest), 2)
        self.assertIn("6:96", move.narration)
        self.assertIn("6:119a", move.narration)
        self.assertIn(invoice.name, move.narration)
        self.assertIn(move.name, notice.message_ids[0].body)

    def test_interest_is_recomputed_on_the_invoice_date(self):
        invoice, notice = self.notice_for(self.debtor, 1234.56)
        later = self.d(60)
        move = self.invoice_costs(notice, later)
        interest_line = self.line_of(move, self.interest_product)
        self.assertAlmostEqual(
            interest_line.price_unit, float(self.interest_on(invoice, later)), 2
        )
        self.assertGreater(interest_line.price_unit, notice.interest_amount)

    def test_costs_follow_the_open_principal_on_the_invoice_date(self):
        invoice, notice = self.notice_for(self.debtor, 1234.56)
        self.pay(invoice, 234.56, pay_date=self.d(30))
        move = self.invoice_costs(notice, self.d(36))
        # WIK on the 1,000.00 still open, not on the 1,234.56 of the notice.
        self.assertAlmostEqual(
            self.line_of(move, self.costs_product).price_subtotal, 150.0, 2
        )

    def test_no_output_vat_on_costs_even_when_the_product_has_taxes(self):
        """Collection costs are damages, not a supply: no VAT line, whatever
        the product's taxes."""
        tax = self.company_data["default_tax_sale"]
        self.costs_product.taxes_id = tax
        self.interest_product.taxes_id = tax
        _invoice, notice = self.notice_for(self.debtor, 1234.56)
        move = self.invoice_costs(notice, self.d(36))
        self.assertFalse(move.invoice_line_ids.tax_ids)
        self.assertFalse(move.amount_tax)
        self.assertAlmostEqual(
            self.line_of(move, self.costs_product).price_subtotal, 185.18, 2
        )

    def test_vat_surcharge_is_damages_not_output_tax(self):
        """A creditor that cannot deduct its collection service's VAT may add
        21 % to the costs as damages (art. 2 lid 3 BIK): in the costs, stated
        in the letter, never booked as output tax."""
        self.costs_product.taxes_id = self.company_data["default_tax_sale"]
        self.policy.costs_vat_surcharge = True
        _invoice, notice = self.notice_for(self.debtor, 1234.56)
        # 185.18 WIK + 21 % (38.89).
        self.assertEqual(notice.costs_amount, 224.07)
        self.assertIn("art. 2 lid 3 BIK", notice.costs_note)
        move = self.invoice_costs(notice, self.d(36))
        costs_line = self.line_of(move, self.costs_product)
        self.assertFalse(costs_line.tax_ids)
        self.assertAlmostEqual(costs_line.price_subtotal, 224.07, 2)
        self.assertFalse(move.amount_tax)

    def test_company_products_are_used_when_set(self):
        costs = self.costs_product.copy({"name": "Incassokosten"})
        self.company.debiteur_costs_product_id = costs
        _invoice, notice = self.notice_for(self.debtor, 1234.56)
        move = self.invoice_costs(notice, self.d(36))
        self.assertEqual(self.line_of(move, costs).name, "Incassokosten")

    def test_debtor_language_for_line_labels(self):
        self.env["res.lang"]._activate_lang("nl_NL")
        self.env["ir.module.module"]._load_module_terms(
            ["debiteur_dunning"], ["nl_NL"], overwrite=True
        )
        self.costs_product.product_tmpl_id.update_field_translations(
            "name", {"nl_NL": "Buitengerechtelijke incassokosten (WIK)"}
        )
        self.debtor.lang = "nl_NL"
        _invoice, notice = self.notice_for(self.debtor, 1234.56)
        move = self.invoice_costs(notice, self.d(36))
        self.assertEqual(
            self.line_of(move, self.costs_product).name,
            "Buitengerechtelijke incassokosten (WIK)",
        )
        # Dutch words and date format in the interest line.
        interest_label = self.line_of(move, self.interest_product).name
        self.assertTrue(interest_label.startswith("Wettelijke handelsrente"))
        self.assertIn("07-07-2026", interest_label)
        self.assertIn("6:96 BW", move.narration)

    def test_refused_before_the_end_of_the_term(self):
        _invoice, notice = self.notice_for(self.debtor, 1234.56)
        with (
            freeze_time(self.d(35)),
            self.assertRaisesRegex(UserError, "14-day term ends on"),
        ):
            notice.action_invoice_costs()
        self.assertFalse(notice.cost_move_id)

    def test_never_twice(self):
        _invoice, notice = self.notice_for(self.debtor, 1234.56)
        move = self.invoice_costs(notice, self.d(36))
        with (
            freeze_time(self.d(40)),
            self.assertRaisesRegex(UserError, "already been invoiced"),
        ):
            notice.action_invoice_costs()
        self.assertEqual(notice.cost_move_id, move)
        # Once the costs invoice is cancelled, the costs can be invoiced again.
        move.button_draft()
        move.button_cancel()
        self.assertNotEqual(self.invoice_costs(notice, self.d(40)), move)

    def test_a_later_reminder_does_not_charge_again(self):
        self.level3.write({"charge_costs": True, "charge_interest": True})
        invoice = self.create_invoice(self.debtor, 1234.56, self.d(-49))
        for step in range(3):
            self.run_dunning(self.d(7 * step))
        demand = self.comms(self.debtor)[-1]
        self.assertEqual(demand.level_id, self.level3)
        first = self.invoice_costs(demand, self.d(15))
        self.assertAlmostEqual(
            self.line_of(first, self.costs_product).price_subtotal, 185.18, 2
        )
        self.run_dunning(self.d(21))
        notice = self.comms(self.debtor)[-1]
        self.assertEqual(notice.level_id, self.level4)
        second = self.invoice_costs(notice, self.d(36))
        # The costs were invoiced once; only the interest since is new.
        self.assertFalse(self.line_of(second, self.costs_product))
        interest = self.line_of(second, self.interest_product).price_subtotal
        self.assertAlmostEqual(
            interest,
            float(self.interest_on(invoice, self.d(36)))
            - demand.invoiced_interest_amount,
            places=2,
        )

    def test_an_arrangement_charges_invoice_counts_as_invoiced_before(self):
        """The notice stated the WIK (225.00 on 1500.00); an arrangement then
        included it and the interest up to 23 June (29.62) on its charges
        invoice, and broke. Invoicing the notice's costs afterwards charges
        neither the WIK nor that interest again."""
        invoice, notice = self.notice_for(self.debtor, 1500.0)
        self.assertEqual(notice.costs_amount, 225.0)
        with freeze_time(self.d(22)):
            wizard = self.env["debiteur.arrangement.wizard"].create(
                {
                    "move_ids": [Command.set(invoice.ids)],
                    "instalment_count": 3,
                    "first_date": self.d(25),
                    "claims_mode": "include",
                    "interest_amount": 29.62,
                    "costs_amount": 225.0,
                }
            )
            arrangement = wizard._create_arrangement()
        charges = arrangement.claims_move_id
        self.assertTrue(charges.debiteur_is_cost_invoice)
        with freeze_time(self.d(39)):
            self.env["debiteur.arrangement"]._cron_process_arrangements(self.d(39))
        self.assertEqual(arrangement.state, "broken")
        move = self.invoice_costs(notice, self.d(40))
        self.assertFalse(self.line_of(move, self.costs_product))
        # Interest up to 11 July: 37.12, of which 29.62 invoiced.
        self.assertEqual(move.amount_total, 7.50)
        self.assertEqual(
            (notice.invoiced_costs_amount, notice.invoiced_interest_amount),
            (0.0, 7.50),
        )
        # No interest on the charges invoice (overdue since 23 June).
        self.assertEqual(
            charges.with_context(debiteur_as_of=self.d(40)).debiteur_interest_due, 0.0
        )

    def test_refused_for_levels_without_costs_or_interest(self):
        self.create_invoice(self.debtor, 500.0, self.d(-10))
        comm = self.run_dunning(TODAY).communication_ids
        with self.assertRaisesRegex(UserError, "charges neither"):
            comm.action_invoice_costs()

    def test_refused_for_reminders_not_sent(self):
        self.policy.auto_send = False
        self.create_invoice(self.debtor, 500.0, self.d(-10))
        with freeze_time(TODAY):
            self.env["debiteur.run"]._cron_run()
        draft = self.comms(self.debtor)
        self.assertEqual(draft.state, "draft")
        with self.assertRaisesRegex(UserError, "has not been sent"):
            draft.action_invoice_costs()

    def test_one_invoice_per_debtor_on_a_selection(self):
        _inv1, notice1 = self.notice_for(self.debtor, 1234.56)
        self.create_invoice(self.other_debtor, 7500.0, self.d(-49))
        for step in range(4):
            self.run_dunning(self.d(7 * step), partners=self.other_debtor)
        notice2 = self.comms(self.other_debtor)[-1]
        notices = notice1 | notice2
        with freeze_time(self.d(36)):
            action = notices.action_invoice_costs()
        moves = notices.cost_move_id
        self.assertEqual(len(moves), 2)
        self.assertEqual(action["domain"], [("id", "in", moves.ids)])
        self.assertEqual(notice1.cost_move_id.partner_id, self.debtor)
        self.assertEqual(notice2.cost_move_id.partner_id, self.other_debtor)
        self.assertAlmostEqual(
            self.line_of(notice2.cost_move_id, self.costs_product).price_subtotal,
            750.0,
            places=2,
        )

    def test_foreign_currency_invoice_gives_a_company_currency_costs_invoice(self):
        chf = self.setup_other_currency("CHF", rates=[("2020-01-01", 2.0)])
        invoice, notice = self.notice_for(self.debtor, 2469.12, currency=chf)
        move = self.invoice_costs(notice, self.d(36))
        self.assertEqual(move.currency_id, self.company.currency_id)
        # 2,469.12 CHF at 2 CHF per unit: WIK on 1,234.56.
        self.assertAlmostEqual(
            self.line_of(move, self.costs_product).price_subtotal, 185.18, 2
        )
        interest_chf = self.interest_on(invoice, self.d(36))
        self.assertAlmostEqual(
            self.line_of(move, self.interest_product).price_subtotal,
            float((interest_chf / 2).quantize(Decimal("0.01"))),
            places=2,
        )


@tagged("post_install", "-at_install", "debiteur")
class TestCostInvoiceConsumer(CostInvoiceCommon):
    def test_nl_consumer_no_costs_before_the_deadline_then_allowed(self):
        invoice, notice = self.notice_for(self.consumer, 200.0)
        # E-mail and letter: the postal term counts (receipt two days later).
        self.assertEqual(notice.legal_deadline, self.d(37))
        for day in (30, 37):
            with (
                freeze_time(self.d(day)),
                self.assertRaisesRegex(UserError, "14-day term ends on"),
            ):
                notice.action_invoice_costs()
        self.assertFalse(notice.cost_move_id)
        move = self.invoice_costs(notice, self.d(38))
        self.assertAlmostEqual(
            self.line_of(move, self.costs_product).price_subtotal, 40.0, 2
        )
        interest_line = self.line_of(move, self.interest_product)
        self.assertEqual(interest_line.name, "Statutory interest up to 07/09/2026")
        self.assertAlmostEqual(
            interest_line.price_subtotal,
            float(self.interest_on(invoice, self.d(38))),
            places=2,
        )
        self.assertIn("6:119 ", move.narration)

    def test_nl_consumer_never_pays_a_fee(self):
        policy = self.consumer_policy
        policy.costs_mode = "fixed"
        policy._sorted_levels().write({"fee_amount": 25.0})
        notice_level = policy._sorted_levels()[-1]
        amount, note = self.Legal._debtor_costs(
            self.consumer, policy, 200.0, notice_level, self.d(60), self.d(37)
        )
        self.assertEqual(amount, 0)
        self.assertIn("No fee", note)
        _invoice, notice = self.notice_for(self.consumer, 200.0)
        self.assertFalse(notice.costs_amount)
        move = self.invoice_costs(notice, self.d(38))
        self.assertFalse(self.line_of(move, self.costs_product))
        self.assertTrue(self.line_of(move, self.interest_product))

    def test_fixed_fee_for_a_business(self):
        self.policy.costs_mode = "fixed"
        self.level4.fee_amount = 25.0
        _invoice, notice = self.notice_for(self.debtor, 1234.56)
        move = self.invoice_costs(notice, self.d(36))
        self.assertAlmostEqual(
            self.line_of(move, self.costs_product).price_subtotal, 25.0, 2
        )

    def test_be_consumer_damages_after_the_waiting_period(self):
        policy = self.consumer_policy
        # Damages only under an express clause of the contract (Book XIX).
        policy.write(
            {
                "jurisdiction": "be",
                "costs_mode": "statutory",
                "be_express_clause": True,
            }
        )
        first = policy._sorted_levels()[0]
        first.charge_costs = True
        self.create_invoice(self.consumer, 1234.56, self.d(-10))
        friday = TODAY + timedelta(days=4)
        comm = self.run_dunning(friday).communication_ids
        self.assertEqual(comm.level_id, first)
        # 8 + 13 = Sunday 21 June: the last day moves to Monday 22 (art. 1.7 BW)
        deadline = friday + timedelta(days=3 + 13 + 1)
        self.assertEqual(comm.legal_deadline, deadline)
        self.assertEqual(comm.costs_amount, 101.73)
        with freeze_time(deadline), self.assertRaisesRegex(UserError, "ends on"):
            comm.action_invoice_costs()
        move = self.invoice_costs(comm, deadline + timedelta(days=1))
        self.assertAlmostEqual(
            self.line_of(move, self.costs_product).price_subtotal, 101.73, 2
        )
        # The first level charges no interest.
        self.assertFalse(self.line_of(move, self.interest_product))
        self.assertIn("Book XIX", move.narration)
        self.assertNotIn("6:44", move.narration)


@tagged("post_install", "-at_install", "debiteur")
class TestWaiveCosts(CostInvoiceCommon):
    def test_waived_costs_are_not_invoiced(self):
        _invoice, notice = self.notice_for(self.debtor, 1234.56)
        self.waive(notice, "Settlement of 12 July", interest=False)
        self.assertTrue(notice.costs_waived)
        self.assertFalse(notice.interest_waived)
        self.assertEqual(notice.waive_reason, "Settlement of 12 July")
        self.assertIn(
            "Collection costs waived: Settlement of 12 July",
            notice.message_ids.mapped("body")[0],
        )
        move = self.invoice_costs(notice, self.d(36))
        self.assertFalse(self.line_of(move, self.costs_product))
        self.assertTrue(self.line_of(move, self.interest_product))

    def test_everything_waived_refuses_to_invoice(self):
        _invoice, notice = self.notice_for(self.debtor, 1234.56)
        self.waive(notice, "Good customer")
        self.assertTrue(notice.costs_waived and notice.interest_waived)
        with freeze_time(self.d(36)), self.assertRaisesRegex(UserError, "waived"):
            notice.action_invoice_costs()
        self.assertFalse(notice.cost_move_id)

    def test_waive_needs_a_reason(self):
        _invoice, notice = self.notice_for(self.debtor, 1234.56)
        with self.assertRaisesRegex(UserError, "reason"):
            notice._debiteur_waive(True, False, "  ")
        with self.assertRaisesRegex(UserError, "Choose what to waive"):
            notice._debiteur_waive(False, False, "Settlement")

    def test_waive_reverses_an_unpaid_costs_invoice(self):
        _invoice, notice = self.notice_for(self.debtor, 1234.56)
        move = self.invoice_costs(notice, self.d(36))
        with freeze_time(self.d(40)):
            self.waive(notice, "Settlement")
        self.assertEqual(move.payment_state, "reversed")
        credit_note = move.reversal_move_ids
        self.assertEqual(credit_note.move_type, "out_refund")
        self.assertEqual(credit_note.state, "posted")
        self.assertAlmostEqual(credit_note.amount_total, move.amount_total, 2)
        self.assertFalse(notice.cost_move_active)
        bodies = " ".join(notice.message_ids.mapped("body"))
        self.assertIn("Collection costs and interest waived: Settlement", bodies)
        self.assertIn("reversed by credit note", bodies)
        self.assertIn(credit_note.name, bodies)

    def test_waiving_costs_only_lets_the_interest_be_invoiced_again(self):
        _invoice, notice = self.notice_for(self.debtor, 1234.56)
        first = self.invoice_costs(notice, self.d(36))
        with freeze_time(self.d(40)):
            self.waive(notice, "Goodwill", interest=False)
        self.assertEqual(first.payment_state, "reversed")
        second = self.invoice_costs(notice, self.d(40))
        self.assertNotEqual(second, first)
        self.assertFalse(self.line_of(second, self.costs_product))
        self.assertTrue(self.line_of(second, self.interest_product))

    def test_a_paid_costs_invoice_is_not_reversed(self):
        _invoice, notice = self.notice_for(self.debtor, 1234.56)
        move = self.invoice_costs(notice, self.d(36))
        self.pay(move, 50.0, pay_date=self.d(37))
        with freeze_time(self.d(40)):
            self.waive(notice, "Settlement")
        self.assertEqual(move.payment_state, "partial")
        self.assertFalse(move.reversal_move_ids)
        self.assertIn("was not reversed", notice.message_ids[0].body)


@tagged("post_install", "-at_install", "debiteur")
class TestCostInvoiceAccess(CostInvoiceCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_role_users("dd_costs")

    def test_user_without_dunning_rights_cannot_invoice_or_waive(self):
        _invoice, notice = self.notice_for(self.debtor, 1234.56)
        self.env.invalidate_all()
        as_billing = notice.with_user(self.billing_user)
        with freeze_time(self.d(36)), self.assertRaises(AccessError):
            as_billing.action_invoice_costs()
        with self.assertRaises(AccessError):
            as_billing.action_waive_costs()
        with self.assertRaises(AccessError):
            self.env["debiteur.waive.wizard"].with_user(self.billing_user).create(
                {"communication_ids": notice.ids, "reason": "x"}
            )
        self.assertFalse(notice.cost_move_id)

    def test_dunning_user_invoices_and_waives(self):
        _invoice, notice = self.notice_for(self.debtor, 1234.56)
        self.env.invalidate_all()
        as_user = notice.with_user(self.dunning_user)
        with freeze_time(self.d(36)):
            as_user.action_invoice_costs()
        self.assertEqual(notice.cost_move_id.state, "posted")
        self.assertEqual(notice.cost_move_id.create_uid, self.dunning_user)
        wizard = (
            self.env["debiteur.waive.wizard"]
            .with_user(self.dunning_user)
            .create({"communication_ids": notice.ids, "reason": "Settlement"})
        )
        with freeze_time(self.d(37)):
            wizard.action_confirm()
        self.assertEqual(notice.cost_move_id.payment_state, "reversed")

    def test_settings(self):
        settings = self.env["res.config.settings"].create({})
        settings.execute()
        main = self.env.ref("base.main_company")
        self.assertEqual(
            main.debiteur_costs_product_id,
            self.env.ref("debiteur_dunning.product_debiteur_costs"),
        )
        self.assertEqual(
            self.costs_product, self.env.ref("debiteur_dunning.product_debiteur_costs")
        )
        self.assertFalse(self.costs_product.taxes_id)
        self.assertTrue(self.costs_product.sale_ok)
        self.assertFalse(self.costs_product.purchase_ok)
        self.assertEqual(self.costs_product.type, "service")
