using Klp.Check.Engine;
using Klp.Check.Inputs;
using Klp.Check.Model;
using Klp.Check.Properties;

namespace Klp.Check.Verdicts;

/// <summary>The best trace of a property among some inputs: fewest features, then shortest, then lowest input index.</summary>
/// <param name="Features">The input's features (none for a witness).</param>
/// <param name="Length">The trace's length.</param>
/// <param name="Index">The input's index in the source.</param>
/// <param name="Trace">The trace.</param>
/// <param name="Message">What the trace shows.</param>
public sealed record Candidate(InputFeatures Features, int Length, int Index, IReadOnlyList<Operation> Trace, string Message)
{
    /// <summary>True when this candidate comes before <paramref name="other"/>: the order one run over every input keeps.</summary>
    public bool Before(Candidate? other) => other is null || Features < other.Features
        || Features == other.Features && (Length < other.Length || Length == other.Length && Index < other.Index);
}

/// <summary>What some inputs say about one property under one reading: sums, minima and bit masks that merge in any order.</summary>
public sealed class PropertyPartial
{
    /// <summary>Inputs that give the property something to check.</summary>
    public int Applicable { get; set; }

    /// <summary>The features every violating input has (both when none violates).</summary>
    public InputFeatures Needed { get; set; } = InputFeatures.SharedFunction | InputFeatures.States;

    /// <summary>The best trace, or null.</summary>
    public Candidate? Best { get; set; }

    /// <summary>Inputs a cap cut where the property found nothing (no violation, or an unreached witness): its answer there lies beyond the cap.</summary>
    public int Undecided { get; set; }

    /// <summary>The features every undecided input has (both when none is undecided): a violation's letters that some undecided input lacks are not established.</summary>
    public InputFeatures UndecidedFeatures { get; set; } = InputFeatures.SharedFunction | InputFeatures.States;

    /// <summary>The lowest undecided input, or -1.</summary>
    public int FirstUndecided { get; set; } = -1;

    /// <summary>The cap that cut <see cref="FirstUndecided"/>.</summary>
    public string? FirstCap { get; set; }

    /// <summary>Frontier states summed over the undecided inputs.</summary>
    public long Frontier { get; set; }

    /// <summary>True when some input tracks whether the property's case happens.</summary>
    public bool Tracked { get; set; }

    /// <summary>Inputs where the property's case happens.</summary>
    public int Cases { get; set; }

    /// <summary>Adds another partial of the same property over other inputs.</summary>
    public void Add(PropertyPartial o)
    {
        Applicable += o.Applicable;
        Needed &= o.Needed;
        if (o.Best is { } b && b.Before(Best)) Best = b;
        Undecided += o.Undecided;
        UndecidedFeatures &= o.UndecidedFeatures;
        if (o.FirstUndecided >= 0 && (FirstUndecided < 0 || o.FirstUndecided < FirstUndecided)) (FirstUndecided, FirstCap) = (o.FirstUndecided, o.FirstCap);
        Frontier += o.Frontier;
        Tracked |= o.Tracked;
        Cases += o.Cases;
    }
}

/// <summary>One reading checked over some inputs of a source: per property what the verdict needs, plus coverage sums; partials of disjoint inputs merge into the result of one run over all of them.</summary>
public sealed class ReadingPartial
{
    /// <summary>Per property asked for, in order; null where the property does not apply to the reading.</summary>
    public PropertyPartial?[] Properties { get; init; } = [];

    /// <summary>Inputs whose exploration finished.</summary>
    public int InputsChecked { get; set; }

    /// <summary>False when interrupted.</summary>
    public bool Complete { get; set; } = true;

    /// <summary>Catalogs explored.</summary>
    public int Catalogs { get; set; }

    /// <summary>Distinct states, summed.</summary>
    public long States { get; set; }

    /// <summary>Transitions, summed.</summary>
    public long Transitions { get; set; }

    /// <summary>The deepest state.</summary>
    public int MaxDepth { get; set; }

    /// <summary>Accepted operations by <see cref="OpKind"/>.</summary>
    public long[] Accepted { get; init; } = new long[Enum.GetValues<OpKind>().Length];

    /// <summary>The operation kinds some explored catalog offers, as bits by <see cref="OpKind"/>.</summary>
    public int Offered { get; set; }

    /// <summary>Refused operations by <see cref="Reason"/>.</summary>
    public long[] Refused { get; init; } = new long[Enum.GetValues<Reason>().Length];

    /// <summary>The inputs a cap cut, with the cap and the number of frontier states, by index.</summary>
    public List<(int Index, string Cap, long Frontier)> Cut { get; init; } = [];

    /// <summary>Fingerprint collision probabilities of the inputs that have one, by index (summed in index order, as one run does).</summary>
    public List<(int Index, double Probability)> Collisions { get; init; } = [];

    /// <summary>Wall time.</summary>
    public TimeSpan Elapsed { get; set; }

    /// <summary>Checks every reading, in order, over the same inputs; stops after the first reading an interruption left incomplete, which is then the last of the list.</summary>
    public static List<ReadingPartial> CheckAll(InputSource source, IReadOnlyList<Reading> readings, IReadOnlyList<Invariant> invariants, ExploreLimits limits,
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
    public static ReadingPartial Check(InputSource source, Reading reading, IReadOnlyList<Invariant> invariants, ExploreLimits limits,
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
        // Many inputs run in parallel. A single input expands its breadth-first levels in parallel
        // only when asked (--threads N): on 2 cores the serial merge costs more than it saves
        // (docs/performance.md).
        var bfsThreads = source.Count == 1 && threads > 1 ? threads : 1;
        var complete = true;
        try
        {
            Parallel.For(0, count, options, j =>
            {
                var i = inputs?[j] ?? j;
                var catalog = source.CatalogFor(i, reading);
                var applicable = new List<int>(invariants.Count);
                for (var k = 0; k < invariants.Count; k++)
                    if (invariants[k].NotApplicable(reading) is null) applicable.Add(k);
                var checks = PropertyChecks.Begin(applicable.Select(k => invariants[k]), catalog, reading);
                var g = explorer.Value!.Explore(catalog, reading, limits, bfsThreads, checks.Silent ? null : checks);
                var found = checks.Finish(g, exercised: true);
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
        for (var k = 0; k < invariants.Count; k++)
        {
            var inv = invariants[k];
            if (inv.NotApplicable(reading) is not null) continue;
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
                var features = inv.Kind == PropertyKind.Witness ? InputFeatures.None : source.Features(i);
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

    /// <summary>Adds the partial of the same reading over other inputs.</summary>
    public void Add(ReadingPartial o)
    {
        for (var k = 0; k < Properties.Length; k++)
            if (Properties[k] is { } p && o.Properties[k] is { } q) p.Add(q);
        InputsChecked += o.InputsChecked;
        Complete &= o.Complete;
        Catalogs += o.Catalogs;
        States += o.States;
        Transitions += o.Transitions;
        MaxDepth = Math.Max(MaxDepth, o.MaxDepth);
        for (var a = 0; a < Accepted.Length; a++) Accepted[a] += o.Accepted[a];
        Offered |= o.Offered;
        for (var r = 0; r < Refused.Length; r++) Refused[r] += o.Refused[r];
        Cut.AddRange(o.Cut);
        Collisions.AddRange(o.Collisions);
        Elapsed += o.Elapsed;
    }

    /// <summary>The partials of every shard, one per reading each, summed per reading into the first shard's.</summary>
    public static IReadOnlyList<ReadingPartial> Sum(IEnumerable<IReadOnlyList<ReadingPartial>> shards)
    {
        IReadOnlyList<ReadingPartial>? sum = null;
        foreach (var s in shards)
            if (sum is null) sum = s;
            else for (var r = 0; r < sum.Count; r++) sum[r].Add(s[r]);
        return sum ?? [];
    }

    /// <summary>The verdicts and coverage: the same whether this partial covers every input in one run or merges shards of them.</summary>
    public ReadingResult Finish(InputSource source, Reading reading, IReadOnlyList<Invariant> invariants)
    {
        var verdicts = new List<Verdict>();
        var bound = $"{source.Kind} {source.Bound}";
        for (var k = 0; k < invariants.Count; k++)
        {
            var inv = invariants[k];
            if (Properties[k] is not { } p)
            {
                verdicts.Add(new Verdict(inv, reading, VerdictKind.NotApplicable, inv.NotApplicable(reading) ?? "", null, null, null));
                continue;
            }
            if (p.Applicable == 0)
            {
                verdicts.Add(new Verdict(inv, reading, VerdictKind.NotApplicable, $"no input gives it anything to check ({bound})", null, null, null));
                continue;
            }
            var cut = $"{Words.Count(p.Undecided, "input")} cut by {p.FirstCap}, {Words.Count(p.Frontier, "frontier state")}";
            if (p.Best is { } b)
            {
                var catalog = source.CatalogFor(b.Index, reading);
                new Trace(catalog, reading, b.Trace).End();
                var kind = inv.Kind == PropertyKind.Witness ? VerdictKind.Holds : VerdictKind.Violated;
                var features = kind == VerdictKind.Violated && source.Count > 1 ? p.Needed : InputFeatures.None;
                // The letters say the violation needs those features; an input without them that a
                // cap cut may hold a violation in its unexplored part.
                var open = p.Undecided > 0 && (features & ~p.UndecidedFeatures) != 0;
                verdicts.Add(new Verdict(inv, reading, kind, open ? $"{b.Message} (the letters are not established: {cut}, some without them)" : b.Message,
                    catalog, b.Trace, source.Describe(b.Index), features)
                { Cap = open ? p.FirstCap : null, FrontierStates = open ? p.Frontier : 0 });
            }
            else if (p.Undecided > 0)
            {
                var what = inv.Kind switch
                {
                    PropertyKind.Witness => "not reached in the explored part",
                    PropertyKind.Liveness => "no violation established: whether it holds depends on states a cap left unexplored",
                    // Vacuity is not claimed either: the case may happen in the unexplored part.
                    _ => "no violation in the explored part" + (p.Tracked ? p.Cases == 0 ? ", where its case never happens" : $", where its case happens in {Words.Count(p.Cases, "input")}" : ""),
                };
                verdicts.Add(new Verdict(inv, reading, VerdictKind.Inconclusive, $"{what}; {cut} ({Words.Count(p.Applicable, "input")}, {States} states)", null, null, null)
                { Cap = p.FirstCap, FrontierStates = p.Frontier });
            }
            else if (inv.Kind == PropertyKind.Witness)
                verdicts.Add(new Verdict(inv, reading, VerdictKind.Violated, $"never reached: vacuous within {bound}, {States} states", null, null, null));
            else
            {
                var detail = $"{Words.Count(p.Applicable, "input")}, {States} states";
                if (p.Tracked && p.Cases == 0)
                    verdicts.Add(new Verdict(inv, reading, VerdictKind.Holds, $"vacuously: its case never happens ({detail})", null, null, null) { Vacuous = true });
                else
                    verdicts.Add(new Verdict(inv, reading, VerdictKind.Holds, p.Tracked ? $"{detail}; its case happens in {p.Cases} inputs" : detail, null, null, null));
            }
        }

        var accepted = new Dictionary<OpKind, long>();
        var refused = new Dictionary<Reason, long>();
        var present = reading.Options.Granularity == Granularity.TwoPhase ? Enum.GetValues<OpKind>() : [OpKind.Load, OpKind.Disable, OpKind.Unload];
        for (var a = 0; a < Accepted.Length; a++)
            if ((Offered & 1 << a) != 0 || present.Contains((OpKind)a)) accepted[(OpKind)a] = Accepted[a];
        for (var r = 1; r < Refused.Length; r++)
            if (Refused[r] > 0) refused[(Reason)r] = Refused[r];
        var collision = 0.0;
        foreach (var (_, c) in Collisions.OrderBy(c => c.Index)) collision += c;
        var coverage = new Coverage(Catalogs, States, Transitions, MaxDepth, accepted, refused,
            [.. Cut.OrderBy(c => c.Index).Select(c => new CutInput(c.Index, c.Cap, c.Frontier))], Elapsed, Math.Min(1, collision));
        return new ReadingResult(reading, verdicts, coverage, Complete) { InputsChecked = InputsChecked };
    }
}
