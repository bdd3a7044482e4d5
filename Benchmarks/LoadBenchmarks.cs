using BenchmarkDotNet.Attributes;
using Klp.Check.Engine;
using Klp.Check.Model;

namespace Klp.Check.Benchmarks;

/// <summary>
/// What a load costs the transition function, with its compatibility check walking the entries
/// and read from <see cref="LoadMasks"/>: every load that gets past the early checks, in every
/// state of a catalog's graph under a reading, as the explorer applies them, one pass over them all per operation.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 2, iterationCount: 7)]
public class LoadBenchmarks
{
    /// <summary>The catalog file, relative to the repository.</summary>
    [Params("scenarios/thread/petr-timeline-tuesday-set3.klp", "Benchmarks/catalogs/positional-10.klp")]
    public string Catalog { get; set; } = "";

    /// <summary>The reading, by preset name.</summary>
    [Params("positional", "upstream")]
    public string Reading { get; set; } = "positional";

    private Reading reading = null!;
    private Catalog catalog = null!;
    private LoadMasks masks = null!;
    private KernelState[] states = [];
    private Operation[] loads = [];

    /// <summary>Explores the catalog once and keeps, per load tried, its state and operation.</summary>
    [GlobalSetup]
    public void Setup()
    {
        reading = Readings.Find(Reading) ?? throw new InvalidOperationException($"unknown reading {Reading}");
        catalog = BenchmarkCatalogs.File(Catalog);
        masks = LoadMasks.For(catalog, reading) ?? throw new InvalidOperationException($"{Catalog} has no load masks under {Reading}");
        var g = new Explorer().Explore(catalog, reading, new ExploreLimits(MaxStates: 200_000_000));
        var tried = new List<(KernelState, Operation)>();
        foreach (var s in g.States)
            foreach (var op in g.Alphabet)
                if (op.Kind == OpKind.Load && Kernel.EarlyRefusal(catalog, s, op).Accepted) tried.Add((s, op));
        states = [.. tried.Select(t => t.Item1)];
        loads = [.. tried.Select(t => t.Item2)];
    }

    /// <summary>Each load with its check walking the entries; returns the accepted ones.</summary>
    [Benchmark(Baseline = true)]
    public int Entries() => Run(null);

    /// <summary>Each load with its check read from the masks.</summary>
    [Benchmark]
    public int Masks() => Run(masks);

    private int Run(LoadMasks? with)
    {
        var next = default(KernelState);
        var accepted = 0;
        for (var i = 0; i < states.Length; i++)
            if (Kernel.ApplyScreened(catalog, reading, with, states[i], loads[i], ref next).Accepted) accepted++;
        return accepted;
    }
}
