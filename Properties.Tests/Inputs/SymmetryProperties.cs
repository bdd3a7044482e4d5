using System.Collections.Immutable;
using FsCheck.Fluent;
using FsCheck.Xunit;
using FsCheck;
using Klp.Check.Conformance;
using Klp.Check.Inputs;
using Klp.Check.Model;
using Klp.Check.Properties;
using Klp.Check.Verdicts;
using Property = FsCheck.Property;

namespace Klp.Check.Tests.Inputs;

public class SymmetryProperties
{
    private const int Functions = 3;

    private static Gen<RawBounds.RawPatch> Patches() =>
        from origin in Gen.Elements(Origin.Vendor, Origin.Customer)
        from kind in Gen.Elements(PatchKind.Cumulative, PatchKind.Hotfix)
        from length in Gen.Choose(1, 3)
        from sets in Gen.ArrayOf(Gen.Choose(0, 4), length)
        from funcs in Gen.Choose(1, (1 << Functions) - 1)
        from state in Gen.Choose(0, 3)
        select new RawBounds.RawPatch(origin, kind, [.. sets.Distinct().Select(s => (uint)s)], funcs, state);

    private static Gen<(RawBounds.RawPatch[] Catalog, uint[] SetPerm, int[] FuncPerm)> Cases() =>
        from n in Gen.Choose(1, 4)
        from patches in Gen.ArrayOf(Patches(), n)
        from setPerm in Gen.Shuffle(new uint[] { 1, 2, 3, 4 })
        from funcPerm in Gen.Shuffle(Enumerable.Range(0, Functions).ToArray())
        select (patches, setPerm, funcPerm);

    private static RawBounds.RawPatch[] Relabel(RawBounds.RawPatch[] patches, uint[] setPerm, int[] funcPerm) =>
    [
        .. patches.Select(p => p with
        {
            Sets = [.. p.Sets.Select(s => s == 0 ? 0 : setPerm[s - 1])],
            Funcs = Enumerable.Range(0, Functions).Where(b => (p.Funcs & (1 << b)) != 0).Sum(b => 1 << funcPerm[b]),
        }),
    ];

    private static string Key(RawBounds.RawPatch[] ps) =>
        string.Join(";", ps.Select(p => $"{p.Origin}/{p.Kind}/{string.Join(",", p.Sets)}/{p.Funcs}/{p.State}"));

    [Property(MaxTest = 300)]
    public Property Canonical_IsInvariantUnderRelabellingSetsAndFunctions() =>
        Prop.ForAll(Cases().ToArbitrary(), c =>
        {
            var original = Key(Symmetry.Canonical(c.Catalog, Functions));
            var relabelled = Key(Symmetry.Canonical(Relabel(c.Catalog, c.SetPerm, c.FuncPerm), Functions));
            return (original == relabelled).Label($"{original} vs {relabelled}");
        });

    [Property(MaxTest = 300)]
    public Property Canonical_IsItsOwnCanonicalForm() =>
        Prop.ForAll(Cases().ToArbitrary(), c =>
        {
            var canonical = Symmetry.Canonical(c.Catalog, Functions);
            return Symmetry.IsCanonical(canonical, Functions).Label(Key(canonical));
        });

    // Set 0 means something of its own under several readings (zero-replaces-all,
    // zero-only-by-zero): no renumbering may move it.
    [Property(MaxTest = 300)]
    public Property Canonical_KeepsSetZeroWhereItWas() =>
        Prop.ForAll(Cases().ToArbitrary(), c =>
        {
            var canonical = Symmetry.Canonical(c.Catalog, Functions);
            var same = c.Catalog.Zip(canonical).All(p => p.First.Sets.Select(s => s == 0).SequenceEqual(p.Second.Sets.Select(s => s == 0)));
            return same.Label($"{Key(c.Catalog)} -> {Key(canonical)}");
        });

    [Fact]
    public void Canonical_CatalogOfSetZeroOnly_StaysSetZero()
    {
        RawBounds.RawPatch[] zero = [new(Origin.Vendor, PatchKind.Cumulative, [0u], 1, 0)];

        Assert.Equal([0u], Symmetry.Canonical(zero, Functions)[0].Sets.ToArray());
    }

    [Fact]
    public void Reduction_KeepsOneCatalogPerClass()
    {
        var bounds = new RawBounds(Patches: 2, Numbers: 3, Sets: 2, Functions: 2, States: false, Customers: false);

        var all = bounds.Enumerate(reduce: false).Count();
        var reduced = bounds.Enumerate(reduce: true).Count();

        Assert.True(reduced < all / 2, $"{reduced} of {all}");
    }

    // Which patches list set 0, and whether first: what the zero readings read. Relabelling never
    // moves set 0, so the reduced enumeration has every such pattern the full one has.
    [Fact]
    public void Reduction_KeepsEveryPatternOfSetZero()
    {
        var bounds = new RawBounds(Patches: 2, Numbers: 3, Sets: 2, Functions: 2, States: false, Customers: false);
        static string Pattern(Catalog c) => string.Join(" ", c.Patches.Select(p => p.Sets.IsDefaultOrEmpty || !p.Sets.Contains(0u) ? "-" : p.Sets[0] == 0 ? "own-0" : "lists-0"));

        var full = bounds.Enumerate(reduce: false).Select(Pattern).ToHashSet();
        var reduced = bounds.Enumerate(reduce: true).Select(Pattern).ToHashSet();

        Assert.Contains(full, p => p.Contains("own-0") && p.Contains("lists-0"));
        Assert.Equal(full.Order(), reduced.Order());
    }

    public static TheoryData<string> ReadingNames() => [.. Readings.All.Select(r => r.Name)];

    [Theory]
    [MemberData(nameof(ReadingNames))]
    public void ReducedAndUnreducedRuns_GiveTheSameVerdicts(string reading)
    {
        var bounds = new RawBounds(Patches: 2, Numbers: 3, Sets: 2, Functions: 2, States: false, Customers: true);
        var r = Readings.Find(reading)!;

        var reduced = Verifier.Run(InputSource.Raw(bounds, reduce: true), r, PropertyRegistry.All, default);
        var full = Verifier.Run(InputSource.Raw(bounds, reduce: false), r, PropertyRegistry.All, default);

        Assert.Equal(full.Verdicts.Select(v => v.Word), reduced.Verdicts.Select(v => v.Word));
        Assert.True(reduced.Coverage.Catalogs < full.Coverage.Catalogs);
    }
}
