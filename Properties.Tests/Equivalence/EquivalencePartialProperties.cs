using FsCheck.Fluent;
using FsCheck.Xunit;
using FsCheck;
using Klp.Check.Equivalence;
using Klp.Check.Inputs;
using Klp.Check.Properties;
using Property = FsCheck.Property;

namespace Klp.Check.Tests.Equivalence;

/// <summary>
/// Merging <see cref="PairPartial"/>s of disjoint inputs, in any order and grouping (one run's
/// inputs, or shards merged by <c>merge</c>), keeps the evidence one run over every input keeps.
/// </summary>
public class EquivalencePartialProperties
{
    /// <summary>One input's lockstep result for a pair of readings: whether it tells them apart, with which features and trace length.</summary>
    public sealed record Evidence(int Index, bool Apart, InputFeatures Features, int Length, long States);

    // Few features and lengths, so that ties on both are common and the input index decides.
    private static readonly Gen<Evidence[]> inputs =
        from n in Gen.Choose(1, 10)
        from evidence in Gen.CollectToArray(Enumerable.Range(0, n), i =>
            from apart in Gen.Elements(true, false)
            from features in Gen.Elements(InputFeatures.None, InputFeatures.States)
            from length in Gen.Choose(1, 2)
            from states in Gen.Choose(1, 100)
            select new Evidence(i * 3, apart, features, length, states))
        select evidence;

    private static PairPartial Of(Evidence e) => e.Apart
        ? new PairPartial { Count = 1, Index = e.Index, Features = e.Features, Length = e.Length, States = e.States, Transitions = 2 * e.States }
        : new PairPartial { States = e.States, Transitions = 2 * e.States };

    private static PairPartial Merge(IEnumerable<PairPartial> parts)
    {
        var sum = new PairPartial();
        foreach (var p in parts) sum.Add(p);
        return sum;
    }

    [Property(MaxTest = 300)]
    public Property PairPartial_MergedInAnyOrderAndGrouping_KeepsTheFewestFeaturesThenShortestThenLowestIndex() =>
        Prop.ForAll(inputs.ToArbitrary(), Gen.Choose(0, int.MaxValue).ToArbitrary(), (evidence, seed) =>
        {
            var random = new Random(seed);
            var shuffled = evidence.OrderBy(_ => random.Next()).ToArray();
            var cut = random.Next(shuffled.Length + 1);
            // Two shards, each merged from its inputs in shuffled order, then merged in either order.
            var first = Merge(shuffled[..cut].Select(Of));
            var second = Merge(shuffled[cut..].Select(Of));
            var merged = random.Next(2) == 0 ? Merge([first, second]) : Merge([second, first]);

            var apart = evidence.Where(e => e.Apart).ToList();
            var best = apart.OrderBy(e => e.Features).ThenBy(e => e.Length).ThenBy(e => e.Index).FirstOrDefault();
            var want = (apart.Count, best?.Index ?? -1, best?.Features ?? InputFeatures.None, best?.Length ?? 0, evidence.Sum(e => e.States), evidence.Sum(e => 2 * e.States));
            var got = (merged.Count, merged.Index, merged.Features, merged.Length, merged.States, merged.Transitions);
            return (got == want).Label($"merged {got}, expected {want}")
                .Classify(apart.Count(e => e.Features == best?.Features && e.Length == best?.Length) > 1, "a tie the index breaks");
        });
}
