"""The debtor's page (/d/<token>): what it shows, each action and each refusal,
its query count, and the debtor's whole path in Chromium from a real e-mail."""

import logging
import re
from datetime import date, timedelta
from unittest.mock import patch

from freezegun import freeze_time

import odoo.modules.module
from odoo import Command, fields
from odoo.exceptions import AccessError
from odoo.tests import HttpCase, tagged

from odoo.addons.debiteur_dunning.controllers.debtor_page import (
    THROTTLE,
    TokenThrottle,
)
from odoo.addons.debiteur_dunning.legal import epc_qr_payload, rf_reference

try:
    from . import live_server as ls
    from .common import DebiteurCommon
except ImportError:  # collected as top-level modules by pytest
    import live_server as ls
    from common import DebiteurCommon

_logger = logging.getLogger(__name__)
CSRF = re.compile(r'name="csrf_token"\s+value="([^"]+)"')


class DebtorPageCommon(DebiteurCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.today = date.today()
        cls.inv1 = cls.create_invoice(cls.debtor, 100.0, cls.today - timedelta(days=20))
        cls.inv2 = cls.create_invoice(cls.debtor, 250.0, cls.today - timedelta(days=10))
        cls.other_inv = cls.create_invoice(
            cls.other_debtor, 80.0, cls.today - timedelta(days=20)
        )
        cls.env["debiteur.case.sync"]._sync_partners(
            cls.debtor | cls.other_debtor, cls.company
        )
        links = cls.env["debiteur.debtor.link"]._for_partners(
            cls.debtor | cls.other_debtor, cls.company
        )
        cls.link = links[cls.debtor.id]
        cls.other_link = links[cls.other_debtor.id]
        cls.token = cls.link.sudo().token
        base = cls.env.ref("payment.payment_provider_demo").sudo()
        cls.provider = base.copy(
            {
                "company_id": cls.company.id,
                "state": "test",
                "is_published": True,
                "payment_method_ids": [Command.set(base.payment_method_ids.ids)],
            }
        )

    def setUp(self):
        super().setUp()
        THROTTLE.reset()
        self.addCleanup(THROTTLE.reset)

    def case(self, partner=None):
        return self.env["debiteur.case"].search(
            [
                ("partner_id", "=", (partner or self.debtor).id),
                ("company_id", "=", self.company.id),
            ],
            order="id desc",
            limit=1,
        )

    def page(self, path="", **kwargs):
        return self.url_open(f"/d/{self.token}{path}", **kwargs)

    def csrf(self):
        response = self.page()
        self.assertEqual(response.status_code, 200)
        return CSRF.search(response.text).group(1)

    def post(self, path, data, with_csrf=True, **kwargs):
        data = dict(data)
        if with_csrf:
            data["csrf_token"] = self.csrf()
        return self.url_open(
            f"/d/{self.token}{path}", data=data, allow_redirects=False, **kwargs
        )


@tagged("post_install", "-at_install")
class TestDebtorPage(DebtorPageCommon):
    def test_page_shows_the_claim(self):
        response = self.page()
        self.assertEqual(response.status_code, 200)
        text = response.text
        for expected in (self.inv1.name, self.inv2.name, self.company.name):
            self.assertIn(expected, text)
        self.assertIn("NL91 ABNA 0417 1643 00", text)
        self.assertNotIn(self.other_inv.name, text, "another debtor's invoice")
        self.assertIn("o_debtor_page_pay", text, "demo provider: pay online")
        self.assertIn(f"/d/{self.token}/invoice/{self.inv1.id}", text)
        self.assertTrue(self.link.first_opened)
        self.assertEqual(self.link.open_count, 1)

    def test_pay_online_only_with_a_provider(self):
        self.provider.is_published = False
        self.assertNotIn('name="invoice_ids"', self.page().text)
        self.provider.is_published = True
        self.assertIn('name="invoice_ids"', self.page().text)

    def test_page_in_the_debtors_language(self):
        self.debtor.lang = "nl_NL"
        text = self.page().text
        self.assertIn("Uw openstaande facturen", text)

    def test_page_in_french(self):
        self.env["res.lang"]._activate_lang("fr_BE")
        self.env["ir.module.module"]._load_module_terms(
            ["debiteur_dunning"], ["fr_BE"], overwrite=True
        )
        self.debtor.lang = "fr_BE"
        text = self.page().text
        self.assertIn("Vos factures ouvertes", text)
        self.assertIn("Payer en ligne les factures sélectionnées", text)

    def test_interest_and_costs_from_the_claim(self):
        figures = self.env["res.partner"]._debiteur_claim_figures(
            self.company, self.debtor, fields.Date.today()
        )[self.debtor.id]
        text = self.page().text
        total = self.company.currency_id.format(
            float(figures["open"] + figures["interest"] + figures["costs"])
        )
        self.assertIn(total, text.replace("&nbsp;", "\xa0"))

    def test_no_internal_notes(self):
        self.inv2.sudo()._debiteur_block("Customer is a friend of the boss")
        self.case().note = "<p>Internal: call on Friday</p>"
        text = self.page().text
        self.assertNotIn("friend of the boss", text)
        self.assertNotIn("call on Friday", text)

    def test_opening_recorded_on_the_reminder(self):
        self.run_dunning(self.today, partners=self.debtor)
        comm = self.comms(self.debtor)[-1]
        self.assertIn(f"/d/{self.token}?r={comm.id}", comm._debtor_page_url())
        self.page(f"?r={comm.id}")
        self.assertTrue(comm.debtor_page_first_opened)
        self.assertTrue(self.case().debtor_page_seen.startswith("Seen on"))

    # ------------------------------------------------------------------
    # Refusals
    # ------------------------------------------------------------------
    def test_wrong_token_is_not_found(self):
        # One character off (never the token itself: it may end with "A").
        off_by_one = self.token[:-1] + ("B" if self.token.endswith("A") else "A")
        for token in ("x" * 43, off_by_one, "short"):
            response = self.url_open(f"/d/{token}")
            self.assertEqual(response.status_code, 404)
            self.assertNotIn(self.debtor.name, response.text)

    def test_expired_token_is_not_found(self):
        self.link.sudo().date_expiry = self.today - timedelta(days=1)
        self.assertEqual(self.page().status_code, 404)
        # The next reminder renews it with a new secret.
        renewed = self.env["debiteur.debtor.link"]._for_partners(
            self.debtor, self.company
        )[self.debtor.id]
        self.assertEqual(renewed, self.link)
        self.assertNotEqual(renewed.sudo().token, self.token)
        self.assertEqual(self.page().status_code, 404, "the old token stays dead")

    def test_closed_claim_is_not_found(self):
        case = self.case()
        for invoice in (self.inv1, self.inv2):
            self.pay(invoice, invoice.amount_residual, self.today)
        self.env["debiteur.case.sync"]._sync_partners(self.debtor, self.company)
        self.assertTrue(case.is_closed)
        self.assertEqual(self.page().status_code, 200, "still on the closing day")
        case.closed_date = self.today - timedelta(days=1)
        self.assertEqual(self.page().status_code, 404)

    def test_rate_limited(self):
        for _attempt in range(10):
            self.assertEqual(self.url_open("/d/" + "y" * 43).status_code, 404)
        self.assertEqual(self.page().status_code, 429, "even with a good token")
        THROTTLE.reset()
        self.assertEqual(self.page().status_code, 200)

    def test_throttle_window_and_memory(self):
        throttle = TokenThrottle(limit=1, window=600)
        throttle.fail("10.0.0.1")
        self.assertTrue(throttle.blocked("10.0.0.1"))
        self.assertFalse(throttle.blocked("10.0.0.2"))
        passing = TokenThrottle(limit=1, window=0, max_addresses=2)
        for address in ("a", "b", "c", "d"):
            passing.fail(address)
        self.assertFalse(passing.blocked("a"), "failures leave the window")
        self.assertLessEqual(len(passing.failures), 2, "old addresses forgotten")

    def test_other_debtors_documents(self):
        response = self.page(f"/invoice/{self.inv1.id}")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.headers["Content-Type"], "application/pdf")
        self.assertEqual(self.page(f"/invoice/{self.other_inv.id}").status_code, 404)
        self.assertEqual(self.page("/reminder/1").status_code, 404)
        self.assertEqual(self.page("/arrangement/1").status_code, 404)

    def test_csrf_required(self):
        for path, data in (
            ("/promise", {"date": str(self.today + timedelta(days=3))}),
            ("/dispute", {"move_id": self.inv1.id, "reason": "Wrong"}),
            ("/arrangement", {"instalments": "3"}),
            ("/pay", {"invoice_ids": self.inv1.id}),
        ):
            response = self.post(path, data, with_csrf=False)
            self.assertEqual(response.status_code, 400, path)
        self.assertFalse(self.case().promise_date)
        self.assertFalse(self.inv1.debiteur_blocked)

    # ------------------------------------------------------------------
    # Promise, dispute, arrangement
    # ------------------------------------------------------------------
    def test_promise_to_pay(self):
        day = self.today + timedelta(days=5)
        response = self.post("/promise", {"date": str(day)})
        self.assertEqual(response.status_code, 303)
        self.assertIn("done=promise", response.headers["Location"])
        case = self.case()
        self.assertEqual(case.promise_date, day)
        self.assertEqual(case.promise_amount, 350.0)
        self.assertEqual(case.next_action_date, day)

    def test_promise_out_of_range(self):
        for day in (self.today - timedelta(days=1), self.today + timedelta(days=60)):
            response = self.post("/promise", {"date": str(day)})
            self.assertIn("error=promise", response.headers["Location"])
        self.assertFalse(self.case().promise_date)

    def test_dispute_an_invoice(self):
        response = self.post(
            "/dispute",
            {"move_id": self.inv1.id, "reason": "Goods never arrived"},
            files={"attachment": ("proof.txt", b"track and trace", "text/plain")},
        )
        self.assertIn("done=dispute", response.headers["Location"])
        case = self.case()
        self.assertTrue(self.inv1.debiteur_blocked)
        self.assertFalse(self.inv2.debiteur_blocked)
        self.assertTrue(case.disputed)
        self.assertEqual(case.stage_id.code, "disputed")
        self.assertIn("Goods never arrived", case.dispute_reason)
        self.assertEqual(case.disputed_move_ids, self.inv1)
        self.assertTrue(case.activity_ids)
        attachment = self.env["ir.attachment"].search(
            [("res_model", "=", "debiteur.case"), ("res_id", "=", case.id)]
        )
        self.assertEqual(attachment.raw, b"track and trace")

    def test_dispute_another_debtors_invoice(self):
        response = self.post(
            "/dispute", {"move_id": self.other_inv.id, "reason": "Not mine"}
        )
        self.assertIn("error=dispute", response.headers["Location"])
        self.assertFalse(self.other_inv.debiteur_blocked)
        self.assertFalse(self.case(self.other_debtor).disputed)
        self.assertFalse(self.case().disputed)

    def test_propose_arrangement_draft(self):
        response = self.post("/arrangement", {"instalments": "4"})
        self.assertIn("done=arrangement", response.headers["Location"])
        arrangement = self.env["debiteur.arrangement"].search(
            [("partner_id", "=", self.debtor.id)]
        )
        self.assertEqual(arrangement.state, "draft")
        self.assertEqual(len(arrangement.line_ids), 4)
        self.assertEqual(arrangement.move_ids, self.inv1 | self.inv2)
        self.assertTrue(arrangement.activity_ids, "for the manager to accept")
        text = self.page().text
        self.assertIn(arrangement.name, text)
        self.assertNotIn("o_debtor_page_agreement", text, "no letter for a draft")
        # One proposal at a time.
        response = self.post("/arrangement", {"instalments": "2"})
        self.assertIn("error=arrangement", response.headers["Location"])

    def test_propose_arrangement_accepted_at_once(self):
        self.company.write(
            {
                "debiteur_page_auto_accept": True,
                "debiteur_page_auto_max_instalments": 3,
                "debiteur_page_auto_max_amount": 1000.0,
            }
        )
        self.post("/arrangement", {"instalments": "3"})
        arrangement = self.env["debiteur.arrangement"].search(
            [("partner_id", "=", self.debtor.id)]
        )
        self.assertEqual(arrangement.state, "active")
        self.assertEqual(self.case().stage_id.code, "arrangement")
        text = self.page().text
        self.assertIn(f"/d/{self.token}/arrangement/{arrangement.id}", text)
        pdf = self.page(f"/arrangement/{arrangement.id}")
        self.assertEqual(pdf.status_code, 200)

    def test_propose_arrangement_beyond_the_limits(self):
        for count in ("1", "7", "99", "x"):
            response = self.post("/arrangement", {"instalments": count})
            self.assertIn("error=arrangement", response.headers["Location"])
        self.assertFalse(
            self.env["debiteur.arrangement"].search(
                [("partner_id", "=", self.debtor.id)]
            )
        )

    # ------------------------------------------------------------------
    # Pay
    # ------------------------------------------------------------------
    def pay_form(self, ids):
        response = self.url_open(
            f"/d/{self.token}/pay",
            data={"invoice_ids": ids, "csrf_token": self.csrf()},
        )
        return response

    def transaction(self, ids, amount, csrf_token, **kwargs):
        selection = "-".join(str(i) for i in ids)
        params = {
            "provider_id": self.provider.id,
            "payment_method_id": self.provider.payment_method_ids[:1].id,
            "token_id": None,
            "amount": amount,
            "flow": "direct",
            "tokenization_requested": False,
            "landing_route": "/evil",
            "is_validation": False,
            "access_token": kwargs.pop("access_token", None),
            "csrf_token": csrf_token,
            **kwargs,
        }
        return self.make_jsonrpc_request(
            f"/d/{self.token}/transaction/{selection}", params
        )

    def test_pay_selected_invoice(self):
        response = self.pay_form([self.inv2.id])
        self.assertEqual(response.status_code, 200)
        self.assertIn("o_payment_form", response.text)
        access_token = re.search(r'data-access-token="([^"]+)"', response.text)[1]
        self.assertIn('data-amount="250.0"', response.text)
        csrf_token = CSRF.search(self.page().text)[1]
        values = self.transaction(
            [self.inv2.id], 250.0, csrf_token, access_token=access_token
        )
        tx = self.env["payment.transaction"].search(
            [("reference", "=", values["reference"])]
        )
        self.assertEqual(tx.invoice_ids, self.inv2)
        self.assertEqual(tx.amount, 250.0)
        self.assertIn(f"/d/{self.token}?done=paid", tx.landing_route)
        tx._handle_notification_data(
            "demo",
            {"reference": tx.reference, "simulated_state": "done"},
        )
        tx._post_process()
        self.assertTrue(self.inv2.currency_id.is_zero(self.inv2.amount_residual))
        self.assertIn(self.inv2.payment_state, ("paid", "in_payment"))
        self.assertEqual(self.inv1.amount_residual, 100.0)

    def test_pay_another_debtors_invoice(self):
        response = self.pay_form([self.inv1.id, self.other_inv.id])
        self.assertEqual(response.status_code, 404)
        self.assertNotIn("o_payment_form", response.text)

    def test_pay_tampered_amount(self):
        response = self.pay_form([self.inv1.id])
        access_token = re.search(r'data-access-token="([^"]+)"', response.text)[1]
        csrf_token = CSRF.search(self.page().text)[1]
        for amount in (1.0, 0.01, None):
            with self.assertRaisesRegex(Exception, "ValidationError"):
                self.transaction(
                    [self.inv1.id], amount, csrf_token, access_token=access_token
                )
        # The access token of one invoice does not pay another selection.
        with self.assertRaisesRegex(Exception, "ValidationError"):
            self.transaction(
                [self.inv2.id], 250.0, csrf_token, access_token=access_token
            )
        self.assertFalse(
            self.env["payment.transaction"].search(
                [("partner_id", "=", self.debtor.id)]
            )
        )

    def test_transaction_without_csrf(self):
        response = self.pay_form([self.inv1.id])
        access_token = re.search(r'data-access-token="([^"]+)"', response.text)[1]
        with self.assertRaisesRegex(Exception, "BadRequest"):
            self.transaction([self.inv1.id], 100.0, "bad", access_token=access_token)

    # ------------------------------------------------------------------
    # The letter and the e-mail
    # ------------------------------------------------------------------
    def test_epc_payload(self):
        reference = rf_reference("2026001")
        payload = epc_qr_payload(
            "Acme BV", "NL91 ABNA 0417 1643 00", 123.4, reference, bic="abnanl2a"
        )
        self.assertEqual(
            payload.split("\n"),
            [
                "BCD",
                "002",
                "1",
                "SCT",
                "ABNANL2A",
                "Acme BV",
                "NL91ABNA0417164300",
                "EUR123.40",
                "",
                reference,
            ],
        )
        belgian = epc_qr_payload(
            "Acme", "BE68539007547034", None, "+++090/9337/55493+++"
        )
        self.assertTrue(belgian.endswith("\n\n\n+++090/9337/55493+++"))
        with self.assertRaises(ValueError):
            epc_qr_payload("Acme", "not an iban", 1.0)

    def test_letter_and_mail_carry_the_link(self):
        self.run_dunning(self.today, partners=self.debtor, deliver=False)
        comm = self.comms(self.debtor)[-1]
        values = comm._debtor_page_letter_values()
        self.assertIn(f"/d/{self.token}", values["url"])
        self.assertTrue(values["url_qr"].startswith("data:image/png;base64,"))
        self.assertFalse(values["epc_qr"], "an EPC QR code is for euro only")
        statement = dict(comm._claim_statement(), currency=self.env.ref("base.EUR"))
        Comm = type(comm)
        with patch.object(Comm, "_claim_statement", lambda self: statement):
            payload = comm._epc_qr_payload()
            values = comm._debtor_page_letter_values()
        self.assertIn(comm.payment_reference, payload)
        self.assertIn("NL91ABNA0417164300", payload)
        self.assertIn(f"EUR{statement['total']:.2f}", payload)
        self.assertTrue(values["epc_qr"].startswith("data:image/png;base64,"))
        html = self.env["ir.qweb"]._render(
            "debiteur_dunning.report_debiteur_debtor_page_block", {"o": comm}
        )
        self.assertIn(f"/d/{self.token}", str(html))
        body = comm.mail_id.body_html
        self.assertIn(f"/d/{self.token}?r={comm.id}", body)


@tagged("post_install", "-at_install")
class TestDebtorLinkList(DebtorPageCommon):
    """The links in the back office: read by Dunning users, revoked by
    managers only, never created, changed or deleted by hand; no token."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_role_users("dd_links")
        cls.other_company = cls.setup_other_company(name="Links Other BV")["company"]
        cls.env["debiteur.case.sync"]._sync_partners(cls.debtor, cls.other_company)
        cls.foreign_link = cls.env["debiteur.debtor.link"]._for_partners(
            cls.debtor, cls.other_company
        )[cls.debtor.id]

    def test_manager_revokes_the_link(self):
        self.assertEqual(self.page().status_code, 200)
        link = self.link.with_user(self.dunning_manager)
        self.assertEqual(link.state, "valid")
        link.action_revoke()
        self.assertEqual(link.state, "expired")
        self.assertLess(link.date_expiry, fields.Date.context_today(link))
        self.assertEqual(self.page().status_code, 404)
        Link = self.env["debiteur.debtor.link"].with_user(self.dunning_manager)
        self.assertNotIn(self.link, Link.search([("state", "=", "valid")]))
        self.assertIn(self.link, Link.search([("state", "=", "expired")]))
        self.assertIn(self.other_link, Link.search([("state", "!=", "expired")]))
        # The next reminder carries a new token: the revoked one stays dead.
        renewed = self.env["debiteur.debtor.link"]._for_partners(
            self.debtor, self.company
        )[self.debtor.id]
        self.assertEqual(renewed, self.link)
        self.assertEqual(renewed.state, "valid")
        self.assertNotEqual(renewed.sudo().token, self.token)
        self.assertEqual(self.page().status_code, 404)

    def test_users_read_without_the_token(self):
        for user in (self.dunning_user, self.dunning_manager):
            with self.subTest(user=user.login):
                Link = self.env["debiteur.debtor.link"].with_user(user)
                links = Link.search([])
                self.assertIn(self.link, links)
                self.assertNotIn(self.foreign_link, links, "another company's")
                self.assertTrue(links.read(["partner_id", "date_expiry", "state"]))
                with self.assertRaises(AccessError):
                    self.link.with_user(user).read(["token"])
        with self.assertRaises(AccessError):
            self.env["debiteur.debtor.link"].with_user(self.billing_user).search([])

    def test_user_may_not_revoke(self):
        with self.assertRaises(AccessError):
            self.link.with_user(self.dunning_user).action_revoke()
        self.assertEqual(self.link.state, "valid")
        self.assertEqual(self.page().status_code, 200)

    def test_manager_may_not_revoke_another_companys_link(self):
        with self.assertRaises(AccessError):
            self.foreign_link.with_user(self.dunning_manager).action_revoke()
        self.assertEqual(self.foreign_link.state, "valid")

    def test_links_are_never_made_or_changed_by_hand(self):
        tomorrow = self.today + timedelta(days=1)
        for user in (self.dunning_user, self.dunning_manager):
            link = self.link.with_user(user)
            for vals in (
                {"date_expiry": tomorrow},
                {"date_expiry": self.today + timedelta(days=3650)},
                {"partner_id": self.other_debtor.id},
                {"open_count": 0},
            ):
                with self.subTest(user=user.login, vals=vals):
                    with self.assertRaises(AccessError):
                        link.write(vals)
            with self.subTest(user=user.login, what="create"):
                with self.assertRaises(AccessError):
                    link.create(
                        {
                            "partner_id": self.other_debtor.id,
                            "company_id": self.company.id,
                            "token": "x" * 43,
                            "date_expiry": tomorrow,
                        }
                    )
            with self.subTest(user=user.login, what="unlink"):
                with self.assertRaises(AccessError):
                    link.unlink()
        self.assertTrue(self.link.exists())
        self.assertEqual(self.link.sudo().token, self.token)
        self.assertEqual(self.page().status_code, 200)

    def test_views_show_no_token_and_allow_no_edit(self):
        Link = self.env["debiteur.debtor.link"].with_user(self.dunning_manager)
        for view_type in ("list", "form"):
            with self.subTest(view=view_type):
                arch = Link.get_views([(False, view_type)])["views"][view_type]["arch"]
                self.assertNotIn('name="token"', arch)
                for flag in ('create="0"', 'edit="0"', 'delete="0"'):
                    self.assertIn(flag, arch)


@tagged("post_install", "-at_install")
class TestDebtorPageQueries(DebtorPageCommon):
    """The page renders in at most 20 queries, however many invoices the
    debtor has, on its first opening of a day as on every reload: the claim
    is computed each time, in a fixed number of queries."""

    def measure(self, path=""):
        """(queries of the first render, of a reload), the invoices shown"""
        self.env["debiteur.case.sync"]._sync_partners(self.debtor, self.company)
        self.page(path)  # warm Odoo's caches (assets, views, translations)
        counts = []
        for _render in ("first", "reload"):
            self.env.flush_all()
            self.env.invalidate_all()
            before = self.cr.sql_log_count
            response = self.page(path)
            counts.append(self.cr.sql_log_count - before)
            self.assertEqual(response.status_code, 200)
        return counts, response.text.count("data-invoice=")

    def test_queries_2_and_20_invoices(self):
        counts_2, shown = self.measure()
        self.assertEqual(shown, 2)
        for _index in range(18):
            self.create_invoice(self.debtor, 10.0, self.today - timedelta(days=5))
        counts_20, shown = self.measure()
        self.assertEqual(shown, 20)
        _logger.info(
            f"debtor's page queries (first render, reload): "
            f"2 invoices {counts_2}, 20 invoices {counts_20}"
        )
        self.assertEqual(counts_2, counts_20, "the same whatever the invoices")
        self.assertLessEqual(max(counts_20), 20)

    def test_queries_busy_debtor(self):
        """Everything at once: reminders up to the formal notice (terms,
        costs, receipts), its costs invoiced, a part payment, a credit note,
        an invoice not yet due, one in another currency, an agreed
        arrangement, the page opened from the notice (recorded on it)."""
        today = self.today
        old = self.create_invoice(self.debtor, 500.0, today - timedelta(days=90))
        for step in range(4):
            self.run_dunning(today - timedelta(days=50 - 7 * step), self.debtor)
        notice = self.comms(self.debtor)[-1]
        self.assertEqual((notice.level_id, notice.state), (self.level4, "sent"))
        with freeze_time(notice.legal_deadline + timedelta(days=1)):
            notice.action_invoice_costs()
        self.assertTrue(notice.cost_move_id)
        self.pay(old, 100.0, today - timedelta(days=3))
        self.create_invoice(
            self.debtor, 60.0, today - timedelta(days=2), move_type="out_refund"
        )
        self.create_invoice(self.debtor, 70.0, today + timedelta(days=10))
        chf = self.setup_other_currency("CHF", rates=[("2020-01-01", 2.0)])
        self.create_invoice(self.debtor, 90.0, today - timedelta(days=30), chf)
        arranged = self.create_invoice(self.debtor, 40.0, today - timedelta(days=15))
        self.env["debiteur.arrangement.wizard"].create(
            {
                "move_ids": [Command.set(arranged.ids)],
                "instalment_count": 2,
                "frequency": "monthly",
                "first_date": today + timedelta(days=30),
            }
        )._create_arrangement()
        counts, shown = self.measure(f"?r={notice.id}")
        self.assertEqual(shown, 7, "inv1, inv2, old, costs, not due, CHF, arranged")
        _logger.info(f"debtor's page queries, busy debtor: {counts}")
        self.assertLessEqual(max(counts), 20)
        self.assertTrue(notice.debtor_page_last_opened)


@tagged("post_install", "-at_install")
class TestDebtorPageTour(DebtorPageCommon):
    """The debtor's whole path: a real e-mail through SMTP, its link, the
    payment with payment_demo; the invoice ends paid and the case closed."""

    def test_tour_from_the_email(self):
        self.pay(self.inv2, self.inv2.amount_residual, self.today)
        sink = ls.SmtpSink(ls.free_port()).start()
        self.addCleanup(sink.stop)
        self.env["ir.mail_server"].search([]).unlink()
        self.env["ir.mail_server"].create(
            {
                "name": "Sink",
                "smtp_host": ls.LOOPBACK,
                "smtp_port": sink.port,
                "smtp_encryption": "none",
            }
        )
        self.preview(self.today, partners=self.debtor).action_confirm()
        # Really through SMTP: Odoo skips the connection while a test runs.
        with patch.object(odoo.modules.module, "current_test", False):
            self.process_mail_queue()
        received = ls.wait_until(
            lambda: sink.to(self.debtor.email), 10, what="the reminder e-mail"
        )
        body = received[0]["message"].get_body(("html",)).get_content()
        url = re.search(r'href="([^"]*/d/[^"]+)"', body)[1].replace("&amp;", "&")
        path = url.split("://", 1)[1].split("/", 1)[1]
        self.start_tour("/" + path, "debiteur_debtor_page_tour")
        self.env.invalidate_all()
        self.assertTrue(self.inv1.currency_id.is_zero(self.inv1.amount_residual))
        self.assertIn(self.inv1.payment_state, ("paid", "in_payment"))
        self.assertTrue(self.case().is_closed)
