#!/usr/bin/env bash
# SPIN and klp-check side by side on the same catalogs, in one run: for each catalog, the
# Promela export searched by SPIN, klp-check's exploration alone, and klp-check's full check
# (every property), with states, times and peak memory. Prints a Markdown table.
#
# Usage: Benchmarks/spin-side-by-side.sh [--threads N[,N...]] [--runs R] [CATALOG...]
#   default catalogs: the timeline, positional-10 and positional-12 (2,475,008 states)
#   --threads 1,2   klp-check at each thread count, one row each (default: 1)
#   --runs 3        three rounds, each running every catalog at every thread count and SPIN once,
#                   interleaved, so that what a shared machine does to one round it does to all of
#                   that round's rows (default: 1)
#   --cpu 1         SPIN and klp-check's one-thread runs pinned to that vCPU (taskset), so that
#                   both run on the same one: on a virtual machine one vCPU can run slower than the
#                   other for minutes (docs/performance.md); runs of more threads are not pinned
#   READING=flat Benchmarks/spin-side-by-side.sh ...   another reading (default positional)
# Needs: the .NET 10 SDK, spin, gcc and GNU time (/usr/bin/time), and taskset for --cpu or more
# than one thread. positional-12 needs about 0.7 GB for the full check.
#
# "exploration" is `check --invariant refusal-is-atomic`, the one property the explorer checks
# as it goes, so its time is the exploration's; times are klp-check's own timing line (the
# exploration and checks, without start-up), wall is the process's wall-clock time and CPU its
# user and system time, which a shared machine disturbs less; the CPU ratio is the full
# check's CPU time over the exploration's. Peak memory
# is the maximum resident set size GNU time reports; bytes per state divide it by the states.
# SPIN runs on one core. The last two columns compare with the rows of the same round: SPIN's time
# over the full check's (by SPIN's elapsed time and klp-check's timing line, then by CPU time),
# and the first thread count's full check over this row's (its speed-up, by the timing lines).
# "sized check" is the full check again with --expect-states set to the state count, so that
# its table is given room for every state, as SPIN's hash table (-w) is sized from the same
# count below; the last column compares SPIN with it.
# "line ns" is the time a cache line takes to go from one vCPU to the other and back, measured
# by Benchmarks/line-pingpong.c right before the row's full check. On a virtual machine it depends
# on the host: on one machine of docs/performance.md 50-60 ns most of the time and a few hundred
# while the host places the vCPUs far apart, a slow spell in which a two-thread check takes up to
# twice as long; on another 150-250 ns nearly all the time.
# "at once s" and "ceiling" read a row of N threads against what the host gives N searches that
# share nothing at that moment: N one-thread full checks started together, one pinned to each
# vCPU (the mean of their timing lines), and N times the round's one-thread full check over that
# mean. A ceiling of N says the vCPUs did N checks' work at once; below it, the host gave less
# (the vCPUs placed on one core, or another guest busy), and no division of one check's work
# could reach more. It needs 1 among --threads; "-" on the one-thread rows.
set -euo pipefail
cd "$(dirname "$0")/.."
reading=${READING:-positional}
threads=(1)
runs=1
cpu=
while [ $# -gt 0 ]; do
  case "$1" in
    --threads) IFS=, read -r -a threads <<<"${2:-}"; shift 2 ;;
    --runs) runs=${2:-}; shift 2 ;;
    --cpu) cpu=${2:-}; shift 2 ;;
    *) break ;;
  esac
done
pin=()
if [ -n "$cpu" ]; then
  [[ "$cpu" =~ ^[0-9]+$ ]] && [ "$cpu" -lt "$(nproc)" ] || { echo "spin-side-by-side: --cpu: $cpu is not one of the $(nproc) vCPUs (0 to $(($(nproc) - 1)))" >&2; exit 2; }
  command -v taskset >/dev/null 2>&1 || { echo "spin-side-by-side: --cpu needs taskset (Debian: apt-get install util-linux)" >&2; exit 2; }
  pin=(taskset -c "$cpu")
fi
for t in "${threads[@]}"; do
  [[ "$t" =~ ^[1-9][0-9]*$ ]] || { echo "spin-side-by-side: --threads: $t is not a thread count" >&2; exit 2; }
  if [ "$t" -gt 1 ] && ! command -v taskset >/dev/null 2>&1; then
    echo "spin-side-by-side: --threads $t needs taskset for its checks at once (Debian: apt-get install util-linux)" >&2; exit 2
  fi
done
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || { echo "spin-side-by-side: --runs: $runs is not a number of runs" >&2; exit 2; }
if [ $# -gt 0 ]; then catalogs=("$@"); else
  catalogs=(scenarios/thread/petr-timeline-tuesday-set3.klp Benchmarks/catalogs/positional-10.klp Benchmarks/catalogs/positional-12.klp)
fi
for tool in spin gcc /usr/bin/time dotnet; do
  command -v "$tool" >/dev/null 2>&1 || { echo "spin-side-by-side: $tool not found (Debian: apt-get install spin gcc time)" >&2; exit 2; }
done
for c in "${catalogs[@]}"; do
  [ -f "$c" ] || { echo "spin-side-by-side: $c: no such file" >&2; exit 2; }
done

dotnet build -c Release Checker >/dev/null
klp=(dotnet Checker/bin/Release/net10.0/klp-check.dll)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
gcc -O2 -pthread -o "$work/line-pingpong" Benchmarks/line-pingpong.c
# The round trip in ns; "n/a" on a single CPU, where the probe's two threads would take turns.
line() {
  if [ "$(nproc)" -lt 2 ]; then echo n/a; return; fi
  "$work/line-pingpong" | sed -nE 's/^([0-9]+) ns round trip$/\1/p'
}

# GNU time -v fields: wall clock as [h:]m:s, maximum resident set size in KB.
wall() { awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, t, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i]; printf "%.1f", s }' "$1"; }
cpu() { awk -F': ' '/User time|System time/ { s += $2 } END { printf "%.1f", s }' "$1"; }
rss() { awk -F': ' '/Maximum resident set size/ { print $2 }' "$1"; }
mb() { awk -v k="$1" 'BEGIN { printf "%.0f", k / 1024 }'; }
# klp-check's timing line: "klp-check: N states in X s (...)".
seconds() { sed -nE 's/^klp-check: [0-9]+ states in ([0-9.]+) s.*/\1/p' "$1"; }
states() { sed -nE 's/^klp-check: ([0-9]+) states in .*/\1/p' "$1"; }

echo "reading $reading, mode atomic; $(date -u '+%Y-%m-%d %H:%M UTC'); commit $(git rev-parse --short HEAD); load average $(cut -d' ' -f1-3 /proc/loadavg)${cpu:+; SPIN and one thread on vCPU $cpu}"
echo
echo "| run | catalog | threads | states | exploration s (wall, CPU) | full check s (wall, CPU) | CPU ratio | peak MB | bytes/state | SPIN states | SPIN s (wall, CPU) | SPIN MB | SPIN bytes/state | SPIN / full check (timing, CPU) | speed-up | line ns | sized check s (wall, CPU) | SPIN / sized check (timing, CPU) | at once s | ceiling |"
echo "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for run in $(seq 1 "$runs"); do
for c in "${catalogs[@]}"; do
  name=$(basename "$c" .klp)
  rows=()
  first=
  alone=
  for t in "${threads[@]}"; do
    if [ "$t" = 1 ]; then onto=("${pin[@]}"); else onto=(); fi
    /usr/bin/time -v -o "$work/explore.time" "${onto[@]}" "${klp[@]}" check --reading "$reading" --catalog "$c" --invariant refusal-is-atomic --max-states 200000000 --threads "$t" >/dev/null 2>"$work/explore.err" || true
    ns=$(line)
    /usr/bin/time -v -o "$work/check.time" "${onto[@]}" "${klp[@]}" check --reading "$reading" --catalog "$c" --max-states 200000000 --threads "$t" >/dev/null 2>"$work/check.err" || true
    n=$(states "$work/check.err")
    s=$(seconds "$work/check.err")
    # The same full check with its table sized from the state count, as SPIN's -w is below.
    /usr/bin/time -v -o "$work/sized.time" "${onto[@]}" "${klp[@]}" check --reading "$reading" --catalog "$c" --max-states 200000000 --threads "$t" --expect-states "$n" >/dev/null 2>"$work/sized.err" || true
    sized="$(seconds "$work/sized.err") ($(wall "$work/sized.time"), $(cpu "$work/sized.time"))"
    sized_s=$(seconds "$work/sized.err")
    sized_cpu=$(cpu "$work/sized.time")
    first=${first:-$s}
    [ "$t" = 1 ] && alone=$s
    # t one-thread checks at once, one pinned to each vCPU (in turn, if t is more than there are).
    at_once=-
    if [ "$t" -gt 1 ]; then
      pids=()
      for i in $(seq 0 $((t - 1))); do
        taskset -c $((i % $(nproc))) "${klp[@]}" check --reading "$reading" --catalog "$c" --max-states 200000000 --threads 1 >/dev/null 2>"$work/once.$i.err" &
        pids+=($!)
      done
      wait "${pids[@]}" || true
      at_once=$(for i in $(seq 0 $((t - 1))); do seconds "$work/once.$i.err"; done | awk '{ s += $1 } END { printf "%.2f", s / NR }')
    fi
    kb=$(rss "$work/check.time")
    ccpu=$(cpu "$work/check.time")
    rows+=("$t|$ccpu|$sized|$sized_s|$sized_cpu|$n|$(seconds "$work/explore.err") ($(wall "$work/explore.time"), $(cpu "$work/explore.time"))|$s ($(wall "$work/check.time"), $(cpu "$work/check.time"))|$(awk -v a="$(cpu "$work/check.time")" -v b="$(cpu "$work/explore.time")" 'BEGIN { printf "%.2f", a / b }')|$(mb "$kb")|$((kb * 1024 / n))|$s|$(awk -v a="$first" -v b="$s" 'BEGIN { printf "%.2f", a / b }')|$ns|$at_once")
  done
  # SPIN searches depth first: its stack (-m) must hold the deepest path, at most one entry per
  # state; its hash table (-w) gets about two slots per state.
  w=$(awk -v n="$n" 'BEGIN { w = 10; while (2 ^ w < 2 * n) w++; print w }')
  "${klp[@]}" export --promela --catalog "$c" --reading "$reading" --out "$work/model.pml"
  (cd "$work" && spin -a model.pml >/dev/null && gcc -O2 -DSAFETY -DNOREDUCE -DMEMLIM=16000 -o pan pan.c)
  (cd "$work" && /usr/bin/time -v -o spin.time "${pin[@]}" ./pan -m$((n + 10)) -w"$w" >spin.out)
  spin_states=$(awk '/states, stored/ { print $1 }' "$work/spin.out")
  spin_s=$(sed -nE 's/^pan: elapsed time ([0-9.e+-]+) seconds/\1/p' "$work/spin.out")
  [ "$spin_states" = "$n" ] || echo "spin-side-by-side: $c: SPIN stored $spin_states states, klp-check $n" >&2
  spin_kb=$(rss "$work/spin.time")
  spin_cpu=$(cpu "$work/spin.time")
  for r in "${rows[@]}"; do
    IFS='|' read -r t ccpu sized sized_s sized_cpu n explore check ratio peak per s speedup ns at_once <<<"$r"
    # The ceiling once every thread count of the round has run, so that 1 may come anywhere in --threads.
    ceiling=-
    if [ "$at_once" != - ] && [ -n "$alone" ]; then ceiling=$(awk -v t="$t" -v a="$alone" -v b="$at_once" 'BEGIN { printf "%.2f", t * a / b }'); fi
    echo "| $run | $name | $t | $n | $explore | $check | $ratio | $peak | $per | $spin_states | $spin_s ($(wall "$work/spin.time"), $spin_cpu) | $(mb "$spin_kb") | $((spin_kb * 1024 / spin_states)) | $(awk -v a="$spin_s" -v b="$s" -v c="$spin_cpu" -v d="$ccpu" 'BEGIN { printf "%.2f, %.2f", a / b, c / d }') | $speedup | $ns | $sized | $(awk -v a="$spin_s" -v b="$sized_s" -v c="$spin_cpu" -v d="$sized_cpu" 'BEGIN { printf "%.2f, %.2f", a / b, c / d }') | $at_once | $ceiling |"
  done
done
done
