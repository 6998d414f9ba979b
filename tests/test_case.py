from datetime import date, timedelta
from unittest.mock import patch

from freezegun import freeze_time
from psycopg2 import IntegrityError

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, HttpCase, new_test_user, tagged
from odoo.tools import mute_logger

from .common import TODAY, DebiteurCommon


class CaseCommon(DebiteurCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Case = cls.env["debiteur.case"]
        cls.Sync = cls.env["debiteur.case.sync"]
        cls.Behaviour = cls.env["debiteur.payment.behaviour"]
        cls.stages = cls.env["debiteur.case.stage"]._by_code()

    def case_of(self, partner, open_only=True):
        domain = [("partner_id", "=", partner.id), ("company_id", "=", self.company.id)]
        if open_only:
            domain.append(("is_closed", "=", False))
        return self.Case.search(domain, order="id")

    def sync(self, partner, day=TODAY):
        with freeze_time(day):
            self.Sync._sync_partners(partner, self.company)
        self.env.invalidate_all()
        return self.case_of(partner, open_only=False)[-1:]


@tagged("post_install", "-at_install", "debiteur")
class TestCaseStages(CaseCommon):
    def test_to_remind_when_overdue_and_nothing_sent(self):
        with freeze_time(TODAY):
            self.create_invoice(self.debtor, 400.0, self.d(-3))
            self.create_invoice(self.debtor, 100.0, self.d(10))
        case = self.case_of(self.debtor)
        self.assertEqual(len(case), 1)
        self.assertEqual(case.stage_id.code, "to_remind")
        self.assertEqual(case.amount_overdue, 400.0)
        self.assertEqual(case.amount_due, 500.0)
        self.assertEqual(case.oldest_due_date, self.d(-3))
        with freeze_time(TODAY):
            case.invalidate_recordset(["days_overdue"])
            self.assertEqual(case.days_overdue, 3)

    def test_foreign_currency_amounts(self):
        chf = self.setup_other_currency("CHF", rates=[("2020-01-01", 2.0)])
        with freeze_time(TODAY):
            self.create_invoice(self.debtor, 500.0, self.d(-10), currency=chf)
            self.create_invoice(self.debtor, 100.0, self.d(-10))
            case = self.case_of(self.debtor)
            # Stored in company currency: 500 CHF = 250 at 2 CHF per unit.
            self.assertEqual(case.amount_overdue, 350.0)
            self.assertIn("500.00", case.overdue_by_currency)
            self.assertIn("100.00", case.overdue_by_currency)

    def test_not_overdue_no_case(self):
        with freeze_time(TODAY):
            self.create_invoice(self.debtor, 400.0, self.d(5))
        self.assertFalse(self.case_of(self.debtor))

    def test_reminded_then_formal_notice(self):
        with freeze_time(TODAY):
            self.create_invoice(self.debtor, 500.0, self.d(-6))
        self.run_dunning(self.d(1))
        case = self.case_of(self.debtor)
        self.assertEqual(case.stage_id.code, "reminded")
        self.assertEqual(case.highest_level_id, self.level1)
        # Next level (21 days after due) as the next action.
        self.assertEqual(case.next_action_date, self.d(-6) + timedelta(days=21))
        for day in (15, 29, 43):
            self.run_dunning(self.d(day))
        case.invalidate_recordset()
        self.assertEqual(case.highest_level_id, self.level4)
        # The default formal notice is also the level ready for collection,
        # once its legal term has ended; until then the case waits with it.
        self.assertTrue(self.level4.handoff_ready)
        self.assertEqual(case.stage_id.code, "formal_notice")
        notice = self.comms(self.debtor)[-1]
        after_term = notice.legal_deadline + timedelta(days=1)
        with freeze_time(after_term):
            self.Sync.sudo()._sync_company(self.company, after_term)
        case.invalidate_recordset()
        self.assertEqual(case.stage_id.code, "ready_collection")
        self.assertEqual(len(self.case_of(self.debtor)), 1)
        # Where it is not, the case stays with the formal notice.
        with freeze_time(after_term):
            self.level4.handoff_ready = False
        case.invalidate_recordset()
        self.assertEqual(case.stage_id.code, "formal_notice")
        self.assertFalse(case.handoff_candidate)

    def test_stage_precedence(self):
        code = self.Case._stage_code
        level, notice = self.level1, self.level4
        self.assertEqual(code(False, True, True, True, notice), "closed")
        self.assertEqual(code(True, True, True, True, notice), "arrangement")
        self.assertEqual(code(True, False, True, True, notice), "collection")
        self.assertEqual(code(True, False, False, True, notice), "disputed")
        self.assertEqual(code(True, False, False, False, notice), "formal_notice")
        # Ready for collection: after arrangements, handoffs and disputes,
        # before the levels.
        self.assertEqual(code(False, False, False, False, notice, True), "closed")
        self.assertEqual(code(True, True, False, False, notice, True), "arrangement")
        self.assertEqual(code(True, False, True, False, notice, True), "collection")
        self.assertEqual(code(True, False, False, True, notice, True), "disputed")
        self.assertEqual(
            code(True, False, False, False, notice, True), "ready_collection"
        )
        self.assertEqual(
            code(True, False, False, False, level, True), "ready_collection"
        )
        self.assertEqual(code(True, False, False, False, level), "reminded")
        self.assertEqual(
            code(True, False, False, False, self.env["debiteur.level"]), "to_remind"
        )

    def test_arrangement_stage_when_model_exists(self):
        if "debiteur.arrangement" not in self.env:
            self.skipTest("payment arrangements are not installed yet")
        self.assertIn("debiteur_arrangement_id", self.env["account.move"]._fields)

    def test_dispute_and_resolve(self):
        with freeze_time(TODAY):
            inv1 = self.create_invoice(self.debtor, 300.0, self.d(-20))
            inv2 = self.create_invoice(self.debtor, 200.0, self.d(-20))
        case = self.case_of(self.debtor)
        with self.assertRaises(UserError):
            case._mark_disputed("   ", inv1)
        with freeze_time(TODAY):
            wizard = Form(
                self.env["debiteur.case.dispute.wizard"].with_context(
                    default_case_id=case.id
                )
            )
            wizard.reason = "Goods damaged"
            wizard.move_ids.add(inv1)
            wizard.save().action_confirm()
        self.assertEqual(case.stage_id.code, "disputed")
        self.assertTrue(inv1.debiteur_blocked)
        self.assertEqual(inv1.debiteur_block_reason, "Goods damaged")
        self.assertFalse(inv2.debiteur_blocked)
        # Dunning pauses for the disputed invoice only.
        run = self.run_dunning(TODAY)
        self.assertEqual(run.communication_ids.invoice_line_ids.move_id, inv2)
        case.invalidate_recordset()
        self.assertEqual(case.stage_id.code, "disputed")
        with freeze_time(TODAY):
            case.action_resolve_dispute()
        self.assertFalse(inv1.debiteur_blocked)
        self.assertFalse(case.disputed)
        self.assertEqual(case.stage_id.code, "reminded")


@tagged("post_install", "-at_install", "debiteur")
class TestCaseIntegrity(CaseCommon):
    def test_one_open_case_per_debtor(self):
        with freeze_time(TODAY):
            self.create_invoice(self.debtor, 100.0, self.d(-5))
        self.assertEqual(len(self.case_of(self.debtor)), 1)
        with (
            self.assertRaises(IntegrityError),
            mute_logger("odoo.sql_db"),
            self.env.cr.savepoint(),
        ):
            self.Case.create(
                {"partner_id": self.debtor.id, "company_id": self.company.id}
            ).flush_recordset()
        # A closed case does not count.
        closed = self.Case.with_context(debiteur_case_sync=True).create(
            {
                "partner_id": self.debtor.id,
                "company_id": self.company.id,
                "stage_id": self.stages["closed"].id,
            }
        )
        closed.flush_recordset()
        self.assertTrue(closed.is_closed)

    def test_concurrent_open_case_is_tolerated(self):
        """Two postings for a new debtor at once: the second transaction does not
        see the case the first committed (its snapshot is older) and its insert
        hits the open-case index. Simulated: the open case exists, the sync's
        search does not find it."""
        with freeze_time(TODAY):
            self.create_invoice(self.debtor, 100.0, self.d(-5))
        existing = self.case_of(self.debtor)
        self.assertEqual(len(existing), 1)
        Case = type(self.Case)
        original = Case.search

        def blind_search(model, domain, *args, **kwargs):
            found = original(model, domain, *args, **kwargs)
            if model._name == "debiteur.case" and ("is_closed", "=", False) in domain:
                return found - existing
            return found

        callbacks = self.env.cr.postcommit._funcs
        before = len(callbacks)
        with (
            patch.object(Case, "search", blind_search),
            mute_logger(
                "odoo.sql_db", "odoo.addons.debiteur_dunning.models.debiteur_case_sync"
            ),
            freeze_time(TODAY),
        ):
            cases = self.Sync._sync_partners(
                self.debtor | self.other_debtor, self.company
            )
        # No error, no second open case; the debtor is synced again after commit.
        self.assertNotIn(existing, cases)
        self.assertEqual(self.case_of(self.debtor), existing)
        self.assertEqual(len(callbacks), before + 1)
        callbacks.pop()
        # What it does in a new transaction, whose snapshot sees the case.
        self.assertIn(existing, self.Sync._sync_partners(self.debtor, self.company))
        self.assertEqual(self.case_of(self.debtor), existing)

    def test_concurrent_open_case_other_debtors_created(self):
        """The other new debtors of the same sync still get their case."""
        with freeze_time(TODAY):
            self.create_invoice(self.debtor, 100.0, self.d(-5))
            self.create_invoice(self.other_debtor, 200.0, self.d(-5), post=False)
        existing = self.case_of(self.debtor)
        self.assertFalse(self.case_of(self.other_debtor))
        Case = type(self.Case)
        original = Case.search

        def blind_search(model, domain, *args, **kwargs):
            found = original(model, domain, *args, **kwargs)
            if model._name == "debiteur.case" and ("is_closed", "=", False) in domain:
                return found - existing
            return found

        with (
            patch.object(Case, "search", blind_search),
            mute_logger(
                "odoo.sql_db", "odoo.addons.debiteur_dunning.models.debiteur_case_sync"
            ),
            freeze_time(TODAY),
        ):
            invoice = self.env["account.move"].search(
                [("partner_id", "=", self.other_debtor.id), ("state", "=", "draft")]
            )
            invoice.action_post()
            self.Sync._sync_partners(self.debtor | self.other_debtor, self.company)
        self.env.cr.postcommit.clear()
        self.assertEqual(self.case_of(self.debtor), existing)
        self.assertEqual(len(self.case_of(self.other_debtor)), 1)

    def test_amounts_exact_after_payment_credit_note_reversal(self):
        with freeze_time(TODAY):
            inv1 = self.create_invoice(self.debtor, 1000.0, self.d(-30))
            inv2 = self.create_invoice(self.debtor, 500.0, self.d(-10))
            case = self.case_of(self.debtor)
            self.assertEqual(case.amount_overdue, 1500.0)
            self.assertEqual(case.oldest_due_date, self.d(-30))
            # Partial payment.
            payment = self.pay(inv1, 400.0, TODAY)
            case.invalidate_recordset()
            self.assertEqual(case.amount_overdue, 1100.0)
            self.assertEqual(case.amount_due, 1100.0)
            # Unreconciling the payment: the amount comes back.
            pay_line = payment.move_id.line_ids.filtered(
                lambda line: line.account_id.account_type == "asset_receivable"
            )
            pay_line.remove_move_reconcile()
            case.invalidate_recordset()
            self.assertEqual(case.amount_overdue, 1500.0)
            # The payment is now an unallocated credit: the balance shows it.
            self.assertEqual(case.amount_due, 1100.0)
            (
                pay_line
                | inv1.line_ids.filtered(
                    lambda line: line.account_id.account_type == "asset_receivable"
                )
            ).reconcile()
            case.invalidate_recordset()
            self.assertEqual(case.amount_overdue, 1100.0)
            # Credit note of 100 reconciled with the first invoice.
            refund = self.create_invoice(
                self.debtor, 100.0, TODAY, move_type="out_refund"
            )
            (refund | inv1).line_ids.filtered(
                lambda line: line.account_id.account_type == "asset_receivable"
            ).reconcile()
            case.invalidate_recordset()
            self.assertEqual(case.amount_overdue, 1000.0)
            self.assertEqual(case.oldest_due_date, self.d(-30))
            # Reversal of the second invoice (full refund): only inv1 is left.
            inv2._reverse_moves(cancel=True)
            case.invalidate_recordset()
            self.assertEqual(case.amount_overdue, 500.0)
            self.assertEqual(case.amount_due, 500.0)
            self.assertEqual(case.stage_id.code, "to_remind")

    def test_closed_when_paid_new_case_when_late_again(self):
        with freeze_time(TODAY):
            inv = self.create_invoice(self.debtor, 250.0, self.d(-5))
            case = self.case_of(self.debtor)
            self.pay(inv, 250.0, TODAY)
            case.invalidate_recordset()
            self.assertEqual(case.stage_id.code, "closed")
            self.assertTrue(case.is_closed)
            self.assertEqual(case.amount_overdue, 0.0)
            self.assertEqual(case.closed_date, TODAY)
            self.assertFalse(self.case_of(self.debtor))
            self.create_invoice(self.debtor, 80.0, self.d(-1))
        new = self.case_of(self.debtor)
        self.assertEqual(len(new), 1)
        self.assertNotEqual(new, case)
        self.assertEqual(new.amount_overdue, 80.0)
        # Becoming overdue by the passing of days: the daily sync opens it.
        with freeze_time(TODAY):
            self.create_invoice(self.other_debtor, 60.0, self.d(3))
        self.assertFalse(self.case_of(self.other_debtor))
        with freeze_time(self.d(4)):
            self.Sync._sync_company(self.company)
        self.assertEqual(self.case_of(self.other_debtor).amount_overdue, 60.0)


@tagged("post_install", "-at_install", "debiteur")
class TestCaseActions(CaseCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        with freeze_time(TODAY):
            cls.invoice = cls.create_invoice(cls.debtor, 600.0, cls.d(-15))
        cls.case = cls.env["debiteur.case"].search(
            [("partner_id", "=", cls.debtor.id), ("is_closed", "=", False)]
        )

    def test_arrangement_and_handoff_start_from_the_case(self):
        action = self.case.action_make_arrangement()
        self.assertEqual(action["res_model"], "debiteur.arrangement.wizard")
        self.assertEqual(action["context"]["default_partner_id"], self.debtor.id)
        self.assertIn(self.invoice.id, action["context"]["default_move_ids"][0][2])
        action = self.case.action_hand_off()
        self.assertEqual(action["res_model"], "debiteur.handoff.wizard")
        self.assertEqual(action["context"]["default_partner_ids"], self.debtor.ids)

    def test_forbidden_drags(self):
        case = self.case
        with self.assertRaisesRegex(UserError, "still owes"):
            case.write({"stage_id": self.stages["closed"].id})
        for code in (
            "reminded",
            "formal_notice",
            "arrangement",
            "ready_collection",
            "collection",
        ):
            with self.assertRaisesRegex(UserError, "by hand"):
                case.write({"stage_id": self.stages[code].id})
        with self.assertRaisesRegex(UserError, "reason"):
            case.write({"stage_id": self.stages["disputed"].id})
        self.assertEqual(case.stage_id.code, "to_remind")
        # Assignment is always allowed.
        case.write({"user_id": self.env.user.id})
        self.assertEqual(case.user_id, self.env.user)

    def test_drag_to_disputed_and_out(self):
        case = self.case
        case.write({"stage_id": self.stages["disputed"].id, "dispute_reason": "Price"})
        self.assertTrue(case.disputed)
        self.assertEqual(case.stage_id.code, "disputed")
        # Out of dispute: to the stage the facts give, whatever column.
        case.write({"stage_id": self.stages["to_remind"].id})
        self.assertFalse(case.disputed)
        self.assertEqual(case.stage_id.code, "to_remind")

    def test_controller_default(self):
        controller = self.env["res.users"].create(
            {"name": "Controller", "login": "controller_case"}
        )
        self.company.debiteur_user_id = controller
        with freeze_time(TODAY):
            self.create_invoice(self.other_debtor, 50.0, self.d(-2))
        self.assertEqual(self.case_of(self.other_debtor).user_id, controller)

    def test_send_reminder_and_log_call(self):
        action = self.case.action_send_reminder()
        self.assertEqual(action["res_model"], "debiteur.dunning.wizard")
        self.assertEqual(action["context"]["default_partner_ids"], self.debtor.ids)
        self.case.action_log_call()
        self.assertIn("Called the debtor", self.case.message_ids[0].body)
        self.assertFalse(self.case.activity_ids)

    def test_dunning_user_works_the_case(self):
        user = new_test_user(
            self.env,
            login="case_accountant",
            groups="debiteur_dunning.group_debiteur_user",
            company_id=self.company.id,
            company_ids=[Command.set(self.company.ids)],
        )
        case = self.case.with_user(user)
        self.assertEqual(case.amount_overdue, 600.0)
        with freeze_time(TODAY):
            case._record_promise(self.d(3), 50.0)
            case._mark_disputed("Wrong price", self.invoice.with_user(user))
        self.assertEqual(case.stage_id.code, "disputed")
        with self.assertRaises(AccessError):
            self.Case.with_user(user).create({"partner_id": self.other_debtor.id})
        other_company = self.setup_other_company()["company"]
        self.assertFalse(
            self.Case.with_user(user).search([("company_id", "=", other_company.id)])
        )

    def test_promise_refused_in_past_or_not_positive(self):
        with freeze_time(TODAY):
            with self.assertRaises(UserError):
                self.case._record_promise(self.d(-1), 100.0)
            with self.assertRaises(UserError):
                self.case._record_promise(self.d(5), 0.0)
            with self.assertRaises(UserError):
                self.case._record_promise(self.d(5), -5.0)
        self.assertFalse(self.case.promise_date)

    def test_promise_broken(self):
        with freeze_time(TODAY):
            wizard = Form(
                self.env["debiteur.case.promise.wizard"].with_context(
                    default_case_id=self.case.id
                )
            )
            wizard.date = self.d(5)
            wizard.amount = 300.0
            wizard.save().action_confirm()
        self.assertEqual(self.case.promise_date, self.d(5))
        self.assertEqual(self.case.next_action_date, self.d(5))
        with freeze_time(self.d(3)):
            self.pay(self.invoice, 100.0, self.d(3))
        with freeze_time(self.d(5)):
            self.assertFalse(self.Case._cron_check_promises(self.d(5)))
        with freeze_time(self.d(6)):
            broken = self.Case._cron_check_promises(self.d(6))
        self.assertEqual(broken, self.case)
        self.assertTrue(self.case.promise_broken)
        self.assertEqual(self.case.activity_ids.summary, "Promise to pay broken")
        # Checked once.
        self.assertFalse(self.Case._cron_check_promises(self.d(7)))

    def test_promise_kept(self):
        with freeze_time(TODAY):
            self.case._record_promise(self.d(5), 300.0)
        with freeze_time(self.d(4)):
            self.pay(self.invoice, 300.0, self.d(4))
        with freeze_time(self.d(6)):
            self.assertFalse(self.Case._cron_check_promises(self.d(6)))
        self.assertFalse(self.case.promise_broken)
        self.assertFalse(self.case.promise_date)
        self.assertIn("kept", self.case.message_ids[0].body)


@tagged("post_install", "-at_install", "debiteur")
class TestCaseAnalysis(CaseCommon):
    def db_today(self):
        self.env.cr.execute("SELECT CURRENT_DATE")
        return self.env.cr.fetchone()[0]

    def test_aging_buckets(self):
        today = self.db_today()
        expected = {
            "not_due": 10.0,
            "1_30": 20.0,
            "31_60": 40.0,
            "61_90": 80.0,
            "90_plus": 160.0,
        }
        for days, amount in (
            (0, 10.0),
            (-30, 20.0),
            (-31, 40.0),
            (-90, 80.0),
            (-91, 160.0),
        ):
            self.create_invoice(self.debtor, amount, today + timedelta(days=days))
        self.env.flush_all()
        rows = self.env["debiteur.aging.report"]._read_group(
            [("partner_id", "=", self.debtor.id)],
            ["bucket"],
            ["amount_residual_signed:sum"],
        )
        self.assertEqual(dict(rows), expected)

    def test_dso_and_payment_behaviour(self):
        with freeze_time(TODAY):
            inv = self.create_invoice(self.debtor, 1000.0, self.d(-60))
            self.pay(inv, 500.0, self.d(-50))
            dso = self.Behaviour._dso(self.company, self.debtor)
            self.assertEqual(dso[self.debtor.id], 182.5)
            self.assertEqual(self.Behaviour._dso(self.company)[False], 182.5)
            self.assertEqual(self.company.debiteur_dso, 182.5)
            # Paid 10 days late 250 days ago, 2 days late 10 days ago.
            old = self.create_invoice(self.debtor, 1000.0, self.d(-260))
            self.pay(old, 1000.0, self.d(-250))
            new = self.create_invoice(self.debtor, 1000.0, self.d(-12))
            self.pay(new, 1000.0, self.d(-10))
            behaviour = self.Behaviour._days_late(self.company, self.debtor)
            self.assertEqual(behaviour[self.debtor.id], (6.0, 2.0, 10.0))
            self.assertEqual(self.debtor.debiteur_avg_days_late, 6.0)
            self.assertEqual(self.debtor.debiteur_days_late_trend, -8.0)
            case = self.case_of(self.debtor)
            self.assertEqual(case.avg_days_late, 6.0)

    def test_statement_renders_in_debtor_language(self):
        self.env["res.lang"]._activate_lang("nl_NL")
        with freeze_time(TODAY):
            inv = self.create_invoice(self.debtor, 300.0, self.d(-40))
            self.pay(inv, 100.0, self.d(-5))
            case = self.case_of(self.debtor)
            report = "debiteur_dunning.action_report_debiteur_statement"
            html, _kind = self.env["ir.actions.report"]._render_qweb_html(
                report, case.ids
            )
            html = html.decode()
            self.assertIn("Statement of account", html)
            self.assertIn(inv.name, html)
            self.assertIn("200.00", html)
            self.debtor.lang = "nl_NL"
            html, _kind = self.env["ir.actions.report"]._render_qweb_html(
                report, case.ids
            )
            self.assertIn("Rekeningoverzicht", html.decode())
            action = case.action_send_statement()
            self.assertEqual(action["res_model"], "mail.compose.message")


@tagged("post_install", "-at_install", "debiteur")
class TestCaseKanbanQueries(CaseCommon):
    CARD = {
        "name": {},
        "partner_id": {"fields": {"display_name": {}}},
        "priority": {},
        "amount_overdue": {},
        "currency_id": {"fields": {}},
        "days_overdue": {},
        "highest_level_id": {"fields": {"display_name": {}}},
        "highest_level_color": {},
        "overdue_by_currency": {},
        "stage_code": {},
        "promise_date": {},
        "promise_amount": {},
        "promise_broken": {},
        "next_action_date": {},
        "activity_ids": {},
        "activity_state": {},
        "user_id": {"fields": {"display_name": {}}},
    }

    def make_cases(self, count):
        partners = self.env["res.partner"].create(
            [{"name": f"Debtor {count}-{i}", "is_company": True} for i in range(count)]
        )
        codes = ["to_remind", "reminded", "formal_notice", "disputed"]
        cases = self.Case.with_context(debiteur_case_sync=True).create(
            [
                {
                    "partner_id": partner.id,
                    "company_id": self.company.id,
                    "stage_id": self.stages[codes[i % 4]].id,
                    "user_id": self.env.user.id,
                    "amount_overdue": 100.0 + i,
                    "oldest_due_date": self.d(-i),
                    "highest_level_id": self.levels[i % 4].id,
                    "promise_date": self.d(i),
                    "promise_amount": 10.0,
                }
                for i, partner in enumerate(partners)
            ]
        )
        for case in cases:
            case.activity_schedule("mail.mail_activity_data_todo", summary="x")
        return cases

    def kanban_queries(self, cases):
        domain = [("id", "in", cases.ids)]
        self.env.invalidate_all()
        self.env.registry.clear_cache()
        Case = self.env["debiteur.case"]
        start = self.env.cr.sql_log_count
        groups = Case.web_read_group(
            domain, ["amount_overdue:sum"], ["stage_id"], lazy=True
        )
        for group in groups["groups"]:
            if not group.get("__fold"):
                Case.web_search_read(
                    group["__domain"], self.CARD, limit=80, count_limit=10001
                )
        return self.env.cr.sql_log_count - start

    def test_kanban_query_count_does_not_grow(self):
        few = self.make_cases(5)
        many = self.make_cases(50)
        self.kanban_queries(few)  # warm the caches
        self.assertEqual(self.kanban_queries(few), self.kanban_queries(many))


@tagged("post_install", "-at_install", "debiteur")
class TestCaseCron(CaseCommon):
    def test_engine_and_cron_sync(self):
        with freeze_time(TODAY):
            inv = self.create_invoice(self.debtor, 500.0, self.d(-6))
        case = self.case_of(self.debtor)
        # Pretend the case is stale; the scheduler brings it in line.
        case.with_context(debiteur_case_sync=True).write({"amount_overdue": 1.0})
        with freeze_time(self.d(1)):
            self.env["debiteur.run"]._cron_process()
            self.process_mail_queue()
        case.invalidate_recordset()
        self.assertEqual(case.amount_overdue, 500.0)
        self.assertEqual(case.stage_id.code, "reminded")
        self.assertEqual(inv.debiteur_level_id, self.level1)
        self.assertEqual(case.invoice_ids, inv)

    def test_partner_cases_and_menu_action(self):
        with freeze_time(TODAY):
            self.create_invoice(self.debtor, 10.0, self.d(-1))
        self.assertEqual(len(self.debtor.debiteur_case_ids), 1)
        self.assertEqual(self.debtor.debiteur_case_count, 1)
        action = self.debtor.action_debiteur_view_cases()
        self.assertEqual(action["domain"], [("partner_id", "=", self.debtor.id)])
        action = self.env.ref("debiteur_dunning.action_debiteur_case")
        self.assertEqual(action.with_context(lang="en_US").name, "Debtor Follow-up")
        self.assertEqual(
            self.env["debiteur.case.stage"].search([("fold", "=", True)]).code,
            "closed",
        )
        groups = self.Case.web_read_group([], ["amount_overdue:sum"], ["stage_id"])
        # Every stage is a column, empty or not (Ready for Collection Agency
        # is the eighth).
        self.assertEqual(len(groups["groups"]), 8)


@tagged("post_install", "-at_install", "debiteur", "is_tour")
class TestCaseTours(CaseCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        admin = cls.env.ref("base.user_admin")
        admin.write(
            {
                "company_ids": [Command.link(cls.company.id)],
                "company_id": cls.company.id,
            }
        )
        cls.tour_debtor = cls.env["res.partner"].create(
            {"name": "Tour Debtor BV", "is_company": True, "email": "t@d.example"}
        )
        cls.tour_skipped = cls.env["res.partner"].create(
            {"name": "Tour Skipped BV", "is_company": True, "email": "s@d.example"}
        )

    def test_manager_tour(self):
        self.create_invoice(self.tour_debtor, 700.0, date.today() - timedelta(days=20))
        self.start_tour("/odoo", "debiteur_case_manager_tour", login="admin")
        case = self.case_of(self.tour_debtor)
        self.assertEqual(case.stage_id.code, "disputed")
        self.assertEqual(case.promise_amount, 100.0)
        self.assertEqual(case.dispute_reason, "Goods damaged")

    def test_accountant_tour(self):
        for partner in (self.tour_debtor, self.tour_skipped):
            self.create_invoice(partner, 300.0, date.today() - timedelta(days=10))
        self.start_tour("/odoo", "debiteur_dunning_accountant_tour", login="admin")
        self.assertTrue(self.comms(self.tour_debtor))
        self.assertFalse(self.comms(self.tour_skipped))
