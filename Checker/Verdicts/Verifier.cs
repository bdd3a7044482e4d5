using Klp.Check.Engine;
using Klp.Check.Inputs;
using Klp.Check.Model;
using Klp.Check.Properties;

namespace Klp.Check.Verdicts;

/// <summary>The verifier: explores every input of a source under a reading and checks the properties on each graph, into a <see cref="ReadingPartial"/> whose <see cref="ReadingPartial.Finish"/> gives the verdicts.</summary>
/// <remarks>Calls go one way: the verifier makes partials; a partial (merged from shards or not) never calls the verifier.</remarks>
public static class Verifier
{
    /// <summary>Checks properties for one reading over every input; catalogs run in parallel, results do not depend on the thread count.</summary>
    public static ReadingResult Run(InputSource source, Reading reading, IReadOnlyList<Property> invariants, ExploreLimits limits,
        int threads = 0, CancellationToken cancel = default, Action<int>? progress = null) =>
        Check(source, reading, invariants, limits, null, threads, cancel, progress).Finish(source, reading, invariants);

    /// <summary>Checks every reading, in order, over the same inputs; stops after the first reading an interruption left incomplete, which is then the last of the list.</summary>
    public static List<ReadingPartial> CheckAll(InputSource source, IReadOnlyList<Reading> readings, IReadOnlyList<Property> invariants, ExploreLimits limits,
        IReadOnlyList<int> inputs, int threads, CancellationToken cancel, Action<Reading, int>? progress)
    {
        var partials = new List<ReadingPartial>();
        foreach (var reading in readings)
        {
            var p = Check(source, reading, invariants, limits, inputs, threads, cancel, n => progress?.Invoke(reading, n));
            partials.Add(p);
            if (!p.Complete) break;
        }
        return partials;
    }

    /// <summary>Explores the given inputs (all when null) under one reading and checks the properties on each; inputs run in parallel, results do not depend on the thread count.</summary>
    public static ReadingPartial Check(InputSource source, Reading reading, IReadOnlyList<Property> invariants, ExploreLimits limits,
        IReadOnlyList<int>? inputs = null, int threads = 0, CancellationToken cancel = default, Action<int>? progress = null)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var count = inputs?.Count ?? source.Count;
        var findings = new CatalogFinding?[count][];
        var exercised = new bool?[count][];
        var graphs = new (long States, long Transitions, int Depth, long[] Accepted, Operation[] Alphabet, long[] Refused, string? Cut, int Frontier, double Collision)[count];
        var explorer = new ThreadLocal<Explorer>(() => new Explorer());
        var done = 0;
        var workers = threads > 0 ? threads : Environment.ProcessorCount;
        var options = new ParallelOptions { MaxDegreeOfParallelism = workers, CancellationToken = cancel };
        // Many inputs run in parallel. A single input expands its large breadth-first levels on two
        // threads (Explorer: one applies the operations and finds known successors, the other
        // records) and finishes its checks in parallel only when asked (--threads N): what that
        // gives on two free cores is measured in docs/performance.md.
        var bfsThreads = source.Count == 1 && threads > 1 ? threads : 1;
        // The properties that apply to the reading, the same for every input.
        var applicable = new List<int>(invariants.Count);
        for (var k = 0; k < invariants.Count; k++)
            if (invariants[k].NotApplicable(reading) is null) applicable.Add(k);
        var properties = applicable.ConvertAll(k => invariants[k]);
        var complete = true;
        try
        {
            Parallel.For(0, count, options, j =>
            {
                var i = inputs?[j] ?? j;
                var catalog = source.CatalogFor(i, reading);
                var checks = PropertyChecks.Begin(properties, catalog, reading);
                var g = explorer.Value!.Explore(catalog, reading, limits, bfsThreads, checks.Silent ? null : checks);
                var found = checks.Finish(g, exercised: true, bfsThreads);
                var row = new CatalogFinding?[invariants.Count];
                var seen = new bool?[invariants.Count];
                for (var a = 0; a < applicable.Count; a++)
                    (row[applicable[a]], seen[applicable[a]]) = (found[a].Finding, found[a].Exercised);
                exercised[j] = seen;
                findings[j] = row;
                graphs[j] = (g.States.Count, g.Transitions, g.MaxDepth, g.AcceptedCount, g.Alphabet, g.RefusedByReason, g.CutBy, g.Frontier.Count, g.CollisionProbability);
                explorer.Value.Recycle(g);
                var n = Interlocked.Increment(ref done);
                progress?.Invoke(n);
            });
        }
        catch (OperationCanceledException)
        {
            complete = false;
        }

        var partial = new ReadingPartial { Properties = new PropertyPartial?[invariants.Count], InputsChecked = done, Complete = complete };
        foreach (var k in applicable)
        {
            var inv = invariants[k];
            var p = partial.Properties[k] = new PropertyPartial();
            for (var j = 0; j < count; j++)
            {
                var i = inputs?[j] ?? j;
                if (findings[j] is not { } row || row[k] is not { } f) continue;
                if (exercised[j] is { } seen && seen[k] is { } e)
                {
                    p.Tracked = true;
                    if (e) p.Cases++;
                }
                if (!f.Applicable) continue;
                p.Applicable++;
                // Nothing found where a cap cut the search: a safety or liveness property may be
                // violated, a witness reached, in what the cap left unexplored.
                if (!f.Found && graphs[j].Cut is not null)
                {
                    p.Undecided++;
                    p.UndecidedFeatures &= source.Features(i);
                    p.Frontier += graphs[j].Frontier;
                    if (p.FirstUndecided < 0 || i < p.FirstUndecided) (p.FirstUndecided, p.FirstCap) = (i, graphs[j].Cut);
                }
                if (!f.Found) continue;
                // The fewest features first (a violation on plain releases says more), then the shortest trace.
                var features = inv.IsWitness ? InputFeatures.None : source.Features(i);
                p.Needed &= features;
                var candidate = new Candidate(features, f.Trace!.Count, i, f.Trace, f.Message!);
                if (candidate.Before(p.Best)) p.Best = candidate;
            }
        }
        for (var j = 0; j < count; j++)
        {
            var g = graphs[j];
            if (g.Accepted is null) continue;
            var i = inputs?[j] ?? j;
            partial.Catalogs++;
            partial.States += g.States;
            partial.Transitions += g.Transitions;
            partial.MaxDepth = Math.Max(partial.MaxDepth, g.Depth);
            if (g.Collision != 0) partial.Collisions.Add((i, g.Collision));
            for (var a = 0; a < g.Alphabet.Length; a++)
            {
                partial.Accepted[(int)g.Alphabet[a].Kind] += g.Accepted[a];
                partial.Offered |= 1 << (int)g.Alphabet[a].Kind;
            }
            for (var rr = 1; rr < g.Refused.Length; rr++)
                partial.Refused[rr] += g.Refused[rr];
            if (g.Cut is not null) partial.Cut.Add((i, g.Cut, g.Frontier));
        }
        partial.Elapsed = clock.Elapsed;
        return partial;
    }
}
