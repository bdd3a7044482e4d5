using Klp.Check.Commands;

namespace Klp.Check.Tests.Shards;

/// <summary>merge refuses, with one line and exit 2 before any work, shards that do not make one run; --shard refuses bad usage.</summary>
public class MergeRefusalTests
{
    private static readonly string[] Small = ["compare", "--raw", "--bounds", "patches=1,numbers=2", "--no-scenarios", "--reading", "flat", "--reading", "set"];

    private static string Shard(string[] command, string shard, string? dir = null)
    {
        dir ??= Directory.CreateTempSubdirectory("klp-refusal").FullName;
        var file = Path.Combine(dir, $"shard-{shard.Replace('/', '-')}-{Guid.NewGuid():N}.json");
        var (code, _, err) = CliRunner.Run([.. command, "--shard", shard, "--out", file]);
        Assert.True(code == 0, err);
        return file;
    }

    private static string RefusedWithOneLine(params string[] args)
    {
        var (code, output, err) = CliRunner.Run(args);
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Equal("", output);
        var lines = err.TrimEnd('\n').Split('\n');
        Assert.True(lines.Length == 1, err);
        return lines[0];
    }

    [Fact]
    public void Merge_MissingShard_RefusesNamingIt()
    {
        var line = RefusedWithOneLine("merge", Shard(Small, "1/3"), Shard(Small, "3/3"));
        Assert.Contains("missing shard 2/3", line);
    }

    [Fact]
    public void Merge_DuplicateShard_Refuses()
    {
        var line = RefusedWithOneLine("merge", Shard(Small, "1/2"), Shard(Small, "2/2"), Shard(Small, "2/2"));
        Assert.Contains("duplicate shard 2/2", line);
    }

    [Fact]
    public void Merge_ShardsOfDifferentN_Refuses()
    {
        var line = RefusedWithOneLine("merge", Shard(Small, "1/2"), Shard(Small, "2/3"));
        Assert.Contains("one of 3", line);
    }

    [Fact]
    public void Merge_ShardsFromDifferentBounds_Refuses()
    {
        string[] other = [.. Small.Select(a => a == "patches=1,numbers=2" ? "patches=1,numbers=3" : a)];
        var line = RefusedWithOneLine("merge", Shard(Small, "1/2"), Shard(other, "2/2"));
        Assert.Contains("other bounds", line);
    }

    [Fact]
    public void Merge_ShardsFromDifferentReadings_Refuses()
    {
        string[] other = [.. Small.Select(a => a == "set" ? "slot" : a)];
        var line = RefusedWithOneLine("merge", Shard(Small, "1/2"), Shard(other, "2/2"));
        Assert.Contains("other readings", line);
    }

    [Fact]
    public void Merge_ShardsWithDifferentOptions_Refuses()
    {
        var line = RefusedWithOneLine("merge", Shard(Small, "1/2"), Shard([.. Small, "--max-depth", "5"], "2/2"));
        Assert.Contains("other options", line);
    }

    [Fact]
    public void Merge_ShardOfOtherToolVersion_Refuses()
    {
        var edited = Shard(Small, "2/2");
        var text = File.ReadAllText(edited);
        File.WriteAllText(edited, text.Replace("\"version\":\"", "\"version\":\"0.0.1-other+", StringComparison.Ordinal));
        var line = RefusedWithOneLine("merge", Shard(Small, "1/2"), edited);
        Assert.Contains("0.0.1-other+", line);
        Assert.StartsWith(edited + ":", line);
    }

    [Fact]
    public void Merge_FileNotJson_RefusesWithLineAndColumn()
    {
        var file = Path.Combine(Directory.CreateTempSubdirectory("klp-refusal").FullName, "broken.json");
        File.WriteAllText(file, "{\n  \"command\": partial\n}\n");
        var line = RefusedWithOneLine("merge", file);
        Assert.StartsWith(file + ":2:", line);
    }

    [Fact]
    public void Merge_JsonReportInsteadOfPartial_Refuses()
    {
        var file = Path.Combine(Directory.CreateTempSubdirectory("klp-refusal").FullName, "report.json");
        File.WriteAllText(file, CliRunner.Run([.. Small, "--format", "json"]).Out);
        var line = RefusedWithOneLine("merge", file);
        Assert.StartsWith(file + ":1:1: not a partial result", line);
    }

    [Fact]
    public void Merge_InputFileChangedAfterShards_Refuses()
    {
        var dir = Directory.CreateTempSubdirectory("klp-refusal").FullName;
        var catalog = Path.Combine(dir, "c.klp");
        File.Copy(RepositoryFiles.Full("scenarios/thread/joe-timeline-tuesday-set2.klp"), catalog);
        string[] command = ["check", "--reading", "flat", "--catalog", catalog];
        var file = Shard(command, "1/1", dir);
        File.AppendAllText(catalog, "\n# edited\n");
        var line = RefusedWithOneLine("merge", file);
        Assert.Contains("other input files", line);
    }

    [Theory]
    [InlineData("0/3")]
    [InlineData("4/3")]
    [InlineData("a/b")]
    [InlineData("3")]
    [InlineData("1/0")]
    public void Shard_OutOfRangeOrNotKOverN_RefusedWithOneLine(string shard)
    {
        var line = RefusedWithOneLine([.. Small, "--shard", shard, "--out", Path.Combine(Path.GetTempPath(), $"klp-never-{Guid.NewGuid():N}.json")]);
        Assert.Contains($"'{shard}'", line);
    }

    [Fact]
    public void Shard_WithoutOut_RefusedWithOneLine()
    {
        var line = RefusedWithOneLine([.. Small, "--shard", "1/2"]);
        Assert.Contains("--out", line);
    }

    [Fact]
    public void Shard_WithRandom_RefusedWithOneLine()
    {
        var line = RefusedWithOneLine("check", "--reading", "flat", "--random", "10", "--shard", "1/2", "--out", Path.Combine(Path.GetTempPath(), $"klp-never-{Guid.NewGuid():N}.json"));
        Assert.Contains("--random", line);
    }
}
