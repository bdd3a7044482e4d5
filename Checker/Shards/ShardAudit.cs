using Klp.Check.Conformance;
using Klp.Check.Engine;
using Klp.Check.Equivalence;
using Klp.Check.Inputs;
using Klp.Check.Model;
using Klp.Check.Properties;
using Klp.Check.Verdicts;

namespace Klp.Check.Shards;

/// <summary>One step of a run (compare and check have one): the bounds a sweep names it by, and its inputs.</summary>
/// <param name="Bounds">The step's bounds as a sweep shard writes them; null for compare and check.</param>
/// <param name="Source">The step's inputs.</param>
public sealed record RunStep(string? Bounds, InputSource Source);

/// <summary>The run that shards belong to, as merge rebuilt it from the recorded arguments and checked against their identity.</summary>
/// <param name="Kind">compare, check or sweep.</param>
/// <param name="Steps">The steps, in the order a sweep explores them; one for compare and check.</param>
/// <param name="Readings">The readings, in order.</param>
/// <param name="Properties">The properties, in order.</param>
/// <param name="Limits">The caps.</param>
public sealed record AuditedRun(string Kind, IReadOnlyList<RunStep> Steps, IReadOnlyList<Reading> Readings, IReadOnlyList<Property> Properties, ExploreLimits Limits)
{
    /// <summary>True when each shard carries an equivalence partial: a compare of two readings or more.</summary>
    public bool Compares => Kind == "compare" && Readings.Count > 1;

    /// <summary>Per step, the inputs of each of <paramref name="n"/> shards (<see cref="Shard.Shares"/>).</summary>
    public List<int>[][] Shares(int n) => [.. Steps.Select(s => Shard.Shares(s.Source, Readings[0], n))];
}

/// <summary>What merge checks of every shard before it counts anything: that each partial covers exactly the shard's share of the run's inputs under the run's readings and properties, with counts that can be true, and that every trace it reports replays.</summary>
/// <remarks>
/// What cannot be checked without running the inputs again: that a shard reported every violation it
/// met, and its sums (states, inputs where a property applies). <see cref="ShardRecheck"/> runs a
/// sample of inputs again for that (docs/scale-out.md, "What merge verifies").
/// </remarks>
public static class ShardAudit
{
    private const int AllFeatures = (int)(InputFeatures.SharedFunction | InputFeatures.States);

    // Every count a merge adds up stays below this, so that no sum of them overflows.
    private const double MaxTotal = 1L << 62;

    /// <summary>The first shard that did not finish (a partial that says <c>complete: false</c>) as one line, or null.</summary>
    public static string? Unfinished(IReadOnlyList<(string File, PartialResult Partial)> shards)
    {
        foreach (var (file, p) in shards)
        {
            var where = p.Readings.Select((r, i) => (r, $"readings[{i}]"))
                .Concat(p.Steps.SelectMany((s, t) => s.Readings.Select((r, i) => (r, $"steps[{t}].readings[{i}]"))))
                .FirstOrDefault(x => !x.r.Complete).Item2
                ?? (p.Equivalence is { Partitioned: false } or { Complete: false } ? "equivalence" : null);
            if (where is not null)
                return $"{file}: merge: shard {p.Shard} did not finish ({where} says complete: false), so nothing is merged: run shard {p.Shard} again";
        }
        return null;
    }

    /// <summary>Checks every shard against the run and replays every trace it reports; null when all pass, else one line <c>FILE: merge: where: what</c>.</summary>
    /// <param name="shards">Every shard, in shard order, each finished (<see cref="Unfinished"/>).</param>
    /// <param name="run">The run.</param>
    /// <param name="shares">Per step, the inputs of each shard (<see cref="AuditedRun.Shares"/>).</param>
    /// <param name="threads">Worker threads for the replays (0: all cores).</param>
    /// <param name="replayed">What was replayed, in words, for the summary line.</param>
    public static string? Check(IReadOnlyList<(string File, PartialResult Partial)> shards, AuditedRun run, List<int>[][] shares, int threads, out string replayed)
    {
        replayed = "";
        var claims = new ClaimReplay(run);
        double total = 0, seconds = 0;
        foreach (var (file, p) in shards)
        {
            var error = Structure(p, run, shares, claims, file, ref total, ref seconds);
            if (error is null && total > MaxTotal) error = "the counts of the shards add up past 2^62";
            if (error is null && seconds > 100 * PartialReader.MaxSeconds) error = $"the wall times of the shards add up past {100 * PartialReader.MaxSeconds:G3} s";
            if (error is not null) return $"{file}: merge: {error}";
        }
        var failure = claims.Run(threads);
        replayed = claims.Summary;
        return failure;
    }

    // The partials of one shard against the run's steps, readings and properties; null when they fit.
    private static string? Structure(PartialResult p, AuditedRun run, List<int>[][] shares, ClaimReplay claims, string file, ref double total, ref double seconds)
    {
        var n = run.Readings.Count;
        var sweep = run.Kind == "sweep";
        if (sweep && p.Readings.Count > 0) return $"readings: a sweep shard holds its readings in steps, and this one has {p.Readings.Count}";
        if (!sweep && p.Steps.Count > 0) return $"steps: a {run.Kind} shard has no steps, and this one has {p.Steps.Count}";
        if (run.Compares != p.Equivalence is not null)
            return run.Compares ? $"equivalence: missing, and the run compares {n} readings" : "equivalence: must be null, since the run compares no two readings";
        if (sweep && p.Steps.Count != run.Steps.Count) return $"steps: {p.Steps.Count} steps, and the run's ranges give {run.Steps.Count}";
        for (var t = 0; t < run.Steps.Count; t++)
        {
            var (where, readings) = sweep ? ($"steps[{t}]", p.Steps[t].Readings) : ("readings", p.Readings);
            if (sweep && p.Steps[t].Bounds != run.Steps[t].Bounds)
                return $"{where}.bounds: '{p.Steps[t].Bounds}', and the run's step {t + 1} is '{run.Steps[t].Bounds}'";
            if (readings.Count != n)
                return $"{(sweep ? where + ".readings" : "readings")}: {readings.Count} reading partials, and the run's identity names {Words.Count(n, "reading")}";
            var step = new StepShare(run.Steps[t].Source, shares[t][p.Shard.K - 1], p.Shard);
            for (var r = 0; r < n; r++)
            {
                var at = sweep ? $"{where}.readings[{r}]" : $"readings[{r}]";
                if (Reading(readings[r], at, step, run.Readings[r], run, claims, file) is { } error) return error;
                total += Sum(readings[r]);
                seconds += readings[r].Elapsed.TotalSeconds;
            }
            if (p.Equivalence is { } e)
            {
                if (Equivalence(e, step, run, claims, file) is { } error) return error;
                total += e.PhaseStates + e.PhaseTransitions + e.Joined.Sum(x => (double)x) + e.Pairs.Sum(q => q is null ? 0 : (double)q.States + q.Transitions);
                seconds += e.Elapsed.TotalSeconds;
            }
        }
        return null;
    }

    // One shard's share of one step's inputs.
    private sealed record StepShare(InputSource Source, List<int> Inputs, Shard Shard)
    {
        public HashSet<int> Set { get; } = [.. Inputs];

        public string Of => $"shard {Shard}";
    }

    private static double Sum(ReadingPartial p) =>
        (double)p.States + p.Transitions + p.Accepted.Sum(x => (double)x) + p.Refused.Sum(x => (double)x)
        + p.Properties.Sum(q => q is null ? 0 : (double)q.Frontier) + p.Cut.Sum(c => (double)c.Frontier);

    private static string? Reading(ReadingPartial p, string where, StepShare step, Reading reading, AuditedRun run, ClaimReplay claims, string file)
    {
        var invariants = run.Properties;
        var count = step.Inputs.Count;
        if (p.Properties.Length != invariants.Count)
            return $"{where}.properties: {p.Properties.Length} entries, and the run's identity names {invariants.Count} properties";
        if (p.InputsChecked != count) return $"{where}.inputsChecked: {p.InputsChecked}, and {step.Of} has {Words.Count(count, "input")}";
        if (p.Catalogs != count) return $"{where}.catalogs: {p.Catalogs}, and {step.Of} has {Words.Count(count, "input")}";
        if (p.States < count) return $"{where}.states: {p.States}, fewer than one per input";
        if (p.MaxDepth > run.Limits.DepthCap) return $"{where}.maxDepth: {p.MaxDepth}, deeper than the run's {run.Limits.DepthCapText}";
        if (p.Refused[0] != 0) return $"{where}.refused[0]: counts refusals without a reason";
        if (Cuts([.. p.Cut.Select(c => (c.Index, c.Cap))], $"{where}.cut", step, run.Limits) is { } cutError) return cutError;
        if (p.Collisions.Count > 0 && !run.Limits.Fingerprints) return $"{where}.collisions: the run de-duplicates states exactly, so no collision is possible";
        if (Inputs(p.Collisions.Select(c => c.Index), $"{where}.collisions", step) is { } collisionError) return collisionError;
        var cut = p.Cut.ToDictionary(c => c.Index, c => (c.Cap, c.Frontier));
        for (var k = 0; k < invariants.Count; k++)
        {
            var inv = invariants[k];
            var at = $"{where}.properties[{k}]";
            var applies = inv.NotApplicable(reading) is null;
            if (p.Properties[k] is not { } q)
            {
                if (applies) return $"{at}: null, but {inv.Id} applies to {reading.DisplayName}";
                continue;
            }
            if (!applies) return $"{at}: {inv.Id} does not apply to {reading.DisplayName}, so it must be null";
            if (Property(q, at, inv, reading, cut, p, step) is { } error) return error;
            if (q.Best is { } b) claims.Add(file, $"{at}.best", step.Source, reading, inv, b);
        }
        return null;
    }

    private static string? Property(PropertyPartial q, string at, Property inv, Reading reading, Dictionary<int, (string Cap, long Frontier)> cut, ReadingPartial p, StepShare step)
    {
        if (q.Applicable > step.Inputs.Count) return $"{at}.applicable: {q.Applicable}, and {step.Of} has {Words.Count(step.Inputs.Count, "input")}";
        if (q.Undecided > q.Applicable) return $"{at}.undecided: {q.Undecided}, more than the {q.Applicable} inputs it applies to";
        if (q.Cases > q.Applicable || !q.Tracked && q.Cases > 0) return $"{at}.cases: {q.Cases}, with {q.Applicable} applicable inputs and tracked {q.Tracked.ToString().ToLowerInvariant()}";
        if (q.Undecided > cut.Count) return $"{at}.undecided: {q.Undecided}, and a cap cut only {cut.Count} inputs";
        if ((q.Undecided == 0) != (q.FirstUndecided < 0) || (q.FirstCap is null) != (q.FirstUndecided < 0))
            return $"{at}: undecided {q.Undecided}, firstUndecided {q.FirstUndecided} and firstCap disagree";
        if (q.FirstUndecided >= 0 && (!cut.TryGetValue(q.FirstUndecided, out var first) || first.Cap != q.FirstCap))
            return $"{at}.firstUndecided: input {q.FirstUndecided + 1} was not cut by '{q.FirstCap!}'";
        // The undecided inputs are cut ones: their frontier is part of the cut inputs', their
        // features include those every one of them has.
        if (q.Frontier > cut.Values.Sum(c => (double)c.Frontier)) return $"{at}.frontier: {q.Frontier} frontier states, more than the cut inputs have";
        if (q.Undecided == 0 && q.Frontier != 0) return $"{at}.frontier: {q.Frontier} frontier states, and no input is undecided";
        if (q.Undecided == 0 ? (int)q.UndecidedFeatures != AllFeatures : (q.UndecidedFeatures & ~step.Source.Features(q.FirstUndecided)) != 0)
            return $"{at}.undecidedFeatures: {(int)q.UndecidedFeatures}, " + (q.Undecided == 0 ? "and no input is undecided" : $"features the undecided input {q.FirstUndecided + 1} does not have");
        if (q.Best is not { } b)
            return (int)q.Needed == AllFeatures ? null : $"{at}.needed: {(int)q.Needed}, and without a best trace no input violates {inv.Id}";
        if (!step.Set.Contains(b.Index)) return $"{at}.best.index: input {b.Index + 1} is not one of {step.Of}";
        var features = inv.IsWitness ? InputFeatures.None : step.Source.Features(b.Index);
        if (b.Features != features) return $"{at}.best.features: {(int)b.Features}, and input {b.Index + 1} has {(int)features}";
        if ((q.Needed & ~b.Features) != 0) return $"{at}.needed: {(int)q.Needed}, features the best input {b.Index + 1} does not have";
        if (q.Applicable == 0) return $"{at}: a best trace on input {b.Index + 1}, and no input it applies to";
        // A shortest trace ends at or one step past a state no deeper than the deepest explored, plus the completing step of two-phase mode.
        if (b.Trace.Count > p.MaxDepth + 2) return $"{at}.best.trace: {b.Trace.Count} operations, and the deepest state explored is at depth {p.MaxDepth}";
        var catalog = step.Source.CatalogFor(b.Index, reading);
        var alphabet = Alphabet.For(catalog, reading.Options.Granularity);
        for (var j = 0; j < b.Trace.Count; j++)
            if (Array.IndexOf(alphabet, b.Trace[j]) < 0) return $"{at}.best.trace[{j}]: not an operation explored on input {b.Index + 1}";
        return null;
    }

    private static string? Equivalence(EquivalencePartial e, StepShare step, AuditedRun run, ClaimReplay claims, string file)
    {
        var n = run.Readings.Count;
        if (e.Readings != n) return $"equivalence.readings: {e.Readings}, and the run's identity names {n} readings";
        for (var s = 0; s < n * n; s++)
            if (e.Apart[s] && s / n >= s % n) return $"equivalence.apart: character {s + 1} is no pair of readings x < y";
        if (e.Joined[0] != 0) return "equivalence.joined[0]: the first reading joins no earlier block";
        if (Cuts(e.Cut, "equivalence.cut", step, run.Limits) is { } cutError) return cutError;
        // One shard of several runs the lockstep for every pair some input puts in different blocks;
        // the only shard, for the pairs of its class representatives.
        var representatives = new List<int>();
        for (var r = 0; r < n; r++)
            if (step.Shard.N > 1 || representatives.TrueForAll(x => e.Apart[x * n + r])) representatives.Add(r);
        for (var s = 0; s < n * n; s++)
        {
            var (x, y, at) = (s / n, s % n, $"equivalence.pairs[{s}]");
            var needed = e.Apart[s] && representatives.Contains(x) && representatives.Contains(y);
            if (e.Pairs[s] is not { } q)
            {
                if (needed) return $"{at}: missing, and some input puts {run.Readings[x].DisplayName} and {run.Readings[y].DisplayName} in different blocks";
                continue;
            }
            if (!e.Apart[s]) return $"{at}: no input puts {run.Readings[x].DisplayName} and {run.Readings[y].DisplayName} in different blocks, so the lockstep never ran";
            if (q.Count > step.Inputs.Count) return $"{at}: {q.Count} distinguishing inputs, and {step.Of} has {step.Inputs.Count}";
            if ((q.Index >= 0) != (q.Count > 0)) return $"{at}: {q.Count} distinguishing inputs, and best input {q.Index + 1}";
            if (q.Index < 0)
            {
                if (q.Length != 0 || q.Features != InputFeatures.None) return $"{at}: a trace length or features without a distinguishing input";
                continue;
            }
            if (!step.Set.Contains(q.Index)) return $"{at}: input {q.Index + 1} is not one of {step.Of}";
            if (q.Features != step.Source.Features(q.Index)) return $"{at}: features {(int)q.Features}, and input {q.Index + 1} has {(int)step.Source.Features(q.Index)}";
            if (q.Length < 1) return $"{at}: a distinguishing trace of no operation";
            claims.Add(file, at, step.Source, run.Readings, x, y, q);
        }
        return null;
    }

    private static string? Cuts(List<(int Index, string Cap)> cuts, string where, StepShare step, ExploreLimits limits)
    {
        foreach (var (i, cap) in cuts)
            if (cap != limits.StateCapText && cap != limits.DepthCapText)
                return $"{where}: input {i + 1} cut by '{cap}', which is not a cap of this run ({limits.StateCapText}; {limits.DepthCapText})";
        return Inputs(cuts.Select(c => c.Index), where, step);
    }

    // Indices that must be distinct inputs of the shard.
    private static string? Inputs(IEnumerable<int> indices, string where, StepShare step)
    {
        var seen = new HashSet<int>();
        foreach (var i in indices)
        {
            if (!step.Set.Contains(i)) return $"{where}: input {i + 1} is not one of {step.Of}";
            if (!seen.Add(i)) return $"{where}: input {i + 1} appears twice";
        }
        return null;
    }
}
