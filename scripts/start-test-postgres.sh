#!/bin/sh
# Starts a throwaway PostgreSQL server for the store/auth/audit tests, idempotently: re-running it
# while the server is up just prints the URL again. Installs nothing; it only uses the server
# binaries already present (on PATH, or under /usr/lib/postgresql/*/bin as Debian ships them).
# The URL is printed alone on the last line so CI can do:
#   export CLAWNEX_TEST_DATABASE_URL=$(scripts/start-test-postgres.sh | tail -1)
# Overridable: PGTEST_DATA (data dir), PGTEST_PORT, PGTEST_LOG.
set -eu

DATA="${PGTEST_DATA:-/tmp/pgdata}"
PORT="${PGTEST_PORT:-55432}"
LOG="${PGTEST_LOG:-/tmp/pg.log}"
URL="postgres://postgres@127.0.0.1:${PORT}/postgres"

find_bin() {
  if command -v "$1" >/dev/null 2>&1; then command -v "$1"; return 0; fi
  # Newest major version first.
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k4 -n -r); do
    if [ -x "$dir/$1" ]; then echo "$dir/$1"; return 0; fi
  done
  echo "start-test-postgres: $1 not found on PATH or in /usr/lib/postgresql/*/bin" >&2
  return 1
}

INITDB=$(find_bin initdb)
PG_CTL=$(find_bin pg_ctl)

# initdb and the server refuse to run as root: run them as `postgres` when we are root.
as_pg() {
  if [ "$(id -u)" = "0" ]; then su postgres -c "$1"; else sh -c "$1"; fi
}

if [ ! -f "$DATA/PG_VERSION" ]; then
  mkdir -p "$DATA"
  if [ "$(id -u)" = "0" ]; then chown postgres "$DATA"; fi
  chmod 700 "$DATA"
  as_pg "'$INITDB' -D '$DATA' -A trust -U postgres" >/dev/null
fi

if as_pg "'$PG_CTL' -D '$DATA' status" >/dev/null 2>&1; then
  echo "start-test-postgres: already running on port $PORT" >&2
else
  if [ "$(id -u)" = "0" ]; then touch "$LOG" && chown postgres "$LOG"; fi
  as_pg "'$PG_CTL' -D '$DATA' -o '-p $PORT -k /tmp -c listen_addresses=127.0.0.1' -l '$LOG' -w start" >&2
fi

echo "$URL"
