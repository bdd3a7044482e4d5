using Klp.Check.Conformance;
using Klp.Check.Model;
using Klp.Check.Scenarios;

namespace Klp.Check.Tests.Conformance;

public class ConformTracesTests
{
    [Fact]
    public void FromScenario_TwoPhaseSelftestWhoseTransitionsCompleteAtOnce_IsItsOperationsWithoutComplete()
    {
        var s = ScenarioParser.ParseFile(RepositoryFiles.Full("scenarios/kernel/test-livepatch-1.klp"));

        var trace = ConformTraces.FromScenario(s, out var why);

        Assert.Null(why);
        Assert.Equal(["load test_klp_livepatch", "disable test_klp_livepatch", "unload test_klp_livepatch"],
            trace!.Value.Ops.Select(o => o.Format(s.Catalog)));
    }

    [Fact]
    public void FromScenario_OperationInsideAnOpenTransition_IsNotRealisableAndNamesTheLine()
    {
        var s = ScenarioParser.Parse("mode two-phase\npatch a\npatch b\nload a\nload b\ncomplete\n", "t.klp");

        var trace = ConformTraces.FromScenario(s, out var why);

        Assert.Null(trace);
        Assert.Equal("line 5: 'load b' runs while a transition is open (two-phase); the harness runs atomic traces only", why);
    }

    [Theory]
    [InlineData("patch a\nload a\nforce\n", "names no patch")]
    [InlineData("mode two-phase\npatch a\nload a\n", "ends with a transition open")]
    public void FromScenario_NoKernelAction_IsNotRealisable(string text, string reason)
    {
        var trace = ConformTraces.FromScenario(ScenarioParser.Parse(text, "t.klp"), out var why);

        Assert.Null(trace);
        Assert.Contains(reason, why);
    }

    [Fact]
    public void Generate_SameSeed_SameTraces_OtherSeed_OtherTraces()
    {
        var c = ScenarioParser.ParseFile(RepositoryFiles.Full("scenarios/conform/mixed.klp")).Catalog;

        var a = ConformTraces.Generate(c, 20, 1, 8);
        var b = ConformTraces.Generate(c, 20, 1, 8);
        var other = ConformTraces.Generate(c, 20, 2, 8);

        Assert.Equal(20, a.Count);
        Assert.Equal(a.Select(t => string.Join(";", t)), b.Select(t => string.Join(";", t)));
        Assert.NotEqual(a.Select(t => string.Join(";", t)), other.Select(t => string.Join(";", t)));
    }

    [Fact]
    public void Generate_RandomWalks_AreMostlyAcceptedOperations()
    {
        var c = ScenarioParser.ParseFile(RepositoryFiles.Full("scenarios/conform/mixed.klp")).Catalog;

        var accepted = 0;
        var total = 0;
        foreach (var trace in ConformTraces.Generate(c, 200, 7, 8))
        {
            var s = KernelState.Empty;
            foreach (var op in trace)
            {
                var o = Kernel.Step(c, ConformTraces.Upstream, s, op);
                accepted += o.Accepted ? 1 : 0;
                total++;
                s = o.State;
            }
        }

        // Uniform choice over the 28 operations would accept about one in four.
        Assert.InRange(accepted, total * 6 / 10, total);
    }

    [Fact]
    public void Generate_SmallCatalog_StartsWithEveryTraceOfTheExhaustiveDepth()
    {
        var c = RealisationTests.Catalog("patch a\npatch b replace\n");
        var alphabet = ConformTraces.Alphabet(c);

        var traces = ConformTraces.Generate(c, 200, 1, 5);

        Assert.Equal(2, ConformTraces.ExhaustiveDepth(alphabet.Length, 200));
        var pairs = traces.Take(64).Select(t => (t[0], t[1])).ToHashSet();
        Assert.Equal(64, pairs.Count);
        Assert.All(traces.Skip(64), t => Assert.Equal(5, t.Length));
        Assert.Equal(200, traces.Count);
    }
}
