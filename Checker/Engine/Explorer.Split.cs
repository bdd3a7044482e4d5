namespace Klp.Check.Engine;

// The expansion of a large level on two threads as split parts (LevelExpansion.Split): the level
// is cut into parts of about SplitPart states; of each part the search's thread expands the
// first share itself, as ExpandLevel does, while the producing thread, up to three parts ahead,
// applies the operations to the rest of the part and looks the successors up among the states
// it sees, into a buffer of the part's own. The search's thread then takes the buffer's states
// in their place in the order, through the same stages as its own: it tells the refusals, looks
// up the successors still unknown, adds the new states, records the edges and tells the
// visitor. Everything is recorded on one thread in exactly the sequential order, so ids,
// parents, edges and what the visitor is told are those of ExpandLevel over the whole level.
// The pipeline hands a batch from one core to the other for every state, and on a machine whose
// cores take 150-250 ns to pass a cache line that crossing took what the second thread gave;
// here the threads exchange two counters per part, and the buffer's lines once
// (docs/performance.md). The producing thread is in Explorer.SplitProducer.cs, the two threads'
// waits in Explorer.SplitWaits.cs, and the search's thread's handling of the producer's states
// in Explorer.SplitBuffered.cs.
public sealed partial class Explorer
{
    /// <summary>How a large level is expanded on two threads: as split parts (the default) or as a pipeline (<see cref="LevelExpansion"/>); either way ids, parents, edges and the visitor's events are those of the sequential search.</summary>
    public LevelExpansion Expansion { get; init; } = LevelExpansion.Split;

    /// <summary>With <see cref="LevelExpansion.Split"/>, the number of states of a part: a large level is cut into parts of about this many, each split between the two threads.</summary>
    /// <remarks>Small enough that a part's buffer stays in the caches between the two threads (about 1.3 MB written per part on positional-12), and that the three buffers add little to the peak (about 5 MB there, against 16-17 MB with parts of 4,096 states); tests lower it to cut small levels into many parts.</remarks>
    public int SplitPart { get; init; } = 1024;

    /// <summary>With <see cref="LevelExpansion.Split"/>, the share of each part's states the search's thread expands itself at first, in 1/256ths; from there it moves toward the share that keeps either thread from waiting for the other, unless <see cref="SplitAdapts"/> is false.</summary>
    public int SplitShare { get; init; } = 100;

    /// <summary>With <see cref="LevelExpansion.Split"/>, the share of a level's time, in 1/256ths, the search's thread may spend waiting for the producing thread: once a wait outlasts its spin and the waits together pass this share, the search's thread stops the producer and expands the next <see cref="SplitStretch"/> parts alone (<see cref="SplitPatienceRule"/>: the first part's wait and the level's first 64 ms are not judged). 0: at the first wait; 256 or more: never.</summary>
    /// <remarks>
    /// On a machine whose other work holds a core, the producing thread runs in the scheduler's
    /// slices and the search's thread waits for it part after part: with one core kept busy, the
    /// two-thread check of positional-12 took 5.8 s against 4.4-5.1 s on one thread
    /// (docs/performance.md, "A busy machine"). Which thread expands a state changes no id,
    /// edge or event.
    /// </remarks>
    public int SplitPatience { get; init; } = 32;

    /// <summary>With <see cref="LevelExpansion.Split"/>, how many parts the search's thread expands alone once it has run out of patience, before the producing thread starts again; doubled each time within a level. <see cref="int.MaxValue"/>: the rest of the level.</summary>
    /// <remarks>
    /// A machine busy with other work keeps the producer slow, and the search's thread gives up
    /// again soon after each start, for twice as long; a wait that came once (the host taking
    /// the core for a while) costs a few parts on one thread. Finishing the level alone, one
    /// such run of waits in the first 0.4 s of a level of 4,064,421 states of positional-13 left
    /// 11.6 s of it on one thread where the levels beside it took about 5 s (docs/performance.md,
    /// "Giving up for a while"). After a start, the first part's wait is not judged, and the others
    /// are judged against the time since the start.
    /// </remarks>
    public int SplitStretch { get; init; } = 16;

    /// <summary>How many times in the last exploration the search's thread ran out of patience (<see cref="SplitPatience"/>) and went on alone.</summary>
    public int SplitGiveUps { get; private set; }

    /// <summary>How many times in the last exploration the producing thread started again after the search's thread had gone on alone (<see cref="SplitStretch"/>).</summary>
    public int SplitResumes { get; private set; }

    /// <summary>How many successors in the last exploration the producing thread, not finding them among the states seen, found equal to an earlier successor of its share of the part, so that the search's thread recorded them by that one's id without a lookup.</summary>
    /// <remarks>
    /// On positional-12, about a third of the producer's successors are not among the states it
    /// sees (they are new, or were added after it looked), and three in five of those are a state
    /// an earlier successor of the same part already is (docs/performance.md, "Successors seen
    /// twice in a part").
    /// </remarks>
    public long SplitRepeats { get; private set; }

    /// <summary>Whether the share of <see cref="SplitShare"/> moves with what each thread waits for.</summary>
    /// <remarks>Which thread expands a state changes no id, edge or event; tests fix the share at its ends.</remarks>
    public bool SplitAdapts { get; init; } = true;

    // The buffers of the parts in hand: the stages of the search's thread reach over three states,
    // which may lie in three parts, so the producer may make a part while the two before it are
    // still being recorded.
    private const int SplitLead = 3;
    private readonly SplitBuffer?[] splitBuffers = new SplitBuffer?[SplitLead];

    // Where the share of the parts stands (1/256ths), kept from level to level.
    private int splitShare = -1;

    // The level in hand, since it began or the producer last started again: when that was, how
    // long the search's thread has waited for the producer since (in timestamp ticks), and the
    // first part the producer made (0 at the level's beginning). Whether the search's thread now
    // expands its parts alone, the part at which the producer starts again, and for how many parts
    // the search's thread goes alone the next time it gives up.
    private long splitBegan, splitWaited;
    private int splitFirstPart, splitResumeAt, splitStretch;
    private bool splitAlone;

    // The producer's run in hand.
    private Task? splitProducer;

    // The two threads of a split level share the pipeline's cursors (Explorer.Pipeline.cs), which
    // never runs at the same time: Produced counts the parts made, Released the parts the search's
    // thread is done with. A side that must wait spins a little, then sleeps until the other moves
    // on, as the pipeline's sides do: on a machine busy with other work, a spinning side took the
    // core the other needed.

    /// <summary>With <see cref="LevelExpansion.Split"/>, the fewest slots of the search's table whose next growth's array the producing thread makes ahead, and has the kernel back with pages, while it waits (<see cref="StateTable{TKey, TStore}.PrepareGrowth"/>).</summary>
    /// <remarks>Tests lower it to send small tables through growths prepared on the other thread.</remarks>
    public int GrowPreparedFrom { get; init; } = StateTable<StateKey, GraphStates>.DefaultPreparedFrom;

    /// <summary>How many growths of the search's table in the last exploration took the array the producing thread had made ahead for them (<see cref="GrowPreparedFrom"/>).</summary>
    public int PreparedGrowths => search.Table.PreparedGrowths;

    private void ExpandSplit(StateGraph g, int start, int end, Tally tally)
    {
        var parts = (int)(((long)end - start + Math.Max(1, SplitPart) - 1) / Math.Max(1, SplitPart));
        var width = g.Alphabet.Length + 1;
        // A part holds at most SplitPart states, and a state at most width - 1 successors; the
        // buffers are made again for a larger part or another alphabet (whose length the tally's is).
        var partStates = (int)Math.Min(end - start, Math.Max(1, SplitPart));
        for (var b = 0; b < splitBuffers.Length; b++)
            if (splitBuffers[b] is not { } h || h.Tally.Accepted.Length != tally.Accepted.Length || h.States < partStates || h.Words != keyWords)
                splitBuffers[b] = new SplitBuffer(tally.Refused.Length, tally.Accepted.Length, Math.Max(partStates, splitBuffers[b]?.States ?? 0), width, keyWords);
        for (var b = 0; b < ring.Length; b++)
            if (ring[b] is null || ring[b].Successors.Length < width) ring[b] = new Batch(width);
        if (splitShare < 0 || !SplitAdapts) splitShare = Math.Clamp(SplitShare, 0, 256);
        // Where each part begins, and where its producer's share begins: the producer's start sets
        // the latter for its first SplitLead parts, and the search's thread for part k + SplitLead
        // before it releases part k, which lets the producer begin that part.
        var begins = new int[parts + 1];
        var mids = new int[parts];
        for (var k = 0; k <= parts; k++) begins[k] = start + (int)(((long)end - start) * k / parts);
        cursors.Released = cursors.SearchAsleep = cursors.ProducerAsleep = 0;
        splitStretch = Math.Max(1, SplitStretch);
        search.Table.Share();
        search.Table.PreparedFrom = GrowPreparedFrom;
        var sharedFirst = search.Table.Published;
        var level = new SplitLevel(g, parts, begins, mids, g.States.Packing is not null, new StatesSeen(g.States.Snapshot()), visitor is not null);
        StartProducer(level, 0);
        try
        {
            BeginSplitTimes();
            Record(g, start, end, level, tally);
            EndSplitTimes(begins, mids);
        }
        finally
        {
            Volatile.Write(ref cursors.Stop, true);
            producerWake.Release();
            splitProducer!.Wait();
            splitProducer = null;
        }
        // A table that grew during the level collected its old array while the producer's view
        // still held it (StateTable.Grow): collected now that the view is gone, it does not stay
        // until some later collection, at the peak of a large search.
        if (!ReferenceEquals(sharedFirst, search.Table.Published) && search.Table.Large) GC.Collect();
    }

    // What the two threads of a split level share: where its parts begin and where the producer's
    // share of each begins, and what the producer reads. Packed, the list no longer changes how it
    // stores the states, so the producer may take a view of it again while the search's thread
    // appends (StateList.Snapshot); unpacked, it keeps the view of the level's start (LevelView),
    // which holds every state it expands.
    private sealed record SplitLevel(StateGraph Graph, int Parts, int[] Begins, int[] Mids, bool Packed, StatesSeen LevelView, bool Tell);

    // Starts the producer on a split level's parts from first on; the search's thread is at the
    // beginning of that part or before it, and no producer runs. Waits from then on are judged
    // against the time since.
    private void StartProducer(SplitLevel level, int first)
    {
        var (g, parts, begins, mids) = (level.Graph, level.Parts, level.Begins, level.Mids);
        for (var k = first; k < Math.Min(first + SplitLead, parts); k++) mids[k] = Mid(begins[k], begins[k + 1]);
        cursors.Produced = first;
        cursors.ProducerWaited = 0;
        cursors.Stop = cursors.Finished = false;
        (splitBegan, splitWaited, splitFirstPart, splitAlone) = (System.Diagnostics.Stopwatch.GetTimestamp(), 0, first, false);
        producerThread ??= new ProducerThread();
        splitProducer = producerThread.Run(() =>
        {
            try
            {
                var last = System.Diagnostics.Stopwatch.GetTimestamp();
                for (var k = first; k < parts; k++)
                {
                    var since = 0L;
                    if (k - Volatile.Read(ref cursors.Released) >= SplitLead)
                    {
                        Volatile.Write(ref cursors.ProducerWaited, 1);
                        // Ahead of the search's thread: the fresh pages it would otherwise wait
                        // for the kernel to clear.
                        g.PrepareAhead();
                        search.Table.PrepareGrowth();
                        while (k - Volatile.Read(ref cursors.Released) >= SplitLead)
                        {
                            if (Volatile.Read(ref cursors.Stop)) return;
                            SplitWaitTurn(ref since, ref cursors.ProducerAsleep, producerWake, static (e, at) => e.SplitProducerMayGo(at), k);
                        }
                    }
                    if (Volatile.Read(ref cursors.Stop)) return;
                    // Taken again each part: the table and, packed, the states the search's thread
                    // has added since, which the lookups then find.
                    var seen = level.Packed ? new StatesSeen(g.States.Snapshot()) : level.LevelView;
                    var h = splitBuffers[k % SplitLead]!;
                    var began = System.Diagnostics.Stopwatch.GetTimestamp();
                    Produce(g, h, Volatile.Read(ref mids[k]), begins[k + 1], search.Table.Published!, seen, level.Tell);
                    var ended = System.Diagnostics.Stopwatch.GetTimestamp();
                    (h.WaitTicks, h.ProduceTicks, last) = (began - last, ended - began, ended);
                    MoveOn(ref cursors.Produced, k + 1, ref cursors.SearchAsleep, searchWake);
                }
            }
            finally
            {
                // A producer that stopped early threw: the search's thread is woken to find out.
                Volatile.Write(ref cursors.Finished, true);
                Wake(ref cursors.SearchAsleep, searchWake);
            }
        });
    }

    // The first state of a part's producer's share, at the share the search's thread has now.
    private int Mid(int begin, int end) => begin + (int)(((long)end - begin) * splitShare / 256);

    // The search's thread over a split level: the stages of ExpandLevel (state current generated
    // or, when the producer's, its refusals told and its unknown successors' slots prefetched;
    // current - 1's candidates prefetched; current - 2's successors added and recorded), each state
    // taken from the ring when its own and from its part's buffer when the producer's.
    private void Record(StateGraph g, int start, int end, SplitLevel level, Tally tally)
    {
        var (parts, begins, mids) = (level.Parts, level.Begins, level.Mids);
        var part = 0;
        for (var current = start; current < end + 2; current++)
        {
            if (current < end)
            {
                while (current >= begins[part + 1]) part++;
                // A part begins with the search's thread's own share (SplitTimes).
                if (current == begins[part] && current > start) BeginOwnShare();
                // Alone for its stretch, the search's thread starts the producer again as it
                // enters the part where the stretch ends: the parts before it are its own, and
                // the producer's earlier run has ended (GoAlone).
                if (splitAlone && part == splitResumeAt && current == begins[part])
                {
                    StartProducer(level, part);
                    SplitResumes++;
                }
                // Where the producer's share begins, its buffer is awaited; if the search's thread
                // gives up waiting, the part's states from here are its own (mids[part] moves to
                // the part's end).
                if (current == mids[part])
                {
                    // A part the search's thread has no share of leaves its own time alone.
                    if (current > begins[part]) SplitLap(ref splitOwn);
                    WaitMade(part, level, tally);
                    SplitLap(ref splitWait);
                    // Unless the search's thread gave up waiting and the rest of the part is its own.
                    splitRecording = current >= mids[part];
                }
                if (current < mids[part])
                {
                    var batch = ring[current % 3];
                    g.States.Read(current, out batch.Source);
                    Generate(g, current, in batch.Source, batch, tally, OwnBatch(current - 1, begins, mids, part));
                    batch.Depth = g.Depth[current];
                }
                else
                {
                    var h = splitBuffers[part % SplitLead]!;
                    var i = current - h.Mid;
                    // Written on the other core: what the next states' successors are, asked for
                    // before this state's are read.
                    if (current + 2 < Math.Min(end, begins[part + 1])) PrefetchBuffered(h, i + 2);
                    TellRefusals(g, h, i, current);
                    for (var j = h.First[i]; j < h.First[i + 1]; j++)
                        if (h.Known[j] == -1) search.Table.PrefetchHome(h.Prints[j]);
                    if (OwnBatch(current - 1, begins, mids, part) is { } previous) PrefetchCandidates(g, previous, 0);
                }
            }
            else if (OwnBatch(current - 1, begins, mids, part) is { } previous) PrefetchCandidates(g, previous, 0);
            if (current - 1 >= start && current - 1 < end && BufferOf(current - 1, begins, mids, part) is { } before)
                PrefetchUnknownCandidates(g, before, current - 1 - before.Mid);
            if (current - 2 < start) continue;
            var at = current - 2;
            if (BufferOf(at, begins, mids, part) is { } h2) RecordState(g, h2, at - h2.Mid, at);
            else AddSuccessors(g, ring[at % 3]);
            // The last state of a part recorded: its buffer is free for the part SplitLead on.
            var ended = PartOf(at, begins, part);
            if (at == begins[ended + 1] - 1)
            {
                if (ended + SplitLead < parts && !splitAlone) Volatile.Write(ref mids[ended + SplitLead], Mid(begins[ended + SplitLead], begins[ended + SplitLead + 1]));
                MoveOn(ref cursors.Released, ended + 1, ref cursors.ProducerAsleep, producerWake);
            }
        }
    }

    // The part a state at most two back from the current part lies in.
    private static int PartOf(int state, int[] begins, int part)
    {
        while (part > 0 && state < begins[part]) part--;
        return part;
    }

    // The ring's batch of a state of the search's thread's share, or null when the producer's (or before the level).
    private Batch? OwnBatch(int state, int[] begins, int[] mids, int part)
    {
        if (state < begins[0]) return null;
        var p = PartOf(state, begins, part);
        return state < mids[p] ? ring[state % 3] : null;
    }

    // The buffer holding a state of the producer's share, or null when the search's thread's.
    private SplitBuffer? BufferOf(int state, int[] begins, int[] mids, int part)
    {
        var p = PartOf(state, begins, part);
        return state < mids[p] ? null : splitBuffers[p % SplitLead];
    }
}
