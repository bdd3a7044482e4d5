using System.Text;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Klp.Check.Comparison;
using Klp.Check.Model;
using Klp.Check.Scenarios;

namespace Klp.Check.Benchmarks;

/// <summary>How parsing scales with the lines a value is continued over: a proposal's <c>source</c> over indented lines, a scenario's note wrapped by a mailer over quoted lines.</summary>
/// <remarks>
/// Joining continuation lines one by one into the value cost time quadratic in their number (a
/// proposal of 100,000 continuation lines took over a minute); the time per line should stay
/// flat as <see cref="Lines"/> grows tenfold.
/// </remarks>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
public class ParseBenchmarks
{
    /// <summary>Continuation lines.</summary>
    [Params(1_000, 10_000, 100_000)]
    public int Lines { get; set; }

    private string proposal = "";
    private string scenario = "";

    /// <summary>Builds a proposal whose <c>source</c>, and a scenario whose first note, continue over <see cref="Lines"/> lines.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var p = new StringBuilder("name: long\nsource: start\n");
        for (var i = 0; i < Lines; i++) p.Append("  word").Append(i).Append('\n');
        proposal = p.ToString();
        var s = new StringBuilder("> Mon: klp-1: cumulative (replace_sets={1})     <- starts\n");
        for (var i = 0; i < Lines; i++) s.Append("> word").Append(i).Append('\n');
        scenario = s.ToString();
    }

    /// <summary>Parses the proposal.</summary>
    [Benchmark(Baseline = true)]
    [BenchmarkCategory("proposal")]
    public Reading? Proposal() => ProposalText.Parse(proposal, "long", out _);

    /// <summary>Parses the scenario.</summary>
    [Benchmark(Baseline = true)]
    [BenchmarkCategory("scenario")]
    public Scenario Scenario() => ScenarioParser.Parse(scenario, "long.klp");
}
