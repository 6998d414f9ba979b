# shellcheck shell=bash
# Sourced by scripts/run-demo and scripts/run-tests: finds Odoo 18.0 and PostgreSQL.
#
# Environment (all optional):
#   PYTHON   the interpreter that has Odoo 18.0 (default: python3)
#   DB_USER  PostgreSQL user (default: the current OS user)
#   DB_HOST  PostgreSQL host (default: the local socket)
#   DB_PORT  PostgreSQL port (default: libpq's, 5432)
#   HTTP_PORT  Odoo's HTTP port in the written config (default: Odoo's, 8069);
#            lets two test runs share a machine
#
# Provides: REPO_ROOT, PYTHON, ODOO (command array), ADDONS_PATH, DB_USER,
# DB_HOST, DB_PORT (PGUSER/PGHOST/PGPORT exported for psql, createdb, dropdb),
# and the functions die, info, db_exists, all_installed, write_odoo_conf.

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

die() {
    printf 'error: %s\n' "$*" >&2
    exit 1
}
info() { printf '==> %s\n' "$*" >&2; }

# --- Odoo 18.0 -------------------------------------------------------------
PYTHON=${PYTHON:-python3}
command -v "$PYTHON" >/dev/null || die "$PYTHON not found: see README, Prerequisites"

# Odoo's own addons dirs, found from the installed package: odoo/addons inside
# it, and ../addons beside it (source checkouts installed with pip -e).
odoo_addons=$("$PYTHON" - 2>/dev/null <<'EOF'
import os
import odoo.release

if odoo.release.version_info[:2] != (18, 0):
    raise SystemExit(1)
package = os.path.dirname(os.path.abspath(odoo.release.__file__))
dirs = [os.path.join(package, "addons"), os.path.join(package, os.pardir, "addons")]
print(",".join(os.path.realpath(d) for d in dirs if os.path.isdir(d)))
EOF
) || die "Odoo 18.0 is not installed for $PYTHON: see README, Prerequisites"

ADDONS_PATH=$odoo_addons,$REPO_ROOT
# shellcheck disable=SC2034 # used by the scripts that source this file
ODOO=("$PYTHON" -m odoo)

# --- PostgreSQL ------------------------------------------------------------
DB_USER=${DB_USER:-$(id -un)}
DB_HOST=${DB_HOST:-}
DB_PORT=${DB_PORT:-}
export PGUSER=$DB_USER PGCONNECT_TIMEOUT=${PGCONNECT_TIMEOUT:-5}
if [ -n "$DB_HOST" ]; then export PGHOST=$DB_HOST; fi
if [ -n "$DB_PORT" ]; then export PGPORT=$DB_PORT; fi

command -v psql >/dev/null || die "psql not found: install the PostgreSQL client (see README, Prerequisites)"

pg_check() { { psql -X -d postgres -Atqc 'select 1' >/dev/null; } 2>&1; } # prints the error

# A local cluster that is down: try to start it (Debian's postgresql-common).
case ${DB_HOST:-/} in /* | localhost | 127.0.0.1) pg_local=1 ;; *) pg_local= ;; esac
if [ -n "$pg_local" ] && command -v pg_ctlcluster >/dev/null && ! pg_isready -q; then
    info "PostgreSQL is not running: starting the local cluster(s)"
    while read -r version cluster _ status _; do
        if [ "$status" = down ]; then
            pg_ctlcluster --skip-systemctl-redirect "$version" "$cluster" start || true
        fi
    done < <(pg_lsclusters -h 2>/dev/null)
fi
pg_error=$(pg_check) ||
    die "PostgreSQL is not reachable as user $DB_USER on ${DB_HOST:-the local socket}${DB_PORT:+ port $DB_PORT}:
    $pg_error
Start PostgreSQL, or set DB_HOST, DB_PORT, DB_USER (see README, Prerequisites)."

db_exists() {
    [ "$(psql -X -d postgres -Atq -v name="$1" <<<"select 1 from pg_database where datname = :'name'")" = 1 ]
}

# all_installed DB MODULES: whether every module (comma-separated) is installed
# in DB; Odoo only logs a warning for a module it cannot find.
all_installed() {
    [ "$(psql -X -d "$1" -Atq -v modules="$2" 2>/dev/null <<'SQL'
select count(*) from unnest(string_to_array(replace(:'modules', ' ', ''), ',')) as m
where m not in (select name from ir_module_module where state = 'installed')
SQL
    )" = 0 ]
}

# write_odoo_conf FILE DATA_DIR HTTP_INTERFACE: an Odoo config with these
# scripts' addons path, database connection, data dir and HTTP interface.
write_odoo_conf() {
    {
        echo "[options]"
        echo "addons_path = $ADDONS_PATH"
        echo "data_dir = $2"
        echo "http_interface = $3"
        echo "db_user = $DB_USER"
        if [ -n "${HTTP_PORT:-}" ]; then echo "http_port = $HTTP_PORT"; fi
        if [ -n "$DB_HOST" ]; then echo "db_host = $DB_HOST"; fi
        if [ -n "$DB_PORT" ]; then echo "db_port = $DB_PORT"; fi
    } >"$1"
}
