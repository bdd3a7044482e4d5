using BenchmarkDotNet.Attributes;
using Klp.Check.Comparison;
using Klp.Check.Engine;
using Klp.Check.Inputs;
using Klp.Check.Model;
using Klp.Check.Properties;
using Klp.Check.Verdicts;

namespace Klp.Check.Benchmarks;

/// <summary>What the full check (every property) costs next to exploration alone, on catalogs of 2,432 to 2,475,008 states.</summary>
/// <remarks>
/// <see cref="FullCheck"/> is <see cref="Verifier.Run"/> on one catalog as
/// <c>klp-check check --reading positional --catalog FILE --max-states 200000000</c> calls it;
/// <see cref="Explore"/> is the exploration it starts with, by a new <see cref="Explorer"/> as
/// in <c>check</c>, so both pay for fresh memory; <see cref="ExploreSized"/> is the same with the
/// table given room for the catalog's states (<c>check --expect-states</c>), so that it grows
/// once at most; <see cref="FullCheckTwoThreads"/> is the full
/// check with <c>--threads 2</c>. Both lift the default cap of 1,000,000
/// states. <c>Benchmarks/spin-side-by-side.sh</c> runs SPIN on the same catalogs.
/// positional-12 takes about 10 s of CPU time and 0.6 GB per full check.
/// </remarks>
[MemoryDiagnoser]
[StatesColumns]
[SimpleJob(launchCount: 1, warmupCount: 1, iterationCount: 3)]
public class CheckBenchmarks
{
    private static readonly ExploreLimits limits = new(MaxStates: 200_000_000);

    /// <summary>The catalog file, relative to the repository.</summary>
    [Params("scenarios/thread/petr-timeline-tuesday-set3.klp", "Benchmarks/catalogs/positional-10.klp", "Benchmarks/catalogs/positional-12.klp")]
    public string Catalog { get; set; } = "";

    private Catalog catalog = null!;
    private InputSource source = null!;
    private int states;

    /// <summary>Reads the catalog, and counts its states for <see cref="ExploreSized"/>.</summary>
    [GlobalSetup]
    public void Setup()
    {
        catalog = BenchmarkCatalogs.File(Catalog);
        source = InputSource.Single(catalog, Catalog);
        states = new Explorer().ExploredStates(catalog, Readings.Positional, limits);
    }

    /// <summary>Exhaustive exploration alone, under positional.</summary>
    [Benchmark(Baseline = true)]
    public int Explore() => new Explorer().ExploredStates(catalog, Readings.Positional, limits);

    /// <summary>The same exploration with the table given room for every state, as <c>check --expect-states</c> gives it.</summary>
    [Benchmark]
    public int ExploreSized() => new Explorer().ExploredStates(catalog, Readings.Positional, limits with { ExpectedStates = states });

    /// <summary>Every property under positional: exploration, then the checks.</summary>
    [Benchmark]
    public ReadingResult FullCheck() => Verifier.Run(source, Readings.Positional, PropertyRegistry.All, limits);

    /// <summary>The same with its large levels on two threads, as <c>check --threads 2</c> runs it.</summary>
    [Benchmark]
    public ReadingResult FullCheckTwoThreads() => Verifier.Run(source, Readings.Positional, PropertyRegistry.All, limits, threads: 2);
}
