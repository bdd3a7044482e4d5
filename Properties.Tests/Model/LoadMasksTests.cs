using System.Collections.Immutable;
using Klp.Check.Model;
using Xunit;

namespace Klp.Check.Tests.Model;

/// <summary>Which catalogs and readings <see cref="LoadMasks.For"/> makes masks for; that the masks give Apply's effects is <see cref="StepAgreementProperties"/>'s.</summary>
public class LoadMasksTests
{
    private static Patch Fixed(string name, params uint[] sets) =>
        new(name, Origin.Vendor, PatchKind.Hotfix, 0, [], [], false, [.. sets]);

    private static Patch Auto(string name) =>
        new(name, Origin.Customer, PatchKind.Hotfix, 0, [], [], false, [], SetSource.Auto);

    [Fact]
    public void For_FixedSetsWithoutParameters_MakesMasks()
    {
        var catalog = new Catalog([Fixed("a", 1), Fixed("b", 1, 2)]);

        Assert.NotNull(LoadMasks.For(catalog, Readings.Positional));
        Assert.NotNull(LoadMasks.For(catalog, Readings.Upstream));
    }

    [Fact]
    public void For_SetsAllocatedAtLoadTime_MakesNoneUnderASetReadingOnly()
    {
        var catalog = new Catalog([Fixed("a", 1), Auto("b")]);

        Assert.Null(LoadMasks.For(catalog, Readings.FlatDynamic));
        Assert.Null(LoadMasks.For(catalog, Readings.Positional));
        // Without sets, no entry is given a set: the check reads the patches alone.
        Assert.NotNull(LoadMasks.For(catalog, Readings.Upstream));
    }

    [Fact]
    public void For_AddSetsValuesUnderAReadingWithTheParameter_MakesNone()
    {
        ImmutableArray<uint>[] variants = [[2u]];
        var catalog = new Catalog([Fixed("a", 1), Fixed("b", 2)], variants);

        Assert.True(Readings.Positional.AddSetsParameter);
        Assert.Null(LoadMasks.For(catalog, Readings.Positional));
        // A reading without the parameter refuses every load that passes one.
        Assert.False(Readings.ReplaceSet.AddSetsParameter);
        Assert.NotNull(LoadMasks.For(catalog, Readings.ReplaceSet));
    }
}
