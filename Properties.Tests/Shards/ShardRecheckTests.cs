using System.Text.Json.Nodes;
using Klp.Check.Commands;
using Klp.Check.Conformance;

namespace Klp.Check.Tests.Shards;

/// <summary>What a shard leaves out cannot be told from its file: merge refuses what is inconsistent, and <c>--recheck N</c> runs inputs again to catch the rest (issue 24, item 5).</summary>
public class ShardRecheckTests
{
    private static readonly Lazy<string[]> Genuine = new(() => ShardFiles.WriteAll(ShardFiles.Violating, 2));

    // customer-untouched under flat: violated on inputs where a customer patch shares a function with a vendor patch.
    private static void DeleteViolation(JsonObject shard, bool consistently)
    {
        var p = ShardFiles.Property(shard, 0, "customer-untouched");
        p.Remove("best");
        if (consistently) p["needed"] = 3;
    }

    [Fact]
    public void Merge_ShardWithBestDeleted_RefusedAsInconsistent()
    {
        // Before: the cell turned from Xf to ok, exit 0.
        var edited = Genuine.Value.Select(f => ShardFiles.Edited(f, s => DeleteViolation(s, consistently: false))).ToArray();
        var line = ShardFiles.RefusedWithOneLine(["merge", .. edited]);
        Assert.Equal($"{edited[0]}: merge: readings[0].properties[5].needed: 1, and without a best trace no input violates customer-untouched", line);
    }

    [Fact]
    public void Merge_ShardOmittingAViolationConsistently_RecheckOfEveryInputRefuses()
    {
        var edited = Genuine.Value.Select(f => ShardFiles.Edited(f, s => DeleteViolation(s, consistently: true))).ToArray();
        var line = ShardFiles.RefusedWithOneLine(["merge", .. edited, "--recheck", "1000"]);
        Assert.StartsWith($"{edited[0]}: merge: --recheck: readings[0].properties[5].", line);
    }

    [Fact]
    public void Merge_ShardOmittingAViolationConsistently_SampleHoldingAViolatingInputRefuses()
    {
        // With seed 1, the 8 inputs of shard 1 run again hold a violating one.
        var edited = Genuine.Value.Select(f => ShardFiles.Edited(f, s => DeleteViolation(s, consistently: true))).ToArray();
        var line = ShardFiles.RefusedWithOneLine(["merge", .. edited, "--recheck", "8", "--seed", "1"]);
        Assert.StartsWith($"{edited[0]}: merge: --recheck: readings[0].properties[5].", line);
    }

    [Fact]
    public void Merge_ShardWithStatesShrunk_RecheckOfEveryInputRefuses()
    {
        var edited = ShardFiles.Edited(Genuine.Value[1], s => s["readings"]![1]!["states"] = 200);
        var line = ShardFiles.RefusedWithOneLine("merge", Genuine.Value[0], edited, "--recheck", "1000");
        Assert.Matches("^" + System.Text.RegularExpressions.Regex.Escape(edited) + ": merge: --recheck: readings\\[1\\]\\.states: the shard says 200, and its inputs run again give [0-9]+$", line);
    }

    [Fact]
    public void Merge_ShardClaimingEveryReadingEquivalent_RecheckRefuses()
    {
        // No pair is apart and no lockstep ran: consistent, so only running the inputs again shows it.
        var edited = Genuine.Value.Select(f => ShardFiles.Edited(f, s =>
        {
            s["equivalence"]!["apart"] = "0000";
            s["equivalence"]!["pairs"] = new JsonArray();
        })).ToArray();
        // Merged as it is, the two readings make one class.
        var merged = CliRunner.Run(["merge", .. edited]);
        Assert.Equal(ExitCodes.Ok, merged.Code);
        Assert.Contains("1 class: no trace tells these readings apart", merged.Out);
        var line = ShardFiles.RefusedWithOneLine(["merge", .. edited, "--recheck", "1000"]);
        Assert.Contains("--recheck: equivalence.apart: readings 1 and 2: the shard says never apart, and its inputs run again say apart", line);
    }

    private static readonly string[] Capped = ["compare", "--raw", "--bounds", "patches=2,numbers=2", "--no-scenarios", "--reading", "flat", "--max-depth", "1"];

    [Fact]
    public void Merge_CappedShardWithACutInputLeftOut_RefusedAsInconsistent()
    {
        var edited = ShardFiles.Edited(ShardFiles.Write(Capped, "1/1"), s => s["readings"]![0]!["cut"]!.AsArray().RemoveAt(255));
        var line = ShardFiles.RefusedWithOneLine("merge", edited);
        Assert.EndsWith("readings[0].properties[0].undecided: 256, and a cap cut only 255 inputs", line);
    }

    [Theory]
    [InlineData("undecidedFeatures", 1, "undecidedFeatures: 1, features the undecided input 1 does not have")]
    [InlineData("frontier", 1000000000, "frontier: 1000000000 frontier states, more than the cut inputs have")]
    public void Merge_CappedShardWithUndecidedInputsForged_RefusedAsInconsistent(string field, long value, string expected)
    {
        var edited = ShardFiles.Edited(ShardFiles.Write(Capped, "1/1"), s => s["readings"]![0]!["properties"]![0]![field] = value);
        var line = ShardFiles.RefusedWithOneLine("merge", edited);
        Assert.EndsWith("readings[0].properties[0]." + expected, line);
    }

    [Fact]
    public void Merge_CappedShardWithACutInputsCapChanged_RecheckRefuses()
    {
        var edited = ShardFiles.Edited(ShardFiles.Write(Capped, "1/1"), s => s["readings"]![0]!["cut"]![255]![1] = "the default state cap 1000000 (raise it with --max-states)");
        Assert.Equal(ExitCodes.Inconclusive, CliRunner.Run("merge", edited).Code);
        var line = ShardFiles.RefusedWithOneLine("merge", edited, "--recheck", "1000");
        Assert.Matches("--recheck: readings\\[0\\]\\.cut: input 256: the shard says 'the default state cap .*, and run again it gives 'depth cap 1, [0-9]+ frontier states?'$", line);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(1000)]
    public void Merge_RecheckOfGenuineShards_AgreesAndPrintsWhatMergePrints(int sample)
    {
        var plain = CliRunner.Run(["merge", .. Genuine.Value]);
        var (code, output, err) = CliRunner.Run(["merge", .. Genuine.Value, "--recheck", $"{sample}", "--seed", "5"]);
        Assert.Equal(plain.Code, code);
        Assert.Equal(plain.Out, output);
        var inputs = sample == 3 ? "6 inputs" : "256 inputs";
        Assert.Contains($"; --recheck {sample} --seed 5: {inputs} run again, every shard agrees", err);
    }

    [Fact]
    public void Merge_RecheckOfSweepShards_RunsEveryStepAndAgrees()
    {
        string[] sweep = ["sweep", "--bounds", "releases=2", "--bounds-range", "releases=1..2", "--reading", "upstream"];
        var files = ShardFiles.WriteAll(sweep, 2);
        var (code, output, err) = CliRunner.Run(["merge", .. files, "--recheck", "1000"]);
        var single = CliRunner.Run(sweep);
        Assert.Equal(single.Code, code);
        Assert.Equal(single.Out, output);
        Assert.Contains("every shard agrees", err);
    }
}
