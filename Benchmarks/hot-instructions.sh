#!/usr/bin/env bash
# Where a klp-check run spends its samples, instruction by instruction, in the methods the JIT
# compiled: perf samples the run, the runtime's perf map names the method each sample falls in,
# and the JIT's listing of the same methods (with code bytes, so each instruction's offset
# follows) names the instruction. Prints each method's share of all samples, then the hottest
# instructions with the one before each (a sample usually lands just after an instruction that
# waits, such as a load that misses the cache).
#
# Usage: Benchmarks/hot-instructions.sh [--top N] [--methods "A B C"] -- KLP-CHECK-ARGUMENTS...
#   Benchmarks/hot-instructions.sh -- check -r positional --catalog Benchmarks/catalogs/positional-12.klp \
#       --max-states 200000000 --threads 1 --invariant refusal-is-atomic
#   --top 40           how many instructions to list (default 30)
#   --methods "..."    the methods to list, by their short names (default: the explorer's and the
#                      kernel's hot methods)
# Needs: the .NET 10 SDK, perf, python3. The tool runs with tiered compilation off (its runtime
# configuration), so the code each run compiles is the same and the second run's listing gives
# the first run's offsets.
set -euo pipefail
cd "$(dirname "$0")/.."
top=30
methods="Generate AddSuccessor AddSuccessors ExpandLevel SamePacked Load Disable Unload RemoveMask ApplyScreened"
while [ $# -gt 0 ]; do
  case "$1" in
    --top) top=${2:?--top takes a number}; shift 2 ;;
    --methods) methods=${2:?--methods takes names}; shift 2 ;;
    --) shift; break ;;
    *) echo "hot-instructions.sh: unknown argument '$1' (klp-check's arguments go after --)" >&2; exit 2 ;;
  esac
done
case "$top" in ''|*[!0-9]*) echo "hot-instructions.sh: --top takes a whole number, not '$top'" >&2; exit 2 ;; esac
[ $# -gt 0 ] || { echo "hot-instructions.sh: no klp-check arguments after --" >&2; exit 2; }
for tool in perf python3 dotnet; do
  command -v "$tool" >/dev/null || { echo "hot-instructions.sh: $tool is not installed" >&2; exit 2; }
done
dotnet build -c Release -v q Checker >/dev/null
dll=Checker/bin/Release/net10.0/klp-check.dll
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The perf map is written to /tmp by the runtime, named by the process id.
DOTNET_PerfMapEnabled=3 DOTNET_EnableWriteXorExecute=0 perf record -F 4999 -o "$work/perf.data" \
  dotnet "$dll" "$@" >/dev/null 2>"$work/run.err" || true
pid=$(perf script -i "$work/perf.data" -F pid 2>/dev/null | sort | uniq -c | sort -rn | awk 'NR==1 {print $2}')
map=/tmp/perf-$pid.map
[ -f "$map" ] || { echo "hot-instructions.sh: no perf map $map (was the run sampled?)" >&2; exit 1; }
perf script -i "$work/perf.data" -F ip 2>/dev/null >"$work/ips"
DOTNET_JitDisasm="$methods" DOTNET_JitDisasmWithCodeBytes=1 DOTNET_JitStdOutFile="$work/jit.txt" \
  dotnet "$dll" "$@" >/dev/null 2>&1 || true
python3 - "$map" "$work/jit.txt" "$work/ips" "$top" <<'EOF'
import bisect, collections, re, sys
map_file, jit_file, ips_file, top = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
symbols = []
for line in open(map_file):
    start, size, name = line.rstrip('\n').split(' ', 2)
    symbols.append((int(start, 16), int(size, 16), name))
symbols.sort()
starts = [s[0] for s in symbols]
# Each listing as (offset, instruction): a group's label gives its offset, each instruction's
# code bytes its length.
listings, current, offset = {}, None, 0
for line in open(jit_file):
    m = re.match(r'; Assembly listing for method (\S+?)\(', line)
    if m:
        current = listings.setdefault(m.group(1).split(':')[-1], [])
        offset = 0
        continue
    if current is None:
        continue
    m = re.match(r'\S+:\s+;; offset=0x([0-9A-F]+)', line)
    if m:
        offset = int(m.group(1), 16)
        continue
    m = re.match(r'\s{7}([0-9A-F]+)\s+(\S.*)$', line)
    if m and len(m.group(1)) % 2 == 0:
        current.append((offset, m.group(2).strip()))
        offset += len(m.group(1)) // 2
counts, total = collections.Counter(), 0
for line in open(ips_file):
    line = line.strip()
    if not line:
        continue
    ip, total = int(line, 16), total + 1
    i = bisect.bisect_right(starts, ip) - 1
    if i < 0 or ip >= symbols[i][0] + symbols[i][1]:
        continue
    name = symbols[i][2]
    short = next((k for k in listings if re.search(r'[.:]' + re.escape(k) + r'\(', name)), None)
    if short is not None:
        counts[(short, ip - symbols[i][0])] += 1
print(f"{total} samples")
per_method = collections.Counter()
for (method, _), n in counts.items():
    per_method[method] += n
for method, n in per_method.most_common():
    print(f"{100 * n / total:6.2f}%  {method}")
print()
for (method, off), n in counts.most_common(top):
    code = listings[method]
    j = bisect.bisect_right([o for o, _ in code], off) - 1
    here = code[j][1] if j >= 0 else '?'
    before = code[j - 1][1] if j > 0 else ''
    print(f"{100 * n / total:6.2f}%  {method}+0x{off:x}  {here:40}  after: {before}")
EOF
