using Klp.Check.Engine;
using Klp.Check.Inputs;
using Klp.Check.Model;
using Klp.Check.Properties;
using Klp.Check.Verdicts;

namespace Klp.Check.Comparison;

/// <summary>The verdict matrix over release plans with one exploration per class of plans that differ only in where their customer releases stand
/// (<see cref="PlanSymmetry"/>), and none for a class an earlier run of the same instance explored at smaller bounds: what <see cref="Comparer.Run"/>
/// gives over every plan, without the replays.</summary>
/// <remarks>
/// The plans of a class give the same graph with the patch indices renamed, so one plan speaks for
/// all of them: the class's first plan is explored and what it found counts once per plan of the
/// class (the inputs with a finding, the cases, the states, transitions, operations). Its traces
/// are the class's: a plan's features, and the length of the shortest trace a property finds,
/// are the same in every plan of a class, and the first plan has the lowest index, which is how
/// one run over every plan breaks a tie (docs/sweep.md, "Plans that differ only in where the
/// customers stand"). Where the answer could depend on which states a cap cut off, or on
/// fingerprints, every plan is explored.
/// <para>
/// Bounds that are at least as large in every key hold every plan of smaller ones (the other
/// settings equal), whole classes of them, in the same order: a sweep's later steps take what an
/// earlier step found over its classes, with its traces' inputs renumbered, and explore the rest.
/// </para>
/// </remarks>
/// <param name="readings">The readings, in order.</param>
/// <param name="invariants">The properties.</param>
/// <param name="limits">The caps.</param>
/// <param name="threads">Worker threads (0: all cores); the results do not depend on it.</param>
/// <param name="cancel">Stops the run; the result is then incomplete.</param>
public sealed class SymmetricComparer(IReadOnlyList<Reading> readings, IReadOnlyList<Property> invariants, ExploreLimits limits, int threads = 0,
    CancellationToken cancel = default)
{
    // A finished run over bounds whose classes were all explored without a cut: per reading what
    // its classes found, the plans of its classes' first inputs, and the plans its traces come from.
    private sealed record Explored(BoundsSpace Bounds, IReadOnlyList<ReadingPartial> Partials, IReadOnlyList<string> Firsts, IReadOnlyDictionary<int, string> TraceInputs);

    private readonly List<Explored> explored = [];

    /// <summary>The matrix over every input of <paramref name="source"/>, one exploration per class where the source has classes; stops early (Complete = false) when cancelled.</summary>
    public static ComparisonResult Run(InputSource source, IReadOnlyList<Reading> readings, IReadOnlyList<Property> invariants,
        ExploreLimits limits, int threads = 0, CancellationToken cancel = default, Action<string>? progress = null) =>
        new SymmetricComparer(readings, invariants, limits, threads, cancel).Run(null, source, progress);

    /// <summary>The matrix over every input of <paramref name="source"/>, the inputs within <paramref name="bounds"/> (null: unknown, nothing is taken from earlier runs);
    /// one exploration per class not explored by an earlier run at smaller bounds; stops early (Complete = false) when cancelled.</summary>
    public ComparisonResult Run(BoundsSpace? bounds, InputSource source, Action<string>? progress = null)
    {
        if (limits.Fingerprints || source.Representatives is not { } first)
            return Comparer.Run(source, readings, invariants, limits, [], threads, cancel, progress);
        var size = new int[source.Count];
        foreach (var r in first) size[r]++;
        var (earlier, taken) = bounds is null ? (null, new Dictionary<string, int>()) : Earlier(bounds, source, size);
        // The classes' first plans not explored before, grouped by how many plans each speaks for, each group in index order.
        var skip = taken.Values.ToHashSet();
        var groups = Enumerable.Range(0, source.Count).Where(i => size[i] > 0 && !skip.Contains(i)).GroupBy(i => size[i]).OrderBy(g => g.Key)
            .Select(g => (Plans: g.Key, Inputs: (IReadOnlyList<int>)[.. g])).ToList();
        var classes = groups.Sum(g => g.Inputs.Count);
        var partials = new List<ReadingPartial>();
        for (var k = 0; k < readings.Count; k++)
        {
            var label = $"reading {k + 1}/{readings.Count} ({readings[k].DisplayName})";
            var sum = earlier is null ? null : Renumbered(earlier.Partials[k], earlier.TraceInputs, taken);
            var before = 0;
            foreach (var (plans, inputs) in groups)
            {
                var offset = before;
                var p = Verifier.Check(source, readings[k], invariants, limits, inputs, threads, cancel,
                    n => { if ((offset + n) % 64 == 0 || offset + n == classes) progress?.Invoke($"{label}: {offset + n}/{classes} classes of {source.Count} inputs"); });
                Scale(p, plans);
                before += inputs.Count;
                if (sum is null) sum = p;
                else sum.Add(p);
                if (!p.Complete) break;
            }
            // A source whose every class was explored before.
            sum ??= Verifier.Check(source, readings[k], invariants, limits, [], threads, cancel);
            partials.Add(sum);
            if (!sum.Complete) break;
        }
        if (partials.Count == readings.Count && partials.All(p => p.Complete))
        {
            // A cap cuts a level part way, at a point that depends on the order of the patches:
            // which states it kept, and so the verdicts, may differ between the plans of a class.
            if (partials.Any(p => p.Cut.Count > 0))
                return Comparer.Run(source, readings, invariants, limits, [], threads, cancel, progress);
            if (bounds is not null) Remember(bounds, source, first, partials);
        }
        return Comparer.Finish(source, readings, invariants, partials, []);
    }

    // The earlier run with the most classes whose bounds lie within these (the other settings
    // equal), and where each of its classes' first plans stands in this source: its own first
    // plan, since a class has the same plans in both sources and the two list them in one order.
    private (Explored?, Dictionary<string, int>) Earlier(BoundsSpace bounds, InputSource source, int[] size)
    {
        var within = explored.Where(e => e.Bounds.IsRaw == bounds.IsRaw && bounds.Keys.All(k => e.Bounds.Value(k.Name) <= bounds.Value(k.Name))
                && bounds.Keys.Aggregate(e.Bounds, (b, k) => b.With(k.Name, bounds.Value(k.Name))).ToString() == bounds.ToString())
            .MaxBy(e => e.Firsts.Count);
        if (within is null) return (null, []);
        var here = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < size.Length; i++)
            if (size[i] > 0) here[source.Describe(i)] = i;
        var taken = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var plan in within.Firsts)
        {
            if (!here.TryGetValue(plan, out var i)) return (null, []);
            taken[plan] = i;
        }
        return (within, taken);
    }

    private void Remember(BoundsSpace bounds, InputSource source, IReadOnlyList<int> first, IReadOnlyList<ReadingPartial> partials)
    {
        var traces = new Dictionary<int, string>();
        foreach (var p in partials)
            foreach (var q in p.Properties)
                if (q?.Best is { } b) traces[b.Index] = source.Describe(b.Index);
        explored.Add(new Explored(bounds, partials, [.. first.Distinct().Select(source.Describe)], traces));
    }

    // A copy of an earlier run's partial with its traces' inputs numbered as in this source.
    private static ReadingPartial Renumbered(ReadingPartial earlier, IReadOnlyDictionary<int, string> traceInputs, Dictionary<string, int> taken)
    {
        var copy = new ReadingPartial { Properties = [.. earlier.Properties.Select(p => p is null ? null : new PropertyPartial())] };
        copy.Add(earlier);
        foreach (var q in copy.Properties)
            if (q?.Best is { } b) q.Best = b with { Index = taken[traceInputs[b.Index]] };
        return copy;
    }

    // What the first plans of classes of `plans` plans each found, counted once per plan.
    private static void Scale(ReadingPartial p, int plans)
    {
        if (plans == 1) return;
        foreach (var q in p.Properties)
        {
            if (q is null) continue;
            q.Applicable *= plans;
            q.Undecided *= plans;
            q.Frontier *= plans;
            q.Cases *= plans;
        }
        p.InputsChecked *= plans;
        p.Catalogs *= plans;
        p.States *= plans;
        p.Transitions *= plans;
        for (var a = 0; a < p.Accepted.Length; a++) p.Accepted[a] *= plans;
        for (var r = 0; r < p.Refused.Length; r++) p.Refused[r] *= plans;
    }
}
