using BenchmarkDotNet.Attributes;
using Klp.Check.Commands;
using Klp.Check.Comparison;
using Klp.Check.Engine;
using Klp.Check.Equivalence;
using Klp.Check.Inputs;
using Klp.Check.Model;
using Klp.Check.Properties;

namespace Klp.Check.Benchmarks;

/// <summary>What the default <c>compare</c> costs end to end, and how much of it is encoding and exploration.</summary>
/// <remarks>
/// <see cref="Compare"/> is <see cref="Comparer.Run"/> as <c>klp-check compare --no-scenarios</c> calls it:
/// every reading, every property, the default plan bounds and limits, all cores. The command then also
/// computes the readings' equivalence classes (<see cref="CompareWithEquivalence"/>). The single-thread
/// variants split the cost of <see cref="Comparer.Run"/>: encoding the plans' catalogs, then exploring
/// them, then the rest (invariant checks, coverage).
/// </remarks>
[MemoryDiagnoser]
[StatesColumns]
[SimpleJob(launchCount: 1, warmupCount: 1, iterationCount: 3)]
public class CompareBenchmarks
{
    private InputSource source = null!;

    /// <summary>Enumerates the default release plans.</summary>
    [GlobalSetup]
    public void Setup() => source = InputSource.Plans(InputOptions.DefaultPlans);

    /// <summary>The default <c>compare</c> on every core.</summary>
    [Benchmark(Baseline = true)]
    public ComparisonResult Compare() => Comparer.Run(source, Readings.All, PropertyRegistry.All, new ExploreLimits(), []);

    /// <summary>What <c>klp-check compare --no-scenarios</c> computes before its report: the verdicts, then the equivalence classes of the readings.</summary>
    [Benchmark]
    public ComparisonResult CompareWithEquivalence()
    {
        var result = Comparer.Run(source, Readings.All, PropertyRegistry.All, new ExploreLimits(), []);
        return result with { Equivalence = Classifier.Classes(source, Readings.All, new ExploreLimits()) };
    }

    /// <summary>The default <c>compare</c> on one thread.</summary>
    [Benchmark]
    public ComparisonResult CompareOneThread() => Comparer.Run(source, Readings.All, PropertyRegistry.All, new ExploreLimits(), [], threads: 1);

    /// <summary>Encoding and exploring every catalog of the default <c>compare</c> on one thread, without invariant checks.</summary>
    [Benchmark]
    public long ExploreOneThread()
    {
        var explorer = new Explorer();
        long states = 0;
        foreach (var reading in Readings.All)
            for (var i = 0; i < source.Count; i++)
                states += explorer.ExploredStates(source.CatalogFor(i, reading), reading);
        return states;
    }

    /// <summary>Encoding every catalog of the default <c>compare</c> on one thread; returns the catalogs and patches encoded.</summary>
    [Benchmark]
    public (int Catalogs, long Patches) EncodeOneThread()
    {
        var catalogs = 0;
        long patches = 0;
        foreach (var reading in Readings.All)
            for (var i = 0; i < source.Count; i++)
            {
                patches += source.CatalogFor(i, reading).Count;
                catalogs++;
            }
        return (catalogs, patches);
    }
}
