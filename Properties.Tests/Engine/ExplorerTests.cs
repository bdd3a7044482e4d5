using Klp.Check.Engine;
using Klp.Check.Model;
using Klp.Check.Properties;
using Klp.Check.Scenarios;

namespace Klp.Check.Tests.Engine;

public class ExplorerTests
{
    private static Catalog Timeline() => Catalog("scenarios/thread/petr-timeline-tuesday-set3.klp");

    private static Catalog Catalog(string file) => ScenarioParser.ParseFile(RepositoryFiles.Full(file)).Catalog;

    // Pinned: a changed count must be explained in its commit. test-livepatch-3 under upstream,
    // atomic, counts by hand: 32 orders of Patches (any order of the three stacking patches,
    // optionally after the replace patch) times the subsets of other loaded modules = 114.
    [Theory]
    [InlineData("scenarios/thread/petr-timeline-tuesday-set3.klp", "upstream", "atomic", 4256)]
    [InlineData("scenarios/thread/petr-timeline-tuesday-set3.klp", "replace-set", "atomic", 112)]
    [InlineData("scenarios/thread/petr-timeline-tuesday-set3.klp", "positional", "atomic", 2432)]
    [InlineData("scenarios/thread/petr-timeline-tuesday-set3.klp", "flat", "atomic", 2432)]
    [InlineData("scenarios/thread/petr-timeline-tuesday-set3.klp", "set", "atomic", 2432)]
    [InlineData("scenarios/thread/petr-timeline-tuesday-set3.klp", "flat-dynamic", "atomic", 2432)]
    [InlineData("scenarios/kernel/test-livepatch-3.klp", "upstream", "atomic", 114)]
    // 1218 before force of a replace patch pinned every other patch (klp_force_transition):
    // after a reversed disable of the replace patch, the stacking patches loaded after it are
    // pinned in any subset, so more (pinned, Patches) pairs are reachable.
    [InlineData("scenarios/kernel/test-livepatch-3.klp", "upstream", "two-phase", 3090)]
    [InlineData("scenarios/kernel/test-livepatch-3.klp", "positional", "two-phase", 621)]
    [InlineData("scenarios/thread/joe-dynamic-allocation.klp", "flat-dynamic", "atomic", 792)]
    [InlineData("scenarios/thread/joe-dynamic-allocation.klp", "set", "two-phase", 23679)]
    public void ShippedCatalog_ExploredExhaustively_HasPinnedStateCount(string file, string reading, string mode, int states)
    {
        var r = Readings.Find(reading)!;
        r = r.WithGranularity(mode == "atomic" ? Granularity.Atomic : Granularity.TwoPhase);

        var g = new Explorer().Explore(Catalog(file), r);

        Assert.Null(g.CutBy);
        Assert.Equal(states, g.States.Count);
    }

    [Fact]
    public void Explore_StatesAreDistinctAndEachParentPathLeadsToIt()
    {
        var catalog = Timeline();
        var g = new Explorer().Explore(catalog, Readings.Flat);

        Assert.Equal(g.States.Count, g.States.Distinct().Count());
        for (var s = 0; s < g.States.Count; s += 7)
        {
            var path = g.PathTo(s);
            Assert.Equal(g.Depth[s], path.Count);
            Assert.Equal(g.States[s], new Trace(catalog, Readings.Flat, path).End());
        }
    }

    [Fact]
    public void Explore_WithStateCap_SaysItWasCut()
    {
        var g = new Explorer().Explore(Timeline(), Readings.Upstream, new ExploreLimits(MaxStates: 50));

        Assert.Equal(50, g.States.Count);
        Assert.Equal("state cap 50", g.CutBy);
    }

    [Fact]
    public void Explore_WithFingerprints_FindsTheSameStatesAndReportsACollisionBound()
    {
        var exact = new Explorer().Explore(Timeline(), Readings.Set);
        var hashed = new Explorer().Explore(Timeline(), Readings.Set, new ExploreLimits(Fingerprints: true));

        Assert.Equal(exact.States, hashed.States);
        Assert.InRange(hashed.CollisionProbability, double.Epsilon, 1e-6);
        Assert.Equal(0, exact.CollisionProbability);
    }

    [Fact]
    public void Explore_AtomicMode_NeverEnablesCompleteReverseOrForce()
    {
        var g = new Explorer().Explore(Timeline(), Readings.Positional);

        Assert.DoesNotContain(g.Alphabet, op => op.Kind is OpKind.Complete or OpKind.Reverse or OpKind.Force);
        Assert.True(g.RefusedByReason[(int)Reason.ModuleLoaded] > 0);
    }

    // Joe's dynamic-allocation catalog under set, two-phase: 23,679 states, a table that grows
    // from the smallest size to 32,768 slots.
    private static (Catalog Catalog, Reading Reading) JoeTwoPhase() =>
        (Catalog("scenarios/thread/joe-dynamic-allocation.klp"), Readings.Find("set")!.WithGranularity(Granularity.TwoPhase));

    // A table given room for the states a search finds never grows while that room is small, and
    // grows once, straight to it, past its small sizes; one with room for fewer grows fewer times
    // than the smallest table; the room asked for is at most the state cap, so a hint far past it
    // allocates no table of that size.
    [Fact]
    public void TableGivenRoom_ForEveryState_NeverGrows()
    {
        var (catalog, reading) = JoeTwoPhase();
        var explorer = new Explorer();

        var grown = explorer.Explore(catalog, reading);
        var states = grown.States.Count;
        var growths = explorer.TableGrowths;
        explorer.Recycle(grown);
        explorer.Recycle(explorer.Explore(catalog, reading, new ExploreLimits(ExpectedStates: states)));
        var roomForAll = explorer.TableGrowths;
        explorer.Recycle(explorer.Explore(catalog, reading, new ExploreLimits(ExpectedStates: states / 4)));
        var roomForAQuarter = explorer.TableGrowths;

        Assert.Equal(23679, states);
        Assert.True(growths >= 5, $"{growths} growths from the smallest table");
        Assert.Equal(0, roomForAll);
        Assert.InRange(roomForAQuarter, 1, growths - 2);
    }

    [Fact]
    public void TableGivenRoom_PastItsSmallSizes_GrowsOnceStraightToIt()
    {
        var (catalog, reading) = JoeTwoPhase();
        var explorer = new Explorer { SmallTable = 2048 };

        explorer.Recycle(explorer.Explore(catalog, reading, new ExploreLimits(ExpectedStates: 23679)));
        var roomForAll = explorer.TableGrowths;
        explorer.Recycle(explorer.Explore(catalog, reading));
        var none = explorer.TableGrowths;

        Assert.Equal(1, roomForAll);
        Assert.True(none >= 5, $"{none} growths from the smallest table");
    }

    // Every size of the table is a power of two, which its slots' masks need: a small size that is
    // not one is taken to the next that is. A table of 3,000 slots would probe a fraction of them
    // for ever once those were full; the timeout makes that a failure.
    [Fact(Timeout = 120_000)]
    public async Task TableGivenRoom_SmallSizeNotAPowerOfTwo_BuildsTheSameGraph()
    {
        var (catalog, reading) = JoeTwoPhase();
        var odd = new Explorer { SmallTable = 3000 };

        var (g, growths) = await Task.Run(() => (odd.Explore(catalog, reading, new ExploreLimits(ExpectedStates: 23679)), odd.TableGrowths));
        var plain = new Explorer().Explore(catalog, reading);

        Assert.Equal(1, growths);
        Assert.Equal(plain.States, g.States);
        Assert.Equal(plain.Edges.Select(e => (e.From, e.To, e.Op)), g.Edges.Select(e => (e.From, e.To, e.Op)));
    }

    [Fact]
    public void TableGivenRoom_PastTheStateCap_TakesRoomForTheCapOnly()
    {
        var explorer = new Explorer();
        explorer.Recycle(explorer.Explore(Timeline(), Readings.Positional, new ExploreLimits(MaxStates: 100)));
        var before = GC.GetAllocatedBytesForCurrentThread();
        var g = explorer.Explore(Timeline(), Readings.Positional, new ExploreLimits(MaxStates: 100, ExpectedStates: int.MaxValue));
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(100, g.States.Count);
        Assert.NotNull(g.CutBy);
        Assert.Equal(0, explorer.TableGrowths);
        Assert.True(allocated < 4 << 20, $"{allocated:N0} bytes allocated for a search cut at 100 states");
    }
}

internal static class Graphs
{
    // N hotfixes with a set and a function each: nothing conflicts, so the graph grows fast.
    public static Catalog Stacking(int n) => new(Enumerable.Range(1, n).Select(i => new Patch(
        $"p{i}", Origin.Vendor, PatchKind.Hotfix, i, [new FunctionId(FunctionId.Vmlinux, $"f{i}", 0)], [], false, [(uint)i])));

    public static void AssertSame(StateGraph expected, StateGraph actual)
    {
        Assert.Equal(expected.States, actual.States);
        Assert.Equal(expected.Parent, actual.Parent);
        Assert.Equal(expected.ParentOp, actual.ParentOp);
        Assert.Equal(expected.Depth, actual.Depth);
        Assert.Equal(expected.Edges.Select(e => (e.From, e.To, e.Op, e.Affected)), actual.Edges.Select(e => (e.From, e.To, e.Op, e.Affected)));
        Assert.Equal(expected.RefusedByReason, actual.RefusedByReason);
        Assert.Equal(expected.AcceptedCount, actual.AcceptedCount);
        Assert.Equal(expected.Transitions, actual.Transitions);
    }
}

public class ExplorerReuseTests
{
    [Fact]
    public void OneExplorer_RecyclingEachGraph_GivesWhatFreshExplorersGive()
    {
        // Large, small, large again: the table is grown, then only partly used, then grown
        // again over what the small catalog left in it; the lists shrink and grow the same way.
        var catalogs = new[] { Graphs.Stacking(6), Graphs.Stacking(2), Graphs.Stacking(5), Graphs.Stacking(1), Graphs.Stacking(6) };
        var explorer = new Explorer();
        foreach (var reading in new[] { Readings.Upstream, Readings.Flat })
            foreach (var catalog in catalogs)
            {
                var reused = explorer.Explore(catalog, reading);
                Graphs.AssertSame(new Explorer().Explore(catalog, reading), reused);
                explorer.Recycle(reused);
                Assert.Empty(reused.States);
                Assert.Empty(reused.Edges);
            }
    }

    [Fact]
    public void OneExplorer_WithoutRecycling_LeavesEarlierGraphsIntact()
    {
        var explorer = new Explorer();
        var first = explorer.Explore(Graphs.Stacking(4), Readings.Set);
        var copy = first.States.ToList();

        explorer.Explore(Graphs.Stacking(5), Readings.Set);

        Assert.Equal(copy, first.States);
    }
}

public class RefusalCheckTests
{
    [Fact]
    public void RefusalThatChangedTheState_IsReportedWithItsTrace()
    {
        var catalog = new Catalog([new Patch("a", Origin.Vendor, PatchKind.Hotfix, 0, [new FunctionId(FunctionId.Vmlinux, "f", 0)], [], false, [1u])]);
        var check = PropertyRegistry.Find("refusal-is-atomic")!.Begin(catalog, Readings.Flat);
        var g = StateGraph.FromTrace(new Trace(catalog, Readings.Flat, [Operation.Load(0), Operation.Load(0)]), check);
        Assert.False(check.Finish(new GraphFacts(g)).Found);

        // As if the refused second load had written to the state.
        check.OnRefusal(g, 1, 0, g.States[1], KernelState.Empty);
        var finding = check.Finish(new GraphFacts(g));

        Assert.True(finding.Found);
        Assert.Equal([Operation.Load(0), Operation.Load(0)], finding.Trace);
        Assert.Equal("refused load a changed the state", finding.Message);
    }

    private sealed class EveryRefusal : PropertyCheck
    {
        public override CheckEvents Events => CheckEvents.Refusals;

        public override CatalogFinding Finish(GraphFacts facts) => CatalogFinding.Nothing;
    }

    [Fact]
    public void PropertyChecks_OnlyChangingRefusalsWanted_LetTheSearchSkipTheOthers()
    {
        var catalog = ScenarioParser.ParseFile(RepositoryFiles.Full("scenarios/thread/petr-timeline-tuesday-set3.klp")).Catalog;
        var atomic = PropertyRegistry.Find("refusal-is-atomic")!.Begin(catalog, Readings.Flat);

        Assert.False(new PropertyChecks([atomic], catalog, Readings.Flat).SeesUnchangedRefusals);
        Assert.True(new PropertyChecks([atomic, new EveryRefusal()], catalog, Readings.Flat).SeesUnchangedRefusals);
        Assert.True(new ExplorationVisitorDefaults().SeesUnchangedRefusals);
    }

    private sealed class RefusalCounter(bool all) : ExplorationVisitor
    {
        public long Seen;

        public override bool SeesUnchangedRefusals => all;

        public override void OnRefusal(StateGraph graph, int state, int op, in KernelState before, in KernelState after) => Seen++;
    }

    [Fact]
    public void Explore_VisitorWantingOnlyChangingRefusals_IsToldNoneOfTheUnchangedOnes()
    {
        var catalog = ScenarioParser.ParseFile(RepositoryFiles.Full("scenarios/thread/petr-timeline-tuesday-set3.klp")).Catalog;
        var every = new RefusalCounter(all: true);
        var changing = new RefusalCounter(all: false);

        var g = new Explorer().Explore(catalog, Readings.Positional, visitor: every);
        new Explorer().Explore(catalog, Readings.Positional, visitor: changing);

        Assert.Equal(g.RefusedByReason.Sum(), every.Seen);
        Assert.True(every.Seen > 0);
        Assert.Equal(0, changing.Seen);
    }

    [Fact]
    public void FromTrace_LastNewStateShallowerThanAnEarlierOne_MaxDepthIsTheDeepest()
    {
        Patch Hotfix(string name, int release) =>
            new(name, Origin.Vendor, PatchKind.Hotfix, release, [new FunctionId(FunctionId.Vmlinux, name + "_fn", 0)], [], false, Patch.DefaultSets);
        var catalog = new Catalog([Hotfix("a", 0), Hotfix("b", 1)]);

        // load a; load b; disable b reach depths 1, 2, 3; unload b returns to {a} (depth 1),
        // and disable a then reaches a new state at depth 2, the last one added.
        var g = StateGraph.FromTrace(new Trace(catalog, Readings.Upstream,
            [Operation.Load(0), Operation.Load(1), Operation.Disable(1), Operation.Unload(1), Operation.Disable(0)]));

        Assert.Equal(5, g.States.Count);
        Assert.Equal(2, g.Depth[^1]);
        Assert.Equal(3, g.MaxDepth);
    }

    private sealed class ExplorationVisitorDefaults : ExplorationVisitor;
}

public class EdgePackingTests
{
    private static readonly Catalog OnePatch = new([new Patch("a", Origin.Vendor, PatchKind.Hotfix, 0, [new FunctionId(FunctionId.Vmlinux, "f", 0)], [], false, [1u])]);

    // Every transition's target and operation as the graph reads them back, by index alone and
    // with its source, and where each state's transitions begin.
    private static void AssertReadsBack(StateGraph g, (int From, int To, int Op)[] edges, int states)
    {
        Assert.Equal(edges.Length, g.EdgeCount);
        Assert.Equal(edges.Select(e => (e.To, e.Op)), Enumerable.Range(0, edges.Length).Select(e => (g.TargetOf(e), g.OpOf(e))));
        Assert.Equal(edges.Select(e => e.Op), edges.Select((e, i) => g.OpOf(e.From, i)));
        Assert.Equal(edges.Select(e => (e.To, e.Op)), edges.Select((e, i) => (g.TargetOf(e.From, i, out var op), op)));
        Assert.Equal(Enumerable.Range(0, states + 1).Select(s => (long)edges.Count(e => e.From < s)), Enumerable.Range(0, states + 1).Select(g.FirstEdge));
        // Copied a stretch at a time, from each state on, up to and past the last stored.
        for (var from = 0; from <= states + 1; from++)
        {
            var copied = new long[states + 3 - from];
            g.CopyFirstEdges(from, copied);
            Assert.Equal(Enumerable.Range(from, copied.Length).Select(g.FirstEdge), copied);
        }
        for (var s = 0; s <= states; s++)
            Assert.Equal(edges.Where(e => e.From == s).Select(e => (e.To, e.Op)), Visited(g, s));
    }

    // What StateGraph.VisitEdges tells of a state's transitions, all of them.
    private static List<(int, int)> Visited(StateGraph g, int state)
    {
        var visitor = new Collect(new List<(int, int)>(), int.MaxValue);
        Assert.True(g.VisitEdges(state, ref visitor));
        return visitor.Seen;
    }

    private readonly struct Collect(List<(int, int)> seen, int most) : IEdgeVisitor
    {
        public List<(int, int)> Seen => seen;

        public bool Visit(int target, int op)
        {
            seen.Add((target, op));
            return seen.Count < most;
        }
    }

    // Packed transitions are read as runs of the list of them: a state whose transitions begin in
    // one chunk of it and end in the next is read across the two.
    [Fact]
    public void VisitEdges_TransitionsAcrossTwoChunks_TellsEachInOrder()
    {
        var g = new StateGraph(OnePatch, Readings.Flat, new Operation[42]);
        var chunk = ChunkedList<int>.ChunkLength;
        var states = chunk / 3 + 2;
        for (var s = 0; s < states; s++)
            for (var k = 0; k < 3; k++) g.AddEdge(s, s + k + 1, 3 * k + 1);
        var across = (int)(chunk / 3);

        Assert.True(g.FirstEdge(across) < chunk && g.FirstEdge(across + 1) > chunk);
        foreach (var s in new[] { 0, across - 1, across, across + 1, states - 1 })
            Assert.Equal([(s + 1, 1), (s + 2, 4), (s + 3, 7)], Visited(g, s));
    }

    // A visitor that stops is told of nothing after, and the visit says it stopped.
    [Fact]
    public void VisitEdges_VisitorStops_IsToldOfNothingMoreAndReturnsFalse()
    {
        var g = new StateGraph(OnePatch, Readings.Flat, new Operation[42]);
        foreach (var (from, to, op) in new[] { (0, 1, 2), (0, 4, 5), (0, 6, 9), (1, 2, 7) }) g.AddEdge(from, to, op);
        var visitor = new Collect(new List<(int, int)>(), 2);

        Assert.False(g.VisitEdges(0, ref visitor));
        Assert.Equal([(1, 2), (4, 5)], visitor.Seen);
    }

    // A transition is one packed int (target above the operation's bits) while the targets fit;
    // the first that does not splits them all into targets and operations. With 40,000
    // operations (16 bits, more than a set of 64 holds) a target from 65,536 on does not fit.
    [Fact]
    public void AddEdge_TargetPastWhatPackingHolds_EveryTransitionReadsBackTheSame()
    {
        var g = new StateGraph(OnePatch, Readings.Flat, new Operation[40000]);
        (int From, int To, int Op)[] edges = [(0, 5, 7), (0, 65535, 39999), (1, 3, 0), (2, 65536, 12345), (2, 9, 39999), (4, int.MaxValue, 1)];

        var before = new List<(int, int)>();
        foreach (var (from, to, op) in edges)
        {
            g.AddEdge(from, to, op);
            if (before.Count < 3) before.Add((g.TargetOf(g.EdgeCount - 1), g.OpOf(g.EdgeCount - 1)));
        }

        Assert.Equal(edges.Take(3).Select(e => (e.To, e.Op)), before);
        AssertReadsBack(g, edges, 4);
    }

    // With 42 operations (6 bits) a target from 2^26 on does not fit beside its operation: the
    // targets go apart, and each state keeps the set of its operations, which came in order.
    [Fact]
    public void AddEdge_TargetPastWhatPackingHoldsOperationsInOrder_EveryTransitionReadsBackTheSame()
    {
        var g = new StateGraph(OnePatch, Readings.Flat, new Operation[42]);
        (int From, int To, int Op)[] edges = [(0, 5, 0), (0, 7, 3), (0, 1 << 26, 41), (2, 9, 40), (2, int.MaxValue, 41), (3, 0, 0), (3, 1, 1), (5, 1 << 30, 17)];

        foreach (var (from, to, op) in edges) g.AddEdge(from, to, op);

        AssertReadsBack(g, edges, 5);
    }

    // Past packing, an operation that does not come after the ones before it in its state (the
    // graph of a replayed run) keeps every operation apart from then on.
    [Theory]
    [InlineData(2)]
    [InlineData(30)]
    public void AddEdge_OperationOutOfOrderPastPacking_EveryTransitionReadsBackTheSame(int repeated)
    {
        var g = new StateGraph(OnePatch, Readings.Flat, new Operation[42], packedTargets: 4);
        (int From, int To, int Op)[] edges = [(0, 1, 2), (0, 4, 5), (1, 2, 7), (1, 5, 30), (1, 0, repeated), (1, 6, 8), (2, 3, 0)];

        foreach (var (from, to, op) in edges) g.AddEdge(from, to, op);

        AssertReadsBack(g, edges, 3);
    }

    // Transitions that came out of order while packed never use the sets.
    [Fact]
    public void AddEdge_OperationsOutOfOrderBeforeUnpacking_EveryTransitionReadsBackTheSame()
    {
        var g = new StateGraph(OnePatch, Readings.Flat, new Operation[42], packedTargets: 4);
        (int From, int To, int Op)[] edges = [(0, 1, 9), (0, 2, 9), (1, 3, 1), (2, 7, 4)];

        foreach (var (from, to, op) in edges) g.AddEdge(from, to, op);

        AssertReadsBack(g, edges, 3);
    }
}
