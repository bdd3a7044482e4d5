using Klp.Check.Engine;
using Klp.Check.Inputs;
using Klp.Check.Model;
using Klp.Check.Properties;
using Klp.Check.Verdicts;

namespace Klp.Check.Comparison;

/// <summary>The verdict matrix over release plans with one exploration per class of plans that differ only in where their customer releases stand
/// (<see cref="PlanSymmetry"/>): what <see cref="Comparer.Run"/> gives over every plan, without the replays.</summary>
/// <remarks>
/// The plans of a class give the same graph with the patch indices renamed, so one plan speaks for
/// all of them: the class's first plan is explored and what it found counts once per plan of the
/// class (the inputs with a finding, the cases, the states, transitions, operations). Its traces
/// are the class's: a plan's features, and the length of the shortest trace a property finds,
/// are the same in every plan of a class, and the first plan has the lowest index, which is how
/// one run over every plan breaks a tie (docs/sweep.md, "Plans that differ only in where the
/// customers stand"). Where the answer could depend on which states a cap cut off, or on
/// fingerprints, every plan is explored.
/// </remarks>
public static class SymmetricComparer
{
    /// <summary>The matrix over every input of <paramref name="source"/>, one exploration per class where the source has classes; stops early (Complete = false) when cancelled.</summary>
    public static ComparisonResult Run(InputSource source, IReadOnlyList<Reading> readings, IReadOnlyList<Property> invariants,
        ExploreLimits limits, int threads = 0, CancellationToken cancel = default, Action<string>? progress = null)
    {
        if (limits.Fingerprints || source.Representatives is not { } first)
            return Comparer.Run(source, readings, invariants, limits, [], threads, cancel, progress);
        var size = new int[source.Count];
        foreach (var r in first) size[r]++;
        // The classes' first plans, grouped by how many plans each speaks for, each group in index order.
        var groups = Enumerable.Range(0, source.Count).Where(i => size[i] > 0).GroupBy(i => size[i]).OrderBy(g => g.Key)
            .Select(g => (Plans: g.Key, Inputs: (IReadOnlyList<int>)[.. g])).ToList();
        var classes = groups.Sum(g => g.Inputs.Count);
        var partials = new List<ReadingPartial>();
        for (var k = 0; k < readings.Count; k++)
        {
            var label = $"reading {k + 1}/{readings.Count} ({readings[k].DisplayName})";
            ReadingPartial? sum = null;
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
            partials.Add(sum!);
            if (!sum!.Complete) break;
        }
        // A cap cuts a level part way, at a point that depends on the order of the patches: which
        // states it kept, and so the verdicts, may differ between the plans of a class.
        if (partials.All(p => p.Complete) && partials.Any(p => p.Cut.Count > 0))
            return Comparer.Run(source, readings, invariants, limits, [], threads, cancel, progress);
        return Comparer.Finish(source, readings, invariants, partials, []);
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
