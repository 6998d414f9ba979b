#!/usr/bin/env python3
"""Seeded dataset generator for the dunning benchmark.

    python3 tests/bench/generate.py --db dd_bench_5k --debtors 500 \
        --invoices 5000 --overdue-ratio 0.2 --seed 42 --template dd_bench_empty

Creates the database if it is missing (``debiteur_dunning`` installed without
demo data; ``--template DB`` clones an already installed empty database
instead, which saves the ~2 minutes of module installation), then loads real,
consistent accounting through the ORM, in committed batches:

- two companies: a Dutch one (NL policies) and a Belgian one (its policies
  under Belgian law); debtors and invoices split 70/30 between them;
- debtors: ~30 % consumers, the rest companies (most with a VAT number, some
  with an invoice-address contact), 10 % invoiced in USD, CHF or JPY, 3 %
  without e-mail, 1 % excluded from dunning; 5 % archived at the end, while
  their invoices are still open;
- customer invoices (1-3 lines, default sales tax), spread over the debtors
  with a long tail: ``overdue-ratio`` of them due 1-120 days ago, the others
  due today to 30 days ahead;
- 10 % of the overdue invoices partly paid (payment + reconcile), 1 %
  disputed (blocked with a reason); open credits: unreconciled credit notes
  and unreconciled customer payments;
- a dunning history: the addon's own scheduler (``_cron_company``) run on
  ``--history`` back-dated days (default 56, 42, 28 and 14 days ago), its
  reminders then marked delivered, so that today the overdue invoices stand
  at levels 1-4 and reminders, cases and collection candidates exist;
- payment arrangements (the arrangement wizard) for 1 % of the debtors;
- per company: VAT-relief settings and a registered collection agency.

Each company is loaded by its own worker process (``--jobs``, default 2: one
per core), which also runs that company's history. The letters and e-mails of
the history are not rendered (Debian's wkhtmltopdf needs ~2 s a letter): the
reminders are marked sent/printed as a user who sent them by hand would see
them. The policies end with ``auto_send`` on and ``min_amount`` 0.
Never raw SQL into accounting tables: only ``VACUUM ANALYZE`` at the end.
"""

import argparse
import json
import os
import random
import re
import subprocess
import sys
import time
from datetime import timedelta

import benchlib

FOREIGN = {"USD": 1.08, "CHF": 0.95, "JPY": 162.0}  # units per EUR
FOREIGN_COUNTRY = {"USD": "base.us", "CHF": "base.ch", "JPY": "base.jp"}
COMPANIES = (
    {
        "country": "nl",
        "share": 0.7,
        "name": "Bench Company BV",
        "email": "billing@bench-nl.example",
        "street": "Keizersgracht 1",
        "zip": "1015 AA",
        "city": "Amsterdam",
        "company_registry": "12345678",
        "iban": "NL91ABNA0417164300",
        "jurisdiction": "nl",
    },
    {
        "country": "be",
        "share": 0.3,
        "name": "Bench Company BV (België)",
        "email": "billing@bench-be.example",
        "street": "Meir 1",
        "zip": "2000",
        "city": "Antwerpen",
        "vat": "BE0477472701",
        "iban": "BE68539007547034",
        "jurisdiction": "be",
    },
)
CONTEXT = {
    "tracking_disable": True,
    "mail_create_nolog": True,
    "mail_create_nosubscribe": True,
    "mail_notrack": True,
    "mail_auto_subscribe_no_notify": True,
    "lang": "en_US",
}
MARKER = "debiteur_bench.dataset"
REF = "BENCH-%05d"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--debtors", type=int, default=500)
    parser.add_argument("--invoices", type=int, default=5000)
    parser.add_argument("--overdue-ratio", type=float, default=0.2)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--batch", type=int, default=500, help="invoices per batch")
    parser.add_argument("--jobs", type=int, default=2, help="parallel workers")
    parser.add_argument(
        "--history",
        default="56,42,28,14",
        help="days ago of the back-dated scheduler runs ('none' or '' for none: "
        "every overdue debtor is then due its first reminder)",
    )
    parser.add_argument(
        "--template",
        help="installed empty dd_bench_ database to clone if --db is missing",
    )
    parser.add_argument(
        "--resume",
        action="store_true",
        help="the invoices are loaded (a run stopped after them): update the "
        "module, then run the history and the rest",
    )
    parser.add_argument(
        "--history-from",
        metavar="SOURCE",
        help="copy SOURCE, a dataset made with --history none, and give the copy "
        "only the --history runs: the very same invoices, with a dunning history",
    )
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    return parser.parse_args()


# ----------------------------------------------------------------------
# Database
# ----------------------------------------------------------------------
def create_database(db, template):
    if template:
        benchlib.check_db_name(template)
        print(f"cloning {template} -> {db}")
        benchlib.copy_database(template, db)
        action = "--update"  # the template may predate the current code
    else:
        print(f"installing {benchlib.MODULE} in {db} (no demo data)")
        action = "--init"
    cmd = [sys.executable, "-m", "odoo", *benchlib.odoo_args(db)]
    cmd += [action, benchlib.MODULE, "--stop-after-init", "--http-port=18069"]
    subprocess.run(cmd, check=True)


# ----------------------------------------------------------------------
# The seed: debtors and invoices as plain data, the same in every process
# ----------------------------------------------------------------------
def debtor_specs(seed, count):
    """One dict per debtor; company 0 (NL) or 1 (BE), 70/30."""
    rng = random.Random(f"{seed}:debtors")
    specs = []
    for i in range(1, count + 1):
        company = 0 if rng.random() < COMPANIES[0]["share"] else 1
        country = COMPANIES[company]["country"]
        consumer = rng.random() < 0.30
        code = rng.choice(sorted(FOREIGN)) if rng.random() < 0.10 else None
        spec = {
            "index": i,
            "company": company,
            "currency": code,
            # Long tail: a few debtors get many invoices, most get a few.
            "weight": rng.paretovariate(1.3),
            "vals": {
                "ref": REF % i,
                "name": f"Consumer {i:05d}" if consumer else f"Debtor {i:05d} BV",
                "is_company": not consumer,
                "email": False if rng.random() < 0.03 else f"ap{i}@debtor{i}.example",
                "lang": "en_US",
                "street": f"Straat {i}",
                "zip": "1000 AA" if country == "nl" else "1000",
                "city": "Amsterdam" if country == "nl" else "Brussel",
                "country": FOREIGN_COUNTRY[code] if code else f"base.{country}",
                "debiteur_excluded": rng.random() < 0.01,
            },
        }
        if not consumer and rng.random() < 0.8:
            spec["vals"]["vat"] = (
                f"NL{i:09d}B01" if country == "nl" else f"BE0{i:09d}"[:12]
            )
        if not consumer and rng.random() < 0.15:
            spec["vals"]["child_ids"] = [
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
        specs.append(spec)
    return specs


def invoice_specs(rng, debtors, count, ratio, today):
    """``debtors``: [(partner_id, currency code or None, weight)]."""
    weights = [d[2] for d in debtors]
    chosen = rng.choices(range(len(debtors)), weights=weights, k=count)
    specs = []
    for index in chosen:
        partner_id, code, _weight = debtors[index]
        overdue = rng.random() < ratio
        if overdue:
            due = today - timedelta(days=rng.randint(1, 120))
        else:
            due = today + timedelta(days=rng.randint(0, 30))
        specs.append(
            {
                "partner_id": partner_id,
                "currency": code,
                "due": due,
                "date": due - timedelta(days=30),
            }
        )
    specs.sort(key=lambda s: s["date"])  # post in date order, as in real life
    return specs


def amount(rng, code):
    value = round(rng.lognormvariate(6.0, 1.0), 2)  # median ~400 EUR
    if code is not None:
        value = round(value * FOREIGN[code], 0 if code == "JPY" else 2)
    return max(value, 1.0)


def invoice_lines(rng, spec):
    """[(label, quantity, price_unit)]: 1-3 service lines."""
    return [
        (
            f"Service {rng.randint(1, 999)}",
            rng.randint(1, 5),
            amount(rng, spec["currency"]),
        )
        for _i in range(rng.randint(1, 3))
    ]


class Books:
    """What an invoice's journal items need in one company: accounts, the
    default sales tax, currencies and their rates (read once per worker)."""

    def __init__(self, env, journal):
        company = env.company
        self.company = company
        self.eur = company.currency_id
        self.currencies = {code: env.ref(f"base.{code}") for code in FOREIGN}
        self.tax = company.account_sale_tax_id
        self.repartition = self.tax.invoice_repartition_line_ids.filtered(
            lambda r: r.repartition_type == "tax"
        )
        self.refund_repartition = self.tax.refund_repartition_line_ids.filtered(
            lambda r: r.repartition_type == "tax"
        )
        self.journal = journal
        self.income = self.journal.default_account_id
        partner = env["res.partner"].with_company(company).new({})
        self.receivable = partner.property_account_receivable_id
        self.rates = {}

    def rate(self, currency, date):
        key = (currency.id, date)
        if key not in self.rates:
            self.rates[key] = currency._get_conversion_rate(
                self.eur, currency, self.company, date
            )
        return self.rates[key]


def invoice_vals(rng, spec, books, move_type="out_invoice"):
    """An invoice with its journal items written out, as an import would.

    Odoo's own line synchronisation (``_sync_dynamic_lines``) costs most of
    the time of ``account.move.create``: the lines it would compute (the tax
    line and the receivable) are given here, with the same amounts, and the
    moves are created with ``skip_invoice_sync``. Rounding per line, as the
    companies are configured; one tax, not included in the price.
    """
    code = spec["currency"]
    currency = books.currencies[code] if code else books.eur
    rate = books.rate(currency, spec["date"])
    sign = -1 if move_type == "out_invoice" else 1  # product lines: credit

    def company_amount(value):
        return books.eur.round(value / rate)

    lines, base_total, base_company, tax_total = [], 0.0, 0.0, 0.0
    percent = books.tax.amount / 100.0
    for label, quantity, price in invoice_lines(rng, spec):
        subtotal = currency.round(quantity * price)
        base_total += subtotal
        base_company += company_amount(subtotal)
        tax_total += currency.round(subtotal * percent)
        lines.append(
            {
                "display_type": "product",
                "name": label,
                "quantity": quantity,
                "price_unit": price,
                "account_id": books.income.id,
                "tax_ids": [(6, 0, books.tax.ids)],
                "currency_id": currency.id,
                "amount_currency": sign * subtotal,
                "balance": sign * company_amount(subtotal),
            }
        )
    tax_total = currency.round(tax_total)
    repartition = (
        books.repartition if move_type == "out_invoice" else books.refund_repartition
    )
    lines.append(
        {
            "display_type": "tax",
            "name": books.tax.name,
            "tax_repartition_line_id": repartition.id,
            "account_id": (repartition.account_id or books.income).id,
            "currency_id": currency.id,
            "amount_currency": sign * tax_total,
            "balance": sign * company_amount(tax_total),
            "tax_base_amount": base_company,
        }
    )
    lines.append(
        {
            "display_type": "payment_term",
            "name": "",
            "account_id": books.receivable.id,
            "date_maturity": spec.get("due", spec["date"]),
            "currency_id": currency.id,
            "amount_currency": -sum(line["amount_currency"] for line in lines),
            "balance": -sum(line["balance"] for line in lines),
        }
    )
    vals = {
        "move_type": move_type,
        "journal_id": books.journal.id,
        "partner_id": spec["partner_id"],
        "invoice_date": spec["date"],
        "date": spec["date"],
        "currency_id": currency.id,
        "line_ids": [(0, 0, line) for line in lines],
    }
    if move_type == "out_invoice":
        vals["invoice_date_due"] = spec["due"]
    return vals


# ----------------------------------------------------------------------
# Set-up (main process): companies, currencies, policies, debtors
# ----------------------------------------------------------------------
def setup_companies(env, today, jobs):
    eur = env.ref("base.EUR")
    eur.active = True
    # The generic chart everywhere: no localisation modules get installed.
    env = env(context=dict(env.context, chart_template_load=True))
    companies = env["res.company"]
    for index, spec in enumerate(COMPANIES):
        country = env.ref(f"base.{spec['country']}")
        if index == 0:
            company = env.company
            company.country_id = country
        else:
            company = env["res.company"].create(
                {"name": spec["name"], "currency_id": eur.id, "country_id": country.id}
            )
            # The bench measures as the administrator: give it both companies.
            (env.user | env.ref("base.user_admin")).company_ids |= company
        if not company.chart_template:
            env["account.chart.template"].try_loading(
                "generic_coa", company, install_demo=False
            )
        if company.currency_id != eur:
            # The generic chart brings USD; allowed while no journal items exist.
            company.currency_id = eur
        company.write(
            {
                key: spec[key]
                for key in (
                    "name",
                    "email",
                    "street",
                    "zip",
                    "city",
                    "company_registry",
                    "vat",
                )
                if key in spec
            }
        )
        company.partner_id.write({"bank_ids": [(0, 0, {"acc_number": spec["iban"]})]})
        cenv = env(context=dict(env.context, allowed_company_ids=[company.id]))
        setup_company(cenv, company.with_env(cenv), spec, today, jobs)
        companies |= company
    return companies


def setup_company(env, company, spec, today, jobs):
    """Rates, policies (history without sending), VAT relief, an agency."""
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
    sales = env["account.journal"].search(
        [("company_id", "=", company.id), ("type", "=", "sale")], order="id", limit=1
    )
    for number in range(2, jobs + 1):  # one sales journal per loading worker
        sales.copy(
            {
                "name": f"{sales.name} ({number})",
                "code": f"INV{number}",
                "default_account_id": sales.default_account_id.id,
            }
        )
    policies = company.debiteur_policy_business_id | company.debiteur_policy_consumer_id
    policies.write(
        {"auto_send": False, "min_amount": 0.0, "jurisdiction": spec["jurisdiction"]}
    )
    Account = env["account.account"].with_company(company)
    misc = env["account.journal"].search(
        [("company_id", "=", company.id), ("type", "=", "general")], limit=1
    )
    expense = Account.search(
        [("company_ids", "in", company.id), ("account_type", "=", "expense")], limit=1
    )
    clearing = Account.create(
        {
            "name": "VAT to reclaim on uncollectible receivables",
            "code": "189900",
            "account_type": "liability_current",
        }
    )
    company.write(
        {
            "debiteur_vat_relief_journal_id": misc.id,
            "debiteur_vat_relief_account_id": clearing.id,
            "debiteur_vat_relief_expense_account_id": expense.id,
        }
    )
    env["res.partner"].create(
        {
            "name": f"Incasso Bench {spec['country'].upper()}",
            "is_company": True,
            "company_id": company.id,
            "email": f"dossiers@incasso-{spec['country']}.example",
            "country_id": env.ref(f"base.{spec['country']}").id,
            "debiteur_agency_type": "incassobureau",
            "debiteur_agency_registration": "RI-0001",
            "debiteur_agency_commission": 15.0,
            "debiteur_agency_export_format": "xml",
        }
    )


def create_debtors(env, specs):
    vals_list = []
    for spec in specs:
        vals = dict(spec["vals"])
        vals["country_id"] = env.ref(vals.pop("country")).id
        vals_list.append(vals)
    return env["res.partner"].create(vals_list)


# ----------------------------------------------------------------------
# Worker (one per company): invoices, payments, credits, disputes, history
# ----------------------------------------------------------------------
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


def open_payments(env, rng, debtors, count, books, today):
    """Unreconciled customer payments: credits on the debtor's account."""
    vals_list = []
    for partner_id, code, _weight in rng.choices(debtors, k=count):
        currency = books.currencies[code] if code else books.eur
        vals_list.append(
            {
                "payment_type": "inbound",
                "partner_type": "customer",
                "partner_id": partner_id,
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


def credit_notes(env, rng, debtors, count, books, today):
    """Unreconciled customer credit notes."""
    vals_list = []
    for partner_id, code, _weight in rng.choices(debtors, k=count):
        spec = {
            "partner_id": partner_id,
            "currency": code,
            "date": today - timedelta(days=rng.randint(1, 90)),
        }
        vals_list.append(invoice_vals(rng, spec, books, move_type="out_refund"))
    refunds = env["account.move"].with_context(skip_invoice_sync=True).create(vals_list)
    refunds.action_post()
    return len(refunds)


def load_part(env, args, index, part, today, out):
    """Post part ``part`` (of ``--jobs``) of company ``index``'s invoices in
    committed batches, with their payments, credits and disputes.

    The debtors of a company are split between the workers (every ``jobs``-th
    debtor) and each worker posts into a sales journal of its own, so that
    the workers never wait for each other's invoice numbers or debtors.
    """
    company = env.company
    parts = max(args.jobs, 1)
    specs = [
        s
        for s in debtor_specs(args.seed, args.debtors)
        if s["company"] == index and s["index"] % parts == part
    ]
    partners = env["res.partner"].search_fetch(
        [("ref", "in", [s["vals"]["ref"] for s in specs])], ["ref"]
    )
    by_ref = {p.ref: p.id for p in partners}
    debtors = [(by_ref[s["vals"]["ref"]], s["currency"], s["weight"]) for s in specs]
    journals = env["account.journal"].search(
        [("company_id", "=", company.id), ("type", "=", "sale")], order="id"
    )
    books = Books(env, journals[part % len(journals)])
    rng = random.Random(f"{args.seed}:invoices:{index}:{part}")
    share = COMPANIES[index]["share"]
    count = round(args.invoices * share * (part + 1) / parts) - round(
        args.invoices * share * part / parts
    )
    if index == len(COMPANIES) - 1:  # the last company takes the rounding
        count = round(args.invoices * (part + 1) / parts) - round(
            args.invoices * part / parts
        )
        count -= sum(
            round(args.invoices * c["share"] * (part + 1) / parts)
            - round(args.invoices * c["share"] * part / parts)
            for c in COMPANIES[:-1]
        )
    out.setdefault("invoices", 0)
    if not debtors or count <= 0:
        return
    specs = invoice_specs(rng, debtors, count, args.overdue_ratio, today)
    Move = env["account.move"].with_context(skip_invoice_sync=True)
    started = time.perf_counter()
    done = partial = blocked = 0
    for start in range(0, len(specs), args.batch):
        batch = specs[start : start + args.batch]
        moves = Move.create([invoice_vals(rng, s, books) for s in batch])
        moves.action_post()
        overdue = moves.filtered(lambda m: m.invoice_date_due < today)
        paid = overdue.filtered(lambda m: rng.random() < 0.10)
        partial += pay_partially(env, rng, paid, today)
        disputed = (overdue - paid).filtered(lambda m: rng.random() < 0.01)
        disputed._debiteur_block("Disputed: goods not received")
        blocked += len(disputed)
        env.cr.commit()
        env.invalidate_all()
        done += len(moves)
        rate = done / (time.perf_counter() - started)
        print(
            f"  [{company.name} {books.journal.code}] {done}/{len(specs)} "
            f"invoices posted ({rate:.0f}/s)",
            flush=True,
        )
    refunds = credit_notes(env, rng, debtors, max(1, count // 50), books, today)
    payments = open_payments(env, rng, debtors, max(1, count // 100), books, today)
    env.cr.commit()
    for key, value in (
        ("invoices", done),
        ("partly_paid", partial),
        ("disputed", blocked),
        ("refunds", refunds),
        ("open_payments", payments),
        ("load_seconds", time.perf_counter() - started),
    ):
        out[key] = out.get(key, 0) + value


def run_history(env, days_ago, today, out):
    """The scheduler on back-dated days; its reminders then count as delivered.

    The policies do not send during the history (``auto_send`` off): the run
    leaves drafts, which are marked sent (e-mail) or printed (post) on the day
    of the run, as after a manual send, without rendering letters or e-mails.
    """
    from odoo import fields

    company = env.company
    # The scheduler: debiteur.run (the engine in older versions).
    Scheduler = env["debiteur.run"]
    if not hasattr(Scheduler, "_cron_company"):
        Scheduler = env["debiteur.engine"]
    Comm = env["debiteur.communication"]
    started = time.perf_counter()
    counts = []
    # A dataset that ends with auto_send on (--history-from) gets it back after.
    policies = env["debiteur.policy"].search([("company_id", "=", company.id)])
    sending = policies.filtered("auto_send")
    sending.write({"auto_send": False})
    for days in days_ago:
        date = today - timedelta(days=days)
        remaining = True
        while remaining:
            _done, remaining = Scheduler._cron_company(
                company, date, True, time.monotonic()
            )
        drafts = Comm.search(
            [
                ("company_id", "=", company.id),
                ("date", "=", date),
                ("state", "=", "draft"),
            ]
        )
        for state, channels in (
            ("sent", ("email", "email_letter")),
            ("printed", ("letter",)),
        ):
            drafts.filtered(lambda c, ch=channels: c.channel in ch).write(
                {"state": state, "sent_date": date}
            )
        drafts.run_id.write({"state": "done"})
        counts.append(len(drafts))
        env.cr.commit()
        print(
            f"  [{company.name}] history {fields.Date.to_string(date)}: "
            f"{len(drafts)} reminders",
            flush=True,
        )
    sending.write({"auto_send": True})
    env.cr.commit()
    out.update(history=counts, history_seconds=time.perf_counter() - started)


def worker(args):
    """``--worker load:K``: part K of every company; ``history:C``: the
    history of company C. Prints its figures as one ``RESULT`` json line."""
    benchlib.setup_odoo(args.db)
    from odoo import SUPERUSER_ID, api, fields

    task, number = args.worker.split(":")
    number = int(number)
    reg = benchlib.registry(args.db)
    out = {}
    with reg.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, dict(CONTEXT))
        companies = env["res.company"].search([], order="id")
        today = fields.Date.context_today(env["res.users"])
        for index, company in enumerate(companies):
            if task == "history" and index != number:
                continue
            cenv = env(context=dict(env.context, allowed_company_ids=[company.id]))
            if task == "load":
                load_part(cenv, args, index, number, today, out)
            else:
                days = [
                    int(d)
                    for d in args.history.split(",")
                    if d.strip() and d.strip().lower() != "none"
                ]
                run_history(cenv, sorted(days, reverse=True), today, out)
    print("RESULT " + json.dumps(out), flush=True)


def run_workers(args, tasks):
    """Run ``tasks`` (``--worker`` values), ``--jobs`` processes at a time."""
    import selectors

    results, running = {}, {}
    todo = list(tasks)
    selector = selectors.DefaultSelector()
    while todo or running:
        while todo and len(running) < max(args.jobs, 1):
            task = todo.pop(0)
            cmd = [sys.executable, os.path.abspath(__file__), *sys.argv[1:]]
            cmd += ["--worker", task]
            proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, bufsize=1)
            running[proc.stdout] = (task, proc)
            selector.register(proc.stdout, selectors.EVENT_READ)
        for key, _events in selector.select():
            task, proc = running[key.fileobj]
            line = key.fileobj.readline()
            if line.startswith("RESULT "):
                results[task] = json.loads(line[7:])
            elif line:
                print(line, end="", flush=True)
            else:
                selector.unregister(key.fileobj)
                del running[key.fileobj]
                if proc.wait():
                    for _task, other in running.values():
                        other.terminate()
                    raise SystemExit(f"worker {task} failed")
    return results


# ----------------------------------------------------------------------
# After the workers: arrangements, archived debtors
# ----------------------------------------------------------------------
def arrangements(env, rng, companies, share, today):
    """Payment arrangements (the wizard) for ``share`` of the debtors with
    overdue invoices not disputed; the invoices leave dunning."""
    from odoo import Command

    Wizard = env["debiteur.arrangement.wizard"]
    made = 0
    for company in companies:
        cenv = env(context=dict(env.context, allowed_company_ids=[company.id]))
        groups = cenv["account.move"]._read_group(
            [
                ("company_id", "=", company.id),
                ("move_type", "=", "out_invoice"),
                ("state", "=", "posted"),
                ("payment_state", "in", ("not_paid", "partial")),
                ("invoice_date_due", "<", today),
                ("debiteur_blocked", "=", False),
                ("commercial_partner_id.debiteur_excluded", "=", False),
            ],
            ["commercial_partner_id"],
            ["id:array_agg"],
        )
        groups.sort(key=lambda g: g[0].id)
        for partner, move_ids in rng.sample(groups, max(1, int(len(groups) * share))):
            wizard = Wizard.with_env(cenv).create(
                {
                    "company_id": company.id,
                    "partner_id": partner.id,
                    "move_ids": [Command.set(move_ids)],
                    "instalment_count": rng.randint(2, 6),
                    "frequency": "monthly",
                    "first_date": today + timedelta(days=rng.randint(1, 20)),
                    "claims_mode": "waive",
                    "waive_reason": "Bench: pays in instalments.",
                }
            )
            wizard._create_arrangement()
            made += 1
    return made


def archive_debtors(env, rng, debtor_count, share, today):
    """Archive ``share`` of the debtors, among those with open overdue invoices."""
    groups = env["account.move"]._read_group(
        [
            ("move_type", "=", "out_invoice"),
            ("state", "=", "posted"),
            ("payment_state", "in", ("not_paid", "partial")),
            ("invoice_date_due", "<", today),
            ("commercial_partner_id.ref", "=like", "BENCH-%"),
        ],
        ["commercial_partner_id"],
    )
    partners = sorted((g[0] for g in groups), key=lambda p: p.id)
    chosen = rng.sample(partners, min(len(partners), round(debtor_count * share)))
    archived = env["res.partner"].union(*chosen)
    archived.child_ids.write({"active": False})
    archived.write({"active": False})
    return len(archived)


def history_from(args, started):
    """``--history-from SOURCE``: a copy of SOURCE (no history) with the
    history runs added, and its marker saying so."""
    benchlib.check_db_name(args.history_from)
    source = benchlib.dataset_marker(args.history_from) or ""
    no_history = re.compile(r"history=(none)?(?= |$)")
    if not no_history.search(source):
        raise SystemExit(f"{args.history_from} is not a dataset without history")
    if benchlib.db_exists(args.db):
        raise SystemExit(f"{args.db} exists: dropdb --force {args.db} first")
    print(f"copying {args.history_from} -> {args.db}", flush=True)
    benchlib.copy_database(args.history_from, args.db)
    history = run_workers(args, [f"history:{c}" for c in range(len(COMPANIES))])
    benchlib.setup_odoo(args.db)
    from odoo import SUPERUSER_ID, api

    reg = benchlib.registry(args.db)
    with reg.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, dict(CONTEXT))
        marker = no_history.sub(
            f"history={args.history} from={args.history_from}", source
        )
        env["ir.config_parameter"].set_param(MARKER, marker)
        cr.commit()
    benchlib.psql(args.db, "VACUUM ANALYZE")
    seconds = time.perf_counter() - started
    print(f"history: {json.dumps(history)}", flush=True)
    print(f"{args.db}: {marker} ({seconds:.0f} s)", flush=True)
    return 0


# ----------------------------------------------------------------------
def main():
    args = parse_args()
    benchlib.check_db_name(args.db)
    if args.worker is not None:
        worker(args)
        return 0
    started = time.perf_counter()
    if args.history_from:
        return history_from(args, started)
    if not benchlib.db_exists(args.db):
        create_database(args.db, args.template)
    elif args.resume:
        benchlib.update_module(args.db)
    benchlib.setup_odoo(args.db)
    from odoo import SUPERUSER_ID, api, fields

    reg = benchlib.registry(args.db)
    rng = random.Random(f"{args.seed}:main")
    with reg.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, dict(CONTEXT))
        if env["ir.config_parameter"].get_param(MARKER):
            raise SystemExit(
                f"{args.db} already holds a dataset "
                f"({env['ir.config_parameter'].get_param(MARKER)}); "
                f"dropdb --force {args.db} to make a new one"
            )
        today = fields.Date.context_today(env["res.users"])
        if args.resume:
            companies = env["res.company"].search([], order="id")
            debtors = env["res.partner"].search([("ref", "=like", "BENCH-%")])
        else:
            companies = setup_companies(env, today, max(args.jobs, 1))
            debtors = create_debtors(env, debtor_specs(args.seed, args.debtors))
        cr.commit()
    setup_seconds = time.perf_counter() - started
    print(f"setup + {len(debtors)} debtors: {setup_seconds:.0f} s", flush=True)

    jobs = max(args.jobs, 1)
    loaded = {}
    if not args.resume:
        loaded = run_workers(args, [f"load:{k}" for k in range(jobs)])
    load_seconds = time.perf_counter() - started - setup_seconds
    history = run_workers(args, [f"history:{c}" for c in range(len(COMPANIES))])
    history_seconds = time.perf_counter() - started - setup_seconds - load_seconds

    with reg.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, dict(CONTEXT))
        env = env(context=dict(env.context, allowed_company_ids=companies.ids))
        companies = companies.with_env(env)
        n_arrangements = arrangements(env, rng, companies, 0.01, today)
        n_archived = archive_debtors(env, rng, args.debtors, 0.05, today)
        policies = companies.debiteur_policy_business_id
        policies |= companies.debiteur_policy_consumer_id
        policies.write({"auto_send": True})
        env["ir.config_parameter"].set_param(
            MARKER,
            f"debtors={args.debtors} invoices={args.invoices} "
            f"overdue_ratio={args.overdue_ratio} seed={args.seed} "
            f"companies={len(companies)} history={args.history} date={today}",
        )
        cr.commit()
        overdue = env["account.move"].search_count(
            [
                ("move_type", "=", "out_invoice"),
                ("state", "=", "posted"),
                ("payment_state", "in", ("not_paid", "partial")),
                ("invoice_date_due", "<", today),
            ]
        )
        levels = env["account.move"]._read_group(
            [
                ("move_type", "=", "out_invoice"),
                ("state", "=", "posted"),
                ("payment_state", "in", ("not_paid", "partial")),
                ("invoice_date_due", "<", today),
            ],
            ["debiteur_level_id"],
            ["__count"],
        )
        by_level = {}
        for level, count in levels:
            key = level.sequence // 10 if level else 0
            by_level[key] = by_level.get(key, 0) + count
    finish_seconds = (
        time.perf_counter() - started - setup_seconds - load_seconds - history_seconds
    )
    vacuum_start = time.perf_counter()
    benchlib.psql(args.db, "VACUUM ANALYZE")
    vacuum = time.perf_counter() - vacuum_start
    total = time.perf_counter() - started

    def total_of(key):
        return sum(r.get(key, 0) for r in loaded.values())

    print(
        f"{args.db}: {len(debtors)} debtors in {len(companies)} companies "
        f"({n_archived} archived), {total_of('invoices')} invoices "
        f"({overdue} overdue and open, {total_of('partly_paid')} partly paid, "
        f"{total_of('disputed')} disputed), {total_of('refunds')} credit notes, "
        f"{total_of('open_payments')} open payments, {n_arrangements} arrangements"
    )
    print(
        "open overdue invoices by level (0: none yet):",
        dict(sorted(by_level.items())),
    )
    for task, r in sorted(loaded.items()):
        print(
            f"  {task}: {r['invoices']} invoices in {r['load_seconds']:.0f} s "
            f"({r['invoices'] / max(r['load_seconds'], 1e-9):.0f}/s)"
        )
    for task, r in sorted(history.items()):
        print(f"  {task}: reminders per run {r['history']}")
    print(
        f"setup {setup_seconds:.0f} s, invoices {load_seconds:.0f} s "
        f"({total_of('invoices') / max(load_seconds, 1e-9):.0f}/s), history "
        f"{history_seconds:.0f} s, arrangements and archiving {finish_seconds:.0f} s, "
        f"VACUUM ANALYZE {vacuum:.0f} s; total {total:.0f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
