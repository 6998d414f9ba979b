from unittest.mock import patch

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import TODAY, DebiteurCommon


@tagged("post_install", "-at_install", "debiteur")
class TestEscalation(DebiteurCommon):
    def test_levels_reached_on_the_right_day(self):
        invoice = self.create_invoice(self.debtor, 500.0, self.d(-6))
        # 6 days overdue: level 1 needs 7.
        self.assertFalse(self.run_dunning(TODAY))
        self.assertFalse(invoice.debiteur_level_id)
        # 7 days overdue: the payment reminder.
        run = self.run_dunning(self.d(1))
        self.assertEqual(len(run.communication_ids), 1)
        self.assertEqual(invoice.debiteur_level_id, self.level1)
        comm = run.communication_ids
        self.assertEqual(comm.level_id, self.level1)
        self.assertEqual(comm.partner_id, self.debtor)
        self.assertEqual(comm.amount_due, 500.0)
        # Level 2 at 21 days, level 3 at 35, level 4 at 49.
        comm.invalidate_recordset()
        self.assertEqual(comm.state, "sent", comm.failure_reason)
        self.assertEqual(comm.sent_date, self.d(1))
        self.assertFalse(self.run_dunning(self.d(14)))  # 20 days
        self.run_dunning(self.d(15))  # 21 days
        self.assertEqual(invoice.debiteur_level_id, self.level2)
        self.run_dunning(self.d(29))  # 35 days
        self.assertEqual(invoice.debiteur_level_id, self.level3)
        self.run_dunning(self.d(43))  # 49 days
        self.assertEqual(invoice.debiteur_level_id, self.level4)
        # No level beyond the last one.
        self.assertFalse(self.run_dunning(self.d(80)))
        self.assertEqual(len(self.comms(self.debtor)), 4)

    def test_one_step_per_run(self):
        invoice = self.create_invoice(self.debtor, 300.0, self.d(-60))
        self.run_dunning(TODAY)
        self.assertEqual(invoice.debiteur_level_id, self.level1)
        # A week later it may go up again, but only by one level.
        self.run_dunning(self.d(7))
        self.assertEqual(invoice.debiteur_level_id, self.level2)
        self.run_dunning(self.d(14))
        self.assertEqual(invoice.debiteur_level_id, self.level3)

    def test_min_days_between(self):
        first = self.create_invoice(self.debtor, 100.0, self.d(-7))
        self.run_dunning(TODAY)
        # A second invoice becomes due for a reminder 3 days later: too soon.
        second = self.create_invoice(self.debtor, 200.0, self.d(-4))
        self.assertFalse(self.run_dunning(self.d(3)))
        self.assertFalse(second.debiteur_level_id)
        # After 7 days the debtor may get the next letter, listing both.
        run = self.run_dunning(self.d(7))
        comm = run.communication_ids
        self.assertEqual(comm.invoice_line_ids.move_id, first | second)
        self.assertEqual(second.debiteur_level_id, self.level1)
        # The first stays at level 1 (21 days not reached): listed, not escalated.
        first_line = comm.invoice_line_ids.filtered(lambda li: li.move_id == first)
        self.assertFalse(first_line.escalated)
        self.assertEqual(first_line.level_id, self.level1)
        self.assertEqual(comm.amount_due, 300.0)

    def test_min_amount(self):
        self.policy.min_amount = 50.0
        self.create_invoice(self.debtor, 49.99, self.d(-10))
        wizard = self.preview(TODAY)
        line = wizard.line_ids
        self.assertEqual(len(line), 1)
        self.assertFalse(line.selected)
        self.assertIn("minimum", line.warning)
        self.assertFalse(self.run_dunning(TODAY))
        self.create_invoice(self.debtor, 0.01, self.d(-10))
        self.assertEqual(len(self.run_dunning(TODAY).communication_ids), 1)

    def test_partial_payment_uses_residual(self):
        invoice = self.create_invoice(self.debtor, 1000.0, self.d(-10))
        self.pay(invoice, 400.0)
        comm = self.run_dunning(TODAY).communication_ids
        self.assertEqual(comm.amount_due, 600.0)
        self.assertEqual(comm.invoice_line_ids.amount_residual, 600.0)
        self.assertEqual(comm.invoice_line_ids.amount_total, 1000.0)

    def test_full_payment_drops_out(self):
        paid = self.create_invoice(self.debtor, 1000.0, self.d(-10))
        open_ = self.create_invoice(self.debtor, 80.0, self.d(-10))
        self.pay(paid, 1000.0)
        comm = self.run_dunning(TODAY).communication_ids
        self.assertEqual(comm.invoice_line_ids.move_id, open_)
        self.pay(open_, 80.0)
        self.assertFalse(self.run_dunning(self.d(30)))

    def test_foreign_currency(self):
        usd = self.setup_other_currency("CHF", rates=[("2020-01-01", 2.0)])
        self.assertNotEqual(usd, self.company.currency_id)
        self.create_invoice(self.debtor, 500.0, self.d(-10), currency=usd)
        self.create_invoice(self.debtor, 100.0, self.d(-10))
        comm = self.run_dunning(TODAY).communication_ids
        usd_line = comm.invoice_line_ids.filtered(lambda li: li.currency_id == usd)
        self.assertEqual(usd_line.amount_residual, 500.0)
        self.assertEqual(usd_line.amount_residual_company, 250.0)
        totals = {t["currency"]: t["balance"] for t in comm._currency_totals()}
        self.assertEqual(totals, {usd: 500.0, self.company.currency_id: 100.0})
        self.assertEqual(comm.amount_due, 350.0)

    def test_credit_note_and_payment_netted(self):
        self.create_invoice(self.debtor, 1000.0, self.d(-10))
        refund = self.create_invoice(
            self.debtor, 150.0, self.d(-20), move_type="out_refund"
        )
        payment = self.env["account.payment"].create(
            {
                "amount": 50.0,
                "payment_type": "inbound",
                "partner_type": "customer",
                "partner_id": self.debtor.id,
                "date": self.d(-5),
            }
        )
        payment.action_post()
        comm = self.run_dunning(TODAY).communication_ids
        self.assertEqual(comm.amount_overdue, 1000.0)
        self.assertEqual(comm.amount_credit, -200.0)
        self.assertEqual(comm.amount_due, 800.0)
        self.assertIn(refund, comm.credit_line_ids.move_id)
        self.assertEqual(len(comm.credit_line_ids), 2)

    def test_credit_balance_suppressed(self):
        self.create_invoice(self.debtor, 100.0, self.d(-10))
        self.create_invoice(self.debtor, 150.0, self.d(-20), move_type="out_refund")
        wizard = self.preview(TODAY)
        self.assertFalse(wizard.line_ids.selected)
        self.assertIn("Credit balance", wizard.line_ids.warning)
        self.assertFalse(self.run_dunning(TODAY))

    def test_blocked_invoice_left_out(self):
        blocked = self.create_invoice(self.debtor, 100.0, self.d(-10))
        other = self.create_invoice(self.debtor, 200.0, self.d(-10))
        blocked._debiteur_block("Disputed: goods damaged")
        comm = self.run_dunning(TODAY).communication_ids
        self.assertEqual(comm.invoice_line_ids.move_id, other)
        self.assertFalse(blocked.debiteur_level_id)
        # A block with an end date lifts itself on that date.
        blocked.action_debiteur_unblock()
        blocked._debiteur_block("Promise to pay", until=self.d(10))
        self.assertFalse(self.run_dunning(self.d(9)))
        comm = self.run_dunning(self.d(10)).communication_ids
        self.assertIn(blocked, comm.invoice_line_ids.move_id)

    def test_block_needs_reason(self):
        invoice = self.create_invoice(self.debtor, 100.0, self.d(-10))
        with self.assertRaises(UserError):
            invoice._debiteur_block("  ")

    def test_excluded_partner_left_out(self):
        self.create_invoice(self.debtor, 100.0, self.d(-10))
        self.create_invoice(self.other_debtor, 100.0, self.d(-10))
        self.debtor.write(
            {"debiteur_excluded": True, "debiteur_exclusion_reason": "Insolvent"}
        )
        run = self.run_dunning(TODAY)
        self.assertEqual(run.communication_ids.partner_id, self.other_debtor)

    def test_archived_contact_resolved_to_commercial_partner(self):
        contact = self.env["res.partner"].create(
            {"name": "Piet de Vries", "parent_id": self.debtor.id, "type": "contact"}
        )
        invoice = self.create_invoice(contact, 100.0, self.d(-10))
        contact.active = False
        comm = self.run_dunning(TODAY).communication_ids
        self.assertEqual(comm.partner_id, self.debtor)
        self.assertEqual(comm.recipient_id, self.debtor)
        self.assertEqual(comm.invoice_line_ids.move_id, invoice)

    def test_invoice_address_is_the_recipient(self):
        billing = self.env["res.partner"].create(
            {
                "name": "Crediteurenadministratie",
                "parent_id": self.debtor.id,
                "type": "invoice",
                "email": "crediteuren@devries.example",
            }
        )
        self.create_invoice(self.debtor, 100.0, self.d(-10))
        comm = self.run_dunning(TODAY).communication_ids
        self.assertEqual(comm.recipient_id, billing)
        self.assertEqual(comm.partner_id, self.debtor)

    def test_missing_email_falls_back_to_letter(self):
        self.debtor.email = False
        self.create_invoice(self.debtor, 100.0, self.d(-10))
        wizard = self.preview(TODAY)
        self.assertEqual(wizard.line_ids.channel, "letter")
        self.assertTrue(wizard.line_ids.selected)
        self.assertIn("No e-mail", wizard.line_ids.warning)
        comm = self.run_dunning(TODAY).communication_ids
        self.assertEqual(comm.channel, "letter")
        self.assertEqual(comm.state, "printed")
        self.assertIn("No e-mail", comm.warning)

    def test_undelivered_reminder_holds_escalation(self):
        invoice = self.create_invoice(self.debtor, 100.0, self.d(-30))
        self.run_dunning(TODAY, deliver=False)
        comm = self.comms(self.debtor)
        self.assertEqual(comm.state, "queued")
        # The reminder still waits in the mail queue: no next level yet.
        self.assertFalse(self.run_dunning(self.d(8), deliver=False))
        self.assertEqual(invoice.debiteur_level_id, self.level1)


@tagged("post_install", "-at_install", "debiteur")
class TestPreview(DebiteurCommon):
    def _row_counts(self):
        return {
            model: self.env[model].search_count([])
            for model in (
                "debiteur.communication",
                "debiteur.communication.line",
                "debiteur.run",
                "mail.mail",
                "ir.attachment",
            )
        }

    def test_preview_writes_nothing(self):
        invoice = self.create_invoice(self.debtor, 100.0, self.d(-30))
        before = self._row_counts()
        wizard = self.preview(TODAY)
        self.assertEqual(len(wizard.line_ids), 1)
        self.assertEqual(wizard.line_ids.level_id, self.level1)
        self.assertEqual(self._row_counts(), before)
        self.assertFalse(invoice.debiteur_level_id)

    def test_preview_shows_each_invoice_with_its_level_and_credits(self):
        self.create_invoice(self.debtor, 300.0, self.d(-30))
        self.create_invoice(self.debtor, 150.0, self.d(-40), move_type="out_refund")
        wizard = self.preview(TODAY)
        line = wizard.line_ids
        self.assertEqual(line.amount, 150.0)
        self.assertTrue(line.selected)
        self.assertEqual(line.amount_overdue, 300.0)
        self.assertEqual(line.amount_credit, -150.0)
        self.assertIn(self.level1.name, line.details)
        self.assertIn("Credit", line.details)

    def test_unticked_debtor_not_sent(self):
        self.create_invoice(self.debtor, 100.0, self.d(-10))
        self.create_invoice(self.other_debtor, 100.0, self.d(-10))
        wizard = self.preview(TODAY)
        wizard.line_ids.filtered(
            lambda li: li.partner_id == self.other_debtor
        ).selected = False
        with freeze_time(TODAY):
            run = self.env["debiteur.run"].browse(wizard.action_confirm()["res_id"])
        self.assertEqual(run.communication_ids.partner_id, self.debtor)

    def _count_preview_queries(self):
        self.env.invalidate_all()
        before = self.cr.sql_log_count
        proposals = self.env["debiteur.engine"]._compute_proposals(TODAY, self.company)
        return self.cr.sql_log_count - before, proposals

    def test_preview_query_count_does_not_grow(self):
        def make(n, partner):
            for i in range(n):
                self.create_invoice(partner, 100.0 + i, self.d(-10 - i))

        make(2, self.debtor)
        self._count_preview_queries()  # warm the registry caches
        small, proposals = self._count_preview_queries()
        self.assertEqual(len(proposals), 1)
        partners = self.env["res.partner"].create(
            [{"name": f"Debtor {i}", "email": f"d{i}@x.example"} for i in range(8)]
        )
        for partner in partners:
            make(5, partner)
        large, proposals = self._count_preview_queries()
        self.assertEqual(len(proposals), 9)
        self.assertEqual(sum(len(p.invoices) for p in proposals), 42)
        self.assertEqual(large, small)
        # 13, and one for the debtors held by a payment to check (Payments first).
        self.assertLessEqual(large, 14)

    def _count_apply_queries(self):
        engine = self.env["debiteur.engine"]
        proposals = engine._compute_proposals(TODAY, self.company)
        run = (
            self.env["debiteur.run"]
            .sudo()
            .create({"date": TODAY, "company_id": self.company.id, "trigger": "manual"})
        )
        self.env.flush_all()
        self.env.invalidate_all()
        before = self.cr.sql_log_count
        with freeze_time(TODAY):
            comms = engine._apply(run, proposals, send=False)
        self.env.flush_all()
        return self.cr.sql_log_count - before, comms

    def test_confirm_query_count_does_not_grow(self):
        """Confirming writes all debtors in set-based statements: the same
        queries for 1 debtor with 2 invoices as for 8 debtors with 40."""
        self.create_invoice(self.debtor, 100.0, self.d(-10))
        self._count_apply_queries()  # warm the registry caches
        for i in range(2):
            self.create_invoice(self.other_debtor, 100.0 + i, self.d(-10 - i))
        small, comms = self._count_apply_queries()
        self.assertEqual(comms.partner_id, self.other_debtor)
        self.assertEqual(len(comms.line_ids), 2)
        self.assertEqual(comms.invoice_line_ids.level_id, self.level1)
        partners = self.env["res.partner"].create(
            [
                {"name": f"Debtor {i}", "email": f"d{i}@x.example", "is_company": True}
                for i in range(8)
            ]
        )
        for partner in partners:
            for i in range(5):
                self.create_invoice(partner, 100.0 + i, self.d(-10 - i))
        large, comms = self._count_apply_queries()
        self.assertEqual(comms.partner_id, partners)
        self.assertEqual(len(comms.line_ids), 40)
        self.assertEqual(len(set(comms.mapped("name"))), 8)
        self.assertEqual(comms.invoice_line_ids.level_id, self.level1)
        self.assertTrue(all(comms.invoice_line_ids.mapped("escalated")))
        # One company check may miss the cache in a batch of several debtors:
        # at most one query more, whatever their number (19-20 here).
        self.assertLessEqual(large, small + 1)
        self.assertLessEqual(large, 25)


@tagged("post_install", "-at_install", "debiteur")
class TestBulkInsert(DebiteurCommon):
    """Confirm inserts reminders and their lines in bulk: the records must
    be exactly what ``create()`` would have made of the same values."""

    def assert_same_records(self, by_orm, by_sql, ignore=()):
        skip = {"id", "create_date", "write_date", *ignore}
        by_orm, by_sql = by_orm.sudo(), by_sql.sudo()
        for name, field in by_orm._fields.items():
            if field.store and field.column_type and name not in skip:
                self.assertEqual(by_sql[name], by_orm[name], name)

    def test_insert_matches_create(self):
        self.create_invoice(self.debtor, 250.0, self.d(-30))
        self.create_invoice(self.debtor, 100.0, self.d(-10))
        self.create_invoice(self.debtor, 40.0, self.d(10), move_type="out_refund")
        engine = self.env["debiteur.engine"]
        run = (
            self.env["debiteur.run"]
            .sudo()
            .create({"date": TODAY, "company_id": self.company.id, "trigger": "manual"})
        )
        proposals = engine._compute_proposals(TODAY, self.company)
        (vals,) = engine._communication_vals_list(run, proposals)
        line_vals = vals.pop("lines")
        self.assertEqual({v["line_type"] for v in line_vals}, {"invoice", "credit"})
        vals.update(name="DUN/TEST/1", payment_reference="RF18DUNTEST1")
        # Reminders are evidence: the server's own code creates them (sudo).
        by_orm = self.env["debiteur.communication"].sudo().create(dict(vals))
        by_sql = self.env["debiteur.communication"]._debiteur_insert(
            [dict(vals, name="DUN/TEST/2")]
        )
        self.env.flush_all()
        self.env.invalidate_all()
        self.assert_same_records(by_orm, by_sql, ignore=("name",))
        self.assertEqual(by_sql.reference_date, TODAY)
        Line = self.env["debiteur.communication.line"].sudo()
        # Not escalated: the same invoice may then be listed twice.
        lines = [dict(v, escalated=False) for v in line_vals]
        orm_lines = Line.create([dict(v, communication_id=by_orm.id) for v in lines])
        sql_lines = Line._debiteur_insert(
            [
                dict(
                    v,
                    communication_id=by_sql.id,
                    company_id=self.company.id,
                    partner_id=self.debtor.id,
                    state="draft",
                )
                for v in lines
            ],
        )
        self.env.flush_all()
        self.env.invalidate_all()
        self.assertEqual(len(sql_lines), len(line_vals))
        self.assertEqual(by_sql.line_ids, sql_lines)
        for orm_line, sql_line in zip(orm_lines, sql_lines, strict=True):
            self.assert_same_records(orm_line, sql_line, ignore=("communication_id",))

    def test_insert_names_as_create_does(self):
        """Without a number, ``_debiteur_insert`` draws the next ones of the
        sequence and makes the payment references, as ``create()`` does."""
        self.create_invoice(self.debtor, 250.0, self.d(-30))
        engine = self.env["debiteur.engine"]
        run = (
            self.env["debiteur.run"]
            .sudo()
            .create({"date": TODAY, "company_id": self.company.id, "trigger": "manual"})
        )
        proposals = engine._compute_proposals(TODAY, self.company)
        (vals,) = engine._communication_vals_list(run, proposals)
        vals.pop("lines")
        Comm = self.env["debiteur.communication"].sudo()
        by_orm = Comm.create(dict(vals))
        by_sql = Comm._debiteur_insert([dict(vals), dict(vals)])
        # The same sequence, one number after the other.
        prefix, number = by_orm.name.rsplit("/", 1)
        self.assertEqual(
            by_sql.mapped("name"),
            [f"{prefix}/{int(number) + i:06d}" for i in (1, 2)],
        )
        for comm in by_orm | by_sql:
            self.assertEqual(
                comm.payment_reference,
                Comm._payment_reference_for(self.company, comm.name),
            )
        self.assertEqual(by_sql.create_uid, self.env.user)
        self.assertTrue(all(by_sql.mapped("create_date")))

    def test_insert_checks_rights_and_values(self):
        Line = self.env["debiteur.communication.line"]
        reader = self.env["res.users"].create(
            {
                "name": "Reader",
                "login": "reader_bulk",
                "groups_id": [(6, 0, [self.env.ref("base.group_user").id])],
            }
        )
        with self.assertRaises(AccessError):
            Line.with_user(reader)._debiteur_insert([{"move_id": 1}])
        with self.assertRaises(ValueError):
            Line._debiteur_insert([{"details": 1}])

    def test_insert_keeps_rules_and_company_checks(self):
        """The record rules and the company check, made for all records at
        once, refuse what ``create()`` refuses: a reminder in a company the
        user may not work in, a reminder whose run is another company's."""
        self.setup_role_users("bulk")
        other = self.setup_other_company(name="Andere BV")["company"]
        self.create_invoice(self.debtor, 250.0, self.d(-30))
        engine = self.env["debiteur.engine"]
        run = (
            self.env["debiteur.run"]
            .sudo()
            .create({"date": TODAY, "company_id": self.company.id, "trigger": "manual"})
        )
        (vals,) = engine._communication_vals_list(
            run, engine._compute_proposals(TODAY, self.company)
        )
        vals.pop("lines")
        # Numbered already: drawing numbers in the other company would refuse
        # the user before the record rules are asked.
        vals.update(name="DUN/TEST/1", payment_reference="RF18DUNTEST1")
        Comm = self.env["debiteur.communication"]
        as_user = Comm.with_user(self.dunning_user)
        mine = as_user._debiteur_insert([dict(vals), dict(vals)])
        self.assertEqual(mine.company_id, self.company)
        with self.assertRaises(AccessError):
            as_user._debiteur_insert([dict(vals), dict(vals, company_id=other.id)])
        # The rules' check itself, in one query for all the records.
        mine.with_user(self.dunning_user)._debiteur_check_rules("create")
        self.env.cr.execute(
            "UPDATE debiteur_communication SET company_id = %s WHERE id = %s",
            [other.id, mine[1].id],
        )
        self.env.invalidate_all()
        with self.assertRaises(AccessError):
            mine.with_user(self.dunning_user)._debiteur_check_rules("create")
        mine[0].with_user(self.dunning_user)._debiteur_check_rules("create")
        with self.assertRaisesRegex(UserError, "Incompatible companies"):
            Comm.sudo()._debiteur_insert([dict(vals), dict(vals, company_id=other.id)])


@tagged("post_install", "-at_install", "debiteur")
class TestFormalNotice(DebiteurCommon):
    def test_deadline_stored_and_next_level_waits(self):
        self.level4.channel = "letter"
        # A fifth level right after the notice: it must wait for the term.
        level5 = self.env["debiteur.level"].create(
            {
                "policy_id": self.policy.id,
                "sequence": 50,
                "name": "Collection",
                "delay_days": 50,
                "channel": "email",
            }
        )
        invoice = self.create_invoice(self.debtor, 100.0, self.d(-49))
        for step in range(4):
            self.run_dunning(self.d(7 * step))
        self.assertEqual(invoice.debiteur_level_id, self.level4)
        notice = self.comms(self.debtor)[-1]
        self.assertEqual(notice.level_id, self.level4)
        # Sent by post on day 21: received day 23, term ends 14 days later.
        self.assertEqual(notice.legal_deadline, self.d(21 + 2 + 14))
        self.assertFalse(self.run_dunning(self.d(37)))
        self.run_dunning(self.d(38))
        self.assertEqual(invoice.debiteur_level_id, level5)

    def test_ordinary_reminder_has_no_deadline(self):
        self.create_invoice(self.debtor, 100.0, self.d(-10))
        self.assertFalse(self.run_dunning(TODAY).communication_ids.legal_deadline)


@tagged("post_install", "-at_install", "debiteur")
class TestHooks(DebiteurCommon):
    """The hooks later features extend: debtors held back, work before dunning."""

    HOLD = "A payment came in that is not matched yet."

    def setUp(self):
        super().setUp()
        self.create_invoice(self.debtor, 100.0, self.d(-10))
        self.create_invoice(self.other_debtor, 100.0, self.d(-10))
        self.holding = False

        def hold(partners, date, company):
            if self.holding and self.debtor in partners:
                return {self.debtor.id: self.HOLD}
            return {}

        Partner = type(self.env["res.partner"])
        patcher = patch.object(Partner, "_debiteur_hold_reasons", hold)
        patcher.start()
        self.addCleanup(patcher.stop)

    def test_held_debtor_kept_from_the_wizard(self):
        with freeze_time(TODAY):
            self.holding = True
            wizard = self.preview(TODAY)
            line = wizard.line_ids.filtered(lambda w: w.partner_id == self.debtor)
            self.assertFalse(line.selectable)
            self.assertFalse(line.selected)
            self.assertIn(self.HOLD, line.warning)
            line.selected = True
            with self.assertRaisesRegex(UserError, self.HOLD):
                wizard.action_confirm()
            # Held between the preview and the confirmation: not sent either.
            self.holding = False
            wizard = self.preview(TODAY)
            self.assertTrue(wizard.line_ids.mapped("selected"))
            self.holding = True
            wizard.action_confirm()
        self.assertFalse(self.comms(self.debtor))
        self.assertEqual(len(self.comms(self.other_debtor)), 1)

    def test_held_debtor_kept_from_the_scheduler(self):
        self.holding = True
        with freeze_time(TODAY):
            self.assertEqual(self.env["debiteur.run"]._cron_run(), 0)
        self.assertFalse(self.comms(self.debtor))
        self.assertEqual(len(self.comms(self.other_debtor)), 1)
        # Once the hold is gone, the next scheduler run reminds the debtor.
        self.holding = False
        with freeze_time(TODAY):
            self.env["debiteur.run"]._cron_run()
        self.assertEqual(len(self.comms(self.debtor)), 1)

    def test_work_before_dunning(self):
        Company = type(self.env["res.company"])
        with (
            patch.object(Company, "_debiteur_before_dunning", autospec=True) as hook,
            freeze_time(TODAY),
        ):
            self.preview(TODAY)
            hook.assert_called_once_with(self.company, TODAY)
            hook.reset_mock()
            self.env["debiteur.run"]._cron_run()
            hook.assert_any_call(self.company, TODAY)
