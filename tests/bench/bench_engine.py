#!/usr/bin/env python3
"""Times the dunning engine on a generated dataset and counts its SQL queries.

    python3 tests/bench/bench_engine.py --db dd_bench_5k [--repeat 3] [--shapes]

Measures, each in its own transaction that is rolled back (the dataset stays
reusable; only orphan letter files are left in the filestore):

(a) ``debiteur.engine._compute_proposals`` for today: the core of the preview;
(b) the wizard's ``action_preview`` (engine + the transient preview lines);
(c) confirm: what ``_run`` does, split in ``_apply(send=False)`` (communications,
    lines, invoice levels: the "queries per debtor" target) and the sending of
    100 of them: ``_queue_mails`` (mail rendering + queue: seconds per e-mail),
    ``_render_letters`` (one wkhtmltopdf call per LETTER_BATCH_SIZE letters);
(d) letters: rendering 100 communications, as seconds per 100 and per letter.

Timings are the best of ``--repeat`` runs for (a) and (b); ``_apply`` runs
once; the mail queue and the letters are the best of ``--send-repeat`` runs
(each rolled back to a savepoint, the last letters kept for the e-mails),
after a warm-up of two letters and two e-mails (asset bundles, compiled
templates, the way wkhtmltopdf batches learnt). ``--skip a,b,k`` leaves
those steps out (to measure only sending).
``--shapes`` also lists the most repeated query shapes (N+1 hunting).
wkhtmltopdf loads the report assets over HTTP, as in production: the script
starts a temporary Odoo HTTP server on ``--port`` for the database (``--port 0``:
no server, the letters are rendered without their stylesheets).
"""

import argparse
import cProfile
import io
import math
import pstats
import resource
import socket
import subprocess
import sys
import time

import benchlib
from benchlib import QueryCounter

SAMPLE = 100  # communications sent / letters rendered in (c) and (d)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--send-repeat",
        type=int,
        default=1,
        help="runs of the mail queue and of the letters (best of)",
    )
    parser.add_argument(
        "--skip", default="", help="steps left out, comma-separated: a,b,k"
    )
    parser.add_argument("--port", type=int, default=18070, help="0: no HTTP server")
    parser.add_argument("--shapes", action="store_true", help="top query shapes")
    parser.add_argument("--profile", action="store_true", help="cProfile (a) and (c)")
    parser.add_argument(
        "--no-send", action="store_true", help="skip the mail queue and the letters"
    )
    parser.add_argument(
        "--update",
        action="store_true",
        help="first update the module in the database (after code changes)",
    )
    return parser.parse_args()


# ----------------------------------------------------------------------
# The steps, each a function of an ``env`` (bench.py measures them too)
# ----------------------------------------------------------------------
# The card fields of the kanban view (as tests/test_case.py reads them).
KANBAN_CARD = {
    "name": {},
    "partner_id": {"fields": {"display_name": {}}},
    "priority": {},
    "amount_overdue": {},
    "currency_id": {"fields": {}},
    "days_overdue": {},
    "highest_level_id": {"fields": {"display_name": {}}},
    "highest_level_color": {},
    "overdue_by_currency": {},
    "stage_code": {},
    "promise_date": {},
    "promise_amount": {},
    "promise_broken": {},
    "next_action_date": {},
    "activity_ids": {},
    "activity_state": {},
    "user_id": {"fields": {"display_name": {}}},
}


def wizard_preview(env, date):
    """The dunning wizard's preview: engine + the transient preview lines."""
    wizard = env["debiteur.dunning.wizard"].create({"date": date})
    wizard.action_preview()
    return wizard


def sync_cases(env, date):
    """Cases are derived from the facts: sync them once (committed)."""
    env["debiteur.case.sync"].sudo()._sync_company(env.company, date)
    env.cr.commit()
    return env["debiteur.case"].search_count([("is_closed", "=", False)])


def kanban_first_load(env):
    """What the case kanban reads: the grouped read, then the cards per column."""
    Case = env["debiteur.case"]
    groups = Case.web_read_group(
        [("is_closed", "=", False)], ["amount_overdue:sum"], ["stage_id"], lazy=True
    )
    for group in groups["groups"]:
        if not group.get("__fold"):
            Case.web_search_read(
                group["__domain"], KANBAN_CARD, limit=80, count_limit=10001
            )


def new_communications(env, date):
    """Communications of a run, unsent: lock, run, proposals, ``_apply``."""
    Engine = env["debiteur.engine"]
    company = env.company
    Engine._lock_company(company)
    # Runs are evidence: created as the engine creates them (sudo).
    run = (
        env["debiteur.run"]
        .sudo()
        .create({"date": date, "company_id": company.id, "trigger": "wizard"})
    )
    props = Engine._compute_proposals(date, company)
    return Engine._apply(run, props, send=False)


def set_report_url(env, url):
    """wkhtmltopdf loads the report assets from ``url`` (an Odoo server)."""
    if url:
        env["ir.config_parameter"].sudo().set_param("report.url", url)


def letters_module():
    """The module that holds how letters are batched, and the name of its
    flag: ``report_pdf`` now, the engine's module in older versions."""
    try:
        from odoo.addons.debiteur_dunning import report_pdf
    except ImportError:  # older engines
        from odoo.addons.debiteur_dunning.models import debiteur_engine

        return debiteur_engine, "_letter_batching"
    return report_pdf, "letter_batching"


def letter_renderer(env):
    """The model that renders letters: ``debiteur.dispatch`` (the engine in
    older versions)."""
    return env["debiteur.dispatch" if "debiteur.dispatch" in env else "debiteur.engine"]


def dispatching(env, comms):
    """The dispatch and ``comms`` as ``_send_communications`` hands them to
    its parts: the debtors' page links made or renewed in one go first (in
    versions that do so)."""
    renderer = letter_renderer(env)
    Link = env["debiteur.debtor.link"] if "debiteur.debtor.link" in env else None
    if Link is not None and hasattr(Link, "_prepare_links"):
        prepared = Link._prepare_links(comms)
        renderer = renderer.with_context(debiteur_debtor_links=prepared)
        comms = comms.with_env(renderer.env)
    return renderer, comms


def letter_mode():
    """How the engine batches letters in this process, as it learnt it:
    "documents" (several per wkhtmltopdf call), "one_document" (the batch as
    one document, split afterwards: unpatched wkhtmltopdf) or "single"."""
    module, flag_name = letters_module()
    flag = getattr(module, flag_name, None)
    if flag is None:
        return "documents"
    if "mode" in flag:
        return flag["mode"]
    return "documents" if flag.get("works", True) else "single"  # older engines


def render_letters(env, comms, shapes=False, repeat=1):
    """Time ``_render_letters`` as the engine does it (LETTER_BATCH_SIZE),
    best of ``repeat`` runs (all but the last rolled back).

    A wkhtmltopdf built without Odoo's patched Qt (e.g. Debian's) cannot take
    several documents in one call. Current engines find out by themselves and
    change their way of batching (``letter_mode``); older ones raised, and
    then this measures one document per call instead, and says so.
    Returns {letters: QueryCounter, letters_count, letters_batch,
    letters_mode, letters_failed, letters_runs: [seconds]}.
    """
    module, _flag = letters_module()
    configured = module.LETTER_BATCH_SIZE
    out = {"letters_count": len(comms), "letters_failed": None}
    for size in (configured, 1):
        module.LETTER_BATCH_SIZE = size
        runs = []
        try:
            for number in range(max(repeat, 1)):
                with env.cr.savepoint() as keep:
                    with (
                        env.cr.savepoint(),
                        benchlib.PeakRSS() as rss,
                        QueryCounter(shapes=shapes) as counter,
                    ):
                        renderer, todo = dispatching(env, comms)
                        renderer._render_letters(todo)
                        env.flush_all()
                    counter.rss = rss.mb
                    runs.append(counter)
                    if number < repeat - 1:
                        keep.close(rollback=True)
        except Exception as exc:  # reported, then retried one by one
            out["letters_failed"] = f"{type(exc).__name__}: {exc}"[:200]
            print(
                f"  (d) _render_letters with {size} documents per "
                f"wkhtmltopdf call FAILED: {out['letters_failed']}"
            )
            continue
        finally:
            module.LETTER_BATCH_SIZE = configured
        mode = letter_mode()
        if mode == "single":
            size = 1
        out.update(
            letters=min(runs, key=lambda c: c.seconds),
            letters_runs=[c.seconds for c in runs],
            letters_batch=size,
            letters_mode=mode,
        )
        return out
    raise RuntimeError("letters cannot be rendered at all")


def queue_mails(env, comms, shapes=False, repeat=1):
    """Time ``_queue_mails`` on ``comms``, best of ``repeat`` runs, each
    rolled back to a savepoint. Returns (best QueryCounter, [seconds])."""
    runs = []
    for _number in range(max(repeat, 1)):
        with env.cr.savepoint() as point:
            with QueryCounter(shapes=shapes) as counter:
                renderer, todo = dispatching(env, comms)
                renderer._queue_mails(todo)
                env.flush_all()
            runs.append(counter)
            point.close(rollback=True)
    return min(runs, key=lambda c: c.seconds), [c.seconds for c in runs]


class Bench(benchlib.Measurer):
    def __init__(self, args):
        from odoo import fields

        super().__init__(args.db, shapes=args.shapes)
        self.args = args
        self.today = fields.Date.today()
        self.results = {}
        self.report_url = None

    def profiled(self, func):
        if not self.args.profile:
            return func

        def wrapper(env):
            profile = cProfile.Profile()
            result = profile.runcall(func, env)
            out = io.StringIO()
            stats = pstats.Stats(profile, stream=out).sort_stats("cumulative")
            stats.print_stats(25)
            print(out.getvalue())
            return result

        return wrapper

    # ------------------------------------------------------------------
    def dataset(self, env):
        Move = env["account.move"]
        base = [("move_type", "=", "out_invoice"), ("state", "=", "posted")]
        return {
            "debtors": len(Move._read_group(base, ["commercial_partner_id"])),
            "invoices": Move.search_count(base),
            "overdue": Move.search_count(
                base
                + [
                    ("payment_state", "in", ("not_paid", "partial")),
                    ("invoice_date_due", "<", self.today),
                ]
            ),
            "dataset": env["ir.config_parameter"].get_param("debiteur_bench.dataset"),
        }

    def run(self):
        self.results.update(self.transaction(self.dataset))
        print(f"dataset {self.args.db}: {self.results['dataset']}")
        today, repeat = self.today, self.args.repeat

        skip = set(filter(None, self.args.skip.split(",")))

        # (a) the preview core --------------------------------------------
        def proposals(env):
            return env["debiteur.engine"]._compute_proposals(today, env.company)

        if "a" not in skip:
            counter, props = self.measure(
                "(a) _compute_proposals", self.profiled(proposals), repeat=repeat
            )
            self.results["proposals"] = len(props)
            self.results["selectable"] = len([p for p in props if p.selectable])
            self.results["proposal_invoices"] = sum(len(p.invoices) for p in props)
            self.results["a"] = counter

        # (b) the wizard preview ------------------------------------------
        if "b" not in skip:
            self.results["b"], _wizard = self.measure(
                "(b) wizard action_preview",
                lambda env: wizard_preview(env, today),
                repeat=repeat,
            )

        # (k) the kanban's first load -------------------------------------
        if "k" not in skip:
            self.results["cases"] = self.transaction(lambda env: sync_cases(env, today))
            self.results["k"], _none = self.measure(
                "(k) kanban first load", kanban_first_load, repeat=repeat
            )

        # (c) confirm, split --------------------------------------------------
        def confirm(env):
            Engine = env["debiteur.engine"]
            company = env.company
            out = {}
            with QueryCounter(shapes=self.shapes) as total:
                Engine._lock_company(company)
                run = (
                    env["debiteur.run"]
                    .sudo()
                    .create(
                        {"date": today, "company_id": company.id, "trigger": "wizard"}
                    )
                )
                with QueryCounter() as c_prop:
                    props = Engine._compute_proposals(today, company)
                with QueryCounter(shapes=self.shapes) as c_apply:
                    comms = self.profiled(
                        lambda env: Engine._apply(run, props, send=False)
                    )(env)
                    env.flush_all()
            out.update(total=total, proposals=c_prop, apply=c_apply, comms=comms)
            if self.args.no_send:
                return out
            warm, sample = comms[:2], comms[2 : SAMPLE + 2]
            set_report_url(env, self.report_url)
            # Warm-up: the first report render builds the asset bundles, and
            # the first batch of two learns how wkhtmltopdf takes batches.
            letter_renderer(env)._render_letters(warm)
            send = self.args.send_repeat
            out.update(render_letters(env, sample, shapes=self.shapes, repeat=send))
            is_mail = lambda c: c.channel in ("email", "email_letter")  # noqa: E731
            mails = sample.filtered(is_mail)
            renderer = letter_renderer(env)
            if hasattr(renderer, "_ensure_portal_tokens"):
                # As sending does, before the e-mails (not timed).
                renderer._ensure_portal_tokens(warm.filtered(is_mail) | mails)
            # Warm-up: the mail layout's and the template's first compilation.
            warm_mails = warm.filtered(is_mail)
            if warm_mails:
                queue_mails(env, warm_mails)
            out["mail"], out["mail_runs"] = queue_mails(
                env, mails, shapes=self.shapes, repeat=send
            )
            out["mail_count"] = len(mails)
            return out

        holder = {}
        self.transaction(lambda env: holder.update(confirm(env)))
        n = max(len(holder["comms"]), 1)
        apply = holder["apply"]
        print(
            f"  (c) _apply(send=False): {len(holder['comms'])} communications, "
            f"{apply.seconds:.2f} s, {apply.count} queries "
            f"= {apply.count / n:.1f} per debtor; "
            f"proposals inside: {holder['proposals'].count} queries"
        )
        self.print_shapes(apply)
        self.results.update(c=holder["total"], apply=apply, comms=len(holder["comms"]))
        if self.args.no_send:
            return
        mail = holder["mail"]
        mail_n = max(holder["mail_count"], 1)
        print(
            f"  (c) _queue_mails x {holder['mail_count']}: best {mail.seconds:.2f} s "
            f"({', '.join(f'{t:.2f}' for t in holder['mail_runs'])}) "
            f"= {mail.seconds / mail_n:.3f} s per e-mail "
            f"(CPU {mail.cpu / mail_n:.3f} s), "
            f"{mail.count} queries = {mail.count / mail_n:.1f} per e-mail"
        )
        self.print_shapes(mail)
        letters = holder["letters"]
        k = holder["letters_count"]
        batches = math.ceil(k / holder["letters_batch"])
        print(
            f"  (d) _render_letters x {k}: best {letters.seconds:.2f} s "
            f"({', '.join(f'{t:.2f}' for t in holder['letters_runs'])}) "
            f"= {letters.seconds / max(k, 1):.3f} s per letter "
            f"(CPU {letters.cpu / max(k, 1):.3f} s + wkhtmltopdf "
            f"{letters.cpu_children / max(k, 1):.3f} s; "
            f"{batches} wkhtmltopdf calls of {holder['letters_batch']}), "
            f"{letters.count} queries"
        )
        self.print_shapes(letters)
        self.results.update(
            mail=mail,
            mail_count=holder["mail_count"],
            letters=letters,
            letters_count=k,
            letters_batch=holder["letters_batch"],
            letters_failed=holder["letters_failed"],
        )

    # ------------------------------------------------------------------
    def table(self):
        r = self.results
        n = max(r["comms"], 1)
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        rss_children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        rows = [
            ("debtors", r["debtors"]),
            ("invoices (posted)", r["invoices"]),
            ("overdue invoices (open)", r["overdue"]),
        ]
        if "a" in r:
            rows += [
                (
                    "proposals (selectable / invoices)",
                    f"{r['proposals']} ({r['selectable']} / {r['proposal_invoices']})",
                ),
                (
                    "preview engine: s / queries",
                    f"{r['a'].seconds:.2f} / {r['a'].count}",
                ),
            ]
        if "b" in r:
            rows.append(
                (
                    "preview wizard: s / queries",
                    f"{r['b'].seconds:.2f} / {r['b'].count}",
                )
            )
        if "k" in r:
            rows.append(
                (
                    "kanban first load: open cases / s / queries",
                    f"{r['cases']} / {r['k'].seconds:.2f} / {r['k'].count}",
                )
            )
        rows += [
            (
                "confirm _apply: s / queries per debtor",
                f"{r['apply'].seconds:.2f} / {r['apply'].count / n:.1f} ({n} debtors)",
            ),
            (
                "confirm whole (lock+run+proposals+apply): s / queries",
                f"{r['c'].seconds:.2f} / {r['c'].count}",
            ),
            ("peak RSS: python / wkhtmltopdf (MB)", f"{rss:.0f} / {rss_children:.0f}"),
        ]
        if "mail" in r:
            rows[-1:-1] = [
                (
                    "mail queue: s / queries per e-mail",
                    (
                        f"{r['mail'].seconds / max(r['mail_count'], 1):.3f} / "
                        f"{r['mail'].count / max(r['mail_count'], 1):.1f} "
                        f"({r['mail_count']} e-mails)"
                    ),
                ),
                (
                    "letters: s per 100 / per letter (letters per wkhtmltopdf call)",
                    f"{r['letters'].seconds / max(r['letters_count'], 1) * 100:.1f} / "
                    f"{r['letters'].seconds / max(r['letters_count'], 1):.3f} "
                    f"({r['letters_batch']}"
                    + (", batched call failed)" if r["letters_failed"] else ")"),
                ),
            ]
        width = max(len(label) for label, _v in rows)
        print()
        print(f"{'figure':<{width}}  {self.args.db}")
        for label, value in rows:
            print(f"{label:<{width}}  {value}")


# ----------------------------------------------------------------------
def start_server(db, port):
    """An Odoo HTTP server for ``db`` so that wkhtmltopdf can load the assets."""
    with socket.socket() as sock:
        if sock.connect_ex(("127.0.0.1", port)) == 0:
            raise SystemExit(f"port {port} is busy: choose another with --port")
    cmd = [sys.executable, "-m", "odoo", *benchlib.odoo_args(db)]
    cmd += [f"--http-port={port}", f"--db-filter=^{db}$", "--http-interface=127.0.0.1"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return proc
        time.sleep(0.5)
    proc.terminate()
    raise SystemExit(f"the Odoo server on port {port} did not start")


def main():
    args = parse_args()
    benchlib.check_db_name(args.db)
    if args.update:
        cmd = [sys.executable, "-m", "odoo", *benchlib.odoo_args(args.db)]
        cmd += ["--update", benchlib.MODULE, "--stop-after-init", "--http-port=18069"]
        subprocess.run(cmd, check=True)
    benchlib.setup_odoo(args.db)
    bench = Bench(args)
    server = None
    if args.port and not args.no_send:
        server = start_server(args.db, args.port)
        bench.report_url = f"http://127.0.0.1:{args.port}"
    try:
        bench.run()
    finally:
        if server:
            server.terminate()
            server.wait()
    bench.table()
    return 0


if __name__ == "__main__":
    sys.exit(main())
