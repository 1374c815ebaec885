#!/usr/bin/env bash
# Starts a throw-away PostgreSQL server for the tests, from Debian's packages, and prints on stdout
# the variables to evaluate: KEIKAI_TEST_POSTGRES (the DSN), KEIKAI_PG_DIR and KEIKAI_PG_BIN (to
# stop it: pg_ctl -D "$KEIKAI_PG_DIR/data" stop, as the postgres user when run as root).
# Usage: eval "$(bash .ci/postgres.sh)"
# The data directory is a mktemp path, the server listens on 127.0.0.1 only, with trust
# authentication for the test role: it is for tests, never for keeping data. The port is
# KEIKAI_PG_PORT if set, else the first free one from 54329 on, so that a server already running
# there (a developer's) is neither disturbed nor mistaken for this one.
set -euo pipefail

if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  if [ "$(id -u)" != 0 ]; then echo "postgres.sh: PostgreSQL is not installed; run as root to install it" >&2; exit 1; fi
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql) >&2
fi
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)

listening() { (: <"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
if [ -n "${KEIKAI_PG_PORT:-}" ]; then
  port=$KEIKAI_PG_PORT
  if listening "$port"; then echo "postgres.sh: port $port (KEIKAI_PG_PORT) is already in use" >&2; exit 1; fi
else
  port=54329
  while listening "$port"; do
    port=$((port + 1))
    if [ "$port" -ge 54429 ]; then echo "postgres.sh: no free port in 54329-54428" >&2; exit 1; fi
  done
fi

dir=$(mktemp -d /tmp/keikai-pg.XXXXXX)
run() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
if [ "$(id -u)" = 0 ]; then chown postgres: "$dir"; fi
run "$bin/initdb" -D "$dir/data" -A trust -U postgres -E UTF8 --locale=C >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
run "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
  -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=on -c max_connections=200" start >&2 || { cat "$dir/server.log" >&2; exit 1; }
run "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres keikai_test >&2
echo "export KEIKAI_TEST_POSTGRES='postgres://postgres@127.0.0.1:$port/keikai_test?sslmode=disable'"
echo "export KEIKAI_PG_DIR='$dir'"
echo "export KEIKAI_PG_BIN='$bin'"
