#!/usr/bin/env bash
# bench/check.sh — `keikai check` against chkrootkit and rkhunter, for the Slapper worm (JPCERT-AT-2002-0006).
#
#   bench/check.sh
#
# Builds four fake system roots in a temp dir (clean; Slapper-infected; the .cinik variant; a hostile
# root of symlinks out of the root, a symlink loop and a FIFO), then for each root times
# `keikai check --root DIR --format json` and `chkrootkit -r DIR` (best of BENCH_RUNS, default 3)
# and compares what each reports for Slapper. rkhunter checks only the live system, so it is compared
# with `keikai check` (no --root) on this machine: times and warning counts; nothing is planted on the
# live system.
#
# Environment: BENCH_RUNS (3), BENCH_RKHUNTER_RUNS (1: rkhunter takes minutes; 0 skips it),
# BENCH_TIMEOUT (seconds per run, 900), BENCH_RKHUNTER_TIMEOUT (1800), BENCH_NO_LIVE=1 (skip the
# live-system comparison), BENCH_KEIKAI=/path/to/keikai (use that binary instead of building).
#
# Nothing in the fake roots is executable (the script checks that before running any tool), and the
# temp dir is removed on exit. Exit status: 0 when the comparison ran, whatever the verdicts (a missed
# bar prints FAIL); non-zero only when something could not run (build, install, a tool erroring).
set -euo pipefail

usage() { sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; }
die() { echo "check.sh: $*" >&2; exit 2; }

for a in "$@"; do
	case "$a" in
	-h | --help) usage; exit 0 ;;
	*) die "unknown argument $a (see --help)" ;;
	esac
done

RUNS=${BENCH_RUNS:-3}
RKRUNS=${BENCH_RKHUNTER_RUNS:-1}
TIMEOUT=${BENCH_TIMEOUT:-900}
RKTIMEOUT=${BENCH_RKHUNTER_TIMEOUT:-1800}
[[ "$RUNS" =~ ^[1-9][0-9]*$ ]] || die "BENCH_RUNS must be a positive number"
[[ "$RKRUNS" =~ ^[0-9]+$ ]] || die "BENCH_RKHUNTER_RUNS must be a number"
[[ "$TIMEOUT" =~ ^[1-9][0-9]*$ ]] || die "BENCH_TIMEOUT must be a positive number of seconds"
[[ "$RKTIMEOUT" =~ ^[1-9][0-9]*$ ]] || die "BENCH_RKHUNTER_TIMEOUT must be a positive number of seconds"

cd "$(dirname "$0")/.."

# ---------------------------------------------------------------- tools

SCRIPT=check.sh
# shellcheck source=bench/lib.sh
. "$PWD/bench/lib.sh" # the script has cd-ed to the repository root

# chkrootkit and rkhunter live in /usr/sbin, which a non-root PATH may lack.
PATH=$PATH:/usr/sbin:/sbin
need=()
command -v chkrootkit >/dev/null 2>&1 || need+=(chkrootkit)
command -v rkhunter >/dev/null 2>&1 || need+=(rkhunter)
command -v jq >/dev/null 2>&1 || need+=(jq)
command -v timeout >/dev/null 2>&1 || need+=(coreutils)
[ ${#need[@]} -eq 0 ] || apt_install "${need[@]}"
command -v go >/dev/null 2>&1 || [ -n "${BENCH_KEIKAI:-}" ] || die "go not found in PATH (keikai is built from source)"
[ "$(id -u)" = 0 ] || echo "check.sh: note: not root; chkrootkit and rkhunter see less than they would as root" >&2

tmp=$(mktemp -d "${TMPDIR:-/tmp}/keikai-check.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
ERRORS=0

echo "== building keikai"
if [ -n "${BENCH_KEIKAI:-}" ]; then
	KK=$(cd "$(dirname "$BENCH_KEIKAI")" && pwd)/$(basename "$BENCH_KEIKAI")
	[ -x "$KK" ] || die "BENCH_KEIKAI=$BENCH_KEIKAI is not an executable"
	echo "   using BENCH_KEIKAI=$KK (not built from this checkout)"
else
	mkdir -p "$tmp/bin"
	go build -o "$tmp/bin/keikai" ./cmd/keikai || die "go build ./cmd/keikai failed"
	KK=$tmp/bin/keikai
fi
echo "== $(chkrootkit -V 2>&1 | head -1); $(rkhunter --version 2>/dev/null | sed -n 's/^\(Rootkit Hunter [0-9.]*\).*/\1/p' | head -1); $("$KK" version 2>/dev/null | head -1 || echo 'keikai ?')"

# ---------------------------------------------------------------- fake roots

ROOTS=$tmp/roots
mkdir -p "$ROOTS"

UDP_HDR='   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops'
TCP_HDR='  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode'
# sshd listening on 0.0.0.0:22, in every root
TCP_SSH='   0: 00000000:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1001 1 0000000000000000 100 0 0 10 0'
# udp_sock PORTHEX INODE: a socket bound to 0.0.0.0:PORT, as the kernel prints it
udp_sock() { printf '   0: 00000000:%s 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 %s 2 0000000000000000 0\n' "$1" "$2"; }

# base ROOT: the skeleton every root shares
base() {
	local r=$1
	mkdir -p "$r"/{etc,tmp,var/log,var/lib/dpkg,proc/net,proc/1,usr/bin,bin}
	chmod 1777 "$r/tmp"
	printf 'root:x:0:0:root:/root:/bin/bash\nwww-data:x:33:33:www-data:/var/www:/usr/sbin/nologin\n' >"$r/etc/passwd"
	printf '*.info;mail.none;authpriv.none\t/var/log/messages\nauthpriv.*\t/var/log/secure\n' >"$r/etc/syslog.conf"
	printf '%s\n%s\n' "$TCP_HDR" "$TCP_SSH" >"$r/proc/net/tcp"
	printf '%s\n' "$UDP_HDR" >"$r/proc/net/udp"
	printf 'init\n' >"$r/proc/1/comm"
	printf '/sbin/init\0' >"$r/proc/1/cmdline"
	printf 'Name:\tinit\nState:\tS (sleeping)\nPid:\t1\nPPid:\t0\n' >"$r/proc/1/status"
	printf 'Sep 14 09:59:01 www CRON[1201]: (root) CMD (/usr/lib/sa/sa1 1 1)\nSep 14 10:00:00 www sshd[1300]: Accepted password for alice from 192.0.2.10 port 40000 ssh2\n' >"$r/var/log/messages"
	: >"$r/var/log/secure"
	# text stand-ins for binaries, so that the layout looks like a system: never executable
	printf 'not a binary: keikai bench placeholder\n' >"$r/bin/ls"
	printf 'not a binary: keikai bench placeholder\n' >"$r/usr/bin/ps"
}

# dpkg ROOT OPENSSL_VERSION
dpkg_status() {
	cat >"$1/var/lib/dpkg/status" <<EOF
Package: apache
Status: install ok installed
Priority: optional
Section: web
Version: 1.3.26-0woody3
Description: versatile, high-performance HTTP server

Package: libapache-mod-ssl
Status: install ok installed
Priority: optional
Section: web
Version: 2.8.9-2
Description: Strong cryptography (HTTPS support) for Apache

Package: openssl
Status: install ok installed
Priority: optional
Section: utils
Version: $2
Description: Secure Socket Layer (SSL) binary and related cryptographic tools

EOF
}

# (a) clean: a fixed OpenSSL, no worm files, no 2002/udp socket
R_CLEAN=$ROOTS/r1 # neutral directory names: a path never says "slapper"
base "$R_CLEAN"
dpkg_status "$R_CLEAN" 0.9.6g-1

# (b) Slapper (JPCERT-AT-2002-0006): files, 2002/udp socket, .bugtraq process, OpenSSL 0.9.6d, statd line
R_SLAP=$ROOTS/r2
base "$R_SLAP"
dpkg_status "$R_SLAP" 0.9.6d-1
# uuencoded text (of a harmless line), as the worm kept its source in /tmp/.uubugtraq
cat >"$R_SLAP/tmp/.uubugtraq" <<'EOF'
begin 644 .bugtraq.c
M+RH@:V5I:V%I(&)E;F-H('!L86-E:&]L9&5R.B!N;W0@=&AE('=O<FT@*B\*
`
end
EOF
printf '/* keikai bench placeholder for the worm source: not the worm */\nint main(void) { return 0; }\n' >"$R_SLAP/tmp/.bugtraq.c"
# ELF-looking bytes, not a program: the magic and a header, then zeros; mode 0644
{ printf '\177ELF\001\001\001\000\000\000\000\000\000\000\000\000\002\000\003\000'; head -c 1024 /dev/zero; } >"$R_SLAP/tmp/.bugtraq"
{ printf '%s\n' "$UDP_HDR"; udp_sock 07D2 12345; } >"$R_SLAP/proc/net/udp"
mkdir -p "$R_SLAP/proc/4242"
printf '.bugtraq\n' >"$R_SLAP/proc/4242/comm"
printf './.bugtraq\000198.51.100.7\000' >"$R_SLAP/proc/4242/cmdline"
printf 'Name:\t.bugtraq\nState:\tS (sleeping)\nPid:\t4242\nPPid:\t1\n' >"$R_SLAP/proc/4242/status"
printf 'Mar 13 12:34:56 www statd[44]: attempt to create "/var/statmon/sm//../../../../tmp/.nfs09 \001\220\220\220\353\037\136\211\166 XbinXsh tirdwr"\n' >>"$R_SLAP/var/log/messages"
printf '[Sat Sep 14 10:00:00 2002] [error] mod_ssl: SSL handshake failed (server www.example.jp:443, client 198.51.100.7) (OpenSSL library error follows)\n[Sat Sep 14 10:00:00 2002] [error] OpenSSL: error:1406908F:SSL routines:GET_CLIENT_FINISHED:connection id is different\n' >"$R_SLAP/var/log/apache-error.log"
mkdir -p "$R_SLAP/var/log/apache"
cp "$R_SLAP/var/log/apache-error.log" "$R_SLAP/var/log/apache/error.log"
rm "$R_SLAP/var/log/apache-error.log"

# (c) the .cinik variant: files and a 4156/udp socket
R_CINIK=$ROOTS/r3
base "$R_CINIK"
dpkg_status "$R_CINIK" 0.9.6g-1
printf 'keikai bench placeholder\n' >"$R_CINIK/tmp/.cinik"
mkdir -p "$R_CINIK/tmp/.font-unix"
printf 'keikai bench placeholder\n' >"$R_CINIK/tmp/.font-unix/.cinik"
printf 'keikai bench placeholder\n' >"$R_CINIK/tmp/.unlock"
{ printf '%s\n' "$UDP_HDR"; udp_sock 103C 23456; } >"$R_CINIK/proc/net/udp"

# (d) hostile: worm names that are links out of the root, a link loop, a FIFO; nothing executable
R_HOST=$ROOTS/r4
base "$R_HOST"
dpkg_status "$R_HOST" 0.9.6g-1
ln -s /etc/shadow "$R_HOST/tmp/.bugtraq"
ln -s ../../../../../../etc/passwd "$R_HOST/tmp/.bugtraq.c"
ln -s loop2 "$R_HOST/tmp/loop1"
ln -s loop1 "$R_HOST/tmp/loop2"
ln -s . "$R_HOST/tmp/self"
ln -s /proc/net/udp "$R_HOST/proc/net/udp6"
mkfifo "$R_HOST/tmp/.uubugtraq"

ROOT_NAMES=(clean slapper cinik hostile)
declare -A ROOT_DIR=([clean]=$R_CLEAN [slapper]=$R_SLAP [cinik]=$R_CINIK [hostile]=$R_HOST)
declare -A ROOT_DESC=(
	[clean]="clean system, OpenSSL 0.9.6g"
	[slapper]="Slapper: /tmp/.uubugtraq .bugtraq.c .bugtraq, 0.0.0.0:2002/udp, process .bugtraq, OpenSSL 0.9.6d, statd log line"
	[cinik]="Slapper variant: /tmp/.cinik, /tmp/.font-unix/.cinik, /tmp/.unlock, 0.0.0.0:4156/udp"
	[hostile]="hostile: tmp/.bugtraq -> /etc/shadow, .bugtraq.c -> ../../etc/passwd, link loop, FIFO .uubugtraq"
)

# Never run anything from the fake roots: refuse if any regular file in them is executable.
if [ -n "$(find "$ROOTS" -type f -perm /111 -print -quit)" ]; then
	die "a file in the fake roots is executable; refusing to run"
fi

# ---------------------------------------------------------------- timing

# best_of N NAME OUT CMD...: runs (TIMEOUT: seconds per run) CMD N times (stdout to OUT, stderr to OUT.err); sets BEST (min wall
# seconds) and RC (exit status of the last run). A run over BENCH_TIMEOUT sets BEST to "timeout".
best_of() {
	local n=$1 name=$2 out=$3 i t0 t1 wall best=""
	shift 3
	for ((i = 1; i <= n; i++)); do
		t0=$(date +%s.%N)
		set +e
		(cd "$tmp/cwd" && timeout -k 10 "$TIMEOUT" "$@") >"$out" 2>"$out.err" </dev/null
		RC=$?
		set -e
		t1=$(date +%s.%N)
		if [ "$RC" = 124 ] || [ "$RC" = 137 ]; then
			echo "   $name: run exceeded BENCH_TIMEOUT=${TIMEOUT}s" >&2
			best=timeout
			break
		fi
		wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
		if [ -z "$best" ] || awk -v a="$wall" -v b="$best" 'BEGIN { exit !(a < b) }'; then best=$wall; fi
	done
	BEST=$best
}
mkdir -p "$tmp/cwd" # an empty working directory for every tool

# keikai_summary JSON PREFIX: writes PREFIX.all (one line per finding: rule<TAB>title<TAB>artifact) and
# PREFIX.slapper (the findings that belong to Slapper), PREFIX.blob (each finding as compact JSON).
SLAPPER_RE='slapper|bugtraq|cinik|AT-2002-0006|2002/udp|:2002|4156'
keikai_summary() {
	local json=$1 p=$2
	if ! jq -e . "$json" >/dev/null 2>&1; then
		: >"$p.all"; : >"$p.slapper"; : >"$p.blob"
		return 1
	fi
	jq -r '(.findings // [])[] | [(.rule // ""), (.title // ""), (.artifact // .file // .excerpt // "" | tostring)] | @tsv' "$json" >"$p.all"
	jq -c '(.findings // [])[]' "$json" >"$p.blob"
	jq -r --arg re "$SLAPPER_RE" '(.findings // [])[] | select(tostring | test($re; "i")) | [(.rule // ""), (.title // ""), (.artifact // .file // .excerpt // "" | tostring)] | @tsv' "$json" >"$p.slapper"
}

# chk_slapper OUT ROOT: prints the paths chkrootkit reported for Slapper (root prefix removed), one a
# line, and "port:..." lines when it named a port.
chk_slapper() {
	awk -v root="$2" '
		/Possible Slapper Worm installed/ { on = 1; next }
		on && /^[[:space:]]*$/ { on = 0; next }
		on && /^(Checking|Searching)/ { on = 0; next }
		on { line = $0; if (index(line, root) == 1) line = substr(line, length(root) + 1); print line }
	' "$1" | sed 's#^\([^/]\)#/\1#' | sed 's#\\n#\n#g' | grep -v '^/*$' | sort -u || true
}

# ---------------------------------------------------------------- fake roots: keikai vs chkrootkit

declare -A T_K T_C N_K N_KS N_C VERD_D VERD_S
for name in "${ROOT_NAMES[@]}"; do
	dir=${ROOT_DIR[$name]}
	echo
	echo "== root '$name': ${ROOT_DESC[$name]}"

	best_of "$RUNS" "keikai check" "$tmp/k.$name.json" "$KK" check --root "$dir" --format json
	T_K[$name]=$BEST
	krc=$RC
	if [ "$BEST" != timeout ] && [ "$krc" != 0 ] && [ "$krc" != 1 ]; then
		echo "   keikai check failed (exit $krc):" >&2
		head -c 2000 "$tmp/k.$name.json.err" >&2
		ERRORS=$((ERRORS + 1))
	fi
	keikai_summary "$tmp/k.$name.json" "$tmp/k.$name" || { [ "$BEST" = timeout ] || echo "   keikai check printed no valid JSON" >&2; ERRORS=$((ERRORS + 1)); }

	best_of "$RUNS" "chkrootkit" "$tmp/c.$name.out" chkrootkit -r "$dir"
	T_C[$name]=$BEST
	[ -s "$tmp/c.$name.out" ] || { echo "   chkrootkit printed nothing (exit $RC):" >&2; head -c 2000 "$tmp/c.$name.out.err" >&2; ERRORS=$((ERRORS + 1)); }
	chk_slapper "$tmp/c.$name.out" "$dir" >"$tmp/c.$name.slapper"

	N_K[$name]=$(grep -c '' "$tmp/k.$name.all" || true)
	N_KS[$name]=$(grep -c '' "$tmp/k.$name.slapper" || true)
	N_C[$name]=$(grep -c '' "$tmp/c.$name.slapper" || true)

	echo "   chkrootkit -r      best ${T_C[$name]}s; Slapper: $([ "${N_C[$name]}" -gt 0 ] && echo "WARNING Possible Slapper Worm installed ($(paste -sd' ' "$tmp/c.$name.slapper"))" || echo 'not found')"
	grep -E "Checking \`slapper'|Slapper|INFECTED" "$tmp/c.$name.out" | sed 's/^/      chkrootkit: /' | head -5 || true
	echo "   keikai check       best ${T_K[$name]}s; exit $krc; findings ${N_K[$name]}, of them Slapper ${N_KS[$name]}"
	while IFS=$'\t' read -r _ title art; do
		art=${art#"$dir"}
		printf '      keikai: %s%s\n' "$title" "${art:+ [$art]}"
	done <"$tmp/k.$name.all"
	if [ -s "$tmp/k.$name.json.err" ]; then
		sed 's/^/      keikai stderr: /' "$tmp/k.$name.json.err" | head -5
	fi

	# detection verdict: every Slapper path chkrootkit names appears in some keikai finding; the clean
	# root gives no Slapper finding; the infected roots give at least one.
	missing=()
	while IFS= read -r p; do
		[ -n "$p" ] || continue
		grep -qF -- "$p" "$tmp/k.$name.blob" || missing+=("$p")
	done <"$tmp/c.$name.slapper"
	extra=$(cut -f3 "$tmp/k.$name.slapper" | sed "s#^$dir##" | grep -v '^$' | grep -vxF -f "$tmp/c.$name.slapper" | sort -u | paste -sd';' | sed 's/;/; /g' || true)
	d=PASS
	why=""
	if [ ${#missing[@]} -gt 0 ]; then d=FAIL; why="keikai misses what chkrootkit reports: ${missing[*]}"; fi
	if [ "$name" = clean ] && [ "${N_KS[$name]}" -gt 0 ]; then d=FAIL; why="keikai reports Slapper on the clean root"; fi
	if [ "$name" != clean ] && [ "${N_KS[$name]}" -eq 0 ]; then d=FAIL; why="keikai reports no Slapper finding"; fi
	VERD_D[$name]=$d
	echo "   detection: $d${why:+ ($why)}"
	[ -z "$extra" ] || echo "   keikai also reports (chkrootkit does not): $extra"

	s=FAIL
	if [ "${T_K[$name]}" != timeout ] && [ "${T_C[$name]}" != timeout ] &&
		awk -v k="${T_K[$name]}" -v c="${T_C[$name]}" 'BEGIN { exit !(k <= c / 10) }'; then
		s=PASS
	elif [ "${T_K[$name]}" != timeout ] && [ "${T_C[$name]}" = timeout ]; then
		s=PASS
	fi
	VERD_S[$name]=$s
	echo "   speed: $s (keikai ${T_K[$name]}s vs chkrootkit ${T_C[$name]}s; bar: keikai <= 1/10 of chkrootkit)"
done

# ---------------------------------------------------------------- live system: keikai vs rkhunter

# The fake roots go first, so that no tool on the live system sees them in /tmp.
rm -rf "$ROOTS"
LIVE=""
if [ -z "${BENCH_NO_LIVE:-}" ]; then
	echo
	echo "== live system (read-only; nothing planted): keikai check vs rkhunter --check --sk --nocolors --rwo"
	best_of "$RUNS" "keikai check (live)" "$tmp/k.live.json" "$KK" check --format json
	TKL=$BEST
	klrc=$RC
	if [ "$TKL" != timeout ] && [ "$klrc" != 0 ] && [ "$klrc" != 1 ]; then
		echo "   keikai check (live) failed (exit $klrc):" >&2
		head -c 2000 "$tmp/k.live.json.err" >&2
		ERRORS=$((ERRORS + 1))
	fi
	keikai_summary "$tmp/k.live.json" "$tmp/k.live" || true
	NKL=$(grep -c '' "$tmp/k.live.all" || true)
	echo "   keikai check       best ${TKL}s of $RUNS; findings $NKL"
	head -10 "$tmp/k.live.all" | while IFS=$'\t' read -r _ title art; do
		printf '      keikai: %s%s\n' "$title" "${art:+ [$art]}"
	done
	TRK=skipped NRK=-
	if [ "$RKRUNS" -gt 0 ]; then
		echo "   rkhunter runs $RKRUNS time(s); it takes minutes (per-run timeout ${RKTIMEOUT}s)"
		TIMEOUT=$RKTIMEOUT best_of "$RKRUNS" "rkhunter" "$tmp/rk.out" rkhunter --check --sk --nocolors --rwo
		TRK=$BEST
		if [ "$TRK" != timeout ] && [ "$RC" != 0 ] && [ "$RC" != 1 ]; then
			echo "   rkhunter exit status $RC:" >&2
			head -c 2000 "$tmp/rk.out.err" >&2
		fi
		NRK=$(grep -c '^Warning:' "$tmp/rk.out" || true)
		echo "   rkhunter           best ${TRK}s of $RKRUNS; warnings $NRK"
		grep '^Warning:' "$tmp/rk.out" | head -10 | sed 's/^/      rkhunter: /' || true
	fi
	if [ "$TRK" = skipped ]; then
		LIVE="live system: keikai check ${TKL}s, $NKL findings; rkhunter skipped (BENCH_RKHUNTER_RUNS=0)"
	else
		LIVE="live system: keikai check ${TKL}s, $NKL findings; rkhunter ${TRK}s, $NRK warnings"
	fi
fi

# ---------------------------------------------------------------- summary

echo
echo "summary (wall times: best of $RUNS${LIVE:+; live rkhunter: best of $RKRUNS})"
printf '%-8s %12s %12s %14s %16s %10s %7s\n' root keikai_s keikai_slapper chkrootkit_s chkrootkit_slapper detection speed
for name in "${ROOT_NAMES[@]}"; do
	printf '%-8s %12s %12s %14s %16s %10s %7s\n' "$name" "${T_K[$name]}" "${N_KS[$name]}" "${T_C[$name]}" "${N_C[$name]}" "${VERD_D[$name]}" "${VERD_S[$name]}"
done
[ -z "$LIVE" ] || echo "$LIVE"
echo "(keikai_slapper / chkrootkit_slapper: Slapper findings / paths reported; detection PASS = keikai reports every"
echo " Slapper path chkrootkit reports, nothing on the clean root, something on every infected root;"
echo " speed PASS = keikai time <= 1/10 of chkrootkit's)"
if [ "$ERRORS" -gt 0 ]; then
	echo "check.sh: $ERRORS tool error(s) above: the comparison is incomplete" >&2
	exit 1
fi
exit 0
