using System.Text.Json;
using Klp.Check.Commands;
using Klp.Check.Comparison;
using Klp.Check.Conformance;
using Klp.Check.Engine;
using Klp.Check.Inputs;
using Klp.Check.Model;
using Klp.Check.Properties;
using Klp.Check.Tests.Comparison;
using Klp.Check.Verdicts;
using static Klp.Check.Tests.CliRunner;

namespace Klp.Check.Tests.Verdicts;

public class InconclusiveTests
{
    private static readonly Lazy<ReadingResult> cappedReplaceSet = new(() =>
        Verifier.Run(InputSource.Plans(InputOptions.DefaultPlans), Readings.Find("replace-set")!, PropertyRegistry.All, new ExploreLimits(MaxStates: 100)));

    // The way out of `load cum1; load hot1; load hot2; load cust1` (four disables to the empty
    // kernel) lies beyond 100 states: that is no violation of recoverable.
    [Fact]
    public void CheckReplaceSet_CappedAt100States_ReportsNoFalseLivenessViolation()
    {
        var capped = cappedReplaceSet.Value;

        var recoverable = capped.Verdicts.Single(v => v.Property.Id == "recoverable");
        Assert.Equal(VerdictKind.Inconclusive, recoverable.Kind);
        Assert.Equal("state cap 100", recoverable.Cap);
        Assert.True(recoverable.FrontierStates > 0);
        Assert.Null(recoverable.Trace);
        foreach (var v in capped.Verdicts.Where(v => !v.Property.IsSafety && v.Kind == VerdictKind.Violated))
            Assert.Equal(VerdictKind.Violated, DefaultComparison.Cell("replace-set", v.Property.Id).Kind);
    }

    [Fact]
    public void CappedRun_ViolationsFoundBeforeTheCap_StayViolations()
    {
        var flat = Readings.Find("flat")!;
        var capped = Verifier.Run(InputSource.Plans(InputOptions.DefaultPlans), flat,
            [PropertyRegistry.Find("no-silent-revert")!, PropertyRegistry.Find("recoverable")!], new ExploreLimits(MaxStates: 100));

        Assert.All(capped.Verdicts, v => Assert.Equal(VerdictKind.Violated, v.Kind));
        Assert.NotEmpty(capped.Coverage.Cut);
    }

    [Fact]
    public void Witness_NotReachedBeforeADepthCap_IsInconclusiveNotViolated()
    {
        // An older cumulative replaces a newer one no earlier than the second operation.
        var result = Verifier.Run(InputSource.Plans(new PlanBounds(Releases: 2)), Readings.Find("flat")!,
            [PropertyRegistry.Find("downgrade-succeeds")!], new ExploreLimits(MaxDepth: 1));

        Assert.Equal("inconclusive", result.Verdicts[0].Word);
        Assert.Equal("depth cap 1", result.Verdicts[0].Cap);
    }

    [Fact]
    public void CheckCommand_OnlyInconclusive_ExitsThreeAndSaysSoInEveryFormat()
    {
        string[] args = ["check", "-r", "replace-set", "--max-states", "100", "-i", "recoverable"];

        var text = Run([.. args]);
        var markdown = Run([.. args, "--format", "markdown"]);
        var json = Run([.. args, "--format", "json"]);

        Assert.Equal(ExitCodes.Inconclusive, text.Code);
        Assert.Matches(@"(?m)^recoverable +inconclusive ", text.Out);
        Assert.Contains("state cap 100", text.Out);
        Assert.Contains("| `recoverable` | inconclusive |", markdown.Out);
        var verdict = JsonDocument.Parse(json.Out).RootElement.GetProperty("verdicts")[0];
        Assert.Equal("inconclusive", verdict.GetProperty("verdict").GetString());
        Assert.Equal("state cap 100", verdict.GetProperty("cap").GetString());
        Assert.True(verdict.GetProperty("frontier").GetInt64() > 0);
    }

    [Fact]
    public void CompareMatrix_InconclusiveCell_HasItsOwnMarkExplainedInTheLegend()
    {
        var (code, output, _) = Run("compare", "-r", "replace-set", "-r", "flat", "--max-states", "100", "--no-scenarios", "-i", "recoverable");

        Assert.Equal(ExitCodes.Inconclusive, code);
        // flat's violation needs states on every input explored in full, but the cap cut inputs without states.
        Assert.Matches(@"(?m)^recoverable +\? +Xs\?$", output);
        Assert.Contains("? inconclusive: a cap cut the exploration", output);
        Assert.Contains("Xf? and the like: violated, but a cap cut an input without the letters", output);
        Assert.Contains("explorations cut by a cap (state cap 100)", output);
    }

    private static Verdict Cell(VerdictKind kind, string? cap = null)
    {
        var p = PropertyRegistry.Find("no-shared-function")!;
        var v = kind switch
        {
            VerdictKind.Holds => Verdict.Holds(p, Readings.Upstream, ""),
            VerdictKind.Violated => Verdict.Violated(p, Readings.Upstream, ""),
            VerdictKind.NotApplicable => Verdict.NotApplicable(p, Readings.Upstream, ""),
            _ => Verdict.Inconclusive(p, Readings.Upstream, ""),
        };
        return v with { Cap = cap };
    }

    // A sweep cell of upstream's no-shared-function with one verdict per step.
    private static SweepCell Steps(params Verdict[] verdicts) => new(Readings.Upstream, verdicts[0].Property, verdicts);

    [Fact]
    public void SweepCell_InconclusiveAtTheLargestBound_IsNotDecidedNeverSettled()
    {
        var cell = Steps(Cell(VerdictKind.Inconclusive, "depth cap 1"), Cell(VerdictKind.Inconclusive, "depth cap 1"));

        Assert.True(cell.Unchanged);
        Assert.True(cell.Undecided);
        Assert.False(cell.Settled);
        Assert.False(cell.Changed);
    }

    [Fact]
    public void SweepCell_FromInconclusiveToViolatedAtTheLargestBound_IsNotDecidedRatherThanAChange()
    {
        var cell = Steps(Cell(VerdictKind.Holds), Cell(VerdictKind.Inconclusive, "state cap 9"), Cell(VerdictKind.Violated));

        Assert.True(cell.Undecided);
        Assert.False(cell.Changed);
        Assert.False(cell.Settled);
    }

    [Fact]
    public void SweepCell_EstablishedAtTheLastTwoBoundsAfterACutStep_IsSettled()
    {
        var cell = Steps(Cell(VerdictKind.Inconclusive, "state cap 9"), Cell(VerdictKind.Violated), Cell(VerdictKind.Violated));

        Assert.False(cell.Undecided);
        Assert.True(cell.Settled);
    }

    [Fact]
    public void DefaultStateCap_IsNamedAsTheDefault()
    {
        Assert.Equal("the default state cap 1000000 (raise it with --max-states)", new ExploreLimits().StateCapText);
        Assert.Equal("state cap 5", new ExploreLimits(MaxStates: 5).StateCapText);
    }
}
