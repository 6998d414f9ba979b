"""The legal service ``debiteur.legal`` and the rate table ``debiteur.interest.rate``.

The pure rules are tested in ``test_legal.py``; here they are reached through
the ORM: real posted invoices, payments, currencies, policies and reminders.
"""

from datetime import date
from decimal import Decimal

from freezegun import freeze_time
from psycopg2 import IntegrityError

from odoo import Command
from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.debiteur_dunning.legal import prescription_date, statutory_interest

from .common import TODAY, DebiteurCommon

# Every rate of LEGAL.md: (kind, from, % per year).
LEGAL_RATES = [
    ("nl_consumer", "2022-07-01", "2"),
    ("nl_consumer", "2023-01-01", "4"),
    ("nl_consumer", "2023-07-01", "6"),
    ("nl_consumer", "2024-01-01", "7"),
    ("nl_consumer", "2024-07-01", "7"),
    ("nl_consumer", "2025-01-01", "6"),
    ("nl_consumer", "2025-07-01", "6"),
    ("nl_consumer", "2026-01-01", "6"),
    ("nl_commercial", "2022-07-01", "8"),
    ("nl_commercial", "2023-01-01", "10.5"),
    ("nl_commercial", "2023-07-01", "12"),
    ("nl_commercial", "2024-01-01", "12.5"),
    ("nl_commercial", "2024-07-01", "12.25"),
    ("nl_commercial", "2025-01-01", "11.15"),
    ("nl_commercial", "2025-07-01", "10.15"),
    ("nl_commercial", "2026-01-01", "10.15"),
    ("be_commercial", "2023-01-01", "10.5"),
    ("be_commercial", "2023-07-01", "12"),
    ("be_commercial", "2024-01-01", "12.5"),
    ("be_commercial", "2024-07-01", "12.5"),
    ("be_commercial", "2025-01-01", "11.5"),
    ("be_commercial", "2025-07-01", "10.5"),
    ("be_commercial", "2026-01-01", "10.5"),
    ("be_legal", "2023-01-01", "5.25"),
    ("be_legal", "2024-01-01", "5.75"),
    ("be_legal", "2025-01-01", "4.5"),
    ("be_legal", "2025-07-01", "4.5"),
    ("be_legal", "2026-01-01", "4.5"),
]
# Values LEGAL.md marks as derived or to verify.
TO_VERIFY = [("nl_consumer", "2026-01-01"), ("nl_commercial", "2026-01-01")]

D = Decimal


@tagged("post_install", "-at_install", "debiteur")
class TestInterestRate(DebiteurCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Rate = cls.env["debiteur.interest.rate"]

    def test_legal_rates_shipped(self):
        rates = self.Rate.search([])
        shipped = {(r.kind, str(r.date_from)): D(str(r.rate)) for r in rates}
        for kind, date_from, rate in LEGAL_RATES:
            self.assertEqual(shipped.get((kind, date_from)), D(rate), (kind, date_from))
        self.assertEqual(len(rates), len(LEGAL_RATES))
        for kind, date_from in TO_VERIFY:
            record = rates.filtered(
                lambda r, k=kind, d=date_from: r.kind == k and str(r.date_from) == d
            )
            self.assertIn("verify", record.note)
        derived = rates.filtered(
            lambda r: r.kind == "nl_commercial" and str(r.date_from) == "2026-01-01"
        )
        self.assertIn("derived", derived.note)

    def test_rates_for(self):
        table = self.Rate._rates_for("nl_commercial")
        self.assertEqual(table[0], (date(2022, 7, 1), D("8")))
        self.assertEqual(table[1], (date(2023, 1, 1), D("10.5")))
        self.assertEqual([d for d, _r in table], sorted(d for d, _r in table))
        self.assertTrue(all(isinstance(r, Decimal) for _d, r in table))
        # The cache follows every change.
        new = self.Rate.create(
            {"kind": "nl_commercial", "date_from": "2026-07-01", "rate": 9.9}
        )
        self.assertEqual(
            self.Rate._rates_for("nl_commercial")[-1], (date(2026, 7, 1), D("9.9"))
        )
        new.rate = 10.4
        self.assertEqual(self.Rate._rates_for("nl_commercial")[-1][1], D("10.4"))
        new.active = False
        self.assertEqual(self.Rate._rates_for("nl_commercial")[-1][0], date(2026, 1, 1))

    def test_empty_table(self):
        self.Rate.search([("kind", "=", "be_legal")]).action_archive()
        with self.assertRaisesRegex(UserError, "BE legal interest rate"):
            self.Rate._rates_for("be_legal")

    def test_unique_kind_date(self):
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"):
            self.Rate.create(
                {"kind": "nl_commercial", "date_from": "2023-01-01", "rate": 1.0}
            )
        # The same date for another kind is fine.
        self.Rate.create({"kind": "be_legal", "date_from": "2023-07-01", "rate": 5})

    def test_rate_bounds(self):
        for bad in (-0.5, 100.0, 150.0):
            with (
                self.assertRaisesRegex(ValidationError, "below 100"),
                self.env.cr.savepoint(),
            ):
                self.Rate.create(
                    {"kind": "be_legal", "date_from": "2027-01-01", "rate": bad}
                )
        rate = self.Rate.create(
            {"kind": "be_legal", "date_from": "2027-01-01", "rate": 0.0}
        )
        rate.rate = 99.999
        with self.assertRaises(ValidationError):
            rate.rate = -1

    def test_views(self):
        views = self.Rate.get_views(
            [(False, "list"), (False, "form"), (False, "search")]
        )
        self.assertIn('editable="bottom"', views["views"]["list"]["arch"])
        action = self.env.ref("debiteur_dunning.action_debiteur_interest_rate")
        self.assertIn("search_default_group_kind", action.context)


@tagged("post_install", "-at_install", "debiteur")
class TestLegalService(DebiteurCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # The consumer policy of these tests sells goods: two years'
        # prescription (art. 7:28 BW), a setting of the policy.
        cls.consumer_policy.consumer_sale = True
        cls.Legal = cls.env["debiteur.legal"]
        cls.consumer = cls.env["res.partner"].create(
            {"name": "Jan Jansen", "email": "jan@jansen.example", "lang": "en_US"}
        )
        Policy = cls.env["debiteur.policy"]
        base = {
            "company_id": cls.company.id,
            "interest_mode": "statutory",
            "costs_mode": "statutory",
        }
        cls.be_business = Policy.create(
            dict(base, name="BE B2B", jurisdiction="be", debtor_type="business")
        )
        cls.be_consumer = Policy.create(
            dict(base, name="BE B2C", jurisdiction="be", debtor_type="consumer")
        )
        cls.other = Policy.create(
            dict(base, name="Elsewhere", jurisdiction="other", debtor_type="business")
        )

    def claims(self, invoices, as_of, policy=None):
        policies = None
        if policy:
            policies = {p.id: policy for p in invoices.commercial_partner_id}
        return self.Legal._invoice_claims(invoices, as_of, policies)

    # ------------------------------------------------------------------
    # Which table
    # ------------------------------------------------------------------
    def test_interest_kind(self):
        kind = self.Legal._interest_kind
        self.assertEqual(self.debtor.debiteur_debtor_type, "business")
        self.assertEqual(self.consumer.debiteur_debtor_type, "consumer")
        self.assertEqual(kind(self.policy, self.debtor), "nl_commercial")
        self.assertEqual(kind(self.consumer_policy, self.consumer), "nl_consumer")
        self.assertEqual(kind(self.be_business, self.debtor), "be_commercial")
        self.assertEqual(kind(self.be_business, self.consumer), "be_legal")
        self.assertFalse(kind(self.other, self.debtor))
        # The debtor's own type counts, not what the policy was written for.
        self.assertEqual(kind(self.policy, self.consumer), "nl_consumer")
        self.assertEqual(kind(self.be_consumer, self.debtor), "be_commercial")
        # A contact is judged by its company.
        contact = self.env["res.partner"].create(
            {"name": "Piet", "parent_id": self.debtor.id}
        )
        self.assertEqual(kind(self.policy, contact), "nl_commercial")

    # ------------------------------------------------------------------
    # Interest
    # ------------------------------------------------------------------
    def test_worked_example(self):
        """LEGAL.md: 10,000.00 due 2022-12-31, on 2024-02-04: 1,258.61."""
        invoice = self.create_invoice(self.debtor, 10000.0, date(2022, 12, 31))
        claim = self.claims(invoice, date(2024, 2, 4))[invoice.id]
        self.assertEqual(claim["interest"], D("1258.61"))
        self.assertIsInstance(claim["interest"], Decimal)
        self.assertEqual(claim["interest_start"], date(2023, 1, 1))
        self.assertEqual(claim["costs_basis"], D("10000.00"))
        self.assertEqual(claim["prescription_date"], date(2027, 12, 31))
        # A string date works too; on or before the due date nothing accrues.
        self.assertEqual(
            self.claims(invoice, "2024-02-04")[invoice.id]["interest"], D("1258.61")
        )
        self.assertEqual(
            self.claims(invoice, date(2022, 12, 31))[invoice.id]["interest"], 0
        )
        one_day = self.claims(invoice, date(2023, 1, 1))[invoice.id]["interest"]
        self.assertEqual(one_day, D("2.88"))  # 10,000 x 10.5 % / 365

    def test_partial_payment(self):
        invoice = self.create_invoice(self.debtor, 10000.0, date(2022, 12, 31))
        self.pay(invoice, 4000.0, date(2023, 6, 1))
        claim = self.claims(invoice, date(2024, 2, 4))[invoice.id]
        rates = self.env["debiteur.interest.rate"]._rates_for("nl_commercial")
        expected = statutory_interest(
            D("6000.00"), date(2023, 1, 1), date(2024, 2, 4), rates
        )
        self.assertEqual(claim["interest"], expected)
        self.assertLess(claim["interest"], D("1258.61"))
        self.assertEqual(claim["costs_basis"], D("6000.00"))
        # Paid in full: nothing.
        self.pay(invoice, 6000.0, date(2023, 7, 1))
        claim = self.claims(invoice, date(2024, 2, 4))[invoice.id]
        self.assertEqual(claim["interest"], 0)
        self.assertEqual(claim["costs_basis"], 0)

    def test_foreign_currency(self):
        chf = self.setup_other_currency("CHF")  # 2 CHF per company unit since 2017
        invoice = self.create_invoice(
            self.debtor, 10000.0, date(2022, 12, 31), currency=chf
        )
        claim = self.claims(invoice, date(2024, 2, 4))[invoice.id]
        self.assertEqual(claim["interest"], D("1258.61"))  # in CHF
        self.assertEqual(claim["costs_basis"], D("5000.00"))  # company currency

    def test_currency_decimals(self):
        jpy = self.setup_other_currency("JPY", rates=[("1900-01-01", 100.0)])
        self.assertEqual(jpy.decimal_places, 0)
        invoice = self.create_invoice(
            self.debtor, 10000.0, date(2022, 12, 31), currency=jpy
        )
        claim = self.claims(invoice, date(2024, 2, 4))[invoice.id]
        self.assertEqual(claim["interest"], D("1259"))
        self.assertEqual(claim["interest"].as_tuple().exponent, 0)
        self.assertEqual(claim["costs_basis"], D("100.00"))

    def test_no_interest(self):
        invoice = self.create_invoice(self.debtor, 10000.0, date(2022, 12, 31))
        self.policy.interest_mode = "none"
        claim = self.claims(invoice, date(2024, 2, 4))[invoice.id]
        self.assertEqual(claim["interest"], 0)
        self.assertEqual(claim["prescription_date"], date(2027, 12, 31))
        # Statutory interest outside NL and BE: none either.
        self.assertEqual(
            self.claims(invoice, date(2024, 2, 4), self.other)[invoice.id]["interest"],
            0,
        )

    def test_contractual_rate(self):
        invoice = self.create_invoice(self.debtor, 10000.0, date(2022, 12, 31))
        self.policy.write({"interest_mode": "contractual", "interest_rate": 12.0})
        # One full year at 12 %; then a second year on the capitalised principal.
        self.assertEqual(
            self.claims(invoice, date(2023, 12, 31))[invoice.id]["interest"],
            D("1200.00"),
        )
        self.assertEqual(
            self.claims(invoice, date(2024, 12, 31))[invoice.id]["interest"],
            D("2544.00"),  # 1,200 + 12 % of 11,200
        )
        # A contractual rate has no start date: old invoices are fine.
        old = self.create_invoice(self.debtor, 1000.0, date(2015, 12, 31))
        self.assertEqual(
            self.claims(old, date(2016, 12, 31))[old.id]["interest"], D("120.00")
        )

    def test_consumer_interest(self):
        invoice = self.create_invoice(self.consumer, 10000.0, date(2023, 12, 31))
        claim = self.claims(invoice, date(2024, 12, 31))[invoice.id]
        self.assertEqual(claim["interest"], D("700.00"))  # 7 % in 2024

    def test_belgian_interest_not_capitalised(self):
        invoice = self.create_invoice(self.debtor, 10000.0, date(2022, 12, 31))
        claim = self.claims(invoice, date(2024, 12, 31), self.be_business)
        # Not capitalised: 2023 181 days at 10.5 % and 184 at 12 % (/365),
        # 2024 366 days at 12.5 % (/366): 520.68 + 604.93 + 1,250.00
        self.assertEqual(claim[invoice.id]["interest"], D("2375.62"))
        consumer_invoice = self.create_invoice(
            self.consumer, 10000.0, date(2022, 12, 31)
        )
        claim = self.claims(consumer_invoice, date(2023, 12, 31), self.be_consumer)
        self.assertEqual(claim[consumer_invoice.id]["interest"], D("525.00"))

    def test_before_first_rate(self):
        invoice = self.create_invoice(self.debtor, 500.0, date(2021, 3, 31))
        with self.assertRaisesRegex(UserError, "2022-07-01") as error:
            self.claims(invoice, date(2024, 2, 4))
        self.assertIn(invoice.name, str(error.exception))

    def test_several_invoices_and_policies(self):
        business = self.create_invoice(self.debtor, 10000.0, date(2022, 12, 31))
        consumer = self.create_invoice(self.consumer, 10000.0, date(2023, 12, 31))
        result = self.Legal._invoice_claims(business | consumer, date(2024, 12, 31))
        self.assertEqual(set(result), {business.id, consumer.id})
        self.assertEqual(result[consumer.id]["interest"], D("700.00"))
        self.assertEqual(result[consumer.id]["prescription_date"], date(2025, 12, 31))
        self.assertEqual(
            self.Legal._invoice_claims(self.env["account.move"], TODAY), {}
        )

    # ------------------------------------------------------------------
    # Prescription
    # ------------------------------------------------------------------
    def test_prescription(self):
        business = self.create_invoice(self.debtor, 100.0, date(2023, 2, 28))
        consumer = self.create_invoice(self.consumer, 100.0, date(2024, 2, 29))
        result = self.Legal._invoice_claims(business | consumer, date(2024, 3, 1))
        self.assertEqual(result[business.id]["prescription_date"], date(2028, 2, 29))
        self.assertEqual(result[consumer.id]["prescription_date"], date(2026, 2, 28))

    def test_prescription_restarted_by_reminder(self):
        invoice = self.create_invoice(self.debtor, 500.0, self.d(-10))
        consumer_invoice = self.create_invoice(self.consumer, 500.0, self.d(-10))
        before = self.Legal._invoice_claims(invoice | consumer_invoice, TODAY)
        self.assertEqual(before[invoice.id]["prescription_date"], date(2031, 5, 22))
        self.assertEqual(
            before[consumer_invoice.id]["prescription_date"], date(2028, 5, 22)
        )
        run = self.run_dunning(TODAY)
        self.assertEqual(set(run.communication_ids.mapped("state")), {"sent"})
        after = self.Legal._invoice_claims(invoice | consumer_invoice, TODAY)
        self.assertEqual(after[invoice.id]["prescription_date"], date(2031, 6, 1))
        self.assertEqual(
            after[consumer_invoice.id]["prescription_date"], date(2028, 6, 1)
        )

    def test_prescription_ignores_calls_and_unsent(self):
        invoice = self.create_invoice(self.debtor, 500.0, self.d(-10))
        self.level1.channel = "phone"
        run = self.run_dunning(TODAY)
        self.assertEqual(run.communication_ids.state, "sent")
        claim = self.Legal._invoice_claims(invoice, TODAY)[invoice.id]
        self.assertEqual(claim["prescription_date"], date(2031, 5, 22))
        # A reminder still in the mail queue does not count yet.
        other = self.create_invoice(self.other_debtor, 500.0, self.d(-10))
        self.level1.channel = "email"
        self.run_dunning(TODAY, partners=self.other_debtor, deliver=False)
        self.assertEqual(self.comms(self.other_debtor).state, "queued")
        claim = self.Legal._invoice_claims(other, TODAY)[other.id]
        self.assertEqual(claim["prescription_date"], date(2031, 5, 22))

    def test_reminder_after_prescription_does_not_revive(self):
        self.consumer_policy.interest_mode = "none"
        invoice = self.create_invoice(self.consumer, 500.0, date(2021, 1, 15))
        self.run_dunning(TODAY)
        self.assertEqual(self.comms(self.consumer).state, "sent")
        claim = self.Legal._invoice_claims(invoice, TODAY)[invoice.id]
        self.assertEqual(claim["prescription_date"], date(2023, 1, 15))

    def test_prescription_chain(self):
        prescription = self.Legal._prescription
        sale = self.consumer_policy
        self.assertTrue(sale.consumer_sale)
        due = date(2020, 1, 10)
        self.assertEqual(prescription(due, [], self.policy), date(2025, 1, 10))
        # Each reminder received within the term starts a new one.
        reminders = [date(2021, 1, 5), date(2025, 12, 1)]
        self.assertEqual(prescription(due, reminders, self.policy), date(2030, 12, 1))
        # Consumer sale: two years; the second reminder came too late.
        self.assertEqual(prescription(due, reminders, sale), date(2023, 1, 5))
        self.assertEqual(
            prescription(due, [date(2023, 1, 6)], sale), prescription_date(due, True)
        )
        # Belgium: the policy's kind of claim, and a reminder does not
        # interrupt it.
        self.policy.write({"jurisdiction": "be", "prescription_kind": "periodic"})
        self.assertEqual(prescription(due, reminders, self.policy), date(2025, 1, 10))
        self.policy.prescription_kind = "default"
        self.assertEqual(prescription(due, reminders, self.policy), date(2030, 1, 10))

    # ------------------------------------------------------------------
    # Collection costs
    # ------------------------------------------------------------------
    def costs(self, partner, policy, principal, **kwargs):
        kwargs.setdefault("level", self.level4)
        kwargs.setdefault("as_of", TODAY)
        return self.Legal._debtor_costs(
            partner,
            policy,
            D(principal),
            kwargs.pop("level"),
            kwargs.pop("as_of"),
            **kwargs,
        )

    def test_costs_nl_business(self):
        amount, why = self.costs(self.debtor, self.policy, "200.00")
        self.assertEqual(amount, D("40.00"))
        self.assertIn("WIK", why)
        self.assertEqual(
            self.costs(self.debtor, self.policy, "1234.56")[0], D("185.18")
        )
        self.assertEqual(self.costs(self.debtor, self.policy, "7500")[0], D("750.00"))
        self.assertEqual(
            self.costs(self.debtor, self.policy, "2000000")[0], D("6775.00")
        )
        self.assertEqual(self.costs(self.debtor, self.policy, "0")[0], 0)
        # Floats from the ORM are taken by their value.
        amount, _why = self.Legal._debtor_costs(
            self.debtor, self.policy, 1234.56, self.level4, TODAY
        )
        self.assertEqual(amount, D("185.18"))

    def test_costs_nl_consumer_after_deadline_only(self):
        policy = self.consumer_policy
        deadline = date(2026, 5, 20)
        amount, why = self.costs(self.consumer, policy, "1234.56")
        self.assertEqual(amount, 0)
        self.assertIn("14-day term", why)
        self.assertEqual(
            self.costs(
                self.consumer,
                policy,
                "1234.56",
                as_of=deadline,
                legal_deadline=deadline,
            )[0],
            0,
        )
        amount, why = self.costs(
            self.consumer,
            policy,
            "1234.56",
            as_of=date(2026, 5, 21),
            legal_deadline=deadline,
        )
        self.assertEqual(amount, D("185.18"))
        self.assertIn("2026-05-20", why)

    def test_costs_fixed_fee(self):
        self.level2.fee_amount = 15.0
        self.policy.costs_mode = "fixed"
        self.consumer_policy.costs_mode = "fixed"
        amount, why = self.costs(self.debtor, self.policy, "500", level=self.level2)
        self.assertEqual(amount, D("15.00"))
        self.assertIn("15.00", why)
        self.assertEqual(
            self.costs(self.debtor, self.policy, "500", level=self.level1)[0], 0
        )
        # Never to Dutch consumers, whatever the level says.
        amount, why = self.costs(
            self.consumer,
            self.consumer_policy,
            "500",
            level=self.level2,
            legal_deadline=date(2026, 1, 1),
        )
        self.assertEqual(amount, 0)
        self.assertIn("no other fees", why)

    def test_costs_none(self):
        self.policy.costs_mode = "none"
        amount, why = self.costs(self.debtor, self.policy, "1234.56")
        self.assertEqual(amount, 0)
        self.assertTrue(why)
        amount, _why = self.costs(self.debtor, self.other, "1234.56")
        self.assertEqual(amount, 0)

    def test_costs_be_consumer(self):
        policy = self.be_consumer
        deadline = date(2026, 5, 20)
        args = {"legal_deadline": deadline, "level_index": 1}
        # The first reminder is free, even after a term.
        amount, why = self.costs(
            self.consumer, policy, "1234.56", legal_deadline=deadline, level_index=0
        )
        self.assertEqual(amount, 0)
        self.assertIn("free", why)
        # No damages without an express clause in the contract.
        self.assertFalse(policy.be_express_clause)
        amount, why = self.costs(self.consumer, policy, "1234.56", **args)
        self.assertEqual(amount, 0)
        self.assertIn("express", why)
        policy.be_express_clause = True
        # Not before the waiting period has passed.
        self.assertEqual(
            self.costs(self.consumer, policy, "1234.56", level_index=1)[0], 0
        )
        self.assertEqual(
            self.costs(self.consumer, policy, "1234.56", as_of=deadline, **args)[0], 0
        )
        self.assertEqual(
            self.costs(self.consumer, policy, "1234.56", **args)[0], D("101.73")
        )
        self.assertEqual(
            self.costs(self.consumer, policy, "100", **args)[0], D("20.00")
        )
        self.assertEqual(
            self.costs(self.consumer, policy, "7500", **args)[0], D("415.00")
        )
        self.assertEqual(
            self.costs(self.consumer, policy, "100000", **args)[0], D("2000.00")
        )
        # A fixed reminder fee: none to a consumer, except 7.50 at most
        # beyond three reminders a year under a recurring contract.
        policy.costs_mode = "fixed"
        self.level2.fee_amount = 12.0
        fee = {"level": self.level2, "level_index": 1}
        self.assertEqual(self.costs(self.consumer, policy, "500", **fee)[0], 0)
        policy.be_recurring_contract_fee = True
        self.assertEqual(
            self.costs(self.consumer, policy, "500", reminders_this_year=2, **fee)[0],
            0,
        )
        self.assertEqual(
            self.costs(self.consumer, policy, "500", reminders_this_year=3, **fee)[0],
            D("7.50"),
        )
        self.assertEqual(
            self.costs(self.consumer, policy, "500", level=self.level2, level_index=0)[
                0
            ],
            0,
        )

    def test_costs_be_business(self):
        amount, why = self.costs(
            self.debtor, self.be_business, "1234.56", invoice_count=3
        )
        self.assertEqual(amount, D("120.00"))
        self.assertIn("2 August 2002", why)
        self.assertEqual(self.costs(self.debtor, self.be_business, "10")[0], D("40.00"))

    # ------------------------------------------------------------------
    # Payments
    # ------------------------------------------------------------------
    def test_allocate_payments(self):
        parts = self.Legal._allocate_payments(100.0, D("40"), 25.0, D("500"))
        self.assertEqual(
            parts,
            {"costs": D("40"), "interest": D("25"), "principal": D("35"), "excess": 0},
        )
        parts = self.Legal._allocate_payments(D("600"), 40.0, 25.0, 500.0)
        self.assertEqual(parts["principal"], D("500"))
        self.assertEqual(parts["excess"], D("35"))

    # ------------------------------------------------------------------
    # Debtor data
    # ------------------------------------------------------------------
    def test_check_debtor_data(self):
        Partner = self.env["res.partner"]
        good = Partner.create(
            {
                "name": "Good BV",
                "is_company": True,
                "vat": "NL123456782B01",
                "street": "Kerkstraat 1",
                "zip": "1234 AB",
                "city": "Utrecht",
                "bank_ids": [Command.create({"acc_number": "NL91ABNA0417164300"})],
            }
        )
        # Saved unchecked, as an import would (base_vat refuses it in the form).
        bad = Partner.with_context(no_vat_validation=True).create(
            {
                "name": "Bad BV",
                "is_company": True,
                "vat": "NL123456789B01",
                "street": "Dorpsweg 2",
                "bank_ids": [Command.create({"acc_number": "NL91ABNA0417164301"})],
            }
        )
        belgian = Partner.create(
            {
                "name": "Belge SA",
                "is_company": True,
                "country_id": self.env.ref("base.be").id,
                "vat": "0403.170.701",  # no prefix: the country tells
                "street": "Rue Neuve 1",
                "zip": "1000",
                "city": "Bruxelles",
            }
        )
        swiss = Partner.with_context(no_vat_validation=True).create(
            {
                "name": "Swiss AG",
                "vat": "CHE-123.456.788",  # not an EU number: not checked
                "street": "Bahnhofstrasse 1",
                "zip": "8001",
                "city": "Zurich",
            }
        )
        result = self.Legal._check_debtor_data(good | bad | belgian | swiss)
        self.assertEqual(result[good.id], [])
        self.assertEqual(result[belgian.id], [])
        self.assertEqual(result[swiss.id], [])
        warnings = "\n".join(result[bad.id])
        self.assertEqual(len(result[bad.id]), 3, warnings)
        self.assertIn("NL123456789B01", warnings)
        self.assertIn("NL91ABNA0417164301", warnings)
        self.assertIn("Zip", warnings)
        self.assertIn("City", warnings)
        self.assertNotIn("Street", warnings)

    # ------------------------------------------------------------------
    # Scale
    # ------------------------------------------------------------------
    def _count_claim_queries(self, invoices):
        self.env.flush_all()
        self.env.invalidate_all()
        before = self.env.cr.sql_log_count
        result = self.Legal._invoice_claims(invoices, TODAY)
        count = self.env.cr.sql_log_count - before
        self.assertEqual(len(result), len(invoices))
        return count

    # ------------------------------------------------------------------
    # Costs and interest already charged (claimed once)
    # ------------------------------------------------------------------
    def arrangement_with_charges(self, partner, amount, **values):
        invoice = self.create_invoice(partner, amount, self.d(-40))
        with freeze_time(TODAY):
            wizard = self.env["debiteur.arrangement.wizard"].create(
                {
                    "move_ids": [Command.set(invoice.ids)],
                    "instalment_count": 2,
                    "first_date": self.d(30),
                    "claims_mode": "include",
                    **values,
                }
            )
            arrangement = wizard._create_arrangement()
        return invoice, arrangement, arrangement.claims_move_id

    def test_no_interest_on_a_costs_invoice(self):
        invoice, _arrangement, charges = self.arrangement_with_charges(
            self.debtor, 1000.0, interest_amount=10.0, costs_amount=150.0
        )
        self.assertTrue(charges.debiteur_is_cost_invoice)
        self.assertEqual(charges.invoice_date_due, TODAY)
        claims = self.claims(invoice | charges, self.d(60))
        self.assertEqual(claims[charges.id]["interest"], D("0.00"))
        self.assertEqual(claims[charges.id]["costs_basis"], D("0.00"))
        self.assertTrue(claims[charges.id]["prescription_date"])
        self.assertEqual(claims[invoice.id]["costs_basis"], D("1000.00"))
        self.assertGreater(claims[invoice.id]["interest"], 0)

    def test_charges_per_debtor(self):
        invoice, arrangement, charges = self.arrangement_with_charges(
            self.debtor, 1000.0, interest_amount=10.0, costs_amount=150.0
        )
        other = self.create_invoice(self.other_debtor, 500.0, self.d(-40))
        Move = self.env["account.move"]
        result = Move._debiteur_charges(self.company, invoice | other)
        self.assertEqual(list(result), [self.debtor.id])
        entry = result[self.debtor.id]
        self.assertEqual((entry["costs"], entry["interest"]), (D("150.00"), D("10.00")))
        self.assertEqual(entry["moves"], charges)
        self.assertEqual(
            entry["by_move"],
            {
                charges.id: {
                    "interest": 10.0,
                    "costs": 150.0,
                    "origins": [arrangement.name],
                }
            },
        )
        # Found from the costs invoice alone as well.
        self.assertEqual(
            Move._debiteur_charges(self.company, charges)[self.debtor.id]["costs"],
            D("150.00"),
        )
        # Credited without a waiver (a correction): nothing charged any more.
        charges.button_draft()
        charges.button_cancel()
        self.assertEqual(Move._debiteur_charges(self.company, invoice), {})

    def test_costs_less_charged(self):
        currency = self.company.currency_id
        money = currency.format
        charges = self.env["account.move"]._debiteur_no_charges()
        self.assertEqual(
            self.Legal._costs_less_charged(D("225.00"), "WIK.", charges, currency),
            (D("225.00"), "WIK."),
        )
        charges.update(costs=D("40.00"))
        amount, note = self.Legal._costs_less_charged(
            D("225.00"), "WIK.", charges, currency
        )
        self.assertEqual(amount, D("185.00"))
        self.assertEqual(
            note,
            "WIK. Amount: %s, of which %s already invoiced: %s left to claim "
            "(collection costs are claimed once)."
            % (money(225.0), money(40.0), money(185.0)),
        )
        charges.update(costs=D("300.00"), waived_costs=D("260.00"))
        amount, note = self.Legal._costs_less_charged(225.0, "", charges, currency)
        self.assertEqual(amount, D("0.00"))
        self.assertIn("of which %s already invoiced or waived" % money(300.0), note)
        self.assertIn("a waiver does not make them due again", note)
        # Nothing due: nothing to deduct, the note stays.
        self.assertEqual(
            self.Legal._costs_less_charged(D("0.00"), "None.", charges, currency),
            (D("0.00"), "None."),
        )
        charges.update(interest=D("10.00"))
        self.assertEqual(
            self.Legal._interest_less_charged(12.5, charges, currency), D("2.50")
        )
        self.assertEqual(
            self.Legal._interest_less_charged(D("7.00"), charges, currency), D("0.00")
        )
        self.assertEqual(
            self.Legal._interest_less_charged(D("7.00"), None, currency), D("7.00")
        )

    def test_query_count_does_not_grow(self):
        partners = self.env["res.partner"].create(
            [
                {
                    "name": f"Debtor {i}",
                    "is_company": i % 2 == 0,
                    "email": "d@x.example",
                }
                for i in range(6)
            ]
        )
        invoices = self.env["account.move"]
        for i, partner in enumerate(partners):
            for days in (-40, -70):
                invoices |= self.create_invoice(partner, 100.0 + i, self.d(days - i))
        self.run_dunning(TODAY)  # reminders, for the prescription query
        self.assertTrue(self.comms())
        self.Legal._invoice_claims(invoices, TODAY)  # warm the rate cache
        few = self._count_claim_queries(invoices[:2])
        many = self._count_claim_queries(invoices)
        self.assertEqual(few, many)
        self.assertLessEqual(many, 12)
