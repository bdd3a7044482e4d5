using BenchmarkDotNet.Attributes;
using Klp.Check.Comparison;
using Klp.Check.Engine;
using Klp.Check.Model;

namespace Klp.Check.Benchmarks;

/// <summary>
/// What the transition function costs in the mix an exploration feeds it: every operation of the
/// alphabet applied to every state of stacking-8's graph (two in three are refused), without
/// de-duplication. The mean is per (state, operation) pair, so it compares directly with
/// <see cref="ExploreBenchmarks.Stacking8"/> divided by the same pairs.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 2, iterationCount: 5)]
public class TransitionBenchmarks
{
    // 297,856 states times an alphabet of 24 (load, disable and unload of 8 patches, atomic).
    private const int Pairs = 297_856 * 24;

    /// <summary>The reading, by preset name.</summary>
    [ParamsSource(nameof(ReadingNames))]
    public string Reading { get; set; } = Readings.Upstream.Name;

    /// <summary>Every preset reading.</summary>
    public static IEnumerable<string> ReadingNames => Readings.All.Select(r => r.Name);

    private Reading reading = null!;
    private Catalog catalog = null!;
    private KernelState[] states = [];
    private Operation[] alphabet = [];

    /// <summary>Explores stacking-8 once and keeps its states.</summary>
    [GlobalSetup]
    public void Setup()
    {
        reading = Readings.Find(Reading) ?? throw new InvalidOperationException($"unknown reading {Reading}");
        catalog = BenchmarkCatalogs.Stacking(8);
        var g = new Explorer().Explore(catalog, reading);
        states = [.. g.States];
        alphabet = g.Alphabet;
        if (states.Length * alphabet.Length != Pairs)
            throw new InvalidOperationException($"{states.Length} states x {alphabet.Length} operations is not {Pairs} pairs");
    }

    /// <summary><c>Kernel.Apply</c> on every pair; returns the accepted ones.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Pairs)]
    public int Apply()
    {
        var next = default(KernelState);
        var accepted = 0;
        foreach (ref readonly var s in states.AsSpan())
            for (var a = 0; a < alphabet.Length; a++)
                if (Kernel.Apply(catalog, reading, s, alphabet[a], ref next).Accepted) accepted++;
        return accepted;
    }

    /// <summary>As <see cref="Apply"/>, and the fingerprint of every successor, as the explorer computes it.</summary>
    [Benchmark(OperationsPerInvoke = Pairs)]
    public ulong ApplyAndFingerprint()
    {
        var next = default(KernelState);
        ulong prints = 0;
        foreach (ref readonly var s in states.AsSpan())
            for (var a = 0; a < alphabet.Length; a++)
                if (Kernel.Apply(catalog, reading, s, alphabet[a], ref next).Accepted) prints ^= next.Fingerprint();
        return prints;
    }
}
