#!/usr/bin/env python3
"""Benchmark of Payments first (issue 17): the bank matcher.

    python3 tests/bench/bench_matching.py                       # pure matcher
    python3 tests/bench/bench_matching.py --db dd_bench_50k     # + the DB scan

1. The pure matcher (``debiteur_dunning/bank_matching.py``, no database):
   ``--lines`` statement lines (default 10,000) against ``--invoices`` open
   invoices (default 50,000) of ``--debtors`` debtors (default 5,000, a long
   tail as in generate.py), seeded. The lines are a mix: a reminder's RF
   reference or a Belgian structured communication, an invoice number, the
   debtor's IBAN with one invoice's amount, two or three of the debtor's
   invoices at once, and lines that match nothing (rent, salaries).
   Indexing and matching are timed apart; best of ``--repeat``.
2. With ``--db``: ``debiteur.payment.match._debiteur_scan`` on that database,
   per company, in a transaction that is rolled back: ``--db-lines``
   statement lines (default 10,000) are first created from the company's open
   invoices in the same mix (their creation is not measured), then the scan
   is measured: seconds and SQL queries (benchlib.Measurer). With
   ``--db-invoices N``, N open invoices are created first when the database
   has fewer (for a database without a generated dataset).
"""

import argparse
import importlib.util
import os
import platform
import random
import subprocess
import sys
import time
import types
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
# No chatter or tracking for the records made up for the DB scan.
QUIET = {"tracking_disable": True, "mail_create_nolog": True, "mail_notrack": True}
MATCHER = HERE.parent.parent / "debiteur_dunning" / "bank_matching.py"
LEGAL = HERE.parent.parent / "debiteur_dunning" / "legal"


def _load(name, path, package=False):
    if name not in sys.modules:
        kwargs = {"submodule_search_locations": [str(path)]} if package else {}
        spec = importlib.util.spec_from_file_location(
            name, path / "__init__.py" if package else path, **kwargs
        )
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


# bank_matching.py imports legal/: loaded as a submodule of a bare package over
# the addon's folder (the addon's own __init__ imports Odoo).
sys.modules.setdefault("debiteur_pure", types.ModuleType("debiteur_pure")).__path__ = [
    str(MATCHER.parent)
]
bm = importlib.import_module("debiteur_pure.bank_matching")
legal = _load("debiteur_legal", LEGAL, package=True)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=10_000)
    parser.add_argument("--invoices", type=int, default=50_000)
    parser.add_argument("--debtors", type=int, default=5_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--db", help="also measure the DB scan on this database")
    parser.add_argument("--db-lines", type=int, default=10_000)
    parser.add_argument("--db-invoices", type=int, default=0)
    return parser.parse_args()


def machine():
    model = ""
    try:
        for row in subprocess.run(
            ["lscpu"], capture_output=True, text=True, check=False
        ).stdout.splitlines():
            if row.startswith("Model name"):
                model = row.split(":", 1)[1].strip()
    except OSError:
        pass
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return (
        f"{os.cpu_count()} CPU ({model or platform.processor()}), load average "
        f"{load}, Python {platform.python_version()}"
    )


# ----------------------------------------------------------------------
# 1. The pure matcher
# ----------------------------------------------------------------------
def dataset(args):
    rng = random.Random(args.seed)
    # A long tail: a few debtors have many invoices, most have a handful.
    weights = [1 / (i + 1) ** 0.8 for i in range(args.debtors)]
    owners = rng.choices(range(1, args.debtors + 1), weights=weights, k=args.invoices)
    ibans = {pid: f"NL{pid % 89 + 10:02d}BANK{pid:010d}" for pid in owners}
    invoices = []
    for i, pid in enumerate(owners, start=1):
        cents = rng.randint(1_000, 500_000)
        refs = ()
        if rng.random() < 0.3:  # claimed by a reminder
            refs = (
                legal.rf_reference(f"DEB{i:08d}")
                if rng.random() < 0.7
                else legal.be_structured_communication(i),
            )
        invoices.append(
            bm.OpenInvoice(
                id=i,
                partner_id=pid,
                residual=Decimal(cents) / 100,
                currency="EUR",
                number=f"INV/2026/{i:05d}",
                payment_reference=f"INV/2026/{i:05d}",
                references=refs,
            )
        )
    by_partner = {}
    for inv in invoices:
        by_partner.setdefault(inv.partner_id, []).append(inv)
    lines = []
    for n in range(1, args.lines + 1):
        inv = rng.choice(invoices)
        kind = rng.random()
        label, partner, iban, amount = "", None, None, inv.residual
        if kind < 0.25 and inv.references:
            label = f"Betaling {inv.references[0]} dank u"
        elif kind < 0.45:
            label = f"Factuur {inv.number}"
        elif kind < 0.65:
            label, iban = "Betaling", ibans[inv.partner_id]
        elif kind < 0.8:
            mine = by_partner[inv.partner_id]
            some = rng.sample(mine, min(len(mine), rng.randint(2, 3)))
            label, partner = "Diverse facturen", inv.partner_id
            amount = sum((i.residual for i in some), Decimal(0))
        else:
            label = rng.choice(["Huur december", "Salaris", "Terugbetaling"])
            amount = Decimal(rng.randint(1_000, 500_000)) / 100
        lines.append(
            bm.StatementLine(
                id=n,
                date=None,
                amount=amount,
                currency="EUR",
                label=label,
                partner_id=partner,
                iban=iban,
            )
        )
    return lines, invoices, [(iban, pid) for pid, iban in ibans.items()]


def bench_pure(args):
    lines, invoices, ibans = dataset(args)
    best = None
    for _i in range(max(args.repeat, 1)):
        cpu = time.process_time()
        start = time.perf_counter()
        matcher = bm.Matcher(invoices, ibans)
        indexed = time.perf_counter()
        matches = matcher.match(lines)
        done = time.perf_counter()
        cpu = time.process_time() - cpu
        run = (done - start, indexed - start, done - indexed, matches, cpu)
        if best is None or run[0] < best[0]:
            best = run
    total, index, match, matches, cpu = best
    by_rule = {}
    for found in matches:
        key = (found.rule, "automatic" if found.automatic else "to check")
        by_rule[key] = by_rule.get(key, 0) + 1
    print(
        f"Pure matcher: {len(lines):,} lines against {len(invoices):,} open "
        f"invoices of {len({i.partner_id for i in invoices}):,} debtors: "
        f"best of {args.repeat}: {total:.2f} s (index {index:.2f} s, "
        f"match {match:.2f} s; CPU time {cpu:.2f} s); {len(matches):,} matches"
    )
    for (rule, kind), count in sorted(by_rule.items()):
        print(f"  {rule:10s} {kind:10s} {count:6,d}")
    return total


# ----------------------------------------------------------------------
# 2. The DB scan
# ----------------------------------------------------------------------
def make_invoices(env, company, count, rng):
    from odoo import Command

    Move = env["account.move"].with_company(company)
    partners = env["res.partner"].create(
        [{"name": f"Bench debtor {i}", "is_company": True} for i in range(200)]
    )
    for start in range(0, count, 500):
        moves = Move.create(
            [
                {
                    "move_type": "out_invoice",
                    "partner_id": rng.choice(partners).id,
                    "invoice_date": "2026-11-01",
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "name": "Goods",
                                "quantity": 1,
                                "price_unit": rng.randint(1_000, 500_000) / 100,
                                "tax_ids": [],
                            }
                        )
                    ],
                }
                for _i in range(min(500, count - start))
            ]
        )
        moves.action_post()


def make_statement_lines(env, company, count, rng):
    Move = env["account.move"].with_company(company)
    invoices = Move.search_read(
        [
            ("company_id", "=", company.id),
            ("move_type", "=", "out_invoice"),
            ("state", "=", "posted"),
            ("amount_residual", ">", 0),
        ],
        ["name", "amount_residual", "commercial_partner_id"],
    )
    journal = env["account.journal"].search(
        [("type", "=", "bank"), ("company_id", "=", company.id)], limit=1
    )
    vals = []
    for _i in range(count):
        inv = rng.choice(invoices)
        kind = rng.random()
        if kind < 0.4:
            label, partner, amount = (
                f"Factuur {inv['name']}",
                False,
                inv["amount_residual"],
            )
        elif kind < 0.8:
            label, partner = "Betaling", inv["commercial_partner_id"][0]
            amount = inv["amount_residual"]
        else:
            label, partner = "Huur", False
            amount = rng.randint(1_000, 500_000) / 100
        vals.append(
            {
                "journal_id": journal.id,
                "date": "2026-12-01",
                "amount": amount,
                "payment_ref": label,
                "partner_id": partner,
            }
        )
    # The administrator of a database without a bank journal user right.
    StLine = env["account.bank.statement.line"].sudo().with_company(company)
    for start in range(0, len(vals), 1000):
        StLine.create(vals[start : start + 1000])
    return len(invoices)


def bench_db(args):
    sys.path.insert(0, str(HERE))
    import benchlib

    benchlib.setup_odoo(args.db)
    measurer = benchlib.Measurer(args.db)
    companies = measurer.transaction(lambda env: env["res.company"].search([]).ids)
    for company_id in companies:
        rng = random.Random(args.seed)

        def scan(env, company_id=company_id, rng=rng):
            env = env(context=dict(env.context, **QUIET))
            company = env["res.company"].browse(company_id)
            if args.db_invoices:
                have = env["account.move"].search_count(
                    [("company_id", "=", company_id), ("move_type", "=", "out_invoice")]
                )
                if have < args.db_invoices:
                    make_invoices(env, company, args.db_invoices - have, rng)
            open_count = make_statement_lines(env, company, args.db_lines, rng)
            env.flush_all()
            env.invalidate_all()
            counter = benchlib.QueryCounter()
            with counter:
                env["debiteur.payment.match"]._debiteur_scan(company, "2026-12-07")
                env.flush_all()
            states = env["debiteur.payment.match"].read_group(
                [("company_id", "=", company_id)], ["state"], ["state"]
            )
            print(
                f"  DB scan, company {company.name}: {args.db_lines:,} statement "
                f"lines against {open_count:,} open invoices: {counter.seconds:.2f} s, "
                f"{counter.count} queries; proposals: "
                + ", ".join(f"{s['state']} {s['state_count']}" for s in states),
                flush=True,
            )

        measurer.transaction(scan, company=company_id)


def main():
    args = parse_args()
    print(machine())
    bench_pure(args)
    if args.db:
        bench_db(args)


if __name__ == "__main__":
    main()
