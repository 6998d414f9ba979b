"""Real mail, faults, concurrency and access control against real Odoo servers.

These tests start ``python3 -m odoo`` processes on a copy of the test database
(``dd_live_<pid>``, dropped at the end), an SMTP sink (aiosmtpd) on loopback,
and talk to them over JSON-RPC: nothing here runs in the pytest transaction.

Every scenario works on its own debtors, seeded once and kept out of the
scheduler (``debiteur_excluded``) until the scenario lets them in.
"""

import io
import json
import logging
import os
import shutil
import tempfile
import threading
import time
import unittest

from PyPDF2 import PdfReader

from odoo.tests import tagged
from odoo.tools import config

try:
    from . import live_server as ls
except ImportError:  # collected as a top-level module by pytest
    import live_server as ls

ADVISORY_LOCK_KEY = 0x64756E6E  # debiteur_engine.ADVISORY_LOCK_KEY
CRON_BATCH_SIZE = 50  # debiteur_run.CRON_BATCH_SIZE
SIZES = {"kill": 230, "pay": 140, "race": 150}
CRON = "debiteur_dunning.ir_cron_debiteur_run"
MAIL_CRON = "mail.ir_cron_mail_scheduler_action"
ACCESS_ERROR = "odoo.exceptions.AccessError"
USER_ERROR = "odoo.exceptions.UserError"
_logger = logging.getLogger(__name__)

SEED = r"""
import json
from datetime import timedelta
from odoo import Command, fields

P = json.loads(%(params)r)
env = env(context=dict(env.context, tracking_disable=True, lang="en_US"))
today = fields.Date.context_today(env["res.users"])
ICP = env["ir.config_parameter"].sudo()
for key in ("web.base.url", "report.url"):
    ICP.set_param(key, P["url"])
ICP.set_param("web.base.url.freeze", "True")
env["ir.mail_server"].search([]).unlink()
env["ir.mail_server"].create({
    "name": "Live sink", "smtp_host": "127.0.0.1", "smtp_port": P["smtp_port"],
    "smtp_encryption": "none", "sequence": 1,
})
company = env.ref("base.main_company")
eur = env.ref("base.EUR")
company.partner_id.write({
    "email": "billing@live-company.example", "street": "Keizersgracht 1",
    "zip": "1015 CJ", "city": "Amsterdam",
})
company.company_registry = "12345678"
other = env["res.company"].create({"name": "Live Other Co", "currency_id": eur.id})
env["account.chart.template"].try_loading("generic_coa", other, install_demo=False)
other.partner_id.write({"email": "billing@live-other.example"})
admin = env.ref("base.user_admin")
admin.write({"password": "admin"})

def setup_policies(co):
    pols = co.debiteur_policy_business_id | co.debiteur_policy_consumer_id
    pols.write({"auto_send": True, "min_amount": 0.0, "min_days_between": 7})
    pols.level_ids.write({"channel": "email"})
    phone = env["debiteur.policy"].create({
        "name": "Live phone", "company_id": co.id, "auto_send": True,
        "min_amount": 0.0, "min_days_between": 7,
        "level_ids": [
            Command.create({"name": "Call 1", "sequence": 1, "delay_days": 7,
                            "channel": "phone"}),
            Command.create({"name": "Call 2", "sequence": 2, "delay_days": 21,
                            "channel": "phone"}),
        ],
    })
    return phone

phone = setup_policies(company)
phone_other = setup_policies(other)
out = {"company": company.id, "other": other.id, "phone": phone.id}

def partners(tag, count, co, lang="en_US", policy=False, excluded=True):
    vals = [{
        "name": "Live %%s %%03d" %% (tag, i), "ref": "live-%%s" %% tag,
        "is_company": True, "lang": lang,
        "email": "%%s%%03d@debtor.example" %% (tag, i),
        "company_id": co.id, "debiteur_excluded": excluded,
        "debiteur_policy_id": policy and policy.id,
    } for i in range(count)]
    return env["res.partner"].create(vals)

def invoices(parts, co, amount=100.0, days=10, per=1):
    vals = []
    for p in parts:
        for j in range(per):
            due = today - timedelta(days=days)
            vals.append({
                "move_type": "out_invoice", "partner_id": p.id,
                "invoice_date": due - timedelta(days=14), "invoice_date_due": due,
                "invoice_payment_term_id": False, "currency_id": eur.id,
                "invoice_line_ids": [Command.create({
                    "name": "Goods", "quantity": 1, "price_unit": amount + j,
                    "tax_ids": []})],
            })
    moves = env["account.move"].with_company(co).create(vals)
    moves.action_post()
    return moves

# 1. real mail: a Dutch and an English debtor, allowed in from the start
nl = partners("nl", 1, company, lang="nl_NL", excluded=False)
en = partners("en", 1, company, excluded=False)
invoices(nl, company, per=2)
invoices(en, company)
out["mail"] = {"nl": nl.id, "en": en.id, "nl_email": nl.email, "en_email": en.email}
# 2. SMTP down
down = partners("down", 2, company)
invoices(down, company)
out["down"] = down.ids
# 3, 4, 5: many debtors called by phone (no letter to render: fast batches)
for tag, size in P["sizes"].items():
    group = partners(tag, size, company, policy=phone)
    invoices(group, company)
    out[tag] = group.ids
# 5: the last two debtors of their run (due later): paid during the run
late = partners("paylate", 2, company, policy=phone)
out["paylate"] = late.ids
out["paylate_moves"] = invoices(late, company, amount=300.0, days=8).ids
# 6: one reminder in each company
acl = partners("acl", 1, company, policy=phone, excluded=False)
invoices(acl, company)
acl_other = partners("aclother", 1, other, policy=phone_other, excluded=False)
invoices(acl_other, other)
Engine = env["debiteur.engine"]
out["acl_run"] = Engine._run(today, company, "manual", partner_ids=acl.ids).id
out["acl_other_run"] = Engine._run(today, other, "manual", partner_ids=acl_other.ids).id
out["agency"] = env["res.partner"].create({
    "name": "Live Agency", "debiteur_agency_type": "incassobureau",
    "email": "agency@live.example",
}).id
groups = {
    "portal": ["base.group_portal"],
    "internal": ["account.group_account_invoice"],
    "user": ["debiteur_dunning.group_debiteur_user"],
    "manager": ["debiteur_dunning.group_debiteur_manager"],
    "other": ["debiteur_dunning.group_debiteur_manager"],
}
# Internal users may export (Odoo's own right): the refusals are the addon's.
for role in ("internal", "user", "manager", "other"):
    groups[role] += ["base.group_user", "base.group_allow_export"]
for role, xmlids in groups.items():
    co = other if role == "other" else company
    env["res.users"].with_context(no_reset_password=True).create({
        "name": "Live %%s" %% role, "login": "live_%%s" %% role,
        "password": "live_%%s_pw" %% role, "email": "live_%%s@example.com" %% role,
        "company_id": co.id, "company_ids": [Command.set(co.ids)],
        "groups_id": [Command.set([env.ref(x).id for x in xmlids])],
    })
env.cr.commit()
print("SEED-RESULT " + json.dumps(out))
"""


@tagged("post_install", "-at_install", "debiteur", "live_server")
class TestLiveServer(unittest.TestCase):
    """Real Odoo servers on a copy of the test database."""

    server = sink = None
    extra_servers = ()
    sizes = SIZES  # debtors seeded per scenario (a subclass may seed fewer)

    # ------------------------------------------------------------------
    # set-up and tear-down
    # ------------------------------------------------------------------
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        try:
            import aiosmtpd  # noqa: F401
        except ImportError:
            raise unittest.SkipTest("aiosmtpd is not installed") from None
        if not shutil.which("wkhtmltopdf"):
            raise unittest.SkipTest("wkhtmltopdf is missing: no letters to attach")
        source = config["db_name"]
        source = source[0] if isinstance(source, list) else source
        if not source:
            raise unittest.SkipTest("no test database given (--odoo-database)")
        cls.started = time.monotonic()
        cls.tmp = tempfile.mkdtemp(prefix="dd_live_")
        cls.db = f"dd_live_{os.getpid()}"
        cls.conf = os.path.join(cls.tmp, "odoo.conf")
        cls.log = os.path.join(cls.tmp, "odoo.log")
        ls.write_config(cls.conf, os.path.join(cls.tmp, "data"))
        try:
            cls._build(source)
        except BaseException:
            cls._cleanup()
            raise

    @classmethod
    def _build(cls, source):
        if ls.copy_database(source, cls.db):
            src = config.filestore(source)
            if os.path.isdir(src):
                shutil.copytree(src, os.path.join(cls.tmp, "data", "filestore", cls.db))
        else:  # the test database is busy: a fresh install (~1 min)
            ls.install_database(cls.conf, cls.db, cls.log)
        cls.smtp_port = ls.free_port()
        cls.server = ls.OdooServer(cls.conf, cls.db, cls.log)
        params = {
            "url": cls.server.url,
            "smtp_port": cls.smtp_port,
            "sizes": cls.sizes,
        }
        out = ls.odoo_shell(
            cls.conf, cls.db, SEED % {"params": json.dumps(params)}, cls.log
        )
        line = [x for x in out.splitlines() if x.startswith("SEED-RESULT ")]
        if not line:
            raise RuntimeError(f"seeding failed: {out[-2000:]} (log: {cls.log})")
        cls.ids = json.loads(line[-1].split(" ", 1)[1])
        cls.sink = ls.SmtpSink(cls.smtp_port).start()
        cls.server.start()
        cls.admin = ls.Client(cls.server.url, cls.db, "admin", "admin")

    @classmethod
    def tearDownClass(cls):
        cls._cleanup()
        super().tearDownClass()

    @classmethod
    def _cleanup(cls):
        for server in (cls.server, *cls.extra_servers):
            if server:
                server.stop()
        if cls.sink:
            cls.sink.stop()
        try:
            ls.drop_database(cls.db)
        finally:
            shutil.rmtree(cls.tmp, ignore_errors=True)

    # ------------------------------------------------------------------
    # helpers
    # ------------------------------------------------------------------
    def sql(self, query, params=None):
        return ls.sql(self.db, query, params)

    def client(self, role, server=None):
        server = server or self.server
        return ls.Client(server.url, self.db, f"live_{role}", f"live_{role}_pw")

    def trigger(self, xmlid, client=None):
        client = client or self.admin
        module, name = xmlid.split(".")
        cron_id = client("ir.model.data", "check_object_reference", module, name)[1]
        return client("ir.cron", "method_direct_trigger", [cron_id])

    def run_scheduler(self, client=None):
        self.trigger(CRON, client)

    def run_mail_queue(self):
        self.trigger(MAIL_CRON)

    def let_in(self, partner_ids):
        self.admin("res.partner", "write", partner_ids, {"debiteur_excluded": False})

    def comms(self, partner_ids, fields=("state", "sent_date", "failure_reason")):
        return self.admin(
            "debiteur.communication",
            "search_read",
            [("partner_id", "in", partner_ids)],
            ["partner_id", *fields],
            order="id",
        )

    def assert_no_duplicate(self):
        """The engine's rule: one line per invoice x level, cancelled aside."""
        rows = self.sql(
            """
            SELECT l.move_id, l.level_id, count(*)
              FROM debiteur_communication_line l
              JOIN debiteur_communication c ON c.id = l.communication_id
             WHERE l.line_type = 'invoice' AND c.state != 'cancelled'
               AND l.escalated
             GROUP BY 1, 2 HAVING count(*) > 1
            """
        )
        self.assertEqual(rows, [], "an invoice got the same level twice")
        rows = self.sql(
            """
            SELECT run_id, partner_id, count(*) FROM debiteur_communication
             WHERE state != 'cancelled' GROUP BY 1, 2 HAVING count(*) > 1
            """
        )
        self.assertEqual(rows, [], "a debtor got two reminders in one run")

    def reminded_invoices(self, partner_ids):
        """{move_id: number of non-cancelled escalated lines} of these debtors."""
        rows = self.sql(
            """
            SELECT l.move_id, count(*)
              FROM debiteur_communication_line l
              JOIN debiteur_communication c ON c.id = l.communication_id
             WHERE c.partner_id = ANY(%s) AND c.state != 'cancelled'
               AND l.line_type = 'invoice' AND l.escalated
             GROUP BY 1
            """,
            [partner_ids],
        )
        return dict(rows)

    def due_invoices(self, partner_ids):
        rows = self.sql(
            """
            SELECT id FROM account_move
             WHERE partner_id = ANY(%s) AND move_type = 'out_invoice'
               AND state = 'posted' AND amount_residual > 0
            """,
            [partner_ids],
        )
        return {r[0] for r in rows}

    def committed_comms(self, partner_ids):
        return self.sql(
            "SELECT count(*) FROM debiteur_communication WHERE partner_id = ANY(%s)",
            [partner_ids],
        )[0][0]

    def advisory_lock_held(self):
        return self.sql(
            """
            SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database
             WHERE l.locktype = 'advisory' AND d.datname = %s
               AND l.classid = %s AND l.objid = %s AND l.granted
            """,
            [self.db, ADVISORY_LOCK_KEY, self.ids["company"]],
        )[0][0]

    def in_thread(self, target, *args):
        """Run ``target`` in a thread; return (thread, result dict)."""
        result = {}

        def run():
            try:
                result["value"] = target(*args)
            except Exception as exc:  # noqa: BLE001 kept for the assertions
                result["error"] = exc

        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        return thread, result

    # ------------------------------------------------------------------
    # 1. Real mail
    # ------------------------------------------------------------------
    def test_1_real_mail(self):
        ids = self.ids["mail"]
        self.run_scheduler()
        comms = self.comms([ids["nl"], ids["en"]])
        self.assertEqual(len(comms), 2, "one reminder per debtor")
        self.assertEqual({c["state"] for c in comms}, {"queued"})
        self.run_mail_queue()

        cases = [
            (ids["nl_email"], "Betalingsherinnering", "Geachte", 2),
            (ids["en_email"], "Payment reminder", "Dear", 1),
        ]
        for address, subject, greeting, invoice_count in cases:
            with self.subTest(debtor=address):
                received = self.sink.to(address)
                self.assertEqual(len(received), 1, "exactly one message per debtor")
                envelope = received[0]
                self.assertEqual(envelope["rcpt"], [address])
                self.assertIn("billing@live-company.example", envelope["from"])
                message = envelope["message"]
                self.assertTrue(
                    message["Subject"].startswith(subject), message["Subject"]
                )
                self.assertNotIn(
                    "Payment reminder" if subject != "Payment reminder" else "Betal",
                    message["Subject"],
                )
                body = message.get_body(("html", "plain")).get_content()
                self.assertIn(greeting, body)
                attachments = list(message.iter_attachments())
                self.assertEqual(len(attachments), 1, "the letter is attached")
                letter = attachments[0]
                self.assertEqual(letter.get_content_type(), "application/pdf")
                self.assertTrue(letter.get_content().startswith(b"%PDF"))
                invoice_names = self.admin(
                    "account.move",
                    "search_read",
                    [("partner_id.email", "=", address)],
                    ["name"],
                )
                self.assertEqual(len(invoice_names), invoice_count)
                # Styled by the server's own CSS and still text, not outlines
                # (on an unpatched wkhtmltopdf the reports use a system font):
                # the invoices can be found in the letter, which stays small.
                pdf = letter.get_content()
                text = "".join(
                    page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages
                )
                for invoice in invoice_names:
                    self.assertIn(invoice["name"], text)
                self.assertLess(len(pdf), 200_000, "a letter of a page or two")
                for invoice in invoice_names:
                    self.assertIn(invoice["name"], body)
        comms = self.comms([ids["nl"], ids["en"]])
        self.assertEqual({c["state"] for c in comms}, {"sent"})
        self.assertTrue(all(c["sent_date"] for c in comms))
        # Running everything again sends nothing twice.
        self.run_scheduler()
        self.run_mail_queue()
        self.assertEqual(len(self.comms([ids["nl"], ids["en"]])), 2)
        for address in (ids["nl_email"], ids["en_email"]):
            self.assertEqual(len(self.sink.to(address)), 1)
        self.assert_no_duplicate()

    # ------------------------------------------------------------------
    # 2. SMTP sink down, then retry
    # ------------------------------------------------------------------
    def test_2_smtp_down_then_retry(self):
        debtors = self.ids["down"]
        emails = [
            p["email"] for p in self.admin("res.partner", "read", debtors, ["email"])
        ]
        self.let_in(debtors)
        self.sink.stop()
        try:
            self.run_scheduler()
            self.run_mail_queue()
        finally:
            self.sink = ls.SmtpSink(self.smtp_port).start()
            type(self).sink = self.sink
        comms = self.comms(debtors)
        self.assertEqual(len(comms), 2)
        for comm in comms:
            self.assertEqual(comm["state"], "failed")
            self.assertTrue(comm["failure_reason"], "the reason is kept")
            self.assertFalse(comm["sent_date"], "nothing marked sent")
        for address in emails:
            self.assertEqual(self.sink.to(address), [])
        # Nothing is escalated over a failed reminder, nothing sent twice.
        self.run_scheduler()
        self.assertEqual(len(self.comms(debtors)), 2)

        user = self.client("user")
        user("debiteur.communication", "action_retry", [c["id"] for c in comms])
        self.run_mail_queue()
        self.run_mail_queue()  # a second pass sends nothing again
        for address in emails:
            self.assertEqual(len(self.sink.to(address)), 1, "sent exactly once")
        comms = self.comms(debtors)
        self.assertEqual({c["state"] for c in comms}, {"sent"})
        self.assertTrue(all(c["sent_date"] for c in comms))
        self.assert_no_duplicate()

    # ------------------------------------------------------------------
    # 3. SIGKILL in the middle of a scheduler run
    # ------------------------------------------------------------------
    def test_3_sigkill_mid_run(self):
        debtors = self.ids["kill"]
        self.let_in(debtors)
        thread, result = self.in_thread(self.run_scheduler)
        done = ls.wait_until(
            lambda: self.committed_comms(debtors) or (not thread.is_alive() and -1),
            120,
            0.01,
            "the first committed batch",
        )
        self.server.kill()
        thread.join(30)
        self.assertNotEqual(done, -1, f"the run ended before a batch: {result}")
        at_kill = self.committed_comms(debtors)
        self.assertGreaterEqual(at_kill, CRON_BATCH_SIZE, "a whole batch committed")
        self.assertLess(at_kill, len(debtors), "killed before the end of the run")
        self.assertIn("error", result, "the request died with the server")

        self.server.start()
        type(self).admin = self.admin = ls.Client(
            self.server.url, self.db, "admin", "admin"
        )
        self.run_scheduler()
        self.assert_no_duplicate()
        due = self.due_invoices(debtors)
        reminded = self.reminded_invoices(debtors)
        self.assertEqual(set(reminded), due, "every due invoice reminded")
        self.assertEqual(set(reminded.values()), {1}, "each one once")
        self.assertEqual(self.committed_comms(debtors), len(debtors))

    # ------------------------------------------------------------------
    # 4. Two scheduler runs and a wizard confirm at once
    # ------------------------------------------------------------------
    def test_4_concurrent_runs(self):
        debtors = self.ids["race"]
        self.let_in(debtors)
        second = ls.OdooServer(self.conf, self.db, self.log).start()
        type(self).extra_servers = (second,)
        try:
            user = self.client("user")
            wizard = user(
                "debiteur.dunning.wizard",
                "create",
                {"partner_ids": [(6, 0, debtors)]},
            )
            user("debiteur.dunning.wizard", "action_preview", [wizard])
            admin2 = ls.Client(second.url, self.db, "admin", "admin")
            # Run A starts; while its first batch holds the company lock, run B
            # (another server process) and the wizard confirm go at once.
            running = {"cron A": self.in_thread(self.run_scheduler)}
            ls.wait_until(
                lambda: (
                    self.advisory_lock_held() or not running["cron A"][0].is_alive()
                ),
                60,
                0.01,
                "the first scheduler run's batch",
            )
            barrier = threading.Barrier(2, timeout=30)

            def go(call):
                barrier.wait()
                return call()

            calls = {
                "cron B": lambda: self.run_scheduler(admin2),
                "wizard": lambda: user(
                    "debiteur.dunning.wizard", "action_confirm", [wizard]
                ),
            }
            for name, call in calls.items():
                running[name] = self.in_thread(go, call)
            for thread, _result in running.values():
                thread.join(240)
            results = {name: r for name, (_t, r) in running.items()}
        finally:
            second.stop()
            type(self).extra_servers = ()
        if os.environ.get("DD_LIVE_VERBOSE"):
            _logger.info(
                "%s", {name: r.get("error", "ok") for name, r in results.items()}
            )
        for name, result in results.items():
            if "error" not in result:
                continue
            error = result["error"]
            with self.subTest(refused=name):
                self.assertIsInstance(error, ls.RpcError, repr(error))
                self.assertEqual(error.name, USER_ERROR, error.message)
                expected = "in progress" if name == "wizard" else "being executed"
                self.assertIn(expected, error.message)
        self.assertTrue(
            any("error" not in r for r in results.values()), f"all refused: {results}"
        )
        self.assert_no_duplicate()
        self.run_scheduler()  # whatever a refused run left is done now
        self.assert_no_duplicate()
        due = self.due_invoices(debtors)
        reminded = self.reminded_invoices(debtors)
        self.assertEqual(set(reminded), due)
        self.assertEqual(set(reminded.values()), {1})

    # ------------------------------------------------------------------
    # 5. A payment committed while the run is in progress
    # ------------------------------------------------------------------
    def test_5_payment_during_run(self):
        debtors = self.ids["pay"] + self.ids["paylate"]
        full_move, part_move = self.ids["paylate_moves"]
        self.let_in(debtors)
        thread, result = self.in_thread(self.run_scheduler)
        # The first batch holds the company lock: the proposals are made.
        ls.wait_until(
            lambda: self.advisory_lock_held() or not thread.is_alive(),
            60,
            0.01,
            "the scheduler's first batch",
        )
        self.assertTrue(thread.is_alive(), f"the run ended too early: {result}")
        self.pay(full_move, 300.0)
        self.pay(part_move, 100.0)
        paid_at = self.sql("SELECT now() AT TIME ZONE 'UTC'")[0][0]
        thread.join(240)
        self.assertNotIn("error", result)
        self.assert_no_duplicate()
        lines = self.admin(
            "debiteur.communication.line",
            "search_read",
            [
                ("move_id", "in", [full_move, part_move]),
                ("communication_id.state", "!=", "cancelled"),
            ],
            ["move_id", "amount_residual", "communication_id", "create_date"],
        )
        by_move = {line["move_id"][0]: line for line in lines}
        # Evidence that the reminder was made after the payment had committed.
        created = {m: line["create_date"] for m, line in by_move.items()}
        self.assertNotIn(full_move, by_move, "a paid invoice got a reminder")
        if part_move in by_move:
            self.assertEqual(
                by_move[part_move]["amount_residual"],
                200.0,
                "the reminder claims the part paid during the run (payment "
                f"committed at {paid_at}, reminder created at {created}, UTC)",
            )
        others = self.reminded_invoices(self.ids["pay"])
        self.assertEqual(set(others), self.due_invoices(self.ids["pay"]))

    def pay(self, move_id, amount):
        ctx = {"active_model": "account.move", "active_ids": [move_id]}
        wizard = self.admin(
            "account.payment.register", "create", {"amount": amount}, context=ctx
        )
        self.admin(
            "account.payment.register",
            "action_create_payments",
            [wizard],
            context=ctx,
        )

    # ------------------------------------------------------------------
    # 6. Access control over RPC
    # ------------------------------------------------------------------
    def test_6_access_control(self):
        expected = {
            # role: (read, write a policy, export, hand off)
            "portal": (False, False, False, False),
            "internal": (False, False, False, False),
            "user": (True, False, True, False),
            "manager": (True, True, True, True),
            "other": (True, False, True, True),  # its own company only
        }
        try:
            for role, rights in expected.items():
                self.check_role(role, *rights)
            # A company the user does not belong to, forced in the context.
            user = self.client("manager")
            self.assert_access_error(
                lambda: user(
                    "debiteur.communication",
                    "search_read",
                    [],
                    ["name"],
                    context={"allowed_company_ids": [self.ids["other"]]},
                )
            )
        finally:
            self.admin(
                "debiteur.policy", "write", [self.ids["phone"]], {"min_amount": 0}
            )

    def check_role(self, role, read, write, export, handoff):
        client = self.client(role)
        own = self.ids["other"] if role == "other" else self.ids["company"]
        foreign = self.sql(
            "SELECT id FROM debiteur_communication WHERE company_id != %s LIMIT 1",
            [own],
        )[0][0]
        with self.subTest(role=role, action="read"):
            call = lambda: client(  # noqa: E731
                "debiteur.communication", "search_read", [], ["company_id"]
            )
            if read:
                rows = call()
                self.assertTrue(rows)
                self.assertEqual({r["company_id"][0] for r in rows}, {own})
            else:
                self.assert_access_error(call)
        with self.subTest(role=role, action="read another company's reminder"):
            self.assert_access_error(
                lambda: client("debiteur.communication", "read", [foreign], ["name"])
            )
        with self.subTest(role=role, action="write a policy"):
            call = lambda: client(  # noqa: E731
                "debiteur.policy", "write", [self.ids["phone"]], {"min_amount": 1.0}
            )
            if write:
                self.assertTrue(call())
            else:
                self.assert_access_error(call)
        with self.subTest(role=role, action="export"):
            call = lambda: client(  # noqa: E731
                "debiteur.communication",
                "export_data",
                client("debiteur.communication", "search", []),
                ["name", "company_id/.id", "partner_id/name"],
            )
            if export:
                rows = call()["datas"]
                self.assertTrue(rows)
                self.assertEqual({int(r[1]) for r in rows}, {own})
                foreign_names = self.sql(
                    "SELECT name FROM debiteur_communication WHERE company_id != %s",
                    [own],
                )
                exported = {cell for r in rows for cell in r}
                self.assertFalse(exported & {n for (n,) in foreign_names})
            else:
                self.assert_access_error(call)
        with self.subTest(role=role, action="hand off"):
            agency = self.ids["agency"]
            call = lambda: client(  # noqa: E731
                "debiteur.handoff.wizard", "create", {"agency_id": agency}
            )
            if handoff:
                self.assertTrue(call())
            else:
                self.assert_access_error(call)

    def assert_access_error(self, call):
        with self.assertRaises(ls.RpcError) as caught:
            call()
        self.assertEqual(caught.exception.name, ACCESS_ERROR, caught.exception.message)
