using Klp.Check.Conformance;
using Klp.Check.Inputs;
using Klp.Check.Model;
using Klp.Check.Properties;
using Klp.Check.Verdicts;

namespace Klp.Check.Tests.Verdicts;

/// <summary>The danger behind the isolation rule, as verdicts: a replacing load's nops land on another set's fix.</summary>
public class NoLostFixTests
{
    private static Verdict NoLostFix(string reading)
    {
        var r = Readings.Parse(reading, out var error) ?? throw new InvalidOperationException(error);
        r = r.WithGranularity(Granularity.TwoPhase);
        var result = Verifier.Run(InputSource.Plans(new PlanBounds(Releases: 3)), r, [PropertyRegistry.Find("no-lost-fix")!], default);
        return Assert.Single(result.Verdicts);
    }

    [Theory]
    [InlineData("positional(isolation=none)")]
    [InlineData("set(isolation=none)")]
    [InlineData("flat(isolation=none)")]
    [InlineData("replace-set(isolation=none)")]
    public void SetReading_WithoutIsolation_LosesAFixMidTransition(string reading)
    {
        var v = NoLostFix(reading);

        Assert.Equal(VerdictKind.Violated, v.Kind);
        Assert.Contains("switched tasks run the original", v.Detail);
        // The trace is real: it replays through Step, and its last load is the replacing one.
        Assert.NotNull(v.Trace);
        Assert.Equal(OpKind.Load, v.Trace![^1].Kind);
    }

    [Theory]
    [InlineData("positional")]
    [InlineData("set")]
    [InlineData("flat")]
    [InlineData("replace-set")]
    [InlineData("upstream")]
    [InlineData("zero-replaces-all(isolation=none)")]
    public void DefaultIsolationOrReplaceAll_KeepsEveryFix(string reading)
    {
        Assert.Equal(VerdictKind.Holds, NoLostFix(reading).Kind);
    }

    [Fact]
    public void AtomicMode_HasNoTransitionToLoseAFixIn()
    {
        var result = Verifier.Run(InputSource.Plans(new PlanBounds(Releases: 2)), Readings.Positional, [PropertyRegistry.Find("no-lost-fix")!], default);

        Assert.Equal(VerdictKind.NotApplicable, Assert.Single(result.Verdicts).Kind);
    }
}
