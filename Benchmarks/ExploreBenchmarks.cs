using BenchmarkDotNet.Attributes;
using Klp.Check.Comparison;
using Klp.Check.Engine;
using Klp.Check.Model;
using Klp.Check.Verdicts;

namespace Klp.Check.Benchmarks;

/// <summary>How fast exhaustive exploration runs per catalog and reading, in states per second.</summary>
/// <remarks>
/// Each method returns the distinct states explored (shown in the States column). The explorer and
/// its graph storage are reused across invocations, as <see cref="Verifier"/> reuses them per thread.
/// Few iterations: the large catalogs take seconds per invocation.
/// </remarks>
[MemoryDiagnoser]
[StatesColumns]
[SimpleJob(launchCount: 1, warmupCount: 2, iterationCount: 5)]
public class ExploreBenchmarks
{
    /// <summary>The reading, by preset name.</summary>
    [ParamsSource(nameof(ReadingNames))]
    public string Reading { get; set; } = Readings.Upstream.Name;

    /// <summary>Every preset reading.</summary>
    public static IEnumerable<string> ReadingNames => Readings.All.Select(r => r.Name);

    private readonly Explorer explorer = new();
    private Reading reading = null!;
    private Catalog timeline = null!;
    private Catalog stacking = null!;
    private Catalog sets = null!;

    /// <summary>Builds the catalogs.</summary>
    [GlobalSetup]
    public void Setup()
    {
        reading = Readings.Find(Reading) ?? throw new InvalidOperationException($"unknown reading {Reading}");
        timeline = BenchmarkCatalogs.Timeline();
        stacking = BenchmarkCatalogs.Stacking(8);
        sets = BenchmarkCatalogs.Sets(10, 4);
    }

    /// <summary>Joe's and Petr's timeline: 8 patches, sets 1 to 3 (112 to 4,256 states).</summary>
    [Benchmark(Baseline = true)]
    public int Timeline() => explorer.ExploredStates(timeline, reading);

    /// <summary>8 hotfixes that stack under every reading (297,856 states each).</summary>
    [Benchmark]
    public int Stacking8() => explorer.ExploredStates(stacking, reading);

    /// <summary>10 releases over 4 sets (126,464 states; upstream 744,000).</summary>
    [Benchmark]
    public int Sets10x4() => explorer.ExploredStates(sets, reading);
}
