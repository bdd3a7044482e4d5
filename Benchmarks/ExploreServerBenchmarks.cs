using BenchmarkDotNet.Attributes;
using Klp.Check.Comparison;
using Klp.Check.Engine;
using Klp.Check.Explore;
using Klp.Check.Inputs;
using Klp.Check.Model;

namespace Klp.Check.Benchmarks;

/// <summary>What one click of <c>klp-check explore</c> costs on the server: the answer to <c>/api/view</c> for 16 patches under positional, flat and set (the target is under 50 ms).</summary>
/// <remarks>
/// A click replays the whole trace from the URL through <see cref="Kernel.Step"/> and writes the page's
/// JSON; it never waits for the properties' verdicts. The catalog is a 16-release plan (cumulatives
/// over growing hotfix sets, updates, customer patches, states); the trace a seeded walk of its
/// operations, most of them accepted. The baseline is the same click with an empty trace.
/// </remarks>
[MemoryDiagnoser]
public class ExploreServerBenchmarks
{
    private const string Plan = """
        cum1: cumulative
        hot1: hotfix
        hot2: hotfix
        hot1v2: update hot1
        cust1: customer shares hot2
        cum2: cumulative state 1:v1
        hot3: hotfix
        hot3v2: update hot3
        hot4: hotfix
        cum3: cumulative state 1:v2
        cust2: customer
        hot5: hotfix
        hot4v2: update hot4
        cum4: cumulative state 1:v2:block_disable
        hot6: hotfix
        cum5: cumulative state 1:v3
        """;

    /// <summary>How many operations the trace holds.</summary>
    [Params(10, 40, 160)]
    public int Operations { get; set; }

    /// <summary>The mode.</summary>
    [Params("atomic", "two-phase")]
    public string Mode { get; set; } = "atomic";

    private ExploreApi api = null!;
    private ExploreRequest empty = null!;
    private ExploreRequest click = null!;

    /// <summary>Builds the explorer and a trace of <see cref="Operations"/> operations, and checks that both answer 200.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var catalog = ExploreCatalog.FromPlan("plan-16", PlanParser.Parse(Plan, "plan-16.plan"), "plan-16.plan");
        var readings = new[] { Readings.Positional, Readings.Flat, Readings.Set };
        api = new ExploreApi(new ExploreSetup([catalog], readings, null), new ExploreVerdicts(new ExploreLimits()));
        var mode = Mode == "two-phase" ? Granularity.TwoPhase : Granularity.Atomic;
        var c = catalog.Any;
        var positional = readings[0].WithGranularity(mode);
        var alphabet = Alphabet.For(c, mode);
        var random = new Random(28);
        var ops = new List<Operation>();
        var state = KernelState.Empty;
        while (ops.Count < Operations)
        {
            // Mostly operations positional accepts, so that the kernel fills up and empties again.
            var op = alphabet[random.Next(alphabet.Length)];
            var outcome = Kernel.Step(c, positional, state, op);
            if (!outcome.Accepted && random.Next(5) != 0) continue;
            ops.Add(op);
            state = outcome.State;
        }
        empty = new ExploreRequest("plan-16", ["positional", "flat", "set"], Mode, null);
        click = empty with { Trace = UrlTrace.Format(c, ops) };
        foreach (var r in new[] { empty, click })
            if (api.View(r) is { Status: not 200 } bad) throw new InvalidOperationException(System.Text.Encoding.UTF8.GetString(bad.Body));
    }

    /// <summary>The page of the empty kernel.</summary>
    [Benchmark(Baseline = true)]
    public int EmptyTrace() => api.View(empty).Body.Length;

    /// <summary>A click: the trace of <see cref="Operations"/> operations replayed under three readings, the page's JSON written.</summary>
    [Benchmark]
    public int Click() => api.View(click).Body.Length;
}
