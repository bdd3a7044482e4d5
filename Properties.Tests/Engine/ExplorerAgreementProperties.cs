using FsCheck.Fluent;
using FsCheck.Xunit;
using FsCheck;
using Klp.Check.Engine;
using Klp.Check.Inputs;
using Klp.Check.Model;
using Klp.Check.Properties;
using Property = FsCheck.Property;

namespace Klp.Check.Tests.Engine;

/// <summary>
/// The explorer (prefetching, split or pipelined, reusing its table and lists, on one thread or two)
/// builds exactly the graph of a plain breadth-first search over <see cref="Kernel.Step"/> with a
/// dictionary of states; on two threads it tells the properties what one thread tells them.
/// </summary>
[Properties(Arbitrary = new[] { typeof(Arbitraries) }, MaxTest = 100)]
public class ExplorerAgreementProperties
{
    // One explorer for every generated input, recycling each graph, as the verifier uses it;
    // its graphs store their states packed from the first.
    private readonly Explorer explorer = new() { PackFrom = 0 };

    // The same with every level expanded on two threads (the producing thread's pipeline), and
    // the states packed from the fifth on, in the middle of a search and of a pipelined level;
    // a transition to state 5 or later moves the graph's transitions from targets packed with
    // their operations to targets with a set of operations per state (StateGraph), as a graph
    // of more than 2^26 states does.
    private readonly Explorer pipelined = new() { Expansion = LevelExpansion.Pipeline, ParallelLevel = 1, PackFrom = 5, PackedTargets = 5, SlowRoundTrip = double.PositiveInfinity };

    // Every level on two threads as split parts of three states each, whose share moves as the
    // threads wait, packed from the fifth state on as above.
    private readonly Explorer split = new() { ParallelLevel = 1, PackFrom = 5, PackedTargets = 5, SplitPart = 3 };

    // The same with the producing thread expanding every state of every part of five.
    private readonly Explorer producerSplit = new() { ParallelLevel = 1, PackFrom = 5, PackedTargets = 5, SplitPart = 5, SplitShare = 0, SplitAdapts = false };

    // The same with a search's thread that goes alone at every wait, wherever in the level that
    // comes, for two parts, then four...: some parts from the producer's buffers, some its own,
    // and the producer started again within the level.
    private readonly Explorer impatientSplit = new() { ParallelLevel = 1, PackFrom = 5, PackedTargets = 5, SplitPart = 4, SplitShare = 64, SplitAdapts = false, SplitPatience = 0, SplitStretch = 2 };

    // Tables given room (ExploreLimits.ExpectedStates) that start at the smallest size, so that
    // their first growth goes straight to the room asked for: on one thread, and on two as split parts.
    private readonly Explorer roomy = new() { PackFrom = 0, SmallTable = 1024 };
    private readonly Explorer roomySplit = new() { ParallelLevel = 1, PackFrom = 5, PackedTargets = 5, SplitPart = 3, SmallTable = 1024 };

    // One thread, with the transitions kept as the largest graphs keep them from the first.
    private readonly Explorer unpacked = new() { PackedTargets = 0 };

    // The same whose producing thread expands every state and looks every successor up, however
    // far ahead it is: on levels this small the balanced one leaves most lookups to the search's
    // thread, which also expands one state in three itself.
    private readonly Explorer looking = new() { Expansion = LevelExpansion.Pipeline, ParallelLevel = 1, PackFrom = 5, PackedTargets = 5, Balance = false, SearchExpandsEvery = 0, SlowRoundTrip = double.PositiveInfinity };

    private sealed record Graph(
        List<KernelState> States, List<int> Parent, List<int> ParentOp, List<int> Depth,
        List<(int From, int To, int Op, ulong Affected)> Edges, long[] Refused, long[] Accepted, long Transitions, bool Cut);

    // The obviously correct search: a queue in insertion order, a dictionary, Step, no tricks.
    private static Graph Reference(Catalog catalog, Reading reading, int cap)
    {
        var alphabet = Alphabet.For(catalog, reading.Options.Granularity);
        var g = new Graph([KernelState.Empty], [-1], [-1], [0], [], new long[Enum.GetValues<Reason>().Length], new long[alphabet.Length], 0, false);
        var ids = new Dictionary<KernelState, int> { [KernelState.Empty] = 0 };
        var transitions = 0L;
        var cut = false;
        for (var s = 0; s < g.States.Count; s++)
            for (var a = 0; a < alphabet.Length; a++)
            {
                var o = Kernel.Step(catalog, reading, g.States[s], alphabet[a]);
                transitions++;
                if (!o.Accepted)
                {
                    g.Refused[(int)o.Reason]++;
                    continue;
                }
                g.Accepted[a]++;
                if (!ids.TryGetValue(o.State, out var id))
                {
                    if (g.States.Count >= cap)
                    {
                        cut = true;
                        continue;
                    }
                    id = g.States.Count;
                    ids[o.State] = id;
                    g.States.Add(o.State);
                    g.Parent.Add(s);
                    g.ParentOp.Add(a);
                    g.Depth.Add(g.Depth[s] + 1);
                }
                g.Edges.Add((s, id, a, o.Affected));
            }
        return g with { Transitions = transitions, Cut = cut };
    }

    private Property Agrees(Catalog catalog, Reading reading, int cap, bool fingerprints, int threads = 1, Explorer? with = null, int room = 0)
    {
        var (states, differences) = Differences(catalog, reading, cap, fingerprints, threads, with, room);
        return (differences.Count == 0).Label($"{states} states; differ in: {string.Join(", ", differences)}");
    }

    // What the explorer's graph has that the reference's does not, and the reference's states.
    private (int States, List<string> Differences) Differences(Catalog catalog, Reading reading, int cap, bool fingerprints, int threads, Explorer? with = null, int room = 0)
    {
        var expected = Reference(catalog, reading, cap);
        var explorer = with ?? (threads == 1 ? this.explorer : pipelined);
        var g = explorer.Explore(catalog, reading, new ExploreLimits(MaxStates: cap, Fingerprints: fingerprints, ExpectedStates: room), threads);
        var actual = new Graph([.. g.States], [.. g.Parent], [.. g.ParentOp.Select(o => o == SearchTree.NoOp ? -1 : o)], [.. g.Depth],
            [.. g.Edges.Select(e => (e.From, e.To, e.Op, e.Affected))], g.RefusedByReason, g.AcceptedCount, g.Transitions, g.CutBy is not null);
        explorer.Recycle(g);
        var differences = new List<string>();
        if (!expected.States.SequenceEqual(actual.States)) differences.Add($"states {expected.States.Count} vs {actual.States.Count}");
        if (!expected.Parent.SequenceEqual(actual.Parent)) differences.Add("parents");
        if (!expected.ParentOp.SequenceEqual(actual.ParentOp)) differences.Add("parent operations");
        if (!expected.Depth.SequenceEqual(actual.Depth)) differences.Add("depths");
        if (!expected.Edges.SequenceEqual(actual.Edges)) differences.Add($"edges {expected.Edges.Count} vs {actual.Edges.Count}");
        if (!expected.Refused.SequenceEqual(actual.Refused)) differences.Add("refusal counts");
        if (!expected.Accepted.SequenceEqual(actual.Accepted)) differences.Add("acceptance counts");
        if (expected.Transitions != actual.Transitions) differences.Add($"transitions {expected.Transitions} vs {actual.Transitions}");
        if (expected.Cut != actual.Cut) differences.Add($"cut {expected.Cut} vs {actual.Cut}");
        return (expected.States.Count, differences);
    }

    [Property]
    public Property Explorer_OnGeneratedCatalogs_BuildsTheReferenceGraph(Trace run) =>
        Agrees(run.Catalog, run.Reading, cap: 20_000, fingerprints: false);

    // A catalog whose states have no packing keeps them as values, and explores as any other.
    [Fact]
    public void Explorer_CatalogTooWideToPack_BuildsTheReferenceGraph()
    {
        var catalog = Tests.Model.StatePackingProperties.Unpackable();
        var reading = Klp.Check.Model.Readings.Positional;
        var g = explorer.Explore(catalog, reading, new ExploreLimits(MaxStates: 2000));
        Assert.Null(g.States.Packing);
        Assert.Equal(2000, g.States.Count);
        explorer.Recycle(g);
        Assert.Empty(Differences(catalog, reading, cap: 2000, fingerprints: false, threads: 1).Differences);
    }

    // A graph stores values until it has PackFrom states, then packs them: the same states.
    [Fact]
    public void Explorer_PastPackFrom_StoresThePackedStates()
    {
        var catalog = Graphs.Stacking(4);
        var packed = new Explorer { PackFrom = 5 }.Explore(catalog, Klp.Check.Model.Readings.Positional);
        var values = new Explorer().Explore(catalog, Klp.Check.Model.Readings.Positional);
        Assert.NotNull(packed.States.Packing);
        Assert.Null(values.States.Packing);
        Assert.True(values.States.Count is > 5 and < StateList.DefaultPackFrom);
        Assert.Equal(values.States, packed.States);
    }

    // A table given room for some number of states, fewer than the search finds (it doubles from
    // there), about as many, or more; starting small and growing to that room at once, or at the
    // room asked for; on one thread, on two as split parts, and by fingerprint.
    [Property]
    public Property Explorer_TableGivenRoom_BuildsTheReferenceGraph(Trace run, PositiveInt room, bool twoThreads, bool fingerprints, bool startSmall) =>
        Agrees(run.Catalog, run.Reading, cap: 20_000, fingerprints, twoThreads ? 2 : 1,
            (twoThreads, startSmall) switch { (true, true) => roomySplit, (true, false) => split, (false, true) => roomy, _ => null }, room: room.Get % 6000);

    [Property]
    public Property Explorer_TransitionsUnpackedFromTheFirst_BuildsTheReferenceGraph(Trace run) =>
        Agrees(run.Catalog, run.Reading, cap: 20_000, fingerprints: false, with: unpacked);

    [Property]
    public Property Explorer_WithFingerprints_BuildsTheReferenceGraph(Trace run) =>
        Agrees(run.Catalog, run.Reading, cap: 20_000, fingerprints: true);

    [Property]
    public Property Explorer_CutByAStateCap_BuildsTheReferenceGraphUpToIt(Trace run, PositiveInt cap) =>
        Agrees(run.Catalog, run.Reading, cap: 1 + cap.Get % 300, fingerprints: false);

    [Property]
    public Property Explorer_EveryLevelOnTwoThreads_BuildsTheReferenceGraph(Trace run) =>
        Agrees(run.Catalog, run.Reading, cap: 20_000, fingerprints: false, threads: 2);

    [Property]
    public Property Explorer_EveryLevelOnTwoThreadsWithFingerprints_BuildsTheReferenceGraph(Trace run) =>
        Agrees(run.Catalog, run.Reading, cap: 20_000, fingerprints: true, threads: 2);

    [Property]
    public Property Explorer_EveryLevelOnTwoThreadsCutByAStateCap_BuildsTheReferenceGraphUpToIt(Trace run, PositiveInt cap) =>
        Agrees(run.Catalog, run.Reading, cap: 1 + cap.Get % 300, fingerprints: false, threads: 2);

    [Property]
    public Property Explorer_EveryLevelOnTwoThreadsProducerLookingUpAll_BuildsTheReferenceGraph(Trace run, PositiveInt cap, bool capped) =>
        Agrees(run.Catalog, run.Reading, cap: capped ? 1 + cap.Get % 300 : 20_000, fingerprints: false, threads: 2, with: looking);

    // Two threads tell a visitor exactly what one thread tells it, in the same order, and every
    // property finds the same (verdicts, shortest traces, messages). The recorder keeps every
    // event a search tells a visitor, as text, in the order told.
    private sealed class Recorder(bool unchangedRefusals) : ExplorationVisitor
    {
        public List<string> Events { get; } = [];

        public override bool SeesUnchangedRefusals => unchangedRefusals;

        public override void OnState(StateGraph graph, int state, in KernelState value) => Events.Add($"state {state}");

        public override void OnTransition(StateGraph graph, in Edge edge, in KernelState before, in KernelState after) =>
            Events.Add($"edge {edge.From} {edge.To} {edge.Op} {edge.Affected} {before.Fingerprint()} {after.Fingerprint()}");

        public override void OnRefusal(StateGraph graph, int state, int op, in KernelState before, in KernelState after) =>
            Events.Add($"refused {state} {op} {before.Fingerprint()} {after.Fingerprint()}");
    }

    private static List<string> Events(Explorer explorer, Trace run, ExploreLimits limits, int threads, bool unchangedRefusals)
    {
        var recorder = new Recorder(unchangedRefusals);
        explorer.Recycle(explorer.Explore(run.Catalog, run.Reading, limits, threads, recorder));
        return recorder.Events;
    }

    private static string[] Findings(Explorer explorer, Trace run, ExploreLimits limits, int threads)
    {
        var checks = PropertyChecks.Begin(PropertyRegistry.ApplicableTo(run.Reading), run.Catalog, run.Reading);
        var g = explorer.Explore(run.Catalog, run.Reading, limits, threads, checks.Silent ? null : checks);
        // On several threads the checks finish in parallel too, with the facts that split by
        // state ranges split even on these small graphs.
        var facts = threads > 1 ? new GraphFacts(g, checks.CustomerLoads(g), threads) { ParallelStates = 1 } : null;
        var found = checks.Finish(g, exercised: true, threads, facts);
        explorer.Recycle(g);
        return [.. found.Select(f => $"{f.Finding.Applicable} {f.Finding.Found} {f.Finding.Inconclusive} {f.Exercised} {f.Finding.Message} [{string.Join(", ", f.Finding.Trace ?? [])}]")];
    }

    private Property SameEvents(Trace run, ExploreLimits limits, bool unchangedRefusals, bool balance = true, Explorer? with = null)
    {
        var one = Events(explorer, run, limits, 1, unchangedRefusals);
        var two = Events(with ?? (balance ? pipelined : looking), run, limits, 2, unchangedRefusals);
        var first = Enumerable.Range(0, Math.Min(one.Count, two.Count)).FirstOrDefault(i => one[i] != two[i], -1);
        return one.SequenceEqual(two).Label($"{one.Count} and {two.Count} events; first difference at {first}");
    }

    [Property]
    public Property Visitor_TwoThreads_ToldWhatOneThreadIsTold(Trace run) =>
        SameEvents(run, new ExploreLimits(MaxStates: 20_000), unchangedRefusals: false);

    [Property]
    public Property Visitor_TwoThreadsEveryRefusal_ToldWhatOneThreadIsTold(Trace run) =>
        SameEvents(run, new ExploreLimits(MaxStates: 20_000), unchangedRefusals: true);

    [Property]
    public Property Visitor_TwoThreadsProducerLookingUpAll_ToldWhatOneThreadIsTold(Trace run, bool unchangedRefusals) =>
        SameEvents(run, new ExploreLimits(MaxStates: 20_000), unchangedRefusals, balance: false);

    [Property]
    public Property Visitor_TwoThreadsCutByAStateCap_ToldWhatOneThreadIsTold(Trace run, PositiveInt cap) =>
        SameEvents(run, new ExploreLimits(MaxStates: 1 + cap.Get % 300), unchangedRefusals: true);

    [Property]
    public Property Explorer_EveryLevelSplit_BuildsTheReferenceGraph(Trace run, PositiveInt cap, bool capped, bool fingerprints) =>
        Agrees(run.Catalog, run.Reading, cap: capped ? 1 + cap.Get % 300 : 20_000, fingerprints, threads: 2, with: split);

    [Property]
    public Property Explorer_EveryLevelSplitProducerExpandingAll_BuildsTheReferenceGraph(Trace run, PositiveInt cap, bool capped) =>
        Agrees(run.Catalog, run.Reading, cap: capped ? 1 + cap.Get % 300 : 20_000, fingerprints: false, threads: 2, with: producerSplit);

    [Property]
    public Property Visitor_Split_ToldWhatOneThreadIsTold(Trace run, PositiveInt cap, bool capped, bool unchangedRefusals) =>
        SameEvents(run, new ExploreLimits(MaxStates: capped ? 1 + cap.Get % 300 : 20_000), unchangedRefusals, with: split);

    [Property]
    public Property Visitor_SplitProducerExpandingAll_ToldWhatOneThreadIsTold(Trace run, bool unchangedRefusals) =>
        SameEvents(run, new ExploreLimits(MaxStates: 20_000), unchangedRefusals, with: producerSplit);

    [Property]
    public Property Explorer_EveryLevelSplitSearchGivingUp_BuildsTheReferenceGraph(Trace run, PositiveInt cap, bool capped, bool fingerprints) =>
        Agrees(run.Catalog, run.Reading, cap: capped ? 1 + cap.Get % 300 : 20_000, fingerprints, threads: 2, with: impatientSplit);

    [Property]
    public Property Visitor_SplitSearchGivingUp_ToldWhatOneThreadIsTold(Trace run, PositiveInt cap, bool capped, bool unchangedRefusals) =>
        SameEvents(run, new ExploreLimits(MaxStates: capped ? 1 + cap.Get % 300 : 20_000), unchangedRefusals, with: impatientSplit);

    // Every property finds the same with the second explorer (on its thread count) as with the first.
    private static Property SameFindings(Trace run, PositiveInt cap, bool capped, (Explorer Explorer, int Threads, string Name) first, (Explorer Explorer, int Threads, string Name) second)
    {
        var limits = new ExploreLimits(MaxStates: capped ? 1 + cap.Get % 300 : 20_000);
        var one = Findings(first.Explorer, run, limits, first.Threads);
        var two = Findings(second.Explorer, run, limits, second.Threads);
        return one.SequenceEqual(two)
            .Label($"{first.Name}: {string.Join("; ", one)}\n{second.Name}: {string.Join("; ", two)}")
            .Classify(one.Any(f => f.StartsWith("True True")), "a property found something")
            .Classify(capped, "capped");
    }

    [Property]
    public Property EveryProperty_TwoThreads_FindsWhatOneThreadFinds(Trace run, PositiveInt cap, bool capped) =>
        SameFindings(run, cap, capped, (explorer, 1, "one thread"), (pipelined, 2, "two threads"));

    [Property]
    public Property EveryProperty_TwoThreadsSplit_FindsWhatOneThreadFinds(Trace run, PositiveInt cap, bool capped) =>
        SameFindings(run, cap, capped, (explorer, 1, "one thread"), (split, 2, "two threads, split"));

    // The liveness properties read the transitions after the search: kept unpacked from the
    // first, they find what they find on packed transitions.
    [Property]
    public Property EveryProperty_TransitionsUnpacked_FindsWhatPackedFinds(Trace run, PositiveInt cap, bool capped) =>
        SameFindings(run, cap, capped, (explorer, 1, "packed"), (unpacked, 1, "unpacked"));
}
