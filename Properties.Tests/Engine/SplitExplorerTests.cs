using Klp.Check.Engine;
using Klp.Check.Model;

namespace Klp.Check.Tests.Engine;

// Split parts, the explorer's default for a large level on two threads: of each part the search's
// thread expands a share itself and the producing thread the rest into a buffer; the producer's
// repeats, the search's thread's patience, the table's arrays made ahead, the two threads' times.
// The pipeline and what every division of a level shares are in ParallelExplorerTests.
public class SplitExplorerTests
{
    private const int Threshold = ParallelExplorerTests.Threshold;

    // The producing thread, always ahead (the search's thread expands every state of a part
    // itself, and a visitor slows it down), prepares the table's next array whenever it waits:
    // growths take it, and the graph is the sequential search's. Regression guard for an array
    // made ahead but not zeroed, or taken for a growth larger than it.
    [Fact]
    public void Split_TableGrownIntoArraysMadeAhead_GiveExactlyTheSequentialGraph()
    {
        var catalog = Graphs.Stacking(6);
        var explorer = new Explorer { ParallelLevel = Threshold, SplitPart = 64, SplitShare = 256, SplitAdapts = false, SplitPatience = 256, GrowPreparedFrom = 0, SlowRoundTrip = double.PositiveInfinity };

        var sequential = new Explorer().Explore(catalog, Readings.Positional, threads: 1);
        // The producer prepares only when it waits, so only when it is ahead: a producer that
        // lost its core (the suite's other tests keep both busy) catches up without waiting, and
        // a search's thread slowed by its visitor gives it the time to get ahead again. Whether it
        // waits while the table is between 11/16 and 3/4 full still depends on the moment.
        var prepared = 0;
        for (var run = 0; run < 20 && (run < 3 || prepared == 0); run++)
        {
            Graphs.AssertSame(sequential, explorer.Explore(catalog, Readings.Positional, threads: 2, visitor: new SlowStates()));
            prepared += explorer.PreparedGrowths;
        }

        Assert.True(prepared > 0, "no growth took an array made ahead");
    }

    // A visitor that takes a little time over each new state, and nothing else.
    private sealed class SlowStates : ExplorationVisitor
    {
        public override bool SeesTransitionsOf(Operation op) => false;

        public override bool SeesUnchangedRefusals => false;

        public override void OnState(StateGraph graph, int state, in KernelState value) => Thread.SpinWait(100);
    }

    // The producing thread resolves a successor it does not find among the states seen by an
    // earlier successor of its part equal to it; the search's thread records it by the id that
    // one got, or, when the state cap cut that one off, looks it up as the sequential search does.
    [Theory]
    [InlineData(int.MaxValue, 1024)]
    [InlineData(int.MaxValue, 7)]
    [InlineData(3000, 50)]
    [InlineData(5000, 1024)]
    public void Split_SuccessorsEqualWithinAPart_RecordedByTheEarlierOnesId_GiveExactlyTheSequentialGraph(int cap, int partLength)
    {
        var catalog = Graphs.Stacking(6);
        var limits = new ExploreLimits(MaxStates: cap);
        var explorer = new Explorer { ParallelLevel = Threshold, SplitPart = partLength };

        var sequential = new Explorer().Explore(catalog, Readings.Positional, limits, threads: 1);
        var parallel = explorer.Explore(catalog, Readings.Positional, limits, threads: 2);

        Graphs.AssertSame(sequential, parallel);
        Assert.Equal(sequential.Frontier, parallel.Frontier);
        Assert.True(explorer.SplitRepeats > 0, "no successor was recorded by an earlier one's id");
    }

    // The two threads' time and states in split levels: every state of a level wide enough to
    // split is counted once, as the search's thread's or the producer's as the fixed share says,
    // each thread's time where its states were; levels on one thread count nowhere.
    [Theory]
    [InlineData(0)]
    [InlineData(64)]
    [InlineData(256)]
    public void SplitTimes_CountEachStateOfTheSplitLevelsOnce_WithTheThreadThatExpandedIt(int share)
    {
        var catalog = Graphs.Stacking(6);
        var explorer = new Explorer { ParallelLevel = Threshold, SplitPart = 100, SplitShare = share, SplitAdapts = false, SplitPatience = 256 };

        var g = explorer.Explore(catalog, Readings.Positional, threads: 2);
        var times = explorer.SplitTimes;

        var levels = g.Depth.GroupBy(d => d).Select(l => l.Count()).Where(n => n >= Threshold).ToList();
        Assert.Equal(levels.Count, times.Levels);
        Assert.Equal(levels.Sum(), times.OwnStates + times.ProducedStates);
        // Each part of n states: the first n * share / 256 are the search's thread's.
        Assert.Equal(levels.Sum(n => OwnShare(n, 100, share)), times.OwnStates);
        Assert.All(new[] { times.Own, times.Waiting, times.Recording, times.Producing, times.ProducerWaiting }, t => Assert.True(t >= TimeSpan.Zero, $"{t}"));
        Assert.Equal(times.OwnStates > 0, times.Own > TimeSpan.Zero);
        Assert.Equal(times.ProducedStates > 0, times.Recording > TimeSpan.Zero);
        if (times.ProducedStates > 0) Assert.True(times.Producing > TimeSpan.Zero);

        new Explorer().Explore(catalog, Readings.Positional, threads: 1);
        explorer.Explore(catalog, Readings.Positional, threads: 1);
        Assert.Equal(default, explorer.SplitTimes);
    }

    // A search's thread out of patience expands the rest of its stretch of parts itself: those
    // states count as its own, and still every state of the split levels once.
    [Fact]
    public void SplitTimes_SearchGivingUp_CountEachStateOfTheSplitLevelsOnce()
    {
        var catalog = Graphs.Stacking(6);
        var explorer = new Explorer { ParallelLevel = Threshold, SplitPart = 50, SplitShare = 64, SplitAdapts = false, SplitPatience = 0, SplitStretch = 2 };

        var g = explorer.Explore(catalog, Readings.Positional, threads: 2);
        var times = explorer.SplitTimes;

        var levels = g.Depth.GroupBy(d => d).Select(l => l.Count()).Where(n => n >= Threshold).ToList();
        Assert.Equal(levels.Count, times.Levels);
        Assert.Equal(levels.Sum(), times.OwnStates + times.ProducedStates);
        Assert.True(times.OwnStates >= levels.Sum(n => OwnShare(n, 50, 64)), $"{times.OwnStates} own states");
        if (explorer.SplitGiveUps == 0) Assert.Equal(levels.Sum(n => OwnShare(n, 50, 64)), times.OwnStates);
    }

    // The states of a level of n states the search's thread expands itself with parts of about
    // part states and a fixed share (in 1/256ths), as Explorer cuts the level.
    private static long OwnShare(int n, int part, int share)
    {
        var parts = (n + part - 1) / part;
        long own = 0;
        for (var k = 0; k < parts; k++)
        {
            var (begin, end) = ((long)n * k / parts, (long)n * (k + 1) / parts);
            own += (end - begin) * share / 256;
        }
        return own;
    }

    // Split: of each part of a large level the search's thread expands a share itself and the
    // producing thread the rest into a buffer the search's thread then records. Whatever the part
    // length, the share and whether it moves, the graph is the sequential search's, states packed
    // or not.
    // Regression (the last row): with parts of one state, the three states the search's thread
    // holds in its stages lay in three parts; with two buffers, it read a part's buffer before the
    // producer had made it (an index out of range), and could not have waited for it without
    // first releasing a part it still held.
    [Theory]
    [InlineData(64, 100, true, int.MaxValue)]
    [InlineData(37, 0, false, 100)]
    [InlineData(37, 256, false, int.MaxValue)]
    [InlineData(1000, 128, false, 100)]
    [InlineData(10, 100, true, 100)]
    [InlineData(1, 128, false, int.MaxValue)]
    public void Split_GivesExactlyTheSequentialGraph(int splitPart, int share, bool adapts, int packFrom)
    {
        var catalog = Graphs.Stacking(6);
        var explorer = new Explorer { ParallelLevel = Threshold, SplitPart = splitPart, SplitShare = share, SplitAdapts = adapts, PackFrom = packFrom };

        var sequential = new Explorer { PackFrom = packFrom }.Explore(catalog, Readings.Positional, threads: 1);
        var split = explorer.Explore(catalog, Readings.Positional, threads: 2);

        var levels = sequential.Depth.GroupBy(d => d).Select(l => l.Count()).Where(n => n >= Threshold).ToList();
        Assert.True(levels.Sum(n => (n + splitPart - 1) / splitPart) > levels.Count, $"{levels.Count} large levels, none in several parts");
        Graphs.AssertSame(sequential, split);
        Assert.Equal(0, explorer.PartsKeptOnOneThread);
    }

    // A search's thread out of patience lets the producer finish the part in hand and expands a
    // stretch of parts alone, then starts the producer again; with a patience of 0 it gives up at
    // its first wait. When the producer expands every state, that wait comes at each level's first
    // state and at each start, before the producer can have made a part; when the search's thread
    // has a share of its own, wherever the producer falls behind, if it does. A stretch of one part
    // starts the producer again at nearly every part, one of int.MaxValue never (the rest of the
    // level alone). Levels before and after still split.
    [Theory]
    [InlineData(0, false, 16)]
    [InlineData(0, true, 16)]
    [InlineData(64, false, 16)]
    [InlineData(0, false, 1)]
    [InlineData(0, true, 2)]
    [InlineData(0, false, int.MaxValue)]
    public void Split_SearchThreadGivingUp_GivesExactlyTheSequentialGraph(int share, bool adapts, int stretch)
    {
        var catalog = Graphs.Stacking(6);
        var explorer = new Explorer { ParallelLevel = Threshold, SplitPart = 16, SplitShare = share, SplitAdapts = adapts, SplitPatience = 0, SplitStretch = stretch };

        var sequential = new Explorer().Explore(catalog, Readings.Positional, threads: 1);
        var split = explorer.Explore(catalog, Readings.Positional, threads: 2);
        var again = explorer.Explore(catalog, Readings.Positional, threads: 2);

        Graphs.AssertSame(sequential, split);
        Graphs.AssertSame(sequential, again);
        if (share != 0) return;
        Assert.True(explorer.SplitGiveUps > 0, "the search's thread never gave up");
        if (stretch == int.MaxValue) Assert.Equal(0, explorer.SplitResumes);
        else Assert.True(explorer.SplitResumes > 0, "the producer never started again");
    }

    // With a stretch of one part, a search's thread that gives up at every wait, and waits at
    // every part (its share is none), goes alone for one part, then two, four...: in a level of p
    // parts it gives up at most floor(log2(p)) + 1 times, and each give-up but perhaps a level's
    // last is followed by a start of the producer.
    [Fact]
    public void Split_SearchThreadGivingUp_GoesAloneForLongerEachTime()
    {
        const int part = 16;
        var catalog = Graphs.Stacking(6);
        var explorer = new Explorer { ParallelLevel = Threshold, SplitPart = part, SplitShare = 0, SplitAdapts = false, SplitPatience = 0, SplitStretch = 1 };
        var g = explorer.Explore(catalog, Readings.Positional, threads: 2);

        var large = Enumerable.Range(0, g.States.Count).GroupBy(s => g.Depth[s]).Select(l => l.Count()).Where(n => n >= Threshold).ToList();
        var most = large.Sum(n => (int)Math.Log2((n + part - 1) / part) + 1);
        Assert.True(large.Count > 1, "no two large levels");
        Assert.InRange(explorer.SplitGiveUps, 1, most);
        Assert.InRange(explorer.SplitResumes, explorer.SplitGiveUps - large.Count, explorer.SplitGiveUps);
        Assert.True(explorer.SplitGiveUps > large.Count, $"{explorer.SplitGiveUps} give-ups on {large.Count} levels: never two in a level");
    }

    // The rule, in milliseconds: a spin of 1, judged from 64 on, a patience of 32/256 (1/8).
    [Theory]
    [InlineData(32, 5, 2, 200, 30, true)]     // 32 of 200 waited: more than an eighth (25)
    [InlineData(32, 5, 2, 200, 10, false)]    // 12 of 200: less
    [InlineData(32, 5, 1, 200, 40, false)]    // this wait still within its spin
    [InlineData(32, 5, 2, 60, 20, false)]     // before the level is judged
    [InlineData(32, 0, 50, 100, 0, false)]    // the first part's wait, however long (regression: every large level of positional-13 went alone)
    [InlineData(0, 0, 0, 0, 0, true)]         // a patience of 0 gives up at once
    [InlineData(256, 5, 100, 100, 100, false)] // 256 never
    public void SplitPatienceRule_GivesUpOnlyOnLongWaitsAfterTheStart(int patience, int part, long wait, long level, long waited, bool givesUp) =>
        Assert.Equal(givesUp, SplitPatienceRule.OutOfPatience(patience, part, wait, level, waited, spin: 1, judgedAfter: 64));

    [Fact]
    public void Split_PatientSearchThread_NeverGivesUp()
    {
        var explorer = new Explorer { ParallelLevel = Threshold, SplitPart = 16, SplitShare = 0, SplitAdapts = false, SplitPatience = 256 };

        Graphs.AssertSame(new Explorer().Explore(Graphs.Stacking(6), Readings.Positional, threads: 1), explorer.Explore(Graphs.Stacking(6), Readings.Positional, threads: 2));
        Assert.Equal(0, explorer.SplitGiveUps);
        Assert.Equal(0, explorer.SplitResumes);
    }

    // The buffers and the producing thread are kept from level to level and from one exploration
    // to the next; what the search's thread allocates is what the one-thread search allocates,
    // give or take what each level sets up.
    [Fact]
    public void Split_Parts_AllocateNothingPerPart()
    {
        var catalog = Graphs.Stacking(6);
        var split = new Explorer { ParallelLevel = Threshold, SplitPart = 16 };
        var alone = new Explorer { ParallelLevel = Threshold };

        split.Explore(catalog, Readings.Positional, threads: 2);
        alone.Explore(catalog, Readings.Positional, threads: 1);
        var before = GC.GetAllocatedBytesForCurrentThread();
        split.Explore(catalog, Readings.Positional, threads: 2);
        var two = GC.GetAllocatedBytesForCurrentThread() - before;
        before = GC.GetAllocatedBytesForCurrentThread();
        alone.Explore(catalog, Readings.Positional, threads: 1);
        var one = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(two - one < 64 * 1024, $"the split search's thread allocated {two:N0} bytes, the one-thread search {one:N0}");
    }

    [Fact]
    public void OneExplorer_SplitThenSequentialThenSplit_GivesFreshExplorersGraphs()
    {
        var explorer = new Explorer { ParallelLevel = Threshold, SplitPart = 100 };
        foreach (var (catalog, threads) in new[] { (Graphs.Stacking(6), 4), (Graphs.Stacking(5), 1), (Graphs.Stacking(5), 2), (Graphs.Stacking(6), 4) })
            Graphs.AssertSame(new Explorer().Explore(catalog, Readings.Upstream), explorer.Explore(catalog, Readings.Upstream, threads: threads));
    }
}
