using Klp.Check.Conformance;
using Klp.Check.Engine;
using Klp.Check.Equivalence;
using Klp.Check.Inputs;
using Klp.Check.Model;
using Klp.Check.Scenarios;

namespace Klp.Check.Tests.Equivalence;

public class LockstepTests
{
    private const string JoeTuesday = "scenarios/thread/joe-timeline-tuesday-set2.klp";
    private const Observed Behaviour = Observed.Outcome | Observed.Enabled | Observed.Active | Observed.States;

    private static Catalog Joe() => ScenarioParser.ParseFile(RepositoryFiles.Full(JoeTuesday)).Catalog;

    private static int TimelineLoads() =>
        ScenarioParser.ParseFile(RepositoryFiles.Full(JoeTuesday)).Steps.Count(s => s.Operation is { Kind: OpKind.Load });

    private static Reading TwoPhase(Reading r) => r.WithGranularity(Granularity.TwoPhase);

    private static LockstepResult Run(Catalog catalog, Observed observed, params Reading[] readings) =>
        new Lockstep().Run([.. readings.Select(_ => catalog)], readings, observed);

    // Replays the trace under every reading: every operation but the last has the same outcome
    // everywhere, and the state before the last one and its outcome are those reported.
    private static void AssertReplays(Divergence d)
    {
        var states = d.Views.Select(_ => KernelState.Empty).ToArray();
        for (var i = 0; i < d.Trace.Count - 1; i++)
        {
            var outcomes = d.Views.Select((v, k) => Kernel.Step(v.Catalog, v.Reading, states[k], d.Trace[i])).ToArray();
            foreach (var o in outcomes) Assert.Equal((outcomes[0].Errno, outcomes[0].Reason, outcomes[0].Affected), (o.Errno, o.Reason, o.Affected));
            for (var k = 0; k < states.Length; k++) states[k] = outcomes[k].State;
        }
        for (var k = 0; k < states.Length; k++)
        {
            var v = d.Views[k];
            Assert.Equal(v.Before, states[k]);
            Assert.Equal(v.After, Kernel.Step(v.Catalog, v.Reading, states[k], d.Trace[^1]));
        }
    }

    [Fact]
    public void Lockstep_FlatAgainstPositionalOnJoesTuesdayCatalog_DiffersInSetsAfterOneLoad()
    {
        var catalog = Joe();

        var d = Run(catalog, Observed.All, Readings.Positional, Readings.Flat).Divergence;

        Assert.NotNull(d);
        Assert.True(d.Length <= TimelineLoads(), $"{d.Length} operations, the timeline prefix has {TimelineLoads()} loads");
        Assert.Equal(["load klp-2a"], d.Trace.Select(o => o.Format(catalog)));
        Assert.Equal(Observed.Sets, d.Differs);
        Assert.Equal([1u], catalog.SetsOf(Kernel.Occupied(catalog, Readings.Positional, d.Views[0].After.State, 0)));
        Assert.Equal([1u, 2u], catalog.SetsOf(Kernel.Occupied(catalog, Readings.Flat, d.Views[1].After.State, 0)));
        AssertReplays(d);
    }

    [Fact]
    public void Lockstep_FlatAgainstPositionalOnJoesTuesdayCatalogWithoutSets_DiffersInOutcomeAfterTwoLoads()
    {
        var catalog = Joe();

        var d = Run(catalog, Behaviour, Readings.Positional, Readings.Flat).Divergence;

        Assert.NotNull(d);
        Assert.Equal(["load klp-2a", "load klp-1b"], d.Trace.Select(o => o.Format(catalog)));
        Assert.Equal(Observed.Outcome | Observed.Enabled | Observed.Active, d.Differs);
        Assert.Equal((Errno.EINVAL, Reason.FunctionConflict), (d.Views[0].After.Errno, d.Views[0].After.Reason));
        Assert.True(d.Views[1].After.Accepted);
        Assert.Equal(1UL << catalog.IndexOf("klp-2a"), d.Views[1].After.Affected);
        AssertReplays(d);
    }

    [Fact]
    public void Lockstep_OnlyOutcomesOnJoesTuesdayCatalog_StillFindsTheTwoLoadTrace()
    {
        var d = Run(Joe(), Observed.Outcome, Readings.Positional, Readings.Flat).Divergence;

        Assert.NotNull(d);
        Assert.Equal(2, d.Length);
        Assert.Equal(Observed.Outcome, d.Differs);
    }

    [Fact]
    public void Lockstep_SetAgainstFlatOnJoesTuesdayCatalog_PartialOverlapAfterTwoLoads()
    {
        var catalog = Joe();

        var d = Run(catalog, Observed.All, Readings.Flat, Readings.Set).Divergence;

        Assert.NotNull(d);
        Assert.Equal(["load klp-2a", "load klp-1a"], d.Trace.Select(o => o.Format(catalog)));
        Assert.Equal(Reason.PartialSetOverlap, d.Views[1].After.Reason);
        AssertReplays(d);
    }

    [Theory]
    [InlineData("supersedes")]
    [InlineData("slot")]
    [InlineData("provides")]
    public void Lockstep_PositionalAgainstItsRenamingsOnJoesTuesdayCatalog_NoDivergenceAndTheSingleStateGraph(string other)
    {
        var catalog = Joe();

        var result = Run(catalog, Observed.All, Readings.Positional, Readings.Find(other)!);

        Assert.Null(result.Divergence);
        Assert.Null(result.CutBy);
        // Two identical machines in lockstep reach exactly the states of one.
        Assert.Equal(new Explorer().Explore(catalog, Readings.Positional).States.Count, result.ProductStates);
        Assert.Equal(168, result.ProductStates);
    }

    [Fact]
    public void Lockstep_ThreeReadings_ReportsEveryViewAndTheUnionOfDifferences()
    {
        var catalog = Joe();

        var d = Run(catalog, Observed.All, Readings.Positional, Readings.Flat, Readings.Set).Divergence;

        Assert.NotNull(d);
        Assert.Equal(3, d.Views.Count);
        Assert.Equal(1, d.Length);
        Assert.Equal(Observed.Sets, d.Differs);
        AssertReplays(d);
    }

    [Fact]
    public void Lockstep_MutantOfPositionalOccupyingEveryListedSet_ToldApartWithAReplayableTrace()
    {
        var catalog = Joe();
        var mutant = Readings.Positional with { Name = "positional-mutant", Membership = Membership.AllListed };

        var d = Run(catalog, Behaviour, Readings.Positional, mutant).Divergence;

        Assert.NotNull(d);
        Assert.Equal(["load klp-2a", "load klp-1b"], d.Trace.Select(o => o.Format(catalog)));
        AssertReplays(d);
        // Intersecting replacement with every listed set occupied is flat under another name.
        Assert.Null(Run(catalog, Observed.All, Readings.Flat, mutant).Divergence);
    }

    [Fact]
    public void Lockstep_TwoPhaseMode_OffersCompleteAndStillDistinguishes()
    {
        var catalog = Joe();

        var d = Run(catalog, Behaviour, TwoPhase(Readings.Positional), TwoPhase(Readings.Flat)).Divergence;

        Assert.NotNull(d);
        // load klp-2a opens a transition; klp-1b is checked against it before the transition check:
        // positional refuses a function conflict, flat would replace klp-2a and is busy.
        Assert.Equal(["load klp-2a", "load klp-1b"], d.Trace.Select(o => o.Format(catalog)));
        Assert.Equal((Errno.EINVAL, Reason.FunctionConflict), (d.Views[0].After.Errno, d.Views[0].After.Reason));
        Assert.Equal((Errno.EBUSY, Reason.TransitionInProgress), (d.Views[1].After.Errno, d.Views[1].After.Reason));
        Assert.Contains(Operation.Complete(), Lockstep.AlphabetFor([catalog, catalog], [TwoPhase(Readings.Positional), Readings.Flat]));
        AssertReplays(d);
    }

    // A vendor hotfix in set 1, then a vendor cumulative in set 2 with a function of its own: upstream's
    // cumulative replaces (replace=true) the hotfix, replace-set's replaces only set 2. Both loads are
    // accepted; only what they replace tells the readings apart.
    private static Catalog HotfixThenCumulative() =>
        ScenarioParser.Parse("patch h hotfix sets={1} funcs={f}\npatch c cumulative sets={2} funcs={g}\n", "hotfix-then-cumulative.klp").Catalog;

    // Two-phase: during c's transition h is still enabled under both readings, so nothing but the
    // outcome of load c differs until the transition completes.
    [Fact]
    public void Lockstep_LoadsAcceptedByBothButReplacingDifferentPatches_DifferInOutcomeAtThatLoad()
    {
        var catalog = HotfixThenCumulative();

        var d = Run(catalog, Behaviour, TwoPhase(Readings.Upstream), TwoPhase(Readings.ReplaceSet)).Divergence;

        Assert.NotNull(d);
        Assert.Equal(["load h", "complete", "load c"], d.Trace.Select(o => o.Format(catalog)));
        Assert.Equal(Observed.Outcome, d.Differs);
        Assert.True(d.Views[0].After.Accepted && d.Views[1].After.Accepted);
        Assert.Equal((1UL << catalog.IndexOf("h"), 0UL), (d.Views[0].After.Affected, d.Views[1].After.Affected));
        AssertReplays(d);
    }

    [Fact]
    public void Lockstep_OnlyOutcomesOfLoadsReplacingDifferentPatches_DifferAtThatLoad()
    {
        var catalog = HotfixThenCumulative();

        var d = Run(catalog, Observed.Outcome, Readings.Upstream, Readings.ReplaceSet).Divergence;

        Assert.NotNull(d);
        Assert.Equal(["load h", "load c"], d.Trace.Select(o => o.Format(catalog)));
        Assert.Equal(Observed.Outcome, d.Differs);
        Assert.Equal((1UL << catalog.IndexOf("h"), 0UL), (d.Views[0].After.Affected, d.Views[1].After.Affected));
        AssertReplays(d);
    }

    // Observing only the code that runs: upstream stacks b on a's function and starts b's
    // transition, replace-set refuses b (function-conflict) and runs no transition. The code run
    // differs for switched tasks although only one of the readings is in a transition.
    [Fact]
    public void Lockstep_OnlyCodeRunObservedAndOneReadingInATransition_DiffersInRunsAtTheLoad()
    {
        var catalog = ScenarioParser.Parse("patch a customer sets={1} funcs={f}\npatch b customer sets={2} funcs={f}\n", "stacked.klp").Catalog;

        var d = Run(catalog, Observed.Runs, TwoPhase(Readings.Upstream), TwoPhase(Readings.ReplaceSet)).Divergence;

        Assert.NotNull(d);
        Assert.Equal(["load a", "complete", "load b"], d.Trace.Select(o => o.Format(catalog)));
        Assert.Equal(Observed.Runs, d.Differs);
        Assert.True(d.Views[0].After.State.InTransition);
        Assert.False(d.Views[1].After.State.InTransition);
    }

    [Fact]
    public void Lockstep_FingerprintsAndExactValues_AgreeOnJoesTuesdayCatalog()
    {
        var catalog = Joe();
        var engine = new Lockstep();

        var exact = engine.Run([catalog, catalog], [Readings.Positional, Readings.Supersedes], Observed.All);
        var fingerprinted = engine.Run([catalog, catalog], [Readings.Positional, Readings.Supersedes], Observed.All, new ExploreLimits(Fingerprints: true));

        Assert.Equal(exact.ProductStates, fingerprinted.ProductStates);
        Assert.Equal(exact.Transitions, fingerprinted.Transitions);
    }

    [Fact]
    public void Lockstep_StateCap_ReportsTheCut()
    {
        var catalog = Joe();

        var result = new Lockstep().Run([catalog, catalog], [Readings.Positional, Readings.Supersedes], Observed.All, new ExploreLimits(MaxStates: 5));

        Assert.Null(result.Divergence);
        Assert.Equal(5, result.ProductStates);
        Assert.Equal("state cap 5", result.CutBy);
    }

    [Fact]
    public void Lockstep_DepthCapOnIdenticalMachines_StopsWhereTheExplorerStops()
    {
        var catalog = Joe();
        var limits = new ExploreLimits(MaxDepth: 3);
        var engine = new Lockstep();
        // A divergence first, so that the capped run below starts from a used engine.
        Assert.NotNull(engine.Run([catalog, catalog], [Readings.Flat, Readings.Positional], Observed.All).Divergence);

        var result = engine.Run([catalog, catalog], [Readings.Positional, Readings.Supersedes], Observed.All, limits);

        Assert.Null(result.Divergence);
        Assert.Equal("depth cap 3", result.CutBy);
        var explored = new Explorer().Explore(catalog, Readings.Positional, limits);
        Assert.Equal(explored.States.Count, result.ProductStates);
        Assert.Equal(explored.Transitions, result.Transitions);
        Assert.True(result.ProductStates < 168, $"{result.ProductStates} product states");
    }

    [Fact]
    public void Lockstep_ReleasePlanEncodedByTwoEncoders_ComparesPatchByPatch()
    {
        // cum1, hot1, cum2: upstream's cum2 (replace=true) absorbs hot1; replace-set's cum2 (set 1) leaves it.
        var plan = new ReleasePlan([new Release(Intent.Cumulative), new Release(Intent.Hotfix), new Release(Intent.Cumulative)]);
        var a = plan.Encode(Readings.Upstream);
        var b = plan.Encode(Readings.ReplaceSet);

        var d = new Lockstep().Run([a, b], [Readings.Upstream, Readings.ReplaceSet], Behaviour).Divergence;

        Assert.NotNull(d);
        Assert.Equal(["load hot1", "load cum1"], d.Trace.Select(o => o.Format(a)));
        AssertReplays(d);
    }

    [Fact]
    public void Lockstep_CatalogsNamingDifferentPatches_Throws()
    {
        var joe = Joe();
        var plan = new ReleasePlan([new Release(Intent.Cumulative)]).Encode(Readings.Positional);

        Assert.Throws<ArgumentException>(() => new Lockstep().Run([joe, plan], [Readings.Positional, Readings.Flat], Observed.All));
        Assert.Throws<ArgumentException>(() => new Lockstep().Run([joe], [Readings.Positional], Observed.All));
    }

    [Theory]
    [InlineData("all", Observed.All)]
    [InlineData("outcome,sets", Observed.Outcome | Observed.Sets)]
    [InlineData(" enabled , active ", Observed.Enabled | Observed.Active)]
    public void ObservedText_ValidList_Parses(string text, Observed expected)
    {
        Assert.Equal(expected, ObservedText.Parse(text, out var error));
        Assert.Null(error);
    }

    [Theory]
    [InlineData("outcome,colour")]
    [InlineData("")]
    public void ObservedText_BadList_ReturnsNullWithAMessage(string text)
    {
        Assert.Null(ObservedText.Parse(text, out var error));
        Assert.NotNull(error);
    }
}
