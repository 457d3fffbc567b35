#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL 15 cluster, then stop that cluster by its own
# pid, whatever the command's result. The command connects as the application's role
# (DATABASE_URL) and migrates as the owner's (DATABASE_OWNER_URL). If DATABASE_URL already
# names a PostgreSQL server, use that server instead and start nothing.
set -euo pipefail

if [[ "${DATABASE_URL:-}" == postgres* ]]; then
  exec "$@"
fi

PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
if [ ! -x "$PGBIN/initdb" ]; then
  echo "with-postgres: $PGBIN/initdb not found; install postgresql-15 or set PGBIN or DATABASE_URL" >&2
  exit 2
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/vigil-pg.XXXXXX")
chmod 755 "$tmp"
mkdir -p "$tmp/data" "$tmp/sock"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')

# initdb refuses to run as root, so the cluster belongs to the postgres user when we are root.
if [ "$(id -u)" = 0 ]; then
  chown -R postgres:postgres "$tmp"
  as_pg=(runuser -u postgres --)
else
  as_pg=()
fi

stop_cluster() {
  local pidfile="$tmp/data/postmaster.pid"
  if [ -f "$pidfile" ]; then
    local pid
    pid=$(head -n 1 "$pidfile")
    kill -INT "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -rf "$tmp"
}
trap stop_cluster EXIT INT TERM

"${as_pg[@]}" "$PGBIN/initdb" -D "$tmp/data" -U postgres -A trust -E UTF8 --no-locale >"$tmp/initdb.log" 2>&1 \
  || { cat "$tmp/initdb.log" >&2; exit 2; }
"${as_pg[@]}" "$PGBIN/pg_ctl" -D "$tmp/data" -l "$tmp/server.log" -w -t 60 \
  -o "-F -p $port -k $tmp/sock -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
  start >/dev/null || { cat "$tmp/server.log" >&2; exit 2; }

# Two roles, as in production (docs/security.md): vigil_owner owns the database and runs the
# migrations (it may create the test database); vigil_app, which the suite runs as, owns
# nothing and is granted by `vigil migrate` only what the application needs.
"${as_pg[@]}" "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$tmp/sock" -p "$port" -U postgres -d postgres >"$tmp/roles.log" 2>&1 <<'SQL' \
  || { cat "$tmp/roles.log" >&2; exit 2; }
CREATE ROLE vigil_owner LOGIN CREATEDB PASSWORD 'vigil-owner-test-only';
CREATE ROLE vigil_app LOGIN PASSWORD 'vigil-app-test-only';
CREATE DATABASE vigil OWNER vigil_owner;
SQL

echo "with-postgres: PostgreSQL 15 on 127.0.0.1:$port (pid $(head -n 1 "$tmp/data/postmaster.pid")), roles vigil_owner and vigil_app"
export DATABASE_URL="postgres://vigil_app:vigil-app-test-only@127.0.0.1:$port/vigil"
export DATABASE_OWNER_URL="postgres://vigil_owner:vigil-owner-test-only@127.0.0.1:$port/vigil"
set +e
"$@"
status=$?
set -e
exit $status
