using System.IO.Compression;
using System.Text;
using Klp.Check.Inputs;
using Klp.Check.Model;

namespace Klp.Check.Conformance;

/// <summary>One trace to run on the kernel: a realised catalog and its operations, with where they came from.</summary>
/// <param name="Id">The trace's number in the run, printed in the guest's markers.</param>
/// <param name="Source">The scenario file or catalog file it comes from.</param>
/// <param name="Label">What the report calls it: the file, or the file and the trace's number.</param>
/// <param name="Realisation">The catalog as modules.</param>
/// <param name="Ops">The operations, every one realisable (load, disable, unload, force of a named patch).</param>
/// <param name="Lines">Per operation, its line in the scenario file, or 0 for a generated trace.</param>
/// <param name="Phases">For a two-phase trace (its realisation <see cref="Realisation.Busy"/>), per operation how the harness realises it; null for an atomic trace.</param>
public sealed record ConformTrace(int Id, string Source, string Label, Realisation Realisation, IReadOnlyList<Operation> Ops, IReadOnlyList<int> Lines, IReadOnlyList<Phase>? Phases = null)
{
    /// <summary>The mode the model runs the trace in: two-phase when it has phases.</summary>
    public Granularity Mode => Phases is null ? Granularity.Atomic : Granularity.TwoPhase;

    /// <summary>How operation <paramref name="k"/> is realised: <see cref="PhaseKind.Settled"/> in an atomic trace.</summary>
    public Phase PhaseOf(int k) => Phases?[k] ?? default;
}

/// <summary>How the harness realises one operation of a two-phase trace.</summary>
public enum PhaseKind
{
    /// <summary>Trace it and wait until no transition runs; in the model, the operation and, when it opened a transition, <c>complete</c>.</summary>
    Settled,
    /// <summary>Opens a transition held open: thread a sleeps in the transition patch's busy function before the operation (unswitched), thread b after it (switched).</summary>
    Open,
    /// <summary>Runs inside a held transition, which stays open.</summary>
    Inside,
    /// <summary>Ends a held transition without releasing it (<c>force</c>): run, wait until it completes, then release the threads.</summary>
    Close,
    /// <summary><c>complete</c>: release the threads and wait until the transition completes.</summary>
    Release,
}

/// <summary>How one operation is realised, with the transition it acts in.</summary>
/// <param name="Kind">How.</param>
/// <param name="TransitionPatch">The patch in transition: after the operation for <see cref="PhaseKind.Open"/>, before it otherwise; -1 when none.</param>
/// <param name="TargetPatched">That transition's target at the same moment.</param>
public readonly record struct Phase(PhaseKind Kind, int TransitionPatch, bool TargetPatched);

/// <summary>The guest side of a boot: the <c>/init</c> script that runs traces and prints markers, and the initramfs that holds it.</summary>
/// <remarks>
/// Markers, one per line: <c>@@trace ID</c>; per operation <c>@@step K</c>, <c>@@rc STATUS MESSAGE</c>,
/// <c>@@unsettled</c> when the transition did not finish, <c>@@lp NAME ENABLED TRANSITION STACK_ORDER REPLACE</c>
/// per directory of /sys/kernel/livepatch (<c>-</c> for an attribute this kernel lacks), <c>@@fn F TEXT</c>
/// (the first line of the function's /proc file), <c>@@mod NAME</c> per line of /proc/modules,
/// <c>@@log TEXT</c> per new kernel log line, <c>@@obs</c>; <c>@@end ID</c>; <c>@@dirty</c> when the
/// reset could not remove everything (the boot ends); <c>@@kernel RELEASE</c> once, <c>@@bye</c> last.
/// In a held transition, <c>@@task a LINES</c> and <c>@@task b LINES</c>: what the busy module's threads read from
/// the pool's files, separated by <c>|</c>; <c>@@unheld PARAM VALUE</c> when a thread did not get where it was sent.
/// </remarks>
public static class GuestScript
{
    /// <summary>The script's last marker, before <c>poweroff -f</c>.</summary>
    public const string LastMarker = "@@bye";

    /// <summary>The marker of a reset that could not remove everything; <c>poweroff -f</c> follows.</summary>
    public const string DirtyMarker = "@@dirty";

    /// <summary>How long the guest waits for a transition (and a replaced patch's removal) to finish, in 20 ms polls.</summary>
    public const int SettlePolls = 500;

    /// <summary>The <c>/init</c> script running the traces in order, resetting the kernel after each.</summary>
    /// <param name="traces">The traces, in order.</param>
    /// <param name="moduleFile">The file name under <c>/m/</c> of a patch's module.</param>
    /// <param name="busyFile">The file name under <c>/m/</c> of the busy module, loaded at the start of every two-phase trace.</param>
    public static string Init(IReadOnlyList<ConformTrace> traces, Func<Realisation, int, string> moduleFile, string busyFile = "busy.ko")
    {
        var sb = new StringBuilder();
        sb.Append("""
            #!/bin/busybox sh
            /bin/busybox --install -s /bin
            mount -t proc proc /proc
            mount -t sysfs sysfs /sys
            L=/sys/kernel/livepatch
            read -r k < /proc/sys/kernel/osrelease
            echo "@@kernel $k"
            dmesg -c >/dev/null
            # Shell builtins only (read, echo, test), no command substitution: every fork costs
            # milliseconds under emulation. nap waits 20 ms with the read builtin on a FIFO that
            # never has data (usleep is a process: 50 a second while a transition waits for
            # the kernel's next retry, as on 6.12).
            mkfifo /tmp/tick
            nap() {
              read -t 0.02 _ <> /tmp/tick
            }
            settle() {
              i=0
              while [ $i -lt POLLS ]; do
                ok=1
                for d in $L/*; do
                  [ -d "$d" ] || continue
                  read -r t < $d/transition
                  read -r e < $d/enabled
                  if [ "$t" != 0 ] || [ "$e" != 1 ]; then ok=0; break; fi
                done
                [ $ok = 1 ] && return 0
                nap
                i=$((i+1))
              done
              return 1
            }
            # go: run a command and print its status; run: go, then wait for the transition.
            go() {
              "$@" 2>/tmp/err
              rc=$?
              msg=
              read -r msg < /tmp/err
              echo "@@rc $rc $msg"
            }
            run() {
              go "$@"
              settle || echo "@@unsettled"
            }
            # The busy module's threads a and b (Realisation.BusyModuleSource).
            B=/sys/module/klp_check_busy/parameters
            pn=0
            waitfor() {
              i=0
              while [ $i -lt POLLS ]; do
                read -r v < $B/$1
                [ "$v" = "$2" ] && return 0
                nap
                i=$((i+1))
              done
              echo "@@unheld $1 $v"
              return 1
            }
            hold() {
              echo $2 > $B/hold_$1
              waitfor holding_$1 $2
            }
            release() {
              echo 0 > $B/hold_a
              echo 0 > $B/hold_b
              waitfor holding_a 0
              waitfor holding_b 0
              settle || echo "@@unsettled"
            }
            probe() {
              pn=$((pn+1))
              echo $pn > $B/probe
              waitfor probed_a $pn
              waitfor probed_b $pn
              read -r v < $B/seen_a
              echo "@@task a $v"
              read -r v < $B/seen_b
              echo "@@task b $v"
            }
            wr() {
              echo "$1" > "$2"
            }
            attr() {
              v=-
              [ -e "$1" ] && read -r v < "$1"
            }
            obs() {
              for d in $L/*; do
                [ -d "$d" ] || continue
                attr $d/enabled; a=$v
                attr $d/transition; b=$v
                attr $d/stack_order; c=$v
                attr $d/replace
                echo "@@lp ${d##*/} $a $b $c $v"
              done
              i=0
              for f in "$@"; do
                line=
                read -r line < $f
                echo "@@fn $i $line"
                i=$((i+1))
              done
              while read -r m rest; do echo "@@mod $m"; done < /proc/modules
              dmesg -c > /tmp/log
              while read -r l; do echo "@@log $l"; done < /tmp/log
              echo "@@obs"
            }
            reset() {
              [ -d $B ] && release
              for d in $L/*; do
                [ -d "$d" ] || continue
                echo 0 > $d/enabled 2>/dev/null
                settle
              done
              while read -r m rest; do echo "$m"; done < /proc/modules > /tmp/mods
              while read -r m; do rmmod $m 2>/dev/null; done < /tmp/mods
              dmesg -c >/dev/null
              left=
              for d in $L/*; do [ -d "$d" ] && left=1; done
              read -r m rest < /proc/modules && left=1
              if [ -n "$left" ]; then
                echo "@@dirty"
                poweroff -f
              fi
            }

            """.Replace("POLLS", SettlePolls.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        foreach (var t in traces)
        {
            var r = t.Realisation;
            var files = string.Join(" ", r.Functions.Select(f => f.ProcFile));
            sb.Append($"echo \"@@trace {t.Id}\"\n");
            if (r.Busy) sb.Append($"insmod /m/{busyFile} && dmesg -c >/dev/null\n");
            for (var k = 0; k < t.Ops.Count; k++)
            {
                sb.Append($"echo \"@@step {k + 1}\"\n");
                foreach (var line in Lines(r, t.Ops[k], t.PhaseOf(k), moduleFile)) sb.Append(line).Append('\n');
                sb.Append($"obs {files}\n");
            }
            sb.Append($"echo \"@@end {t.Id}\"\nreset\n");
        }
        sb.Append("echo \"@@bye\"\npoweroff -f\n");
        return sb.ToString();
    }

    /// <summary>The guest lines of one operation as <paramref name="phase"/> realises it; the observation follows them.</summary>
    /// <remarks>
    /// <c>run</c> waits for the transition after the command, <c>go</c> does not: inside a held
    /// transition only <c>complete</c> (<c>release</c>) and a forced completion wait.
    /// </remarks>
    /// <exception cref="ArgumentException">The operation has no kernel action in that phase.</exception>
    public static IEnumerable<string> Lines(Realisation r, Operation op, Phase phase, Func<Realisation, int, string> moduleFile)
    {
        var busy = phase.TransitionPatch + 1;
        switch (phase.Kind)
        {
            case PhaseKind.Settled:
                return ["run " + Action(r, op, moduleFile)];
            case PhaseKind.Open:
                return [$"hold a {busy}", "go " + Action(r, op, moduleFile), $"hold b {busy}", "probe"];
            case PhaseKind.Release when op.Kind == OpKind.Complete:
                return ["go release"];
            case PhaseKind.Inside or PhaseKind.Close when op.Kind != OpKind.Complete:
                var module = r.ModuleNames[phase.TransitionPatch];
                var action = op.Kind switch
                {
                    OpKind.Reverse => $"wr {(phase.TargetPatched ? 0 : 1)} $L/{module}/enabled",
                    OpKind.Force when op.Patch == Operation.NoPatch => $"wr 1 $L/{module}/force",
                    _ => Action(r, op, moduleFile),
                };
                return phase.Kind == PhaseKind.Close ? ["run " + action, "release"] : ["go " + action, "probe"];
            default:
                throw new ArgumentException($"no kernel action for '{op.Format(r.Catalog)}' in phase {phase.Kind}", nameof(op));
        }
    }

    private static string Action(Realisation r, Operation op, Func<Realisation, int, string> moduleFile)
    {
        if (op.Params != 0 || op.Patch >= r.Catalog.Count) throw new ArgumentException($"no kernel action for '{op.Format(r.Catalog)}'", nameof(op));
        var module = r.ModuleNames[op.Patch];
        return op.Kind switch
        {
            OpKind.Load => $"insmod /m/{moduleFile(r, op.Patch)}",
            OpKind.Disable => $"wr 0 $L/{module}/enabled",
            OpKind.Unload => $"rmmod {module}",
            OpKind.Force => $"wr 1 $L/{module}/force",
            _ => throw new ArgumentException($"no kernel action for '{op.Format(r.Catalog)}'", nameof(op)),
        };
    }

    /// <summary>Writes a gzip-compressed newc initramfs: busybox, <c>/init</c>, <c>/dev/console</c> and the modules under <c>/m/</c>.</summary>
    /// <param name="path">The file to write.</param>
    /// <param name="busybox">The static busybox to copy.</param>
    /// <param name="init">The <c>/init</c> script.</param>
    /// <param name="modules">The modules, by file name under <c>/m/</c>, with the path to read each from.</param>
    public static void WriteInitramfs(string path, string busybox, string init, IEnumerable<(string Name, string Path)> modules)
    {
        using var file = File.Create(path);
        using var gz = new GZipStream(file, CompressionLevel.Fastest);
        var cpio = new Cpio(gz);
        foreach (var dir in new[] { "bin", "dev", "m", "proc", "sys", "tmp" }) cpio.Directory(dir);
        cpio.CharDevice("dev/console", 5, 1);
        cpio.File("bin/busybox", File.ReadAllBytes(busybox), executable: true);
        cpio.File("init", Encoding.UTF8.GetBytes(init), executable: true);
        foreach (var (name, source) in modules) cpio.File("m/" + name, File.ReadAllBytes(source), executable: false);
        cpio.Trailer();
    }

    // The "newc" format of the kernel's Documentation/driver-api/early-userspace/buffer-format.rst.
    private sealed class Cpio(Stream stream)
    {
        private int inode = 1;

        public void Directory(string name) => Entry(name, 0x41ED, [], 0, 0);

        public void CharDevice(string name, int major, int minor) => Entry(name, 0x2180, [], major, minor);

        public void File(string name, byte[] data, bool executable) => Entry(name, executable ? 0x81ED : 0x81A4, data, 0, 0);

        public void Trailer() => Entry("TRAILER!!!", 0, [], 0, 0);

        private void Entry(string name, int mode, byte[] data, int rmajor, int rminor)
        {
            var nameBytes = Encoding.UTF8.GetBytes(name + "\0");
            var header = string.Concat(
                "070701",
                Hex(name == "TRAILER!!!" ? 0 : inode++), Hex(mode), Hex(0), Hex(0), Hex(1), Hex(0),
                Hex(data.Length), Hex(0), Hex(0), Hex(rmajor), Hex(rminor), Hex(nameBytes.Length), Hex(0));
            var h = Encoding.ASCII.GetBytes(header);
            stream.Write(h);
            stream.Write(nameBytes);
            Pad(h.Length + nameBytes.Length);
            stream.Write(data);
            Pad(data.Length);
        }

        private void Pad(int length)
        {
            var rest = (4 - length % 4) % 4;
            for (var k = 0; k < rest; k++) stream.WriteByte(0);
        }

        private static string Hex(int value) => value.ToString("X8", System.Globalization.CultureInfo.InvariantCulture);
    }
}
