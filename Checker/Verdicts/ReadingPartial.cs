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
    public bool Before(Candidate? other) => other is null || InputOrder.Before(Features, Length, Index, other.Features, other.Length, other.Index);
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

/// <summary>One reading checked over some inputs of a source (<see cref="Verifier.Check"/> makes it): per property what the verdict needs, plus coverage sums; partials of disjoint inputs (shards) merge into the result of one run over all of them.</summary>
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
    public ReadingResult Finish(InputSource source, Reading reading, IReadOnlyList<Property> invariants)
    {
        var verdicts = new List<Verdict>();
        var bound = $"{source.Kind} {source.Bound}";
        for (var k = 0; k < invariants.Count; k++)
        {
            var inv = invariants[k];
            if (Properties[k] is not { } p)
            {
                verdicts.Add(Verdict.NotApplicable(inv, reading, inv.NotApplicable(reading) ?? ""));
                continue;
            }
            if (p.Applicable == 0)
            {
                verdicts.Add(Verdict.NotApplicable(inv, reading, $"no input gives it anything to check ({bound})"));
                continue;
            }
            var cut = $"{Words.Count(p.Undecided, "input")} cut by {p.FirstCap}, {Words.Count(p.Frontier, "frontier state")}";
            if (p.Best is { } b)
            {
                var trace = new Trace(source.CatalogFor(b.Index, reading), reading, b.Trace);
                trace.End();
                var features = !inv.IsWitness && source.Count > 1 ? p.Needed : InputFeatures.None;
                // The letters say the violation needs those features; an input without them that a
                // cap cut may hold a violation in its unexplored part.
                var open = p.Undecided > 0 && (features & ~p.UndecidedFeatures) != 0;
                verdicts.Add(Verdict.Found(inv, trace, open ? $"{b.Message} (the letters are not established: {cut}, some without them)" : b.Message,
                    source.Describe(b.Index), features) with { Cap = open ? p.FirstCap : null, FrontierStates = open ? p.Frontier : 0 });
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
                verdicts.Add(Verdict.Inconclusive(inv, reading, $"{what}; {cut} ({Words.Count(p.Applicable, "input")}, {States} states)")
                    with { Cap = p.FirstCap, FrontierStates = p.Frontier });
            }
            else if (inv.IsWitness)
                verdicts.Add(Verdict.Violated(inv, reading, $"never reached: vacuous within {bound}, {States} states"));
            else
            {
                var detail = $"{Words.Count(p.Applicable, "input")}, {States} states";
                if (p.Tracked && p.Cases == 0)
                    verdicts.Add(Verdict.Holds(inv, reading, $"vacuously: its case never happens ({detail})") with { Vacuous = true });
                else
                    verdicts.Add(Verdict.Holds(inv, reading, p.Tracked ? $"{detail}; its case happens in {p.Cases} inputs" : detail));
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
