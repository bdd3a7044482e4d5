using Klp.Check.Commands;
using Klp.Check.Conformance;

namespace Klp.Check.Tests.Shards;

/// <summary>Shards of a run a cap cut carry the cut inputs, their caps and frontiers: merged, they mark and exit as one run does.</summary>
public class CappedShardMergeTests
{
    [Fact]
    public void Merge_CappedCompareShards_MarksAndExitsAsOneRun()
    {
        // recoverable under flat keeps its violation with letters a cut input lacks (Xs?), replace-set's is inconclusive (?).
        string[] command = ["compare", "-r", "replace-set", "-r", "flat", "--max-states", "100", "--no-scenarios", "-i", "recoverable", "-i", "no-shared-function"];
        Assert.Equal(ExitCodes.Inconclusive, CliRunner.Run(command).Code);
        ShardMergeTests.AssertMergeEqualsOneRun(command, [2, 3]);
    }

    [Fact]
    public void Merge_CappedCheckShards_MarksAndExitsAsOneRun()
    {
        string[] command = ["check", "-r", "upstream", "--bounds", "releases=3", "--max-depth", "1", "-i", "no-shared-function", "-i", "customer-untouched"];
        Assert.Equal(ExitCodes.Inconclusive, CliRunner.Run(command).Code);
        ShardMergeTests.AssertMergeEqualsOneRun(command, [2, 3]);
    }

    [Fact]
    public void Merge_CappedSweepShards_MarksAndExitsAsOneRun()
    {
        string[] command = ["sweep", "--bounds-range", "releases=1..3", "--max-depth", "1", "-r", "upstream", "-i", "no-shared-function", "-i", "customer-untouched"];
        Assert.Equal(ExitCodes.Inconclusive, CliRunner.Run(command).Code);
        ShardMergeTests.AssertMergeEqualsOneRun(command, [2]);
    }
}
