using Klp.Check.Engine;
using Klp.Check.Model;

namespace Klp.Check.Tests.Engine;

public class ParallelExplorerTests
{
    // Levels of this many states or more are expanded in parallel: far below the widest levels
    // of the catalog below, so that every share of a level holds many states.
    internal const int Threshold = 64;

    // Whatever the machine is doing, the levels go through the pipeline: not measured first.
    private static Explorer Pipelined() => new() { Expansion = LevelExpansion.Pipeline, ParallelLevel = Threshold, SlowRoundTrip = double.PositiveInfinity };

    private static int WidestLevel(StateGraph g) => g.Depth.GroupBy(d => d).Max(l => l.Count());

    // The explorer as built expands large levels as split parts; the pipeline as asked for.
    [Theory]
    [InlineData("upstream", false)]
    [InlineData("positional", false)]
    [InlineData("upstream", true)]
    [InlineData("positional", true)]
    public void ParallelLevels_GiveExactlyTheSequentialGraph(string reading, bool pipelined)
    {
        var catalog = Graphs.Stacking(6);
        var r = Readings.Find(reading)!;

        var sequential = new Explorer().Explore(catalog, r, threads: 1);
        var parallel = (pipelined ? Pipelined() : new Explorer { ParallelLevel = Threshold }).Explore(catalog, r, threads: 4);

        Assert.Equal(LevelExpansion.Split, new Explorer().Expansion);
        Assert.True(WidestLevel(sequential) > 16 * Threshold, $"widest level {WidestLevel(sequential)}");
        Graphs.AssertSame(sequential, parallel);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(7)]
    public void ParallelLevels_WhicheverThreadExpandsAState_GiveExactlyTheSequentialGraph(int searchExpandsEvery)
    {
        var catalog = Graphs.Stacking(6);
        var explorer = new Explorer { Expansion = LevelExpansion.Pipeline, ParallelLevel = Threshold, SearchExpandsEvery = searchExpandsEvery, SlowRoundTrip = double.PositiveInfinity };

        var sequential = new Explorer().Explore(catalog, Readings.Positional, threads: 1);
        var parallel = explorer.Explore(catalog, Readings.Positional, threads: 2);
        var capped = explorer.Explore(catalog, Readings.Positional, new ExploreLimits(MaxStates: 4000), threads: 2);

        Graphs.AssertSame(sequential, parallel);
        Graphs.AssertSame(new Explorer().Explore(catalog, Readings.Positional, new ExploreLimits(MaxStates: 4000), threads: 1), capped);
    }

    // With no round trip fast enough, every level large enough for two threads is expanded on
    // one, and counted; without measuring, none is.
    [Fact]
    public void ParallelLevels_SlowCores_KeptOnOneThread_GiveExactlyTheSequentialGraph()
    {
        var catalog = Graphs.Stacking(6);
        var slow = new Explorer { Expansion = LevelExpansion.Pipeline, ParallelLevel = Threshold, SlowRoundTrip = 0 };
        var fast = Pipelined();

        var sequential = new Explorer().Explore(catalog, Readings.Positional, threads: 1);
        var kept = slow.Explore(catalog, Readings.Positional, threads: 2);
        var parallel = fast.Explore(catalog, Readings.Positional, threads: 2);

        var large = sequential.Depth.GroupBy(d => d).Count(l => l.Count() >= Threshold);
        Assert.True(large > 1, $"{large} large levels");
        Assert.Equal(large, slow.PartsKeptOnOneThread);
        Assert.Equal(0, fast.PartsKeptOnOneThread);
        Graphs.AssertSame(sequential, kept);
        Graphs.AssertSame(sequential, parallel);
    }

    // A level longer than PartLength is expanded as parts of about equal length, one after the
    // other, each kept on one thread or pipelined on its own (and, packed, each taking its own
    // view of the states): the graph is the one the level expanded whole gives, and with no round
    // trip fast enough every part is counted as kept on one thread.
    [Theory]
    [InlineData(100, 0.0, int.MaxValue)]
    [InlineData(100, double.PositiveInfinity, int.MaxValue)]
    [InlineData(37, double.PositiveInfinity, 100)]
    [InlineData(1000, double.PositiveInfinity, 100)]
    [InlineData(100, 1e9, 100)]
    public void ParallelLevels_InParts_GiveExactlyTheSequentialGraph(int partLength, double slowRoundTrip, int packFrom)
    {
        var catalog = Graphs.Stacking(6);
        var explorer = new Explorer { Expansion = LevelExpansion.Pipeline, ParallelLevel = Threshold, PartLength = partLength, SlowRoundTrip = slowRoundTrip, PackFrom = packFrom };

        var sequential = new Explorer { PackFrom = packFrom }.Explore(catalog, Readings.Positional, threads: 1);
        var inParts = explorer.Explore(catalog, Readings.Positional, threads: 2);

        var levels = sequential.Depth.GroupBy(d => d).Select(l => l.Count()).Where(n => n >= Threshold).ToList();
        var parts = levels.Sum(n => (n + partLength - 1) / partLength);
        Assert.True(parts > levels.Count, $"{parts} parts in {levels.Count} large levels");
        Graphs.AssertSame(sequential, inParts);
        if (slowRoundTrip <= 0) Assert.Equal(parts, explorer.PartsKeptOnOneThread);
        if (double.IsPositiveInfinity(slowRoundTrip)) Assert.Equal(0, explorer.PartsKeptOnOneThread);
    }

    // Regression: each turn of a wait in the pipeline made a closure for its condition, so that a
    // two-thread search allocated about 80 bytes per state on positional-12 for nothing but
    // waiting, and a machine with a large last-level cache, whose first generation is large, let
    // 72 MB of it pile up before collecting. With the producer expanding every state, the search's
    // thread waits for nearly every batch; what it allocates must be what the one-thread search
    // allocates, give or take what each part sets up.
    [Fact]
    public void ParallelLevels_Waiting_AllocatesNothingPerWait()
    {
        var catalog = Graphs.Stacking(6);
        var pipelined = new Explorer { Expansion = LevelExpansion.Pipeline, ParallelLevel = Threshold, PartLength = 1000, SearchExpandsEvery = 0, SlowRoundTrip = double.PositiveInfinity };
        var alone = new Explorer { Expansion = LevelExpansion.Pipeline, ParallelLevel = Threshold, PartLength = 1000, SlowRoundTrip = 0 };

        // Warm: the rings, the producing thread and the compiled code.
        pipelined.Explore(catalog, Readings.Positional, threads: 2);
        alone.Explore(catalog, Readings.Positional, threads: 2);
        var (two, one) = (Allocated(pipelined, catalog), Allocated(alone, catalog));

        Assert.True(two - one < 64 * 1024, $"the pipelined search's thread allocated {two:N0} bytes, the one-thread search {one:N0}");
    }

    // The bytes the calling thread, the search's, allocates for one exploration.
    private static long Allocated(Explorer explorer, Catalog catalog)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        explorer.Explore(catalog, Readings.Positional, threads: 2);
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    // While the search's thread grows the table during a part on two threads, the producer,
    // waiting for the ring, places some of the old slots into the new array: where an entry then
    // lies in a run of slots depends on the two threads' timing, which id a lookup finds must not.
    // Run three times, the explorer keeping its table from one exploration to the next.
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ParallelLevels_TableGrownByBothThreads_GiveExactlyTheSequentialGraph(bool fingerprints)
    {
        var catalog = Graphs.Stacking(6);
        var limits = new ExploreLimits(Fingerprints: fingerprints);
        var explorer = new Explorer { Expansion = LevelExpansion.Pipeline, ParallelLevel = Threshold, PartLength = 100, GrowHelpedFrom = 0, SlowRoundTrip = double.PositiveInfinity };

        var sequential = new Explorer().Explore(catalog, Readings.Positional, limits, threads: 1);

        Assert.True(sequential.States.Count > 4 * 1024, $"{sequential.States.Count} states");
        for (var run = 0; run < 3; run++)
            Graphs.AssertSame(sequential, explorer.Explore(catalog, Readings.Positional, limits, threads: 2));
    }

    // Measured at each part of a large level by the two threads: with a limit no round trip
    // reaches, a part goes to one thread only when the producer lost its core during the
    // measurement (the suite's other tests keep both cores busy); with one every round trip
    // exceeds, every part whose producer started in time does. Which parts went where depends on
    // the machine at that moment; the graph is the sequential search's either way.
    [Theory]
    [InlineData(1e9)]
    [InlineData(1e-3)]
    public void ParallelLevels_RoundTripMeasured_GiveExactlyTheSequentialGraph(double limit)
    {
        var catalog = Graphs.Stacking(6);
        var explorer = new Explorer { Expansion = LevelExpansion.Pipeline, ParallelLevel = Threshold, SlowRoundTrip = limit };

        var sequential = new Explorer().Explore(catalog, Readings.Positional, threads: 1);
        var measured = explorer.Explore(catalog, Readings.Positional, threads: 2);

        Graphs.AssertSame(sequential, measured);
    }

    // Packed from early on, the producing thread takes a view of the states again every few
    // states while the search's thread appends to them, and so finds the successors added
    // earlier in the level: what it finds, and when, must change nothing.
    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    public void ParallelLevels_PackedGraph_ProducerSeeingTheStatesAddedInTheLevel_GiveExactlyTheSequentialGraph(int searchExpandsEvery)
    {
        var catalog = Graphs.Stacking(6);
        var explorer = new Explorer { Expansion = LevelExpansion.Pipeline, ParallelLevel = Threshold, PackFrom = 100, SearchExpandsEvery = searchExpandsEvery, SlowRoundTrip = double.PositiveInfinity };

        var sequential = new Explorer { PackFrom = 100 }.Explore(catalog, Readings.Upstream, threads: 1);
        var parallel = explorer.Explore(catalog, Readings.Upstream, threads: 2);

        Assert.NotNull(parallel.States.Packing);
        Assert.True(WidestLevel(sequential) > 16 * Threshold, $"widest level {WidestLevel(sequential)}");
        Graphs.AssertSame(sequential, parallel);
        Graphs.AssertSame(new Explorer().Explore(catalog, Readings.Upstream, threads: 1), parallel);
    }

    // The part length is the pipeline's PartLength or the split's SplitPart.
    [Theory]
    [InlineData(LevelExpansion.Pipeline, 3000, false, int.MaxValue)]
    [InlineData(LevelExpansion.Pipeline, 5000, false, int.MaxValue)]
    [InlineData(LevelExpansion.Pipeline, 5000, true, int.MaxValue)]
    [InlineData(LevelExpansion.Pipeline, 3000, false, 50)]
    [InlineData(LevelExpansion.Pipeline, 5000, true, 50)]
    [InlineData(LevelExpansion.Split, 3000, false, 4096)]
    [InlineData(LevelExpansion.Split, 5000, true, 4096)]
    [InlineData(LevelExpansion.Split, 3000, false, 50)]
    [InlineData(LevelExpansion.Split, 5000, true, 7)]
    public void ParallelLevels_StateCapInsideAWideLevel_CutWhereTheSequentialSearchCuts(LevelExpansion expansion, int cap, bool fingerprints, int partLength)
    {
        var catalog = Graphs.Stacking(6);
        var limits = new ExploreLimits(MaxStates: cap, Fingerprints: fingerprints);
        var explorer = expansion == LevelExpansion.Pipeline
            ? new Explorer { Expansion = expansion, ParallelLevel = Threshold, PartLength = partLength, SlowRoundTrip = double.PositiveInfinity }
            : new Explorer { Expansion = expansion, ParallelLevel = Threshold, SplitPart = partLength };

        var sequential = new Explorer().Explore(catalog, Readings.Upstream, limits, threads: 1);
        var parallel = explorer.Explore(catalog, Readings.Upstream, limits, threads: 4);

        Assert.Equal(cap, sequential.States.Count);
        Graphs.AssertSame(sequential, parallel);
        Assert.Equal($"state cap {cap}", parallel.CutBy);
        Assert.NotEmpty(parallel.Frontier);
        Assert.Equal(sequential.Frontier, parallel.Frontier);
    }

    [Fact]
    public void OneExplorer_ParallelThenSequentialThenParallel_GivesFreshExplorersGraphs()
    {
        // The shares' lists and tables are reused from level to level and dropped after each
        // exploration; a second exploration must not see the first one's successors.
        var explorer = Pipelined();
        foreach (var (catalog, threads) in new[] { (Graphs.Stacking(6), 4), (Graphs.Stacking(5), 1), (Graphs.Stacking(5), 2), (Graphs.Stacking(6), 4) })
            Graphs.AssertSame(new Explorer().Explore(catalog, Readings.Upstream), explorer.Explore(catalog, Readings.Upstream, threads: threads));
    }
}
