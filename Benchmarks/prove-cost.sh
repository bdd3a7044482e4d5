#!/usr/bin/env bash
# What `klp-check prove` costs as N grows: every safety property of every built-in reading
# (release plans, atomic mode), proved at each N, JOBS readings at a time. Prints three
# Markdown tables: per property and N the time of its own proofs summed over the readings it
# applies to (the lemmas, which every proof of a reading shares, are a row of their own); per
# reading and N the wall-clock time and the solvers' processor time; per N the wall-clock time of
# the whole matrix. Verdicts go with them: a proof that is not `proved` or an expected
# violation is named below the tables.
#
# Usage: Benchmarks/prove-cost.sh [N...]            default N: 8 12 16 24 32
#   READINGS="set flat" PROPERTIES=one-per-set JOBS=2 SOLVER=cvc5 TIMEOUT=1800 Benchmarks/prove-cost.sh 16 32
# Readings start in the order READINGS gives: put the slowest first (flat-dynamic), so that the
# others run beside it. Each prove uses --jobs sessions (default: the number of cores).
# Needs: the .NET 10 SDK, cvc5 (or z3 with SOLVER=z3), GNU time (/usr/bin/time).
#
# Times are klp-check's own report lines; the processor time is the solvers' (their processes'
# user and system time), which a machine shared with other work disturbs less than wall time.
# A reading that does not finish within TIMEOUT seconds shows "> TIMEOUT" and no property row
# counts it.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -gt 0 ]; then sizes=("$@"); else sizes=(8 12 16 24 32); fi
jobs=${JOBS:-2}
solver=${SOLVER:-cvc5}
limit=${TIMEOUT:-1800}
properties=${PROPERTIES:-}
for tool in "$solver" dotnet timeout; do
  command -v "$tool" >/dev/null 2>&1 || { echo "prove-cost: $tool not found (Debian: apt-get install $solver coreutils)" >&2; exit 2; }
done
dotnet build -c Release Checker >/dev/null
klp="dotnet Checker/bin/Release/net10.0/klp-check.dll"
if [ -n "${READINGS:-}" ]; then read -r -a readings <<<"$READINGS"; else
  mapfile -t readings < <($klp readings --format json | sed -nE 's/^      "name": "([^"]+)",?$/\1/p')
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
select=()
[ -n "$properties" ] && select=(--property "$properties")

echo "prove-cost: ${readings[*]}; N ${sizes[*]}; $jobs at a time; $solver; $(date -u '+%Y-%m-%d %H:%M UTC'); commit $(git rev-parse --short HEAD)"
for n in "${sizes[@]}"; do
  start=$(date +%s.%N)
  printf '%s\n' "${readings[@]}" | xargs -P "$jobs" -I{} sh -c \
    "timeout $limit $klp prove --reading {} --patches $n --solver $solver ${select[*]} --timeout $limit >'$work/{}-$n.out' 2>'$work/{}-$n.err' || true"
  end=$(date +%s.%N)
  awk -v s="$start" -v e="$end" 'BEGIN { printf "%.0f\n", e - s }' >"$work/matrix-$n"
done

# A report's property lines: "ID  proved  k-induction, k=1, 13 lemmas, N=8, cvc5, 0.1 s", the
# verdict at column 23 and the time ending the entry's last line; the timing line on stderr:
# "klp-check: 8 properties of set in 3.1 s (lemmas 1.2 s, solver processor time 1.6 s, ...)".
property_times() {
  awk 'substr($0, 23) ~ /^(proved|VIOLATED|UNKNOWN) / { id = $1 } id && / [0-9.]+ s\)?$/ { sub(/\)$/, ""); print id, $(NF - 1); id = "" }' "$1"
}
summary() { sed -nE 's/^klp-check: [0-9]+ properties of .* in ([0-9.]+) s \(lemmas ([0-9.]+) s, solver processor time ([0-9.]+) s.*/\1 \2 \3/p' "${1%.out}.err"; }

# A table's two header lines: the first column's name, then one column per N.
header() {
  printf '| %s |' "$1"; for n in "${sizes[@]}"; do printf ' N=%s |' "$n"; done; echo
  printf '|---|'; for _ in "${sizes[@]}"; do printf -- '---:|'; done; echo
}

echo
echo "### Per property: seconds of its own queries, summed over the readings it applies to"
echo
header property
ids=$(for f in "$work"/*.out; do property_times "$f"; done | awk '{ print $1 }' | awk '!seen[$0]++')
for id in $ids lemmas; do
  printf '| %s |' "$id"
  for n in "${sizes[@]}"; do
    total=0; missing=0
    for r in "${readings[@]}"; do
      out="$work/$r-$n.out"
      if [ -z "$(summary "$out")" ]; then missing=1; continue; fi
      if [ "$id" = lemmas ]; then t=$(summary "$out" | awk '{ print $2 }'); else t=$(property_times "$out" | awk -v id="$id" '$1 == id { print $2 }'); fi
      total=$(awk -v a="$total" -v b="${t:-0}" 'BEGIN { print a + b }')
    done
    if [ "$missing" = 1 ]; then printf ' %.1f + timeout |' "$total"; else printf ' %.1f |' "$total"; fi
  done
  echo
done

echo
echo "### Per reading: wall-clock seconds (solvers' processor seconds)"
echo
header reading
for r in "${readings[@]}"; do
  printf '| %s |' "$r"
  for n in "${sizes[@]}"; do
    s=$(summary "$work/$r-$n.out")
    if [ -z "$s" ]; then printf ' > %s |' "$limit"; else printf ' %s (%s) |' "$(awk '{ print $1 }' <<<"$s")" "$(awk '{ print $3 }' <<<"$s")"; fi
  done
  echo
done

echo
echo "### The matrix: wall-clock seconds for every reading, $jobs at a time"
echo
printf '|'; for n in "${sizes[@]}"; do printf ' N=%s |' "$n"; done; echo
printf '|'; for _ in "${sizes[@]}"; do printf -- '---:|'; done; echo
printf '|'; for n in "${sizes[@]}"; do printf ' %s |' "$(cat "$work/matrix-$n")"; done; echo

echo
for n in "${sizes[@]}"; do
  for r in "${readings[@]}"; do
    awk -v r="$r" -v n="$n" 'substr($0, 23) ~ /^(VIOLATED|UNKNOWN) / { printf "N=%s %s: %s %s\n", n, r, $1, tolower($2) }' "$work/$r-$n.out"
  done
done
