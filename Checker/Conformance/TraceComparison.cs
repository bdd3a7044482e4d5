using System.Text;
using Klp.Check.Model;
using Klp.Check.Scenarios;

namespace Klp.Check.Conformance;

/// <summary>A difference between the kernel and the model that is known and explained, reported as data rather than as a disagreement.</summary>
/// <param name="Id">A stable name.</param>
/// <param name="Kind">The operation it concerns.</param>
/// <param name="ModelErrno">What the model says.</param>
/// <param name="KernelErrno">What the kernel says.</param>
/// <param name="Description">Why they differ, with the kernel source that decides it.</param>
public sealed record KnownDifference(string Id, OpKind Kind, string ModelErrno, string KernelErrno, string Description)
{
    /// <summary>Every known difference; each applies only while the model still says <see cref="ModelErrno"/>.</summary>
    public static IReadOnlyList<KnownDifference> All { get; } =
    [
        new("rmmod-in-use", OpKind.Unload, "EBUSY", "EAGAIN",
            "rmmod of a livepatch module still in use (its patch enabled): delete_module() fails in try_stop_module() with -EWOULDBLOCK, EAGAIN (kernel/module/main.c); the model says EBUSY"),
        new("disable-no-directory", OpKind.Disable, "EINVAL", "ENOENT",
            "disable of a patch that has no /sys/kernel/livepatch directory (never loaded, replaced or removed): opening its enabled file fails with ENOENT before the livepatch core sees the write; the model says EINVAL not-enabled"),
        new("force-no-directory", OpKind.Force, "EINVAL", "ENOENT",
            "force of a patch that has no /sys/kernel/livepatch directory: opening its force file fails with ENOENT before force_store() sees the write; the model says EINVAL not-in-transition"),
    ];

    /// <summary>The known difference a differing result matches, or null.</summary>
    public static KnownDifference? Match(OpKind kind, string? modelErrno, string? kernelErrno) =>
        All.FirstOrDefault(k => k.Kind == kind && k.ModelErrno == modelErrno && k.KernelErrno == kernelErrno);
}

/// <summary>How a trace ended.</summary>
public enum Agreement
{
    /// <summary>The kernel and the model agree on every step (known differences aside).</summary>
    Agree,
    /// <summary>A step differs.</summary>
    Disagree,
    /// <summary>The trace did not run to its end on the kernel.</summary>
    NotRun,
}

/// <summary>One step of a trace, both sides.</summary>
/// <param name="Step">1-based.</param>
/// <param name="Operation">The operation in scenario syntax.</param>
/// <param name="Line">Its line in the scenario file, or 0.</param>
/// <param name="Model">The model's prediction.</param>
/// <param name="Kernel">What the kernel showed.</param>
/// <param name="Differing">The facts that differ.</param>
/// <param name="Log">The kernel log lines of the step.</param>
public sealed record StepComparison(int Step, string Operation, int Line, StepView Model, StepView Kernel, IReadOnlyList<string> Differing, IReadOnlyList<string> Log);

/// <summary>A trace compared step by step.</summary>
/// <param name="Trace">The trace.</param>
/// <param name="Agreement">Whether the kernel and the model agree.</param>
/// <param name="First">The first differing step, for a disagreement.</param>
/// <param name="Known">The steps whose result differed in a known way, with the difference.</param>
/// <param name="Scenario">For a disagreement, a scenario file whose expectations are what the kernel did, up to the differing step.</param>
/// <param name="Why">For a trace not run, why.</param>
public sealed record TraceResult(ConformTrace Trace, Agreement Agreement, StepComparison? First, IReadOnlyList<(int Step, KnownDifference Difference)> Known, string? Scenario, string? Why);

/// <summary>Compares what the kernel did on a trace with what <see cref="Kernel.Step"/> predicts.</summary>
public static class TraceComparison
{
    /// <summary>Compares one trace; <paramref name="observed"/> is null when the guest never reached it.</summary>
    /// <param name="trace">The trace.</param>
    /// <param name="reading">The reading the model runs (upstream, atomic).</param>
    /// <param name="observed">The guest's observations.</param>
    /// <param name="observable">What the kernel lets the harness see.</param>
    /// <param name="release">The kernel release, for the scenario file.</param>
    public static TraceResult Compare(ConformTrace trace, Reading reading, TraceObservation? observed, Observability observable, string release)
    {
        if (observed is null || !observed.Complete || observed.Steps.Count != trace.Ops.Count)
            return new TraceResult(trace, Agreement.NotRun, null, [], null,
                observed is null ? "the guest never started it" : $"the guest stopped after step {observed.Steps.Count} of {trace.Ops.Count}");
        var r = trace.Realisation;
        reading = reading.WithGranularity(trace.Mode);
        // A settled step of a two-phase trace is the operation and the complete of what it opened:
        // the model runs a Complete after it, refused (and changing nothing) when nothing opened.
        var ops = new List<Operation>(trace.Ops.Count);
        var at = new int[trace.Ops.Count];
        for (var k = 0; k < trace.Ops.Count; k++)
        {
            at[k] = ops.Count;
            ops.Add(trace.Ops[k]);
            if (trace.PhaseOf(k).Kind == PhaseKind.Settled) ops.Add(Operation.Complete());
        }
        var run = new Trace(r.Catalog, reading, ops).Replay();
        var known = new List<(int, KnownDifference)>();
        var kernelViews = new List<StepView>();
        var openTarget = false;
        for (var k = 0; k < trace.Ops.Count; k++)
        {
            var op = trace.Ops[k];
            var phase = trace.PhaseOf(k);
            var outcome = run[at[k]];
            if (phase.Kind == PhaseKind.Settled && outcome.State.InTransition)
                outcome = outcome with { State = run[at[k] + 1].State };
            if (phase.Kind == PhaseKind.Open) openTarget = outcome.State.TargetPatched;
            // Thread a entered its busy function before the transition opened: it is unswitched
            // until a reversal makes its state the target.
            bool? unswitchedIsA = phase.Kind is PhaseKind.Open or PhaseKind.Inside ? outcome.State.TargetPatched == openTarget : null;
            var model = StepView.Model(r, outcome, observable, unswitchedIsA is not null);
            var kernel = StepView.Kernel(r, observed.Steps[k], observable, unswitchedIsA);
            kernelViews.Add(kernel);
            var differing = new List<string>();
            foreach (var fact in model.Facts)
                if (kernel[fact.Name] != fact.Value) differing.Add(fact.Name);
            if (differing.Remove("result"))
            {
                if (KnownDifference.Match(op.Kind, model.Errno, kernel.Errno) is { } kd) known.Add((k + 1, kd));
                else differing.Insert(0, "result");
            }
            if (differing.Count > 0)
            {
                var first = new StepComparison(k + 1, op.Format(r.Catalog), trace.Lines[k], model, kernel, differing, observed.Steps[k].Log);
                return new TraceResult(trace, Agreement.Disagree, first, known, Scenario(trace, kernelViews, first, known, reading, release), null);
            }
        }
        return new TraceResult(trace, Agreement.Agree, null, known, null, null);
    }

    // The trace as a scenario whose expectations are the kernel's observations: replay shows the
    // model's side and fails at the differing step until the model agrees with the kernel.
    private static string Scenario(ConformTrace trace, IReadOnlyList<StepView> kernel, StepComparison first, List<(int Step, KnownDifference Difference)> known, Reading reading, string release)
    {
        var r = trace.Realisation;
        var c = r.Catalog;
        var sb = new StringBuilder();
        sb.AppendLine($"title conform: {trace.Label}, step {first.Step} ({first.Operation}) on Linux {release}");
        sb.AppendLine($"readings {reading.DisplayName}");
        sb.AppendLine(trace.Mode == Granularity.TwoPhase ? "mode two-phase" : "mode atomic");
        sb.AppendLine();
        sb.AppendLine($"# What Linux {release} did, written by klp-check conform: every expectation is the");
        sb.AppendLine("# kernel's observation. Replay shows where the model differs:");
        foreach (var name in first.Differing)
            sb.AppendLine($"#   {name}: model {first.Model[name]}, kernel {first.Kernel[name]}");
        if (first.Log.Count > 0)
        {
            sb.AppendLine("# kernel log of that step:");
            foreach (var line in first.Log) sb.AppendLine("#   " + line);
        }
        sb.AppendLine();
        foreach (var line in CatalogText.Declarations(c)) sb.AppendLine(line);
        sb.AppendLine();
        var order = new List<int>();
        string Name(string module) => r.PatchOfModule(module) is var p and >= 0 ? c[p].Name : module;
        for (var k = 0; k < kernel.Count; k++)
        {
            var op = trace.Ops[k];
            var v = kernel[k];
            if (op.Kind == OpKind.Load && v.Errno is null)
            {
                order.Remove(op.Patch);
                order.Add(op.Patch);
            }
            sb.AppendLine(op.Format(c));
            // A settled load or disable of a two-phase trace is the operation and its complete.
            if (trace.Mode == Granularity.TwoPhase && trace.PhaseOf(k).Kind == PhaseKind.Settled && v.Errno is null && op.Kind is OpKind.Load or OpKind.Disable)
                sb.AppendLine("complete");
            // A known difference is written without its errno: the file is about the first disagreement.
            var result = v.Errno is null ? "accepted"
                : known.Any(x => x.Step == k + 1) ? "refused"
                : Enum.TryParse<Errno>(v.Errno, out var e) && e != Errno.None ? "refused " + e
                : "refused";
            var enabled = (v["enabled"] ?? "{}").Trim('{', '}').Split(", ", StringSplitOptions.RemoveEmptyEntries)
                .Select(r.PatchOfModule).OrderBy(p => order.IndexOf(p) is var i and >= 0 ? i : int.MaxValue)
                .Select(p => p >= 0 ? c[p].Name : "?");
            sb.Append($"expect {result}; enabled {{{string.Join(", ", enabled)}}}");
            if (v["transition"] is { } t)
                sb.Append(t == "none" ? "; transition none" : $"; transition {Name(t.Split(' ')[0])} {t.Split(' ')[1]}");
            sb.AppendLine();
            var active = new List<string>();
            for (var f = 0; f < c.Functions.Length; f++)
            {
                string Code(string? a) => a is null or "original" or "not read" ? "original" : Name(a);
                if (v[StepView.Runs(c.Functions[f], "switched")] is { } switched)
                {
                    active.Add($"runs {c.Functions[f]} = {Code(switched)} for switched tasks");
                    active.Add($"runs {c.Functions[f]} = {Code(v[StepView.Runs(c.Functions[f], "unswitched")])} for unswitched tasks");
                }
                else active.Add($"active {c.Functions[f]} = {Code(v["active " + c.Functions[f]])}");
            }
            if (active.Count > 0) sb.AppendLine("expect " + string.Join("; ", active));
            var loaded = (v["loaded"] ?? "{}").Trim('{', '}').Split(", ", StringSplitOptions.RemoveEmptyEntries).Select(Name);
            sb.AppendLine($"expect loaded {{{string.Join(", ", loaded)}}}");
        }
        return sb.ToString();
    }
}
