using Klp.Check.Comparison;
using Klp.Check.Conformance;
using Klp.Check.Inputs;
using Klp.Check.Model;
using Klp.Check.Properties;
using Klp.Check.Verdicts;

namespace Klp.Check.Tests.Comparison;

public class BaselineTests
{
    private static ReadingResult OneCell(string property, VerdictKind kind, InputFeatures features = InputFeatures.None)
    {
        var reading = Readings.Find("flat")!;
        var verdict = new Verdict(Invariants.Find(property)!, reading, kind, "detail", null, null, null, features);
        var coverage = new Coverage(1, 1, 0, 0, new Dictionary<OpKind, long>(), new Dictionary<Reason, long>(), [], TimeSpan.Zero, 0);
        return new ReadingResult(reading, [verdict], coverage, true);
    }

    private static List<string> Diff(string baselineLine, ReadingResult now)
    {
        var errors = new List<string>();
        var expected = Baseline.Parse(baselineLine + "\n", "b.verdicts", errors);
        Assert.Empty(errors);
        return Baseline.Diff(expected, [now], "b.verdicts");
    }

    [Fact]
    public void Diff_FeatureLettersChanged_IsAChange()
    {
        var changes = Diff("flat recoverable violated[s]", OneCell("recoverable", VerdictKind.Violated));

        Assert.Equal(["b.verdicts:1:1: flat recoverable: baseline says violated[s], now violated"], changes);
    }

    [Fact]
    public void Diff_SameFeatureLetters_IsNoChange() =>
        Assert.Empty(Diff("flat recoverable violated[s]", OneCell("recoverable", VerdictKind.Violated, InputFeatures.States)));

    [Theory]
    [InlineData("holds", VerdictKind.Inconclusive)]
    [InlineData("inconclusive", VerdictKind.Holds)]
    [InlineData("inconclusive", VerdictKind.Violated)]
    public void Diff_InconclusiveCellChanged_IsAChange(string was, VerdictKind now) =>
        Assert.Single(Diff($"flat recoverable {was}", OneCell("recoverable", now)));

    [Fact]
    public void Diff_InconclusiveCellUnchanged_IsNoChange() =>
        Assert.Empty(Diff("flat recoverable inconclusive", OneCell("recoverable", VerdictKind.Inconclusive)));
}
