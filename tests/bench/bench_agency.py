#!/usr/bin/env python3
"""The collection-agency export at several sizes, in one command (issue #19).

    python3 tests/bench/bench_agency.py --db dd_bench_20k --sizes 40,120,1000

For each size N: the handoff wizard (``debiteur.handoff.wizard``) dated
``--days`` after today, on the first N debtors of the company that has the
most collection candidates on that day, the agency with an
e-mail address: N handoffs created, their dossiers (XML, CSV, PDF summary, the
reminders sent) produced, the e-mails queued, the exports logged. Above a
batch (100 debtors) the wizard queues the handoffs for the background job,
whose batches are then run here one after the other, as the job would. Best of
``--repeat`` runs, each in a transaction that is rolled back; a size larger
than the candidates of that company is skipped. Printed per size: seconds,
SQL queries (all cursors of the thread), both per debtor, and the peak memory.

A warm-up of two debtors runs first (not measured): the report assets are
built and the way wkhtmltopdf takes a batch is learnt, as a server does once.
wkhtmltopdf loads the assets from a temporary Odoo HTTP server (``--port``;
``--port 0``: none, the PDFs then lack their styles but cost the same).
``--shapes`` prints the most repeated query shapes (N+1 hunting). The machine
(cores, CPU model, load average) is printed with the figures.
"""

import argparse
import datetime
import os
import sys

import bench_engine
import benchlib


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--sizes", default="40,120,1000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--days",
        type=int,
        default=21,
        help="hand off this many days after today: the dataset's last formal "
        "notices went out 14 days ago, their legal term has not ended today",
    )
    parser.add_argument("--port", type=int, default=18069)
    parser.add_argument("--update", action="store_true", help="-u the module first")
    parser.add_argument("--shapes", action="store_true")
    return parser.parse_args()


def machine():
    cpu = "?"
    with open("/proc/cpuinfo") as info:
        for line in info:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return f"nproc {os.cpu_count()}, {cpu}, load average {load}"


def candidates(env, day):
    """{company id: (ids of the debtors that are collection candidates on
    ``day``, in id order; agency id)}."""
    out = {}
    for company in env["res.company"].search([], order="id"):
        cenv = env(context=dict(env.context, allowed_company_ids=company.ids))
        groups = cenv["account.move"]._read_group(
            cenv["res.partner"]._debiteur_handoff_candidate_domain(company, day),
            ["commercial_partner_id"],
        )
        partners = cenv["res.partner"].browse(
            sorted(partner.id for (partner,) in groups)
        )
        agency = cenv["res.partner"].search(
            [
                ("debiteur_agency_type", "!=", False),
                ("company_id", "=", company.id),
                ("email", "!=", False),
            ],
            limit=1,
        )
        if partners and agency:
            out[company.id] = (partners.ids, agency.id)
    return out


def export(env, day, partner_ids, agency_id, report_url):
    """The handoff wizard on ``partner_ids``: the number of handoffs sent."""
    bench_engine.set_report_url(env, report_url)
    wizard = env["debiteur.handoff.wizard"].create(
        {
            "company_id": env.company.id,
            "date": day,
            "partner_ids": [(6, 0, partner_ids)],
            "agency_id": agency_id,
            "reason": "Bench: handed off after the formal notice.",
            "send_email": True,
        }
    )
    action = wizard.action_confirm()
    if action.get("tag") == "display_notification":
        # More than a batch: queued for the background job, which is run
        # here batch by batch as ir.cron would, as its own user, in this
        # transaction (without the job's progress in the context, it does
        # not commit).
        action = action["params"]["next"]
        cron = env.ref("debiteur_dunning.ir_cron_debiteur_handoff")
        Handoff = env(user=cron.user_id)["debiteur.handoff"]
        while Handoff._cron_hand_off_queued():
            pass
    handoffs = env["debiteur.handoff"].search(action.get("domain") or [])
    return len(handoffs.filtered(lambda h: h.state == "sent"))


def main():
    args = parse_args()
    benchlib.check_db_name(args.db)
    if args.update:
        benchlib.update_module(args.db)
    benchlib.setup_odoo(args.db)
    from odoo import fields

    measurer = benchlib.Measurer(args.db, shapes=args.shapes)
    day = fields.Date.today() + datetime.timedelta(days=args.days)
    found = measurer.transaction(lambda env: candidates(env, day))
    if not found:
        raise SystemExit(f"{args.db} has no collection candidates")
    company, (partner_ids, agency_id) = max(found.items(), key=lambda i: len(i[1][0]))
    print(
        f"{args.db}: company {company}, {len(partner_ids)} candidates on {day}",
        flush=True,
    )
    server = None
    url = None
    if args.port:
        server = bench_engine.start_server(args.db, args.port)
        url = f"http://127.0.0.1:{args.port}"
    rows = []
    try:
        measurer.transaction(
            lambda env: export(env, day, partner_ids[:2], agency_id, url),
            company=company,
        )
        for size in [int(s) for s in args.sizes.split(",") if s.strip()]:
            if size > len(partner_ids):
                print(f"  {size} debtors: skipped ({len(partner_ids)} candidates)")
                continue
            ids = partner_ids[:size]
            counter, sent = measurer.measure(
                f"agency export, {size} debtors",
                lambda env, ids=ids: export(env, day, ids, agency_id, url),
                repeat=args.repeat,
                company=company,
            )
            rows.append((size, sent, counter, machine()))
    finally:
        if server:
            server.terminate()
            server.wait()
    print()
    print("| debtors | handed off | s | queries | s / debtor | queries / debtor "
          "| peak MB | machine |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|")
    for size, sent, c, mach in rows:
        print(
            f"| {size} | {sent} | {c.seconds:.2f} | {c.count} | "
            f"{c.seconds / size:.3f} | {c.count / size:.1f} | {c.rss:.0f} | {mach} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
