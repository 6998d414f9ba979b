"""The accountant's and the manager's daily screens: names, labels, figures."""

from datetime import date

from freezegun import freeze_time
from lxml import etree

from odoo.exceptions import UserError
from odoo.tests import Form, new_test_user, tagged

from .common import TODAY, DebiteurCommon
from .test_arrangement import ArrangementCommon
from .test_case import CaseCommon


@tagged("post_install", "-at_install", "debiteur")
class TestInstalmentName(ArrangementCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.inv1 = cls.create_invoice(cls.debtor, 1200.0, cls.d(-40))

    def test_instalment_reads_as_date_and_amount(self):
        arrangement = self.arrange(self.inv1, first_date=date(2026, 7, 1))
        first = arrangement.line_ids[0]
        self.assertEqual(arrangement.next_line_id, first)
        amount = f"{self.eur.symbol}\xa0400"
        self.assertEqual(first.display_name, f"07/01/2026 \N{EN DASH} {amount}.00")
        dutch = first.with_context(lang="nl_NL")
        self.assertEqual(dutch.display_name, f"01-07-2026 \N{EN DASH} {amount},00")


@tagged("post_install", "-at_install", "debiteur")
class TestAgingScreen(DebiteurCommon):
    def aging(self, lazy=True):
        return self.env["debiteur.aging.report"].read_group(
            [("partner_id", "=", self.debtor.id)],
            ["amount_residual_signed:sum"],
            ["bucket"],
            lazy=lazy,
        )

    def test_buckets_in_age_order_all_five(self):
        # Nothing between 61 and 90 days: the bucket still shows, in its place.
        for days, amount in ((5, 10.0), (-10, 20.0), (-40, 40.0), (-120, 160.0)):
            self.create_invoice(self.debtor, amount, self.d(days))
        self.env.flush_all()
        order = ["not_due", "1_30", "31_60", "61_90", "90_plus"]
        with freeze_time(TODAY):
            for lazy in (True, False):
                rows = self.aging(lazy=lazy)
                self.assertEqual([row["bucket"] for row in rows], order)
                self.assertEqual(
                    [row["amount_residual_signed"] for row in rows],
                    [10.0, 20.0, 40.0, False, 160.0],
                )
                self.assertEqual(rows[3]["bucket_count" if lazy else "__count"], 0)
            # Grouped by debtor and bucket, the buckets come in age order too.
            rows = self.env["debiteur.aging.report"]._read_group(
                [("partner_id", "=", self.debtor.id)], ["partner_id", "bucket"]
            )
            self.assertEqual(
                [bucket for _partner, bucket in rows],
                ["not_due", "1_30", "31_60", "90_plus"],
            )

    def test_age_counted_from_the_users_date(self):
        # Due on TODAY - 31: overdue 31 days on the user's (frozen) today,
        # whatever the database server's clock says.
        self.create_invoice(self.debtor, 50.0, self.d(-31))
        self.env.flush_all()
        Aging = self.env["debiteur.aging.report"]
        with freeze_time(TODAY):
            line = Aging.search([("partner_id", "=", self.debtor.id)])
            self.assertEqual((line.days_overdue, line.bucket), (31, "31_60"))
        with freeze_time(self.d(60)):
            Aging.invalidate_model()
            line = Aging.search([("partner_id", "=", self.debtor.id)])
            self.assertEqual((line.days_overdue, line.bucket), (91, "90_plus"))


@tagged("post_install", "-at_install", "debiteur")
class TestPromiseMessages(CaseCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        with freeze_time(TODAY):
            cls.invoice = cls.create_invoice(cls.debtor, 1600.0, cls.d(-15))
        cls.case = cls.Case.search(
            [("partner_id", "=", cls.debtor.id), ("is_closed", "=", False)]
        )

    def test_promise_messages_in_the_readers_language(self):
        symbol = self.company.currency_id.symbol
        with freeze_time(TODAY):
            self.case._record_promise(self.d(5), 1250.0)
        self.assertIn(
            f"Promise to pay {symbol}&nbsp;1,250.00 by 06/06/2026.",
            self.case.message_ids[0].body,
        )
        with freeze_time(self.d(6)):
            self.Case._cron_check_promises(self.d(6))
        self.assertIn("promised by 06/06/2026,", self.case.message_ids[0].body)
        # Dutch: Dutch date and amount, no ISO date anywhere.
        dutch = self.case.with_context(lang="nl_NL")
        with freeze_time(TODAY), self.assertRaises(UserError) as error:
            dutch._record_promise(self.d(-1), 10.0)
        self.assertIn("01-06-2026", str(error.exception))
        self.assertEqual(dutch._format_date(self.d(5)), "06-06-2026")
        self.assertEqual(dutch._format_amount(1250.0), f"{symbol}\xa01.250,00")


@tagged("post_install", "-at_install", "debiteur")
class TestChatterInCompanyLanguage(CaseCommon):
    """What the addon writes in the chatter is in the company's language,
    whatever the language of the user who clicked."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        with freeze_time(TODAY):
            cls.invoice = cls.create_invoice(cls.debtor, 1600.0, cls.d(-15))
        cls.case = cls.Case.search(
            [("partner_id", "=", cls.debtor.id), ("is_closed", "=", False)]
        )

    def act(self, lang):
        """Promise, dispute, call and resolve on the case as a dunning manager
        reading ``lang``, through the case's wizards and buttons; the
        chatter's new messages and the call's summary, oldest first."""
        user = new_test_user(
            self.env,
            login=f"chatter_{lang}",
            groups="base.group_user,debiteur_dunning.group_debiteur_manager",
            company_id=self.company.id,
            company_ids=self.company.ids,
            lang=lang,
        )
        env = self.env(user=user, context=dict(self.env.context, lang=lang))
        case = self.case.with_env(env)
        before = self.case.message_ids
        with freeze_time(TODAY):
            promise = Form(
                env["debiteur.case.promise.wizard"].with_context(
                    default_case_id=case.id
                )
            )
            promise.date = self.d(5)
            promise.amount = 1250.0
            promise.save().action_confirm()
            dispute = Form(
                env["debiteur.case.dispute.wizard"].with_context(
                    default_case_id=case.id
                )
            )
            dispute.reason = "Goods damaged"
            dispute.move_ids.add(self.invoice)
            dispute.save().action_confirm()
            case.action_log_call()
            case.action_resolve_dispute()
        messages = (self.case.message_ids - before).sorted("id")
        return [str(message.body) for message in messages]

    def test_english_user_in_a_dutch_company_writes_dutch(self):
        self.company.partner_id.lang = "nl_NL"
        symbol = self.company.currency_id.symbol
        bodies = self.act("en_US")
        self.assertEqual(len(bodies), 4, bodies)
        promise, dispute, call, resolved = bodies
        self.assertIn(
            f"Toezegging om uiterlijk 06-06-2026 {symbol}&nbsp;1.250,00 te betalen.",
            promise,
        )
        self.assertIn(
            f"Betwist: Goods damaged (facturen: {self.invoice.name}).", dispute
        )
        self.assertIn("Telefoongesprek met Bakkerij De Vries BV", call)
        self.assertIn("Debiteur gebeld over de vervallen facturen.", call)
        self.assertIn("Betwisting opgelost", resolved)
        self.assertNotIn("Promise", promise)

    def test_dutch_user_in_an_english_company_writes_english(self):
        self.company.partner_id.lang = "en_US"
        symbol = self.company.currency_id.symbol
        bodies = self.act("nl_NL")
        self.assertEqual(len(bodies), 4, bodies)
        promise, dispute, call, resolved = bodies
        self.assertIn(f"Promise to pay {symbol}&nbsp;1,250.00 by 06/06/2026.", promise)
        self.assertIn(
            f"Disputed: Goods damaged (invoices: {self.invoice.name}).", dispute
        )
        self.assertIn("Call with Bakkerij De Vries BV", call)
        self.assertIn("Called the debtor about the overdue invoices.", call)
        self.assertIn("Dispute resolved: dunning resumes.", resolved)

    def test_without_a_company_language_the_users_stays(self):
        self.company.partner_id.lang = False
        note = self.case.with_context(lang="nl_NL")._debiteur_chatter()
        self.assertEqual(note.env.lang, "nl_NL")
        self.company.partner_id.lang = "nl_NL"
        note = self.case.with_context(lang="en_US")._debiteur_chatter()
        self.assertEqual(note.env.lang, "nl_NL")


@tagged("post_install", "-at_install", "debiteur")
class TestVatReliefLabels(DebiteurCommon):
    def arch(self, model, view_type, view=None):
        view_id = view.id if view else None
        arch = self.env[model].get_view(view_id, view_type)["arch"]
        return etree.fromstring(arch)

    def test_vat_not_yet_reclaimed_is_labelled_to_reclaim(self):
        Relief = self.env["debiteur.vat.relief"]
        self.assertEqual(Relief._fields["vat_amount"].string, "VAT Relief")
        action = self.env.ref("debiteur_dunning.action_debiteur_vat_relief_eligible")
        list_view = action.view_ids.filtered(lambda v: v.view_mode == "list").view_id
        column = self.arch(Relief._name, "list", list_view).xpath(
            "//field[@name='vat_amount']"
        )
        self.assertEqual([node.get("string") for node in column], ["VAT to Reclaim"])
        form = self.arch(Relief._name, "form")
        labels = {
            node.get("string"): node.get("invisible")
            for node in form.xpath("//group/field[@name='vat_amount']")
        }
        self.assertEqual(
            labels,
            {
                "VAT to Reclaim": "state != 'eligible'",
                "VAT Reclaimed": "state == 'eligible'",
            },
        )

    def test_vat_relief_date_has_its_label_on_the_invoice(self):
        form = self.arch("account.move", "form")
        (node,) = form.xpath("//field[@name='debiteur_vat_relief_date']")
        # A field of the group (so it gets its label), not inside the due date's row.
        self.assertEqual(node.getparent().tag, "group")
        self.assertFalse(node.xpath("ancestor::div[@name='due_date']"))
        self.assertNotEqual(node.get("nolabel"), "1")


@tagged("post_install", "-at_install", "debiteur")
class TestPaymentBehaviourFigures(CaseCommon):
    def paid(self, partner, amount, due, paid_on):
        invoice = self.create_invoice(partner, amount, due)
        self.pay(invoice, amount, paid_on)
        return invoice

    def case(self, partner):
        return self.case_of(partner, open_only=False)[-1:] or self.Case.create(
            {"partner_id": partner.id}
        )

    def test_weighted_average_rounded_half_up(self):
        # (The rounding rules themselves: tests/test_analysis.py, no database.)
        # Weighted average 10.25 days late (300 x 10 + 100 x 11) / 400.
        with freeze_time(TODAY):
            self.paid(self.debtor, 300.0, self.d(-40), self.d(-30))
            self.paid(self.debtor, 100.0, self.d(-41), self.d(-30))
            case = self.case(self.debtor)
            self.assertEqual(case.avg_days_late, 10.3)
            self.assertEqual(self.debtor.debiteur_avg_days_late, 10.3)

    def test_half_years_in_calendar_months_and_no_trend_without_both(self):
        today = date(2026, 8, 31)  # 6 months back: 28 February, not 2 March.
        self.paid(self.debtor, 1000.0, date(2026, 2, 19), date(2026, 3, 1))  # 10 late
        self.paid(self.debtor, 1000.0, date(2025, 11, 1), date(2025, 11, 5))  # 4 late
        self.paid(self.other_debtor, 1000.0, date(2026, 5, 1), date(2026, 5, 3))
        behaviour = self.env["debiteur.payment.behaviour"]._days_late(
            self.company, self.debtor | self.other_debtor, today
        )
        self.assertEqual(behaviour[self.debtor.id], (7, 10, 4))
        self.assertEqual(behaviour[self.other_debtor.id], (2, 2, None))
        with freeze_time(today):
            cases = self.case(self.debtor) | self.case(self.other_debtor)
            self.assertEqual(cases[0].days_late_trend, 6.0)
            self.assertTrue(cases[0].has_days_late_trend)
            # Nothing paid in the half-year before: no trend, not 0.0.
            self.assertFalse(cases[1].has_days_late_trend)
            self.assertFalse(self.other_debtor.debiteur_has_days_late_trend)
            self.assertEqual(cases[0].company_dso, self.company.debiteur_dso)
