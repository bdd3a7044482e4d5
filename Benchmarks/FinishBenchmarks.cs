using BenchmarkDotNet.Attributes;
using Klp.Check.Engine;
using Klp.Check.Model;
using Klp.Check.Properties;

namespace Klp.Check.Benchmarks;

/// <summary>The checks after the search, alone: every property's <see cref="PropertyChecks.Finish"/> on a graph explored once, with the facts they share computed afresh each time.</summary>
/// <remarks>
/// The graph is explored once, in the setup, with every property under positional watching the
/// search as <c>klp-check check</c> runs it; each invocation then finishes the checks on one
/// thread with new <see cref="GraphFacts"/>, so it pays for the pass over the states, the
/// fixpoints and the liveness scans, as the end of a check does. What it does not pay again is
/// the sealing of the search's record of the loads that replaced a customer patch
/// (<see cref="ReplacingLoads.Seal"/>): the record belongs to the checks, and the first
/// invocation, a warm-up one, seals it for every later one. The code is compiled before the
/// measured invocations, where a check compiles it at its first call. positional-12 keeps its
/// graph, about 0.3 GB, for the whole run.
/// </remarks>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 2, iterationCount: 10)]
public class FinishBenchmarks
{
    private static readonly ExploreLimits limits = new(MaxStates: 200_000_000);

    /// <summary>The catalog file, relative to the repository.</summary>
    [Params("Benchmarks/catalogs/positional-10.klp", "Benchmarks/catalogs/positional-12.klp")]
    public string Catalog { get; set; } = "";

    private StateGraph graph = null!;
    private PropertyChecks checks = null!;

    /// <summary>Explores the catalog with every property's checks watching.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var catalog = BenchmarkCatalogs.File(Catalog);
        var reading = Readings.Positional;
        checks = PropertyChecks.Begin(PropertyRegistry.ApplicableTo(reading), catalog, reading);
        graph = new Explorer().Explore(catalog, reading, limits, visitor: checks);
    }

    /// <summary>Every check's finish on one thread, as <c>check --threads 1</c> ends.</summary>
    [Benchmark]
    public GraphFinding[] Finish() => checks.Finish(graph, exercised: true);
}
