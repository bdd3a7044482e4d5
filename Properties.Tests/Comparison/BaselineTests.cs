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

    private static ReadingResult Proved(string property, string proof, int patches)
    {
        var r = OneCell(property, VerdictKind.Holds);
        return r with { Verdicts = [r.Verdicts[0] with { Proof = new CellProof(proof, patches, "detail") }] };
    }

    [Fact]
    public void Write_ProvedCell_RecordsTheProofAfterTheVerdict()
    {
        var text = Baseline.Write([Proved("one-per-set", "proved", 8)]);

        Assert.EndsWith("\nflat one-per-set holds proved:8\n", text.ReplaceLineEndings("\n"));
        Assert.Contains("[proved:N]", text);
    }

    [Fact]
    public void Write_UnknownProof_RecordsNoProof() =>
        Assert.EndsWith("\nflat one-per-set holds\n", Baseline.Write([Proved("one-per-set", "unknown", 8)]).ReplaceLineEndings("\n"));

    [Fact]
    public void Write_NoProofAsked_IsTheBaselineWithoutProofs() =>
        Assert.Equal("# klp-check verdict baseline: READING PROPERTY holds|violated[FEATURES]|n/a|inconclusive\nflat one-per-set holds\n",
            Baseline.Write([OneCell("one-per-set", VerdictKind.Holds)]).ReplaceLineEndings("\n"));

    [Theory]
    [InlineData("unknown", 8)]
    [InlineData("proved", 4)]
    public void Diff_ProofLostOrNarrower_IsAChange(string proof, int patches)
    {
        var changes = Diff("flat one-per-set holds proved:8", Proved("one-per-set", proof, patches));

        Assert.Equal([$"b.verdicts:1:1: flat one-per-set: baseline says holds proved:8, now holds ({proof} at {patches} releases)"], changes);
    }

    [Fact]
    public void Diff_ProofNotAsked_IsALostProof() =>
        Assert.Equal(["b.verdicts:1:1: flat one-per-set: baseline says holds proved:8, now holds (not proved: compare --prove N proves)"],
            Diff("flat one-per-set holds proved:8", OneCell("one-per-set", VerdictKind.Holds)));

    [Theory]
    [InlineData(8)]
    [InlineData(12)]
    public void Diff_ProofKeptOrWider_IsNoChange(int patches) =>
        Assert.Empty(Diff("flat one-per-set holds proved:8", Proved("one-per-set", "proved", patches)));

    [Theory]
    [InlineData("flat one-per-set holds proved:x", 24)]
    [InlineData("flat one-per-set holds proved:0", 24)]
    [InlineData("flat one-per-set holds proven:8", 24)]
    [InlineData("flat one-per-set violated proved:8", 27)]
    public void Parse_BadProof_IsOneErrorAtItsColumn(string line, int column)
    {
        var errors = new List<string>();

        Baseline.Parse(line + "\n", "b.verdicts", errors);

        Assert.Equal($"b.verdicts:1:{column}:", Assert.Single(errors)[..$"b.verdicts:1:{column}:".Length]);
    }
}
