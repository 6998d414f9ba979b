"""Helpers shared by the benchmark scripts: Odoo set-up, databases, SQL counting.

Not a test module (see conftest.py). The scripts import it from their own folder.
"""

import collections
import contextlib
import logging
import os
import re
import shutil
import subprocess
import sys
import threading
import time

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# The folder holding the addon measured: this repository, or a snapshot of one
# commit (``git archive HEAD debiteur_dunning | tar -x -C DIR``) while the work
# tree changes under the benchmark.
ADDON_ROOT = os.environ.get("DD_BENCH_ADDONS") or REPO_ROOT
DATA_DIR = os.environ.get("DD_BENCH_DATA", "/tmp/dd_bench_data")
DB_PREFIX = "dd_bench_"
MODULE = "debiteur_dunning"


def addons_path():
    """Odoo's own addons folders (found from the installed package) + the addon."""
    import odoo

    package = os.path.dirname(os.path.abspath(odoo.__file__))
    dirs = [os.path.join(package, "addons"), os.path.join(package, os.pardir, "addons")]
    found = [os.path.realpath(d) for d in dirs if os.path.isdir(d)]
    return ",".join(found + [ADDON_ROOT])


def check_db_name(db):
    if not db.startswith(DB_PREFIX):
        raise SystemExit(
            f"refusing database {db!r}: its name must start with {DB_PREFIX}"
        )


def odoo_args(db):
    return [
        f"--addons-path={addons_path()}",
        f"--data-dir={DATA_DIR}",
        f"--database={db}",
        "--log-level=warn",
        "--without-demo=all",
        "--max-cron-threads=0",
    ]


def setup_odoo(db):
    """Configure Odoo in this process (no server) for database ``db``."""
    import odoo
    from odoo.tools import config

    config.parse_config(odoo_args(db))
    odoo.service.server.load_server_wide_modules()
    # wkhtmltopdf's stderr (warnings about the unpatched Qt) on every letter.
    logging.getLogger("odoo.addons.base.models.ir_actions_report").setLevel(
        logging.ERROR
    )


def db_exists(db):
    out = subprocess.run(
        ["psql", "-X", "-d", "postgres", "-Atqc", "SELECT datname FROM pg_database"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    return db in out


def update_module(db, port=18069):
    """``-u debiteur_dunning`` on ``db``: its schema follows the code measured."""
    cmd = [sys.executable, "-m", "odoo", *odoo_args(db)]
    cmd += ["--update", MODULE, "--stop-after-init", f"--http-port={port}"]
    subprocess.run(cmd, check=True)


def copy_database(source, target):
    """``createdb -T source target`` and a copy of the filestore."""
    check_db_name(target)
    subprocess.run(["createdb", "-T", source, target], check=True)
    src = os.path.join(DATA_DIR, "filestore", source)
    if os.path.isdir(src):
        shutil.copytree(src, os.path.join(DATA_DIR, "filestore", target))


def drop_database(db):
    check_db_name(db)
    subprocess.run(["dropdb", "--if-exists", "--force", db], check=True)
    shutil.rmtree(os.path.join(DATA_DIR, "filestore", db), ignore_errors=True)


def psql(db, sql):
    """Run ``sql`` on ``db`` with psql (autocommit: VACUUM needs it)."""
    subprocess.run(["psql", "-X", "-q", "-d", db, "-c", sql], check=True)


def dataset_marker(db):
    """The description generate.py leaves in the database, or None."""
    out = subprocess.run(
        ["psql", "-X", "-d", db, "-Atqc",
         "SELECT value FROM ir_config_parameter"
         " WHERE key = 'debiteur_bench.dataset'"],
        check=True, capture_output=True, text=True,
    ).stdout.strip()  # fmt: skip
    return out or None


def registry(db):
    from odoo.modules.registry import Registry

    return Registry(db)


# ----------------------------------------------------------------------
# Counting SQL queries
# ----------------------------------------------------------------------
_NUMBERS = re.compile(r"\b\d+\b")
_SAVEPOINT = re.compile(r'"[0-9a-f-]{36}"')  # savepoint names are uuids
_SPACES = re.compile(r"\s+")


class QueryCounter:
    """Counts the SQL queries this thread runs, on every cursor, by shape.

    Odoo's cursor increments ``threading.current_thread().query_count`` on
    every ``execute``; that is the count. With ``shapes=True`` it also patches
    ``Cursor.execute`` to group the queries by their text with numbers
    removed, so a per-record query (N+1) shows as one shape run N times.
    """

    def __init__(self, shapes=False):
        self.shapes = shapes
        self.count = 0
        self.seconds = 0.0
        self.cpu = self.cpu_children = 0.0
        self.by_shape = collections.Counter()
        self.time_by_shape = collections.Counter()

    def __enter__(self):
        from odoo import sql_db

        thread = threading.current_thread()
        self._start = getattr(thread, "query_count", 0)
        thread.query_count = self._start
        thread.query_time = getattr(thread, "query_time", 0.0)
        if self.shapes:
            original = self._original = sql_db.Cursor.execute
            counts, times = self.by_shape, self.time_by_shape

            def execute(cursor, query, params=None, log_exceptions=True):
                text = query.code if hasattr(query, "code") else str(query)
                shape = _SAVEPOINT.sub('"S"', _SPACES.sub(" ", text).strip())
                shape = _NUMBERS.sub("N", shape)[:160]
                start = time.perf_counter()
                try:
                    return original(cursor, query, params, log_exceptions)
                finally:
                    counts[shape] += 1
                    times[shape] += time.perf_counter() - start

            sql_db.Cursor.execute = execute
        self._t0 = time.perf_counter()
        self._cpu0 = os.times()
        return self

    def __exit__(self, *exc):
        from odoo import sql_db

        self.seconds = time.perf_counter() - self._t0
        cpu = os.times()
        # CPU seconds of this process (all its threads) and of the child
        # processes it waited for (wkhtmltopdf): less dependent on what else
        # runs on the machine than the wall-clock seconds.
        self.cpu = cpu.user + cpu.system - self._cpu0.user - self._cpu0.system
        self.cpu_children = (
            cpu.children_user
            + cpu.children_system
            - self._cpu0.children_user
            - self._cpu0.children_system
        )
        self.count = threading.current_thread().query_count - self._start
        if self.shapes:
            sql_db.Cursor.execute = self._original
        return False

    def top(self, n=8):
        """The ``n`` most repeated shapes: [(shape, count, seconds)]."""
        return [
            (shape, count, self.time_by_shape[shape])
            for shape, count in self.by_shape.most_common(n)
        ]

    def slowest(self, n=5):
        """The ``n`` shapes that took the most time: [(shape, count, seconds)]."""
        return [
            (shape, self.by_shape[shape], seconds)
            for shape, seconds in self.time_by_shape.most_common(n)
        ]


@contextlib.contextmanager
def timer():
    """``with timer() as t: ...`` then ``t()`` gives the elapsed seconds."""
    start = time.perf_counter()
    end = []
    yield lambda: (end[0] if end else time.perf_counter()) - start
    end.append(time.perf_counter())


# ----------------------------------------------------------------------
# Peak memory
# ----------------------------------------------------------------------
class PeakRSS:
    """Peak resident memory of this process (MB) during a ``with`` block.

    Linux resets the high-water mark (VmHWM) when "5" is written to
    ``/proc/self/clear_refs``; ``mb`` is then VmHWM at the end of the block.
    """

    def __init__(self):
        self.mb = None

    @staticmethod
    def _status(key):
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith(key + ":"):
                    return int(line.split()[1]) / 1024
        return None

    def __enter__(self):
        try:
            with open("/proc/self/clear_refs", "w") as refs:
                refs.write("5")
        except OSError:  # not Linux, or not allowed: the lifetime peak then
            pass
        return self

    def __exit__(self, *exc):
        self.mb = self._status("VmHWM")
        return False


# ----------------------------------------------------------------------
# Measuring in rolled-back transactions
# ----------------------------------------------------------------------
class Measurer:
    """Runs functions of an ``env`` in transactions and measures them.

    ``measure`` gives seconds, SQL queries (``QueryCounter``) and the peak
    memory of this process (``counter.rss``, MB); every run is rolled back.
    """

    def __init__(self, db, shapes=False):
        from odoo import SUPERUSER_ID

        self.db = db
        self.shapes = shapes
        self.registry = registry(db)
        self.uid = SUPERUSER_ID
        self.uid = self.transaction(lambda env: env.ref("base.user_admin").id)

    def transaction(self, func, commit=False, company=None):
        """``func(env)`` as the administrator; committed only if ``commit``.

        ``company``: a company id or a list of them (the first is the current
        one), as the company switcher sets them.
        """
        from odoo import api

        cr = self.registry.cursor()
        try:
            env = api.Environment(cr, self.uid, {"lang": "en_US"})
            if company is not None:
                ids = list(company) if isinstance(company, list | tuple) else [company]
                env = env(context=dict(env.context, allowed_company_ids=ids))
            result = func(env)
            if commit:
                cr.commit()
            return result
        finally:
            cr.rollback()
            cr.close()

    def measure(self, label, func, repeat=1, summary=None, company=None):
        """Best of ``repeat`` runs of ``func(env)``, each rolled back.

        Returns ``(counter, value)``: value is ``summary(env, result)`` (taken
        after the counter stopped) or the result itself.
        """
        runs = []
        for _i in range(max(repeat, 1)):
            holder = {}

            def run(env, holder=holder):
                env.invalidate_all()
                with PeakRSS() as rss, QueryCounter(shapes=self.shapes) as counter:
                    value = func(env)
                    env.flush_all()
                counter.rss = rss.mb
                holder["counter"] = counter
                holder["value"] = summary(env, value) if summary else value

            self.transaction(run, company=company)
            runs.append(holder)
        best = min(runs, key=lambda h: h["counter"].seconds)
        counter = best["counter"]
        times = ", ".join(f"{h['counter'].seconds:.2f}" for h in runs)
        counts = ", ".join(str(h["counter"].count) for h in runs)
        print(
            f"  {label}: best {counter.seconds:.2f} s ({times}), {counter.count} "
            f"queries ({counts}), peak {counter.rss:.0f} MB",
            flush=True,
        )
        self.print_shapes(counter)
        return counter, best["value"]

    def print_shapes(self, counter):
        if not self.shapes:
            return
        print("      most repeated:")
        for shape, times, seconds in counter.top():
            if times > 1:
                print(f"      {times:6d} x {seconds:6.2f} s  {shape}")
        print("      slowest:")
        for shape, times, seconds in counter.slowest():
            print(f"      {times:6d} x {seconds:6.2f} s  {shape}")
