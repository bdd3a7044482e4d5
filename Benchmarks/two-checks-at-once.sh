#!/usr/bin/env bash
# What the two vCPUs give two searches that share nothing: the full check of a catalog on one
# thread alone on vCPU 0, alone on vCPU 1, then two such checks at once, one pinned to each.
# Prints a Markdown table, a row per round, with each check's timing line (the exploration and the
# checks, without start-up) and, for each vCPU, the check at once over the check alone.
#
# Usage: Benchmarks/two-checks-at-once.sh [--runs R] CATALOG
#   --runs 3   rounds (default 3)
#   READING=flat Benchmarks/two-checks-at-once.sh ...   another reading (default positional)
# Needs: the .NET 10 SDK and taskset (util-linux), and two CPUs; CATALOG's full check needs its
# memory twice (positional-12 about 0.3 GB a check, positional-13 about 2.2 GB).
#
# A ratio near 1 says the two vCPUs do twice one's work when nothing is shared; the two-thread
# check shares one graph between them (docs/performance.md, "What sharing one graph allows here").
set -euo pipefail
cd "$(dirname "$0")/.."
reading=${READING:-positional}
runs=3
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs=${2:-}; shift 2 ;;
    -*) echo "two-checks-at-once: unknown option $1" >&2; exit 2 ;;
    *) break ;;
  esac
done
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || { echo "two-checks-at-once: --runs: $runs is not a number of runs" >&2; exit 2; }
[ $# -eq 1 ] || { echo "usage: Benchmarks/two-checks-at-once.sh [--runs R] CATALOG" >&2; exit 2; }
catalog=$1
[ -f "$catalog" ] || { echo "two-checks-at-once: $catalog: no such file" >&2; exit 2; }
for tool in taskset dotnet; do
  command -v "$tool" >/dev/null 2>&1 || { echo "two-checks-at-once: $tool not found" >&2; exit 2; }
done
[ "$(nproc)" -ge 2 ] || { echo "two-checks-at-once: needs two CPUs, has $(nproc)" >&2; exit 2; }

dotnet build -c Release Checker >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# One full check on one thread pinned to a vCPU; its timing line's seconds into a file.
check() {
  taskset -c "$1" dotnet Checker/bin/Release/net10.0/klp-check.dll check -r "$reading" --catalog "$catalog" \
    --max-states 200000000 --threads 1 >"$work/out$1" 2>&1 || true
  sed -nE 's/^klp-check: [0-9]+ states in ([0-9.]+) s.*/\1/p' "$work/out$1" >"$2"
  [ -s "$2" ] || { echo "two-checks-at-once: the check on vCPU $1 printed no timing line:" >&2; tail -3 "$work/out$1" >&2; exit 1; }
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

echo "reading $reading, $catalog; $(date -u '+%Y-%m-%d %H:%M UTC'); commit $(git rev-parse --short HEAD)"
echo
echo "| round | alone on vCPU 0 s | alone on vCPU 1 s | at once, vCPU 0 s | at once, vCPU 1 s | at once over alone (vCPU 0, 1) |"
echo "|---:|---:|---:|---:|---:|---:|"
for run in $(seq 1 "$runs"); do
  check 0 "$work/a0"
  check 1 "$work/a1"
  check 0 "$work/b0" & p0=$!
  check 1 "$work/b1" & p1=$!
  wait "$p0"; wait "$p1"
  a0=$(cat "$work/a0"); a1=$(cat "$work/a1"); b0=$(cat "$work/b0"); b1=$(cat "$work/b1")
  echo "| $run | $a0 | $a1 | $b0 | $b1 | $(ratio "$b0" "$a0"), $(ratio "$b1" "$a1") |"
  echo "$a0 $b0" >>"$work/pairs"; echo "$a1 $b1" >>"$work/pairs"
done
echo
# Over every check: the checks at once against the same checks alone, in total and by the median.
sort -n -k3 <(awk '{ printf "%s %s %.4f\n", $1, $2, $2 / $1 }' "$work/pairs") | awk '
  { alone += $1; once += $2; r[NR] = $3 }
  END { m = NR % 2 ? r[(NR + 1) / 2] : (r[NR / 2] + r[NR / 2 + 1]) / 2
        printf "over %d checks: at once %.2fx alone in total (%.2f s against %.2f s), %.2fx by the median of the ratios; the two vCPUs did %.2fx one'"'"'s work\n", NR, once / alone, once, alone, m, 2 * alone / once }'
