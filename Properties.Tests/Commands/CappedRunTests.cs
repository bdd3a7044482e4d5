using System.Text.Json;
using System.Text.RegularExpressions;
using Klp.Check.Commands;
using Klp.Check.Conformance;
using Klp.Check.Model;
using Klp.Check.Verdicts;
using static Klp.Check.Tests.CliRunner;

namespace Klp.Check.Tests.Commands;

/// <summary>A run a cap cut (--max-states, --max-depth) claims only what it established: no holds, vacuity, settled cell or kept
/// combination on what it left unexplored, JSON that says it is not exhaustive, and never exit 0.</summary>
public class CappedRunTests
{
    private static readonly string Catalog = RepositoryFiles.Full("Benchmarks/catalogs/positional-10.klp");
    private static readonly string[] Safety = ["-i", "no-shared-function", "-i", "customer-untouched"];

    // The verdict word of every property line of a check text report.
    private static List<string> Words(string text) =>
        [.. Regex.Matches(text, @"(?m)^[a-z-]+ +(holds|inconclusive|VIOLATED\S*|n/a) ").Select(m => m.Groups[1].Value)];

    private static string OneLine(string text) => text.Replace("\n", " ");

    private static string TempDir() => Path.Combine(Directory.CreateTempSubdirectory("klp-capped").FullName, "out");

    [Theory]
    [InlineData("--max-depth", "1")]
    [InlineData("--max-states", "20")]
    public void Check_CappedSafetyWithoutViolation_DoesNotSayHoldsOrVacuousAndExitsThree(string cap, string value)
    {
        var uncapped = Run(["check", "--reading", "upstream", "--catalog", Catalog, .. Safety]);
        var (code, output, _) = Run(["check", "--reading", "upstream", "--catalog", Catalog, cap, value, .. Safety]);

        Assert.Equal(["VIOLATED", "VIOLATED"], Words(uncapped.Out));
        Assert.Equal(ExitCodes.Failed, uncapped.Code);
        Assert.Equal(["inconclusive", "inconclusive"], Words(output));
        Assert.Matches(@"(?m)^no-shared-function +inconclusive no violation in the explored part", output);
        Assert.DoesNotContain("vacuously: its case never happens", output);
        Assert.Contains($"scope: on catalog {Catalog} (10 patches) not exhaustive: {(cap == "--max-depth" ? "depth" : "state")} cap {value} cut 1 of 1 exploration", OneLine(output));
        Assert.Equal(ExitCodes.Inconclusive, code);
    }

    [Fact]
    public void CheckJson_MaxStates20_SaysNotExhaustiveWithTheCutInputItsCapAndFrontier()
    {
        var (_, output, _) = Run(["check", "--reading", "upstream", "--catalog", Catalog, "--max-states", "20", .. Safety, "--format", "json"]);

        var root = JsonDocument.Parse(output).RootElement;
        Assert.True(root.GetProperty("complete").GetBoolean());
        Assert.False(root.GetProperty("exhaustive").GetBoolean());
        var cut = Assert.Single(root.GetProperty("cutInputs").EnumerateArray());
        Assert.Equal(0, cut.GetProperty("index").GetInt32());
        Assert.Equal("state cap 20", cut.GetProperty("cap").GetString());
        Assert.True(cut.GetProperty("frontier").GetInt64() > 0);
        Assert.All(root.GetProperty("verdicts").EnumerateArray(), v =>
        {
            Assert.Equal("inconclusive", v.GetProperty("verdict").GetString());
            Assert.False(v.GetProperty("vacuous").GetBoolean());
            Assert.False(v.GetProperty("exhaustive").GetBoolean());
            Assert.Equal("state cap 20", v.GetProperty("cap").GetString());
        });
    }

    [Fact]
    public void CheckMarkdown_MaxDepthOne_SaysNotExhaustiveAndNeverHolds()
    {
        var (code, output, _) = Run(["check", "--reading", "upstream", "--catalog", Catalog, "--max-depth", "1", .. Safety, "--format", "markdown"]);

        Assert.Contains("| `no-shared-function` | inconclusive | no violation in the explored part;", output);
        Assert.Contains("**Not exhaustive: depth cap 1 cut 1 of 1 exploration", output);
        Assert.DoesNotContain("| holds |", output);
        Assert.Equal(ExitCodes.Inconclusive, code);
    }

    // The liveness property holds on this catalog explored in full, and on the first 20,000 states every state can
    // still be recovered: that is no proof for the states the cap left out.
    [Fact]
    public void Check_LivenessWithoutFailureOnACutInput_IsInconclusiveNotHolds()
    {
        string[] args = ["check", "--reading", "upstream", "--catalog", Catalog, "-i", "recoverable"];
        var uncapped = Run(args);
        var (code, output, _) = Run([.. args, "--max-states", "20000", "--format", "json"]);

        Assert.Equal(["holds"], Words(uncapped.Out));
        Assert.Equal(ExitCodes.Ok, uncapped.Code);
        var root = JsonDocument.Parse(output).RootElement;
        Assert.False(root.GetProperty("exhaustive").GetBoolean());
        Assert.Equal("inconclusive", root.GetProperty("verdicts")[0].GetProperty("verdict").GetString());
        Assert.Equal(ExitCodes.Inconclusive, code);
    }

    [Fact]
    public void Check_CappedRunWithAViolation_StillExitsOne()
    {
        var (code, output, _) = Run("check", "--reading", "upstream", "--catalog", Catalog, "--max-states", "2000", "-i", "no-shared-function");

        Assert.Equal(["VIOLATED"], Words(output));
        Assert.Equal(ExitCodes.Failed, code);
    }

    [Fact]
    public void Compare_MaxDepthOne_MarksOkQuestionNeverOkAndExitsThree()
    {
        string[] args = ["compare", "-r", "upstream", "-r", "zero-replaces-all", .. Safety, "--no-scenarios"];
        var uncapped = Run(args);
        var (code, output, _) = Run([.. args, "--max-depth", "1"]);

        Assert.Matches(@"(?m)^no-shared-function +X +ok$", uncapped.Out);
        Assert.Matches(@"(?m)^customer-untouched +X +X$", uncapped.Out);
        Assert.Equal(ExitCodes.Ok, uncapped.Code);
        Assert.Matches(@"(?m)^no-shared-function +ok\? +ok\?$", output);
        Assert.Matches(@"(?m)^customer-untouched +ok\? +ok\?$", output);
        Assert.Contains("ok? no violation in the explored part: a cap cut the exploration, so it is not shown to hold", OneLine(output));
        Assert.Contains("not exhaustive: depth cap 1 cut 3164 of 3164 explorations", OneLine(output));
        Assert.Contains("1 class: no trace in the explored part tells these readings apart", output);
        Assert.Equal(ExitCodes.Inconclusive, code);
    }

    [Fact]
    public void CompareJson_MaxDepthOne_SaysNotExhaustiveForTheRunEachReadingAndTheClasses()
    {
        var (_, output, _) = Run(["compare", "-r", "upstream", "-r", "zero-replaces-all", .. Safety, "--no-scenarios", "--max-depth", "1", "--format", "json"]);

        var root = JsonDocument.Parse(output).RootElement;
        Assert.False(root.GetProperty("exhaustive").GetBoolean());
        Assert.False(root.GetProperty("equivalence").GetProperty("exhaustive").GetBoolean());
        Assert.All(root.GetProperty("readings").EnumerateArray(), r =>
        {
            Assert.False(r.GetProperty("exhaustive").GetBoolean());
            var cuts = r.GetProperty("cutInputs").EnumerateArray().ToList();
            Assert.Equal(1582, cuts.Count);
            Assert.All(cuts, c => Assert.Equal("depth cap 1", c.GetProperty("cap").GetString()));
            Assert.All(r.GetProperty("verdicts").EnumerateArray(), v => Assert.Equal("inconclusive", v.GetProperty("verdict").GetString()));
        });
    }

    [Fact]
    public void Compare_CappedRunMatchingItsOwnBaseline_StillExitsThree()
    {
        var baseline = TempDir() + ".verdicts";
        string[] args = ["compare", "-r", "upstream", .. Safety, "--no-scenarios", "--max-depth", "1"];
        Assert.Equal(ExitCodes.Inconclusive, Run([.. args, "--save-baseline", baseline]).Code);

        var (code, _, err) = Run([.. args, "--expect", baseline]);

        Assert.Contains("every verdict matches", err);
        Assert.Equal(ExitCodes.Inconclusive, code);
    }

    [Fact]
    public void Compare_Uncapped_HeaderNamesTheScopeAndNoCut()
    {
        var (code, output, _) = Run("compare", "--bounds", "releases=2", "--no-scenarios");

        Assert.Contains("scope: within release plans releases=2,customers=1,hotfixes=2,updates=1,shared=yes,states=both (38 inputs per reading, at most 2 patches each)", OneLine(output));
        Assert.DoesNotContain("not exhaustive", output);
        Assert.DoesNotContain("ok?", output);
        Assert.Equal(ExitCodes.Ok, code);
    }

    [Fact]
    public void Sweep_MaxDepthOne_NeverCallsACellSettledAndExitsThree()
    {
        string[] args = ["sweep", "--bounds-range", "releases=1..3", "-r", "upstream", .. Safety];
        var uncapped = Run(args);
        var (code, output, _) = Run([.. args, "--max-depth", "1"]);
        var json = JsonDocument.Parse(Run([.. args, "--max-depth", "1", "--format", "json"]).Out).RootElement;

        Assert.Contains("holds at 1, violated from 2", uncapped.Out);
        Assert.Equal(ExitCodes.Ok, uncapped.Code);
        Assert.DoesNotContain("every cell is settled", output);
        Assert.Contains("inconclusive at 1..3 (not decided: a cap cut it)", output);
        Assert.Contains("2 cells not decided", output);
        Assert.Contains("not exhaustive: depth cap 1 cut 300 of 300 explorations", OneLine(output));
        Assert.False(json.GetProperty("exhaustive").GetBoolean());
        Assert.Equal(2, json.GetProperty("undecided").GetInt32());
        var releases = json.GetProperty("dimensions")[0];
        Assert.All(releases.GetProperty("cells").EnumerateArray(), c =>
        {
            Assert.False(c.GetProperty("settled").GetBoolean());
            Assert.False(c.GetProperty("decided").GetBoolean());
        });
        Assert.All(releases.GetProperty("steps").EnumerateArray(), s => Assert.Equal("upstream", s.GetProperty("cutInputs")[0].GetProperty("reading").GetString()));
        Assert.Equal(ExitCodes.Inconclusive, code);
    }

    [Fact]
    public void Design_MaxDepthOne_KeepsNoneWritesNoneAndSaysItCouldNotDecide()
    {
        var dir = TempDir();

        var (code, output, err) = Run("design", "--require", "no-shared-function,customer-untouched", "--bounds", "releases=3", "--max-depth", "1", "--write", dir);

        Assert.StartsWith("klp-check design: 90 policy combinations tried, 0 keep no-shared-function, customer-untouched; 90 not decided", OneLine(output));
        Assert.Contains("Not decided: no required property is violated in the explored part", OneLine(output));
        Assert.Empty(Directory.Exists(dir) ? Directory.GetFiles(dir) : []);
        Assert.Contains("wrote 0 proposal files", err);
        Assert.Equal(ExitCodes.Inconclusive, code);
    }

    // Under a cap of 100 states some combinations are explored in full and keep one-per-set; the others are cut before
    // a violation shows, and stay undecided even where the full exploration keeps them.
    [Fact]
    public void Design_PartlyCut_KeepsAndWritesOnlyTheCombinationsItDecided()
    {
        var dir = TempDir();
        string[] args = ["design", "--require", "one-per-set", "--catalog", RepositoryFiles.Full("scenarios/thread/joe-timeline-tuesday-set2.klp"), "--format", "json"];
        static List<(string Policies, bool Keeps, bool Decided)> Rows(string json) =>
            [.. JsonDocument.Parse(json).RootElement.GetProperty("combinations").EnumerateArray()
                .Select(c => (c.GetProperty("policies").GetRawText(), c.GetProperty("keeps").GetBoolean(), c.GetProperty("decided").GetBoolean()))];

        var full = Rows(Run(args).Out);
        var (code, output, _) = Run([.. args, "--max-states", "100", "--write", dir]);
        var capped = Rows(output);

        var kept = capped.Where(c => c.Keeps).Select(c => c.Policies).ToList();
        Assert.NotEmpty(kept);
        Assert.Contains(capped, c => !c.Decided);
        Assert.DoesNotContain(capped, c => c.Keeps && !c.Decided);
        Assert.Subset(full.Where(c => c.Keeps).Select(c => c.Policies).ToHashSet(), kept.ToHashSet());
        Assert.True(full.Count(c => c.Keeps) > kept.Count);
        Assert.Equal(kept.Count, Directory.GetFiles(dir).Length);
        Assert.Equal(ExitCodes.Inconclusive, code);
    }

    [Fact]
    public void Diff_OneClassOnACutLockstep_SaysExploredPartAndExitsThree()
    {
        var uncapped = Run("diff", "upstream", "zero-replaces-all", "--bounds", "releases=2");
        var (code, output, _) = Run("diff", "upstream", "zero-replaces-all", "--bounds", "releases=2", "--max-depth", "1");
        var json = JsonDocument.Parse(Run("diff", "upstream", "zero-replaces-all", "--bounds", "releases=2", "--max-depth", "1", "--format", "json").Out).RootElement;

        Assert.Equal(ExitCodes.Failed, uncapped.Code);
        Assert.Contains("1 class: no trace in the explored part tells these readings apart", output);
        Assert.Contains("no difference in the explored part of 38 inputs", output);
        Assert.DoesNotContain("equivalent over", output);
        Assert.False(json.GetProperty("exhaustive").GetBoolean());
        Assert.Equal(ExitCodes.Inconclusive, code);
    }
}
