"""Two postings for a new debtor at once, on a real server: one open case, no
error. A SHARE lock on debiteur_case holds both transactions just before they
insert the case (both have looked and found none), then lets them go."""

import json

from odoo.tests import tagged

try:
    from . import live_server as ls
    from . import test_live_server as tls
except ImportError:  # collected as a top-level module by pytest
    import live_server as ls
    import test_live_server as tls

RACE = r"""
import json
from datetime import timedelta
from odoo import Command, fields

env = env(context=dict(env.context, tracking_disable=True, lang="en_US"))
today = fields.Date.context_today(env["res.users"])
company = env.ref("base.main_company")
debtor = env["res.partner"].create({
    "name": "Live Race BV", "is_company": True, "email": "race@live.example",
    "debiteur_excluded": True,
})
sale = env["account.journal"].search(
    [("type", "=", "sale"), ("company_id", "=", company.id)], limit=1)
# Two journals: the two postings do not wait for each other's number.
other = sale.copy({"name": "Live Race Sales", "code": "LRS"})
ids = []
for journal in (sale, other):
    due = today - timedelta(days=10)
    move = env["account.move"].with_company(company).create({
        "move_type": "out_invoice", "partner_id": debtor.id, "journal_id": journal.id,
        "invoice_date": due - timedelta(days=14), "invoice_date_due": due,
        "invoice_payment_term_id": False,
        "invoice_line_ids": [Command.create({
            "name": "Goods", "quantity": 1, "price_unit": 120.0, "tax_ids": []})],
    })
    ids.append(move.id)
env.cr.commit()
print("RACE-RESULT " + json.dumps({"partner": debtor.id, "moves": ids}))
"""


@tagged("post_install", "-at_install", "debiteur", "live_server")
class TestLiveCaseRace(tls.TestLiveServer):
    sizes = {}
    test_1_real_mail = test_2_smtp_down_then_retry = test_3_sigkill_mid_run = None
    test_4_concurrent_runs = test_5_payment_during_run = None
    test_6_access_control = None

    @classmethod
    def _build(cls, source):
        built = super()._build(source)
        out = ls.odoo_shell(cls.conf, cls.db, RACE, cls.log)
        line = [x for x in out.splitlines() if x.startswith("RACE-RESULT ")]
        if not line:
            raise RuntimeError(f"race seeding failed: {out[-2000:]} ({cls.log})")
        cls.race = json.loads(line[-1].split(" ", 1)[1])
        return built

    def waiting_on_cases(self):
        return self.sql(
            """
            SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database
             WHERE d.datname = %s AND l.relation = 'debiteur_case'::regclass
               AND NOT l.granted
            """,
            [self.db],
        )[0][0]

    def test_two_postings_one_case(self):
        partner, moves = self.race["partner"], self.race["moves"]
        lock = ls.pg_connect(self.db)
        lock.autocommit = False
        try:
            with lock.cursor() as cr:
                cr.execute("LOCK TABLE debiteur_case IN SHARE MODE")
            posts = [
                self.in_thread(
                    lambda move_id: self.admin(
                        "account.move", "action_post", [move_id]
                    ),
                    move_id,
                )
                for move_id in moves
            ]
            ls.wait_until(
                lambda: self.waiting_on_cases() >= 2, 120, 0.1, "both postings"
            )
        finally:
            lock.rollback()  # lets both go at once
            lock.close()
        for thread, _result in posts:
            thread.join(120)
        errors = [result.get("error") for _thread, result in posts]
        self.assertEqual(errors, [None, None])
        self.assertEqual(
            self.sql(
                "SELECT count(*) FROM account_move WHERE id = ANY(%s) "
                "AND state = 'posted'",
                [moves],
            )[0][0],
            2,
        )
        cases = self.sql(
            "SELECT id, amount_overdue FROM debiteur_case WHERE partner_id = %s "
            "AND is_closed IS NOT TRUE",
            [partner],
        )
        self.assertEqual(len(cases), 1)
        # The transaction that lost the race synced the case again after its
        # commit: both invoices are in it.
        ls.wait_until(
            lambda: (
                self.sql(
                    "SELECT amount_overdue FROM debiteur_case WHERE id = %s",
                    [cases[0][0]],
                )[0][0]
                == 240.0
            ),
            30,
            0.2,
            "the case with both invoices",
        )
