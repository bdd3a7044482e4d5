using FsCheck.Fluent;
using FsCheck.Xunit;
using FsCheck;
using Klp.Check.Conformance;
using Klp.Check.Engine;
using Klp.Check.Inputs;
using Klp.Check.Model;
using Klp.Check.Properties;
using Klp.Check.Tests.Engine;
using Property = FsCheck.Property;

namespace Klp.Check.Tests.Properties;

/// <summary>The facts the liveness properties share, computed from what the search recorded, equal those computed from the graph alone.</summary>
[Properties(Arbitrary = new[] { typeof(Arbitraries) }, MaxTest = 100)]
public class GraphFactsProperties
{
    // The run's catalog searched under its reading, atomic or two-phase, by at most maxStates
    // states, with every property that applies watching: the graph and what the checks recorded.
    private static (StateGraph Graph, PropertyChecks Visitor) Search(Trace run, bool twoPhase, int maxStates)
    {
        var reading = run.Reading.WithGranularity(twoPhase ? Granularity.TwoPhase : Granularity.Atomic);
        var checks = PropertyRegistry.ApplicableTo(reading).Select(i => i.Begin(run.Catalog, reading));
        var visitor = new PropertyChecks(checks, run.Catalog, reading);
        return (new Explorer().Explore(run.Catalog, reading, new ExploreLimits(MaxStates: maxStates), visitor: visitor), visitor);
    }

    // The loads that replaced a customer patch are recorded while searching; without the record
    // the facts apply each load again. Both must give the same atomic-install facts.
    [Property]
    public Property CustomerLoadsRecordedDuringTheSearch_GiveTheFactsOfAppliedLoads(Trace run, bool twoPhase)
    {
        var (g, visitor) = Search(run, twoPhase, 20_000);
        var recorded = visitor.CustomerLoads(g);
        if (recorded is null) return false.Label("the visitor did not see the search");
        var withRecord = new GraphFacts(g, recorded);
        var applied = new GraphFacts(g);
        return (withRecord.EnabledAhead(restricted: true).SequenceEqual(applied.EnabledAhead(restricted: true))
                && withRecord.ReachesFrontier(restricted: true).SequenceEqual(applied.ReachesFrontier(restricted: true)))
            .Label($"{g.States.Count} states, {recorded.Count} loads replaced a customer patch")
            .Classify(recorded.Count > 0, "a load replaced a customer patch");
    }

    // The search reports transitions by source state, then alphabet index, so the record is in
    // increasing order, as it must be to be kept a mask per state; keys given in any other order
    // (a caller's own list) are sorted first and give the same facts.
    [Property]
    public Property CustomerLoads_AreIncreasing_AndInAnyOrderGiveTheSameFacts(Trace run, bool twoPhase, bool threads)
    {
        var (g, visitor) = Search(run, twoPhase, 3000);
        var recorded = visitor.CustomerLoads(g);
        if (recorded is null) return false.Label("the visitor did not see the search");
        var increasing = recorded.Zip(recorded.Skip(1)).All(p => p.First < p.Second);
        var shuffled = recorded.Reverse().ToList();
        var (inOrder, outOfOrder) = (new GraphFacts(g, recorded), new GraphFacts(g, shuffled, threads ? 3 : 1) { ParallelStates = 1 });
        return (increasing
                && outOfOrder.EnabledAhead(restricted: true).SequenceEqual(inOrder.EnabledAhead(restricted: true))
                && outOfOrder.ReachesFrontier(restricted: true).SequenceEqual(inOrder.ReachesFrontier(restricted: true))
                && outOfOrder.CanReachNothingEnabled(restricted: true).SequenceEqual(inOrder.CanReachNothingEnabled(restricted: true)))
            .Label($"{g.States.Count} states, {recorded.Count} loads replaced a customer patch, increasing: {increasing}")
            .Classify(recorded.Count > 1, "more than one load replaced a customer patch");
    }

    // With several threads the flags kept per state are computed by state ranges, and the
    // fixpoints by blocks of states dealt out to the threads, each reading the others' entries as
    // they grow: the facts are those of one thread, whatever the number of threads.
    [Property]
    public Property FactsOnSeveralThreads_AreThoseOfOneThread(Trace run, bool twoPhase, bool record, PositiveInt threads)
    {
        var (g, visitor) = Search(run, twoPhase, 1 + threads.Get * 97 % 3000);
        var recorded = record ? visitor.CustomerLoads(g) : null;
        var one = new GraphFacts(g, recorded);
        var several = new GraphFacts(g, recorded, 2 + threads.Get % 5) { ParallelStates = 1 };
        static bool Quiet(KernelState s) => Observables.EnabledMask(s) == 0;
        return (several.EnabledAhead(restricted: true).SequenceEqual(one.EnabledAhead(restricted: true))
                && several.EnabledAhead(restricted: false).SequenceEqual(one.EnabledAhead(restricted: false))
                && several.ReachesFrontier(restricted: true).SequenceEqual(one.ReachesFrontier(restricted: true))
                && several.ReachesFrontier(restricted: false).SequenceEqual(one.ReachesFrontier(restricted: false))
                && several.CanReach(Quiet, restricted: false).SequenceEqual(one.CanReach(Quiet, restricted: false))
                && several.CanReach(Quiet, restricted: true).SequenceEqual(one.CanReach(Quiet, restricted: true))
                && several.CanReachNothingEnabled(restricted: false).SequenceEqual(one.CanReachNothingEnabled(restricted: false))
                && several.CanReachNothingEnabled(restricted: true).SequenceEqual(one.CanReachNothingEnabled(restricted: true)))
            .Label($"{g.States.Count} states, {g.Frontier.Count} on the frontier");
    }

    // The fixpoints read a transition's target and operation in one go, however the graph keeps
    // them: packed together, or the targets apart with a set of operations per state. The facts
    // of a graph whose transitions were never packed are those of the packed one.
    [Property]
    public Property Facts_OfTransitionsNeverPacked_AreThoseOfPackedOnes(Trace run, bool twoPhase)
    {
        var (packed, visitor) = Search(run, twoPhase, 3000);
        var apart = new Explorer { PackedTargets = 0 }.Explore(packed.Catalog, packed.Reading, new ExploreLimits(MaxStates: 3000));
        var recorded = visitor.CustomerLoads(packed);
        var (one, other) = (new GraphFacts(packed, recorded), new GraphFacts(apart, recorded));
        return (one.EnabledAhead(restricted: true).SequenceEqual(other.EnabledAhead(restricted: true))
                && one.EnabledAhead(restricted: false).SequenceEqual(other.EnabledAhead(restricted: false))
                && one.CanReachNothingEnabled(restricted: true).SequenceEqual(other.CanReachNothingEnabled(restricted: true))
                && one.ReachesFrontier(restricted: true).SequenceEqual(other.ReachesFrontier(restricted: true)))
            .Label($"{packed.States.Count} states, {packed.EdgeCount} transitions");
    }

    // The flags kept per state from one pass over the states answer what the states themselves
    // answer: whether a state is in a transition, and whether a quiescent state with nothing
    // enabled is reachable (CanReach with that target).
    [Property]
    public Property FlagsKeptPerState_AnswerWhatTheStatesAnswer(Trace run, bool twoPhase, bool record, PositiveInt threads)
    {
        var (g, visitor) = Search(run, twoPhase, 1 + threads.Get * 97 % 3000);
        var facts = new GraphFacts(g, record ? visitor.CustomerLoads(g) : null, 1 + threads.Get % 4) { ParallelStates = 1 };
        static bool Quiet(KernelState s) => Observables.EnabledMask(s) == 0;
        return (Enumerable.Range(0, g.States.Count).All(s => facts.InTransition(s) == g.States[s].InTransition)
                && facts.CanReachNothingEnabled(restricted: false).SequenceEqual(facts.CanReach(Quiet, restricted: false))
                && facts.CanReachNothingEnabled(restricted: true).SequenceEqual(facts.CanReach(Quiet, restricted: true)))
            .Label($"{g.States.Count} states, {g.Frontier.Count} on the frontier")
            .Classify(g.States.Count > 1 && Enumerable.Range(0, g.States.Count).Any(s => g.States[s].InTransition), "some state in a transition");
    }

    // What an atomic install may reach, from the graph alone and by the plainest search: a load
    // is usable when it replaced no customer patch (its effect, recomputed), a Complete when its
    // transition patches, an unload always; a state reaches a quiescent target when one of its
    // usable transitions leads to a state that does, until nothing changes. The facts keep the
    // loads that replaced a customer patch as one mask per state found by its rank, which tests
    // the rank only on graphs with such states past the first 64 ids: mostly under upstream,
    // where cumulative patches replace customer patches, so half the runs are taken there.
    [Property(MaxTest = 40)]
    public Property RestrictedReach_IsThatOfAPlainSearchOverTheUsableTransitions(Trace run, bool ownReading, bool record, bool threads)
    {
        var (g, visitor) = Search(ownReading ? run : run with { Reading = Readings.Upstream }, twoPhase: false, 20_000);
        var facts = new GraphFacts(g, record ? visitor.CustomerLoads(g) : null, threads ? 3 : 1) { ParallelStates = 1 };
        var kinds = Array.ConvertAll(g.Alphabet, o => o.Kind);
        bool Usable(int s, int op) => kinds[op] switch
        {
            OpKind.Load => (g.AffectedBy(s, op) & facts.Customers) == 0,
            OpKind.Complete => g.States[s].TargetPatched,
            OpKind.Unload => true,
            _ => false,
        };
        static bool Quiet(KernelState s) => Observables.EnabledMask(s) == 0;
        var reach = Enumerable.Range(0, g.States.Count).Select(s => !g.States[s].InTransition && Quiet(g.States[s])).ToArray();
        var ahead = Enumerable.Range(0, g.States.Count).Select(s => g.States[s].InTransition ? 0UL : Observables.EnabledMask(g.States[s])).ToArray();
        for (var changed = true; changed;)
        {
            changed = false;
            foreach (var e in g.Edges)
            {
                if (!Usable(e.From, e.Op)) continue;
                if (reach[e.To] && !reach[e.From]) (reach[e.From], changed) = (true, true);
                if ((ahead[e.To] & ~ahead[e.From]) != 0) (ahead[e.From], changed) = (ahead[e.From] | ahead[e.To], true);
            }
        }
        var late = g.Edges.Where(e => e.From >= 64 && kinds[e.Op] == OpKind.Load && !Usable(e.From, e.Op)).Select(e => e.From).Distinct().Count();
        return (facts.CanReach(Quiet, restricted: true).SequenceEqual(reach)
                && facts.CanReachNothingEnabled(restricted: true).SequenceEqual(reach)
                && facts.EnabledAhead(restricted: true).SequenceEqual(ahead))
            .Label($"{g.States.Count} states, {late} past the first 64 with a load that replaced a customer patch")
            .Classify(late > 0, "a load replaced a customer patch past the first 64 states");
    }

    [Fact]
    public void CustomerLoads_OfAnotherGraph_IsNull()
    {
        var catalog = Graphs.Stacking(2);
        var visitor = new PropertyChecks([], catalog, Readings.Upstream);
        var seen = new Explorer().Explore(catalog, Readings.Upstream, visitor: visitor);
        var other = new Explorer().Explore(catalog, Readings.Upstream);

        Assert.NotNull(visitor.CustomerLoads(seen));
        Assert.Null(visitor.CustomerLoads(other));
    }
}
