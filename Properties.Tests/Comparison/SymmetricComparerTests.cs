using Klp.Check.Comparison;
using Klp.Check.Engine;
using Klp.Check.Inputs;
using Klp.Check.Model;
using Klp.Check.Properties;

namespace Klp.Check.Tests.Comparison;

public class SymmetricComparerTests
{
    // Every verdict in full (word, detail, trace, input, letters) and the coverage of each reading.
    private static List<string> Matrix(ComparisonResult result) =>
    [
        .. result.Results.SelectMany(r => r.Verdicts.Select(v =>
            $"{r.Reading.DisplayName} {v.Property.Id} {v.Word} | {v.Detail} | {v.Input} | {v.Features} | {(v.Trace is null ? "" : string.Join(" ", v.Trace))} | {v.Cap} {v.FrontierStates}")),
        .. result.Results.Select(r =>
            $"{r.Reading.DisplayName} {r.InputsChecked} {r.Coverage.Catalogs} {r.Coverage.States} {r.Coverage.Transitions} {r.Coverage.MaxDepth} "
            + $"{string.Join(",", r.Coverage.AcceptedByKind.OrderBy(a => a.Key))} {string.Join(",", r.Coverage.RefusedByReason.OrderBy(a => a.Key))} {r.Coverage.Cut.Count}"),
    ];

    public static TheoryData<string> Bounds() =>
    [
        new PlanBounds().ToString(),
        new PlanBounds(Releases: 3, Customers: 2, Hotfixes: 2, Updates: 2).ToString(),
    ];

    [Theory]
    [MemberData(nameof(Bounds))]
    public void Run_ReleasePlans_TheMatrixOfEveryPlan(string bounds)
    {
        var source = InputSource.Plans(PlanBounds.Parse(bounds, out _)!);

        var plain = Comparer.Run(source, Readings.All, PropertyRegistry.All, default, []);
        var symmetric = SymmetricComparer.Run(source, Readings.All, PropertyRegistry.All, default);

        Assert.True(source.Representatives!.Distinct().Count() < source.Count);
        Assert.True(symmetric.Complete);
        Assert.Equal(Matrix(plain), Matrix(symmetric));
    }

    [Fact]
    public void Run_TwoPhaseMode_TheMatrixOfEveryPlan()
    {
        var source = InputSource.Plans(new PlanBounds(Releases: 3));
        var readings = Readings.All.Select(r => r.WithGranularity(Granularity.TwoPhase)).ToList();

        Assert.Equal(Matrix(Comparer.Run(source, readings, PropertyRegistry.All, default, [])), Matrix(SymmetricComparer.Run(source, readings, PropertyRegistry.All, default)));
    }

    // A state cap cuts a level where the order of the patches decides which states it keeps:
    // every plan is explored, and the cuts are the plain run's.
    [Fact]
    public void Run_StateCapCutsSomePlans_TheMatrixOfEveryPlan()
    {
        var source = InputSource.Plans(new PlanBounds(Releases: 3, Hotfixes: 1));
        var limits = new ExploreLimits(MaxStates: 40);

        var plain = Comparer.Run(source, Readings.All, PropertyRegistry.All, limits, []);
        var symmetric = SymmetricComparer.Run(source, Readings.All, PropertyRegistry.All, limits);

        Assert.Contains(plain.Results, r => r.Coverage.Cut.Count > 0 && r.Coverage.Cut.Count < source.Count);
        Assert.Equal(Matrix(plain), Matrix(symmetric));
    }

    // Later steps take the classes earlier steps explored (the base within customers=2, both
    // within the last step of all), with their traces' inputs renumbered.
    [Fact]
    public void Sweep_StepsWithinEarlierSteps_EveryStepTheMatrixOfEveryPlan()
    {
        var at = BoundsSpace.Of(new PlanBounds(Releases: 3));
        var dimensions = SweepDimension.Of(at, [new SweepRange("releases", 2, 3), new SweepRange("customers", 0, 2), new SweepRange("hotfixes", 1, 2)]);

        var plain = Sweeper.Run(at, dimensions, Readings.All, PropertyRegistry.All, default);
        var symmetric = Sweeper.Run(at, dimensions, Readings.All, PropertyRegistry.All, default, symmetry: true);

        var steps = plain.Dimensions.SelectMany(d => d.Steps).ToList();
        Assert.Equal(steps.Count, symmetric.Dimensions.Sum(d => d.Steps.Count));
        Assert.All(steps.Zip(symmetric.Dimensions.SelectMany(d => d.Steps)), s => Assert.Equal(Matrix(s.First.Result), Matrix(s.Second.Result)));
    }

    // Each run on its own, and one instance whose first run explored smaller bounds, give the same matrix.
    [Fact]
    public void Run_AfterSmallerBounds_TheMatrixOfEveryPlan()
    {
        var small = BoundsSpace.Of(new PlanBounds(Releases: 3, Customers: 1, Hotfixes: 1));
        var large = BoundsSpace.Of(new PlanBounds(Releases: 4, Customers: 2, Hotfixes: 1));
        var classes = new SymmetricComparer(Readings.All, PropertyRegistry.All, default);

        classes.Run(small, small.Source());
        var after = classes.Run(large, large.Source());

        Assert.Equal(Matrix(Comparer.Run(large.Source(), Readings.All, PropertyRegistry.All, default, [])), Matrix(after));
    }

    [Fact]
    public void Run_RawCatalogs_ThePlainRun()
    {
        var source = InputSource.Raw(new RawBounds(Patches: 2));

        Assert.Null(source.Representatives);
        Assert.Equal(Matrix(Comparer.Run(source, [Readings.Upstream], PropertyRegistry.All, default, [])), Matrix(SymmetricComparer.Run(source, [Readings.Upstream], PropertyRegistry.All, default)));
    }
}
