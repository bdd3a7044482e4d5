using BenchmarkDotNet.Attributes;
using Klp.Check.Inputs;
using Klp.Check.Model;

namespace Klp.Check.Benchmarks;

/// <summary>
/// What building a catalog costs, as every input of a run pays it once per reading that asks for
/// it: a raw catalog of the default raw bounds (three patches) built from its patches, and a release
/// plan of the default plan bounds (four releases) encoded by positional. 1,024 of each, spread over
/// their enumerations. The mean is per catalog.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 15)]
public class CatalogBenchmarks
{
    private const int Inputs = 1024;

    private RawBounds.RawPatch[][] raw = [];
    private ReleasePlan[] plans = [];

    /// <summary>Enumerates both kinds of input and keeps 1,024 of each.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var catalogs = new RawCatalogs(new RawBounds(), reduce: true);
        raw = [.. Enumerable.Range(0, Inputs).Select(i => catalogs.Patches((int)((long)i * catalogs.Count / Inputs)))];
        var all = new PlanBounds().Enumerate().ToArray();
        plans = [.. Enumerable.Range(0, Inputs).Select(i => all[(int)((long)i * all.Length / Inputs)])];
    }

    /// <summary>Builds every raw catalog; returns the patches counted, so that nothing is left out.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Inputs)]
    public int BuildRaw()
    {
        var patches = 0;
        foreach (var p in raw) patches += RawBounds.Build(p).Count;
        return patches;
    }

    /// <summary>Encodes every plan by positional; returns the patches counted.</summary>
    [Benchmark(OperationsPerInvoke = Inputs)]
    public int EncodePlan()
    {
        var patches = 0;
        foreach (var p in plans) patches += p.Encode(Readings.Positional).Count;
        return patches;
    }
}
