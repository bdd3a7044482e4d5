using Klp.Check.Model;
using Klp.Check.Properties;

namespace Klp.Check.Tests.Properties;

/// <summary>The registry's list of the properties that apply to a reading.</summary>
public class PropertyRegistryTests
{
    [Fact]
    public void ApplicableTo_Positional_LeavesOutStateVersionsAndTwoPhaseProperties()
    {
        var ids = PropertyRegistry.ApplicableTo(Readings.Positional).Select(p => p.Id).ToList();

        Assert.DoesNotContain("state-monotonic", ids);
        Assert.DoesNotContain("no-lost-fix", ids);
        Assert.Contains("one-per-set", ids);
        Assert.Contains("recoverable", ids);
        Assert.Equal(PropertyRegistry.All.Count - 2, ids.Count);
    }
}
