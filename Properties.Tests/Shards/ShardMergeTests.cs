using Klp.Check.Commands;
using Klp.Check.Conformance;

namespace Klp.Check.Tests.Shards;

/// <summary>N shards of a compare, check or sweep run, merged, print what one run prints and exit as it does.</summary>
public class ShardMergeTests
{
    private static readonly string[] Formats = ["text", "markdown", "json"];

    // Runs every shard of a command into a fresh folder; returns the partial files.
    internal static string[] Shards(string[] command, int n)
    {
        var dir = Directory.CreateTempSubdirectory("klp-shards").FullName;
        var files = new string[n];
        for (var k = 1; k <= n; k++)
        {
            files[k - 1] = Path.Combine(dir, $"shard-{k}.json");
            var (code, output, err) = CliRunner.Run([.. command, "--shard", $"{k}/{n}", "--out", files[k - 1]]);
            Assert.True(code == 0, err);
            Assert.Equal("", output);
            Assert.Single(err.TrimEnd('\n').Split('\n'));
        }
        return files;
    }

    // Every format of the merge against the same format of one unsharded run; returns the shards of the last count.
    internal static string[] AssertMergeEqualsOneRun(string[] command, int[] counts)
    {
        var last = Array.Empty<string>();
        var single = Formats.ToDictionary(f => f, f => CliRunner.Run([.. command, "--format", f]));
        foreach (var n in counts)
        {
            var files = last = Shards(command, n);
            foreach (var f in Formats)
            {
                var merged = CliRunner.Run(["merge", .. files, "--format", f]);
                Assert.True(single[f].Code == merged.Code, $"N={n} {f}: exit {merged.Code}, one run {single[f].Code}: {merged.Err}");
                Assert.True(single[f].Out == merged.Out, $"N={n} {f}: the merged report differs from one run");
            }
        }
        return last;
    }

    // Every shard count is a whole compare of the default bounds (about 10 s in a Debug build on
    // two vCPUs); one and two shards are held to one run on raw catalogs below.
    [Fact]
    public void Merge_CompareShardsOnDefaultBounds_PrintsWhatOneRunPrintsAndMatchesBaseline()
    {
        var files = AssertMergeEqualsOneRun(["compare"], [3, 7]);
        var (code, _, err) = CliRunner.Run(["merge", .. files, "--expect", RepositoryFiles.Full("baselines/compare-default.verdicts")]);
        Assert.True(code == ExitCodes.Ok, err);
        Assert.Contains("every verdict matches", err);
    }

    [Fact]
    public void Merge_CompareShardsOnRawCatalogs_PrintsWhatOneRunPrints() =>
        AssertMergeEqualsOneRun(["compare", "--raw", "--bounds", "patches=2,numbers=2"], [1, 2, 3, 7]);

    [Fact]
    public void Merge_CheckShardsOfViolatedReading_PrintsWhatOneRunPrintsAndExitsOne()
    {
        string[] command = ["check", "--reading", "upstream"];
        Assert.Equal(ExitCodes.Failed, CliRunner.Run(command).Code);
        AssertMergeEqualsOneRun(command, [2, 3]);
    }

    [Fact]
    public void Merge_SweepShardsOfReleases1To3_PrintsWhatOneSweepPrintsAndExitsOne()
    {
        // Upstream's no-silent-revert is first violated at releases=3: not settled, exit 1.
        string[] command = ["sweep", "--bounds-range", "releases=1..3"];
        Assert.Equal(ExitCodes.Failed, CliRunner.Run(command).Code);
        AssertMergeEqualsOneRun(command, [2, 3]);
    }

    [Fact]
    public void Merge_SweepShardsOfTwoRangesWithStepsMetTwice_PrintsWhatOneSweepPrints() =>
        AssertMergeEqualsOneRun(["sweep", "--bounds", "releases=2", "--bounds-range", "releases=1..3,hotfixes=0..2"], [2, 3]);

    // Every trace a shard reports is replayed before it counts: traces of two-phase runs, of runs a
    // cap cut and of fingerprinted runs replay as one run found them.
    [Theory]
    [InlineData("--mode two-phase")]
    [InlineData("--max-depth 2")]
    [InlineData("--max-states 20")]
    [InlineData("--fingerprints")]
    public void Merge_ShardsOfSmallRunsWithOptions_PrintWhatOneRunPrints(string options) =>
        AssertMergeEqualsOneRun(["compare", "--raw", "--bounds", "patches=2,numbers=2", "--no-scenarios", "-r", "flat", "-r", "upstream", "-r", "set", .. options.Split(' ')], [1, 3]);

    [Fact]
    public void Merge_CheckShardsOfTwoPhaseRun_PrintsWhatOneRunPrints() =>
        AssertMergeEqualsOneRun(["check", "--reading", "upstream", "--mode", "two-phase", "--bounds", "releases=3"], [2]);

    [SkippableFact]
    public void Merge_ThreeShardProcesses_PrintsWhatOneRunPrints()
    {
        var dotnet = ExternalTools.Find("dotnet");
        Skip.If(dotnet is null, "the dotnet CLI is not on PATH");
        var tool = Path.Combine(AppContext.BaseDirectory, "klp-check.dll");
        string[] command = ["compare", "--raw", "--bounds", "patches=2,numbers=2"];
        var dir = Directory.CreateTempSubdirectory("klp-shard-processes").FullName;
        var files = new List<string>();
        for (var k = 1; k <= 3; k++)
        {
            files.Add(Path.Combine(dir, $"shard-{k}.json"));
            var shard = ExternalTools.Run(dotnet, [tool, .. command, "--shard", $"{k}/3", "--out", files[^1]]);
            Assert.True(shard.Code == 0, shard.Err);
        }
        var merged = ExternalTools.Run(dotnet, [tool, "merge", .. files]);
        var single = CliRunner.Run(command);
        Assert.Equal(single.Code, merged.Code);
        Assert.Equal(single.Out, merged.Out);
    }
}
