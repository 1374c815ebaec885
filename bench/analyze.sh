#!/usr/bin/env bash
# bench/analyze.sh — throughput and memory of `keikai analyze` against ripgrep, on generated corpora.
#
#   bench/analyze.sh            # 1GB and 256MB of both corpora (peak RSS must not grow with size)
#   bench/analyze.sh 2GB        # one size (also: BENCH_SIZE=2GB bench/analyze.sh)
#   bench/analyze.sh --quick    # 100MB, for development
#
# Two corpora (gencorpus -shape): "mix", every format evenly, and "real", shaped like honeynet and
# host logs (a third firewall denies from 60,000 sources, IDS alerts, worms, sshd failures).
# Environment: BENCH_SHAPES ("mix real"), BENCH_SIZE, BENCH_SEED (1), BENCH_RUNS (3), BENCH_TIMEOUT (seconds per run, 900),
# BENCH_CACHE (${TMPDIR:-/tmp}/keikai-bench: generated corpora are kept there and reused),
# BENCH_NO_HYPERFINE=1 (time with a date loop even when hyperfine is installed),
# BENCH_KEIKAI=/path/to/keikai (use that binary instead of building ./cmd/keikai),
# BENCH_STAGES=0 (skip the CPU profile by stage of the largest corpus of each shape; needs perf).
#
# Exit status: 0 when the benchmark ran (a missed bar prints FAIL but is not an error); non-zero only
# when something could not run (build failure, keikai or rg erroring, missing tools that could not be
# installed).
set -euo pipefail

usage() { sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; }

die() { echo "analyze.sh: $*" >&2; exit 2; }

QUICK=0
SIZE_ARG=""
for a in "$@"; do
	case "$a" in
	--quick) QUICK=1 ;;
	-h | --help) usage; exit 0 ;;
	-*) die "unknown option $a (see --help)" ;;
	*) [ -z "$SIZE_ARG" ] || die "only one SIZE may be given"; SIZE_ARG=$a ;;
	esac
done

DEFAULT_PAIR=0
if [ "$QUICK" = 1 ]; then
	SIZES=(100MB)
elif [ -n "$SIZE_ARG" ]; then
	SIZES=("$SIZE_ARG")
elif [ -n "${BENCH_SIZE:-}" ]; then
	SIZES=("$BENCH_SIZE")
else
	SIZES=(1GB 256MB)
	DEFAULT_PAIR=1
fi
SEED=${BENCH_SEED:-1}
read -r -a SHAPES <<<"${BENCH_SHAPES:-mix real}"
for sh in "${SHAPES[@]}"; do
	case "$sh" in mix | real) ;; *) die "unknown shape '$sh' in BENCH_SHAPES (mix, real)" ;; esac
done
RUNS=${BENCH_RUNS:-3}
TIMEOUT=${BENCH_TIMEOUT:-900}
CACHE=${BENCH_CACHE:-${TMPDIR:-/tmp}/keikai-bench}
for s in "${SIZES[@]}"; do
	[[ "$s" =~ ^[0-9]+(\.[0-9]+)?[A-Za-z]*$ ]] || die "bad size '$s' (examples: 100MB, 1GB, 256MiB)"
done
[[ "$SEED" =~ ^[0-9]+$ ]] || die "BENCH_SEED must be a number"
[[ "$RUNS" =~ ^[1-9][0-9]*$ ]] || die "BENCH_RUNS must be a positive number"
[[ "$TIMEOUT" =~ ^[1-9][0-9]*$ ]] || die "BENCH_TIMEOUT must be a positive number of seconds"

cd "$(dirname "$0")/.."
REPO=$PWD

# ---------------------------------------------------------------- tools

SCRIPT=analyze.sh
# shellcheck source=bench/lib.sh
. "$PWD/bench/lib.sh" # the script has cd-ed to the repository root

need=()
command -v rg >/dev/null 2>&1 || need+=(ripgrep)
[ -x /usr/bin/time ] || need+=(time)
command -v timeout >/dev/null 2>&1 || need+=(coreutils)
[ ${#need[@]} -eq 0 ] || apt_install "${need[@]}"
command -v go >/dev/null 2>&1 || die "go not found in PATH (keikai is built from source)"

USE_HYPERFINE=0
if [ -z "${BENCH_NO_HYPERFINE:-}" ] && command -v hyperfine >/dev/null 2>&1; then
	USE_HYPERFINE=1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/keikai-analyze.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- build

echo "== building keikai and the corpus generator"
if [ -n "${BENCH_KEIKAI:-}" ]; then
	KK=$(cd "$(dirname "$BENCH_KEIKAI")" && pwd)/$(basename "$BENCH_KEIKAI")
	[ -x "$KK" ] || die "BENCH_KEIKAI=$BENCH_KEIKAI is not an executable"
	echo "   using BENCH_KEIKAI=$KK (not built from this checkout)"
else
	go build -o "$tmp/keikai" ./cmd/keikai || die "go build ./cmd/keikai failed"
	KK=$tmp/keikai
fi
go build -o "$tmp/gencorpus" ./bench/gencorpus || die "go build ./bench/gencorpus failed"

# ---------------------------------------------------------------- corpora

mkdir -p "$CACHE"
# The cache key includes a hash of the generator's source: a changed generator makes new corpora.
GENKEY=$(find "$REPO/bench/gencorpus" -name '*.go' ! -name '*_test.go' | LC_ALL=C sort | xargs cat | sha256sum | cut -c1-12)

# corpus SHAPE SIZE -> prints the path of the corpus of that shape and size (generated or reused)
corpus() {
	local shape=$1 size=$2 path
	path=$CACHE/corpus-$shape-$size-seed$SEED-$GENKEY.log
	if [ -f "$path" ] && [ -f "$path.stats" ]; then
		echo "   reusing $path" >&2
		sed 's/^/   /' "$path.stats" >&2
	else
		# drop corpora of older generator versions
		find "$CACHE" -maxdepth 1 -name 'corpus-*.log*' ! -name "*-$GENKEY.log*" -delete 2>/dev/null || true
		echo "   generating $path" >&2
		"$tmp/gencorpus" -shape "$shape" -size "$size" -seed "$SEED" -out "$path.tmp" 2>"$path.stats.tmp" ||
			{ cat "$path.stats.tmp" >&2; rm -f "$path.tmp" "$path.stats.tmp"; die "gencorpus failed"; }
		mv "$path.tmp" "$path"
		mv "$path.stats.tmp" "$path.stats"
		sed 's/^/   /' "$path.stats" >&2
	fi
	echo "$path"
}

# ---------------------------------------------------------------- literals for ripgrep

LIT=$tmp/literals.txt
LIT_SOURCE="keikai rules literals"
# An empty line in a -F pattern file would match every line: drop empty lines.
if "$KK" rules literals >"$tmp/literals.raw" 2>"$tmp/literals.err" && grep -v '^$' "$tmp/literals.raw" >"$LIT"; then
	:
else
	LIT_SOURCE="FALLBACK list in bench/analyze.sh"
	echo "WARNING: 'keikai rules literals' is not available ($(head -c 200 "$tmp/literals.err" | tr '\n' ' '))" >&2
	echo "WARNING: ripgrep uses a FALLBACK list of literals written into bench/analyze.sh, not the rules' own" >&2
	cat >"$LIT" <<'EOF'
statmon/sm/
gethostbyname error
SM_MON request
%hn
/phf
test-cgi
php.cgi
count.cgi
formmail
configdir=
default.ida
root.exe
cmd.exe
relaying denied
relay access denied
did not issue mail
spt=2002
dpt=2002
syn flooding
drop open request
connection id is different
ssl handshake failed
failed password
invalid user
authentication failure
EOF
fi
echo "== ripgrep literals: $(grep -c '' "$LIT") from $LIT_SOURCE"

# ---------------------------------------------------------------- timing

# run_timed NAME OUT CMD...: runs CMD RUNS times (stdout to OUT); sets BEST (seconds, min wall time),
# CPU (seconds of user + sys, min of the runs measured with /usr/bin/time -v), RSS_KB (max of those
# runs) and RC (last exit status).
# Exit statuses 0 and 1 are success for both tools (keikai: 1 = findings; rg: 1 = no match).
TIMED_OUT=0
run_once() { # run_once NAME OUT CMD... -> sets RC, WALL, and appends RSS to $tmp/rss.NAME
	local name=$1 out=$2 t0 t1
	shift 2
	t0=$(date +%s.%N)
	set +e
	timeout -k 10 "$TIMEOUT" /usr/bin/time -v -o "$tmp/time.$name" "$@" >"$out" 2>"$tmp/err.$name"
	RC=$?
	set -e
	t1=$(date +%s.%N)
	WALL=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
	if [ "$RC" = 124 ] || [ "$RC" = 137 ]; then
		TIMED_OUT=1
		return 0
	fi
	if [ "$RC" != 0 ] && [ "$RC" != 1 ]; then
		echo "analyze.sh: $name failed with exit status $RC:" >&2
		head -c 2000 "$tmp/err.$name" >&2
		exit 1
	fi
	sed -n 's/^[[:space:]]*Maximum resident set size (kbytes): *//p' "$tmp/time.$name" >>"$tmp/rss.$name"
	# CPU-seconds (user + sys) are the steady figure on a busy machine, where wall time is not.
	awk -F': *' '/^[[:space:]]*(User|System) time \(seconds\)/ { s += $2 } END { printf "%.3f\n", s }' "$tmp/time.$name" >>"$tmp/cpu.$name"
}

run_timed() {
	local name=$1 out=$2 i best="" cmd
	shift 2
	: >"$tmp/rss.$name"
	: >"$tmp/cpu.$name"
	TIMED_OUT=0
	if [ "$USE_HYPERFINE" = 1 ]; then
		# one run under /usr/bin/time -v for the exit status and peak RSS, then hyperfine for the times
		run_once "$name" "$out" "$@"
		if [ "$TIMED_OUT" = 0 ]; then
			cmd=$(printf '%q ' timeout -k 10 "$TIMEOUT" "$@")
			hyperfine --runs "$RUNS" -i --style basic --export-json "$tmp/hf.$name.json" "$cmd" >"$tmp/hf.$name.txt" 2>&1 ||
				{ cat "$tmp/hf.$name.txt" >&2; die "hyperfine failed"; }
			best=$(sed -n 's/.*"min": *\([0-9.eE+-]*\).*/\1/p' "$tmp/hf.$name.json" | head -1)
			[ -n "$best" ] || die "could not read hyperfine's result"
			best=$(awk -v x="$best" 'BEGIN { printf "%.3f", x }')
			# a run that hit the timeout makes the minimum meaningless
			if awk -v x="$best" -v t="$TIMEOUT" 'BEGIN { exit !(x >= t) }'; then TIMED_OUT=1; fi
		fi
	else
		for ((i = 1; i <= RUNS; i++)); do
			run_once "$name" "$out" "$@"
			[ "$TIMED_OUT" = 0 ] || break
			if [ -z "$best" ] || awk -v a="$WALL" -v b="$best" 'BEGIN { exit !(a < b) }'; then best=$WALL; fi
		done
	fi
	if [ "$TIMED_OUT" = 1 ]; then
		echo "   $name: a run exceeded BENCH_TIMEOUT=${TIMEOUT}s" >&2
		best=$TIMEOUT
	fi
	BEST=$best
	RSS_KB=$(sort -n "$tmp/rss.$name" | tail -1)
	RSS_KB=${RSS_KB:-0}
	CPU=$(sort -n "$tmp/cpu.$name" | head -1)
	CPU=${CPU:-0}
}

# ---------------------------------------------------------------- run

if [ "$USE_HYPERFINE" = 1 ]; then
	TIMING="hyperfine, min of $RUNS runs (+1 run under /usr/bin/time -v for peak RSS and exit status)"
else
	TIMING="date +%s.%N around each run, min of $RUNS runs, each under /usr/bin/time -v"
fi
echo "== timing: $TIMING; per-run timeout ${TIMEOUT}s"
echo "== load average at start: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine slows wall time; CPU-seconds are the steady figure)"
echo "== machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.1f GiB", $2/1048576 }' /proc/meminfo), $(go version | cut -d' ' -f3), $("$KK" version 2>/dev/null | head -1 || echo 'keikai ?'), $(rg --version | head -1)"

ROWS=()
declare -A K_MBS R_MBS RATIO CPU_RATIO K_RSS SIZE_BYTES
for shape in "${SHAPES[@]}"; do
for size0 in "${SIZES[@]}"; do
	size=$shape/$size0 # the key of this run in the tables
	echo "== corpus $shape $size0 (seed $SEED), load average $(cut -d' ' -f1-3 /proc/loadavg)"
	CORPUS=$(corpus "$shape" "$size0")
	BYTES=$(stat -c %s "$CORPUS")
	SIZE_BYTES[$size]=$BYTES
	avail=$(df -Pk "$tmp" | awk 'NR==2 { print $4 }')
	[ "${avail:-0}" -gt 10240 ] || die "less than 10 MiB free in $tmp"
	echo "   warming the page cache: reading the corpus once (cat > /dev/null); no cache is dropped"
	cat "$CORPUS" >/dev/null

	echo "   keikai analyze --summary --format json ..."
	run_timed keikai "$tmp/keikai.json" "$KK" analyze --summary --format json "$CORPUS"
	KT=$BEST KRSS=$RSS_KB KTO=$TIMED_OUT KCPU=$CPU
	echo "   rg -c -i -F -f LITERALS ..."
	run_timed rg "$tmp/rg.out" rg -c -i -F -f "$LIT" "$CORPUS"
	RT=$BEST RTO=$TIMED_OUT RCPU=$CPU
	echo "   keikai best ${KT}s (${KCPU} CPU-s), peak RSS $(awk -v k="$KRSS" 'BEGIN { printf "%.1f", k * 1024 / 1e6 }') MB; rg best ${RT}s (${RCPU} CPU-s), $(head -1 "$tmp/rg.out" 2>/dev/null || echo 0) matching lines"
	if [ -s "$tmp/keikai.json" ]; then
		echo "   keikai summary (top-level counts):"
		grep -E '^  "[A-Za-z_]+": [0-9]+,?$' "$tmp/keikai.json" | head -12 | sed 's/^ */     /' || true
	fi

	K_MBS[$size]=$(awk -v b="$BYTES" -v t="$KT" 'BEGIN { printf "%.0f", b / 1e6 / t }')
	R_MBS[$size]=$(awk -v b="$BYTES" -v t="$RT" 'BEGIN { printf "%.0f", b / 1e6 / t }')
	RATIO[$size]=$(awk -v k="$KT" -v r="$RT" 'BEGIN { printf "%.2f", k / r }')
	CPU_RATIO[$size]=$(awk -v k="$KCPU" -v r="$RCPU" 'BEGIN { if (r > 0) printf "%.2f", k / r; else print "n/a" }')
	K_CPU_MBS=$(awk -v b="$BYTES" -v t="$KCPU" 'BEGIN { if (t > 0) printf "%.0f", b / 1e6 / t; else print "n/a" }')
	R_CPU_MBS=$(awk -v b="$BYTES" -v t="$RCPU" 'BEGIN { if (t > 0) printf "%.0f", b / 1e6 / t; else print "n/a" }')
	if [ "$KRSS" -gt 0 ]; then
		K_RSS[$size]=$(awk -v k="$KRSS" 'BEGIN { printf "%.1f", k * 1024 / 1e6 }')
	else
		K_RSS[$size]=n/a # every run timed out before /usr/bin/time could report
	fi
	kto=""; rto=""
	[ "$KTO" = 0 ] || kto=" (timeout)"
	[ "$RTO" = 0 ] || rto=" (timeout)"
	ROWS+=("$(printf '%-13s %13s %9s %12s %9s %9s %8s %9s %10s %9s %9s %9s %15s' "$size" "$BYTES" "$KT" "${K_MBS[$size]}$kto" "$RT" "${R_MBS[$size]}$rto" "${RATIO[$size]}" \
		"$KCPU" "$K_CPU_MBS" "$RCPU" "$R_CPU_MBS" "${CPU_RATIO[$size]}" "${K_RSS[$size]}")")
done
done

# ---------------------------------------------------------------- report

echo
echo "keikai analyze vs ripgrep ($TIMING; page cache warm)"
echo "== load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-13s %13s %9s %12s %9s %9s %8s %9s %10s %9s %9s %9s %15s\n' corpus bytes keikai_s keikai_MB/s rg_s rg_MB/s ratio \
	keikai_cpu keikai_MB/cs rg_cpu rg_MB/cs cpu_ratio keikai_RSS_MB
for r in "${ROWS[@]}"; do echo "$r"; done
echo "(MB = 10^6 bytes; _s = best wall seconds; _cpu = least user+sys CPU-seconds, MB/cs = MB per CPU-second;"
echo " ratio = keikai time / rg time, cpu_ratio = keikai CPU-s / rg CPU-s; RSS = maximum resident set size from /usr/bin/time -v)"
echo

# The bars are judged on the largest corpus of each shape; peak RSS on every corpus.
pf() { if awk "BEGIN { exit !($1) }"; then echo PASS; else echo FAIL; fi; }
printf 'bar (issue 10)                                    measured          verdict\n'
for shape in "${SHAPES[@]}"; do
	big=$shape/${SIZES[0]}
	maxrss=0
	for s in "${SIZES[@]}"; do
		if [ "${K_RSS[$shape/$s]}" = n/a ]; then maxrss=n/a; break; fi
		maxrss=$(awk -v a="$maxrss" -v b="${K_RSS[$shape/$s]}" 'BEGIN { print (b > a ? b : a) }')
	done
	printf '%-49s %-17s %s\n' "keikai CPU-s <= 1.3x ripgrep's ($big)" "${CPU_RATIO[$big]}x" "$(pf "${CPU_RATIO[$big]} <= 1.3")"
	printf '%-49s %-17s %s\n' "keikai wall <= ripgrep's ($big)" "${RATIO[$big]}x" "$(pf "${RATIO[$big]} <= 1")"
	if [ "$maxrss" = n/a ]; then
		printf '%-49s %-17s %s\n' "keikai peak RSS <= 100 MB ($shape, all sizes)" "not measured" FAIL
	else
		printf '%-49s %-17s %s\n' "keikai peak RSS <= 100 MB ($shape, all sizes)" "$maxrss MB" "$(pf "$maxrss <= 100")"
	fi
	if [ "$DEFAULT_PAIR" = 1 ] && [ "$maxrss" != n/a ]; then
		# Memory must not grow with the input. A Go heap settles over the first hundreds of MB, so
		# compare like with like: the largest corpus streamed four times over standard input (time
		# going back at each seam, which also exercises the correlator's resets) against one pass.
		big_corpus=$(corpus "$shape" "${SIZES[0]}" 2>/dev/null)
		/usr/bin/time -o "$tmp/stream.time" -f '%M' sh -c "cat '$big_corpus' '$big_corpus' '$big_corpus' '$big_corpus' | '$KK' analyze --summary --format json - > /dev/null" || true
		stream_kb=$(tail -1 "$tmp/stream.time")
		stream=$(awk -v k="$stream_kb" 'BEGIN { printf "%.1f", k * 1024 / 1e6 }')
		b=${K_RSS[$big]}
		printf '%-49s %-17s %s\n' "RSS bounded: 4x $big in one stream <= 1x + 25%" "$stream MB (1x $b)" "$(pf "$stream <= $b * 1.25")"
	fi
done

# ---------------------------------------------------------------- CPU by stage

# Where keikai's CPU goes, from one run sampled by perf (cpu-clock, call graphs by frame pointer:
# Go keeps them): the share of samples under each stage's entry point, children included. The
# stages run on different goroutines, so their shares add up to about 100% with "other".
# Sampling costs a few percent of CPU; the shares, not the seconds, are the result.
stage_profile() { # stage_profile SHAPE CORPUS
	local shape=$1 corpus=$2 rep=$tmp/perf.$shape.txt
	# keikai exits 1 when it reports findings, and perf passes that on: judge by the data written
	perf record -q -e cpu-clock -F 999 -g -o "$tmp/perf.$shape.data" "$KK" analyze --summary --format json "$corpus" >/dev/null 2>"$tmp/perf.$shape.err" || true
	if [ ! -s "$tmp/perf.$shape.data" ]; then
		echo "   not measured: perf record failed: $(head -c 200 "$tmp/perf.$shape.err" | tr '\n' ' ')"
		return 0
	fi
	perf report -i "$tmp/perf.$shape.data" --stdio --children --sort sym -g none 2>/dev/null >"$rep" || true
	if ! grep -q '%' "$rep"; then
		echo "   not measured: perf recorded no samples ($(head -c 200 "$tmp/perf.$shape.err" | tr '\n' ' '))"
		return 0
	fi
	pct() { # the share of the samples under symbol $1 (the whole name after "github.com/keikai-project/keikai/internal/")
		awk -v s="$1" '$3 == "[.]" && ($4 == s || $4 == "github.com/keikai-project/keikai/internal/" s) { sub("%", "", $1); print $1; exit }' "$rep"
	}
	local read parse match add process submit shards rank seq gc
	read=$(pct 'input.(*Reader).Run')
	parse=$(pct 'logs.(*Parser).Parse')
	match=$(pct 'engine.(*Worker).Match')
	add=$(pct 'engine.(*Engine).Add')
	process=$(pct 'analyze.(*worker).process')
	submit=$(pct 'engine.(*ShardedCorrelator).Submit')
	shards=$(pct 'engine.(*ShardedCorrelator).run')
	rank=$(pct 'analyze.(*sequencer).countSources')
	seq=$(pct 'analyze.(*sequencer).run')
	gc=$(awk '$3 == "[.]" && ($4 == "runtime.gcBgMarkWorker" || $4 == "runtime.gcAssistAlloc" || $4 == "runtime.bgsweep" || $4 == "runtime.bgscavenge") { sub("%", "", $1); s += $1 } END { print s + 0 }' "$rep")
	awk -v shape="$shape" -v read="${read:-0}" -v parse="${parse:-0}" -v match_="${match:-0}" -v add="${add:-0}" -v process="${process:-0}" \
		-v submit="${submit:-0}" -v shards="${shards:-0}" -v rank="${rank:-0}" -v seq="${seq:-0}" -v gc="${gc:-0}" 'BEGIN {
		corr = submit + shards
		printf "   %-46s %6.1f%%\n", "reading and splitting (input)", read
		printf "   %-46s %6.1f%%\n", "parsing (logs)", parse
		printf "   %-46s %6.1f%%\n", "prefilter and rules (engine Match)", match_
		printf "   %-46s %6.1f%%\n", "correlation: hashing in the workers (Add)", add
		printf "   %-46s %6.1f%%\n", "rest of the workers (summary counting, ...)", process - parse - match_ - add
		printf "   %-46s %6.1f%%\n", "correlation: the correlator (shards)", corr
		printf "   %-46s %6.1f%%\n", "source ranking (sequencer)", rank
		printf "   %-46s %6.1f%%\n", "rest of the sequencer (order, findings out)", seq - submit - rank
		printf "   %-46s %6.1f%%\n", "garbage collector (background)", gc
		printf "   %-46s %6.1f%%\n", "other (runtime, start-up: rules compiled)", 100 - read - process - seq - shards - gc
	}'
}

if [ "${BENCH_STAGES:-1}" != 0 ]; then
	if command -v perf >/dev/null 2>&1; then
		for shape in "${SHAPES[@]}"; do
			echo
			echo "CPU by stage, $shape/${SIZES[0]} (perf, share of keikai's CPU samples in one run)"
			stage_profile "$shape" "$(corpus "$shape" "${SIZES[0]}" 2>/dev/null)"
		done
	else
		echo "CPU by stage: not measured (perf is not installed; Debian: linux-perf)"
	fi
fi
[ "$LIT_SOURCE" = "keikai rules literals" ] || echo "WARNING: the ripgrep column used the FALLBACK literal list (keikai rules literals was not available)"
exit 0
