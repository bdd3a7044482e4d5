using Klp.Check.Inputs;
using Klp.Check.Model;
using Klp.Check.Properties;
using Klp.Check.Verdicts;

namespace Klp.Check.Tests.Verdicts;

/// <summary>block_disable as Petr Mladek's series has it, seen in the two-phase verdicts: a blocking patch's load cannot be reversed.</summary>
public class BlockDisableTwoPhaseTests
{
    private static Verdict TwoPhase(string reading, string property)
    {
        var r = Readings.Parse(reading, out var error) ?? throw new InvalidOperationException(error);
        r = r.WithGranularity(Granularity.TwoPhase);
        var result = Verifier.Run(InputSource.Plans(new PlanBounds(Releases: 2)), r, [PropertyRegistry.Find(property)!], default);
        return Assert.Single(result.Verdicts);
    }

    // Regression: the model reversed a blocking patch's load on a write of 0 to its enabled
    // (`load cum1; disable cum1; complete` removed the block_disable state); enabled_store()
    // refuses that write before its reverse branch.
    [Theory]
    [InlineData("positional")]
    [InlineData("set")]
    [InlineData("upstream(states=block-disable)")]
    public void BlockDisableKept_TwoPhase_Holds(string reading)
    {
        Assert.Equal(VerdictKind.Holds, TwoPhase(reading, "block-disable-kept").Kind);
    }

    // A load whose reversal is refused is not a reversed load that fails to restore Patches.
    [Theory]
    [InlineData("positional")]
    [InlineData("upstream(states=block-disable)")]
    public void RefusalIsAtomic_TwoPhaseWithBlockingLoads_Holds(string reading)
    {
        Assert.Equal(VerdictKind.Holds, TwoPhase(reading, "refusal-is-atomic").Kind);
    }
}
