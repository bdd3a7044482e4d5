using System.Text.RegularExpressions;
using Klp.Check.Model;
using Klp.Check.Scenarios;

namespace Klp.Check.Tests.Scenarios;

// The catalogs docs/performance.md measures on are read by the tool as any input is: each
// parses, names the positional reading it is explored under, and has as many patches as its
// file name and title say.
public partial class BenchmarkCatalogTests
{
    public static TheoryData<string> Catalogs() =>
        [.. Directory.GetFiles(RepositoryFiles.Full("Benchmarks/catalogs"), "*.klp").Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal)];

    [Theory]
    [MemberData(nameof(Catalogs))]
    public void BenchmarkCatalog_Parses_WithThePatchesItsNameCounts(string file)
    {
        var scenario = ScenarioParser.ParseFile(RepositoryFiles.Full("Benchmarks/catalogs/" + file));

        var patches = int.Parse(Count().Match(file).Groups[1].Value);
        Assert.Equal(patches, scenario.Catalog.Count);
        Assert.Contains($"({patches} patches)", scenario.Title);
        Assert.Equal([Readings.Positional.Name], scenario.ExpectationReadings!.Select(r => r.Name));
    }

    [GeneratedRegex(@"-(\d+)\.klp$")]
    private static partial Regex Count();
}
