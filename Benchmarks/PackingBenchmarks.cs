using BenchmarkDotNet.Attributes;
using Klp.Check.Engine;
using Klp.Check.Model;

namespace Klp.Check.Benchmarks;

/// <summary>
/// What storing a state packed costs per state, on 4,096 states of positional-10's graph under
/// positional (every 14th of its 57,856, so of every depth; two 64-bit words each, 344 KB as
/// values, so that the caches hold them and the processor's work is what is measured): packing one
/// (as every lookup that compares a candidate with a stored state does, and every state added),
/// unpacking one (as every state expanded or read by the checks is), and the fingerprint, for
/// scale: on a shared machine the ratios within a run say more than the means. The mean is per state.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 15)]
public class PackingBenchmarks
{
    private const int States = 4096;

    private KernelState[] states = [];
    private ulong[] packed = [];
    private StatePacking packing = null!;

    /// <summary>Explores positional-10 once and keeps its states, and each packed.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var catalog = BenchmarkCatalogs.File("Benchmarks/catalogs/positional-10.klp");
        var all = new Explorer().Explore(catalog, Readings.Find("positional")!).States;
        if (all.Count != 57_856) throw new InvalidOperationException($"{all.Count} states, not 57,856");
        states = [.. Enumerable.Range(0, States).Select(i => all[i * 14])];
        packing = StatePacking.For(catalog) ?? throw new InvalidOperationException("positional-10 has no packing");
        packed = new ulong[states.Length * packing.Words];
        for (var i = 0; i < states.Length; i++) packing.Pack(states[i], packed.AsSpan(i * packing.Words, packing.Words));
    }

    /// <summary>Packs every state; returns the xor of the words, so that nothing is left out.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = States)]
    public ulong Pack()
    {
        Span<ulong> words = stackalloc ulong[StatePacking.MaxWords];
        ulong all = 0;
        foreach (ref readonly var s in states.AsSpan())
        {
            packing.Pack(s, words);
            all ^= words[0] ^ words[1];
        }
        return all;
    }

    /// <summary>Unpacks every state; returns the xor of the fingerprints' inputs, the loaded masks.</summary>
    [Benchmark(OperationsPerInvoke = States)]
    public ulong Unpack()
    {
        ulong all = 0;
        var w = packing.Words;
        for (var i = 0; i < States; i++)
        {
            packing.Unpack(packed.AsSpan(i * w, w), out var s);
            all ^= s.Loaded ^ (ulong)s.Count;
        }
        return all;
    }

    /// <summary>The fingerprint of every state, as the explorer takes it of every successor.</summary>
    [Benchmark(OperationsPerInvoke = States)]
    public ulong Fingerprint()
    {
        ulong all = 0;
        foreach (ref readonly var s in states.AsSpan()) all ^= s.Fingerprint();
        return all;
    }
}
