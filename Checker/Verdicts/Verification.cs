using System.Diagnostics;
using Klp.Check.Model;
using Klp.Check.Properties;

namespace Klp.Check.Exploration;

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
        var graphs = new (long States, long Transitions, int Depth, long[] Accepted, Operation[] Alphabet, long[] Refused, string? Cut, int Frontier, double Collision)[source.Count];
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
                var checks = new PropertyCheck?[invariants.Count];
                for (var k = 0; k < invariants.Count; k++)
                    if (invariants[k].NotApplicable(reading) is null) checks[k] = invariants[k].Begin(catalog, reading);
                var visitor = new PropertyChecks(checks.OfType<PropertyCheck>(), catalog, reading);
                var g = explorer.Value!.Explore(catalog, reading, limits, bfsThreads, visitor.Silent ? null : visitor);
                var facts = new GraphFacts(g);
                var row = new CatalogFinding?[invariants.Count];
                var seen = new bool?[invariants.Count];
                for (var k = 0; k < invariants.Count; k++)
                {
                    if (checks[k] is not { } check) continue;
                    row[k] = check.Finish(facts);
                    if (row[k]!.Applicable && !row[k]!.Found) seen[k] = check.Exercised(facts);
                }
                exercised[i] = seen;
                findings[i] = row;
                graphs[i] = (g.States.Count, g.Transitions, g.MaxDepth, g.AcceptedCount, g.Alphabet, g.RefusedByReason, g.CutBy, g.Frontier.Count, g.CollisionProbability);
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
            var undecided = new List<int>();
            for (var i = 0; i < source.Count; i++)
            {
                if (findings[i] is not { } row || row[k] is not { } f) continue;
                if (!f.Applicable) continue;
                applicable++;
                // A liveness property failed only through unexplored states, or a witness was not
                // reached where a cap cut the search: the answer lies beyond the cap.
                if (f.Inconclusive || !f.Found && inv.Kind == PropertyKind.Witness && graphs[i].Cut is not null) undecided.Add(i);
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
            else if (undecided.Count > 0)
            {
                var cap = graphs[undecided[0]].Cut!;
                var frontier = undecided.Sum(i => (long)graphs[i].Frontier);
                var what = inv.Kind == PropertyKind.Witness ? "not reached in the explored part" : "no violation in the explored part, but some states have a way out only through unexplored states";
                verdicts.Add(new Verdict(inv, reading, VerdictKind.Inconclusive,
                    $"{what}: {Count(undecided.Count, "input")} cut by {cap}, {Count(frontier, "frontier state")}", null, null, null)
                { Cap = cap, FrontierStates = frontier });
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
                var detail = $"{Count(applicable, "input")}, {states} states";
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
        return new ReadingResult(reading, verdicts, coverage, complete) { InputsChecked = done };
    }

    /// <summary>"1 input", "2 inputs": a count with its noun.</summary>
    public static string Count(long n, string noun) => n == 1 ? $"1 {noun}" : $"{n} {noun}s";

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
