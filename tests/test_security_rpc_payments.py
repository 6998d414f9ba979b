"""Live JSON-RPC refusal probes for Payments to Match.

A real server on a copy of the test database (the harness of
``test_live_server.py``, seeded with its ``live_<role>`` users, no scheduler
debtors): a dunning user and a dunning manager try to write match proposals
directly; every refusal is re-read in SQL to prove nothing changed, and the
manager's one-click Reject goes through.
"""

import json

from odoo.tests import tagged

try:
    from . import live_server as ls
    from . import test_live_server as tls
except ImportError:  # collected as a top-level module by pytest
    import live_server as ls
    import test_live_server as tls

ACCESS_ERROR = tls.ACCESS_ERROR

MATCHES = r"""
import json
from datetime import timedelta
from odoo import Command, fields

env = env(context=dict(env.context, tracking_disable=True, lang="en_US"))
today = fields.Date.context_today(env["res.users"])
company = env.ref("base.main_company")
debtor = env["res.partner"].create({"name": "Live Payer BV", "is_company": True})
due = today - timedelta(days=40)
move = env["account.move"].with_company(company).create({
    "move_type": "out_invoice", "partner_id": debtor.id,
    "invoice_date": due - timedelta(days=14), "invoice_date_due": due,
    "invoice_payment_term_id": False,
    "invoice_line_ids": [Command.create({
        "name": "Goods", "quantity": 1, "price_unit": 250.0, "tax_ids": []})],
})
move.action_post()
journal = env["account.journal"].search(
    [("type", "=", "bank"), ("company_id", "=", company.id)], limit=1)
line = env["account.bank.statement.line"].create({
    "journal_id": journal.id, "date": today, "amount": 250.0,
    "payment_ref": "Betaling %%s" %% move.name,
})
env["debiteur.payment.match"]._debiteur_scan(company, today)
match = env["debiteur.payment.match"].search([("statement_line_id", "=", line.id)])
env.cr.commit()
print("MATCH-RESULT " + json.dumps({
    "match": match.id, "line": line.id, "move": move.id, "debtor": debtor.id,
}))
"""

COLUMNS = "state, rule, amount, partner_id, decided_by_id, write_date"


@tagged("post_install", "-at_install", "debiteur", "live_server")
class TestSecurityRpcPayments(tls.TestLiveServer):
    """Refusals over JSON-RPC, each re-read in SQL."""

    sizes = {}  # none of the scheduler scenarios' debtors
    # Only this file's probes here: the inherited scenarios run in their own file.
    test_1_real_mail = test_2_smtp_down_then_retry = test_3_sigkill_mid_run = None
    test_4_concurrent_runs = test_5_payment_during_run = None
    test_6_access_control = None

    @classmethod
    def _build(cls, source):
        built = super()._build(source)
        out = ls.odoo_shell(cls.conf, cls.db, MATCHES % {}, cls.log)
        line = [x for x in out.splitlines() if x.startswith("MATCH-RESULT ")]
        if not line:
            raise RuntimeError(f"match seeding failed: {out[-2000:]} ({cls.log})")
        cls.seeded = json.loads(line[-1].split(" ", 1)[1])
        return built

    def row(self):
        return self.sql(
            f"SELECT {COLUMNS} FROM debiteur_payment_match WHERE id = %s",
            [self.seeded["match"]],
        )

    def count(self):
        return self.sql("SELECT count(*) FROM debiteur_payment_match")

    def assert_refused(self, call):
        before, count = self.row(), self.count()
        with self.assertRaises(ls.RpcError) as caught:
            call()
        self.assertEqual(caught.exception.name, ACCESS_ERROR, caught.exception.message)
        self.assertEqual(self.row(), before)
        self.assertEqual(self.count(), count)

    def test_match_written_only_through_the_buttons(self):
        m = self.seeded["match"]
        self.assertEqual(self.row()[0][0], "to_check")
        user, manager = self.client("user"), self.client("manager")
        rows = user("debiteur.payment.match", "read", [m], ["state", "rule"])
        self.assertEqual(rows[0]["state"], "to_check")
        for client in (user, manager):
            self.assert_refused(
                lambda c=client: c(
                    "debiteur.payment.match", "write", [m], {"state": "accepted"}
                )
            )
            self.assert_refused(
                lambda c=client: c(
                    "debiteur.payment.match",
                    "write",
                    [m],
                    {"invoice_ids": [[6, 0, []]]},
                )
            )
            self.assert_refused(
                lambda c=client: c(
                    "debiteur.payment.match",
                    "create",
                    {
                        "statement_line_id": self.seeded["line"],
                        "company_id": 1,
                        "currency_id": 1,
                        "rule": "number",
                    },
                )
            )
            self.assert_refused(
                lambda c=client: c("debiteur.payment.match", "unlink", [m])
            )
        # A dunning user may not decide; a manager may, in one click.
        self.assert_refused(
            lambda: user("debiteur.payment.match", "action_accept", [m])
        )
        self.assert_refused(
            lambda: user("debiteur.payment.match", "action_reject", [m])
        )
        # Another company's manager does not see it at all.
        self.assert_refused(
            lambda: self.client("other")("debiteur.payment.match", "action_reject", [m])
        )
        manager("debiteur.payment.match", "action_reject", [m])
        self.assertEqual(self.row()[0][0], "rejected")
