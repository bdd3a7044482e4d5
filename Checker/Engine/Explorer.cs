using System.Runtime.CompilerServices;
using Klp.Check.Model;

namespace Klp.Check.Exploration;

/// <summary>Breadth-first exploration of every state reachable from the empty kernel.</summary>
/// <remarks>
/// States are de-duplicated in an open-addressing table of state ids keyed by fingerprint, so a
/// state is stored once. A level is expanded as a pipeline that prefetches the table slots and
/// candidate states a lookup will read (docs/performance.md). With more than one thread, each
/// breadth-first level is expanded in parallel and merged in state and operation order. Either
/// way ids, parents and edges are exactly those of a plain sequential search, whatever the
/// number of threads. An explorer is not thread-safe: use one per thread.
/// </remarks>
public sealed class Explorer
{
    // Open addressing with linear probing. A slot is 8 bytes: the fingerprint's high 32 bits (its
    // tag, whose low bits also pick the home slot) and the state id + 1 (0: empty), so eight slots
    // share a cache line. A tag match is confirmed against the stored state, or, when
    // de-duplicating by fingerprint, against the full 64-bit fingerprint kept per id.
    // The table is the first `size` slots of `slots`; both arrays are kept across explorations,
    // so a large exploration pays for its memory once and a small one clears only what it used.
    private ulong[] slots = new ulong[MinTable];
    private ulong[] spareSlots = new ulong[MinTable];
    private readonly List<ulong> printOf = [];
    private int size = MinTable;
    private int used;
    private const int MinTable = 1024;
    private const int KeptTable = 1 << 20;
    private GraphStorage? spare;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Tag(ulong print) => (uint)(print >> 32);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Slot(ulong print, int id) => (print & 0xFFFF_FFFF_0000_0000UL) | (uint)(id + 1);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int IdOf(ulong slot) => (int)(uint)slot - 1;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int Home(uint tag) => (int)tag & (size - 1);

    private const int ParallelLevel = 2048;

    /// <summary>Explores a catalog under a reading (its granularity included) within limits.</summary>
    /// <param name="catalog">The patches.</param>
    /// <param name="reading">The reading, with its options.</param>
    /// <param name="limits">Caps on states and depth, and fingerprint de-duplication.</param>
    /// <param name="threads">Threads to expand large levels with (1: sequential).</param>
    /// <param name="visitor">Told of each state, accepted transition and refusal as they are found (see <see cref="ExplorationVisitor"/>).</param>
    public StateGraph Explore(Catalog catalog, Reading reading, ExploreLimits limits = default, int threads = 1, ExplorationVisitor? visitor = null)
    {
        this.visitor = visitor;
        Array.Clear(slots, 0, size);
        size = MinTable;
        used = 0;
        printOf.Clear();
        var alphabet = Exploration.Alphabet.For(catalog, reading.Options.Granularity);
        var g = new StateGraph(catalog, reading, alphabet, spare) { AcceptedCount = new long[alphabet.Length], Fingerprinted = limits.Fingerprints };
        spare = null;
        Insert(g, KernelState.Empty, KernelState.Empty.Fingerprint(), -1, -1, 0);
        // The sequential levels count into one tally, added to the graph at the end.
        var tally = new Tally(g.RefusedByReason.Length, alphabet.Length);
        var levelStart = 0;
        while (levelStart < g.States.Count)
        {
            var levelEnd = g.States.Count;
            var depth = g.Depth[levelStart];
            if (depth >= limits.DepthCap)
            {
                g.CutBy ??= limits.DepthCapText;
                for (var s = levelStart; s < levelEnd; s++) g.NoteFrontier(s);
                break;
            }
            if (threads > 1 && levelEnd - levelStart >= ParallelLevel) ExpandParallel(g, levelStart, levelEnd, limits, threads);
            else ExpandLevel(g, levelStart, levelEnd, limits, tally);
            levelStart = levelEnd;
        }
        g.SealEdges();
        tally.AddTo(g);
        this.visitor = null;
        // A large table is not kept for the next exploration: the checks that follow need the
        // memory more than the next catalog needs the time it takes to grow one again.
        if (size > KeptTable)
        {
            (slots, spareSlots, size) = (new ulong[MinTable], new ulong[MinTable], MinTable);
            GC.Collect();
        }
        return g;
    }

    private ExplorationVisitor? visitor;

    // A level is expanded as a three-stage pipeline, one state per stage: state i's operations
    // are applied and its successors' table slots prefetched; state i - 1's candidate states
    // (found in those slots, by now in cache) are prefetched; state i - 2's successors are looked
    // up and added. Each memory access thus has a state's worth of work to arrive in, and the
    // lookups still run in state and operation order, so ids, parents and edges are those of a
    // search that adds each successor as it is found.
    private void ExpandLevel(StateGraph g, int levelStart, int levelEnd, ExploreLimits limits, Tally tally)
    {
        var width = g.Alphabet.Length + 1;
        for (var b = 0; b < ring.Length; b++)
            if (ring[b] is null || ring[b].Successors.Length < width) ring[b] = new Batch(width);
        for (var current = levelStart; current < levelEnd + 2; current++)
        {
            if (current < levelEnd) Generate(g, current, ring[current % 3], tally);
            if (current - 1 >= levelStart && current - 1 < levelEnd) PrefetchCandidates(g, ring[(current - 1) % 3]);
            if (current - 2 >= levelStart) AddSuccessors(g, ring[(current - 2) % 3], limits);
        }
    }

    // What expanding states counts, kept apart from the graph so that chunks expanded in parallel
    // count on their own; added to the graph in state order.
    private sealed class Tally(int reasons, int operations)
    {
        public long Transitions;
        public readonly long[] Refused = new long[reasons];
        public readonly long[] Accepted = new long[operations];

        public void AddTo(StateGraph g)
        {
            g.Transitions += Transitions;
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
    }

    private readonly Batch[] ring = new Batch[3];

    // Applies every operation to one state; the accepted successors go to the batch, with their
    // table slots prefetched, and the counts to the tally. Reads the graph and the table only.
    private void Generate(StateGraph g, int current, Batch batch, Tally tally)
    {
        var catalog = g.Catalog;
        var reading = g.Reading;
        var alphabet = g.Alphabet;
        ref readonly var state = ref g.States[current];
        var successors = batch.Successors.AsSpan();
        var prints = batch.Prints;
        // Each successor's storage holds the state itself before its operation, so a refusal that
        // wrote to it shows; an accepted operation keeps it and moves on to the next storage.
        var k = 0;
        successors[0] = state;
        for (var a = 0; a < alphabet.Length; a++)
        {
            ref var next = ref successors[k];
            var e = Kernel.Apply(catalog, reading, state, alphabet[a], ref next);
            tally.Transitions++;
            if (!e.Accepted)
            {
                tally.Refused[(int)e.Reason]++;
                visitor?.OnRefusal(g, current, a, state, next);
                continue;
            }
            tally.Accepted[a]++;
            var print = next.Fingerprint();
            prints[k] = print;
            batch.Ops[k] = a;
            batch.Affected[k] = e.Affected;
            Prefetch(ref slots[Home(Tag(print))]);
            successors[++k] = state;
        }
        batch.Count = k;
        batch.From = current;
        batch.Depth = g.Depth[current];
    }

    private void PrefetchCandidates(StateGraph g, Batch batch)
    {
        for (var j = 0; j < batch.Count; j++)
        {
            var tag = Tag(batch.Prints[j]);
            var slot = slots[Home(tag)];
            if (slot != 0 && Tag(slot) == tag) PrefetchState(ref System.Runtime.CompilerServices.Unsafe.AsRef(in g.States[IdOf(slot)]));
        }
    }

    private void AddSuccessors(StateGraph g, Batch batch, ExploreLimits limits)
    {
        for (var j = 0; j < batch.Count; j++)
            AddSuccessor(g, batch.From, batch.Ops[j], batch.Successors[j], batch.Prints[j], batch.Affected[j], batch.Depth, limits);
    }

    // A state spans two or three cache lines; the comparison starts with the header at byte 64.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PrefetchState(ref KernelState state)
    {
        Prefetch(ref state);
        Prefetch(ref System.Runtime.CompilerServices.Unsafe.AddByteOffset(ref state, 64));
    }

    // A hint to the memory system: a probe's cache line is fetched while the next operations run.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Prefetch<T>(ref T target)
    {
        if (System.Runtime.Intrinsics.X86.Sse.IsSupported) System.Runtime.Intrinsics.X86.Sse.Prefetch0(System.Runtime.CompilerServices.Unsafe.AsPointer(ref target));
    }

    private void AddSuccessor(StateGraph g, int from, int op, in KernelState state, ulong print, ulong affected, int depth, ExploreLimits limits)
    {
        var id = Find(g, state, print);
        if (id < 0)
        {
            if (g.States.Count >= limits.StateCap)
            {
                g.CutBy ??= limits.StateCapText;
                g.NoteFrontier(from);
                return;
            }
            id = Insert(g, state, print, from, op, depth + 1);
        }
        g.AddEdge(from, id, op);
        visitor?.OnTransition(g, new Edge(from, id, op, affected), g.States[from], state);
    }

    // A successor found in parallel: an edge to a known state, or an index into the level's new states.
    private readonly record struct Pending(int From, int Op, uint Affected, int Known, int Fresh);

    private void ExpandParallel(StateGraph g, int start, int end, ExploreLimits limits, int threads)
    {
        var chunks = Math.Min(threads * 4, end - start);
        var pending = new List<Pending>[chunks];
        var fresh = new List<(KernelState State, ulong Print)>[chunks];
        var tallies = new Tally[chunks];
        Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = threads }, c =>
        {
            var found = new List<Pending>();
            var created = new List<(KernelState, ulong)>();
            var tally = tallies[c] = new Tally(g.RefusedByReason.Length, g.Alphabet.Length);
            var batch = new Batch(g.Alphabet.Length + 1);
            var lo = start + (int)((long)(end - start) * c / chunks);
            var hi = start + (int)((long)(end - start) * (c + 1) / chunks);
            for (var current = lo; current < hi; current++)
            {
                Generate(g, current, batch, tally);
                for (var j = 0; j < batch.Count; j++)
                {
                    // The table is only read during the parallel phase.
                    var known = Find(g, batch.Successors[j], batch.Prints[j]);
                    found.Add(new Pending(current, batch.Ops[j], (uint)batch.Affected[j], known, known >= 0 ? -1 : created.Count));
                    if (known < 0) created.Add((batch.Successors[j], batch.Prints[j]));
                }
            }
            pending[c] = found;
            fresh[c] = created;
        });
        for (var c = 0; c < chunks; c++)
        {
            tallies[c].AddTo(g);
            foreach (var p in pending[c])
            {
                if (p.Known >= 0)
                {
                    g.AddEdge(p.From, p.Known, p.Op);
                    visitor?.OnTransition(g, new Edge(p.From, p.Known, p.Op, p.Affected), g.States[p.From], g.States[p.Known]);
                }
                else
                {
                    var (state, print) = fresh[c][p.Fresh];
                    AddSuccessor(g, p.From, p.Op, state, print, p.Affected, g.Depth[p.From], limits);
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int Find(StateGraph g, in KernelState s, ulong print)
    {
        var mask = size - 1;
        var tag = Tag(print);
        for (var i = Home(tag); ; i = (i + 1) & mask)
        {
            var slot = slots[i];
            if (slot == 0) return -1;
            if (Tag(slot) != tag) continue;
            var id = IdOf(slot);
            if (g.Fingerprinted ? printOf[id] == print : StateEquals(g, id, s)) return id;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool StateEquals(StateGraph g, int id, in KernelState s) =>
        g.States[id].Same(s);

    private int Insert(StateGraph g, in KernelState s, ulong print, int parent, int op, int depth)
    {
        var id = g.States.Count;
        g.States.Add(s);
        g.Tree.Add(parent, op, depth);
        if (g.Fingerprinted) printOf.Add(print);
        if (++used * 2 > size) Grow();
        Place(Slot(print, id));
        visitor?.OnState(g, id);
        return id;
    }

    private void Place(ulong slot)
    {
        var mask = size - 1;
        var i = Home(Tag(slot));
        while (slots[i] != 0) i = (i + 1) & mask;
        slots[i] = slot;
    }

    private void Grow()
    {
        var old = slots;
        var oldSize = size;
        size *= 2;
        if (spareSlots.Length < size) spareSlots = LargePages.Allocate<ulong>(size);
        else Array.Clear(spareSlots, 0, size);
        slots = spareSlots;
        spareSlots = old;
        foreach (var slot in old.AsSpan(0, oldSize))
            if (slot != 0) Place(slot);
    }

    /// <summary>Hands a graph's storage back for the next exploration; the graph is left empty.</summary>
    /// <remarks>
    /// For callers that explore many catalogs one after another and are done with each graph
    /// before the next: the next <see cref="Explore"/> reuses the lists instead of growing new ones.
    /// </remarks>
    public void Recycle(StateGraph graph) => spare = graph.Release();
}
