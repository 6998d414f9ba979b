#!/usr/bin/env python3
"""Side by side with OCA's account_credit_control 18.0 on the same data.

    pip install --no-deps --target /tmp/oca_addons \
        'odoo-addon-account-credit-control>=18.0,<18.1'
    python3 tests/bench/bench_oca.py --debtors 500 --invoices 5000 \
        --overdue-ratio 0.2 --seed 42

One command: builds (if missing) ``dd_bench_oca_<size>`` from the same seed as
``generate.py`` (same functions, same data), on a template database
``dd_bench_oca_empty`` with both ``debiteur_dunning`` and
``account_credit_control`` installed; gives OCA a default credit policy
equivalent to ours (levels 7/21/35/49 days after the due date, e-mail channel,
on the receivable accounts); then times, each in a transaction that is rolled
back:

- OCA: ``credit.control.run`` create + ``generate_credit_lines()`` (the credit
  control run: one credit line per overdue receivable line), and, as a second
  figure, the run followed by grouping those lines into communications
  (``credit.control.communication._generate_comm_from_credit_lines``, what
  "Send" does before rendering mails), which is what our run produces;
- ours: ``debiteur.engine._compute_proposals`` + ``_apply(send=False)``
  (proposals, communications, lines, invoice levels; no mail rendering).

and prints the table with the ratios (targets: ours >= 10x faster, >= 20x
fewer SQL queries per overdue invoice).

The OCA addon is only on the addons path of this script's databases (its wheel
must not go into site-packages: it would hide Odoo's own ``odoo.addons``).
OCA code is never copied into this repository.
"""

import argparse
import os
import subprocess
import sys
import time

import benchlib
from benchlib import QueryCounter

OCA_ADDON = "account_credit_control"
OCA_DIR = os.environ.get("DD_OCA_ADDONS", "/tmp/oca_addons/odoo/addons")
DB_PREFIX = "dd_bench_oca"
TEMPLATE = "dd_bench_oca_empty"
POLICY_NAME = "Debiteur-equivalent (7/21/35/49 days, e-mail)"
LEVELS = (7, 21, 35, 49)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--debtors", type=int, default=500)
    parser.add_argument("--invoices", type=int, default=5000)
    parser.add_argument("--overdue-ratio", type=float, default=0.2)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--db", help="default: dd_bench_oca_<invoices/1000>k")
    parser.add_argument("--repeat", type=int, default=2, help="runs of each side")
    parser.add_argument("--shapes", action="store_true", help="top query shapes")
    parser.add_argument("--markdown", help="also write the table to this file")
    return parser.parse_args()


# ----------------------------------------------------------------------
# Databases: the OCA addon on the addons path, the template, the dataset
# ----------------------------------------------------------------------
def patch_addons_path():
    """Adds the OCA folder to benchlib's addons path (this process only)."""
    if not os.path.isdir(os.path.join(OCA_DIR, OCA_ADDON)):
        raise SystemExit(
            f"{OCA_ADDON} not found in {OCA_DIR}: pip install --no-deps --target "
            "/tmp/oca_addons 'odoo-addon-account-credit-control>=18.0,<18.1'"
        )
    original = benchlib.addons_path
    benchlib.addons_path = lambda: f"{original()},{os.path.realpath(OCA_DIR)}"


def check_db(db):
    if not db.startswith(DB_PREFIX):
        raise SystemExit(f"refusing database {db!r}: must start with {DB_PREFIX}")
    benchlib.check_db_name(db)


def ensure_template():
    if benchlib.db_exists(TEMPLATE):
        return
    print(f"installing {benchlib.MODULE} + {OCA_ADDON} in {TEMPLATE}")
    cmd = [sys.executable, "-m", "odoo", *benchlib.odoo_args(TEMPLATE)]
    cmd += ["--init", f"{benchlib.MODULE},{OCA_ADDON}", "--stop-after-init"]
    cmd += ["--http-port=18169"]
    subprocess.run(cmd, check=True)


def dataset_marker(db):
    out = subprocess.run(
        [
            "psql",
            "-X",
            "-d",
            db,
            "-Atqc",
            "SELECT value FROM ir_config_parameter"
            " WHERE key = 'debiteur_bench.dataset'",
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    return out or None


def ensure_dataset(args):
    """Runs generate.py's main (same seed, same functions) if ``db`` is empty."""
    import generate

    if benchlib.db_exists(args.db) and dataset_marker(args.db):
        print(f"{args.db}: {dataset_marker(args.db)}")
        benchlib.setup_odoo(args.db)
        return
    ensure_template()
    argv = sys.argv
    sys.argv = [
        "generate.py", "--db", args.db, "--debtors", str(args.debtors),
        "--invoices", str(args.invoices), "--overdue-ratio", str(args.overdue_ratio),
        "--seed", str(args.seed), "--batch", str(args.batch),
        "--template", TEMPLATE,
    ]  # fmt: skip
    try:
        generate.main()  # sets Odoo up for args.db (parse_config works once)
    finally:
        sys.argv = argv


def configure_oca(env):
    """OCA's default policy with levels equivalent to ours (idempotent)."""
    Policy = env["credit.control.policy"]
    company = env.company
    policy = Policy.search([("name", "=", POLICY_NAME)], limit=1)
    receivable = env["account.account"].search(
        [("account_type", "=", "asset_receivable")]
    )
    if not policy:
        template = env.ref("account_credit_control.email_template_credit_control_base")
        text = "Our records show that the invoices below are overdue."
        policy = Policy.create(
            {
                "name": POLICY_NAME,
                "company_id": company.id,
                "account_ids": [(6, 0, receivable.ids)],
                "level_ids": [
                    (
                        0,
                        0,
                        {
                            "name": f"Level {n} ({days} days)",
                            "level": n,
                            "computation_mode": "net_days",
                            "delay_days": days,
                            "email_template_id": template.id,
                            "channel": "email",
                            "custom_text": text,
                            "custom_mail_text": f"<p>{text}</p>",
                        },
                    )
                    for n, days in enumerate(LEVELS, start=1)
                ],
            }
        )
    # Only this policy runs (the run's default is every policy).
    (Policy.search([]) - policy).write({"active": False})
    company.credit_policy_id = policy
    return policy


# ----------------------------------------------------------------------
# The runs
# ----------------------------------------------------------------------
class Bench:
    def __init__(self, args):
        from odoo import fields

        self.args = args
        self.registry = benchlib.registry(args.db)
        self.today = fields.Date.today()
        self.admin_uid = None

    def transaction(self, func, commit=False):
        from odoo import SUPERUSER_ID, api

        cr = self.registry.cursor()
        try:
            env = api.Environment(cr, self.admin_uid or SUPERUSER_ID, {"lang": "en_US"})
            result = func(env)
            if commit:
                cr.commit()
            return result
        finally:
            cr.rollback()
            cr.close()

    def measure(self, label, func, summary):
        """Best of --repeat runs of ``func(env)``, each rolled back.

        ``summary(env, value)`` describes the result after the counter stops.
        """
        runs = []
        for _i in range(self.args.repeat):
            holder = {}

            def run(env, holder=holder):
                env.invalidate_all()
                with QueryCounter(shapes=self.args.shapes) as counter:
                    value = func(env)
                    env.flush_all()
                holder["counter"] = counter
                holder["value"] = summary(env, value)

            self.transaction(run)
            runs.append(holder)
        best = min(runs, key=lambda h: h["counter"].seconds)
        c = best["counter"]
        times = ", ".join(f"{h['counter'].seconds:.2f}" for h in runs)
        counts = ", ".join(str(h["counter"].count) for h in runs)
        print(
            f"  {label}: best {c.seconds:.2f} s ({times}), {c.count} queries "
            f"({counts}); {best['value']}",
            flush=True,
        )
        if self.args.shapes:
            for shape, times, seconds in c.top(6):
                if times > 1:
                    print(f"      {times:6d} x {seconds:6.2f} s  {shape}")
        return c, best["value"]

    def overdue(self, env):
        Move = env["account.move"]
        return Move.search_count(
            [
                ("move_type", "=", "out_invoice"),
                ("state", "=", "posted"),
                ("payment_state", "in", ("not_paid", "partial")),
                ("invoice_date_due", "<", self.today),
            ]
        )

    # OCA ------------------------------------------------------------------
    def oca_run(self, env):
        run = env["credit.control.run"].create({"date": self.today})
        run.generate_credit_lines()
        return run

    def oca_run_comms(self, env):
        run = self.oca_run(env)
        run.set_to_ready_lines()
        lines = run.line_ids.filtered(lambda x: x.state == "to_be_sent")
        Comm = env["credit.control.communication"]
        return run, Comm._generate_comm_from_credit_lines(lines)

    @staticmethod
    def oca_summary(env, value):
        run, comms = value if isinstance(value, tuple) else (value, None)
        lines = run.line_ids
        return {
            "lines": len(lines),
            "invoices": len(lines.invoice_id),
            "partners": len(lines.partner_id.commercial_partner_id),
            "levels": sorted(set(lines.mapped("level"))),
            "comms": len(comms) if comms is not None else None,
        }

    # ours -----------------------------------------------------------------
    def ours(self, env):
        Engine = env["debiteur.engine"]
        company = env.company
        Engine._lock_company(company)
        run = env["debiteur.run"].create(
            {"date": self.today, "company_id": company.id, "trigger": "wizard"}
        )
        props = Engine._compute_proposals(self.today, company)
        return Engine._apply(run, props, send=False)

    @staticmethod
    def ours_summary(env, comms):
        return {
            "lines": len(comms.invoice_line_ids),
            "invoices": len(comms.invoice_line_ids.mapped("move_id"))
            if "move_id" in env["debiteur.communication.line"]._fields
            else None,
            "partners": len(comms.partner_id.commercial_partner_id),
            "levels": None,
            "comms": len(comms),
        }

    def run(self):
        self.admin_uid = self.transaction(lambda env: env.ref("base.user_admin").id)
        self.transaction(configure_oca, commit=True)
        overdue = self.transaction(self.overdue)
        print(f"{self.args.db}: {overdue} overdue open invoices on {self.today}")
        r = {"overdue": overdue}
        r["oca"], r["oca_v"] = self.measure(
            "OCA credit control run", self.oca_run, self.oca_summary
        )
        r["oca_c"], r["oca_cv"] = self.measure(
            "OCA run + communications", self.oca_run_comms, self.oca_summary
        )
        r["ours"], r["ours_v"] = self.measure(
            "ours lock + _compute_proposals + _apply(send=False)",
            self.ours,
            self.ours_summary,
        )
        return r


def table(args, r):
    n = max(r["overdue"], 1)
    oca, oca_c, ours = r["oca"], r["oca_c"], r["ours"]
    ov, ocv, uv = r["oca_v"], r["oca_cv"], r["ours_v"]

    def cell(c):
        return f"{c.seconds:.2f}", f"{c.count}", f"{c.count / n:.2f}"

    rows = [
        ("overdue open invoices", str(n), str(n), str(n)),
        (
            "credit lines / communication lines",
            str(ov["lines"]),
            str(ocv["lines"]),
            str(uv["lines"]) if uv["lines"] is not None else "-",
        ),
        ("communications (debtors)", "-", str(ocv["comms"]), str(uv["comms"])),
        ("seconds", *[cell(c)[0] for c in (oca, oca_c, ours)]),
        ("SQL queries", *[cell(c)[1] for c in (oca, oca_c, ours)]),
        ("queries per overdue invoice", *[cell(c)[2] for c in (oca, oca_c, ours)]),
        (
            "queries per communication (debtor)",
            "-",
            f"{oca_c.count / max(ocv['comms'], 1):.1f}",
            f"{ours.count / max(uv['comms'], 1):.1f}",
        ),
    ]
    heads = ("figure", "OCA run", "OCA run + comms", "debiteur_dunning")
    speed = oca.seconds / max(ours.seconds, 1e-9)
    speed_c = oca_c.seconds / max(ours.seconds, 1e-9)
    fewer = oca.count / max(ours.count, 1)
    fewer_c = oca_c.count / max(ours.count, 1)
    ratios = [
        f"speed: OCA run / ours = {speed:.1f}x (run + comms: {speed_c:.1f}x); "
        f"target >= 10x: {'met' if speed >= 10 else 'NOT met'}",
        f"queries per overdue invoice: OCA / ours = {fewer:.1f}x "
        f"(run + comms: {fewer_c:.1f}x); "
        f"target >= 20x: {'met' if fewer >= 20 else 'NOT met'}",
        f"OCA levels reached on this first run: {ov['levels']}",
    ]
    widths = [max(len(x[i]) for x in [heads, *rows]) for i in range(4)]
    print()
    for row in [heads, *rows]:
        print("  ".join(f"{v:<{widths[i]}}" for i, v in enumerate(row)))
    for line in ratios:
        print(line)
    if args.markdown:
        md = [
            "| " + " | ".join(heads) + " |",
            "|" + "|".join("---" for _h in heads) + "|",
            *["| " + " | ".join(row) + " |" for row in rows],
            "",
            *[f"- {line}" for line in ratios],
        ]
        with open(args.markdown, "w") as out:
            out.write("\n".join(md) + "\n")


def main():
    args = parse_args()
    args.db = args.db or f"{DB_PREFIX}_{args.invoices // 1000}k"
    check_db(args.db)
    patch_addons_path()
    started = time.perf_counter()
    ensure_dataset(args)
    result = Bench(args).run()
    table(args, result)
    print(f"total {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
