#!/usr/bin/env python3
"""Seeded dataset generator for the dunning benchmark.

    python3 tests/bench/generate.py --db dd_bench_5k --debtors 500 \
        --invoices 5000 --overdue-ratio 0.2 --seed 42

Creates the database if it is missing (``debiteur_dunning`` installed without
demo data; ``--template DB`` clones an already installed empty database
instead, which saves the ~2 minutes of module installation), then loads real,
consistent accounting through the ORM, in committed batches:

- debtors: ~30 % consumers (no company, no VAT), the rest companies (most with a
  VAT number, some with an invoice-address contact), 10 % invoiced in USD, CHF
  or JPY, 3 % without e-mail, 1 % excluded from dunning;
- customer invoices (1-3 lines, default sales tax), spread over the debtors
  with a long tail: ``overdue-ratio`` of them due 1-120 days ago (all levels:
  7/21/35/49 days), the others due today to 30 days ahead;
- 10 % of the overdue invoices partly paid (payment + reconcile), 1 % blocked;
- open credits: unreconciled credit notes and unreconciled customer payments.

The company's two default policies get ``auto_send`` and ``min_amount`` 0.
Never raw SQL into accounting tables: only ``VACUUM ANALYZE`` at the end.
"""

import argparse
import os
import random
import shutil
import subprocess
import sys
import time
from datetime import timedelta

import benchlib

FOREIGN = {"USD": 1.08, "CHF": 0.95, "JPY": 162.0}  # units per EUR
CONTEXT = {
    "tracking_disable": True,
    "mail_create_nolog": True,
    "mail_create_nosubscribe": True,
    "mail_notrack": True,
    "mail_auto_subscribe_no_notify": True,
    "lang": "en_US",
}
MARKER = "debiteur_bench.dataset"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--debtors", type=int, default=500)
    parser.add_argument("--invoices", type=int, default=5000)
    parser.add_argument("--overdue-ratio", type=float, default=0.2)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--batch", type=int, default=500, help="invoices per batch")
    parser.add_argument(
        "--template",
        help="installed empty dd_bench_ database to clone if --db is missing",
    )
    return parser.parse_args()


# ----------------------------------------------------------------------
# Database
# ----------------------------------------------------------------------
def create_database(db, template):
    if template:
        benchlib.check_db_name(template)
        print(f"cloning {template} -> {db}")
        subprocess.run(["createdb", "-T", template, db], check=True)
        src = os.path.join(benchlib.DATA_DIR, "filestore", template)
        if os.path.isdir(src):
            shutil.copytree(src, os.path.join(benchlib.DATA_DIR, "filestore", db))
        action = "--update"  # the template may predate the current code
    else:
        print(f"installing {benchlib.MODULE} in {db} (no demo data)")
        action = "--init"
    cmd = [sys.executable, "-m", "odoo", *benchlib.odoo_args(db)]
    cmd += [action, benchlib.MODULE, "--stop-after-init", "--http-port=18069"]
    subprocess.run(cmd, check=True)


# ----------------------------------------------------------------------
# Set-up: company, currencies, policies
# ----------------------------------------------------------------------
def setup_company(env, today):
    company = env.company
    if not company.chart_template:
        env["account.chart.template"].try_loading("generic_coa", company)
    eur = env.ref("base.EUR")
    eur.active = True
    if company.currency_id != eur:
        # Allowed while the company has no journal items yet.
        company.currency_id = eur
    company.write(
        {
            "country_id": env.ref("base.nl").id,
            "name": "Bench Company BV",
            "email": "billing@bench.example",
        }
    )
    company.partner_id.write(
        {"bank_ids": [(0, 0, {"acc_number": "NL91ABNA0417164300"})]}
    )
    currencies = {}
    for code, rate in FOREIGN.items():
        currency = env.ref(f"base.{code}")
        currency.active = True
        env["res.currency.rate"].create(
            {
                "currency_id": currency.id,
                "company_id": company.id,
                "name": today - timedelta(days=400),
                "rate": rate,
            }
        )
        currencies[code] = currency
    policies = company.debiteur_policy_business_id | company.debiteur_policy_consumer_id
    policies.write({"auto_send": True, "min_amount": 0.0})
    return company, currencies


# ----------------------------------------------------------------------
# Debtors
# ----------------------------------------------------------------------
def create_debtors(env, rng, count, currencies):
    """Returns [(partner, currency or None, weight)], one per debtor."""
    countries = {"USD": "base.us", "CHF": "base.ch", "JPY": "base.jp"}
    nl = env.ref("base.nl").id
    specs, vals_list = [], []
    for i in range(1, count + 1):
        consumer = rng.random() < 0.30
        code = rng.choice(sorted(currencies)) if rng.random() < 0.10 else None
        vals = {
            "name": f"Consumer {i:05d}" if consumer else f"Debtor {i:05d} BV",
            "is_company": not consumer,
            "email": False if rng.random() < 0.03 else f"ap{i}@debtor{i}.example",
            "lang": "en_US",
            "street": f"Straat {i}",
            "zip": "1000 AA",
            "city": "Amsterdam",
            "country_id": env.ref(countries[code]).id if code else nl,
            "debiteur_excluded": rng.random() < 0.01,
        }
        if not consumer and rng.random() < 0.8:
            vals["vat"] = f"NL{i:09d}B01"
        if not consumer and rng.random() < 0.15:
            vals["child_ids"] = [
                (
                    0,
                    0,
                    {
                        "type": "invoice",
                        "name": "Accounts payable",
                        "email": f"invoices{i}@debtor{i}.example",
                    },
                )
            ]
        vals_list.append(vals)
        # Long tail: a few debtors get many invoices, most get a few.
        specs.append((currencies[code] if code else None, rng.paretovariate(1.3)))
    partners = env["res.partner"].create(vals_list)
    return [(p, cur, w) for p, (cur, w) in zip(partners, specs, strict=True)]


# ----------------------------------------------------------------------
# Invoices, payments, credits
# ----------------------------------------------------------------------
def amount(rng, currency):
    value = round(rng.lognormvariate(6.0, 1.0), 2)  # median ~400 EUR
    if currency is not None:
        value = currency.round(value * FOREIGN[currency.name])
    return max(value, 1.0)


def invoice_specs(rng, debtors, count, ratio, today):
    partners = [d[0] for d in debtors]
    currencies = {d[0].id: d[1] for d in debtors}
    weights = [d[2] for d in debtors]
    chosen = rng.choices(range(len(partners)), weights=weights, k=count)
    specs = []
    for index in chosen:
        partner = partners[index]
        overdue = rng.random() < ratio
        due = today - timedelta(days=rng.randint(1, 120) if overdue else 0)
        if not overdue:
            due = today + timedelta(days=rng.randint(0, 30))
        specs.append(
            {
                "partner": partner,
                "currency": currencies[partner.id],
                "due": due,
                "date": due - timedelta(days=30),
                "overdue": overdue,
            }
        )
    specs.sort(key=lambda s: s["date"])  # post in date order, as in real life
    return specs


def invoice_vals(rng, spec, move_type="out_invoice"):
    currency = spec["currency"]
    lines = [
        (
            0,
            0,
            {
                "name": f"Service {rng.randint(1, 999)}",
                "quantity": rng.randint(1, 5),
                "price_unit": amount(rng, currency),
            },
        )
        for _i in range(rng.randint(1, 3))
    ]
    vals = {
        "move_type": move_type,
        "partner_id": spec["partner"].id,
        "invoice_date": spec["date"],
        "date": spec["date"],
        "invoice_line_ids": lines,
    }
    if move_type == "out_invoice":
        vals["invoice_date_due"] = spec["due"]
    if currency is not None:
        vals["currency_id"] = currency.id
    return vals


def receivable_line(move):
    return move.line_ids.filtered(lambda line: line.account_type == "asset_receivable")


def pay_partially(env, rng, invoices, today):
    """Part-pay ``invoices``: one posted payment each, reconciled with it."""
    if not invoices:
        return 0
    vals_list = []
    for inv in invoices:
        share = rng.uniform(0.2, 0.8)
        date = min(inv.invoice_date_due + timedelta(days=rng.randint(0, 20)), today)
        vals_list.append(
            {
                "payment_type": "inbound",
                "partner_type": "customer",
                "partner_id": inv.commercial_partner_id.id,
                "amount": inv.currency_id.round(inv.amount_residual * share),
                "currency_id": inv.currency_id.id,
                "date": date,
                "memo": inv.name,
            }
        )
    payments = env["account.payment"].create(vals_list)
    payments.action_post()
    for inv, payment in zip(invoices, payments, strict=True):
        (receivable_line(inv) | receivable_line(payment.move_id)).reconcile()
    return len(payments)


def open_payments(env, rng, debtors, count, today):
    """Unreconciled customer payments: credits on the debtor's account."""
    vals_list = []
    for partner, currency, _weight in rng.choices(debtors, k=count):
        currency = currency or env.company.currency_id
        vals_list.append(
            {
                "payment_type": "inbound",
                "partner_type": "customer",
                "partner_id": partner.id,
                "amount": currency.round(
                    rng.lognormvariate(5.0, 1.0) * FOREIGN.get(currency.name, 1.0)
                ),
                "currency_id": currency.id,
                "date": today - timedelta(days=rng.randint(1, 60)),
                "memo": "Unallocated payment",
            }
        )
    payments = env["account.payment"].create(vals_list)
    payments.action_post()
    return len(payments)


def credit_notes(env, rng, debtors, count, today):
    """Unreconciled customer credit notes."""
    vals_list = []
    for partner, currency, _weight in rng.choices(debtors, k=count):
        spec = {
            "partner": partner,
            "currency": currency,
            "date": today - timedelta(days=rng.randint(1, 90)),
        }
        vals_list.append(invoice_vals(rng, spec, move_type="out_refund"))
    refunds = env["account.move"].create(vals_list)
    refunds.action_post()
    return len(refunds)


# ----------------------------------------------------------------------
def main():
    args = parse_args()
    benchlib.check_db_name(args.db)
    started = time.perf_counter()
    if not benchlib.db_exists(args.db):
        create_database(args.db, args.template)
    benchlib.setup_odoo(args.db)
    from odoo import SUPERUSER_ID, api, fields

    reg = benchlib.registry(args.db)
    rng = random.Random(args.seed)
    with reg.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, dict(CONTEXT))
        if env["ir.config_parameter"].get_param(MARKER):
            raise SystemExit(
                f"{args.db} already holds a dataset "
                f"({env['ir.config_parameter'].get_param(MARKER)}); "
                f"dropdb --force {args.db} to make a new one"
            )
        today = fields.Date.context_today(env["res.users"])
        company, currencies = setup_company(env, today)
        debtors = create_debtors(env, rng, args.debtors, currencies)
        cr.commit()
        print(f"setup + {len(debtors)} debtors: {time.perf_counter() - started:.0f} s")

        specs = invoice_specs(rng, debtors, args.invoices, args.overdue_ratio, today)
        Move = env["account.move"].with_company(company)
        load_start = time.perf_counter()
        done = partial = 0
        for start in range(0, len(specs), args.batch):
            batch = specs[start : start + args.batch]
            moves = Move.create([invoice_vals(rng, spec) for spec in batch])
            moves.action_post()
            overdue = moves.filtered(lambda m: m.invoice_date_due < today)
            paid = overdue.filtered(lambda m: rng.random() < 0.10)
            partial += pay_partially(env, rng, paid, today)
            blocked = (overdue - paid).filtered(lambda m: rng.random() < 0.01)
            blocked.write(
                {"debiteur_blocked": True, "debiteur_block_reason": "Disputed"}
            )
            cr.commit()
            env.invalidate_all()
            done += len(moves)
            rate = done / (time.perf_counter() - load_start)
            print(f"  {done}/{len(specs)} invoices posted ({rate:.0f}/s)", flush=True)

        n_refunds = credit_notes(env, rng, debtors, max(1, args.invoices // 50), today)
        n_open = open_payments(env, rng, debtors, max(1, args.invoices // 100), today)
        env["ir.config_parameter"].set_param(
            MARKER,
            f"debtors={args.debtors} invoices={args.invoices} "
            f"overdue_ratio={args.overdue_ratio} seed={args.seed} date={today}",
        )
        cr.commit()
        load_seconds = time.perf_counter() - load_start
        overdue = env["account.move"].search_count(
            [
                ("move_type", "=", "out_invoice"),
                ("state", "=", "posted"),
                ("invoice_date_due", "<", today),
            ]
        )
    benchlib.psql(args.db, "VACUUM ANALYZE")
    total = time.perf_counter() - started
    print(
        f"{args.db}: {len(debtors)} debtors, {len(specs)} invoices "
        f"({overdue} overdue, {partial} partly paid), {n_refunds} credit notes, "
        f"{n_open} open payments"
    )
    print(
        f"loading took {load_seconds:.0f} s "
        f"({len(specs) / load_seconds:.0f} invoices/s); total {total:.0f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
