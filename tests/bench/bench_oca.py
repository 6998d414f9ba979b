#!/usr/bin/env python3
"""Side by side with OCA's account_credit_control 18.0 on the same data.

    pip install --no-deps --target /tmp/oca_addons \
        'odoo-addon-account-credit-control>=18.0,<18.1'
    python3 tests/bench/bench_oca.py --db dd_bench_5k

The OCA database ``dd_bench_oca_<name>`` is a copy of the dataset ``--db``
(``createdb -T`` and its filestore, made by ``generate.py``: so the same seed
and the very same invoices) with ``account_credit_control`` installed into
the copy; each company gets an OCA credit policy equivalent to ours (levels
7/21/35/49 days after the due date, e-mail channel, on the receivable
accounts). Then, per company, each in a transaction that is rolled back:

- OCA: ``credit.control.run`` create + ``generate_credit_lines()`` (the credit
  control run: one credit line per overdue receivable line), and, as a second
  figure, the run followed by grouping those lines into communications
  (``credit.control.communication._generate_comm_from_credit_lines``, what
  "Send" does before rendering mails), which is what our run produces;
- ours, on the same copy: ``debiteur.engine._compute_proposals`` +
  ``_apply(send=False)`` (proposals, communications, lines, invoice levels; no
  mail rendering).

and prints the table with the ratios (targets: ours >= 10x faster, >= 20x
fewer SQL queries per overdue invoice). ``bench.py`` runs the same as part of
its single command.

The OCA addon is only on the addons path of these scripts (its wheel must not
go into site-packages: it would hide Odoo's own ``odoo.addons``). OCA code is
never copied into this repository.
"""

import argparse
import os
import subprocess
import sys
import time

import benchlib
from bench_engine import new_communications

OCA_ADDON = "account_credit_control"
OCA_DIR = os.environ.get("DD_OCA_ADDONS", "/tmp/oca_addons/odoo/addons")
DB_PREFIX = "dd_bench_oca"
POLICY_NAME = "Debiteur-equivalent (7/21/35/49 days, e-mail)"
LEVELS = (7, 21, 35, 49)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True, help="the dataset (generate.py)")
    parser.add_argument("--oca-db", help="default: dd_bench_oca_<db without prefix>")
    parser.add_argument("--repeat", type=int, default=2, help="runs of each side")
    parser.add_argument("--shapes", action="store_true", help="top query shapes")
    parser.add_argument("--markdown", help="also write the table to this file")
    return parser.parse_args()


def oca_db_name(db):
    return f"{DB_PREFIX}_{db[len(benchlib.DB_PREFIX) :]}"


# ----------------------------------------------------------------------
# The OCA database: a copy of the dataset with account_credit_control
# ----------------------------------------------------------------------
def patch_addons_path():
    """Adds the OCA folder to benchlib's addons path (this process only)."""
    if not os.path.isdir(os.path.join(OCA_DIR, OCA_ADDON)):
        raise SystemExit(
            f"{OCA_ADDON} not found in {OCA_DIR}: pip install --no-deps --target "
            "/tmp/oca_addons 'odoo-addon-account-credit-control>=18.0,<18.1'"
        )
    original = benchlib.addons_path
    if getattr(original, "with_oca", False):
        return

    def with_oca():
        return f"{original()},{os.path.realpath(OCA_DIR)}"

    with_oca.with_oca = True
    benchlib.addons_path = with_oca


def check_db(db):
    if not db.startswith(DB_PREFIX):
        raise SystemExit(f"refusing database {db!r}: must start with {DB_PREFIX}")
    benchlib.check_db_name(db)


def installed(db, module):
    out = subprocess.run(
        ["psql", "-X", "-d", db, "-Atqc",
         f"SELECT state FROM ir_module_module WHERE name = '{module}'"],
        check=True, capture_output=True, text=True,
    ).stdout.strip()  # fmt: skip
    return out == "installed"


def ensure_oca_db(db, oca_db):
    """Copy ``db`` to ``oca_db`` and install OCA's addon there (if missing)."""
    check_db(oca_db)
    if benchlib.db_exists(oca_db) and installed(oca_db, OCA_ADDON):
        return
    benchlib.drop_database(oca_db)
    started = time.perf_counter()
    print(f"copying {db} -> {oca_db}, installing {OCA_ADDON}", flush=True)
    benchlib.copy_database(db, oca_db)
    cmd = [sys.executable, "-m", "odoo", *benchlib.odoo_args(oca_db)]
    cmd += ["--init", OCA_ADDON, "--stop-after-init", "--http-port=18169"]
    subprocess.run(cmd, check=True)
    print(f"  {oca_db} ready in {time.perf_counter() - started:.0f} s", flush=True)


def configure_oca(env):
    """OCA's policy for ``env.company``, levels equivalent to ours (idempotent)."""
    Policy = env["credit.control.policy"]
    company = env.company
    name = f"{POLICY_NAME} - {company.name}"
    policy = Policy.search([("name", "=", name)], limit=1)
    receivable = env["account.account"].search(
        [("company_ids", "in", company.id), ("account_type", "=", "asset_receivable")]
    )
    if not policy:
        template = env.ref("account_credit_control.email_template_credit_control_base")
        text = "Our records show that the invoices below are overdue."
        policy = Policy.create(
            {
                "name": name,
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
    # Only this policy runs for the company.
    others = Policy.search([("company_id", "in", [company.id, False])]) - policy
    others.write({"active": False})
    company.credit_policy_id = policy
    return policy


# ----------------------------------------------------------------------
# The runs
# ----------------------------------------------------------------------
def overdue_count(env, date):
    return env["account.move"].search_count(
        [
            ("company_id", "=", env.company.id),
            ("move_type", "=", "out_invoice"),
            ("state", "=", "posted"),
            ("payment_state", "in", ("not_paid", "partial")),
            ("invoice_date_due", "<", date),
        ]
    )


def oca_run(env, date):
    policy = env.company.credit_policy_id
    run = env["credit.control.run"].create(
        {"date": date, "company_id": env.company.id, "policy_ids": [(6, 0, policy.ids)]}
    )
    run.generate_credit_lines()
    return run


def oca_run_comms(env, date):
    run = oca_run(env, date)
    run.set_to_ready_lines()
    lines = run.line_ids.filtered(lambda x: x.state == "to_be_sent")
    Comm = env["credit.control.communication"]
    return run, Comm._generate_comm_from_credit_lines(lines)


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


def ours_summary(env, comms):
    return {
        "lines": len(comms.invoice_line_ids),
        "partners": len(comms.partner_id.commercial_partner_id),
        "levels": sorted(set(comms.invoice_line_ids.level_id.mapped("sequence"))),
        "comms": len(comms),
    }


class Sum:
    """Counters of several companies added up (seconds, queries, peak MB)."""

    def __init__(self, counters):
        self.seconds = sum(c.seconds for c in counters)
        self.count = sum(c.count for c in counters)
        self.rss = max(c.rss for c in counters)


def add_values(values):
    total = {}
    for value in values:
        for key, item in value.items():
            if isinstance(item, list):
                total[key] = sorted(set(total.get(key, [])) | set(item))
            elif item is not None:
                total[key] = total.get(key, 0) + item
            else:
                total.setdefault(key, None)
    return total


def compare(db, oca_db, repeat=2, shapes=False):
    """Both runs on ``oca_db`` for every company; the figures, added up."""
    from odoo import fields

    ensure_oca_db(db, oca_db)
    m = benchlib.Measurer(oca_db, shapes=shapes)
    today = fields.Date.today()
    companies = m.transaction(lambda env: env["res.company"].search([], order="id").ids)
    r = {"overdue": 0, "oca": [], "oca_c": [], "ours": []}
    values = {"oca": [], "oca_c": [], "ours": []}
    for company in companies:
        m.transaction(configure_oca, commit=True, company=company)
        r["overdue"] += m.transaction(
            lambda env: overdue_count(env, today), company=company
        )
        for key, label, func, summary in (
            ("oca", "OCA credit control run", oca_run, oca_summary),
            ("oca_c", "OCA run + communications", oca_run_comms, oca_summary),
            ("ours", "ours: _compute_proposals + _apply", new_communications,
             ours_summary),
        ):  # fmt: skip
            counter, value = m.measure(
                f"[company {company}] {label}",
                lambda env, func=func: func(env, today),
                repeat=repeat,
                summary=summary,
                company=company,
            )
            r[key].append(counter)
            values[key].append(value)
            print(f"      {value}", flush=True)
    for key in ("oca", "oca_c", "ours"):
        r[key] = Sum(r[key])
        r[key + "_v"] = add_values(values[key])
    r["companies"] = len(companies)
    return r


def table_rows(r):
    """(heads, rows, ratio lines, met) of the comparison."""
    n = max(r["overdue"], 1)
    oca, oca_c, ours = r["oca"], r["oca_c"], r["ours"]
    ov, ocv, uv = r["oca_v"], r["oca_c_v"], r["ours_v"]

    def cell(c):
        return f"{c.seconds:.2f}", f"{c.count}", f"{c.count / n:.2f}"

    rows = [
        ("overdue open invoices", str(n), str(n), str(n)),
        (
            "credit lines / communication lines",
            str(ov["lines"]),
            str(ocv["lines"]),
            str(uv["lines"]),
        ),
        ("communications (debtors)", "-", str(ocv["comms"]), str(uv["comms"])),
        ("levels reached", str(ov["levels"]), str(ocv["levels"]), str(uv["levels"])),
        ("seconds", *[cell(c)[0] for c in (oca, oca_c, ours)]),
        ("SQL queries", *[cell(c)[1] for c in (oca, oca_c, ours)]),
        ("queries per overdue invoice", *[cell(c)[2] for c in (oca, oca_c, ours)]),
        (
            "queries per communication (debtor)",
            "-",
            f"{oca_c.count / max(ocv['comms'], 1):.1f}",
            f"{ours.count / max(uv['comms'], 1):.1f}",
        ),
        ("peak memory (MB)", *[f"{c.rss:.0f}" for c in (oca, oca_c, ours)]),
    ]
    heads = ("figure", "OCA run", "OCA run + comms", "debiteur_dunning")
    speed = oca.seconds / max(ours.seconds, 1e-9)
    speed_c = oca_c.seconds / max(ours.seconds, 1e-9)
    fewer = oca.count / max(ours.count, 1)
    fewer_c = oca_c.count / max(ours.count, 1)
    met = {"speed": speed >= 10, "queries": fewer >= 20}
    ratios = [
        f"speed: OCA run / ours = {speed:.1f}x (run + comms: {speed_c:.1f}x); "
        f"target >= 10x: {'met' if met['speed'] else 'NOT met'}",
        f"queries per overdue invoice: OCA / ours = {fewer:.1f}x "
        f"(run + comms: {fewer_c:.1f}x); "
        f"target >= 20x: {'met' if met['queries'] else 'NOT met'}",
    ]
    return heads, rows, ratios, met


def print_table(heads, rows, notes, markdown=None):
    widths = [max(len(x[i]) for x in [heads, *rows]) for i in range(len(heads))]
    print()
    for row in [heads, *rows]:
        print("  ".join(f"{v:<{widths[i]}}" for i, v in enumerate(row)))
    for line in notes:
        print(line)
    if markdown:
        md = [
            "| " + " | ".join(heads) + " |",
            "|" + "|".join("---" for _h in heads) + "|",
            *["| " + " | ".join(row) + " |" for row in rows],
            "",
            *[f"- {line}" for line in notes],
        ]
        with open(markdown, "a") as out:
            out.write("\n".join(md) + "\n\n")


def main():
    args = parse_args()
    benchlib.check_db_name(args.db)
    oca_db = args.oca_db or oca_db_name(args.db)
    check_db(oca_db)
    patch_addons_path()
    started = time.perf_counter()
    benchlib.setup_odoo(args.db)
    result = compare(args.db, oca_db, repeat=args.repeat, shapes=args.shapes)
    heads, rows, ratios, _met = table_rows(result)
    print_table(heads, rows, ratios, args.markdown)
    print(f"total {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
