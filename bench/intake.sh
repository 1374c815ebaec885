#!/usr/bin/env bash
# bench/intake.sh — report intake through the API, with analysis, on SQLite and on PostgreSQL.
#
#   bench/intake.sh                 # 5000 reports, 50 concurrent clients, both databases
#   BENCH_N=20000 bench/intake.sh   # more reports
#
# It builds keikai and the load generator (bench/intake), starts `keikai serve` on a fresh
# database, posts BENCH_N reports (5 firewall log lines each) with BENCH_C concurrent clients from
# the separate load-generator process, waits until every report is analysed, and prints for each
# database: acknowledged reports/s, p50/p99/max acknowledgement latency, the time until all were
# analysed, and the server's CPU seconds (user+sys from /proc) per report.
#
# Environment: BENCH_N (5000), BENCH_C (50), BENCH_WORKERS (keikai serve --workers, 16),
# KEIKAI_TEST_POSTGRES (a postgres:// DSN; the run uses a fresh schema in it and drops it after;
# without it the PostgreSQL column is skipped), BENCH_KEIKAI=/path/to/keikai (use that binary).
#
# Bars (from issue 6): >= 500 reports/s acknowledged and analysed, p99 < 100 ms at 50 clients on
# SQLite. A missed bar prints FAIL and still exits 0; the exit status is non-zero only when
# something could not run.
set -euo pipefail

usage() { sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; }
die() { echo "intake.sh: $*" >&2; exit 2; }
for a in "$@"; do
	case "$a" in
	-h | --help) usage; exit 0 ;;
	*) die "unknown argument $a (see --help)" ;;
	esac
done

N=${BENCH_N:-5000}
C=${BENCH_C:-50}
WORKERS=${BENCH_WORKERS:-16}
[[ "$N" =~ ^[1-9][0-9]*$ ]] || die "BENCH_N must be a positive number"
[[ "$C" =~ ^[1-9][0-9]*$ ]] || die "BENCH_C must be a positive number"
[[ "$WORKERS" =~ ^[1-9][0-9]*$ ]] || die "BENCH_WORKERS must be a positive number"

cd "$(dirname "$0")/.."
command -v go >/dev/null 2>&1 || die "go not found in PATH (keikai is built from source)"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/keikai-intake.XXXXXX")
server_pid=""
pg_schema=""
cleanup() {
	if [ -n "$server_pid" ]; then kill -TERM "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
	if [ -n "$pg_schema" ]; then psql -q "$KEIKAI_TEST_POSTGRES" -c "DROP SCHEMA IF EXISTS $pg_schema CASCADE" >/dev/null 2>&1 || true; fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "== building keikai and the load generator"
if [ -n "${BENCH_KEIKAI:-}" ]; then
	KK=$BENCH_KEIKAI
	[ -x "$KK" ] || die "BENCH_KEIKAI=$KK is not an executable"
else
	go build -o "$tmp/keikai" ./cmd/keikai || die "go build ./cmd/keikai failed"
	KK=$tmp/keikai
fi
go build -o "$tmp/loadgen" ./bench/intake || die "go build ./bench/intake failed"
TICKS=$(getconf CLK_TCK)

# cpu_seconds PID: user+sys CPU time of a process so far.
cpu_seconds() {
	awk -v t="$TICKS" '{ printf "%.2f", ($14 + $15) / t }' "/proc/$1/stat"
}

# run_backend NAME DB: one measured run; prints "NAME key=value ..." on success.
run_backend() {
	local name=$1 db=$2 token addr log=$tmp/serve-$1.log
	token=$("$KK" token add bench --db "$db" 2>/dev/null) || die "$name: keikai token add failed"
	"$KK" serve --db "$db" --listen 127.0.0.1:0 --workers "$WORKERS" --log-format json 2>"$log" &
	server_pid=$!
	for _ in $(seq 100); do
		addr=$(sed -n 's/.*listening on \(http:[^ ]*\).*/\1/p' "$log")
		[ -n "$addr" ] && break
		kill -0 "$server_pid" 2>/dev/null || { cat "$log" >&2; die "$name: keikai serve exited"; }
		sleep 0.1
	done
	[ -n "$addr" ] || die "$name: keikai serve did not start listening"
	local before after figures
	before=$(cpu_seconds "$server_pid")
	figures=$("$tmp/loadgen" -url "$addr" -token "$token" -n "$N" -c "$C" -wait) || die "$name: the load generator failed"
	after=$(cpu_seconds "$server_pid")
	kill -TERM "$server_pid"
	wait "$server_pid" || die "$name: keikai serve exited non-zero at shutdown (log in $log)"
	server_pid=""
	echo "$name $figures cpu_s=$(awk -v a="$after" -v b="$before" 'BEGIN { printf "%.2f", a - b }')"
}

results=()
echo "== SQLite: $N reports, $C clients, $WORKERS workers"
results+=("$(run_backend sqlite "$tmp/keikai.db")")
echo "   ${results[-1]}"
if [ -n "${KEIKAI_TEST_POSTGRES:-}" ]; then
	command -v psql >/dev/null 2>&1 || die "psql not found (Debian package postgresql-client), needed to make a fresh schema"
	pg_schema="keikai_bench_$$"
	psql -q "$KEIKAI_TEST_POSTGRES" -c "CREATE SCHEMA $pg_schema" >/dev/null || die "cannot create schema $pg_schema"
	sep='?'
	[[ "$KEIKAI_TEST_POSTGRES" == *\?* ]] && sep='&'
	echo "== PostgreSQL: $N reports, $C clients, $WORKERS workers"
	results+=("$(run_backend postgres "${KEIKAI_TEST_POSTGRES}${sep}search_path=$pg_schema")")
	echo "   ${results[-1]}"
else
	echo "== PostgreSQL skipped: set KEIKAI_TEST_POSTGRES=postgres://... to compare"
fi

# field LINE KEY: the value of key=value in a result line.
field() { tr ' ' '\n' <<<"$1" | sed -n "s/^$2=//p"; }

echo
printf '%-34s' "intake through the API"
for r in "${results[@]}"; do printf '%14s' "${r%% *}"; done
echo
row() {
	local label=$1 key=$2
	printf '%-34s' "$label"
	for r in "${results[@]}"; do printf '%14s' "$(field "$r" "$key")"; done
	echo
}
row "acknowledged reports/s" acked_per_s
row "ack latency p50 (ms)" p50_ms
row "ack latency p99 (ms)" p99_ms
row "ack latency max (ms)" max_ms
row "all analysed after (s)" analysed_seconds
row "reports/s with analysis" analysed_per_s
row "server CPU (user+sys, s)" cpu_s
printf '%-34s' "server CPU per report (ms)"
for r in "${results[@]}"; do printf '%14s' "$(awk -v c="$(field "$r" cpu_s)" -v n="$N" 'BEGIN { printf "%.2f", c * 1000 / n }')"; done
echo
echo

sqlite=${results[0]}
verdict() { if awk "BEGIN { exit !($1) }"; then echo PASS; else echo FAIL; fi; }
echo "SQLite, >= 500 reports/s with analysis: $(verdict "$(field "$sqlite" analysed_per_s) >= 500") ($(field "$sqlite" analysed_per_s)/s)"
echo "SQLite, p99 acknowledgement < 100 ms at $C clients: $(verdict "$(field "$sqlite" p99_ms) < 100") ($(field "$sqlite" p99_ms) ms)"
echo "(CPU is the server's alone: the load generator runs as its own process. The machine's other load counts against these figures.)"
