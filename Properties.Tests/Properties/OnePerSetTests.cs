using Klp.Check.Conformance;
using Klp.Check.Model;
using Klp.Check.Properties;
using Klp.Check.Scenarios;
using Klp.Check.Verdicts;

namespace Klp.Check.Tests.Properties;

/// <summary><c>one-per-set</c> compares every enabled patch's sets with those of every patch before it, not only the previous one.</summary>
public class OnePerSetTests
{
    // Flat's sets with upstream's replacement (only a replace patch replaces): hotfixes stack, each
    // in the sets it lists, so q and p share set 1 with r (set 2) between them in Patches. A random
    // run (check --random) checks only the states it walks through, so the property must see a
    // pair that is not adjacent.
    [Fact]
    public void OnePerSet_RunWithAPatchBetweenTwoThatShareASet_Violated()
    {
        var catalog = ScenarioParser.Parse("patch q sets={1} funcs={f}\npatch r sets={2} funcs={g}\npatch p sets={1} funcs={h}\n", "between.klp").Catalog;
        var reading = Readings.Flat with { Name = "flat-stacking", Replace = ReplaceRule.ByReplaceFlag };
        Operation[] ops = [Operation.Load(0), Operation.Load(1), Operation.Load(2)];

        var (invariant, message) = RandomExploration.FirstViolation(new Trace(catalog, reading, ops), [PropertyRegistry.Find("one-per-set")!]);
        var beforeTheLoad = RandomExploration.FirstViolation(new Trace(catalog, reading, ops[..^1]), [PropertyRegistry.Find("one-per-set")!]);

        Assert.Equal("one-per-set", invariant?.Id);
        Assert.Equal("two enabled patches occupy set 1", message);
        Assert.Null(beforeTheLoad.Property);
    }
}
