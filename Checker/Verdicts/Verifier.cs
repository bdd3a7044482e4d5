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
        var explorer = new ThreadLocal<Explorer>(() => new Explorer());
        var done = 0;
        var workers = Threads.Workers(threads);
        var options = new ParallelOptions { MaxDegreeOfParallelism = workers, CancellationToken = cancel };
        // Many inputs run in parallel. A single input expands its large breadth-first levels on two
        // threads (Explorer: one applies the operations and finds known successors, the other
        // records) and finishes its checks in parallel, on every worker (all cores unless told
        // otherwise): what that gives on two cores, free or busy, is measured in
        // docs/performance.md.
        var bfsThreads = SearchThreads(source.Count, threads);
        // The properties that apply to the reading, the same for every input.
        var applicable = new List<int>(invariants.Count);
        for (var k = 0; k < invariants.Count; k++)
            if (invariants[k].NotApplicable(reading) is null) applicable.Add(k);
        var properties = applicable.ConvertAll(k => invariants[k]);
        // Each worker adds what its inputs say to a partial of its own as each input is done, so
        // that nothing is kept per input; partials merge in any order into the same result
        // (ReadingPartial.Add), so the result does not depend on which worker took which input.
        var parts = new List<ReadingPartial>();
        ReadingPartial Part()
        {
            var part = Empty(invariants.Count, applicable);
            lock (parts) parts.Add(part);
            return part;
        }
        var complete = true;
        try
        {
            Parallel.For(0, count, options, Part, (j, _, part) =>
            {
                var i = inputs?[j] ?? j;
                var catalog = source.CatalogFor(i, reading);
                var checks = PropertyChecks.Begin(properties, catalog, reading);
                var g = explorer.Value!.Explore(catalog, reading, limits, bfsThreads, checks.Silent ? null : checks);
                var found = checks.Finish(g, exercised: true, bfsThreads);
                for (var a = 0; a < applicable.Count; a++)
                    Add(part.Properties[applicable[a]]!, invariants[applicable[a]], source, i, found[a].Finding, found[a].Exercised, g);
                AddCoverage(part, i, g);
                explorer.Value.Recycle(g);
                var n = Interlocked.Increment(ref done);
                progress?.Invoke(n);
                return part;
            }, _ => { });
        }
        catch (OperationCanceledException)
        {
            complete = false;
        }

        // Every worker is done here, whether the loop ended or was interrupted.
        var partial = Empty(invariants.Count, applicable);
        foreach (var part in parts) partial.Add(part);
        partial.InputsChecked = done;
        partial.Complete = complete;
        // The lists by index, as their documentation says, whichever worker added each entry.
        partial.Cut.Sort((a, b) => a.Index.CompareTo(b.Index));
        partial.Collisions.Sort((a, b) => a.Index.CompareTo(b.Index));
        partial.Elapsed = clock.Elapsed;
        return partial;
    }

    /// <summary>The threads a single input's search and checks run on, for a source of this many inputs and a thread count (0: all cores): every worker when there is one input; one when there are several, which run in parallel instead.</summary>
    public static int SearchThreads(int inputs, int threads) => inputs == 1 ? Threads.Workers(threads) : 1;

    // A partial of no input yet, with a property partial for each applicable property.
    private static ReadingPartial Empty(int properties, List<int> applicable)
    {
        var partial = new ReadingPartial { Properties = new PropertyPartial?[properties] };
        foreach (var k in applicable) partial.Properties[k] = new PropertyPartial();
        return partial;
    }

    // Adds what one input says about one property: its finding, whether its case happened, and
    // whether a cap left its answer undecided.
    private static void Add(PropertyPartial p, Property inv, InputSource source, int i, CatalogFinding? finding, bool? exercised, StateGraph g)
    {
        if (finding is not { } f) return;
        if (exercised is { } e)
        {
            p.Tracked = true;
            if (e) p.Cases++;
        }
        if (!f.Applicable) return;
        p.Applicable++;
        // Nothing found where a cap cut the search: a safety or liveness property may be
        // violated, a witness reached, in what the cap left unexplored.
        if (!f.Found && g.CutBy is not null)
        {
            p.Undecided++;
            p.UndecidedFeatures &= source.Features(i);
            p.Frontier += g.Frontier.Count;
            if (p.FirstUndecided < 0 || i < p.FirstUndecided) (p.FirstUndecided, p.FirstCap) = (i, g.CutBy);
        }
        if (!f.Found) return;
        // The fewest features first (a violation on plain releases says more), then the shortest trace.
        var features = inv.IsWitness ? InputFeatures.None : source.Features(i);
        p.Needed &= features;
        var candidate = new Candidate(features, f.Trace!.Count, i, f.Trace, f.Message!);
        if (candidate.Before(p.Best)) p.Best = candidate;
    }

    // Adds one input's graph to the coverage.
    private static void AddCoverage(ReadingPartial partial, int i, StateGraph g)
    {
        partial.Catalogs++;
        partial.States += g.States.Count;
        partial.Transitions += g.Transitions;
        partial.MaxDepth = Math.Max(partial.MaxDepth, g.MaxDepth);
        if (g.CollisionProbability != 0) partial.Collisions.Add((i, g.CollisionProbability));
        for (var a = 0; a < g.Alphabet.Length; a++)
        {
            partial.Accepted[(int)g.Alphabet[a].Kind] += g.AcceptedCount[a];
            partial.Offered |= 1 << (int)g.Alphabet[a].Kind;
        }
        for (var r = 1; r < g.RefusedByReason.Length; r++)
            partial.Refused[r] += g.RefusedByReason[r];
        if (g.CutBy is not null) partial.Cut.Add((i, g.CutBy, g.Frontier.Count));
    }
}
