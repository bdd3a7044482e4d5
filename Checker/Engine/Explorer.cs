using System.Numerics;
using System.Runtime.CompilerServices;
using Klp.Check.Model;

namespace Klp.Check.Engine;

/// <summary>Breadth-first exploration of every state reachable from the empty kernel.</summary>
/// <remarks>
/// The search is a <see cref="BreadthFirst{TKey, TStore}"/>, the engine the lockstep product of
/// readings and the graph of a replayed run share: states are de-duplicated in its
/// <see cref="StateTable{TKey, TStore}"/>, so a state is stored once, and its tree, caps and
/// frontier are the graph's. What is the explorer's own is how a level is expanded: as a
/// pipeline that prefetches the table slots and candidate states a lookup will read
/// (docs/performance.md). With more than one thread, a large
/// level is expanded on two (<see cref="Expansion"/>): by default each part of it is split, the
/// search's thread expanding the first share of its states and a producing thread the rest into
/// a buffer the search's thread then records; as a pipeline, a producing thread applies the
/// operations state by state and the search's own looks the successors up and records them,
/// unless the two threads find their cores slow to exchange a cache line as the level begins
/// (<see cref="SlowRoundTrip"/>), when the level stays on one. Either way ids, parents, edges and
/// what the visitor is told are exactly those of a plain sequential search, whatever the number
/// of threads. An explorer is not thread-safe: use one per thread.
/// </remarks>
public sealed partial class Explorer
{
    // The search's table and tree bookkeeping; its table is kept across explorations.
    private readonly BreadthFirst<StateKey, GraphStates> search = new();
    private GraphStorage? spare;

    /// <summary>The fewest states a level must have to be expanded on several threads; smaller levels are not worth the hand-over.</summary>
    /// <remarks>Tests lower it to send small catalogs through the parallel expansion.</remarks>
    public int ParallelLevel { get; init; } = 2048;

    /// <summary>With <see cref="LevelExpansion.Pipeline"/>, the most states of a large level expanded as one part: a longer level is expanded as several parts of about equal length, one after the other, each of which decides for itself whether two threads expand it (<see cref="SlowRoundTrip"/>).</summary>
    /// <remarks>
    /// A slow spell (docs/performance.md) that begins or ends within a level thus costs at most
    /// the rest of one part: about 0.3-0.5 s of one thread's work on the machine of those figures,
    /// where the largest levels of positional-13 and positional-14 take seconds to minutes.
    /// Parts are expanded in the order of their states, so the ids, edges and events are those of
    /// the level expanded whole. Tests lower it to split small levels.
    /// </remarks>
    public int PartLength { get; init; } = 1 << 18;

    /// <summary>With <see cref="LevelExpansion.Pipeline"/>, the round trip of a cache line between the two threads of a large level's part, in nanoseconds, above which the part is expanded on one thread rather than two (<see cref="CrossCore"/>); infinity to expand on two without measuring.</summary>
    /// <remarks>
    /// Measured as each such part begins, by the two threads that would expand it. The pipeline
    /// paid off at 50-60 ns and lost at about 330 ns on the first machine of docs/performance.md;
    /// on the second, whose round trips lie around this limit (150-280 ns), it gave 0.85-1.3x,
    /// and parts sent either way, or all to two, gave the same times within the noise. A
    /// producing thread that does not start answering in time (it got no core) keeps the part
    /// on two; one that starts and then stops (its core taken) sends it to one. Which thread
    /// count a part is expanded with changes no id, edge or event.
    /// Infinity keeps every such part on two threads without measuring (tests hold the pipeline
    /// to the sequential search that way, whatever the machine is doing), 0 every one on one.
    /// </remarks>
    public double SlowRoundTrip { get; init; } = 200;

    /// <summary>The parts of large levels (<see cref="PartLength"/>) of the last exploration that were expanded on one thread, the cores being slow to exchange a cache line (<see cref="SlowRoundTrip"/>); always 0 with <see cref="LevelExpansion.Split"/>, which does not measure.</summary>
    public int PartsKeptOnOneThread { get; private set; }

    /// <summary>The number of states from which a graph is stored packed, when its catalog has a packing (<see cref="StateList"/>).</summary>
    /// <remarks>Tests lower it to pack small graphs, from the first state or in the middle of a search.</remarks>
    public int PackFrom { get; init; } = StateList.DefaultPackFrom;

    /// <summary>The state ids below which a transition's target is packed beside its operation, as far as the operation's bits leave it room (<see cref="StateGraph"/>).</summary>
    /// <remarks>Tests lower it to store small graphs' transitions as the largest graphs store theirs.</remarks>
    public int PackedTargets { get; init; } = int.MaxValue;

    /// <summary>How many times the search's table grew in the last exploration: once at most when it was given room for every state (<see cref="ExploreLimits.ExpectedStates"/>), past its small sizes (<see cref="SmallTable"/>).</summary>
    public int TableGrowths => search.Table.Growths;

    /// <summary>The slots up to which a table given room for many states (<see cref="ExploreLimits.ExpectedStates"/>) still starts small and doubles; its next growth goes straight to the room asked for.</summary>
    /// <remarks>Tests lower it to send small searches through that growth.</remarks>
    public int SmallTable { get; init; } = StateTable<StateKey, GraphStates>.DefaultSmallUpTo;

    /// <summary>Explores a catalog under a reading (its granularity included) within limits.</summary>
    /// <param name="catalog">The patches.</param>
    /// <param name="reading">The reading, with its options.</param>
    /// <param name="limits">Caps on states and depth, and fingerprint de-duplication.</param>
    /// <param name="threads">Threads to expand large levels with (1: sequential).</param>
    /// <param name="visitor">Told of each state, accepted transition and refusal as they are found (see <see cref="ExplorationVisitor"/>).</param>
    public StateGraph Explore(Catalog catalog, Reading reading, ExploreLimits limits = default, int threads = 1, ExplorationVisitor? visitor = null)
    {
        this.visitor = visitor;
        PartsKeptOnOneThread = 0;
        SplitGiveUps = SplitResumes = 0;
        SplitRepeats = 0;
        ResetSplitTimes();
        allRefusals = visitor?.SeesUnchangedRefusals ?? false;
        var alphabet = Engine.Alphabet.For(catalog, reading.Options.Granularity);
        loadMasks = LoadMasks.For(catalog, reading);
        toldOf = visitor is null ? new bool[alphabet.Length] : Array.ConvertAll(alphabet, visitor.SeesTransitionsOf);
        var g = new StateGraph(catalog, reading, alphabet, spare, PackFrom, PackedTargets) { AcceptedCount = new long[alphabet.Length], Fingerprinted = limits.Fingerprints };
        spare = null;
        search.Table.SmallUpTo = SmallTable;
        search.Begin(new GraphStates(g.States), limits, g.Tree, g.Frontier);
        keyWords = g.States.KeyWords;
        keyPacking = g.States.KeyPacking;
        Span<ulong> packed = stackalloc ulong[StatePacking.MaxWords];
        var empty = KernelState.Empty;
        var root = g.States.Key(empty, packed, out var print);
        search.AddRoot(root, print);
        visitor?.OnState(g, 0, KernelState.Empty);
        // The sequential levels count into one tally, added to the graph at the end.
        var tally = new Tally(g.RefusedByReason.Length, alphabet.Length);
        try
        {
            search.Run((start, end) =>
            {
                if (threads > 1 && end - start >= ParallelLevel) ExpandParts(g, start, end, tally);
                else ExpandLevel(g, start, end, tally);
                return true;
            });
        }
        finally
        {
            producerThread?.Dispose();
            producerThread = null;
        }
        g.SealEdges();
        tally.AddTo(g, search);
        g.Transitions = search.Transitions;
        g.CutBy = search.CutBy;
        search.End();
        this.visitor = null;
        return g;
    }

    private ExplorationVisitor? visitor;

    // The loads' compatibility checks as masks, for catalogs and readings that have them
    // (LoadMasks.For): the same successors, without walking the entries of each state for each
    // load tried.
    private LoadMasks? loadMasks;

    // Per alphabet index, whether the visitor is told of its accepted transitions.
    private bool[] toldOf = [];

    // False when the visitor only wants refusals that changed the state: the others, nearly
    // all of them, are not reported.
    private bool allRefusals;

    // A level is expanded as a three-stage pipeline, one state per stage: state i's operations
    // are applied and its successors' table slots prefetched, and between those operations state
    // i - 1's candidate states (found in its slots, by now in cache) are prefetched one by one,
    // along with state i + 2 itself; state i - 2's successors are looked
    // up and added. Each memory access thus has a state's worth of work to arrive in, and the
    // lookups still run in state and operation order, so ids, parents and edges are those of a
    // search that adds each successor as it is found.
    private void ExpandLevel(StateGraph g, int levelStart, int levelEnd, Tally tally)
    {
        var width = g.Alphabet.Length + 1;
        for (var b = 0; b < ring.Length; b++)
            if (ring[b] is null || ring[b].Successors.Length < width) ring[b] = new Batch(width);
        for (var current = levelStart; current < levelEnd + 2; current++)
        {
            // The state expanded two steps on is asked for now: a state read cold stalled the
            // copy that starts its expansion.
            if (current + 2 < levelEnd) g.States.Prefetch(current + 2);
            var previous = current - 1 >= levelStart && current - 1 < levelEnd ? ring[(current - 1) % 3] : null;
            if (current < levelEnd)
            {
                var batch = ring[current % 3];
                g.States.Read(current, out batch.Source);
                Generate(g, current, in batch.Source, batch, tally, previous);
                ring[current % 3].Depth = g.Depth[current];
            }
            else if (previous is not null) PrefetchCandidates(g, previous, 0);
            if (current - 2 >= levelStart) AddSuccessors(g, ring[(current - 2) % 3]);
        }
    }

    // What expanding states counts, kept apart from the graph (a pipelined level's producing
    // thread counts into it too); added to the graph at the end.
    private sealed class Tally(int reasons, int operations)
    {
        public long Transitions;
        public readonly long[] Refused = new long[reasons];
        public readonly long[] Accepted = new long[operations];

        public void Add(Tally other)
        {
            Transitions += other.Transitions;
            for (var r = 0; r < Refused.Length; r++) Refused[r] += other.Refused[r];
            for (var a = 0; a < Accepted.Length; a++) Accepted[a] += other.Accepted[a];
        }

        public void AddTo(StateGraph g, BreadthFirst<StateKey, GraphStates> search)
        {
            search.Transitions += Transitions;
            for (var r = 0; r < Refused.Length; r++) g.RefusedByReason[r] += Refused[r];
            for (var a = 0; a < Accepted.Length; a++) g.AcceptedCount[a] += Accepted[a];
        }
    }

    // The accepted successors of one state, in alphabet order.
    private sealed class Batch(int width)
    {
        public readonly KernelState[] Successors = new KernelState[width];
        public readonly ulong[] Prints = new ulong[width];
        public readonly int[] Ops = new int[width];
        public readonly ulong[] Affected = new ulong[width];
        public int Count;
        public int From;
        public int Depth;
        // The state expanded, as read from the graph once.
        public KernelState Source;
        // The refusals the visitor is to be told of, kept by a producing thread.
        public readonly int[] RefusedOps = new int[width];
        public readonly KernelState[] RefusedAfter = new KernelState[width];
        public int Refusals;
        // Per successor, its id when a producing thread found it among the states of earlier
        // levels; -1 when the search's thread is to look it up.
        public readonly int[] Known = new int[width];
        // Per successor, its key's words (StateList.Print), one after another: the j-th is at j
        // times the exploration's key words.
        public readonly ulong[] Keys = new ulong[width * StatePacking.MaxWords];

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Span<ulong> KeyWords(int j, int words) => Keys.AsSpan(j * words, words);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public StateKey Key(int j, int words) => new(in Successors[j], KeyWords(j, words));
    }

    private readonly Batch[] ring = new Batch[3];

    // The words of a successor's key in this exploration (StateList.KeyWords): its packed form,
    // kept per successor in a batch's Keys; and the packing it is made with, kept here rather
    // than read from the graph's list, which the search's thread writes to as a producing
    // thread makes keys.
    private int keyWords;
    private StatePacking? keyPacking;

    // Applies every operation to one state; the accepted successors go to the batch, with their
    // table slots prefetched once all are found, and the counts to the tally. Reads the graph and
    // the table only. The previous state's candidates are prefetched one per operation applied,
    // in between, so that the memory system is not asked for a whole batch of lines at once.
    private void Generate(StateGraph g, int current, in KernelState state, Batch batch, Tally tally, Batch? previous)
    {
        var pending = 0;
        var catalog = g.Catalog;
        var alphabet = g.Alphabet;
        batch.Refusals = 0;
        // Each successor's storage holds the state itself before its operation, so a refusal that
        // wrote to it shows; an accepted operation keeps it and moves on to the next storage.
        var k = 0;
        ref var storage = ref batch.Successors[0];
        storage = state;
        tally.Transitions += alphabet.Length;
        var a = 0;
        if (!allRefusals)
        {
            // Most operations are refused on the state's masks alone (a loaded module loaded
            // again, a disable without a sysfs directory...). Those are counted at once, never
            // touch a successor and are not reported, so only the others are applied, in
            // alphabet order: the loads (per patch, each variant), the disables, the unloads.
            Kernel.EarlyScreen(catalog, state, out var loads, out var disables, out var unloads, tally.Refused);
            var variants = catalog.AddSetsVariants.Length;
            var n = catalog.Count;
            // One loop over the three kinds rather than a call per kind, so that Try, which is
            // inlined, is compiled once here: three copies made this method 8.5 KB of code and
            // about 30-40 ms to compile, within the check's time.
            for (var kind = 0; kind < 3; kind++)
            {
                var (patches, first, per) = MaskedKind(kind, loads, disables, unloads, n, variants);
                TryEach(g, current, in state, patches, first, per, batch, tally, previous, ref k, ref pending);
            }
            a = n * (variants + 2);
        }
        // The rest of the alphabet (the transition operations), or all of it for a visitor that
        // sees every refusal.
        for (; a < alphabet.Length; a++)
        {
            var early = Kernel.EarlyRefusal(catalog, state, alphabet[a]);
            if (early.Accepted)
            {
                TryApart(g, current, in state, a, batch, tally, ref k);
                continue;
            }
            tally.Refused[(int)early.Reason]++;
            if (allRefusals) Refuse(g, current, a, in state, in state, batch);
        }
        PrefetchHomes(batch, k);
        if (previous is not null) PrefetchCandidates(g, previous, pending);
        batch.Count = k;
        batch.From = current;
    }

    // One of the three kinds Kernel.EarlyScreen gives masks of (0 the loads, 1 the disables, 2 the
    // unloads): its mask of patches, where its operations begin in the alphabet, and how many it
    // has per patch (Alphabet: the load's add_sets variants, one disable, one unload).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (ulong Patches, int First, int Per) MaskedKind(int kind, ulong loads, ulong disables, ulong unloads, int n, int variants) => kind switch
    {
        0 => (loads, 0, variants),
        1 => (disables, n * variants, 1),
        _ => (unloads, n * (variants + 1), 1),
    };

    // Tells the visitor of a refusal, or, on the producing thread of a pipelined level, keeps it
    // in the batch for the search's thread to tell in order (TellRefusals).
    private void Refuse(StateGraph g, int current, int a, in KernelState before, in KernelState after, Batch batch)
    {
        if (!producing)
        {
            visitor!.OnRefusal(g, current, a, before, after);
            return;
        }
        batch.RefusedOps[batch.Refusals] = a;
        batch.RefusedAfter[batch.Refusals++] = after;
    }

    // Tries the operations of the patches in a mask, whose operations of one kind start at
    // alphabet index first with per of them for each patch (the load variants), and prefetches
    // one of the previous state's candidates after each.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void TryEach(StateGraph g, int current, in KernelState state, ulong patches, int first, int per, Batch batch, Tally tally, Batch? previous, ref int k, ref int pending)
    {
        for (var m = patches; m != 0; m &= m - 1)
        {
            var a = first + BitOperations.TrailingZeroCount(m) * per;
            for (var v = 0; v < per; v++)
            {
                Try(g, current, in state, a + v, batch, tally, ref k);
                PrefetchCandidate(g, previous, ref pending);
            }
        }
    }

    // Try, compiled apart from Generate for the rest of the alphabet after the loads, disables and
    // unloads: the transition operations, none of them in atomic mode, or every operation for a
    // visitor that sees every refusal. A second copy of Try inlined there took Generate from
    // 4,642 bytes of code to 7,977 once the successor was packed in it, and its compiling, within
    // a check's timing line, from 18-24 ms to 31-48 ms.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void TryApart(StateGraph g, int current, in KernelState state, int a, Batch batch, Tally tally, ref int k) =>
        Try(g, current, in state, a, batch, tally, ref k);

    // Applies the operation at alphabet index a, past the early checks, to a state: an accepted
    // one's successor goes to the batch at k (its table slot prefetched by Generate once the
    // batch is full), a refusal to the tally.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Try(StateGraph g, int current, in KernelState state, int a, Batch batch, Tally tally, ref int k)
    {
        ref var next = ref batch.Successors[k];
        // Only operations past the early checks come here (EarlyScreen's masks, or EarlyRefusal).
        var e = Kernel.ApplyScreened(g.Catalog, g.Reading, loadMasks, state, g.Alphabet[a], ref next);
        if (!e.Accepted)
        {
            tally.Refused[(int)e.Reason]++;
            if (visitor is not null && (allRefusals || !next.Same(state))) Refuse(g, current, a, in state, in next, batch);
            return;
        }
        tally.Accepted[a]++;
        var print = StateList.PrintWith(keyPacking, next, batch.KeyWords(k, keyWords));
        batch.Prints[k] = print;
        batch.Ops[k] = a;
        batch.Affected[k] = e.Affected;
        // Through a reference: an array element assigned a struct directly was filled from a
        // stack copy of it, written by overlapping 32-byte stores and read back at once, loads
        // the processor cannot forward from those stores.
        ref var following = ref batch.Successors[++k];
        following = state;
    }

    // Prefetches the table slots of a batch's first k successors, together, once all are found.
    // A prefetch is not done until its address is translated, and past a few MB of table nearly
    // every slot's page needs a walk of the page tables. Prefetched one by one as each successor
    // was found, 15.9% of a one-thread check's samples fell right after the prefetch (the fifth
    // machine of docs/performance.md); together, the one-thread check of positional-12 took 1.10x
    // less time there, by the medians of eight alternated rounds. A producing thread reads the
    // table only as shared: the search's thread is adding to it.
    private void PrefetchHomes(Batch batch, int k)
    {
        if (producing)
            for (var j = 0; j < k; j++) published!.PrefetchHome(batch.Prints[j]);
        else
            for (var j = 0; j < k; j++) search.Table.PrefetchHome(batch.Prints[j]);
    }

    // Prefetches the states a batch's successors will most likely be compared with, from the j-th on.
    private void PrefetchCandidates(StateGraph g, Batch batch, int j)
    {
        while (j < batch.Count) PrefetchCandidate(g, batch, ref j);
    }

    // Prefetches the j-th successor's likely candidate (the state in its home slot, if the tag
    // matches) and moves j on; nothing once the batch is done or when there is no batch.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void PrefetchCandidate(StateGraph g, Batch? batch, ref int j)
    {
        if (batch is null || j >= batch.Count) return;
        // A producing thread reads the table and the states as shared: the search's thread is
        // adding to both.
        if (producing)
        {
            seen.Prefetch(published!.AtHome(batch.Prints[j++]));
            return;
        }
        var id = search.Table.AtHome(batch.Prints[j++]);
        if (id >= 0) g.States.Prefetch(id);
    }

    private void AddSuccessors(StateGraph g, Batch batch)
    {
        for (var j = 0; j < batch.Count; j++)
            AddSuccessor(g, batch, j);
    }

    // Looks the j-th successor of a batch up, adds it when new, and records the transition.
    private void AddSuccessor(StateGraph g, Batch batch, int j)
    {
        var (from, op) = (batch.From, batch.Ops[j]);
        ref readonly var state = ref batch.Successors[j];
        var id = search.Reach(from, op, batch.Depth, batch.Key(j, keyWords), batch.Prints[j], out var added);
        if (id < 0) return;
        if (added) visitor?.OnState(g, id, state);
        g.AddEdge(from, id, op);
        if (toldOf[op]) visitor!.OnTransition(g, new Edge(from, id, op, batch.Affected[j]), batch.Source, state);
    }

    /// <summary>Hands a graph's storage back for the next exploration; the graph is left empty.</summary>
    /// <remarks>
    /// For callers that explore many catalogs one after another and are done with each graph
    /// before the next: the next <see cref="Explore"/> reuses the lists instead of growing new ones.
    /// </remarks>
    public void Recycle(StateGraph graph) => spare = graph.Release();
}
