using Klp.Check.Model;

namespace Klp.Check.Tests.Model;

/// <summary>Which patches a state shows enabled, whole or read from its masks alone.</summary>
public class ObservablesTests
{
    // A patch whose transition has not yet patched its target is in the list but not enabled,
    // whichever index it has; the others in the list are.
    [Theory]
    [InlineData(0, false, 0b110UL)]
    [InlineData(0, true, 0b111UL)]
    [InlineData(2, false, 0b011UL)]
    [InlineData(-1, false, 0b111UL)]
    public void EnabledMask_PatchInTransition_IsEnabledOnlyOnceItsTargetIsPatched(int transition, bool targetPatched, ulong enabled)
    {
        var state = KernelState.Of([(1, 0, -1), (2, 0, -1), (0, 0, -1)], 0b111, 0, transition, targetPatched);

        Assert.Equal(enabled, Observables.EnabledMask(state));
        Assert.Equal(enabled, StateMasks.Of(state).EnabledMask);
        Assert.Equal(transition >= 0, StateMasks.Of(state).InTransition);
    }
}
