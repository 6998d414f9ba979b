#!/usr/bin/env python3
"""The whole benchmark of issue #8 in one command, one table.

    python3 tests/bench/bench.py --debtors 5000 --invoices 50000   # dd_bench_50k
    python3 tests/bench/bench.py --debtors 500 --invoices 5000     # dd_bench_5k
    # no history: every overdue debtor is due its first reminder, on both sides
    python3 tests/bench/bench.py --debtors 5000 --invoices 50000 --history none
                                                                   # dd_bench_50k_first

1. Builds what is missing: the empty template ``dd_bench_empty`` (module
   installed), the dataset ``--db`` (``generate.py``: 2 companies, history,
   arrangements, disputes...; ``VACUUM ANALYZE`` at the end) and the OCA
   database ``dd_bench_oca_<size>``: a copy of the dataset (``createdb -T`` +
   filestore, so the same seed and the very same rows) with OCA's
   ``account_credit_control`` installed into the copy (see bench_oca.py).
2. The full scheduler run, the real path: the dunning cron's "Run Manually"
   (``ir.cron.method_direct_trigger`` -> ``debiteur.run._cron_run`` ->
   ``_cron_process`` -> ``_cron_company``: classification, escalation,
   communications, letters, e-mails queued), called again while the cron's
   progress says work remains, as the cron re-triggers itself. It commits a
   batch at a time, so it runs on a throw-away copy ``<db>_sched_<pid>`` in a
   child process (its own peak memory); the time between two progress
   reports is the time of a batch.
3. In this process, each in a transaction that is rolled back: the wizard
   preview (per company), the kanban's first load, rendering 100 letters,
   a VAT-relief batch of 200 invoices (reclaimed on proof before the eligible
   date, the wizard's path), a collection-agency export of up to 1,000
   candidate debtors (the handoff wizard: dossier XML/CSV/PDF, e-mail queued).
4. OCA's credit control run against ours (``_compute_proposals`` +
   ``_apply(send=False)``) on the OCA copy, per company (bench_oca.py).

Every figure: seconds, SQL queries (all cursors of the thread) and the peak
resident memory of the Odoo process during that step. wkhtmltopdf loads the
report assets from a temporary Odoo HTTP server (``--port``).
"""

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import time

import bench_engine
import bench_oca
import benchlib
from benchlib import PeakRSS, QueryCounter

TEMPLATE = "dd_bench_empty"
CRON = "debiteur_dunning.ir_cron_debiteur_run"
TARGETS = {
    "speed": 10.0,  # x faster than OCA
    "queries": 20.0,  # x fewer queries per overdue invoice
    "preview": 2.0,  # s
    "letters": 30.0,  # s for 100
    "memory": 500.0,  # MB
    "batch": 30.0,  # s
}


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--debtors", type=int, default=500)
    parser.add_argument("--invoices", type=int, default=5000)
    parser.add_argument("--overdue-ratio", type=float, default=0.2)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--batch", type=int, default=500, help="generate.py")
    parser.add_argument("--jobs", type=int, default=2, help="generate.py workers")
    parser.add_argument(
        "--history",
        default="56,42,28,14",
        help="days ago of the dataset's back-dated scheduler runs (generate.py); "
        "'none': no history, every overdue debtor is due its first reminder",
    )
    parser.add_argument(
        "--db",
        help="default: dd_bench_<invoices/1000>k, with _first when --history none",
    )
    parser.add_argument("--repeat", type=int, default=2, help="runs of the quick ones")
    parser.add_argument("--port", type=int, default=18070, help="HTTP for wkhtmltopdf")
    parser.add_argument("--letters", type=int, default=100)
    parser.add_argument("--vat-relief", type=int, default=200)
    parser.add_argument("--handoffs", type=int, default=1000)
    parser.add_argument(
        "--scheduler-letters",
        choices=("render", "skip"),
        default="render",
        help="skip: the scheduler run does not render its letters (the 100-letter "
        "figure tells what they cost)",
    )
    parser.add_argument(
        "--update",
        action="store_true",
        help="first update the module in the databases (after code changes)",
    )
    parser.add_argument(
        "--skip",
        default="",
        help="steps to leave out: scheduler, preview, kanban, letters, vat, "
        "handoff, oca",
    )
    parser.add_argument("--markdown", help="also write the tables to this file")
    parser.add_argument("--shapes", action="store_true", help="top query shapes")
    parser.add_argument(
        "--scheduler-child", action="store_true", help=argparse.SUPPRESS
    )
    parser.add_argument("--report-url", help=argparse.SUPPRESS)
    return parser.parse_args()


# ----------------------------------------------------------------------
# 1. The databases
# ----------------------------------------------------------------------
def ensure_template():
    if benchlib.db_exists(TEMPLATE):
        return
    print(f"installing {benchlib.MODULE} in {TEMPLATE}", flush=True)
    cmd = [sys.executable, "-m", "odoo", *benchlib.odoo_args(TEMPLATE)]
    cmd += ["--init", benchlib.MODULE, "--stop-after-init", "--http-port=18069"]
    subprocess.run(cmd, check=True)


def ensure_dataset(args):
    if benchlib.db_exists(args.db) and benchlib.dataset_marker(args.db):
        print(f"{args.db}: {benchlib.dataset_marker(args.db)}", flush=True)
        return None
    if benchlib.db_exists(args.db):
        raise SystemExit(f"{args.db} exists without a dataset: dropdb it first")
    ensure_template()
    cmd = [sys.executable, os.path.join(os.path.dirname(__file__), "generate.py")]
    cmd += ["--db", args.db, "--template", TEMPLATE]
    for option in ("debtors", "invoices", "overdue_ratio", "seed", "batch", "jobs"):
        cmd += ["--" + option.replace("_", "-"), str(getattr(args, option))]
    cmd += ["--history", history_days(args)]
    started = time.perf_counter()
    subprocess.run(cmd, check=True)
    return time.perf_counter() - started


# ----------------------------------------------------------------------
# 2. The scheduler, in a child process on a copy
# ----------------------------------------------------------------------
def run_scheduler(args):
    # One copy per run: two runs on the same dataset must not drop each other's.
    copy = f"{args.db}_sched_{os.getpid()}"
    benchlib.drop_database(copy)
    benchlib.copy_database(args.db, copy)
    server = bench_engine.start_server(copy, args.port) if args.port else None
    try:
        cmd = [sys.executable, os.path.abspath(__file__), "--scheduler-child"]
        cmd += ["--db", copy, "--scheduler-letters", args.scheduler_letters]
        if server:
            cmd += ["--report-url", f"http://127.0.0.1:{args.port}"]
        out = subprocess.run(cmd, check=True, stdout=subprocess.PIPE, text=True).stdout
    finally:
        if server:
            server.terminate()
            server.wait()
        benchlib.drop_database(copy)
    result = None
    for line in out.splitlines():
        if line.startswith("RESULT "):
            result = json.loads(line[7:])
        else:
            print(line)
    return result


def scheduler_child(args):
    """The cron, "Run Manually", again while its progress says work remains."""
    benchlib.setup_odoo(args.db)
    from odoo import SUPERUSER_ID, api, fields

    reg = benchlib.registry(args.db)
    stamps = []  # (time, done, remaining) of every progress report
    memory = []  # (VmRSS, VmHWM in MB, done, remaining) at every progress report
    IrCron = reg["ir.cron"]
    notify = IrCron._notify_progress

    def notify_progress(self, *, done, remaining, deactivate=False):
        if self.env.context.get("ir_cron_progress_id"):
            stamps.append((time.perf_counter(), done, remaining))
            memory.append(
                (PeakRSS._status("VmRSS"), PeakRSS._status("VmHWM"), done, remaining)
            )
        return notify(self, done=done, remaining=remaining, deactivate=deactivate)

    IrCron._notify_progress = notify_progress
    if args.scheduler_letters == "skip":
        older = "debiteur.dispatch" not in reg  # older: the engine renders
        renderer = reg["debiteur.engine" if older else "debiteur.dispatch"]
        renderer._render_letters = lambda self, comms: None
    result = {"letters_rendered": args.scheduler_letters == "render"}

    def counts(env):
        Comm = env["debiteur.communication"]
        return {
            "communications": Comm.search_count([]),
            "queued": Comm.search_count([("state", "=", "queued")]),
            "mails": env["mail.mail"].search_count([("state", "=", "outgoing")]),
            "letters": env["ir.attachment"].search_count(
                [("res_model", "=", "debiteur.communication")]
            ),
            "runs": env["debiteur.run"].search_count([("trigger", "=", "cron")]),
        }

    with reg.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        bench_engine.set_report_url(env, args.report_url)
        cron = env.ref(CRON)
        today = fields.Date.context_today(cron)
        before = counts(env)
        overdue = env["account.move"].search_count(
            [
                ("move_type", "=", "out_invoice"),
                ("state", "=", "posted"),
                ("payment_state", "in", ("not_paid", "partial")),
                ("invoice_date_due", "<", today),
            ]
        )
        cr.commit()
        calls = []
        with PeakRSS() as rss, QueryCounter() as counter:
            while len(calls) < 200:
                calls.append(time.perf_counter())
                cron.method_direct_trigger()
                cr.commit()
                progress = env["ir.cron.progress"].search(
                    [("cron_id", "=", cron.id)], order="id desc", limit=1
                )
                if not progress.remaining:
                    break
        after = counts(env)
    end = time.perf_counter()
    # A batch: from the start of a call or the previous report to the next report.
    marks = sorted([(t, "call") for t in calls] + [(s[0], "report") for s in stamps])
    batches, previous = [], None
    for moment, kind in marks:
        if kind == "report" and previous is not None:
            batches.append(moment - previous)
        previous = moment
    result.update(
        seconds=counter.seconds,
        queries=counter.count,
        rss=rss.mb,
        calls=len(calls),
        reports=len(stamps),
        last_report=stamps[-1][1:] if stamps else None,
        batches=len(batches),
        batch_max=max(batches) if batches else end - calls[0],
        batch_mean=sum(batches) / len(batches) if batches else None,
        overdue=overdue,
        **{key: after[key] - before[key] for key in after},
    )
    # Where the memory goes: resident and peak memory at each progress report.
    print("memory at each progress report (MB, resident / peak so far; done):")
    for rss_now, hwm, done, _remaining in memory:
        print(f"  {rss_now:6.0f} / {hwm:6.0f}  {done}")
    if memory:
        print(f"  end of run: peak {rss.mb:.0f} MB")
    print("RESULT " + json.dumps(result), flush=True)


# ----------------------------------------------------------------------
# 3. The steps in this process
# ----------------------------------------------------------------------
def letters(env, today, count):
    """Render ``count`` letters of fresh communications (after one warm-up)."""
    comms = bench_engine.new_communications(env, today)
    bench_engine.set_report_url(env, env.context.get("bench_report_url"))
    # Warm-up: the first render builds the asset bundles; two letters, so that
    # an engine falling back to one letter per wkhtmltopdf call does it here.
    bench_engine.letter_renderer(env)._render_letters(comms[:2])
    out = bench_engine.render_letters(env, comms[2 : count + 2])
    return out


def vat_relief_invoices(env, today, count):
    """``count`` overdue open invoices with VAT, free of arrangements, handoffs
    and earlier reliefs, of the current company."""
    moves = env["account.move"].search(
        [
            ("company_id", "=", env.company.id),
            ("move_type", "=", "out_invoice"),
            ("state", "=", "posted"),
            ("payment_state", "in", ("not_paid", "partial")),
            ("invoice_date_due", "<", today),
            ("line_ids.tax_line_id.type_tax_use", "=", "sale"),
            ("debiteur_arrangement_id", "=", False),
            ("debiteur_handoff_id", "=", False),
        ],
        order="invoice_date_due, id",
        limit=count,
    )
    return moves.ids


def vat_relief(env, today, move_ids):
    """The VAT-relief wizard on ``move_ids``: proven uncollectible, confirmed."""
    evidence = env["ir.attachment"].create(
        {"name": "Bankruptcy notice.pdf", "raw": b"%PDF-1.4 bench", "res_model": False}
    )
    wizard = env["debiteur.vat.relief.wizard"].create(
        {
            "move_ids": [(6, 0, move_ids)],
            "date": today,
            "reason": "Bench: the debtors are bankrupt.",
            "attachment_ids": [(6, 0, evidence.ids)],
        }
    )
    wizard.action_confirm()
    return env["debiteur.vat.relief"].search_count(
        [("move_id", "in", move_ids), ("state", "=", "relieved")]
    )


def handoff_candidates(env, count):
    partners = env["res.partner"].search(
        [("debiteur_handoff_candidate", "=", True)], order="id", limit=count
    )
    agency = env["res.partner"].search(
        [
            ("debiteur_agency_type", "!=", False),
            ("company_id", "=", env.company.id),
        ],
        limit=1,
    )
    return partners.ids, agency.id


def handoff_export(env, today, partner_ids, agency_id):
    """The handoff wizard for ``partner_ids``: dossiers produced and e-mailed."""
    wizard = env["debiteur.handoff.wizard"].create(
        {
            "company_id": env.company.id,
            "date": today,
            "partner_ids": [(6, 0, partner_ids)],
            "agency_id": agency_id,
            "reason": "Bench: handed off after the formal notice.",
            "send_email": True,
        }
    )
    wizard.action_confirm()
    return env["debiteur.handoff"].search_count([("state", "=", "sent")])


class Steps(benchlib.Measurer):
    def __init__(self, args):
        from odoo import fields

        super().__init__(args.db, shapes=args.shapes)
        self.args = args
        self.today = fields.Date.today()
        self.companies = self.transaction(
            lambda env: [
                (c.id, c.name) for c in env["res.company"].search([], order="id")
            ]
        )
        self.rows = []

    def row(self, label, counter, note=""):
        self.rows.append((label, counter.seconds, counter.count, counter.rss, note))
        return counter

    def run(self, skip):
        today, repeat = self.today, self.args.repeat
        first = self.companies[0][0]
        ids = [c[0] for c in self.companies]
        out = {}
        if "preview" not in skip:
            out["preview"] = []
            for company, name in self.companies:
                counter, wizard = self.measure(
                    f"wizard preview ({name})",
                    lambda env: bench_engine.wizard_preview(env, today),
                    repeat=repeat,
                    summary=lambda env, w: (len(w.line_ids), w.selected_count),
                    company=company,
                )
                debtors, selected = wizard
                note = f"{name}: {debtors} debtors proposed, {selected} selected"
                out["preview"].append(self.row("wizard preview", counter, note))
        if "kanban" not in skip:
            cases = 0
            for company, _name in self.companies:
                cases += self.transaction(
                    lambda env: bench_engine.sync_cases(env, today), company=company
                )
            counter, _none = self.measure(
                "kanban first load",
                bench_engine.kanban_first_load,
                repeat=repeat,
                company=ids,
            )
            self.row("kanban first load", counter, f"{cases} open cases, 2 companies")
        if "letters" not in skip:
            url = f"http://127.0.0.1:{self.args.port}" if self.args.port else None
            holder = {}

            def run_letters(env):
                env = env(context=dict(env.context, bench_report_url=url))
                holder.update(letters(env, today, self.args.letters))

            self.transaction(run_letters, company=first)
            counter = holder["letters"]
            mode = holder.get("letters_mode", "documents")
            note = (
                f"{holder['letters_count']} letters, up to "
                f"{holder['letters_batch']} per wkhtmltopdf call ({mode})"
            )
            if holder["letters_failed"]:
                note += " (batched call failed: unpatched wkhtmltopdf)"
            print(
                f"  letters: {counter.seconds:.2f} s, {counter.count} queries, "
                f"peak {counter.rss:.0f} MB; {note}",
                flush=True,
            )
            out["letters"] = self.row("letters", counter, note)
            out["letters_count"] = holder["letters_count"]
        if "vat" not in skip:
            move_ids = self.transaction(
                lambda env: vat_relief_invoices(env, today, self.args.vat_relief),
                company=first,
            )
            counter, relieved = self.measure(
                "VAT relief batch",
                lambda env: vat_relief(env, today, move_ids),
                company=first,
            )
            self.row("VAT relief batch", counter, f"{relieved} invoices relieved")
        if "handoff" not in skip:
            counter, total = None, 0
            for company, name in self.companies:
                partner_ids, agency_id = self.transaction(
                    lambda env, n=self.args.handoffs - total: handoff_candidates(
                        env, n
                    ),
                    company=company,
                )
                if not partner_ids:
                    continue
                one, sent = self.measure(
                    f"agency export ({name})",
                    lambda env, p=partner_ids, a=agency_id: handoff_export(
                        env, today, p, a
                    ),
                    company=company,
                )
                total += sent
                counter = bench_oca.Sum([counter, one] if counter else [one])
                if total >= self.args.handoffs:
                    break
            if counter:
                self.row("agency export", counter, f"{total} debtors handed off")
        return out


# ----------------------------------------------------------------------
# The table
# ----------------------------------------------------------------------
def machine():
    cpu = "?"
    with open("/proc/cpuinfo") as info:
        for line in info:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    pg = subprocess.run(
        ["psql", "-X", "-d", "postgres", "-Atqc", "SHOW server_version"],
        capture_output=True,
        text=True,
    ).stdout.strip()
    return (
        f"{os.cpu_count()} cores ({cpu}), {mem:.0f} GiB RAM, PostgreSQL {pg}, "
        f"Python {platform.python_version()}, wkhtmltopdf "
        + subprocess.run(
            ["wkhtmltopdf", "--version"], capture_output=True, text=True
        ).stdout.strip()
    )


def code_version():
    """The commit measured, and whether the addon had uncommitted changes.

    A snapshot (``DD_BENCH_ADDONS``) names its commit in a file COMMIT.
    """
    root = benchlib.ADDON_ROOT
    if root != benchlib.REPO_ROOT:
        commit = os.path.join(root, "COMMIT")
        if os.path.exists(commit):
            with open(commit) as text:
                return f"{text.read().strip()} (snapshot in {root})"
        return f"snapshot in {root}"
    head = subprocess.run(
        ["git", "-C", root, "log", "-1", "--format=%h %s"],
        capture_output=True,
        text=True,
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "-C", root, "status", "--porcelain", "--", benchlib.MODULE],
        capture_output=True,
        text=True,
    ).stdout.strip()
    return head + (" (+ uncommitted changes in the addon)" if dirty else "")


def report(args, sched, steps, out, comparison, loads, load_seconds, started):
    """Print (and write to ``--markdown``) the tables, the targets, the notes."""
    rows = []
    if sched:
        n = max(sched["overdue"], 1)
        rows.append(
            (
                "scheduler run (cron, all batches)",
                f"{sched['seconds']:.1f}",
                str(sched["queries"]),
                f"{sched['rss']:.0f}",
                f"{sched['communications']} reminders, {sched['mails']} mails "
                f"queued, {sched['letters']} letters"
                + ("" if sched["letters_rendered"] else " (letters skipped)")
                + f"; {sched['queries'] / n:.1f} queries per overdue invoice "
                f"({sched['overdue']})",
            )
        )
        rows.append(
            (
                "  its batches (progress reports)",
                f"max {sched['batch_max']:.1f}",
                "",
                "",
                f"{sched['batches']} batches, {sched['reports']} progress reports, "
                f"{sched['calls']} cron call(s); last report (done, remaining) "
                f"{sched['last_report']}",
            )
        )
    for label, seconds, count, rss, note in steps.rows:
        rows.append((label, f"{seconds:.2f}", str(count), f"{rss:.0f}", note))
    heads = ("step", "seconds", "SQL queries", "peak MB", "what")
    notes = [f"machine: {machine()}", f"code: {args.code}"]
    notes.append(
        "load average (1 min) during the run: "
        + ", ".join(f"{load:.1f}" for load in loads)
    )
    if load_seconds:
        notes.append(f"dataset built in {load_seconds:.0f} s")
    met = {}
    if out.get("preview"):
        met["preview"] = max(c.seconds for c in out["preview"]) <= TARGETS["preview"]
    if out.get("letters"):
        per100 = out["letters"].seconds / max(out["letters_count"], 1) * 100
        met["letters"] = per100 <= TARGETS["letters"]
        notes.append(f"letters: {per100:.1f} s per 100")
    peaks = [row[3] for row in steps.rows] + ([sched["rss"]] if sched else [])
    met["memory"] = max(peaks, default=0) <= TARGETS["memory"]
    if sched:
        met["batch"] = sched["batch_max"] <= TARGETS["batch"] and sched["reports"] > 0
    bench_oca.print_table(heads, rows, [], args.markdown)
    if comparison:
        oca_heads, oca_rows, ratios, oca_met = bench_oca.table_rows(comparison)
        met.update(oca_met)
        bench_oca.print_table(oca_heads, oca_rows, ratios, args.markdown)
    labels = {
        "speed": "ours >= 10x faster than OCA",
        "queries": ">= 20x fewer queries per overdue invoice",
        "preview": "preview <= 2 s",
        "letters": "100 letters <= 30 s",
        "memory": "peak memory <= 500 MB",
        "batch": "scheduler batches commit, report progress, none > 30 s",
    }
    notes += [
        f"target {labels[key]}: {'met' if ok else 'NOT met'}" for key, ok in met.items()
    ]
    notes.append(
        f"{args.db} on {datetime.date.today()}; total "
        f"{time.perf_counter() - started:.0f} s"
    )
    print()
    for line in notes:
        print(line)
    if args.markdown:
        with open(args.markdown, "a") as md:
            md.write("\n".join(f"- {line}" for line in notes) + "\n")


def history_days(args):
    """generate.py's --history: the days ago of the back-dated runs, or ''."""
    return "" if args.history.strip().lower() in ("none", "") else args.history


def main():
    args = parse_args()
    first = "" if history_days(args) else "_first"
    args.db = args.db or f"dd_bench_{args.invoices // 1000}k{first}"
    benchlib.check_db_name(args.db)
    bench_oca.patch_addons_path()
    if args.scheduler_child:
        scheduler_child(args)
        return 0
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    # The code as it is when the run starts (and is loaded), not at its end.
    args.code = code_version()
    started = time.perf_counter()
    loads = [os.getloadavg()[0]]
    load_seconds = ensure_dataset(args)
    oca_db = bench_oca.oca_db_name(args.db)
    if args.update and not load_seconds:
        benchlib.update_module(args.db)
        if benchlib.db_exists(oca_db):
            benchlib.update_module(oca_db)
    if "oca" not in skip:
        bench_oca.ensure_oca_db(args.db, oca_db)
    benchlib.setup_odoo(args.db)

    sched = None
    if "scheduler" not in skip:
        print("scheduler run (cron, on a copy):", flush=True)
        sched = run_scheduler(args)
        print(f"  {sched}", flush=True)
        loads.append(os.getloadavg()[0])

    server = None
    if args.port and not skip >= {"letters", "handoff"}:
        server = bench_engine.start_server(args.db, args.port)
    try:
        steps = Steps(args)
        out = steps.run(skip)
    finally:
        if server:
            server.terminate()
            server.wait()
    loads.append(os.getloadavg()[0])

    comparison = None
    if "oca" not in skip:
        print("OCA credit control vs ours (on the OCA copy):", flush=True)
        comparison = bench_oca.compare(args.db, oca_db, args.repeat, args.shapes)
        loads.append(os.getloadavg()[0])

    report(args, sched, steps, out, comparison, loads, load_seconds, started)
    return 0


if __name__ == "__main__":
    sys.exit(main())
