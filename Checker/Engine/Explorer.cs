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
/// level is expanded on two: one applies the operations, the search's own looks the successors
/// up and records them in state and operation order. Either way ids, parents, edges and what the
/// visitor is told are exactly those of a plain sequential search, whatever the number of
/// threads. An explorer is not thread-safe: use one per thread.
/// </remarks>
public sealed class Explorer
{
    // The search's table and tree bookkeeping; its table is kept across explorations.
    private readonly BreadthFirst<KernelState, GraphStates> search = new();
    private GraphStorage? spare;

    /// <summary>The fewest states a level must have to be expanded on several threads; smaller levels are not worth the hand-over.</summary>
    /// <remarks>Tests lower it to send small catalogs through the parallel expansion.</remarks>
    public int ParallelLevel { get; init; } = 2048;

    /// <summary>The number of states from which a graph is stored packed, when its catalog has a packing (<see cref="StateList"/>).</summary>
    /// <remarks>Tests lower it to pack small graphs, from the first state or in the middle of a search.</remarks>
    public int PackFrom { get; init; } = StateList.DefaultPackFrom;

    /// <summary>The state ids below which a transition's target is packed beside its operation, as far as the operation's bits leave it room (<see cref="StateGraph"/>).</summary>
    /// <remarks>Tests lower it to store small graphs' transitions as the largest graphs store theirs.</remarks>
    public int PackedTargets { get; init; } = int.MaxValue;

    /// <summary>Explores a catalog under a reading (its granularity included) within limits.</summary>
    /// <param name="catalog">The patches.</param>
    /// <param name="reading">The reading, with its options.</param>
    /// <param name="limits">Caps on states and depth, and fingerprint de-duplication.</param>
    /// <param name="threads">Threads to expand large levels with (1: sequential).</param>
    /// <param name="visitor">Told of each state, accepted transition and refusal as they are found (see <see cref="ExplorationVisitor"/>).</param>
    public StateGraph Explore(Catalog catalog, Reading reading, ExploreLimits limits = default, int threads = 1, ExplorationVisitor? visitor = null)
    {
        this.visitor = visitor;
        allRefusals = visitor?.SeesUnchangedRefusals ?? false;
        var alphabet = Engine.Alphabet.For(catalog, reading.Options.Granularity);
        toldOf = visitor is null ? new bool[alphabet.Length] : Array.ConvertAll(alphabet, visitor.SeesTransitionsOf);
        var g = new StateGraph(catalog, reading, alphabet, spare, PackFrom, PackedTargets) { AcceptedCount = new long[alphabet.Length], Fingerprinted = limits.Fingerprints };
        spare = null;
        search.Begin(new GraphStates(g.States), limits, g.Tree, g.Frontier);
        search.AddRoot(KernelState.Empty, KernelState.Empty.Fingerprint());
        visitor?.OnState(g, 0, KernelState.Empty);
        // The sequential levels count into one tally, added to the graph at the end.
        var tally = new Tally(g.RefusedByReason.Length, alphabet.Length);
        search.Run((start, end) =>
        {
            if (threads > 1 && end - start >= ParallelLevel) ExpandPipelined(g, start, end, tally);
            else ExpandLevel(g, start, end, tally);
            return true;
        });
        g.SealEdges();
        tally.AddTo(g, search);
        g.Transitions = search.Transitions;
        g.CutBy = search.CutBy;
        search.End();
        this.visitor = null;
        return g;
    }

    private ExplorationVisitor? visitor;

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

        public void AddTo(StateGraph g, BreadthFirst<KernelState, GraphStates> search)
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
    }

    private readonly Batch[] ring = new Batch[3];

    // Applies every operation to one state; the accepted successors go to the batch, with their
    // table slots prefetched, and the counts to the tally. Reads the graph and the table only.
    // The previous state's candidates are prefetched one per operation applied, in between, so
    // that the memory system is not asked for a whole batch of lines at once.
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
            TryEach(g, current, in state, loads, 0, variants, batch, tally, previous, ref k, ref pending);
            TryEach(g, current, in state, disables, n * variants, 1, batch, tally, previous, ref k, ref pending);
            TryEach(g, current, in state, unloads, n * (variants + 1), 1, batch, tally, previous, ref k, ref pending);
            a = n * (variants + 2);
        }
        // The rest of the alphabet (the transition operations), or all of it for a visitor that
        // sees every refusal.
        for (; a < alphabet.Length; a++)
        {
            var early = Kernel.EarlyRefusal(catalog, state, alphabet[a]);
            if (early.Accepted)
            {
                Try(g, current, in state, a, batch, tally, ref k);
                continue;
            }
            tally.Refused[(int)early.Reason]++;
            if (allRefusals) Refuse(g, current, a, in state, in state, batch);
        }
        if (previous is not null) PrefetchCandidates(g, previous, pending);
        batch.Count = k;
        batch.From = current;
    }

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

    // Applies the operation at alphabet index a, past the early checks, to a state: an accepted
    // one's successor goes to the batch at k (its table slot prefetched), a refusal to the tally.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Try(StateGraph g, int current, in KernelState state, int a, Batch batch, Tally tally, ref int k)
    {
        ref var next = ref batch.Successors[k];
        var e = Kernel.Apply(g.Catalog, g.Reading, state, g.Alphabet[a], ref next);
        if (!e.Accepted)
        {
            tally.Refused[(int)e.Reason]++;
            if (visitor is not null && (allRefusals || !next.Same(state))) Refuse(g, current, a, in state, in next, batch);
            return;
        }
        tally.Accepted[a]++;
        var print = next.Fingerprint();
        batch.Prints[k] = print;
        batch.Ops[k] = a;
        batch.Affected[k] = e.Affected;
        // A producing thread reads the table only as shared: the search's thread is adding to it.
        if (producing) published!.PrefetchHome(print);
        else search.Table.PrefetchHome(print);
        // Through a reference: an array element assigned a struct directly was filled from a
        // stack copy of it, written by overlapping 32-byte stores and read back at once, loads
        // the processor cannot forward from those stores.
        ref var following = ref batch.Successors[++k];
        following = state;
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
        var id = search.Reach(from, op, batch.Depth, state, batch.Prints[j], out var added);
        if (id < 0) return;
        if (added) visitor?.OnState(g, id, state);
        g.AddEdge(from, id, op);
        if (toldOf[op]) visitor!.OnTransition(g, new Edge(from, id, op, batch.Affected[j]), batch.Source, state);
    }

    // A large level on two threads, as a pipeline: a producing thread applies the operations to
    // each state of the level in order (Generate: the transition function and the fingerprints)
    // and looks each successor up among the states the graph had when the level began (most
    // successors are states of earlier levels); this thread, the search's, takes the batches in
    // the same order through the stages of ExpandLevel for the successors still unknown (their
    // table slots and candidates prefetched, then the lookups and the new states) and records
    // every edge and tells the visitor. Everything the search records is thus recorded on one
    // thread in exactly the sequential order, so ids, parents, edges and what the visitor is told
    // are those of ExpandLevel: a state the producer found has that id in any search, and the
    // others are looked up here as ExpandLevel looks them up. The producer only reads: the
    // level's states through a view that stays valid while this thread appends, the table
    // through StateTable.Shared; it keeps the refusals the visitor is to be told of in its
    // batches. The threads hand batches over through a ring, each side waiting only when it is a
    // ring ahead of or behind the other. A batch's lines are written on one core and read on the
    // other: a ring of 32 batches kept the two threads' work at 1.12-1.17x one thread's by perf
    // on positional-12, against 1.24-1.28x with 64 (docs/performance.md).
    private const int PipeDepth = 32;
    private readonly Batch[] pipe = new Batch[PipeDepth];
    private bool producing;
    private Cursors cursors;

    // How far each side of a pipelined level has got: the batches before Produced are ready, those
    // before Released are free again. Each on a cache line of its own, away from the fields both
    // threads read: written once a state, they would otherwise take those fields' line from the
    // other core every time. Each side reads the other's only when the copy it keeps says it
    // must wait. A side that must wait spins for a few microseconds, then sleeps with its Asleep
    // flag set, and the other wakes it when it moves on: on a machine whose cores are busy with
    // other work, a thread spinning and yielding for the other took the time the other needed
    // (the two-thread check's CPU time was twice one thread's).
    [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Explicit, Size = 320)]
    private struct Cursors
    {
        [System.Runtime.InteropServices.FieldOffset(64)] public int Produced;
        [System.Runtime.InteropServices.FieldOffset(128)] public int Released;
        [System.Runtime.InteropServices.FieldOffset(192)] public int SearchAsleep;
        [System.Runtime.InteropServices.FieldOffset(256)] public int ProducerAsleep;
    }

    private readonly SemaphoreSlim searchWake = new(0), producerWake = new(0);

    // Publishes how far one side has got (a full fence, so that the flag read after it and the
    // other side's own flag-then-cursor reads cannot both miss), and wakes the other if it sleeps.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void MoveOn(ref int cursor, int to, ref int otherAsleep, SemaphoreSlim wakeOther)
    {
        Interlocked.Exchange(ref cursor, to);
        if (Volatile.Read(ref otherAsleep) != 0 && Interlocked.Exchange(ref otherAsleep, 0) != 0) wakeOther.Release();
    }

    // One turn of a wait: a spin while the spinning is short, then, with the flag set and the
    // condition read again after it, a sleep until the other side moves on.
    private static void WaitTurn(ref SpinWait spin, ref int asleep, SemaphoreSlim wake, Func<bool> over)
    {
        if (!spin.NextSpinWillYield)
        {
            spin.SpinOnce(sleep1Threshold: -1);
            return;
        }
        Interlocked.Exchange(ref asleep, 1);
        if (!over()) wake.Wait();
        Volatile.Write(ref asleep, 0);
        spin = default;
    }

    // The work is shared out whichever side is the slower: the producer leaves the lookups of a
    // batch to the search's thread when fewer than this many batches wait for that thread, which
    // is then about to wait for the producer. It reads how far that thread has got every Polled
    // states.
    private const int Starving = 8, Polled = 8;

    /// <summary>Whether the producing thread of a pipelined level leaves its lookups to the search's thread when that thread is about to wait for batches.</summary>
    /// <remarks>Tests turn it on and off; either way the graph and the visitor's events are the same.</remarks>
    public bool Balance { get; init; } = true;
    // The states the graph had when the pipelined level began, and the table as last published,
    // as the producing thread reads them; it takes the table again every PipeDepth states.
    private StatesSeen seen;
    private StateTable<KernelState, GraphStates>.Shared? published;

    private void ExpandPipelined(StateGraph g, int start, int end, Tally tally)
    {
        var width = g.Alphabet.Length + 1;
        for (var b = 0; b < pipe.Length; b++)
            if (pipe[b] is null || pipe[b].Successors.Length < width) pipe[b] = new Batch(width);
        seen = new StatesSeen(g.States.Snapshot());
        search.Table.Share();
        published = search.Table.Published;
        cursors.Produced = cursors.Released = start;
        var stop = false;
        var finished = false;
        producing = true;
        var producer = Task.Factory.StartNew(() =>
        {
            try
            {
                // The stages of ExpandLevel, on the states the graph had: state current is generated
                // (its successors' slots prefetched) while the candidates of current - 1 are
                // prefetched, then the successors of current - 2 are looked up.
                var released = start;
                for (var current = start; current < end + 2; current++)
                {
                    var previous = current - 1 >= start && current - 1 < end ? pipe[(current - 1) % PipeDepth] : null;
                    if (current < end)
                    {
                        var spin = new SpinWait();
                        while (current - released >= PipeDepth && current - (released = Volatile.Read(ref cursors.Released)) >= PipeDepth)
                        {
                            if (Volatile.Read(ref stop)) return;
                            var at = current;
                            WaitTurn(ref spin, ref cursors.ProducerAsleep, producerWake,
                                () => Volatile.Read(ref stop) || at - Volatile.Read(ref cursors.Released) < PipeDepth);
                        }
                        var batch = pipe[current % PipeDepth];
                        if ((current - start) % PipeDepth == 0) published = search.Table.Published;
                        seen.Read(current, out batch.Source);
                        Generate(g, current, in batch.Source, batch, tally, previous);
                    }
                    else if (previous is not null) PrefetchCandidates(g, previous, 0);
                    if (current - 2 < start) continue;
                    var last = pipe[(current - 2) % PipeDepth];
                    if ((current - start) % Polled == 0) released = Volatile.Read(ref cursors.Released);
                    if (Balance && current - 2 - released < Starving) last.Known.AsSpan(0, last.Count).Fill(-1);
                    else for (var j = 0; j < last.Count; j++) last.Known[j] = published!.Find(last.Successors[j], last.Prints[j], seen);
                    MoveOn(ref cursors.Produced, current - 1, ref cursors.SearchAsleep, searchWake);
                }
            }
            finally
            {
                // A producer that stopped early threw: the search's thread is woken to find out.
                Volatile.Write(ref finished, true);
                searchWake.Release();
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        try
        {
            var produced = start;
            for (var current = start; current < end + 2; current++)
            {
                if (current < end)
                {
                    var spin = new SpinWait();
                    while (produced <= current && (produced = Volatile.Read(ref cursors.Produced)) <= current)
                    {
                        // A producer that stopped early threw: Wait below says why.
                        if (Volatile.Read(ref finished) && Volatile.Read(ref cursors.Produced) <= current) return;
                        var at = current;
                        WaitTurn(ref spin, ref cursors.SearchAsleep, searchWake,
                            () => Volatile.Read(ref finished) || Volatile.Read(ref cursors.Produced) > at);
                    }
                    var batch = pipe[current % PipeDepth];
                    batch.Depth = g.Depth[current];
                    TellRefusals(g, batch);
                    for (var j = 0; j < batch.Count; j++)
                        if (batch.Known[j] < 0) search.Table.PrefetchHome(batch.Prints[j]);
                    // The next batch, when ready, is asked for now: its lines were written on the
                    // other core, and read cold they stalled each stage that first touched them.
                    if (current + 1 < produced) PrefetchBatch(pipe[(current + 1) % PipeDepth]);
                }
                if (current - 1 >= start && current - 1 < end) PrefetchUnknown(g, pipe[(current - 1) % PipeDepth]);
                if (current - 2 >= start)
                {
                    AddResolved(g, pipe[(current - 2) % PipeDepth]);
                    MoveOn(ref cursors.Released, current - 1, ref cursors.ProducerAsleep, producerWake);
                }
            }
        }
        finally
        {
            Volatile.Write(ref stop, true);
            producerWake.Release();
            try
            {
                producer.Wait();
            }
            finally
            {
                producing = false;
                seen = default;
                published = null;
            }
        }
    }

    // Prefetches the states the successors a producer did not find will most likely be compared
    // with, and the successors the next stage will read: those to look up, and those whose
    // transitions the visitor is told of.
    private void PrefetchUnknown(StateGraph g, Batch batch)
    {
        for (var j = 0; j < batch.Count; j++)
        {
            if (batch.Known[j] >= 0)
            {
                if (toldOf[batch.Ops[j]]) PrefetchState(ref batch.Successors[j]);
                continue;
            }
            PrefetchState(ref batch.Successors[j]);
            var id = search.Table.AtHome(batch.Prints[j]);
            if (id >= 0) g.States.Prefetch(id);
        }
    }

    // Asks for the lines of a batch that the first stage reads: its counts, and what each successor is known as.
    private static void PrefetchBatch(Batch batch)
    {
        StateTable<KernelState, GraphStates>.Prefetch(ref batch.Count);
        StateTable<KernelState, GraphStates>.Prefetch(ref batch.Known[0]);
        StateTable<KernelState, GraphStates>.Prefetch(ref batch.Ops[0]);
        StateTable<KernelState, GraphStates>.Prefetch(ref batch.Prints[0]);
        StateTable<KernelState, GraphStates>.Prefetch(ref batch.Prints[Math.Min(8, batch.Prints.Length - 1)]);
        StateTable<KernelState, GraphStates>.Prefetch(ref batch.Affected[0]);
        StateTable<KernelState, GraphStates>.Prefetch(ref batch.Affected[Math.Min(8, batch.Affected.Length - 1)]);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PrefetchState(ref KernelState state)
    {
        StateTable<KernelState, GraphStates>.Prefetch(ref state);
        StateTable<KernelState, GraphStates>.Prefetch(ref Unsafe.AddByteOffset(ref state, 64));
    }

    // Records a pipelined batch's successors as AddSuccessors does, those a producer found by their ids.
    private void AddResolved(StateGraph g, Batch batch)
    {
        for (var j = 0; j < batch.Count; j++)
        {
            var to = batch.Known[j];
            if (to < 0)
            {
                AddSuccessor(g, batch, j);
                continue;
            }
            var op = batch.Ops[j];
            g.AddEdge(batch.From, to, op);
            if (toldOf[op]) visitor!.OnTransition(g, new Edge(batch.From, to, op, batch.Affected[j]), batch.Source, batch.Successors[j]);
        }
    }

    // The refusals a producing thread kept in a batch, told to the visitor in operation order.
    private void TellRefusals(StateGraph g, Batch batch)
    {
        for (var r = 0; r < batch.Refusals; r++)
            visitor!.OnRefusal(g, batch.From, batch.RefusedOps[r], batch.Source, batch.RefusedAfter[r]);
    }

    /// <summary>Hands a graph's storage back for the next exploration; the graph is left empty.</summary>
    /// <remarks>
    /// For callers that explore many catalogs one after another and are done with each graph
    /// before the next: the next <see cref="Explore"/> reuses the lists instead of growing new ones.
    /// </remarks>
    public void Recycle(StateGraph graph) => spare = graph.Release();
}
