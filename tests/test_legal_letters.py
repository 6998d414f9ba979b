"""The legal content of formal notices: term, costs, interest, creditor."""

from datetime import timedelta

from odoo.tests import tagged

from .common import TODAY, DebiteurCommon


@tagged("post_install", "-at_install", "debiteur")
class TestFormalNoticeContent(DebiteurCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.consumer = cls.env["res.partner"].create(
            {"name": "Jan Jansen", "email": "jan@example.com", "lang": "en_US"}
        )
        cls.report = "debiteur_dunning.action_report_debiteur_letter"

    def notice_for(self, partner, amount):
        """Run the four levels and return the formal notice."""
        invoice = self.create_invoice(partner, amount, self.d(-49))
        for step in range(4):
            self.run_dunning(self.d(7 * step))
        notice = self.comms(partner)[-1]
        self.assertEqual(notice.level_id.sequence, 40)
        return invoice, notice

    def letter_text(self, comm):
        html, _kind = self.env["ir.actions.report"]._render_qweb_html(
            self.report, comm.ids
        )
        return html.decode()

    def test_consumer_notice_states_term_deadline_and_exact_costs(self):
        self.assertEqual(self.consumer.debiteur_debtor_type, "consumer")
        _invoice, notice = self.notice_for(self.consumer, 200.0)
        self.assertEqual(notice.policy_id, self.consumer_policy)
        # E-mail and letter on day 21: the postal term counts (receipt two days
        # later), ending 14 days after receipt.
        self.assertEqual(notice.channel, "email_letter")
        self.assertEqual(notice.legal_deadline, self.d(21 + 2 + 14))
        # No costs yet for a consumer; the letter announces the exact amount.
        self.assertFalse(notice.costs_due)
        self.assertEqual(notice.costs_amount, 40.0)
        self.assertIn("14-day term", notice.costs_note)
        text = self.letter_text(notice)
        self.assertIn("counted from the day after you receive", text)
        self.assertRegex(
            text, r"collection\s+costs of <strong>[^<]*<span[^>]*>40\.00</span>"
        )
        self.assertIn(notice.legal_deadline.strftime("%m/%d/%Y"), text)
        self.assertIn("art. 6:96", text)
        self.assertIn("Chamber of Commerce", text)
        self.assertIn("12345678", text)

    def test_business_notice_wik_costs_and_interest(self):
        invoice, notice = self.notice_for(self.debtor, 1234.56)
        self.assertEqual(notice.costs_amount, 185.18)
        claims = self.env["debiteur.legal"]._invoice_claims(invoice, notice.date)
        self.assertGreater(claims[invoice.id]["interest"], 0)
        self.assertAlmostEqual(
            notice.interest_amount, float(claims[invoice.id]["interest"]), places=2
        )
        self.assertEqual(
            notice.invoice_line_ids.interest_amount,
            float(claims[invoice.id]["interest"]),
        )
        self.assertAlmostEqual(
            notice.total_claim, 1234.56 + notice.interest_amount, places=2
        )
        self.assertIn("6:44", self.letter_text(notice))

    def test_ordinary_reminders_state_no_costs(self):
        self.create_invoice(self.debtor, 1234.56, self.d(-10))
        comm = self.run_dunning(TODAY).communication_ids
        self.assertFalse(comm.costs_amount)
        self.assertFalse(comm.interest_amount)
        self.assertNotIn("Total claim", self.letter_text(comm))

    def test_notice_refused_without_creditor_identity(self):
        self.company.write({"company_registry": False, "vat": False})
        self.create_invoice(self.debtor, 500.0, self.d(-49))
        for step in range(3):
            self.run_dunning(self.d(7 * step))
        wizard = self.preview(self.d(21))
        line = wizard.line_ids
        self.assertEqual(line.level_id, self.level4)
        self.assertFalse(line.selectable)
        self.assertIn("Chamber of Commerce", line.warning)
        self.assertFalse(self.run_dunning(self.d(21)))

    def test_notice_warns_about_invalid_debtor_vat(self):
        # Saved unchecked, as an import would (base_vat refuses it in the form).
        self.debtor.with_context(no_vat_validation=True).vat = "NL123456789B99"
        self.create_invoice(self.debtor, 500.0, self.d(-49))
        for step in range(3):
            self.run_dunning(self.d(7 * step))
        line = self.preview(self.d(21)).line_ids
        self.assertTrue(line.selectable)
        self.assertIn("VAT", line.warning)


@tagged("post_install", "-at_install", "debiteur")
class TestBelgianConsumer(DebiteurCommon):
    def test_first_reminder_free_states_waiting_period_and_damages(self):
        policy = self.consumer_policy
        # Damages only under an express clause of the contract (Book XIX).
        policy.write({"jurisdiction": "be", "be_express_clause": True})
        first = policy._sorted_levels()[0]
        first.write({"charge_costs": True})
        policy.costs_mode = "statutory"
        consumer = self.env["res.partner"].create(
            {"name": "Marie Peeters", "email": "marie@example.be", "lang": "en_US"}
        )
        self.create_invoice(consumer, 1234.56, self.d(-10))
        # Friday 2026-06-05: the waiting period starts on Monday the 8th.
        friday = TODAY + timedelta(days=4)
        self.assertEqual(friday.weekday(), 4)
        comm = self.run_dunning(friday).communication_ids
        self.assertEqual(comm.level_id, first)
        # 8 + 13 = Sunday 21 June: the last day moves to Monday 22 (art. 1.7 BW)
        self.assertEqual(comm.legal_deadline, friday + timedelta(days=3 + 13 + 1))
        self.assertFalse(comm.costs_due)
        self.assertEqual(comm.costs_amount, 101.73)
        html, _kind = self.env["ir.actions.report"]._render_qweb_html(
            "debiteur_dunning.action_report_debiteur_letter", comm.ids
        )
        self.assertIn("waiting period of 14 days", html.decode())


@tagged("post_install", "-at_install", "debiteur")
class TestPaymentReference(DebiteurCommon):
    def test_rf_creditor_reference_validates(self):
        from stdnum import iso11649

        self.create_invoice(self.debtor, 100.0, self.d(-10))
        comm = self.run_dunning(TODAY).communication_ids
        self.assertTrue(comm.payment_reference.startswith("RF"))
        self.assertTrue(iso11649.is_valid(comm.payment_reference))
        self.assertIn(comm.payment_reference, comm.mail_id.body_html)

    def test_belgian_creditor_uses_structured_communication(self):
        self.company.country_id = self.env.ref("base.be")
        self.create_invoice(self.debtor, 100.0, self.d(-10))
        ref = self.run_dunning(TODAY).communication_ids.payment_reference
        self.assertRegex(ref, r"^\+\+\+\d{3}/\d{4}/\d{5}\+\+\+$")
        digits = ref.strip("+").replace("/", "")
        self.assertEqual(int(digits[:10]) % 97 or 97, int(digits[10:]))


@tagged("post_install", "-at_install", "debiteur")
class TestFormalNoticeInDutch(DebiteurCommon):
    """The legal elements of a formal notice, in the debtor's language."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("nl_NL")
        cls.env["ir.module.module"]._load_module_terms(
            ["debiteur_dunning"], ["nl_NL"], overwrite=True
        )

    def test_dutch_consumer_notice(self):
        consumer = self.env["res.partner"].create(
            {"name": "Kees de Boer", "email": "kees@example.nl", "lang": "nl_NL"}
        )
        self.create_invoice(consumer, 200.0, self.d(-49))
        for step in range(4):
            self.run_dunning(self.d(7 * step))
        notice = self.comms(consumer)[-1]
        self.assertTrue(notice.legal_deadline)
        html, _kind = self.env["ir.actions.report"]._render_qweb_html(
            "debiteur_dunning.action_report_debiteur_letter", notice.ids
        )
        text = html.decode()
        self.assertIn("Ingebrekestelling / 14-dagenbrief", text)
        self.assertIn("gerekend vanaf de dag na ontvangst van deze brief", text)
        self.assertIn(notice.legal_deadline.strftime("%d-%m-%Y"), text)
        self.assertIn("art. 6:96 BW", text)
        self.assertIn("KvK-nummer", text)
        self.assertNotIn("counted from the day after", text)
        # The e-mail states the same, in Dutch.
        body = notice.mail_id.body_html
        self.assertIn("gerekend vanaf de dag na ontvangst", body)
