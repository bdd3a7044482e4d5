using System.Diagnostics;
using Klp.Check.Model;

namespace Klp.Check.Exploration;

/// <summary>Features of an input that a violation may need; verdicts name the fewest that show it.</summary>
[Flags]
public enum InputFeatures
{
    /// <summary>Plain releases: no shared function, no state.</summary>
    None = 0,
    /// <summary>A customer patch patches a function a vendor patch also patches.</summary>
    SharedFunction = 1,
    /// <summary>Patches declare states.</summary>
    States = 2,
}

/// <summary>What a run explores: one catalog per reading for each of its inputs.</summary>
public sealed class InputSource
{
    private readonly Func<int, Reading, Catalog> catalogFor;
    private readonly Func<int, string> describe;
    private readonly Func<int, InputFeatures> features;

    private InputSource(string kind, string bound, int count, Func<int, Reading, Catalog> catalogFor, Func<int, string> describe, Func<int, InputFeatures> features)
    {
        this.features = features;
        Kind = kind;
        Bound = bound;
        Count = count;
        this.catalogFor = catalogFor;
        this.describe = describe;
    }

    /// <summary>"release plans", "raw catalogs", or "catalog FILE".</summary>
    public string Kind { get; }

    /// <summary>The bounds in force, as written on the command line.</summary>
    public string Bound { get; }

    /// <summary>How many inputs.</summary>
    public int Count { get; }

    /// <summary>The catalog of one input under one reading.</summary>
    public Catalog CatalogFor(int index, Reading reading) => catalogFor(index, reading);

    /// <summary>The features of one input.</summary>
    public InputFeatures Features(int index) => features(index);

    /// <summary>The features of a catalog: states declared, a function shared by a customer and a vendor patch.</summary>
    public static InputFeatures FeaturesOf(Catalog c)
    {
        var f = InputFeatures.None;
        ulong customer = 0, vendor = 0;
        for (var p = 0; p < c.Count; p++)
        {
            if (c[p].States.Length > 0) f |= InputFeatures.States;
            if (c[p].Origin == Origin.Customer) customer |= c.FuncsNormalized[p];
            else vendor |= c.FuncsNormalized[p];
        }
        return (customer & vendor) != 0 ? f | InputFeatures.SharedFunction : f;
    }

    /// <summary>A description of one input (the plan, or the catalog's patches).</summary>
    public string Describe(int index) => describe(index);

    /// <summary>Every release plan within bounds, each encoded by each reading.</summary>
    public static InputSource Plans(PlanBounds bounds)
    {
        var plans = bounds.Enumerate().ToArray();
        return new InputSource("release plans", bounds.ToString(), plans.Length, (i, r) => plans[i].Encode(r), i => plans[i].ToString(), i => plans[i].Features);
    }

    /// <summary>One release plan.</summary>
    public static InputSource Plan(ReleasePlan plan, string file) =>
        new($"release plan {file}", "1 plan", 1, (_, r) => plan.Encode(r), _ => plan.ToString(), _ => plan.Features);

    /// <summary>Every raw catalog within bounds, the same for every reading.</summary>
    public static InputSource Raw(RawBounds bounds, bool reduce = true)
    {
        var catalogs = bounds.Enumerate(reduce).ToArray();
        return new InputSource("raw catalogs", bounds + (reduce ? " (symmetry-reduced)" : ""), catalogs.Length, (i, _) => catalogs[i], i => CatalogText.Describe(catalogs[i]), i => FeaturesOf(catalogs[i]));
    }

    /// <summary>One raw catalog.</summary>
    public static InputSource Single(Catalog catalog, string file) =>
        new($"catalog {file}", "1 catalog", 1, (_, _) => catalog, _ => CatalogText.Describe(catalog), _ => FeaturesOf(catalog));
}

/// <summary>A verdict: holds, violated, or n/a.</summary>
public enum VerdictKind
{
    /// <summary>Holds within the bounds (a witness: was reached).</summary>
    Holds,
    /// <summary>Violated (a witness: never reached), with the shortest trace.</summary>
    Violated,
    /// <summary>Does not apply, with why.</summary>
    NotApplicable,
}

/// <summary>The verdict of one property for one reading over one input source.</summary>
/// <param name="Invariant">The property.</param>
/// <param name="Reading">The reading.</param>
/// <param name="Kind">Holds, violated or n/a.</param>
/// <param name="Detail">Why n/a, what the trace shows, or for a witness what was reached.</param>
/// <param name="Catalog">The catalog the trace runs on.</param>
/// <param name="Trace">The shortest trace (the violation, or for a witness the way to it), replayed through Step.</param>
/// <param name="Input">The input the trace comes from (the plan or catalog description).</param>
/// <param name="Features">For a violation, the fewest input features any violating input has (the trace's input has them).</param>
public sealed record Verdict(Invariant Invariant, Reading Reading, VerdictKind Kind, string Detail, Catalog? Catalog, IReadOnlyList<Operation>? Trace, string? Input,
    InputFeatures Features = InputFeatures.None)
{
    /// <summary>"holds", "violated" or "n/a"; a violation that needs input features names them: "violated[f]", "violated[s]", "violated[fs]".</summary>
    public string Word => Kind switch
    {
        VerdictKind.Holds => "holds",
        VerdictKind.Violated when Features != InputFeatures.None => $"violated[{FeatureLetters(Features)}]",
        VerdictKind.Violated => "violated",
        _ => "n/a",
    };

    /// <summary>True when a safety property holds only because its interesting case never happens.</summary>
    public bool Vacuous { get; init; }

    /// <summary>f for a shared function, s for states.</summary>
    public static string FeatureLetters(InputFeatures f) =>
        ((f & InputFeatures.SharedFunction) != 0 ? "f" : "") + ((f & InputFeatures.States) != 0 ? "s" : "");
}

/// <summary>Totals of one reading's run.</summary>
/// <param name="Catalogs">Catalogs explored.</param>
/// <param name="States">Distinct states, summed over catalogs.</param>
/// <param name="Transitions">Operations applied.</param>
/// <param name="MaxDepth">The deepest state.</param>
/// <param name="AcceptedByKind">How often each operation kind was accepted.</param>
/// <param name="RefusedByReason">How often each reason refused an operation.</param>
/// <param name="Cut">Catalogs whose exploration a cap cut, with the cap.</param>
/// <param name="Elapsed">Wall time.</param>
/// <param name="CollisionProbability">With fingerprints, the chance that two states were merged.</param>
public sealed record Coverage(
    int Catalogs, long States, long Transitions, int MaxDepth,
    IReadOnlyDictionary<OpKind, long> AcceptedByKind,
    IReadOnlyDictionary<Reason, long> RefusedByReason,
    IReadOnlyList<string> Cut,
    TimeSpan Elapsed,
    double CollisionProbability);

/// <summary>Every verdict of one reading, with coverage.</summary>
/// <param name="Reading">The reading.</param>
/// <param name="Verdicts">One per property asked for, in registry order.</param>
/// <param name="Coverage">What was explored.</param>
/// <param name="Complete">False when the run was interrupted.</param>
public sealed record ReadingResult(Reading Reading, IReadOnlyList<Verdict> Verdicts, Coverage Coverage, bool Complete);

/// <summary>Runs exploration and the invariant checks for readings over an input source.</summary>
public static class Verification
{
    /// <summary>Checks properties for one reading over every input; catalogs run in parallel, results do not depend on the thread count.</summary>
    public static ReadingResult Run(InputSource source, Reading reading, IReadOnlyList<Invariant> invariants, ExploreLimits limits,
        int threads = 0, CancellationToken cancel = default, Action<int>? progress = null)
    {
        var clock = Stopwatch.StartNew();
        var findings = new CatalogFinding?[source.Count][];
        var exercised = new bool?[source.Count][];
        var graphs = new (long States, long Transitions, int Depth, long[] Accepted, Operation[] Alphabet, long[] Refused, string? Cut, double Collision)[source.Count];
        var explorer = new ThreadLocal<Explorer>(() => new Explorer());
        var done = 0;
        var workers = threads > 0 ? threads : Environment.ProcessorCount;
        var options = new ParallelOptions { MaxDegreeOfParallelism = workers, CancellationToken = cancel };
        // Many inputs run in parallel. A single input expands its breadth-first levels in parallel
        // only when asked (--threads N): on 2 cores the serial merge costs more than it saves
        // (docs/performance.md).
        var bfsThreads = source.Count == 1 && threads > 1 ? threads : 1;
        var complete = true;
        try
        {
            Parallel.For(0, source.Count, options, i =>
            {
                var catalog = source.CatalogFor(i, reading);
                var g = explorer.Value!.Explore(catalog, reading, limits, bfsThreads);
                var checker = new InvariantChecker(g);
                var row = new CatalogFinding?[invariants.Count];
                var seen = new bool?[invariants.Count];
                for (var k = 0; k < invariants.Count; k++)
                {
                    if (invariants[k].NotApplicable(reading) is not null) continue;
                    row[k] = checker.Check(invariants[k]);
                    if (row[k]!.Applicable && !row[k]!.Found) seen[k] = checker.Exercised(invariants[k]);
                }
                exercised[i] = seen;
                findings[i] = row;
                graphs[i] = (g.States.Count, g.Transitions, g.MaxDepth, g.AcceptedCount, g.Alphabet, g.RefusedByReason, g.CutBy, g.CollisionProbability);
                explorer.Value.Recycle(g);
                var n = Interlocked.Increment(ref done);
                progress?.Invoke(n);
            });
        }
        catch (OperationCanceledException)
        {
            complete = false;
        }

        var verdicts = new List<Verdict>();
        for (var k = 0; k < invariants.Count; k++)
        {
            var inv = invariants[k];
            if (inv.NotApplicable(reading) is { } why)
            {
                verdicts.Add(new Verdict(inv, reading, VerdictKind.NotApplicable, why, null, null, null));
                continue;
            }
            (InputFeatures Features, int Length, int Index, CatalogFinding Finding)? best = null;
            // The features every violating input has: "violated only where ..." must hold of each of them.
            var needed = InputFeatures.SharedFunction | InputFeatures.States;
            var applicable = 0;
            for (var i = 0; i < source.Count; i++)
            {
                if (findings[i] is not { } row || row[k] is not { } f) continue;
                if (!f.Applicable) continue;
                applicable++;
                if (!f.Found) continue;
                // The fewest features first (a violation on plain releases says more), then the shortest trace.
                var features = inv.Kind == PropertyKind.Witness ? InputFeatures.None : source.Features(i);
                needed &= features;
                if (best is null || features < best.Value.Features || features == best.Value.Features && f.Trace!.Count < best.Value.Length)
                    best = (features, f.Trace!.Count, i, f);
            }
            var bound = $"{source.Kind} {source.Bound}";
            if (applicable == 0)
            {
                verdicts.Add(new Verdict(inv, reading, VerdictKind.NotApplicable, $"no input gives it anything to check ({bound})", null, null, null));
                continue;
            }
            var states = graphs.Where(g => g.Accepted is not null).Sum(g => g.States);
            if (best is { } b)
            {
                var catalog = source.CatalogFor(b.Index, reading);
                Replay(catalog, reading, b.Finding.Trace!);
                var kind = inv.Kind == PropertyKind.Witness ? VerdictKind.Holds : VerdictKind.Violated;
                verdicts.Add(new Verdict(inv, reading, kind, b.Finding.Message!, catalog, b.Finding.Trace, source.Describe(b.Index), kind == VerdictKind.Violated && source.Count > 1 ? needed : InputFeatures.None));
            }
            else if (inv.Kind == PropertyKind.Witness)
                verdicts.Add(new Verdict(inv, reading, VerdictKind.Violated, $"never reached: vacuous within {bound}, {states} states", null, null, null));
            else
            {
                var tracked = false;
                var cases = 0;
                for (var i = 0; i < source.Count; i++)
                    if (exercised[i] is { } seen && seen[k] is { } e)
                    {
                        tracked = true;
                        if (e) cases++;
                    }
                var detail = $"{applicable} inputs, {states} states";
                if (tracked && cases == 0)
                    verdicts.Add(new Verdict(inv, reading, VerdictKind.Holds, $"vacuously: its case never happens ({detail})", null, null, null) { Vacuous = true });
                else
                    verdicts.Add(new Verdict(inv, reading, VerdictKind.Holds, tracked ? $"{detail}; its case happens in {cases} inputs" : detail, null, null, null));
            }
        }

        var accepted = new Dictionary<OpKind, long>();
        var refused = new Dictionary<Reason, long>();
        var cut = new List<string>();
        long totalStates = 0, totalTransitions = 0;
        var depth = 0;
        var collision = 0.0;
        var catalogs = 0;
        for (var i = 0; i < source.Count; i++)
        {
            var g = graphs[i];
            if (g.Accepted is null) continue;
            catalogs++;
            totalStates += g.States;
            totalTransitions += g.Transitions;
            depth = Math.Max(depth, g.Depth);
            collision += g.Collision;
            for (var a = 0; a < g.Alphabet.Length; a++)
                accepted[g.Alphabet[a].Kind] = accepted.GetValueOrDefault(g.Alphabet[a].Kind) + g.Accepted[a];
            for (var rr = 1; rr < g.Refused.Length; rr++)
                if (g.Refused[rr] > 0) refused[(Reason)rr] = refused.GetValueOrDefault((Reason)rr) + g.Refused[rr];
            if (g.Cut is not null) cut.Add($"input {i + 1}: {g.Cut}");
        }
        foreach (var kind in reading.Options.Granularity == Granularity.TwoPhase ? Enum.GetValues<OpKind>() : [OpKind.Load, OpKind.Disable, OpKind.Unload])
            accepted.TryAdd(kind, 0);
        var coverage = new Coverage(catalogs, totalStates, totalTransitions, depth, accepted, refused, cut, clock.Elapsed, Math.Min(1, collision));
        return new ReadingResult(reading, verdicts, coverage, complete);
    }

    /// <summary>Replays a trace through Step; throws if it is not a real run (every operation but the last accepted).</summary>
    public static KernelState Replay(Catalog catalog, Reading reading, IReadOnlyList<Operation> trace)
    {
        var s = KernelState.Empty;
        for (var i = 0; i < trace.Count; i++)
        {
            var o = Kernel.Step(catalog, reading, s, trace[i]);
            if (!o.Accepted && i < trace.Count - 1)
                throw new InvalidOperationException($"trace step {i + 1} ({trace[i].Format(catalog)}) was refused on replay: {o.Reason.Name()}");
            s = o.State;
        }
        return s;
    }
}
