using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Text;
using Klp.Check.Commands;
using Klp.Check.Conformance;
using Klp.Check.Shards;

namespace Klp.Check.Tests.Shards;

/// <summary>merge refuses, with one line and exit 2 before any work, shards that do not make one run; --shard refuses bad usage.</summary>
public class MergeRefusalTests
{
    private static readonly string[] Small = ["compare", "--raw", "--bounds", "patches=1,numbers=2", "--no-scenarios", "--reading", "flat", "--reading", "set"];

    private static string Shard(string[] command, string shard, string? dir = null) => ShardFiles.Write(command, shard, dir);

    private static string RefusedWithOneLine(params string[] args) => ShardFiles.RefusedWithOneLine(args);

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

    private static readonly string[] SmallSweep = ["sweep", "--bounds", "releases=2", "--bounds-range", "releases=1..2", "--reading", "flat"];

    [Fact]
    public void Merge_SweepShardsFromDifferentRanges_Refuses()
    {
        string[] other = [.. SmallSweep.Select(a => a == "releases=1..2" ? "releases=2..2" : a)];
        var line = RefusedWithOneLine("merge", Shard(SmallSweep, "1/2"), Shard(other, "2/2"));
        Assert.Contains("other bounds ranges", line);
    }

    [Fact]
    public void Merge_SweepShardsFromDifferentBounds_Refuses()
    {
        string[] other = [.. SmallSweep.Select(a => a == "releases=2" ? "releases=2,customers=2" : a)];
        var line = RefusedWithOneLine("merge", Shard(SmallSweep, "1/2"), Shard(other, "2/2"));
        Assert.Contains("other bounds", line);
    }

    [Fact]
    public void Merge_SweepShardsFromDifferentReadings_Refuses()
    {
        string[] other = [.. SmallSweep.Select(a => a == "flat" ? "set" : a)];
        var line = RefusedWithOneLine("merge", Shard(SmallSweep, "1/2"), Shard(other, "2/2"));
        Assert.Contains("other readings", line);
    }

    [Fact]
    public void Merge_SweepAndCompareShards_Refuses()
    {
        var line = RefusedWithOneLine("merge", Shard(SmallSweep, "1/2"), Shard(Small, "2/2"));
        Assert.Contains("a compare shard", line);
    }

    [Fact]
    public void Merge_SweepShardsAsHtml_Refuses()
    {
        var line = RefusedWithOneLine("merge", Shard(SmallSweep, "1/1"), "--format", "html");
        Assert.Contains("html", line);
    }

    [Theory]
    [InlineData("1/2")]
    [InlineData("1/1")]
    public void Sweep_ShardWithMaxSeconds_RefusedWithOneLine(string shard)
    {
        var file = Path.Combine(Path.GetTempPath(), $"klp-never-{Guid.NewGuid():N}.json");
        var line = RefusedWithOneLine([.. SmallSweep, "--max-seconds", "60", "--shard", shard, "--out", file]);
        Assert.Contains("--max-seconds", line);
        Assert.False(File.Exists(file));
    }

    [Fact]
    public void Sweep_OutWithMaxSeconds_RefusedWithOneLine()
    {
        var line = RefusedWithOneLine([.. SmallSweep, "--max-seconds", "60", "--out", Path.Combine(Path.GetTempPath(), $"klp-never-{Guid.NewGuid():N}.json")]);
        Assert.Contains("--max-seconds", line);
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

    // Issue 24, items 5 to 8 and 19: shards edited by hand are refused with one line before anything is counted.

    [Fact]
    public void Merge_ShardWithNegativeStates_RefusedWithLineAndColumn()
    {
        var edited = ShardFiles.Edited(Shard(Small, "1/1"), s => s["readings"]![0]!["states"] = -5);
        var line = RefusedWithOneLine("merge", edited);
        Assert.Matches($"^{Regex.Escape(edited)}:1:[0-9]+: readings\\[0\\]\\.states: must be a whole number from 0 to ", line);
    }

    [Fact]
    public void Merge_ShardWithNoInputChecked_RefusedAgainstItsShare()
    {
        var edited = ShardFiles.Edited(Shard(Small, "1/1"), s => s["readings"]![1]!["inputsChecked"] = 0);
        var line = RefusedWithOneLine("merge", edited);
        Assert.Contains("readings[1].inputsChecked: 0, and shard 1/1 has", line);
    }

    [Fact]
    public void Merge_ShardWithReadingsCut_RefusedAgainstTheIdentity()
    {
        var edited = ShardFiles.Edited(Shard(Small, "1/2"), s => s["readings"]!.AsArray().RemoveAt(1));
        var line = RefusedWithOneLine("merge", edited, Shard(Small, "2/2"));
        Assert.Equal($"{edited}: merge: readings: 1 reading partials, and the run's identity names 2 readings", line);
    }

    [Fact]
    public void Merge_ShardWithReportSaveBaseline_RefusedAndWritesNothing()
    {
        var dir = Directory.CreateTempSubdirectory("klp-refusal").FullName;
        var victim = Path.Combine(dir, "victim.txt");
        File.WriteAllText(victim, "precious\n");
        var edited = ShardFiles.Edited(Shard(Small, "1/1", dir), s => s["report"] = new JsonObject { ["save-baseline"] = victim, ["format"] = "json" });
        var line = RefusedWithOneLine("merge", edited);
        Assert.Contains("report", line);
        Assert.Equal("precious\n", File.ReadAllText(victim));
    }

    [Fact]
    public void Merge_ShardArgumentsWithSaveBaseline_RefusedAndWritesNothing()
    {
        var dir = Directory.CreateTempSubdirectory("klp-refusal").FullName;
        var victim = Path.Combine(dir, "victim.txt");
        File.WriteAllText(victim, "precious\n");
        var edited = ShardFiles.Edited(Shard(Small, "1/1", dir), s => s["arguments"]!.AsArray().Add("--save-baseline"));
        var line = RefusedWithOneLine("merge", edited);
        Assert.Contains("'--save-baseline' is never recorded", line);
        Assert.Equal("precious\n", File.ReadAllText(victim));
    }

    [Theory]
    [InlineData("--format", "markdown")]
    [InlineData("-f", "json")]
    [InlineData("--save-baseline", "never.verdicts")]
    public void Shard_WithReportOption_RefusedWithOneLine(string option, string value)
    {
        var file = Path.Combine(Path.GetTempPath(), $"klp-never-{Guid.NewGuid():N}.json");
        var line = RefusedWithOneLine([.. Small, option, value, "--shard", "1/2", "--out", file]);
        Assert.Contains("give --", line);
        Assert.False(File.Exists(file));
    }

    [Theory]
    [InlineData("1e300")]
    [InlineData("1e400")]
    [InlineData("-1")]
    public void Merge_ShardWithSecondsOutOfRange_RefusedWithOneLine(string seconds)
    {
        // 1e300 seconds overflowed TimeSpan (an OverflowException in PartialResult.cs).
        var edited = ShardFiles.EditedText(Shard(Small, "1/1"), t => Regex.Replace(t, "\"seconds\":[^,}]+", $"\"seconds\":{seconds}"));
        var line = RefusedWithOneLine("merge", edited);
        Assert.Matches($"^{Regex.Escape(edited)}:1:[0-9]+: readings\\[0\\]\\.seconds: must be a number from 0 to ", line);
    }

    [Fact]
    public void Merge_ShardWithShortPropertiesArray_RefusedWithOneLine()
    {
        // An IndexOutOfRangeException in ReadingPartial.cs before.
        var edited = ShardFiles.Edited(Shard(Small, "1/1"), s => s["readings"]![0]!["properties"]!.AsArray().RemoveAt(3));
        var line = RefusedWithOneLine("merge", edited);
        Assert.Contains("readings[0].properties: 15 entries, and the run's identity names 16 properties", line);
    }

    [Fact]
    public void Merge_ShardWithBestIndexOutOfRange_RefusedWithOneLine()
    {
        // An IndexOutOfRangeException in ReadingPartial.cs (through InputSource) before.
        var edited = ShardFiles.Edited(ShardFiles.Write(ShardFiles.Violating, "1/1"), s => ShardFiles.Property(s, 1, "no-shared-function")["best"]!["index"] = 999999);
        var line = RefusedWithOneLine("merge", edited);
        Assert.Contains("readings[1].properties[1].best.index: input 1000000 is not one of shard 1/1", line);
    }

    [Theory]
    [InlineData("unknown", "\"readings\":[{", "\"readings\":[{\"extra\":1,", "unknown field 'extra'")]
    [InlineData("missing", "\"catalogs\":", "\"katalogs\":", "unknown field 'katalogs'")]
    [InlineData("twice", "\"tool\":\"klp-check\",", "\"tool\":\"klp-check\",\"tool\":\"klp-check\",", "the field 'tool' appears twice")]
    [InlineData("type", "\"complete\":true", "\"complete\":\"yes\"", "complete: must be true or false")]
    [InlineData("fraction", "\"inputsChecked\":", "\"inputsChecked\":0.5,\"x\":", "inputsChecked: must be a whole number")]
    public void Merge_ShardNotOfTheSchema_RefusedWithLineAndColumn(string what, string find, string replace, string expected)
    {
        var file = Shard(Small, "1/1");
        var edited = ShardFiles.EditedText(file, t => new Regex(Regex.Escape(find)).Replace(t, replace, 1));
        Assert.NotEqual(File.ReadAllText(file), File.ReadAllText(edited));
        var line = RefusedWithOneLine("merge", edited);
        Assert.True(Regex.IsMatch(line, $"^{Regex.Escape(edited)}:1:[0-9]+: "), what + ": " + line);
        Assert.Contains(expected, line);
    }

    [Theory]
    [InlineData("\"tool\"", 2, "a field name is not UTF-8")]
    [InlineData("\"version\":\"", 11, "written by klp-check (not UTF-8)")]
    [InlineData("\"--bounds", 2, "arguments[1]: not UTF-8")]
    public void Merge_ShardWithBytesNotUtf8_RefusedWithOneLine(string near, int offset, string expected)
    {
        var file = Shard(Small, "1/1");
        var bytes = File.ReadAllBytes(file);
        var at = Encoding.UTF8.GetString(bytes).IndexOf(near, StringComparison.Ordinal) + offset;
        var edited = file + ".edited.json";
        File.WriteAllBytes(edited, [.. bytes[..at], 0xFF, .. bytes[at..]]);
        var line = RefusedWithOneLine("merge", edited);
        Assert.StartsWith(edited + ":1:", line);
        Assert.Contains(expected, line);
    }

    [Fact]
    public void Merge_ShardWithFieldMissing_RefusedNamingIt()
    {
        var edited = ShardFiles.Edited(Shard(Small, "1/1"), s => s["readings"]![0]!.AsObject().Remove("transitions"));
        var line = RefusedWithOneLine("merge", edited);
        Assert.Contains("readings[0]: the field 'transitions' is missing", line);
    }

    [Fact]
    public void Merge_ShardCutByACapNotOfTheRun_Refused()
    {
        var edited = ShardFiles.Edited(Shard(Small, "1/1"), s => s["readings"]![0]!["cut"]!.AsArray().Add(new JsonArray(0, "\u001b]0;pwn\u0007", 1)));
        var line = RefusedWithOneLine("merge", edited);
        Assert.Contains("which is not a cap of this run", line);
        Assert.DoesNotContain("\u001b", line);
    }

    [Fact]
    public void Merge_ShardWithExtraIdentityField_Refused()
    {
        var file = Shard(Small, "1/1");
        var edited = ShardFiles.Edited(file, s => s["identity"]!["extra"] = "x");
        var line = RefusedWithOneLine("merge", edited);
        Assert.Contains("identity: 'extra' is not part of the identity", line);
    }

    [Fact]
    public void Merge_ShardNotComplete_ExitsInterruptedWithOneLineNamingIt()
    {
        // Before: exit 130 with "interrupted: 2 of 2 readings verified in full".
        var edited = ShardFiles.Edited(Shard(Small, "1/2"), s => s["readings"]![1]!["complete"] = false);
        var line = ShardFiles.RefusedWithOneLine(ExitCodes.Interrupted, "merge", edited, Shard(Small, "2/2"));
        Assert.Equal($"{edited}: merge: shard 1/2 did not finish (readings[1] says complete: false), so nothing is merged: run shard 1/2 again", line);
    }

    [SkippableFact]
    public void Merge_DevZero_RefusedAtOnceAsNotRegular()
    {
        // Before: 21 s and 4.2 GB read, then an OutOfMemoryException.
        Skip.IfNot(OperatingSystem.IsLinux() && File.Exists("/dev/zero"), "needs /dev/zero");
        Assert.Equal("/dev/zero: not a regular file", RefusedWithOneLine("merge", "/dev/zero"));
    }

    [SkippableFact]
    public void Merge_Fifo_RefusedWithoutWaitingForAWriter()
    {
        var mkfifo = ExternalTools.Find("mkfifo");
        Skip.If(mkfifo is null, "mkfifo is not on PATH");
        var fifo = Path.Combine(Directory.CreateTempSubdirectory("klp-refusal").FullName, "shard.json");
        Assert.Equal(0, ExternalTools.Run(mkfifo, [fifo]).Code);
        Assert.Equal($"{fifo}: not a regular file", RefusedWithOneLine("merge", fifo));
    }

    [Fact]
    public void Merge_Directory_RefusedWithOneLine() =>
        Assert.EndsWith(": is a directory", RefusedWithOneLine("merge", Directory.CreateTempSubdirectory("klp-refusal").FullName));

    [Fact]
    public void Merge_FileOverTheMaximumSize_RefusedWithOneLine()
    {
        var file = Path.Combine(Directory.CreateTempSubdirectory("klp-refusal").FullName, "large.json");
        using (var stream = File.Create(file)) stream.SetLength(PartialReader.MaxBytes + 1L);
        Assert.Equal($"{file}: more than 64 MiB, the most merge reads of a partial result", RefusedWithOneLine("merge", file));
    }

    [Fact]
    public void Write_PartialOverTheMaximumSize_RefusedAndNothingWritten()
    {
        var file = Path.Combine(Directory.CreateTempSubdirectory("klp-refusal").FullName, "shard.json");
        var partial = new PartialResult("check", PartialResult.ToolVersion, new Shard(1, 1), [new string('x', PartialReader.MaxBytes)], [], [], null);
        var stderr = new StringWriter();
        Assert.False(ShardOptions.Write(partial, file, 1, 1, 1, TimeSpan.Zero, stderr));
        Assert.Contains("larger than 64 MiB", stderr.ToString());
        Assert.False(File.Exists(file));
    }

    [Fact]
    public void Merge_SeedWithoutRecheck_RefusedWithOneLine() =>
        Assert.Contains("give --recheck N", RefusedWithOneLine("merge", Shard(Small, "1/1"), "--seed", "3"));
}
