using System.Collections.Immutable;
using BenchmarkDotNet.Attributes;
using Klp.Check.Comparison;
using Klp.Check.Model;

namespace Klp.Check.Benchmarks;

/// <summary>What one <see cref="Kernel.Step"/> costs per operation kind and reading; the target is 0 bytes allocated.</summary>
/// <remarks>
/// Every operation runs on a kernel of four entries (<c>cum2, hot1, hot2, hot3</c>, with <c>cum1</c>
/// replaced but still loaded), so that the compatibility loop of a load walks the whole list.
/// The setup replays each operation once and refuses to run if it does not take the path it names.
/// </remarks>
[MemoryDiagnoser]
public class StepBenchmarks
{
    /// <summary>The reading, by preset name.</summary>
    [ParamsSource(nameof(ReadingNames))]
    public string Reading { get; set; } = Readings.Upstream.Name;

    /// <summary>Every preset reading.</summary>
    public static IEnumerable<string> ReadingNames => Readings.All.Select(r => r.Name);

    private Catalog catalog = null!;
    private Reading atomic = null!;
    private Reading isolated = null!;
    private Reading twoPhase = null!;
    private KernelState stacked;
    private KernelState inTransition;
    private KernelState next;
    private Operation loadCumulative, loadConflicting, disableHotfix, unloadReplaced, complete;

    /// <summary>Builds the catalog and the kernels every operation starts from.</summary>
    [GlobalSetup]
    public void Setup()
    {
        catalog = new Catalog(
        [
            Vendor("cum1", PatchKind.Cumulative, 0, 1, "a", "b"),
            Vendor("cum2", PatchKind.Cumulative, 1, 1, "a", "b", "c"),
            Vendor("hot1", PatchKind.Hotfix, 2, 2, "h1"),
            Vendor("hot2", PatchKind.Hotfix, 3, 3, "h2"),
            Vendor("hot3", PatchKind.Hotfix, 4, 4, "h3"),
            Vendor("cum3", PatchKind.Cumulative, 5, 1, "a", "b", "c", "d"),
            new Patch("cust", Origin.Customer, PatchKind.Hotfix, 0, [Function("h3")], [], false, [1000u]),
        ]);
        atomic = Readings.Find(Reading) ?? throw new InvalidOperationException($"unknown reading {Reading}");
        // Upstream never refuses for a shared function; its refusal path is measured with isolation on.
        isolated = atomic.Options.Isolation == Isolation.None
            ? atomic.With(atomic.Options with { Isolation = Isolation.FunctionsOnly })
            : atomic;
        twoPhase = atomic.WithGranularity(Granularity.TwoPhase);

        loadCumulative = Operation.Load(catalog.IndexOf("cum3"));
        loadConflicting = Operation.Load(catalog.IndexOf("cust"));
        disableHotfix = Operation.Disable(catalog.IndexOf("hot3"));
        unloadReplaced = Operation.Unload(catalog.IndexOf("cum1"));
        complete = Operation.Complete();

        string[] history = ["cum1", "cum2", "hot1", "hot2", "hot3"];
        stacked = KernelState.Empty;
        inTransition = KernelState.Empty;
        foreach (var name in history)
        {
            stacked = Accept(atomic, stacked, Operation.Load(catalog.IndexOf(name)));
            inTransition = Accept(twoPhase, inTransition, Operation.Load(catalog.IndexOf(name)));
            inTransition = Accept(twoPhase, inTransition, complete);
        }
        inTransition = Accept(twoPhase, inTransition, loadCumulative);

        Accept(atomic, stacked, loadCumulative);
        var refused = Kernel.Step(catalog, isolated, stacked, loadConflicting);
        if (refused.Reason != Reason.FunctionConflict)
            throw new InvalidOperationException($"{isolated.DisplayName}: load cust gave {refused.Reason.Name()}, not function-conflict");
        Accept(atomic, stacked, disableHotfix);
        Accept(atomic, stacked, unloadReplaced);
        Accept(twoPhase, inTransition, complete);
    }

    /// <summary>A load that passes every check and replaces <c>cum2</c> (upstream: every entry).</summary>
    [Benchmark(Baseline = true)]
    public Outcome LoadAccepted() => Kernel.Step(catalog, atomic, stacked, loadCumulative);

    /// <summary>The same load through <see cref="Kernel.Apply"/>, the explorer's form, which writes the successor into caller storage.</summary>
    [Benchmark]
    public Effect ApplyLoadAccepted() => Kernel.Apply(catalog, atomic, stacked, loadCumulative, ref next);

    /// <summary>A load refused by the last entry for a shared function, after checking every entry.</summary>
    [Benchmark]
    public Outcome LoadRefusedFunctionConflict() => Kernel.Step(catalog, isolated, stacked, loadConflicting);

    /// <summary>Disabling the newest hotfix, atomically.</summary>
    [Benchmark]
    public Outcome Disable() => Kernel.Step(catalog, atomic, stacked, disableHotfix);

    /// <summary>Removing the module of a replaced patch.</summary>
    [Benchmark]
    public Outcome Unload() => Kernel.Step(catalog, atomic, stacked, unloadReplaced);

    /// <summary>Completing the transition of a two-phase load of <c>cum3</c>.</summary>
    [Benchmark]
    public Outcome Complete() => Kernel.Step(catalog, twoPhase, inTransition, complete);

    private KernelState Accept(Reading reading, in KernelState state, Operation op)
    {
        var o = Kernel.Step(catalog, reading, state, op);
        if (!o.Accepted)
            throw new InvalidOperationException($"{reading.DisplayName}: {op.Format(catalog)} was refused: {o.Reason.Name()}");
        return o.State;
    }

    private static FunctionId Function(string name) => new(FunctionId.Vmlinux, name, 0);

    private static Patch Vendor(string name, PatchKind kind, int release, uint set, params string[] functions) =>
        new(name, Origin.Vendor, kind, release, [.. functions.Select(Function)], [], kind == PatchKind.Cumulative, ImmutableArray.Create(set));
}
