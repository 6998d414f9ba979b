"""Evidence nobody can rewrite: forbidden writes over real JSON-RPC.

One real Odoo server on a copy of the test database (``dd_live_sec_<pid>``,
dropped at the end), users of every role, and a list of probes: each one a
write, create, unlink, read or button call a role may not make. Every probe
must be refused with the expected error, and the database, read back with
SQL, must be as it was. The allowed paths (the dunning wizard of a Dunning
user, a manager cancelling a sent reminder with a reason) still work.
"""

import json
import os
import shutil
import tempfile
import unittest
from collections import namedtuple

from odoo.tests import tagged
from odoo.tools import config

try:
    from . import live_server as ls
except ImportError:  # collected as a top-level module by pytest
    import live_server as ls

ACCESS = "odoo.exceptions.AccessError"
USER = "odoo.exceptions.UserError"
VALIDATION = "odoo.exceptions.ValidationError"

SEED = r"""
import json
from datetime import timedelta
from odoo import Command, fields

env = env(context=dict(env.context, tracking_disable=True, lang="en_US"))
today = fields.Date.context_today(env["res.users"])
env["ir.mail_server"].search([]).unlink()
company = env.ref("base.main_company")
eur = env.ref("base.EUR")
other = env["res.company"].create({"name": "Sec Other Co", "currency_id": eur.id})
env["account.chart.template"].try_loading("generic_coa", other, install_demo=False)
env.ref("base.user_admin").write({"password": "admin"})
for co in (company, other):
    pols = co.debiteur_policy_business_id | co.debiteur_policy_consumer_id
    pols.write({"auto_send": True, "min_amount": 0.0, "min_days_between": 7})
    pols.level_ids.write({"channel": "phone"})  # no letter to render: fast

def debtor(name, co=company):
    return env["res.partner"].create({
        "name": name, "is_company": True, "email": "%%s@sec.example" %% name,
        "company_id": co.id, "lang": "en_US",
    })

def invoice(partner, co=company, amount=500.0):
    due = today - timedelta(days=40)
    move = env["account.move"].with_company(co).create({
        "move_type": "out_invoice", "partner_id": partner.id,
        "invoice_date": due - timedelta(days=14), "invoice_date_due": due,
        "invoice_payment_term_id": False, "currency_id": eur.id,
        "invoice_line_ids": [Command.create({
            "name": "Goods", "quantity": 1, "price_unit": amount, "tax_ids": []})],
    })
    move.action_post()
    return move

sent, wizard, cancel, arranged, blocked = (
    debtor("Sec %%s" %% n) for n in ("sent", "wizard", "cancel", "arranged", "blocked")
)
foreign = debtor("Sec foreign", other)
moves = {p: invoice(p) for p in (sent, wizard, cancel, arranged, blocked)}
foreign_move = invoice(foreign, other)
Engine = env["debiteur.engine"]
run = Engine._run(today, company, "manual", partner_ids=(sent | cancel).ids)
comms = {c.partner_id: c for c in run.communication_ids}
foreign_run = Engine._run(today, other, "manual", partner_ids=foreign.ids)
arrangement = env["debiteur.arrangement.wizard"].create({
    "move_ids": [Command.set(moves[arranged].ids)], "instalment_count": 3,
    "frequency": "monthly", "first_date": today + timedelta(days=30),
})._create_arrangement()
moves[blocked]._debiteur_block("Disputed delivery")
sent.write({"debiteur_excluded": False, "debiteur_exclusion_reason": "Was bankrupt"})
relief = env["debiteur.vat.relief"].create(
    {"move_id": moves[blocked].id, "date": today})
agency = env["res.partner"].create({
    "name": "Sec Agency", "debiteur_agency_type": "incassobureau",
    "debiteur_agency_registration": "REG-1",
})
case = env["debiteur.case"].search([("partner_id", "=", sent.id)], limit=1)
other_template = env["mail.template"].search(
    [("model", "!=", "debiteur.communication")], limit=1)
groups = {
    "portal": ["base.group_portal"],
    # Employees and billing users who may create and edit contacts.
    "employee": ["base.group_user", "base.group_partner_manager"],
    "billing": [
        "base.group_user", "base.group_partner_manager",
        "account.group_account_invoice",
    ],
    "user": ["base.group_user", "debiteur_dunning.group_debiteur_user"],
    "manager": ["base.group_user", "debiteur_dunning.group_debiteur_manager"],
    "other": ["base.group_user", "debiteur_dunning.group_debiteur_manager"],
}
users = {}
for role, xmlids in groups.items():
    co = other if role == "other" else company
    users[role] = env["res.users"].with_context(no_reset_password=True).create({
        "name": "Sec %%s" %% role, "login": "sec_%%s" %% role,
        "password": "sec_%%s_pw" %% role, "email": "sec_%%s@example.com" %% role,
        "company_id": co.id, "company_ids": [Command.set(co.ids)],
        "groups_id": [Command.set([env.ref(x).id for x in xmlids])],
    })
# The portal user is a contact of the blocked debtor, who follows the invoice.
users["portal"].partner_id.parent_id = blocked
moves[blocked].message_subscribe(blocked.ids)
out = {
    "today": str(today), "company": company.id, "other": other.id,
    "sent": sent.id, "wizard": wizard.id, "cancel": cancel.id,
    "blocked": blocked.id, "agency": agency.id, "eur": eur.id,
    "comm": comms[sent].id, "comm_line": comms[sent].line_ids[:1].id,
    "comm_cancel": comms[cancel].id, "run": run.id,
    "foreign_comm": foreign_run.communication_ids[:1].id,
    "foreign_move": foreign_move.id, "blocked_move": moves[blocked].id,
    "arranged": arranged.id, "arranged_move": moves[arranged].id,
    "arrangement": arrangement.id,
    "arrangement_invoice": arrangement.invoice_ids[:1].id,
    "arrangement_line": arrangement.line_ids[:1].id,
    "relief": relief.id, "case": case.id,
    "closed_stage": env.ref("debiteur_dunning.debiteur_case_stage_closed").id,
    "level": comms[sent].level_id.id, "policy": comms[sent].policy_id.id,
    "other_template": other_template.id,
    "rate": env["debiteur.interest.rate"].search([], limit=1).id,
}
env.cr.commit()
print("SEED-RESULT " + json.dumps(out))
"""

# A forbidden call. ``watch``: the table, the row id and the columns that must
# not change (or ``None`` for a create: then ``count`` counts the rows that
# must not appear).
Probe = namedtuple("Probe", "role model method args kwargs errors watch count")


def probe(role, model, method, args, errors, watch=None, count=None, **kwargs):
    if isinstance(errors, str):
        errors = (errors,)
    return Probe(role, model, method, args, kwargs, errors, watch, count)


@tagged("post_install", "-at_install", "debiteur", "live_server")
class TestSecurityRpc(unittest.TestCase):
    """Every role's forbidden moves, over JSON-RPC against a real server."""

    server = None

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        source = config["db_name"]
        source = source[0] if isinstance(source, list) else source
        if not source:
            raise unittest.SkipTest("no test database given (--odoo-database)")
        cls.tmp = tempfile.mkdtemp(prefix="dd_live_sec_")
        cls.db = f"dd_live_sec_{os.getpid()}"
        cls.conf = os.path.join(cls.tmp, "odoo.conf")
        cls.log = os.path.join(cls.tmp, "odoo.log")
        ls.write_config(cls.conf, os.path.join(cls.tmp, "data"))
        try:
            if not ls.copy_database(source, cls.db):
                ls.install_database(cls.conf, cls.db, cls.log)
            out = ls.odoo_shell(cls.conf, cls.db, SEED % {}, cls.log)
            line = [x for x in out.splitlines() if x.startswith("SEED-RESULT ")]
            if not line:
                raise RuntimeError(f"seeding failed: {out[-2000:]} (log: {cls.log})")
            cls.ids = json.loads(line[-1].split(" ", 1)[1])
            cls.server = ls.OdooServer(cls.conf, cls.db, cls.log).start()
            cls.admin = ls.Client(cls.server.url, cls.db, "admin", "admin")
            cls.clients = {
                role: ls.Client(cls.server.url, cls.db, f"sec_{role}", f"sec_{role}_pw")
                for role in (
                    "portal",
                    "employee",
                    "billing",
                    "user",
                    "manager",
                    "other",
                )
            }
        except BaseException:
            cls._cleanup()
            raise

    @classmethod
    def tearDownClass(cls):
        cls._cleanup()
        super().tearDownClass()

    @classmethod
    def _cleanup(cls):
        if cls.server:
            cls.server.stop()
        try:
            ls.drop_database(cls.db)
        finally:
            shutil.rmtree(cls.tmp, ignore_errors=True)

    def sql(self, query, params=None):
        return ls.sql(self.db, query, params)

    def snapshot(self, p):
        if p.watch:
            table, row_id, columns = p.watch
            return self.sql(
                "SELECT %s FROM %s WHERE id = %%s" % (", ".join(columns), table),
                [row_id],
            )
        table, where, params = p.count
        return self.sql(f"SELECT count(*) FROM {table} WHERE {where}", params)

    # ------------------------------------------------------------------
    def probes(self):
        i = self.ids
        comm = (
            "debiteur_communication",
            i["comm"],
            [
                "state",
                "letter_sha256",
                "costs_amount",
                "legal_deadline",
                "sent_date",
                "costs_waived",
                "interest_waived",
                "cancel_reason",
                "write_date",
            ],
        )
        line = (
            "debiteur_communication_line",
            i["comm_line"],
            ["move_id", "amount_residual", "level_id", "write_date"],
        )
        run = ("debiteur_run", i["run"], ["log", "state", "write_date"])
        arr = (
            "debiteur_arrangement",
            i["arrangement"],
            ["state", "close_reason", "date_closed", "write_date"],
        )
        arr_inv = (
            "debiteur_arrangement_invoice",
            i["arrangement_invoice"],
            ["move_id", "amount_residual_start", "write_date"],
        )
        arr_line = (
            "debiteur_arrangement_line",
            i["arrangement_line"],
            ["amount", "date", "write_date"],
        )
        case = ("debiteur_case", i["case"], ["stage_id", "write_date"])
        level = ("debiteur_level", i["level"], ["mail_template_id", "write_date"])
        move = (
            "account_move",
            i["blocked_move"],
            ["debiteur_blocked", "debiteur_block_reason", "write_date"],
        )
        debtor = (
            "res_partner",
            i["sent"],
            ["debiteur_excluded", "debiteur_exclusion_reason", "write_date"],
        )
        agency = (
            "res_partner",
            i["agency"],
            ["debiteur_agency_type", "debiteur_agency_registration", "write_date"],
        )
        relief = (
            "debiteur_vat_relief",
            i["relief"],
            ["state", "proven", "relief_move_id", "write_date"],
        )
        rate = (
            "debiteur_interest_rate",
            i["rate"],
            ["rate", "date_from", "write_date"],
        )
        new_comms = ("debiteur_communication", "partner_id = %s", [i["wizard"]])
        new_runs = ("debiteur_run", "create_uid <> 1 AND create_uid <> 2", [])
        W = "write"
        yield from [
            # Reminders: nobody rewrites what was sent.
            probe(
                "user",
                "debiteur.communication",
                W,
                [[i["comm"]], {"state": "cancelled"}],
                ACCESS,
                comm,
            ),
            probe(
                "user",
                "debiteur.communication",
                W,
                [[i["comm"]], {"letter_sha256": "0" * 64}],
                ACCESS,
                comm,
            ),
            probe(
                "user",
                "debiteur.communication",
                W,
                [[i["comm"]], {"costs_amount": 1.0}],
                ACCESS,
                comm,
            ),
            probe(
                "user",
                "debiteur.communication",
                W,
                [[i["comm"]], {"legal_deadline": i["today"]}],
                ACCESS,
                comm,
            ),
            probe(
                "user",
                "debiteur.communication",
                W,
                [[i["comm"]], {"sent_date": False}],
                ACCESS,
                comm,
            ),
            probe(
                "user",
                "debiteur.communication",
                W,
                [[i["comm"]], {"costs_waived": True}],
                ACCESS,
                comm,
            ),
            probe(
                "user",
                "debiteur.communication",
                W,
                [[i["comm"]], {"interest_waived": True, "waive_reason": ""}],
                ACCESS,
                comm,
            ),
            probe(
                "manager",
                "debiteur.communication",
                W,
                [[i["comm"]], {"state": "cancelled", "cancel_reason": "x"}],
                ACCESS,
                comm,
            ),
            probe(
                "manager",
                "debiteur.communication",
                W,
                [[i["comm"]], {"letter_sha256": "f" * 64}],
                ACCESS,
                comm,
            ),
            probe(
                "user",
                "debiteur.communication",
                "action_cancel",
                [[i["comm"]]],
                USER,
                comm,
            ),
            probe(
                "user",
                "debiteur.communication",
                "action_cancel",
                [[i["comm"]]],
                USER,
                comm,
                context={"debiteur_cancel_reason": "Paid"},
            ),
            probe(
                "user", "debiteur.communication", "unlink", [[i["comm"]]], ACCESS, comm
            ),
            probe(
                "manager",
                "debiteur.communication",
                "unlink",
                [[i["comm"]]],
                ACCESS,
                comm,
            ),
            probe("manager", "debiteur.run", "unlink", [[i["run"]]], ACCESS, run),
            probe(
                "billing",
                "debiteur.communication",
                "read",
                [[i["comm"]], ["state"]],
                ACCESS,
                comm,
            ),
            probe(
                "other",
                "debiteur.communication",
                "read",
                [[i["comm"]], ["state"]],
                ACCESS,
                comm,
            ),
            probe(
                "other",
                "debiteur.communication",
                W,
                [[i["comm"]], {"state": "cancelled"}],
                ACCESS,
                comm,
            ),
            probe(
                "user",
                "debiteur.communication",
                "create",
                [
                    {
                        "partner_id": i["wizard"],
                        "recipient_id": i["wizard"],
                        "level_id": i["level"],
                        "channel": "email",
                        "state": "sent",
                        "date": i["today"],
                    }
                ],
                ACCESS,
                count=new_comms,
            ),
            probe(
                "manager",
                "debiteur.communication",
                "create",
                [
                    {
                        "partner_id": i["wizard"],
                        "recipient_id": i["wizard"],
                        "level_id": i["level"],
                        "channel": "letter",
                        "state": "printed",
                        "date": i["today"],
                    }
                ],
                ACCESS,
                count=new_comms,
            ),
            # Their lines: no other company's invoice, no other amounts.
            probe(
                "user",
                "debiteur.communication.line",
                W,
                [[i["comm_line"]], {"move_id": i["foreign_move"]}],
                ACCESS,
                line,
            ),
            probe(
                "manager",
                "debiteur.communication.line",
                W,
                [[i["comm_line"]], {"move_id": i["blocked_move"]}],
                ACCESS,
                line,
            ),
            probe(
                "user",
                "debiteur.communication.line",
                W,
                [[i["comm_line"]], {"amount_residual": 1.0}],
                ACCESS,
                line,
            ),
            probe(
                "user",
                "debiteur.communication.line",
                "create",
                [
                    {
                        "communication_id": i["comm"],
                        "move_id": i["foreign_move"],
                        "currency_id": i["eur"],
                    }
                ],
                ACCESS,
                count=(
                    "debiteur_communication_line",
                    "move_id = %s",
                    [i["foreign_move"]],
                ),
            ),
            # Runs: the audit trail.
            probe(
                "user",
                "debiteur.run",
                W,
                [[i["run"]], {"log": "nothing happened"}],
                ACCESS,
                run,
            ),
            probe("manager", "debiteur.run", W, [[i["run"]], {"log": ""}], ACCESS, run),
            probe(
                "user",
                "debiteur.run",
                W,
                [[i["run"]], {"state": "failed"}],
                ACCESS,
                run,
            ),
            probe(
                "user",
                "debiteur.run",
                "create",
                [{"date": i["today"]}],
                ACCESS,
                count=new_runs,
            ),
            # Arrangements: the life cycle moves through the buttons only.
            probe(
                "user",
                "debiteur.arrangement",
                W,
                [[i["arrangement"]], {"state": "cancelled"}],
                ACCESS,
                arr,
            ),
            probe(
                "manager",
                "debiteur.arrangement",
                W,
                [[i["arrangement"]], {"state": "completed"}],
                ACCESS,
                arr,
            ),
            probe(
                "user",
                "debiteur.arrangement",
                W,
                [[i["arrangement"]], {"date_closed": i["today"]}],
                ACCESS,
                arr,
            ),
            probe(
                "user",
                "debiteur.arrangement",
                "action_cancel",
                [[i["arrangement"]], "Changed my mind"],
                ACCESS,
                arr,
            ),
            probe(
                "user",
                "debiteur.arrangement",
                "create",
                [
                    {
                        "partner_id": i["wizard"],
                        "currency_id": i["eur"],
                        "state": "active",
                    }
                ],
                ACCESS,
                count=("debiteur_arrangement", "partner_id = %s", [i["wizard"]]),
            ),
            probe(
                "user",
                "debiteur.arrangement",
                "create",
                [
                    {
                        "partner_id": i["wizard"],
                        "currency_id": i["eur"],
                        "invoice_ids": [[0, 0, {"move_id": i["foreign_move"]}]],
                    }
                ],
                (USER, VALIDATION, ACCESS),
                count=(
                    "debiteur_arrangement_invoice",
                    "move_id = %s",
                    [i["foreign_move"]],
                ),
            ),
            probe(
                "user",
                "debiteur.arrangement.invoice",
                W,
                [[i["arrangement_invoice"]], {"move_id": i["blocked_move"]}],
                ACCESS,
                arr_inv,
            ),
            probe(
                "user",
                "debiteur.arrangement.invoice",
                "create",
                [{"arrangement_id": i["arrangement"], "move_id": i["blocked_move"]}],
                ACCESS,
                count=(
                    "debiteur_arrangement_invoice",
                    "move_id = %s",
                    [i["blocked_move"]],
                ),
            ),
            probe(
                "user",
                "debiteur.arrangement.line",
                W,
                [[i["arrangement_line"]], {"amount": 1.0}],
                ACCESS,
                arr_line,
            ),
            # Cases: the sync flag is the server's own; own company's invoices.
            probe(
                "user",
                "debiteur.case",
                W,
                [[i["case"]], {"disputed_move_ids": [[4, i["foreign_move"]]]}],
                (USER, ACCESS),
                count=(
                    "debiteur_case_disputed_move_rel",
                    "move_id = %s",
                    [i["foreign_move"]],
                ),
            ),
            probe(
                "user",
                "debiteur.case",
                W,
                [[i["case"]], {"stage_id": i["closed_stage"]}],
                USER,
                case,
                context={"debiteur_case_sync": True},
            ),
            probe(
                "manager",
                "debiteur.case",
                W,
                [[i["case"]], {"stage_id": i["closed_stage"]}],
                USER,
                case,
                context={"debiteur_case_sync": True},
            ),
            # Levels: reminder templates only.
            probe(
                "manager",
                "debiteur.level",
                W,
                [[i["level"]], {"mail_template_id": i["other_template"]}],
                VALIDATION,
                level,
            ),
            # Internal fields: hidden from the portal and from employees.
            probe(
                "portal",
                "account.move",
                "read",
                [[i["blocked_move"]], ["debiteur_block_reason"]],
                ACCESS,
                move,
            ),
            probe(
                "portal",
                "account.move",
                "read",
                [[i["blocked_move"]], ["debiteur_level_id"]],
                ACCESS,
                move,
            ),
            probe(
                "portal",
                "res.partner",
                "read",
                [[i["blocked"]], ["debiteur_exclusion_reason"]],
                ACCESS,
                debtor,
            ),
            probe(
                "portal",
                "res.partner",
                "read",
                [[i["blocked"]], ["debiteur_avg_days_late"]],
                ACCESS,
                debtor,
            ),
            probe(
                "employee",
                "res.partner",
                "read",
                [[i["sent"]], ["debiteur_exclusion_reason"]],
                ACCESS,
                debtor,
            ),
            probe(
                "employee",
                "res.partner",
                W,
                [[i["sent"]], {"debiteur_excluded": True}],
                ACCESS,
                debtor,
            ),
            probe(
                "employee",
                "res.partner",
                "create",
                [{"name": "Sec excluded", "debiteur_excluded": True}],
                ACCESS,
                count=("res_partner", "name = %s", ["Sec excluded"]),
            ),
            probe(
                "employee",
                "res.partner",
                W,
                [[i["agency"]], {"debiteur_agency_registration": "FAKE"}],
                ACCESS,
                agency,
            ),
            # Billing users: invoices yes, dunning no.
            probe(
                "billing",
                "account.move",
                W,
                [[i["blocked_move"]], {"debiteur_blocked": False}],
                ACCESS,
                move,
            ),
            probe(
                "billing",
                "account.move",
                W,
                [[i["blocked_move"]], {"debiteur_block_reason": "x"}],
                ACCESS,
                move,
            ),
            probe(
                "billing",
                "account.move",
                "action_debiteur_unblock",
                [[i["blocked_move"]]],
                ACCESS,
                move,
            ),
            probe(
                "billing",
                "account.move",
                "action_debiteur_block",
                [[i["blocked_move"]]],
                ACCESS,
                move,
            ),
            probe(
                "billing",
                "res.partner",
                W,
                [[i["sent"]], {"debiteur_excluded": True}],
                ACCESS,
                debtor,
            ),
            probe(
                "billing",
                "debiteur.dunning.wizard",
                "create",
                [{"date": i["today"]}],
                ACCESS,
                count=new_comms,
            ),
            # Agencies: managers only.
            probe(
                "user",
                "res.partner",
                W,
                [[i["agency"]], {"debiteur_agency_registration": "FAKE"}],
                ACCESS,
                agency,
            ),
            probe(
                "user",
                "res.partner",
                W,
                [[i["sent"]], {"debiteur_agency_type": "deurwaarder"}],
                ACCESS,
                ("res_partner", i["sent"], ["debiteur_agency_type", "write_date"]),
            ),
            # VAT relief: managers, with evidence.
            probe(
                "user",
                "debiteur.vat.relief",
                "action_cancel",
                [[i["relief"]]],
                ACCESS,
                relief,
            ),
            probe(
                "user",
                "debiteur.vat.relief",
                "action_confirm",
                [[i["relief"]]],
                ACCESS,
                relief,
            ),
            probe(
                "manager",
                "debiteur.vat.relief",
                W,
                [[i["relief"]], {"proven": True, "reason": "x"}],
                VALIDATION,
                relief,
            ),
            probe(
                "manager",
                "debiteur.vat.relief",
                W,
                [[i["relief"]], {"relief_move_id": i["foreign_move"]}],
                (USER, ACCESS),
                relief,
            ),
            # Interest rates: the law, the same for every company.
            probe(
                "manager",
                "debiteur.interest.rate",
                W,
                [[i["rate"]], {"rate": 99.0}],
                ACCESS,
                rate,
            ),
            probe(
                "user",
                "debiteur.interest.rate",
                W,
                [[i["rate"]], {"rate": 99.0}],
                ACCESS,
                rate,
            ),
            probe(
                "other", "debiteur.interest.rate", "unlink", [[i["rate"]]], ACCESS, rate
            ),
            probe(
                "manager",
                "debiteur.interest.rate",
                "create",
                [{"kind": "commercial", "date_from": i["today"], "rate": 99.0}],
                ACCESS,
                count=("debiteur_interest_rate", "rate = %s", [99.0]),
            ),
        ]

    def test_1_forbidden_calls_are_refused_and_change_nothing(self):
        probes = list(self.probes())
        self.assertGreaterEqual(len(probes), 40)
        failures = []
        for number, p in enumerate(probes, start=1):
            label = f"#{number} {p.role} {p.model}.{p.method} {p.args[1:] or ''}"
            before = self.snapshot(p)
            try:
                self.clients[p.role](p.model, p.method, *p.args, **p.kwargs)
            except ls.RpcError as exc:
                if exc.name not in p.errors:
                    failures.append(f"{label}: {exc.name} {exc.message[:200]}")
            else:
                failures.append(f"{label}: accepted")
            after = self.snapshot(p)
            if after != before:
                failures.append(f"{label}: changed {before} -> {after}")
        self.assertEqual(failures, [], "\n".join(failures))

    def test_2_allowed_paths_still_work(self):
        i = self.ids
        # Reading is allowed where writing is not.
        rows = self.clients["user"](
            "debiteur.communication", "read", [i["comm"]], ["state"]
        )
        self.assertEqual(rows[0]["state"], "sent")
        name = self.clients["portal"](
            "account.move", "read", [i["blocked_move"]], ["name"]
        )
        self.assertTrue(name[0]["name"])
        # A Dunning user previews and confirms the dunning wizard.
        user = self.clients["user"]
        wizard = user(
            "debiteur.dunning.wizard",
            "create",
            {"date": i["today"], "partner_ids": [[6, 0, [i["wizard"]]]]},
        )
        user("debiteur.dunning.wizard", "action_preview", [wizard])
        lines = user(
            "debiteur.dunning.wizard.line",
            "search_read",
            [("wizard_id", "=", wizard)],
            ["partner_id", "selected"],
        )
        self.assertEqual(
            [(x["partner_id"][0], x["selected"]) for x in lines], [(i["wizard"], True)]
        )
        action = user("debiteur.dunning.wizard", "action_confirm", [wizard])
        rows = self.sql(
            "SELECT c.state, r.user_id FROM debiteur_communication c "
            "JOIN debiteur_run r ON r.id = c.run_id WHERE c.partner_id = %s",
            [i["wizard"]],
        )
        self.assertEqual(rows, [("sent", user.uid)])
        self.assertTrue(action["res_id"])
        # A manager cancels a sent reminder, with a reason, through the wizard.
        manager = self.clients["manager"]
        action = manager("debiteur.communication", "action_cancel", [i["comm_cancel"]])
        self.assertEqual(action["res_model"], "debiteur.communication.cancel.wizard")
        cancel = manager(
            "debiteur.communication.cancel.wizard",
            "create",
            {
                "communication_ids": [[6, 0, [i["comm_cancel"]]]],
                "reason": "Paid in cash",
            },
        )
        manager("debiteur.communication.cancel.wizard", "action_confirm", [cancel])
        rows = self.sql(
            "SELECT state, cancel_reason, cancel_user_id FROM debiteur_communication "
            "WHERE id = %s",
            [i["comm_cancel"]],
        )
        self.assertEqual(rows, [("cancelled", "Paid in cash", manager.uid)])
        # The settings administrator keeps the interest rates up to date.
        rate = self.admin("debiteur.interest.rate", "read", [i["rate"]], ["rate"])[0]
        self.admin(
            "debiteur.interest.rate", "write", [i["rate"]], {"rate": rate["rate"]}
        )
