using System.Globalization;
using Klp.Check.Inputs;
using Klp.Check.Model;

namespace Klp.Check.Conformance;

/// <summary>One directory of <c>/sys/kernel/livepatch</c> as the guest read it.</summary>
/// <param name="Name">The patch (module) name.</param>
/// <param name="Enabled">The <c>enabled</c> attribute.</param>
/// <param name="Transition">The <c>transition</c> attribute.</param>
/// <param name="StackOrder">The <c>stack_order</c> attribute, or null when this kernel has none (before 6.13 or 6.14).</param>
/// <param name="Replace">The <c>replace</c> attribute, or null when this kernel has none (before 6.11).</param>
public sealed record LivepatchDir(string Name, bool Enabled, bool Transition, int? StackOrder, bool? Replace);

/// <summary>What the guest saw after one operation.</summary>
/// <param name="Status">The command's exit status.</param>
/// <param name="Message">What the command printed (one line), empty when nothing.</param>
/// <param name="Settled">False when a transition was still running after the guest's wait.</param>
/// <param name="Livepatches">The directories of <c>/sys/kernel/livepatch</c>, in <c>ls</c> order.</param>
/// <param name="Functions">Per model function, the first line of its /proc file.</param>
/// <param name="Modules">The modules of <c>/proc/modules</c>.</param>
/// <param name="Log">The kernel log lines the operation added.</param>
/// <param name="TaskA">In a held transition, the first line of every pool file (<see cref="FunctionPool"/> order) as the busy module's thread a read it; null otherwise.</param>
/// <param name="TaskB">The same for thread b.</param>
public sealed record StepObservation(
    int Status,
    string Message,
    bool Settled,
    IReadOnlyList<LivepatchDir> Livepatches,
    IReadOnlyList<string> Functions,
    IReadOnlyList<string> Modules,
    IReadOnlyList<string> Log,
    IReadOnlyList<string>? TaskA = null,
    IReadOnlyList<string>? TaskB = null);

/// <summary>The observations of one trace, complete when the guest printed its end marker.</summary>
/// <param name="Id">The trace's number.</param>
/// <param name="Steps">One observation per operation run.</param>
/// <param name="Complete">True when every operation ran and the end marker came.</param>
public sealed record TraceObservation(int Id, IReadOnlyList<StepObservation> Steps, bool Complete);

/// <summary>What one boot printed: the kernel release and the traces it ran.</summary>
/// <param name="Release">The guest's <c>uname -r</c>, or null when the script never started.</param>
/// <param name="Traces">The traces, in the order they ran.</param>
/// <param name="Dirty">True when a reset could not remove every patch and module, which ended the boot.</param>
/// <param name="Finished">True when the script reached its last line.</param>
public sealed record BootObservation(string? Release, IReadOnlyList<TraceObservation> Traces, bool Dirty, bool Finished);

/// <summary>Parses the guest's markers (<see cref="GuestScript"/>) out of the serial console output; other lines are ignored.</summary>
public static class GuestOutput
{
    /// <summary>Parses a boot's console output.</summary>
    public static BootObservation Parse(string console)
    {
        string? release = null;
        var traces = new List<TraceObservation>();
        var dirty = false;
        var finished = false;
        int? id = null;
        List<StepObservation>? steps = null;
        Builder? step = null;
        foreach (var raw in console.Split('\n'))
        {
            var at = raw.IndexOf("@@", StringComparison.Ordinal);
            if (at < 0) continue;
            var line = raw[(at + 2)..].TrimEnd();
            var space = line.IndexOf(' ');
            var tag = space < 0 ? line : line[..space];
            var rest = space < 0 ? "" : line[(space + 1)..];
            switch (tag)
            {
                case "kernel":
                    release = rest.Trim();
                    break;
                case "trace" when int.TryParse(rest, NumberStyles.None, CultureInfo.InvariantCulture, out var t):
                    if (id is { } open) traces.Add(new TraceObservation(open, steps!, false));
                    id = t;
                    steps = [];
                    step = null;
                    break;
                case "step":
                    step = new Builder();
                    break;
                case "rc" when step is not null:
                    var sp = rest.IndexOf(' ');
                    var status = sp < 0 ? rest : rest[..sp];
                    step.Status = int.TryParse(status, NumberStyles.None, CultureInfo.InvariantCulture, out var s) ? s : -1;
                    step.Message = sp < 0 ? "" : rest[(sp + 1)..].Trim();
                    break;
                case "unsettled" when step is not null:
                    step.Settled = false;
                    break;
                case "lp" when step is not null:
                    var f = rest.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    if (f.Length == 5)
                        step.Livepatches.Add(new LivepatchDir(f[0], f[1] == "1", f[2] == "1",
                            int.TryParse(f[3], NumberStyles.None, CultureInfo.InvariantCulture, out var so) ? so : null,
                            f[4] == "-" ? null : f[4] == "1"));
                    break;
                case "fn" when step is not null:
                    var fs = rest.IndexOf(' ');
                    step.Functions.Add(fs < 0 ? "" : rest[(fs + 1)..].Trim());
                    break;
                case "mod" when step is not null:
                    step.Modules.Add(rest.Trim());
                    break;
                case "task" when step is not null && rest.Length >= 2:
                    var lines = rest[2..].Split('|');
                    if (rest[0] == 'a') step.TaskA = lines;
                    else step.TaskB = lines;
                    break;
                case "log" when step is not null:
                    step.Log.Add(rest);
                    break;
                case "obs" when step is not null && steps is not null:
                    steps.Add(step.Build());
                    step = null;
                    break;
                case "end" when id is { } ended && int.TryParse(rest, NumberStyles.None, CultureInfo.InvariantCulture, out var e) && e == ended:
                    traces.Add(new TraceObservation(ended, steps!, true));
                    id = null;
                    steps = null;
                    break;
                case "dirty":
                    dirty = true;
                    break;
                case "bye":
                    finished = true;
                    break;
            }
        }
        if (id is { } last) traces.Add(new TraceObservation(last, steps!, false));
        return new BootObservation(release, traces, dirty, finished);
    }

    private sealed class Builder
    {
        public int Status = -1;
        public string Message = "";
        public bool Settled = true;
        public readonly List<LivepatchDir> Livepatches = [];
        public readonly List<string> Functions = [];
        public readonly List<string> Modules = [];
        public readonly List<string> Log = [];
        public string[]? TaskA;
        public string[]? TaskB;

        public StepObservation Build() => new(Status, Message, Settled, Livepatches, Functions, Modules, Log, TaskA, TaskB);
    }

    private static readonly (string Text, string Errno)[] messages =
    [
        ("Operation not permitted", "EPERM"),
        ("No such file or directory", "ENOENT"),
        ("nonexistent directory", "ENOENT"),
        ("Resource temporarily unavailable", "EAGAIN"),
        ("Device or resource busy", "EBUSY"),
        ("File exists", "EEXIST"),
        ("Invalid argument", "EINVAL"),
        ("Permission denied", "EACCES"),
        ("Exec format error", "ENOEXEC"),
        ("Cannot allocate memory", "ENOMEM"),
        ("Bad address", "EFAULT"),
        ("No such device", "ENODEV"),
        ("Function not implemented", "ENOSYS"),
    ];

    private static readonly Dictionary<int, string> numbers = new()
    {
        [1] = "EPERM", [2] = "ENOENT", [8] = "ENOEXEC", [11] = "EAGAIN", [12] = "ENOMEM", [13] = "EACCES", [14] = "EFAULT",
        [16] = "EBUSY", [17] = "EEXIST", [19] = "ENODEV", [22] = "EINVAL", [38] = "ENOSYS",
    };

    /// <summary>The errno of a failed command, from its message (strerror text), else from its exit status (busybox <c>insmod</c> exits with the errno); null when it succeeded.</summary>
    public static string? Errno(StepObservation step)
    {
        if (step.Status == 0) return null;
        foreach (var (text, errno) in messages)
            if (step.Message.Contains(text, StringComparison.Ordinal)) return errno;
        return numbers.TryGetValue(step.Status, out var name) ? name : $"status {step.Status}";
    }
}
