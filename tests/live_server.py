"""Process plumbing for tests/test_live_server.py: real Odoo servers, a local
SMTP sink, JSON-RPC and direct SQL. Loopback only; every wait is bounded."""

import contextlib
import email
import email.policy
import itertools
import json
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

import psycopg2
from psycopg2 import sql as pg_sql

import odoo
from odoo.tools import config

LOOPBACK = "127.0.0.1"


_ISSUED_PORTS = set()


def free_port():
    """A free loopback port, never one this process handed out before: the
    port is released when returned, and the OS may offer it again to the next
    caller (the SMTP sink and a server's HTTP port would then collide)."""
    for _attempt in range(100):
        with socket.socket() as sock:
            sock.bind((LOOPBACK, 0))
            port = sock.getsockname()[1]
        if port not in _ISSUED_PORTS:
            _ISSUED_PORTS.add(port)
            return port
    raise RuntimeError("no free loopback port found in 100 attempts")


def wait_until(predicate, timeout, interval=0.05, what="a condition"):
    """Poll ``predicate`` until it returns a truthy value; bounded."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


# ----------------------------------------------------------------------
# PostgreSQL
# ----------------------------------------------------------------------
def pg_connect(dbname):
    _db, info = odoo.sql_db.connection_info_for(dbname)
    info = dict(info, database=dbname)
    info.pop("dsn", None)
    conn = psycopg2.connect(connect_timeout=5, **info)
    conn.autocommit = True
    return conn


def sql(dbname, query, params=None):
    conn = pg_connect(dbname)
    try:
        with conn.cursor() as cr:
            cr.execute(query, params)
            return cr.fetchall() if cr.description else None
    finally:
        conn.close()


def copy_database(source, target):
    """CREATE DATABASE target TEMPLATE source; False when source is busy."""
    odoo.sql_db.close_db(source)  # this process's pooled connections
    conn = pg_connect("postgres")
    try:
        with conn.cursor() as cr:
            cr.execute(
                pg_sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                    pg_sql.Identifier(target)
                )
            )
            try:
                cr.execute(
                    pg_sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                        pg_sql.Identifier(target), pg_sql.Identifier(source)
                    )
                )
            except psycopg2.errors.ObjectInUse:
                return False
        return True
    finally:
        conn.close()


def drop_database(name):
    assert name.startswith("dd_live_"), name
    conn = pg_connect("postgres")
    try:
        with conn.cursor() as cr:
            cr.execute(
                pg_sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                    pg_sql.Identifier(name)
                )
            )
    finally:
        conn.close()


# ----------------------------------------------------------------------
# Odoo processes
# ----------------------------------------------------------------------
def write_config(path, data_dir):
    lines = ["[options]", f"addons_path = {config['addons_path']}"]
    lines.append(f"data_dir = {data_dir}")
    for key in ("db_user", "db_password", "db_host", "db_port"):
        if config.get(key):
            lines.append(f"{key} = {config[key]}")
    with open(path, "w") as fh:
        fh.write("\n".join(lines) + "\n")


def odoo_command(conf, dbname, *args, subcommand=()):
    # ``python3 -m odoo``: the ``odoo`` console script is broken here.
    return [sys.executable, "-m", "odoo", *subcommand, "-c", conf, "-d", dbname, *args]


def log_tail(logfile, size=3000):
    try:
        with open(logfile, "rb") as fh:
            fh.seek(0, os.SEEK_END)
            fh.seek(max(0, fh.tell() - size))
            return fh.read().decode(errors="replace")
    except OSError:
        return ""


def odoo_shell(conf, dbname, script, logfile, timeout=240):
    """Run ``script`` in ``odoo shell``; return its stdout (raise on failure)."""
    with open(logfile, "ab") as log:
        proc = subprocess.run(
            odoo_command(
                conf, dbname, "--no-http", "--log-level=warn", subcommand=["shell"]
            ),
            input=script.encode(),
            stdout=subprocess.PIPE,
            stderr=log,
            timeout=timeout,
            check=False,
        )
    out = proc.stdout.decode()
    if proc.returncode:
        raise RuntimeError(
            f"odoo shell failed ({proc.returncode}):\n{log_tail(logfile)}"
        )
    return out


def install_database(conf, dbname, logfile, timeout=300):
    with open(logfile, "ab") as log:
        subprocess.run(
            odoo_command(
                conf,
                dbname,
                "-i",
                "debiteur_dunning,l10n_nl",
                "--without-demo=all",
                "--load-language=en_US,nl_NL",
                "--stop-after-init",
                "--log-level=warn",
            ),
            stdout=log,
            stderr=log,
            timeout=timeout,
            check=True,
        )


class OdooServer:
    """One ``python3 -m odoo`` HTTP server process on loopback."""

    def __init__(self, conf, dbname, logfile, workers=0):
        self.conf, self.dbname, self.logfile = conf, dbname, logfile
        self.workers = workers
        self.port = free_port()
        self.proc = None
        self.url = f"http://{LOOPBACK}:{self.port}"

    def start(self, timeout=90):
        args = [
            f"--http-interface={LOOPBACK}",
            f"--http-port={self.port}",
            f"--gevent-port={free_port()}",
            f"--workers={self.workers}",
            "--max-cron-threads=0",
            f"--db-filter=^{self.dbname}$",
            "--log-level=warn",
            "--limit-time-real=300",
            "--limit-time-cpu=300",
        ]
        self.log = open(self.logfile, "ab")  # noqa: SIM115 closed in stop()
        self.proc = subprocess.Popen(  # noqa: S603
            odoo_command(self.conf, self.dbname, *args),
            stdout=self.log,
            stderr=self.log,
            start_new_session=True,  # its own process group, killed as a whole
        )
        wait_until(self._ready, timeout, 0.3, f"Odoo on port {self.port}")
        return self

    def _ready(self):
        if self.proc.poll() is not None:
            raise RuntimeError(
                f"Odoo exited ({self.proc.returncode}):\n{log_tail(self.logfile)}"
            )
        try:
            rpc(self.url, "common", "version")
            return True
        except (OSError, RpcError):
            return False

    @property
    def pid(self):
        return self.proc.pid

    def kill(self):
        """SIGKILL the whole process group (server and any worker)."""
        if self.proc and self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):  # already gone
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=30)
        self._close_log()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            # Not stopped in time, or already gone: kill() below settles it.
            with contextlib.suppress(subprocess.TimeoutExpired, ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(timeout=20)
        self.kill()

    def _close_log(self):
        if getattr(self, "log", None):
            self.log.close()
            self.log = None


# ----------------------------------------------------------------------
# JSON-RPC
# ----------------------------------------------------------------------
class RpcError(Exception):
    def __init__(self, error):
        self.error = error
        data = error.get("data") or {}
        self.name = data.get("name", "")
        self.message = data.get("message", "") or error.get("message", "")
        super().__init__(f"{self.name}: {self.message}")


_ids = itertools.count(1)


def rpc(url, service, method, *args, timeout=300):
    payload = {
        "jsonrpc": "2.0",
        "method": "call",
        "id": next(_ids),
        "params": {"service": service, "method": method, "args": list(args)},
    }
    request = urllib.request.Request(
        url + "/jsonrpc",
        data=json.dumps(payload).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
        answer = json.loads(response.read())
    if "error" in answer:
        raise RpcError(answer["error"])
    return answer["result"]


class Client:
    """execute_kw as one user."""

    def __init__(self, url, dbname, login, password):
        self.url, self.dbname, self.password = url, dbname, password
        self.uid = rpc(url, "common", "login", dbname, login, password)
        if not self.uid:
            raise RuntimeError(f"login {login} refused")

    def __call__(self, model, method, *args, timeout=300, **kwargs):
        return rpc(
            self.url,
            "object",
            "execute_kw",
            self.dbname,
            self.uid,
            self.password,
            model,
            method,
            list(args),
            kwargs,
            timeout=timeout,
        )


# ----------------------------------------------------------------------
# SMTP sink
# ----------------------------------------------------------------------
class SmtpSink:
    """aiosmtpd on loopback that keeps every message it receives."""

    def __init__(self, port):
        self.port = port
        self.messages = []
        self.controller = None
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 aiosmtpd
        message = email.message_from_bytes(
            envelope.original_content or envelope.content, policy=email.policy.default
        )
        with self.lock:
            self.messages.append(
                {
                    "from": envelope.mail_from,
                    "rcpt": list(envelope.rcpt_tos),
                    "message": message,
                }
            )
        return "250 Message accepted for delivery"

    def start(self):
        from aiosmtpd.controller import Controller

        logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd's chatter

        self.controller = Controller(self, hostname=LOOPBACK, port=self.port)
        self.controller.start()
        return self

    def stop(self):
        if self.controller:
            self.controller.stop()
            self.controller = None

    def clear(self):
        with self.lock:
            self.messages.clear()

    def to(self, address):
        with self.lock:
            return [m for m in self.messages if address in m["rcpt"]]


def copy_filestore(source, target):
    src, dst = config.filestore(source), config.filestore(target)
    if os.path.isdir(src):
        shutil.copytree(src, dst, dirs_exist_ok=True)
