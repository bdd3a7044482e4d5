using FsCheck.Fluent;
using FsCheck.Xunit;
using FsCheck;
using Klp.Check.Conformance;
using Klp.Check.Engine;
using Klp.Check.Explore;
using Klp.Check.Model;
using Klp.Check.Properties;
using Klp.Check.Scenarios;
using Property = FsCheck.Property;
using static Klp.Check.Tests.Explore.ExploreFixtures;

namespace Klp.Check.Tests.Explore;

/// <summary>"Save as scenario" on generated traces: the file replays with every expectation holding, under every reading, in both modes.</summary>
public class ExploreScenarioProperties
{
    /// <summary>A trace to explore: a shipped catalog, a mode, and operations drawn from the catalog's alphabet.</summary>
    public sealed record Walk(ExploreCatalog Catalog, Granularity Mode, IReadOnlyList<Operation> Ops)
    {
        /// <inheritdoc/>
        public override string ToString() => $"{Catalog.Id} {Mode}: {UrlTrace.Format(Catalog.Any, Ops)}";
    }

    /// <summary>Walks over every shipped catalog, up to 12 operations each (loads with the catalog's add_sets values included).</summary>
    public static Gen<Walk> Walks() =>
        from catalog in Gen.Elements(Shipped.Catalogs.ToArray())
        from mode in Gen.Elements(Granularity.Atomic, Granularity.TwoPhase)
        let alphabet = Alphabet.For(catalog.Any, mode)
        from length in Gen.Choose(0, 12)
        from ops in Gen.ListOf(Gen.Elements(alphabet), length)
        select new Walk(catalog, mode, ops);

    private static ExploreQuery Query(Walk walk)
    {
        var request = new ExploreRequest(walk.Catalog.Id, [.. Readings.All.Select(r => r.Name)], ReadingOptionText.ModeName(walk.Mode), UrlTrace.Format(walk.Catalog.Any, walk.Ops));
        return ExploreQuery.Resolve(Shipped, request, out var error) ?? throw new InvalidOperationException(error);
    }

    [Property(MaxTest = 60)]
    public Property SavedScenario_GeneratedWalk_ReplaysWithEveryExpectationHolding() =>
        Prop.ForAll(Walks().ToArbitrary(), walk =>
        {
            var q = Query(walk);
            var text = ExploreScenario.Text(q, 0)!;
            var scenario = ScenarioParser.Parse(text, "saved.klp");
            var replay = Replayer.Run(scenario, Replayer.Columns(scenario, null, null));
            var checkedPerStep = Readings.All.Count * 2;
            return (replay.Failures.Count == 0).Label("every expectation holds: " + string.Join("; ", replay.Failures.Take(3).Select(f => $"{f.Reading.DisplayName} line {f.Expectation.Line}: expected '{f.Expectation.Text}', got '{f.Actual}'")))
                .And((replay.Checked >= walk.Ops.Count * checkedPerStep).Label($"every reading checks an outcome and a state after each step ({replay.Checked})"))
                .Classify(walk.Mode == Granularity.TwoPhase, "two-phase")
                .Classify(walk.Ops.Count == 0, "empty trace");
        });

    [Property(MaxTest = 60)]
    public Property UrlTrace_GeneratedWalk_ParsesBackToTheSameOperations() =>
        Prop.ForAll(Walks().ToArbitrary(), walk =>
        {
            var ops = UrlTrace.Parse(UrlTrace.Format(walk.Catalog.Any, walk.Ops), walk.Catalog.Any, out var extra, out var error);
            return (ops is not null && ops.SequenceEqual(walk.Ops) && extra.Count == 0).Label($"round trip ({error})");
        });

    [Fact]
    public void SavedScenario_EveryShippedTimelineUnderEveryReading_ReplaysWithEveryExpectationHolding()
    {
        foreach (var catalog in Shipped.Catalogs)
            foreach (var mode in new[] { Granularity.Atomic, Granularity.TwoPhase })
            {
                var q = Query(new Walk(catalog, mode, catalog.Timeline));
                var scenario = ScenarioParser.Parse(ExploreScenario.Text(q, 0)!, "saved.klp");

                var replay = Replayer.Run(scenario, Replayer.Columns(scenario, null, null));

                Assert.True(replay.Failures.Count == 0, $"{catalog.Id} {mode}: {string.Join("; ", replay.Failures.Select(f => $"{f.Reading.DisplayName}: {f.Expectation.Text} / {f.Actual}"))}");
            }
    }
}
