#!/usr/bin/env bash
# Rule-memory benchmark: peak RSS, wall time and CPU-seconds for `keikai rules list` (which loads and
# compiles every rule, and nothing else) with one IOC-style rule of 1k, 10k and 50k literal keywords
# (domain names), once with a narrow log source and once with none (every log format).
# Usage: bench/rulemem.sh [COUNT...]      (default: 1000 10000 50000)
set -euo pipefail
SCRIPT=rulemem.sh
die() { echo "$SCRIPT: $*" >&2; exit 1; }
cd "$(dirname "$0")/.."
. bench/lib.sh
export GOTOOLCHAIN=local
command -v /usr/bin/time >/dev/null 2>&1 || apt_install time

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/keikai" ./cmd/keikai || die "build failed"

# rule COUNT LOGSOURCE: write one rule file of COUNT distinct domain keywords into its own directory.
rule() {
	local n=$1 logsource=$2 dir="$tmp/rules-$1-$2"
	mkdir -p "$dir"
	{
		echo "title: IOC list of $n domains"
		echo "id: 00000000-0000-4000-8000-$(printf '%012d' "$n")"
		case $logsource in
		narrow) echo "logsource: {product: linux, service: syslog}" ;;
		none) ;;
		esac
		echo "detection:"
		echo "  keywords:"
		awk -v n="$n" 'BEGIN { srand(1); for (i = 0; i < n; i++) printf "    - \"%x%x.c2-%d.example-%d.net\"\n", int(rand()*2^31), int(rand()*2^31), i, i % 97 }'
		echo "  condition: keywords"
		echo "level: high"
	} >"$dir/ioc.yml"
	echo "$dir"
}

printf '%-8s %-8s %10s %10s %10s %12s\n' keywords logsrc wall_s cpu_s peak_MB status
counts=("$@")
[ $# -gt 0 ] || counts=(1000 10000 50000)
for n in "${counts[@]}"; do
	for ls in narrow none; do
		dir=$(rule "$n" "$ls")
		if /usr/bin/time -f '%e %U %S %M' -o "$tmp/time" "$tmp/keikai" rules list --rules "$dir" >/dev/null 2>"$tmp/err"; then
			status=ok
		else
			status="error: $(head -c 120 "$tmp/err" | tr '\n' ' ')"
		fi
		read -r wall user sys rss <"$tmp/time"
		printf '%-8s %-8s %10s %10.2f %10.1f %12s\n' "$n" "$ls" "$wall" "$(echo "$user + $sys" | bc)" "$(echo "$rss / 1024" | bc -l)" "$status"
	done
done
