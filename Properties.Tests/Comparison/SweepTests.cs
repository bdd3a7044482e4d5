using Klp.Check.Comparison;
using Klp.Check.Conformance;
using Klp.Check.Engine;
using Klp.Check.Inputs;
using Klp.Check.Model;
using Klp.Check.Properties;
using Klp.Check.Verdicts;

namespace Klp.Check.Tests.Comparison;

public class SweepTests
{
    private static readonly BoundsSpace defaults = BoundsSpace.Of(new PlanBounds());

    private static SweepStep Step(int releases, double seconds)
    {
        var at = defaults.With("releases", releases);
        var result = new ComparisonResult(at.Source(), [], [], [], true, TimeSpan.Zero);
        return new SweepStep(new SweepPoint($"releases={releases}", at), result, TimeSpan.FromSeconds(seconds), false);
    }

    [Fact]
    public void DimensionsOf_TwoRanges_OneKeyAtATimeAtTheBaseThenBothTogether()
    {
        var dimensions = SweepDimension.Of(defaults, [new SweepRange("releases", 1, 3), new SweepRange("hotfixes", 0, 1)]);

        Assert.Equal(["releases", "hotfixes", "all"], dimensions.Select(d => d.Name));
        Assert.Equal(["releases=1", "releases=2", "releases=3"], dimensions[0].Points.Select(p => p.Label));
        Assert.All(dimensions[0].Points, p => Assert.Equal(2, p.Bounds.Value("hotfixes")));
        Assert.All(dimensions[1].Points, p => Assert.Equal(4, p.Bounds.Value("releases")));
        // The shorter range stays at its last value once exhausted.
        Assert.Equal(["releases=1,hotfixes=0", "releases=2,hotfixes=1", "releases=3,hotfixes=1"], dimensions[2].Points.Select(p => p.Label));
    }

    [Fact]
    public void DefaultRange_FromTheSmallestValueToOnePastTheBaseTwoForReleases_CappedAtTheLargest()
    {
        Assert.Equal(new SweepRange("releases", 1, 6), SweepRange.Default(PlanBounds.Keys[0], defaults));
        Assert.Equal(new SweepRange("releases", 1, 8), SweepRange.Default(PlanBounds.Keys[0], defaults.With("releases", 7)));
        Assert.Equal(new SweepRange("patches", 1, 4), SweepRange.Default(RawBounds.Keys[0], BoundsSpace.Of(new RawBounds(), reduce: true)));
        Assert.Equal(new SweepRange("customers", 0, 2), SweepRange.Default(PlanBounds.Keys[1], defaults));
        Assert.Equal(new SweepRange("releases", 1, 8), SweepRange.Default(PlanBounds.Keys[0], defaults.With("releases", 8)));
    }

    [Fact]
    public void Extrapolate_TwoSteps_LastCostPerInputTimesItsGrowthTimesTheNextInputs()
    {
        // releases=1 has 5 inputs and releases=2 has 38: 1 s, then 2 s per input.
        var steps = new[] { Step(1, 5), Step(2, 76) };
        var next = defaults.With("releases", 3);

        var estimate = SweepBudget.Extrapolate(new SweepEstimateInput(steps, steps[1], new SweepPoint("releases=3", next), 257));

        Assert.Equal(2.0 * 2.0 * 257, estimate!.Value, 6);
    }

    [Fact]
    public void Extrapolate_NoStepYet_KnowsNothing() =>
        Assert.Null(SweepBudget.Extrapolate(new SweepEstimateInput([], null, new SweepPoint("releases=1", defaults.With("releases", 1)), 5)));

    [Fact]
    public void Run_EstimatorSaysTheThirdStepPassesTheBudget_StopsTheDimensionBeforeIt()
    {
        var dimensions = SweepDimension.Of(defaults, [new SweepRange("releases", 1, 4)]);
        var budget = new SweepBudget(1_000, e => e.Next.Bounds.Value("releases") >= 3 ? 10_000 : 0);

        var result = Sweeper.Run(defaults, dimensions, [Readings.Upstream], [PropertyRegistry.Find("no-shared-function")!], new ExploreLimits(), budget);

        var d = Assert.Single(result.Dimensions);
        Assert.Equal(["releases=1", "releases=2"], d.Steps.Select(s => s.Point.Label));
        Assert.Equal("releases=3", d.Stopped!.Before.Label);
        Assert.Equal(10_000, d.Stopped.Estimate);
        Assert.True(result.Complete);
    }

    // The default raw ranges end, all together, at bounds of more raw catalogs than an index
    // counts: the dimension stops before that step, as the budget stops one, and says why.
    [Fact]
    public void Run_AStepTooLargeToEnumerate_StopsTheDimensionBeforeIt()
    {
        // 123,840 catalogs of one patch, unreduced; 1.5 x 10^10 of two.
        var at = BoundsSpace.Of(new RawBounds(Patches: 1, Numbers: 6, Sets: 4, Functions: 4, States: true), reduce: false);
        var dimensions = SweepDimension.Of(at, [new SweepRange("patches", 1, 3)]);
        var explored = new List<string>();

        var result = Sweeper.Run(at, dimensions, [Readings.Flat], [PropertyRegistry.Find("one-per-set")!], new ExploreLimits(),
            explore: (point, source) =>
            {
                explored.Add(point.Label);
                return Comparer.Run(source, [Readings.Flat], [PropertyRegistry.Find("one-per-set")!], new ExploreLimits(), [], 1);
            }, budget: null);

        var d = Assert.Single(result.Dimensions);
        Assert.Equal(["patches=1"], explored);
        Assert.Equal(["patches=1"], d.Steps.Select(s => s.Point.Label));
        Assert.Equal("patches=2", d.Stopped!.Before.Label);
        Assert.Equal("too-many-catalogs", d.Stopped.Reason);
        Assert.Contains("more than 2147483647 raw catalogs", d.Stopped.TooMany);
        Assert.True(result.Complete);
        Assert.Contains("1 dimension stopped before a step with too many inputs to enumerate", Klp.Check.Reports.SweepReport.Closing(result));
        Assert.Contains("stopped before patches=2: the bounds patches=2,", Klp.Check.Reports.SweepReport.Text(result).Replace("\n  ", " "));
    }

    [Fact]
    public void Steps_AStepTooLargeToEnumerate_EndsItsDimensionAsRunDoes()
    {
        // Regression: merge built the inputs of every step of every dimension, and the shards of
        // `sweep --raw` (whose default ranges end past what can be enumerated) made it throw.
        var at = BoundsSpace.Of(new RawBounds(Patches: 1, Numbers: 6, Sets: 4, Functions: 4, States: true), reduce: false);
        var dimensions = SweepDimension.Of(at, [new SweepRange("patches", 1, 3), new SweepRange("numbers", 5, 6)]);
        var explored = new List<string>();

        Sweeper.Run(at, dimensions, [Readings.Flat], [], new ExploreLimits(), explore: (point, source) =>
        {
            explored.Add(point.Bounds.ToString());
            return new ComparisonResult(source, [], [], [], true, TimeSpan.Zero);
        });
        var steps = Sweeper.Steps(at, dimensions);

        Assert.Equal(explored, steps.Select(s => s.Point.Bounds.ToString()));
        // numbers=6 and the first step of all are bounds met before; the second step of all has two patches.
        Assert.Equal(["patches=1", "numbers=5"], steps.Select(s => s.Point.Label));
        Assert.All(steps, s => Assert.Equal(s.Point.Bounds.Source().Count, s.Source.Count));
    }

    [Fact]
    public void Run_CancelledAfterTheFirstStep_KeepsItAndNamesTheStepLost()
    {
        using var cts = new CancellationTokenSource();
        var dimensions = SweepDimension.Of(defaults, [new SweepRange("releases", 1, 3)]);

        var result = Sweeper.Run(defaults, dimensions, [Readings.Upstream], [PropertyRegistry.Find("no-shared-function")!], new ExploreLimits(),
            cancel: cts.Token, stepDone: _ => cts.Cancel());

        Assert.False(result.Complete);
        Assert.Equal("releases=2", result.Interrupted!.Label);
        Assert.Equal(["releases=1"], Assert.Single(result.Dimensions).Steps.Select(s => s.Point.Label));
        Assert.Contains("interrupted during releases=2, the finished steps are kept", Klp.Check.Reports.SweepReport.Closing(result));
    }

    [Fact]
    public void Cell_VerdictFlipsBack_SinceIsTheStartOfTheLastRun()
    {
        var holds = Verdict.Holds(PropertyRegistry.Find("one-per-set")!, Readings.Upstream, "");
        var violated = Verdict.Violated(holds.Property, Readings.Upstream, "");
        var cell = new SweepCell(Readings.Upstream, holds.Property, [holds, violated, holds, holds]);

        Assert.Equal(2, cell.Since);
        Assert.True(cell.Settled);
        Assert.False(cell.Unchanged);
        Assert.Equal([("holds", 0, 0), ("violated", 1, 1), ("holds", 2, 3)], cell.Runs());
    }
}
