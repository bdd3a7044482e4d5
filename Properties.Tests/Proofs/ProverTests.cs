using Klp.Check.Comparison;
using Klp.Check.Model;
using Klp.Check.Proofs;
using Klp.Check.Properties;
using Klp.Check.Scenarios;

namespace Klp.Check.Tests.Proofs;

/// <summary>Proofs of the built-in readings against the default comparison's verdicts: a cell that holds within bounds is never violated, a violated one is found with a trace that replays.</summary>
public class ProverTests
{
    /// <summary>The reason every test here is skipped when a solver is missing, or null.</summary>
    internal static string? SolversMissing =>
        new[] { SolverKind.Z3, SolverKind.Cvc5 }.Where(k => SolverProcess.Find(k) is null).Select(SolverProcess.Program).ToList() is { Count: > 0 } missing
            ? $"{string.Join(" and ", missing)} not installed (apt-get install {string.Join(" ", missing)}; .ci/run installs them)"
            : null;

    /// <summary>The default comparison's verdicts (<c>baselines/compare-default.verdicts</c>), by reading and property.</summary>
    internal static Dictionary<(string Reading, string Property), BaselineCell> Baseline()
    {
        var errors = new List<string>();
        var baseline = Klp.Check.Comparison.Baseline.Parse(File.ReadAllText(RepositoryFiles.Full("baselines/compare-default.verdicts")), "baselines/compare-default.verdicts", errors);
        Assert.Empty(errors);
        return baseline.Cells.ToDictionary(c => (c.Reading, c.Property));
    }

    /// <summary>Whether a trace runs (every operation but the last accepted) and the property's own check finds the violation on it.</summary>
    internal static bool Replays(ProofVerdict v)
    {
        var trace = new Trace(v.Catalog!, v.Reading, v.Trace!);
        try
        {
            trace.End();
        }
        catch (InvalidOperationException)
        {
            return false;
        }
        return PropertyChecks.OnTrace([v.Property], trace)[0].Finding.Found;
    }

    private static readonly IReadOnlyList<Property> Safety = [.. PropertyRegistry.All.Where(i => i.IsSafety)];

    public static TheoryData<string> ReadingNames => [.. Readings.All.Select(r => r.Name)];

    // Every query of these proofs goes to z3 and cvc5; SmtSession throws on a disagreement.
    [SkippableTheory]
    [MemberData(nameof(ReadingNames))]
    public void Prove_BuiltinReadingAtThreeReleases_AgreesWithTheDefaultComparison(string name)
    {
        Skip.If(SolversMissing is not null, SolversMissing);
        var reading = Readings.Find(name)!;
        var baseline = Baseline();

        var result = ReadingProof.Run(reading, new ProofScope(3, InputSpace.Plans), new ProverOptions(SolverChoice.Both, 120_000), Safety);

        foreach (var v in result.Verdicts)
        {
            var expected = baseline[(name, v.Property.Id)].Verdict;
            switch (expected)
            {
                case "n/a":
                    Assert.Equal(ProofOutcome.NotApplicable, v.Outcome);
                    break;
                case "holds":
                    Assert.True(v.Outcome == ProofOutcome.Proved, $"{name} {v.Property.Id} holds within the default bounds, and at 3 releases prove says {v.Word}: {v.Detail}");
                    break;
                default:
                    // Some violations need more than three releases: never proved, then.
                    Assert.NotEqual(ProofOutcome.Proved, v.Outcome);
                    if (v.Outcome == ProofOutcome.Violated) Assert.True(Replays(v), $"{name} {v.Property.Id}: the trace does not replay as a violation");
                    break;
            }
        }
    }

    // The readings with a violated safety cell, each with those properties.
    public static TheoryData<string, string> ViolatedCells()
    {
        var data = new TheoryData<string, string>();
        foreach (var cells in Baseline().Where(kv => kv.Value.Verdict.StartsWith("violated", StringComparison.Ordinal) && Safety.Any(s => s.Id == kv.Key.Property))
                     .GroupBy(kv => kv.Key.Reading, kv => kv.Key.Property))
            data.Add(cells.Key, string.Join(",", cells.Order(StringComparer.Ordinal)));
        return data;
    }

    [SkippableTheory]
    [MemberData(nameof(ViolatedCells))]
    public void Prove_ViolatedCellsOfTheDefaultComparison_FindsTracesThatReplayAtEightReleases(string name, string properties)
    {
        Skip.If(SolversMissing is not null, SolversMissing);
        using var prover = new Prover(Readings.Find(name)!, new ProofScope(8, InputSpace.Plans), new ProverOptions(SolverChoice.Both, 120_000));

        foreach (var property in properties.Split(','))
        {
            var v = prover.Prove(PropertyRegistry.Find(property)!);

            Assert.True(v.Outcome == ProofOutcome.Violated, $"{name} {property}: {v.Word}, {v.Detail}");
            Assert.True(Replays(v), $"{name} {v.Property.Id}: the trace does not replay as a violation");
            // The trace is a scenario that replay reproduces, every outcome as its expectation.
            var scenario = ScenarioParser.Parse(ScenarioWriter.Write("t", v.Catalog!, v.Reading, v.Trace!), "t.klp");
            var replay = Replayer.Run(scenario, Replayer.Columns(scenario, null, null));
            Assert.Empty(replay.Failures);
            Assert.Equal(v.Trace!.Count, scenario.Steps.Count(s => s.Operation is not null));
        }
    }

    // The lemma search and induction at k = 1 ask their independent queries of several sessions at
    // once; the first counterexample in the order of the queries decides, as when they are asked
    // one by one, so the verdicts, their k and the lemmas kept do not depend on the sessions.
    [SkippableTheory]
    [InlineData("upstream")]
    [InlineData("flat-dynamic")]
    [InlineData("set")]
    public void Prove_TwoSessionsAtOnce_GivesTheVerdictsOfOne(string name)
    {
        Skip.If(SolversMissing is not null, SolversMissing);
        var reading = Readings.Find(name)!;
        string Verdicts(int jobs) => string.Join("\n", ReadingProof.Run(reading, new ProofScope(4, InputSpace.Plans), new ProverOptions(SolverChoice.Both, 120_000, Jobs: jobs), Safety)
            .Verdicts.Select(v => $"{v.Property.Id} {v.Word} k={v.K} lemmas={string.Join(",", v.Lemmas)} trace={v.Trace?.Count}"));

        var one = Verdicts(1);
        var two = Verdicts(2);

        Assert.Equal(one, two);
        Assert.Contains(" proved ", one, StringComparison.Ordinal);
    }

    // Raw catalogs: every attribute free. At the cutoff a 1-inductive proof holds for every
    // number of patches; below it, the report claims no more than its N.
    [SkippableTheory]
    [InlineData(5, true)]
    [InlineData(4, false)]
    public void ProveRaw_OnePerSetUnderSet_HoldsForEveryNFromTheCutoff(int patches, bool everyN)
    {
        Skip.If(SolversMissing is not null, SolversMissing);
        using var prover = new Prover(Readings.Set, new ProofScope(patches, InputSpace.Raw), new ProverOptions(SolverChoice.Both, 120_000));

        var v = prover.Prove(PropertyRegistry.Find("one-per-set")!);

        Assert.Equal(ProofOutcome.Proved, v.Outcome);
        Assert.Equal(1, v.K);
        Assert.Equal(everyN, v.EveryN);
    }
}
