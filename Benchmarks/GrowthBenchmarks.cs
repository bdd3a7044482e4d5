using BenchmarkDotNet.Attributes;
using Klp.Check.Comparison;
using Klp.Check.Engine;
using Klp.Check.Model;

namespace Klp.Check.Benchmarks;

/// <summary>How states, time and memory of one exhaustive exploration grow with the patches and sets of a catalog.</summary>
/// <remarks>
/// <c>stacking-N</c> grows the patches of a catalog that never replaces (every reading explores the
/// same graph); <c>sets-8xK</c> spreads 8 releases over K sets (see <see cref="BenchmarkCatalogs"/>).
/// The method returns the distinct states explored (the States column).
/// </remarks>
[MemoryDiagnoser]
[StatesColumns]
[SimpleJob(launchCount: 1, warmupCount: 1, iterationCount: 3)]
public class GrowthBenchmarks
{
    /// <summary>The catalog, by name.</summary>
    [ParamsSource(nameof(CatalogNames))]
    public string Catalog { get; set; } = "stacking-4";

    /// <summary>The reading, by preset name: upstream, the single-set v2 reading, and three list readings.</summary>
    [Params("upstream", "replace-set", "positional", "flat", "set")]
    public string Reading { get; set; } = Readings.Upstream.Name;

    /// <summary>Stacking catalogs of 4 to 8 patches, then 8 releases over 1, 2, 4 and 8 sets.</summary>
    public static IEnumerable<string> CatalogNames =>
        ["stacking-4", "stacking-5", "stacking-6", "stacking-7", "stacking-8", "sets-8x1", "sets-8x2", "sets-8x4", "sets-8x8"];

    private readonly Explorer explorer = new();
    private Catalog catalog = null!;
    private Reading reading = null!;

    /// <summary>Builds the catalog.</summary>
    [GlobalSetup]
    public void Setup()
    {
        reading = Readings.Find(Reading) ?? throw new InvalidOperationException($"unknown reading {Reading}");
        var parts = Catalog.Split('-', 'x');
        catalog = parts[0] == "stacking"
            ? BenchmarkCatalogs.Stacking(int.Parse(parts[1]))
            : BenchmarkCatalogs.Sets(int.Parse(parts[1]), int.Parse(parts[2]));
    }

    /// <summary>One exhaustive exploration.</summary>
    [Benchmark(Baseline = true)]
    public int Explore() => explorer.ExploredStates(catalog, reading);
}
