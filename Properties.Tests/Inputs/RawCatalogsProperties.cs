using Klp.Check.Equivalence;
using Klp.Check.Inputs;
using Klp.Check.Model;
using Klp.Check.Verdicts;

namespace Klp.Check.Tests.Inputs;

public class RawCatalogsProperties
{
    // Every combination of the menu's patches, the first patch counting fastest, kept when the
    // slow test of Symmetry (which builds every relabelling) says it is canonical.
    private static List<string> Reference(RawBounds bounds, bool reduce)
    {
        var menu = bounds.Menu();
        var choice = new int[bounds.Patches];
        var kept = new List<string>();
        while (true)
        {
            var patches = choice.Select(k => menu[k]).ToArray();
            if (!reduce || Symmetry.IsCanonical(patches, bounds.Functions)) kept.Add(Key(patches));
            var j = 0;
            while (j < choice.Length && ++choice[j] == menu.Length) choice[j++] = 0;
            if (j == choice.Length) return kept;
        }
    }

    private static string Key(IEnumerable<RawBounds.RawPatch> ps) =>
        string.Join(";", ps.Select(p => $"{p.Origin}/{p.Kind}/{string.Join(",", p.Sets)}/{p.Funcs}/{p.State}"));

    private static RawBounds Bounds(string text) => RawBounds.Parse(text, out var error) ?? throw new ArgumentException(error);

    // Each case has 10^4 to 10^5 combinations: relabellings of one to three functions, lists of
    // one to three sets, set 0 and states.
    public static TheoryData<string> Cases() =>
    [
        "patches=2,numbers=3,sets=2,functions=3",
        "patches=3,numbers=2,sets=1,functions=2,states=yes,customers=no",
        "patches=2,numbers=4,sets=3,functions=2,customers=no",
        "patches=3,numbers=3,sets=2,functions=1,customers=no",
        "patches=1,numbers=6,sets=2,functions=4",
    ];

    [Theory]
    [MemberData(nameof(Cases))]
    public void Reduced_KeepsWhatTheSymmetryTestKeeps_InTheSameOrder(string text)
    {
        var bounds = Bounds(text);

        var catalogs = new RawCatalogs(bounds, reduce: true);

        var kept = Enumerable.Range(0, catalogs.Count).Select(i => Key(catalogs.Patches(i))).ToList();
        var expected = Reference(bounds, reduce: true);
        Assert.True(expected.Count > 1, $"{expected.Count} catalogs");
        Assert.Equal(expected, kept);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Unreduced_IsEveryCombination_InTheSameOrder(string text)
    {
        var bounds = Bounds(text);

        var catalogs = new RawCatalogs(bounds, reduce: false);

        Assert.Equal(Reference(bounds, reduce: false), Enumerable.Range(0, catalogs.Count).Select(i => Key(catalogs.Patches(i))));
    }

    [Fact]
    public void Catalog_IsTheBuildOfItsPatches_AndTheSameObjectWhenAskedAgain()
    {
        var catalogs = new RawCatalogs(new RawBounds(), reduce: true);

        for (var i = 0; i < catalogs.Count; i += 997)
        {
            var built = catalogs[i];
            Assert.Same(built, catalogs[i]);
            Assert.Equal(CatalogText.Describe(RawBounds.Build(catalogs.Patches(i))), CatalogText.Describe(built));
        }
    }

    [Fact]
    public void Catalogs_AskedForFromSeveralThreads_AreEachTheirOwnIndex()
    {
        var catalogs = new RawCatalogs(Bounds("patches=2,numbers=3,sets=2,functions=2"), reduce: true);
        var expected = Enumerable.Range(0, catalogs.Count).Select(i => CatalogText.Describe(RawBounds.Build(catalogs.Patches(i)))).ToArray();

        var seen = new string[catalogs.Count];
        Parallel.For(0, 4 * catalogs.Count, new ParallelOptions { MaxDegreeOfParallelism = 4 }, k =>
        {
            var i = k * 7919 % catalogs.Count;
            seen[i] = CatalogText.Describe(catalogs[i]);
        });

        Assert.Equal(expected, seen);
    }

    [Fact]
    public void Bounds_OfMoreCatalogsThanAnIndexCounts_AreRefused()
    {
        var bounds = Bounds("patches=5,numbers=6,sets=4,functions=4,states=yes");

        var e = Assert.Throws<TooManyCatalogsException>(() => new RawCatalogs(bounds, reduce: false));

        Assert.Contains("more than 2147483647 raw catalogs", e.Message);
    }

    [Fact]
    public void Sources_SayWhetherTheReadingsShareACatalog()
    {
        var raw = InputSource.Raw(new RawBounds(Patches: 2));
        var plans = InputSource.Plans(new PlanBounds(Releases: 2));

        Assert.True(raw.SharedByReadings);
        Assert.False(plans.SharedByReadings);
        Assert.False(DesignSpace.EncodingMatters(raw));
        Assert.True(DesignSpace.EncodingMatters(plans));
    }

    [Fact]
    public void Catalogs_OfOneInput_AreOneObjectForEveryReadingOfARawSource()
    {
        var source = InputSource.Raw(new RawBounds(Patches: 2));
        var readings = Readings.All.ToArray();

        var catalogs = Classifier.Catalogs(source, source.Count / 2, readings);

        Assert.All(catalogs, c => Assert.Same(catalogs[0], c));
    }
}

public class RawBoundsTooManyTests
{
    private static RawBounds Bounds(string text) => RawBounds.Parse(text, out var error) ?? throw new ArgumentException(error);

    // The count of the catalogs is the floor TooMany reasons with, or above it: bounds that pass
    // are enumerated, and the floor holds on each.
    [Theory]
    [InlineData("patches=2,numbers=3,sets=2,functions=3")]
    [InlineData("patches=3,numbers=4,sets=2,functions=2,customers=no")]
    [InlineData("patches=1,numbers=6,sets=4,functions=4,states=yes")]
    public void Bounds_ThatPass_HoldAtLeastTheFloorOfCatalogs(string text)
    {
        var bounds = Bounds(text);
        Assert.Null(bounds.TooMany(reduce: true));
        Assert.Null(bounds.TooMany(reduce: false));

        var all = new RawCatalogs(bounds, reduce: false).Count;
        var reduced = new RawCatalogs(bounds, reduce: true).Count;

        Assert.Equal(Math.Pow(bounds.Menu().Length, bounds.Patches), all);
        var classSize = Enumerable.Range(1, bounds.Numbers - 1).Aggregate(1, (a, b) => a * b) * Enumerable.Range(1, bounds.Functions).Aggregate(1, (a, b) => a * b);
        Assert.True(reduced * classSize >= all, $"{reduced} classes of at most {classSize} hold {all}");
    }

    [Theory]
    [InlineData("patches=5,numbers=3,sets=2,functions=2", true)]
    [InlineData("patches=5,numbers=6,sets=4,functions=4,states=yes", true)]
    [InlineData("patches=4,numbers=4,sets=3,functions=3", false)]
    public void Bounds_BeyondAnIndex_AreRefusedBeforeEnumerating(string text, bool reduce)
    {
        var reason = Bounds(text).TooMany(reduce);

        Assert.NotNull(reason);
        Assert.Contains("more than 2147483647 raw catalogs", reason);
    }

    [Fact]
    public void Check_OfBoundsBeyondAnIndex_IsRefusedWithOneLine()
    {
        var line = Klp.Check.Tests.Shards.ShardFiles.RefusedWithOneLine("check", "--raw", "--bounds", "patches=5,numbers=6,sets=4,functions=4", "-r", "flat");

        Assert.StartsWith("klp-check: --bounds: the bounds patches=5,numbers=6,sets=4,functions=4,states=no,customers=yes hold more than 2147483647 raw catalogs, even reduced by symmetry", line);
    }

    [Fact]
    public void Sweep_WithAStepBeyondAnIndex_IsRefusedWithOneLineNamingIt()
    {
        var line = Klp.Check.Tests.Shards.ShardFiles.RefusedWithOneLine("sweep", "--raw", "-r", "flat", "--bounds", "functions=2", "--bounds-range", "patches=1..5");

        Assert.StartsWith("klp-check: --bounds-range: the step patches=5: the bounds patches=5,numbers=3,sets=2,functions=2", line);
    }
}
