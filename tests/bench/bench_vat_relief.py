#!/usr/bin/env python3
"""The VAT-relief wizard at several sizes, in one command (issue #19).

    python3 tests/bench/bench_vat_relief.py --db dd_bench_8k --sizes 40,200

For each size N: the first N overdue open invoices with VAT of the first
company, free of arrangements, handoffs and earlier reliefs, reclaimed through
the wizard as proven uncollectible (reason and evidence), one entry each.
Best of ``--repeat`` runs, each rolled back; seconds (and the CPU seconds of
the process, less dependent on the machine's load) and SQL queries, both per
invoice, with the machine (cores, CPU model, load average).
"""

import argparse
import sys

import bench
import bench_agency
import benchlib


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--sizes", default="40,200")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--update", action="store_true", help="-u the module first")
    parser.add_argument("--shapes", action="store_true")
    return parser.parse_args()


def main():
    args = parse_args()
    benchlib.check_db_name(args.db)
    if args.update:
        benchlib.update_module(args.db)
    benchlib.setup_odoo(args.db)
    from odoo import fields

    measurer = benchlib.Measurer(args.db, shapes=args.shapes)
    today = fields.Date.today()
    company = measurer.transaction(
        lambda env: env["res.company"].search([], order="id", limit=1).id
    )
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    move_ids = measurer.transaction(
        lambda env: bench.vat_relief_invoices(env, today, max(sizes)),
        company=company,
    )
    rows = []
    for size in sizes:
        if size > len(move_ids):
            print(f"  {size} invoices: skipped ({len(move_ids)} found)")
            continue
        ids = move_ids[:size]
        counter, relieved = measurer.measure(
            f"VAT relief, {size} invoices",
            lambda env, ids=ids: bench.vat_relief(env, today, ids),
            repeat=args.repeat,
            company=company,
        )
        rows.append((size, relieved, counter, bench_agency.machine()))
    print()
    print("| invoices | relieved | s (CPU s) | queries | s / invoice "
          "| queries / invoice | peak MB | machine |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|")
    for size, relieved, c, mach in rows:
        print(
            f"| {size} | {relieved} | {c.seconds:.2f} ({c.cpu:.2f}) | {c.count} | "
            f"{c.seconds / size:.3f} | {c.count / size:.1f} | {c.rss:.0f} | {mach} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
