from datetime import date
from unittest.mock import patch

import psycopg2
from freezegun import freeze_time

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, new_test_user, tagged
from odoo.tools import mute_logger

from .common import TODAY, DebiteurCommon


class ArrangementCommon(DebiteurCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Arrangement = cls.env["debiteur.arrangement"]
        cls.Wizard = cls.env["debiteur.arrangement.wizard"]
        cls.company.write(
            {
                "debiteur_arrangement_reminder_days": 3,
                "debiteur_arrangement_grace_days": 3,
                "debiteur_arrangement_break_days": 14,
                "debiteur_arrangement_broken_notice": True,
            }
        )
        cls.eur = cls.company.currency_id

    def arrange(self, moves, on=TODAY, **vals):
        """Make an arrangement on ``on`` through the wizard; return it."""
        values = {
            "move_ids": [Command.set(moves.ids)],
            "instalment_count": 3,
            "frequency": "monthly",
            "first_date": self.d(30),
        }
        values.update(vals)
        with freeze_time(on):
            companies = moves.sudo().company_id
            wizard = self.Wizard.with_context(
                allowed_company_ids=(companies[:1] | companies | self.company).ids
            ).create(values)
            return wizard._create_arrangement()

    def cron(self, day):
        with freeze_time(day):
            self.Arrangement._cron_process_arrangements(day)
        self.env.invalidate_all()

    def schedule(self, total, first, frequency="monthly", **kw):
        with freeze_time(TODAY):
            return self.env["debiteur.arrangement.schedule"]._instalments(
                self.eur, total, first, frequency, **kw
            )


@tagged("post_install", "-at_install", "debiteur")
class TestSchedule(ArrangementCommon):
    def test_rounding_difference_goes_to_the_last_instalment(self):
        lines = self.schedule(100.0, self.d(7), count=3)
        self.assertEqual([v["amount"] for v in lines], [33.33, 33.33, 33.34])
        lines = self.schedule(0.30, self.d(7), count=3)
        self.assertEqual([v["amount"] for v in lines], [0.1, 0.1, 0.1])
        lines = self.schedule(1000.01, self.d(7), count=7)
        self.assertEqual(round(sum(v["amount"] for v in lines), 2), 1000.01)
        self.assertEqual(lines[0]["amount"], 142.85)
        self.assertEqual(lines[-1]["amount"], 142.91)

    def test_instalment_amount(self):
        lines = self.schedule(100.0, self.d(7), amount=30.0)
        self.assertEqual([v["amount"] for v in lines], [30.0, 30.0, 30.0, 10.0])
        lines = self.schedule(90.0, self.d(7), amount=30.0)
        self.assertEqual([v["amount"] for v in lines], [30.0, 30.0, 30.0])

    def test_down_payment(self):
        lines = self.schedule(1000.0, self.d(7), count=2, down_payment=200.0)
        self.assertEqual(
            [(v["date"], v["amount"], v["is_down_payment"]) for v in lines],
            [
                (TODAY, 200.0, True),
                (self.d(7), 400.0, False),
                (date(2026, 7, 8), 400.0, False),
            ],
        )

    def test_frequencies_and_month_ends(self):
        weekly = self.schedule(30.0, self.d(1), "weekly", count=3)
        self.assertEqual(
            [v["date"] for v in weekly], [self.d(1), self.d(8), self.d(15)]
        )
        biweekly = self.schedule(30.0, self.d(1), "biweekly", count=3)
        self.assertEqual(
            [v["date"] for v in biweekly], [self.d(1), self.d(15), self.d(29)]
        )
        monthly = self.schedule(40.0, date(2027, 1, 31), count=4)
        self.assertEqual(
            [v["date"] for v in monthly],
            [
                date(2027, 1, 31),
                date(2027, 2, 28),
                date(2027, 3, 31),
                date(2027, 4, 30),
            ],
        )
        leap = self.schedule(20.0, date(2028, 1, 31), count=2)
        self.assertEqual([v["date"] for v in leap][1], date(2028, 2, 29))

    def test_bad_input(self):
        with self.assertRaisesRegex(ValidationError, "past"):
            self.schedule(100.0, self.d(-1), count=2)
        with self.assertRaisesRegex(ValidationError, "at least one instalment"):
            self.schedule(100.0, self.d(1), count=0)
        with self.assertRaisesRegex(ValidationError, "must be positive"):
            self.schedule(100.0, self.d(1), amount=-5.0)
        with self.assertRaisesRegex(ValidationError, "covers the whole amount"):
            self.schedule(100.0, self.d(1), count=2, down_payment=100.0)
        with self.assertRaisesRegex(ValidationError, "too many"):
            self.schedule(0.02, self.d(1), count=3)


@tagged("post_install", "-at_install", "debiteur")
class TestArrangement(ArrangementCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.inv1 = cls.create_invoice(cls.debtor, 200.0, cls.d(-40))
        cls.inv2 = cls.create_invoice(cls.debtor, 100.0, cls.d(-20))

    def test_wizard_from_the_debtor_and_dunning_paused(self):
        with freeze_time(TODAY):
            action = self.Arrangement._action_open_for_partners(self.debtor)
            form = Form(self.Wizard.with_context(**action["context"]))
            self.assertEqual(form.partner_id, self.debtor)
            self.assertEqual(len(form.move_ids), 2)
            self.assertEqual(form.amount_owed, 300.0)
            form.instalment_count = 3
            form.first_date = self.d(14)
            self.assertIn("100.00", form.schedule_html)
            wizard = form.save()
            result = wizard.action_confirm()
        arrangement = self.Arrangement.browse(result["res_id"])
        self.assertEqual(arrangement.state, "active")
        self.assertEqual(arrangement.amount_total, 300.0)
        self.assertEqual(arrangement.line_ids.mapped("amount"), [100.0] * 3)
        self.assertTrue(arrangement.payment_reference.startswith("RF"))
        self.assertEqual(self.inv1.debiteur_arrangement_id, arrangement)
        self.assertEqual(self.inv2.debiteur_arrangement_id, arrangement)
        # No reminders while the arrangement runs.
        self.assertFalse(self.run_dunning(TODAY))
        self.assertFalse(self.run_dunning(self.d(20)))
        self.assertFalse(self.inv1.debiteur_level_id)

    def test_partial_and_multi_instalment_payments(self):
        arrangement = self.arrange(self.inv1 | self.inv2)
        first, second, third = arrangement.line_ids
        self.assertEqual(arrangement.line_ids.mapped("state"), ["open"] * 3)
        self.pay(self.inv1, 150.0, TODAY)
        self.assertEqual(arrangement.amount_paid, 150.0)
        self.assertEqual((first.state, first.amount_paid), ("paid", 100.0))
        self.assertEqual((second.state, second.amount_paid), ("partial", 50.0))
        self.assertEqual((third.state, third.amount_open), ("open", 100.0))
        self.assertEqual(arrangement.state, "active")
        # One payment covering the two remaining instalments.
        self.pay(self.inv1, 50.0, TODAY)
        self.pay(self.inv2, 100.0, TODAY)
        self.assertEqual(arrangement.line_ids.mapped("state"), ["paid"] * 3)
        self.assertEqual(arrangement.state, "completed")

    def test_credit_note_reduces_what_is_owed(self):
        arrangement = self.arrange(self.inv1 | self.inv2)
        refund = self.create_invoice(self.debtor, 100.0, TODAY, move_type="out_refund")
        (refund.line_ids | self.inv1.line_ids).filtered(
            lambda line: line.account_id.account_type == "asset_receivable"
        ).reconcile()
        self.assertEqual(arrangement.amount_paid, 100.0)
        self.assertEqual(arrangement.amount_due, 200.0)
        self.assertEqual(arrangement.line_ids[0].state, "paid")

    def test_overpayment_completes_and_leaves_a_credit(self):
        arrangement = self.arrange(self.inv2, waive_reason="Good faith")
        arrangement.write({"interest_amount": 3.21})
        payment = self.pay(self.inv2, 130.0, TODAY)
        self.assertEqual(arrangement.state, "completed")
        self.assertEqual(arrangement.date_closed, fields.Date.today())
        # The excess stays an open credit of the debtor.
        open_credit = payment.move_id.line_ids.filtered(
            lambda line: line.account_id.account_type == "asset_receivable"
        )
        self.assertAlmostEqual(open_credit.amount_residual, -30.0)
        bodies = " ".join(arrangement.message_ids.mapped("body"))
        self.assertIn("Waived on completion", bodies)
        self.assertIn("Good faith", bodies)

    def test_late_then_broken_then_dunning_resumes_one_level_up(self):
        self.run_dunning(TODAY)
        self.run_dunning(self.d(7))
        self.assertEqual(self.inv1.debiteur_level_id, self.level2)
        arrangement = self.arrange(self.inv1, on=self.d(8), first_date=self.d(10))
        first = arrangement.line_ids[0]
        self.assertEqual(first.date, self.d(10))
        # Reminder 3 days before, once.
        self.cron(self.d(6))
        self.assertFalse(first.reminder_sent)
        self.cron(self.d(7))
        self.assertTrue(first.reminder_sent)
        reminders = arrangement.message_ids.filtered(
            lambda m: "next instalment" in (m.subject or "")
        )
        self.assertEqual(len(reminders), 1)
        self.cron(self.d(9))
        self.assertEqual(
            len(
                arrangement.message_ids.filtered(
                    lambda m: "next instalment" in (m.subject or "")
                )
            ),
            1,
        )
        # Grace period of 3 days: late on the 4th day.
        self.cron(self.d(13))
        self.assertEqual(first.state, "open")
        self.cron(self.d(14))
        self.assertEqual(first.state, "late")
        self.assertEqual(arrangement.late_count, 1)
        self.assertEqual(arrangement.state, "active")
        Engine = self.env["debiteur.engine"]
        candidates = self.env["account.move"].search(
            Engine._candidate_domain(self.d(20), self.company)
        )
        self.assertNotIn(self.inv1, candidates)
        # Broken 14 days after the date.
        self.cron(self.d(23))
        self.assertEqual(arrangement.state, "active")
        self.cron(self.d(24))
        self.assertEqual(arrangement.state, "broken")
        self.assertFalse(self.inv1.debiteur_arrangement_id)
        self.assertTrue(arrangement.activity_ids)
        self.assertEqual(
            arrangement.activity_ids.user_id,
            self.company.debiteur_user_id or arrangement.user_id,
        )
        self.assertTrue(
            arrangement.message_ids.filtered(lambda m: "lapsed" in (m.subject or ""))
        )
        # Back into dunning: exactly one level above level 2.
        run = self.run_dunning(self.d(24))
        self.assertEqual(len(run.communication_ids), 1)
        self.assertEqual(self.inv1.debiteur_level_id, self.level3)

    def test_paid_instalment_is_never_late(self):
        arrangement = self.arrange(self.inv1, first_date=self.d(5))
        self.pay(self.inv1, 70.0, self.d(5))
        self.cron(self.d(30))
        self.assertEqual(arrangement.line_ids[0].state, "paid")
        self.assertEqual(arrangement.state, "active")

    def test_cancel(self):
        arrangement = self.arrange(self.inv1)
        user = new_test_user(
            self.env,
            login="dd_arr_user",
            groups="base.group_user,debiteur_dunning.group_debiteur_user",
        )
        with self.assertRaises(AccessError):
            arrangement.with_user(user).action_cancel("No")
        with self.assertRaises(UserError):
            arrangement.action_cancel(" ")
        wizard = self.env["debiteur.arrangement.cancel.wizard"].create(
            {"arrangement_id": arrangement.id, "reason": "Debtor disputes"}
        )
        wizard.action_confirm()
        self.assertEqual(arrangement.state, "cancelled")
        self.assertEqual(arrangement.close_reason, "Debtor disputes")
        self.assertFalse(self.inv1.debiteur_arrangement_id)
        self.assertTrue(self.run_dunning(TODAY))

    def test_renegotiation(self):
        old = self.arrange(self.inv1 | self.inv2)
        self.pay(self.inv1, 50.0, TODAY)
        action = old.action_renegotiate()
        with freeze_time(TODAY):
            wizard = self.Wizard.with_context(**action["context"]).create(
                {"instalment_count": 5, "first_date": self.d(10)}
            )
            self.assertEqual(wizard.amount_owed, 250.0)
            new = wizard._create_arrangement()
        self.assertEqual(old.state, "replaced")
        self.assertEqual(old.replaced_by_id, new)
        self.assertEqual(new.replaces_id, old)
        self.assertEqual(new.state, "active")
        self.assertEqual(new.amount_total, 250.0)
        self.assertEqual(self.inv1.debiteur_arrangement_id, new)

    def test_one_active_arrangement_per_invoice(self):
        arrangement = self.arrange(self.inv1)
        with self.assertRaisesRegex(ValidationError, "already in active"):
            self.arrange(self.inv1 | self.inv2)
        # A draft made beside the wizard cannot be confirmed either.
        draft = self.Arrangement.create(
            {
                "partner_id": self.debtor.id,
                "currency_id": self.eur.id,
                "invoice_ids": [
                    Command.create(
                        {"move_id": self.inv1.id, "amount_residual_start": 1}
                    )
                ],
                "line_ids": [Command.create({"date": self.d(5), "amount": 1.0})],
            }
        )
        with self.assertRaisesRegex(ValidationError, "already in active"):
            draft.action_confirm()
        # PostgreSQL itself refuses a second active row, as a concurrent
        # transaction would hit it once the first one commits.
        self.env.flush_all()
        with (
            self.assertRaises(psycopg2.IntegrityError),
            mute_logger("odoo.sql_db"),
            self.env.cr.savepoint(),
        ):
            self.env.cr.execute(
                """
                INSERT INTO debiteur_arrangement_invoice
                       (arrangement_id, move_id, company_id, state)
                VALUES (%s, %s, %s, 'active')
                """,
                (draft.id, self.inv1.id, self.company.id),
            )
        # The same through the ORM, with the friendly check out of the way:
        # the index violation becomes a readable error.
        with (
            patch.object(type(self.Arrangement), "_check_moves", lambda *a, **k: None),
            self.assertRaisesRegex(ValidationError, "same moment"),
            mute_logger("odoo.sql_db"),
        ):
            draft.action_confirm()
        draft.invalidate_recordset()
        self.assertEqual(draft.state, "draft")
        self.assertEqual(self.inv1.debiteur_arrangement_id, arrangement)

    def test_rules_on_the_invoices(self):
        with self.assertRaisesRegex(ValidationError, "one debtor"):
            self.arrange(self.inv1 | self.create_invoice(self.other_debtor, 5, TODAY))
        draft = self.create_invoice(self.debtor, 50.0, TODAY, post=False)
        with self.assertRaisesRegex(ValidationError, "posted customer invoices"):
            self.arrange(draft)
        chf = self.setup_other_currency("CHF", rates=[("2020-01-01", 2.0)])
        foreign = self.create_invoice(self.debtor, 50.0, TODAY, currency=chf)
        with self.assertRaisesRegex(ValidationError, "one currency"):
            self.arrange(self.inv1 | foreign)
        self.pay(self.inv2, 100.0, TODAY)
        with self.assertRaisesRegex(ValidationError, "nothing left"):
            self.arrange(self.inv2)
        with self.assertRaisesRegex(ValidationError, "past"):
            self.arrange(self.inv1, first_date=self.d(-1))

    def test_fee_business_only(self):
        product = self.env["product.product"].create(
            {"name": "Arrangement fee", "list_price": 25.0, "taxes_id": []}
        )
        self.company.debiteur_arrangement_fee_product_id = product
        arrangement = self.arrange(self.inv2, fee_amount=25.0)
        self.assertEqual(arrangement.amount_total, 125.0)
        self.assertEqual(arrangement.claims_move_id.amount_total, 25.0)
        self.assertEqual(
            arrangement.claims_move_id.debiteur_arrangement_id, arrangement
        )
        consumer = self.env["res.partner"].create(
            {"name": "J. de Boer", "email": "jdb@example.com", "lang": "en_US"}
        )
        consumer.debiteur_debtor_type = "consumer"
        invoice = self.create_invoice(consumer, 80.0, self.d(-10))
        with freeze_time(TODAY):
            wizard = self.Wizard.create({"move_ids": [Command.set(invoice.ids)]})
        self.assertTrue(wizard.is_nl_consumer)
        self.assertFalse(wizard.fee_amount)
        with self.assertRaisesRegex(ValidationError, "Dutch consumer"):
            self.arrange(invoice, fee_amount=10.0)

    def test_include_interest_and_costs(self):
        arrangement = self.arrange(
            self.inv1, claims_mode="include", interest_amount=4.5, costs_amount=40.0
        )
        self.assertEqual(arrangement.amount_total, 244.5)
        self.assertEqual(arrangement.claims_move_id.amount_total, 44.5)
        self.assertEqual(len(arrangement.invoice_ids), 2)


@tagged("post_install", "-at_install", "debiteur")
class TestArrangementAccess(ArrangementCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_b = cls.setup_other_company(name="Brouwerij Zuid BV")["company"]
        cls.invoice = cls.create_invoice(cls.debtor, 300.0, cls.d(-10))
        cls.invoice_b = cls.create_invoice(
            cls.debtor, 400.0, cls.d(-10), company=cls.company_b
        )
        cls.setup_role_users("dd_arr")

    def test_dunning_user_makes_arrangements_billing_user_cannot(self):
        with freeze_time(TODAY):
            with self.assertRaises(AccessError):
                self.Wizard.with_user(self.billing_user).create(
                    {"move_ids": [Command.set(self.invoice.ids)]}
                )
            wizard = self.Wizard.with_user(self.dunning_user).create(
                {
                    "move_ids": [Command.set(self.invoice.ids)],
                    "first_date": self.d(3),
                }
            )
            arrangement = wizard._create_arrangement()
        self.assertEqual(arrangement.user_id, self.dunning_user)
        with self.assertRaises(AccessError):
            arrangement.with_user(self.billing_user).read(["state"])
        with self.assertRaises(AccessError):
            arrangement.with_user(self.dunning_user).unlink()
        # A billing user registering the payment completes the arrangement.
        self.env.invalidate_all()
        self.env["account.payment.register"].with_user(self.billing_user).with_context(
            active_model="account.move", active_ids=self.invoice.ids
        ).create({"payment_date": TODAY})._create_payments()
        self.assertEqual(arrangement.state, "completed")

    def test_multi_company(self):
        with self.assertRaisesRegex(ValidationError, "one company"):
            self.arrange(self.invoice | self.invoice_b)
        arrangement_b = self.arrange(self.invoice_b)
        self.assertEqual(arrangement_b.company_id, self.company_b)
        self.assertEqual(arrangement_b.line_ids.company_id, self.company_b)
        self.env.invalidate_all()
        visible = self.Arrangement.with_user(self.dunning_user).search([])
        self.assertNotIn(arrangement_b, visible)
        # The arrangement of company B leaves company A's dunning alone.
        self.assertTrue(self.run_dunning(TODAY).communication_ids)


@tagged("post_install", "-at_install", "debiteur")
class TestAgreementLetter(ArrangementCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("nl_NL")
        cls.env["ir.module.module"]._load_module_terms(
            ["debiteur_dunning"], ["nl_NL"], overwrite=True
        )
        cls.dutch_debtor = cls.env["res.partner"].create(
            {"name": "Slagerij Bakker", "is_company": True, "lang": "nl_NL"}
        )

    def render(self, arrangement):
        html, _kind = self.env["ir.actions.report"]._render_qweb_html(
            "debiteur_dunning.action_report_debiteur_arrangement", arrangement.ids
        )
        return html.decode()

    def test_letter_in_english_and_dutch(self):
        english = self.arrange(self.create_invoice(self.debtor, 300.0, self.d(-10)))
        dutch = self.arrange(self.create_invoice(self.dutch_debtor, 300.0, self.d(-10)))
        html = self.render(english)
        self.assertIn("Payment arrangement", html)
        self.assertIn("Schedule", html)
        self.assertIn(english.payment_reference, html)
        self.assertIn("07/01/2026", html)
        self.assertIn("100.00", html)
        self.assertIn("lapses", html)
        html = self.render(dutch)
        self.assertIn("Betalingsregeling", html)
        self.assertIn("Termijnschema", html)
        self.assertIn("vervalt", html)
        self.assertIn("01-07-2026", html)
        self.assertIn(dutch.payment_reference, html)

    def test_send_for_signature(self):
        arrangement = self.arrange(self.create_invoice(self.debtor, 300.0, self.d(-10)))
        action = arrangement.action_send_agreement()
        composer = Form(
            self.env["mail.compose.message"].with_context(**action["context"])
        )
        self.assertIn(arrangement.name, composer.subject)
        composer.save()._action_send_mail()
        message = arrangement.message_ids[0]
        self.assertTrue(message.attachment_ids)
        self.assertIn(self.debtor, message.partner_ids)


@tagged("post_install", "-at_install", "debiteur")
class TestArrangementEvidence(ArrangementCommon):
    """The life cycle of an arrangement moves through its actions only."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_role_users("dd_arr")
        cls.invoice = cls.create_invoice(cls.debtor, 900.0, cls.d(-20))

    def test_client_writes_of_the_state_are_refused(self):
        arrangement = self.arrange(self.invoice)
        self.assertEqual(arrangement.state, "active")
        as_user = arrangement.with_user(self.dunning_user)
        self.env.invalidate_all()
        for vals in ({"state": "cancelled"}, {"close_reason": "x"}):
            with self.subTest(vals=vals), self.assertRaises(AccessError):
                as_user.write(vals)
        with self.assertRaises(AccessError):
            as_user.invoice_ids.write({"amount_residual_start": 1.0})
        with self.assertRaises(AccessError):
            as_user.line_ids[:1].write({"amount": 1.0})
        with self.assertRaises(AccessError):
            as_user.create(
                {
                    "partner_id": self.debtor.id,
                    "currency_id": self.eur.id,
                    "state": "active",
                }
            )
        self.assertEqual(arrangement.state, "active")
        # Not even the server jumps back in the life cycle.
        with self.assertRaises(ValidationError):
            arrangement.sudo().write({"state": "draft"})

    def test_dunning_user_arranges_through_the_wizard(self):
        self.env.invalidate_all()
        with freeze_time(TODAY):
            wizard = (
                self.env["debiteur.arrangement.wizard"]
                .with_user(self.dunning_user)
                .create(
                    {
                        "move_ids": [Command.set(self.invoice.ids)],
                        "instalment_count": 3,
                        "frequency": "monthly",
                        "first_date": self.d(30),
                    }
                )
            )
            wizard.action_confirm()
        arrangement = self.Arrangement.search([("partner_id", "=", self.debtor.id)])
        self.assertEqual(arrangement.state, "active")
        self.assertEqual(arrangement.create_uid, self.dunning_user)
        self.env.invalidate_all()
        with self.assertRaises(AccessError):
            arrangement.with_user(self.dunning_user).action_cancel("Changed our mind")
        arrangement.with_user(self.dunning_manager).action_cancel("Paid in full")
        self.assertEqual(arrangement.state, "cancelled")
