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
        var p = PropertyRegistry.Find(property)!;
        // A violation that needs input features is one with a trace; the baseline reads only the word.
        var catalog = new Catalog([new Patch("a", Origin.Vendor, PatchKind.Hotfix, 0, [new FunctionId(FunctionId.Vmlinux, "f", 0)], [], false, [1u])]);
        var verdict = kind switch
        {
            VerdictKind.Holds => Verdict.Holds(p, reading, "detail"),
            VerdictKind.Violated when features != InputFeatures.None => Verdict.Violated(p, new Trace(catalog, reading, []), "detail", null, features),
            VerdictKind.Violated => Verdict.Violated(p, reading, "detail"),
            VerdictKind.NotApplicable => Verdict.NotApplicable(p, reading, "detail"),
            _ => Verdict.Inconclusive(p, reading, "detail"),
        };
        var coverage = new Coverage(1, 1, 0, 0, new Dictionary<OpKind, long>(), new Dictionary<Reason, long>(), [], TimeSpan.Zero, 0);
        return new ReadingResult(reading, [verdict], coverage, true);
    }

    private static List<string> Diff(string baselineLine, ReadingResult now)
    {
        var errors = new List<string>();
        var expected = Baseline.Parse(baselineLine + "\n", "b.verdicts", errors);
        Assert.Empty(errors);
        return expected.Diff([now], "b.verdicts");
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
