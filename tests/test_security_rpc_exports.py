"""Live JSON-RPC refusal probes for the collection dossier exports.

A real server on a copy of the test database (the harness of
``test_live_server.py``, seeded with its ``live_<role>`` users, fewer debtors):
a dunning manager tries what the export log and the dossier files must refuse
over RPC and HTTP, and every refusal is re-read in SQL to prove nothing changed.
"""

import hashlib
import http.cookiejar
import json
import urllib.error
import urllib.request

from odoo.tests import tagged

try:
    from . import live_server as ls
    from . import test_live_server as tls
except ImportError:  # collected as a top-level module by pytest
    import live_server as ls
    import test_live_server as tls

ACCESS_ERROR = tls.ACCESS_ERROR
USER_ERROR = tls.USER_ERROR

DOSSIER = r"""
import json
from datetime import timedelta
from odoo import Command, fields

P = json.loads(%(params)r)
env = env(context=dict(env.context, tracking_disable=True, lang="en_US"))
today = fields.Date.context_today(env["res.users"])
company = env.ref("base.main_company")
manager = env["res.users"].search([("login", "=", "live_manager")])
debtor = env["res.partner"].create({
    "name": "Live Dossier BV", "is_company": True, "email": "dossier@live.example",
    "street": "Dorpsstraat 1", "zip": "1234 AB", "city": "Utrecht",
    "country_id": env.ref("base.nl").id, "debiteur_excluded": True,
})
due = today - timedelta(days=40)
move = env["account.move"].with_company(company).create({
    "move_type": "out_invoice", "partner_id": debtor.id,
    "invoice_date": due - timedelta(days=14), "invoice_date_due": due,
    "invoice_payment_term_id": False,
    "invoice_line_ids": [Command.create({
        "name": "Goods", "quantity": 1, "price_unit": 250.0, "tax_ids": []})],
})
move.action_post()
Handoff = env["debiteur.handoff"].with_user(manager).with_company(company)
handoff = Handoff._create_handoff(move, env["res.partner"].browse(P["agency"]), today)
handoff.action_hand_off(send_email=False)
handoff.action_download_xml()
env.cr.commit()
print("DOSSIER-RESULT " + json.dumps({
    "handoff": handoff.id,
    "xml": handoff.sudo().xml_attachment_id.id,
    "csv": handoff.sudo().csv_attachment_id.id,
    "log": handoff.sudo().export_ids.id,
}))
"""


@tagged("post_install", "-at_install", "debiteur", "live_server")
class TestSecurityRpcExports(tls.TestLiveServer):
    """Refusals over JSON-RPC and HTTP, each re-read in SQL."""

    sizes = {}  # none of the scheduler scenarios' debtors
    # Only this file's probes here: the inherited scenarios run in their own file.
    test_1_real_mail = test_2_smtp_down_then_retry = test_3_sigkill_mid_run = None
    test_4_concurrent_runs = test_5_payment_during_run = None
    test_6_access_control = None

    @classmethod
    def _build(cls, source):
        built = super()._build(source)
        out = ls.odoo_shell(
            cls.conf,
            cls.db,
            DOSSIER % {"params": json.dumps({"agency": cls.ids["agency"]})},
            cls.log,
        )
        line = [x for x in out.splitlines() if x.startswith("DOSSIER-RESULT ")]
        if not line:
            raise RuntimeError(f"dossier seeding failed: {out[-2000:]} ({cls.log})")
        cls.dossier = json.loads(line[-1].split(" ", 1)[1])
        return built

    # ------------------------------------------------------------------
    # helpers
    # ------------------------------------------------------------------
    def log_rows(self):
        return self.sql(
            "SELECT id, handoff_id, user_id, date, channel, export_format, sha256 "
            "FROM debiteur_handoff_export ORDER BY id"
        )

    def attachment_row(self, attachment_id):
        return self.sql(
            "SELECT id, name, checksum, res_model, res_id, debiteur_dossier, "
            "store_fname, access_token FROM ir_attachment WHERE id = %s",
            [attachment_id],
        )

    def session(self, role):
        """An HTTP session (cookie) of ``live_<role>``: what a browser has."""
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        payload = {
            "jsonrpc": "2.0",
            "method": "call",
            "params": {
                "db": self.db,
                "login": f"live_{role}",
                "password": f"live_{role}_pw",
            },
        }
        request = urllib.request.Request(
            self.server.url + "/web/session/authenticate",
            data=json.dumps(payload).encode(),
            headers={"Content-Type": "application/json"},
        )
        with opener.open(request, timeout=60) as response:
            answer = json.loads(response.read())
        self.assertNotIn("error", answer, answer)
        return opener

    def get(self, opener, path):
        """(status, body) of a GET in that session; errors are answers too."""
        try:
            with opener.open(self.server.url + path, timeout=60) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def assert_refused(self, call, name=ACCESS_ERROR):
        with self.assertRaises(ls.RpcError) as caught:
            call()
        self.assertEqual(caught.exception.name, name, caught.exception.message)

    # ------------------------------------------------------------------
    # The export log
    # ------------------------------------------------------------------
    def test_log_rows_refused_to_managers(self):
        manager = self.client("manager")
        before = self.log_rows()
        self.assertEqual(len(before), 1)
        log_id = self.dossier["log"]
        self.assertEqual(
            manager("debiteur.handoff.export", "read", [log_id], ["channel"])[0][
                "channel"
            ],
            "download",
        )
        with self.subTest("create with any user and date"):
            self.assert_refused(
                lambda: manager(
                    "debiteur.handoff.export",
                    "create",
                    {
                        "handoff_id": self.dossier["handoff"],
                        "channel": "download",
                        "user_id": self.admin.uid,
                        "date": "2001-01-01 00:00:00",
                    },
                )
            )
        with self.subTest("write"):
            self.assert_refused(
                lambda: manager(
                    "debiteur.handoff.export",
                    "write",
                    [log_id],
                    {"date": "2001-01-01 00:00:00", "user_id": self.admin.uid},
                ),
                USER_ERROR,
            )
        with self.subTest("unlink"):
            self.assert_refused(
                lambda: manager("debiteur.handoff.export", "unlink", [log_id])
            )
        with self.subTest("unlink as admin"):
            # No group may delete a log row (the ACL refuses first); not even
            # the superuser could (the ondelete rule, see test_handoff_exports).
            self.assert_refused(
                lambda: self.admin("debiteur.handoff.export", "unlink", [log_id])
            )
        with self.subTest("read the download token"):
            self.assert_refused(
                lambda: manager(
                    "debiteur.handoff.export", "read", [log_id], ["download_token"]
                )
            )
        self.assertEqual(self.log_rows(), before)

    def test_handoff_with_log_not_deletable(self):
        handoff = self.dossier["handoff"]
        manager = self.client("manager")
        # Even back in draft (what a direct database edit could do), the log
        # keeps its handoff.
        self.sql("UPDATE debiteur_handoff SET state = 'draft' WHERE id = %s", [handoff])
        try:
            for client in (manager, self.admin):
                with self.subTest(uid=client.uid):
                    self.assert_refused(
                        lambda c=client: c("debiteur.handoff", "unlink", [handoff]),
                        USER_ERROR,
                    )
        finally:
            self.sql(
                "UPDATE debiteur_handoff SET state = 'sent' WHERE id = %s", [handoff]
            )
        self.assertEqual(
            self.sql("SELECT count(*) FROM debiteur_handoff WHERE id = %s", [handoff])[
                0
            ][0],
            1,
        )
        self.assertEqual(len(self.log_rows()), 1)

    def test_handoff_author_and_queue_refused_over_rpc(self):
        handoff = self.dossier["handoff"]
        manager = self.client("manager")
        query = (
            "SELECT user_id, queued, queued_send_email, state "
            "FROM debiteur_handoff WHERE id = %s"
        )
        before = self.sql(query, [handoff])
        for vals in (
            {"user_id": self.admin.uid},
            {"queued": True, "queued_send_email": True},
        ):
            with self.subTest(vals=vals):
                self.assert_refused(
                    lambda v=vals: manager("debiteur.handoff", "write", [handoff], v)
                )
        self.assertEqual(self.sql(query, [handoff]), before)

    # ------------------------------------------------------------------
    # The dossier files
    # ------------------------------------------------------------------
    def test_dossier_files_refused_over_rpc(self):
        manager = self.client("manager")
        xml, csv_id = self.dossier["xml"], self.dossier["csv"]
        before = {att: self.attachment_row(att) for att in (xml, csv_id)}
        self.assertTrue(before[xml][0][5], "the dossier file is flagged")
        for client, who in ((manager, "manager"), (self.admin, "admin")):
            with self.subTest(who=who, call="read"):
                self.assert_refused(
                    lambda c=client: c("ir.attachment", "read", [xml], ["datas"])
                )
            with self.subTest(who=who, call="search_read"):
                rows = client(
                    "ir.attachment",
                    "search_read",
                    [("res_model", "=", "debiteur.handoff")],
                    ["name"],
                )
                self.assertFalse({r["id"] for r in rows} & {xml, csv_id})
        with self.subTest("write"):
            self.assert_refused(
                lambda: manager(
                    "ir.attachment", "write", [csv_id], {"raw": "=1+1", "name": "x"}
                )
            )
        with self.subTest("unflag"):
            self.assert_refused(
                lambda: manager(
                    "ir.attachment", "write", [csv_id], {"debiteur_dossier": False}
                )
            )
        with self.subTest("unlink"):
            self.assert_refused(lambda: manager("ir.attachment", "unlink", [xml]))
        with self.subTest("access token"):
            self.assert_refused(
                lambda: manager("ir.attachment", "generate_access_token", [xml])
            )
        self.assertEqual(
            {att: self.attachment_row(att) for att in (xml, csv_id)}, before
        )

    def test_web_content_refused_logged_link_served_once(self):
        manager = self.session("manager")
        xml = self.dossier["xml"]
        before = self.log_rows()
        status, body = self.get(manager, f"/web/content/{xml}?download=true")
        self.assertNotEqual(status, 200)
        self.assertNotIn(b"<?xml", body)
        status, body = self.get(manager, f"/web/content/ir.attachment/{xml}/datas")
        self.assertNotEqual(status, 200)
        self.assertNotIn(b"<?xml", body)
        self.assertEqual(self.log_rows(), before, "a refused read logs nothing")
        # The download button: the log row first, then a one-time link.
        action = self.client("manager")(
            "debiteur.handoff", "action_download_xml", [self.dossier["handoff"]]
        )
        after = self.log_rows()
        self.assertEqual(len(after), len(before) + 1)
        row = after[-1]
        manager_uid = self.client("manager").uid
        self.assertEqual((row[2], row[4], row[5]), (manager_uid, "download", "xml"))
        status, body = self.get(manager, action["url"])
        self.assertEqual(status, 200)
        self.assertTrue(body.startswith(b"<?xml"))
        self.assertEqual(hashlib.sha256(body).hexdigest(), row[6])
        # Once only, and for nobody else.
        self.assertEqual(self.get(manager, action["url"])[0], 404)
        action = self.client("manager")(
            "debiteur.handoff", "action_download_csv", [self.dossier["handoff"]]
        )
        other = self.session("user")
        self.assertEqual(self.get(other, action["url"])[0], 404)
        self.assertEqual(self.get(manager, action["url"])[0], 200)
