"""VAT relief on uncollectible invoices (btw-teruggaaf oninbare vorderingen),
on a company with the Dutch chart of accounts (rubriek 1a 21 %, 1b 9 %)."""

import base64
from collections import defaultdict
from datetime import date

import psycopg2
from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, new_test_user, tagged
from odoo.tools import mute_logger

from odoo.addons.account.tests.common import AccountTestInvoicingCommon

from .common import DebiteurCommon

DUE = date(2025, 3, 15)
ELIGIBLE = date(2026, 3, 15)
Q1_2026 = (date(2026, 1, 1), date(2026, 3, 31))
Q2_2026 = (date(2026, 4, 1), date(2026, 6, 30))
Q3_2026 = (date(2026, 7, 1), date(2026, 9, 30))


class VatReliefCommon(DebiteurCommon):
    @classmethod
    @AccountTestInvoicingCommon.setup_chart_template("nl")
    def setUpClass(cls):
        super().setUpClass()
        cls.tax_21 = cls.nl_tax("btw_21")
        cls.tax_9 = cls.nl_tax("btw_9")
        cls.configure(cls.company_data)
        cls.clearing = cls.company.debiteur_vat_relief_account_id
        cls.Relief = cls.env["debiteur.vat.relief"]

    @classmethod
    def nl_tax(cls, xmlid, company=None):
        return (
            cls.env["account.chart.template"]
            .with_company(company or cls.company)
            .ref(xmlid)
        )

    @classmethod
    def configure(cls, data):
        company = data["company"]
        company.write(
            {
                "debiteur_vat_relief_journal_id": data["default_journal_misc"].id,
                "debiteur_vat_relief_account_id": cls.env["account.account"]
                .with_company(company)
                .create(
                    {
                        "name": "Te vorderen btw oninbare vorderingen",
                        "code": "1899",
                        "account_type": "liability_current",
                    }
                )
                .id,
                "debiteur_vat_relief_expense_account_id": data[
                    "default_account_expense"
                ].id,
            }
        )

    @classmethod
    def vat_invoice(cls, lines, due=DUE, company=None, currency=None, post=True):
        """A customer invoice with ``lines`` = [(price, tax), ...]."""
        company = company or cls.company
        move = (
            cls.env["account.move"]
            .with_company(company)
            .create(
                {
                    "move_type": "out_invoice",
                    "partner_id": cls.debtor.id,
                    "invoice_date": date(due.year, due.month, 1),
                    "invoice_date_due": due,
                    "invoice_payment_term_id": False,
                    "currency_id": (currency or company.currency_id).id,
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "name": "Goods",
                                "quantity": 1,
                                "price_unit": price,
                                "tax_ids": [Command.set(tax.ids)],
                            }
                        )
                        for price, tax in lines
                    ],
                }
            )
        )
        if post:
            move.action_post()
        return move

    def mark(self, today=ELIGIBLE):
        return self.Relief._cron_mark_eligible(today)

    def tag_balances(self, period, company=None):
        """The VAT return figures of ``period`` as the tax report computes them
        from the tags: balance × (−1 if tax_tag_invert) × (−1 if tax_negate)."""
        company = company or self.company
        lines = self.env["account.move.line"].search(
            [
                ("company_id", "=", company.id),
                ("parent_state", "=", "posted"),
                ("date", ">=", period[0]),
                ("date", "<=", period[1]),
                ("tax_tag_ids", "!=", False),
            ]
        )
        totals = defaultdict(float)
        for line in lines:
            for tag in line.tax_tag_ids:
                sign = (-1 if line.tax_tag_invert else 1) * (
                    -1 if tag.tax_negate else 1
                )
                totals[tag.name[1:]] += sign * line.balance
        return {name: round(value, 2) for name, value in totals.items() if value}

    def account_balance(self, account, relief=None):
        domain = [("account_id", "=", account.id), ("parent_state", "=", "posted")]
        if relief:
            domain.append(("move_id.debiteur_vat_relief_origin_id", "=", relief.id))
        return round(
            sum(self.env["account.move.line"].search(domain).mapped("balance")), 2
        )

    def relieve(self, invoice, today=ELIGIBLE):
        relief = self.mark(today).filtered(lambda r: r.move_id == invoice)
        self.assertTrue(relief, "the invoice should be eligible")
        relief.action_confirm()
        return relief

    def evidence(self):
        return self.env["ir.attachment"].create(
            {
                "name": "curator.pdf",
                "datas": base64.b64encode(b"%PDF-1.4 faillissement"),
            }
        )


@tagged("post_install", "-at_install", "debiteur")
class TestVatRelief(VatReliefCommon):
    def test_dutch_chart_is_loaded(self):
        self.assertEqual(self.company.account_fiscal_country_id.code, "NL")
        self.assertEqual(self.company.debiteur_vat_relief_mode, "year")
        self.assertEqual((self.tax_21.amount, self.tax_9.amount), (21.0, 9.0))

    def test_legal_example_one_year_after_due_date(self):
        invoice = self.vat_invoice([(1000.0, self.tax_21)])
        self.assertEqual(invoice.amount_total, 1210.0)
        self.assertEqual(invoice.debiteur_vat_relief_date, ELIGIBLE)
        self.assertFalse(self.mark(date(2026, 3, 14)))
        relief = self.mark(ELIGIBLE)
        self.assertEqual(relief.move_id, invoice)
        self.assertEqual(relief.state, "eligible")
        self.assertEqual(relief.eligible_date, ELIGIBLE)
        self.assertEqual(relief.period, "2026-Q1")
        self.assertEqual(relief.vat_amount, 210.0)
        self.assertEqual(relief.line_ids.tax_id, self.tax_21)
        self.assertEqual(relief.line_ids.base_amount, 1000.0)
        self.assertEqual(invoice.debiteur_vat_relief_state, "eligible")
        # Marking again the next day does not duplicate.
        self.assertFalse(self.mark(date(2026, 3, 16)))

        relief.action_confirm()
        self.assertEqual(relief.state, "relieved")
        entry = relief.relief_move_id
        self.assertEqual(entry.state, "posted")
        self.assertEqual(entry.date, ELIGIBLE)
        self.assertEqual(relief.entry_ids, entry)
        # The VAT return of Q1 2026: negative turnover correction in rubriek 1a.
        self.assertEqual(
            self.tag_balances(Q1_2026), {"1a (omzet)": -1000.0, "1a (BTW)": -210.0}
        )
        # The invoice's own period is untouched.
        self.assertEqual(
            self.tag_balances((date(2025, 1, 1), date(2025, 3, 31))),
            {"1a (omzet)": 1000.0, "1a (BTW)": 210.0},
        )
        # Output tax moved to the clearing account; the claim stays intact.
        output_tax = relief.line_ids.account_id
        self.assertEqual(self.account_balance(output_tax, relief), 210.0)
        self.assertEqual(self.account_balance(self.clearing, relief), -210.0)
        self.assertEqual(invoice.amount_residual, 1210.0)
        self.assertEqual(invoice.payment_state, "not_paid")
        self.assertFalse(
            entry.line_ids.filtered(
                lambda line: line.account_id.account_type == "asset_receivable"
            )
        )
        self.assertEqual(invoice.debiteur_vat_relief_state, "relieved")

    def test_mixed_rates_per_rate(self):
        invoice = self.vat_invoice([(1000.0, self.tax_21), (500.0, self.tax_9)])
        relief = self.relieve(invoice)
        by_tax = {line.tax_id: line for line in relief.line_ids}
        self.assertEqual(by_tax[self.tax_21].vat_amount, 210.0)
        self.assertEqual(by_tax[self.tax_9].vat_amount, 45.0)
        self.assertEqual(by_tax[self.tax_9].base_amount, 500.0)
        self.assertEqual(relief.vat_amount, 255.0)
        self.assertEqual(
            self.tag_balances(Q1_2026),
            {
                "1a (omzet)": -1000.0,
                "1a (BTW)": -210.0,
                "1b (omzet)": -500.0,
                "1b (BTW)": -45.0,
            },
        )

    def test_partial_payment_before_relief_only_unpaid_part(self):
        invoice = self.vat_invoice([(1000.0, self.tax_21)])
        self.pay(invoice, 605.0, date(2025, 6, 1))
        relief = self.relieve(invoice)
        self.assertEqual(relief.amount_unpaid, 605.0)
        self.assertEqual(relief.vat_amount, 105.0)
        self.assertEqual(
            self.tag_balances(Q1_2026), {"1a (omzet)": -500.0, "1a (BTW)": -105.0}
        )

    def test_payment_before_confirmation_updates_the_eligible_amount(self):
        invoice = self.vat_invoice([(1000.0, self.tax_21)])
        relief = self.mark()
        self.pay(invoice, 605.0, date(2026, 3, 20))
        self.assertEqual(relief.vat_amount, 105.0)
        self.pay(invoice, 605.0, date(2026, 3, 21))
        self.assertEqual(relief.state, "cancelled")
        self.assertFalse(self.tag_balances(Q1_2026).get("1a (BTW)"))

    def test_payments_after_relief_recharge_proportional_vat(self):
        invoice = self.vat_invoice([(1000.0, self.tax_21)])
        relief = self.relieve(invoice)
        self.pay(invoice, 605.0, date(2026, 5, 10))
        self.assertEqual(relief.state, "relieved")
        self.assertEqual(relief.vat_recharged, 105.0)
        self.assertEqual(relief.vat_current, 105.0)
        recharge = relief.entry_ids - relief.relief_move_id
        self.assertEqual(recharge.date, date(2026, 5, 10))
        self.assertEqual(
            self.tag_balances(Q2_2026), {"1a (omzet)": 500.0, "1a (BTW)": 105.0}
        )
        # Q1 keeps its correction.
        self.assertEqual(self.tag_balances(Q1_2026)["1a (BTW)"], -210.0)

        self.pay(invoice, 605.0, date(2026, 7, 1))
        self.assertEqual(invoice.payment_state, "paid")
        self.assertEqual(relief.state, "recharged")
        self.assertEqual(relief.vat_recharged, 210.0)
        self.assertEqual(
            self.tag_balances(Q3_2026), {"1a (omzet)": 500.0, "1a (BTW)": 105.0}
        )
        self.assertEqual(self.account_balance(self.clearing, relief), 0.0)
        self.assertEqual(self.account_balance(relief.line_ids.account_id, relief), 0.0)

    def test_undone_payment_reclaims_again(self):
        invoice = self.vat_invoice([(1000.0, self.tax_21)])
        relief = self.relieve(invoice)
        payment = self.pay(invoice, 605.0, date(2026, 5, 10))
        self.assertEqual(relief.vat_current, 105.0)
        payment.move_id.line_ids.remove_move_reconcile()
        self.assertEqual(relief.vat_current, 210.0)
        self.assertEqual(relief.vat_recharged, 0.0)
        self.assertEqual(self.account_balance(self.clearing, relief), -210.0)

    def test_write_off_clears_receivable_and_clearing(self):
        invoice = self.vat_invoice([(1000.0, self.tax_21)])
        relief = self.relieve(invoice)
        tags_before = self.tag_balances((date(2026, 1, 1), date(2026, 12, 31)))
        expense = self.company.debiteur_vat_relief_expense_account_id
        relief.action_write_off()
        self.assertEqual(relief.state, "written_off")
        self.assertEqual(invoice.amount_residual, 0.0)
        self.assertEqual(invoice.payment_state, "paid")
        self.assertEqual(self.account_balance(self.clearing, relief), 0.0)
        self.assertEqual(self.account_balance(expense, relief), 1000.0)
        # No VAT is re-charged by the write-off.
        self.assertEqual(relief.vat_recharged, 0.0)
        self.assertEqual(
            self.tag_balances((date(2026, 1, 1), date(2026, 12, 31))), tags_before
        )
        with self.assertRaises(UserError):
            relief.action_cancel()

    def test_cancel_reverses_entries(self):
        invoice = self.vat_invoice([(1000.0, self.tax_21)])
        relief = self.relieve(invoice)
        self.pay(invoice, 605.0, date(2026, 5, 10))
        relief.action_cancel()
        self.assertEqual(relief.state, "cancelled")
        self.assertEqual(len(relief.entry_ids), 4)
        self.assertEqual(
            len(relief.entry_ids.filtered("reversed_entry_id")), 2, "two reversals"
        )
        self.assertEqual(self.tag_balances((date(2026, 1, 1), date(2026, 12, 31))), {})
        self.assertEqual(self.account_balance(self.clearing, relief), 0.0)
        self.assertFalse(invoice.debiteur_vat_relief_state)
        # A cancelled relief does not block a new one.
        self.assertTrue(self.mark(date(2026, 6, 2)))

    def test_one_relief_per_invoice(self):
        invoice = self.vat_invoice([(1000.0, self.tax_21)])
        self.mark()
        with mute_logger("odoo.sql_db"), self.assertRaises(psycopg2.IntegrityError):
            with self.env.cr.savepoint():
                self.Relief.create(
                    {"move_id": invoice.id, "date": ELIGIBLE, "eligible_date": ELIGIBLE}
                )

    def test_never_before_eligible_date_without_reason(self):
        invoice = self.vat_invoice([(1000.0, self.tax_21)], due=date(2025, 12, 1))
        wizard = Form(
            self.env["debiteur.vat.relief.wizard"].with_context(
                default_move_ids=invoice.ids
            )
        )
        wizard.date = date(2026, 6, 1)
        with self.assertRaisesRegex(UserError, "reason"):
            wizard.save().action_confirm()
        # Reason and evidence: reclaimed early, in the period of the date.
        wizard = Form(
            self.env["debiteur.vat.relief.wizard"].with_context(
                default_move_ids=invoice.ids
            )
        )
        wizard.date = date(2026, 6, 1)
        wizard.reason = "Debtor declared bankrupt on 2026-05-28"
        record = wizard.save()
        record.attachment_ids = self.evidence()
        record.action_confirm()
        relief = invoice.debiteur_vat_relief_ids
        self.assertEqual(relief.state, "relieved")
        self.assertTrue(relief.proven)
        self.assertEqual(relief.attachment_ids.name, "curator.pdf")
        self.assertEqual(self.tag_balances(Q2_2026)["1a (BTW)"], -210.0)

    def relief_wizard(self, invoices, today):
        with freeze_time(today):
            return Form(
                self.env["debiteur.vat.relief.wizard"].with_context(
                    default_move_ids=invoices.ids
                )
            )

    def test_reclaim_from_the_invoice_defaults_to_the_eligible_date(self):
        """Started from the invoice months later, the relief still lands in
        the return of the eligible date, as on the VAT to Reclaim list."""
        invoice = self.vat_invoice([(1000.0, self.tax_21)])
        today = date(2026, 6, 20)
        wizard = self.relief_wizard(invoice, today)
        self.assertEqual(wizard.date, ELIGIBLE)
        with freeze_time(today):
            wizard.save().action_confirm()
        relief = invoice.debiteur_vat_relief_ids
        self.assertEqual(relief.relief_move_id.date, ELIGIBLE)
        self.assertEqual(self.tag_balances(Q1_2026)["1a (BTW)"], -210.0)

    def test_a_locked_eligible_date_moves_to_the_first_open_day(self):
        invoice = self.vat_invoice([(1000.0, self.tax_21)])
        self.company.tax_lock_date = date(2026, 3, 31)
        today = date(2026, 6, 20)
        wizard = self.relief_wizard(invoice, today)
        self.assertEqual(wizard.date, date(2026, 4, 1))
        with freeze_time(today):
            wizard.save().action_confirm()
        # The first return still open, not the one of the day it was done.
        self.assertEqual(
            invoice.debiteur_vat_relief_ids.relief_move_id.date, date(2026, 4, 1)
        )

    def test_not_yet_eligible_defaults_to_today(self):
        invoice = self.vat_invoice([(1000.0, self.tax_21)], due=date(2025, 12, 1))
        wizard = self.relief_wizard(invoice, date(2026, 6, 1))
        self.assertEqual(wizard.date, date(2026, 6, 1))

    def test_refused_on_paid_reversed_and_untaxed_invoices(self):
        paid = self.vat_invoice([(1000.0, self.tax_21)])
        self.pay(paid, 1210.0, DUE)
        with self.assertRaisesRegex(UserError, "paid"):
            paid.action_debiteur_vat_relief()
        reversed_invoice = self.vat_invoice([(1000.0, self.tax_21)])
        reversal = reversed_invoice._reverse_moves(cancel=True)
        self.assertTrue(reversal)
        with self.assertRaisesRegex(UserError, "reversed|paid"):
            reversed_invoice.action_debiteur_vat_relief()
        untaxed = self.create_invoice(self.debtor, 500.0, DUE)
        with self.assertRaisesRegex(UserError, "no VAT"):
            untaxed.action_debiteur_vat_relief()
        draft = self.vat_invoice([(1000.0, self.tax_21)], post=False)
        with self.assertRaisesRegex(UserError, "not posted"):
            draft.action_debiteur_vat_relief()
        self.assertFalse(self.mark(date(2027, 1, 1)).move_id & (paid | untaxed))

    def test_configuration_is_explained(self):
        self.company.debiteur_vat_relief_journal_id = False
        self.vat_invoice([(1000.0, self.tax_21)])
        relief = self.mark()
        with self.assertRaisesRegex(UserError, "VAT Relief Journal"):
            relief.action_confirm()
        self.assertEqual(relief.state, "eligible")

    def test_foreign_currency_at_invoice_rate(self):
        usd = self.setup_other_currency(
            "USD", rates=[("2025-01-01", 2.0), ("2026-01-01", 4.0)]
        )
        invoice = self.vat_invoice([(1000.0, self.tax_21)], currency=usd)
        relief = self.relieve(invoice)
        self.assertEqual(relief.line_ids.vat_amount_currency, 210.0)
        self.assertEqual(relief.vat_amount, 105.0)
        self.assertEqual(
            self.tag_balances(Q1_2026), {"1a (omzet)": -500.0, "1a (BTW)": -105.0}
        )

    def test_cash_basis_tax_refused(self):
        self.env.company.tax_exigibility = True
        cash_tax = self.tax_21.copy(
            {
                "name": "21% cash basis",
                "tax_exigibility": "on_payment",
                "cash_basis_transition_account_id": self.clearing.copy(
                    {"code": "1898", "reconcile": True}
                ).id,
            }
        )
        invoice = self.vat_invoice([(1000.0, cash_tax)])
        with self.assertRaisesRegex(UserError, "cash-basis"):
            invoice.action_debiteur_vat_relief()
        self.assertFalse(self.mark())


@tagged("post_install", "-at_install", "debiteur")
class TestVatReliefRights(VatReliefCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_role_users("vat")
        cls.manager = cls.dunning_manager
        cls.invoice = cls.vat_invoice([(1000.0, cls.tax_21)])
        cls.relief = cls.Relief._cron_mark_eligible(ELIGIBLE)

    def test_only_managers_reclaim(self):
        with self.assertRaises(AccessError):
            self.relief.with_user(self.billing_user).read(["state"])
        with self.assertRaises(AccessError):
            self.relief.with_user(self.dunning_user).action_confirm()
        self.assertEqual(self.relief.state, "eligible")
        self.relief.with_user(self.manager).action_confirm()
        self.assertEqual(self.relief.state, "relieved")

    def test_payment_by_billing_user_recharges(self):
        self.relief.with_user(self.manager).action_confirm()
        self.env.invalidate_all()
        wizard = (
            self.env["account.payment.register"]
            .with_user(self.billing_user)
            .with_context(active_model="account.move", active_ids=self.invoice.ids)
            .create({"amount": 605.0, "payment_date": date(2026, 5, 10)})
        )
        wizard._create_payments()
        self.assertEqual(self.relief.vat_recharged, 105.0)
        # The billing user sees the invoice form fields without access error.
        self.invoice.with_user(self.billing_user).read(["debiteur_vat_relief_state"])

    def test_user_cancel_is_refused_before_any_reversal(self):
        self.relief.with_user(self.manager).action_confirm()
        entries = self.relief.entry_ids
        self.env.invalidate_all()
        with self.assertRaises(AccessError):
            self.relief.with_user(self.dunning_user).action_cancel()
        with self.assertRaises(AccessError):
            self.relief.with_user(self.dunning_user).action_write_off()
        self.assertEqual(self.relief.state, "relieved")
        self.assertEqual(self.relief.entry_ids, entries)

    def test_proven_needs_evidence(self):
        relief = self.relief.with_user(self.manager)
        with self.assertRaises(ValidationError):
            relief.write({"proven": True, "reason": "Bankrupt"})
        self.assertFalse(self.relief.proven)
        relief.write(
            {
                "proven": True,
                "reason": "Bankrupt",
                "attachment_ids": [Command.set(self.evidence().ids)],
            }
        )
        self.assertTrue(self.relief.proven)


@tagged("post_install", "-at_install", "debiteur")
class TestVatReliefCompanies(VatReliefCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_be_data = cls.setup_other_company(name="Brasserie Sud SA")
        cls.company_be = cls.company_be_data["company"]
        cls.change_company_country(cls.company_be, cls.env.ref("base.be"))
        cls.env.user.company_ids |= cls.company_be

    def test_belgium_is_manual_only(self):
        self.assertEqual(self.company_be.debiteur_vat_relief_mode, "manual")
        self.configure(self.company_be_data)
        invoice = self.vat_invoice(
            [(1000.0, self.nl_tax("btw_21", self.company_be))],
            company=self.company_be,
        )
        self.assertFalse(invoice.debiteur_vat_relief_date)
        self.assertFalse(self.mark(date(2028, 1, 1)).move_id & invoice)
        Wizard = self.env["debiteur.vat.relief.wizard"].with_company(self.company_be)
        with self.assertRaisesRegex(UserError, "reason"):
            Wizard.create({"move_ids": invoice.ids, "date": ELIGIBLE}).action_confirm()
        Wizard.create(
            {
                "move_ids": invoice.ids,
                "date": ELIGIBLE,
                "reason": "Faillissement uitgesproken",
                "attachment_ids": [Command.set(self.evidence().ids)],
            }
        ).action_confirm()
        relief = invoice.debiteur_vat_relief_ids
        self.assertEqual(relief.state, "relieved")
        self.assertEqual(relief.company_id, self.company_be)
        self.assertEqual(relief.relief_move_id.company_id, self.company_be)
        self.assertEqual(relief.vat_amount, 210.0)
        self.assertEqual(
            self.tag_balances(Q1_2026, self.company_be)["1a (BTW)"], -210.0
        )
        self.assertFalse(self.tag_balances(Q1_2026).get("1a (BTW)"))

    def test_companies_are_separate(self):
        self.company_be.debiteur_vat_relief_mode = "days"
        self.company_be.debiteur_vat_relief_delay_days = 90
        invoice_a = self.vat_invoice([(1000.0, self.tax_21)])
        invoice_b = self.vat_invoice(
            [(400.0, self.nl_tax("btw_21", self.company_be))],
            company=self.company_be,
        )
        reliefs = self.mark(date(2025, 6, 13))
        self.assertEqual(reliefs.move_id, invoice_b)
        relief_b = reliefs
        self.assertEqual(relief_b.eligible_date, date(2025, 6, 13))
        # Company B has no journal nor clearing account yet.
        with self.assertRaisesRegex(UserError, "Brasserie Sud SA"):
            relief_b.action_confirm()
        relief_a = self.mark().filtered(lambda r: r.move_id == invoice_a)
        manager_a = new_test_user(
            self.env,
            login="vat_manager_a",
            groups="base.group_user,debiteur_dunning.group_debiteur_manager",
            company_id=self.company.id,
            company_ids=self.company.ids,
        )
        visible = self.Relief.with_user(manager_a).search([])
        self.assertIn(relief_a, visible)
        self.assertNotIn(relief_b, visible)
