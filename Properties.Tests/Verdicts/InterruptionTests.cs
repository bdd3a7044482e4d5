using Klp.Check.Comparison;
using Klp.Check.Conformance;
using Klp.Check.Inputs;
using Klp.Check.Model;
using Klp.Check.Properties;
using Klp.Check.Reports;
using Klp.Check.Verdicts;

namespace Klp.Check.Tests.Verdicts;

public class InterruptionTests
{
    [Fact]
    public void Compare_InterruptedInTheSecondReading_KeepsTheFirstAndSaysWhatIsUnfinished()
    {
        using var cts = new CancellationTokenSource();

        var result = Comparer.Run(InputSource.Plans(new PlanBounds(Releases: 2)), Readings.All, PropertyRegistry.All, default, [],
            cancel: cts.Token, progress: p => { if (p.StartsWith("reading 2/", StringComparison.Ordinal)) cts.Cancel(); });

        Assert.False(result.Complete);
        Assert.Equal("upstream", Assert.Single(result.Results).Reading.Name);
        var text = ComparisonReport.Text(result);
        Assert.Contains("klp-check compare: 1 reading x 16 properties", text);
        Assert.Contains("interrupted: 1 reading verified in full", text);
        Assert.Matches(@"replace-set: 0 of \d+ inputs checked; settled:\s+block-disable-kept n/a", text);
        Assert.Contains("not started: zero-replaces-all, zero-only-by-zero", text);
    }

    [Fact]
    public void ReadingResult_Interrupted_SettlesOnlyWhatMoreInputsCannotChange()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();

        var result = Verifier.Run(InputSource.Plans(new PlanBounds(Releases: 2)), Readings.Find("upstream")!, PropertyRegistry.All, default, cancel: cts.Token);

        Assert.False(result.Complete);
        Assert.Equal(["one-per-set", "block-disable-kept", "no-lost-fix"], result.Finished.Select(v => v.Property.Id));
    }

    [Fact]
    public void RandomCheck_Interrupted_SaysHowManyRunsItChecked()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();

        var result = RandomExploration.Run(Generators.Catalogs(2, 3), Readings.Find("flat")!, PropertyRegistry.All, 50, 10, 7, cts.Token);

        Assert.True(result.Interrupted);
        Assert.Equal(0, result.Checked);
        Assert.Null(result.Counterexample);
    }
}
