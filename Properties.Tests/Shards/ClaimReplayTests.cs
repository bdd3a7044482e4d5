using System.Text.Json.Nodes;
using Klp.Check.Conformance;

namespace Klp.Check.Tests.Shards;

/// <summary>merge replays every trace and distinguishing input a shard reports before counting it, and refuses one that does not replay with one line (issue 24, item 5).</summary>
/// <remarks>The shard is the only shard of <see cref="ShardFiles.Violating"/>: 256 raw catalogs under flat (reading 0) and upstream (reading 1).</remarks>
public class ClaimReplayTests
{
    private static readonly Lazy<string> Genuine = new(() => ShardFiles.Write(ShardFiles.Violating, "1/1"));

    private static string Forged(Action<JsonObject> edit) => ShardFiles.Edited(Genuine.Value, edit);

    private static JsonObject Best(JsonObject shard, int reading, string id) => ShardFiles.Property(shard, reading, id)["best"]!.AsObject();

    // A best trace where the shard found none, on an input without features.
    private static void Claim(JsonObject shard, int reading, string id, int index, JsonArray trace, string message)
    {
        var p = ShardFiles.Property(shard, reading, id);
        p["needed"] = 0;
        p["best"] = new JsonObject { ["features"] = 0, ["index"] = index, ["trace"] = trace, ["message"] = message };
    }

    // Operation codes as a partial writes them: kind << 16 | patch << 8 | add_sets variant.
    private const int LoadP1 = 0, LoadP2 = 1 << 8, UnloadP1 = 5 << 16;

    [Fact]
    public void Merge_GenuineShard_ReplaysEveryClaimAndSaysSo()
    {
        var (code, _, err) = CliRunner.Run("merge", Genuine.Value);
        Assert.True(code == 0, err);
        // Ten best traces, three of them liveness violations on two inputs, and one pair of readings.
        Assert.Contains("klp-check: merge: 1 shard checked against the run: 10 traces replayed (2 inputs explored again for liveness), 1 distinguishing input run again in lockstep", err);
    }

    [Fact]
    public void Merge_ForgedBestWithInventedMessage_Refused()
    {
        var forged = Forged(s => Best(s, 1, "no-shared-function")["message"] = "invented: the kernel caught fire");
        var line = ShardFiles.RefusedWithOneLine("merge", forged);
        Assert.Equal($"{forged}: merge: readings[1].properties[1].best: replayed, the trace shows 'two enabled patches patch f1', and the shard says 'invented: the kernel caught fire'", line);
    }

    [Fact]
    public void Merge_ForgedSafetyTraceThatViolatesNothing_Refused()
    {
        var forged = Forged(s => Best(s, 1, "no-shared-function")["trace"] = new JsonArray(LoadP2));
        var line = ShardFiles.RefusedWithOneLine("merge", forged);
        Assert.EndsWith("readings[1].properties[1].best: replayed, the trace on input 5 shows no violation of no-shared-function under upstream", line);
    }

    [Fact]
    public void Merge_ForgedTraceWithARefusedStep_RefusedByStep()
    {
        var forged = Forged(s => Best(s, 1, "no-shared-function")["trace"] = new JsonArray(UnloadP1, LoadP2, LoadP1));
        var line = ShardFiles.RefusedWithOneLine("merge", forged);
        Assert.Contains("readings[1].properties[1].best: the violation of no-shared-function under upstream does not replay on input 5: trace step 1 (unload p1) was refused on replay", line);
    }

    [Fact]
    public void Merge_ForgedWitnessNeverReached_Refused()
    {
        // hotfix-coexists is never reached under flat: a shard claims it is, on the input where upstream reaches it.
        var forged = Forged(s => Claim(s, 0, "hotfix-coexists", 4, new JsonArray(LoadP2, LoadP1), "p1 is enabled beside p2"));
        var line = ShardFiles.RefusedWithOneLine("merge", forged);
        Assert.EndsWith("readings[0].properties[13].best: replayed, the trace on input 5 shows no witness of hotfix-coexists under flat", line);
    }

    [Fact]
    public void Merge_ForgedLivenessViolation_RefusedAfterExploringItsInputAgain()
    {
        // recoverable holds under flat; the trace replays through Step, but from its end every patch can be removed.
        var forged = Forged(s => Claim(s, 0, "recoverable", 2, new JsonArray(LoadP2), "from here no state without enabled patches is reachable"));
        var line = ShardFiles.RefusedWithOneLine("merge", forged);
        Assert.EndsWith("readings[0].properties[10].best: explored again, the trace on input 3 shows no violation of recoverable under flat", line);
    }

    [Fact]
    public void Merge_LivenessViolationWithALongerTrace_Refused()
    {
        var forged = Forged(s => Best(s, 0, "downgrade-installable")["trace"] = new JsonArray(LoadP1, LoadP2));
        var line = ShardFiles.RefusedWithOneLine("merge", forged);
        Assert.EndsWith("readings[0].properties[11].best: explored again, input 3 gives another shortest trace for the violation of downgrade-installable under flat (1 operations, the shard's 2)", line);
    }

    [Fact]
    public void Merge_ForgedFeaturesOfBestInput_Refused()
    {
        var forged = Forged(s =>
        {
            Best(s, 0, "customer-untouched")["features"] = 0;
            ShardFiles.Property(s, 0, "customer-untouched")["needed"] = 0;
        });
        var line = ShardFiles.RefusedWithOneLine("merge", forged);
        Assert.EndsWith("readings[0].properties[5].best.features: 0, and input 9 has 1", line);
    }

    [Fact]
    public void Merge_ForgedLengthOfDistinguishingTrace_RefusedAfterTheLockstep()
    {
        var forged = Forged(s => s["equivalence"]!["pairs"]![0]![4] = 5);
        var line = ShardFiles.RefusedWithOneLine("merge", forged);
        Assert.EndsWith("equivalence.pairs[1]: run again in lockstep, flat and upstream first differ on input 3 after 2 operations, and the shard says 5", line);
    }

    [Fact]
    public void Merge_DistinguishingInputForReadingsNeverApart_Refused()
    {
        var forged = Forged(s => s["equivalence"]!["apart"] = "0000");
        var line = ShardFiles.RefusedWithOneLine("merge", forged);
        Assert.EndsWith("equivalence.pairs[1]: no input puts flat and upstream in different blocks, so the lockstep never ran", line);
    }
}
