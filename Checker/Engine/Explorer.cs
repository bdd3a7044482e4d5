using System.Runtime.CompilerServices;
using Klp.Check.Model;

namespace Klp.Check.Exploration;

/// <summary>Breadth-first exploration of every state reachable from the empty kernel.</summary>
/// <remarks>
/// The search is a <see cref="BreadthFirst{TKey, TStore}"/>, the engine the lockstep product of
/// readings and the graph of a replayed run share: states are de-duplicated in its
/// <see cref="StateTable{TKey, TStore}"/>, so a state is stored once, and its tree, caps and
/// frontier are the graph's. What is the explorer's own is how a level is expanded: as a
/// pipeline that prefetches the table slots and candidate states a lookup will read
/// (docs/performance.md). With more than one thread, each
/// breadth-first level is expanded in parallel and merged in state and operation order. Either
/// way ids, parents and edges are exactly those of a plain sequential search, whatever the
/// number of threads. An explorer is not thread-safe: use one per thread.
/// </remarks>
public sealed class Explorer
{
    // The search's table and tree bookkeeping; its table is kept across explorations.
    private readonly BreadthFirst<KernelState, GraphStates> search = new();
    private GraphStorage? spare;

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
        var alphabet = Exploration.Alphabet.For(catalog, reading.Options.Granularity);
        var g = new StateGraph(catalog, reading, alphabet, spare) { AcceptedCount = new long[alphabet.Length], Fingerprinted = limits.Fingerprints };
        spare = null;
        search.Begin(new GraphStates(g.States), limits, g.Tree, g.Frontier);
        search.AddRoot(KernelState.Empty, KernelState.Empty.Fingerprint());
        visitor?.OnState(g, 0);
        // The sequential levels count into one tally, added to the graph at the end.
        var tally = new Tally(g.RefusedByReason.Length, alphabet.Length);
        search.Run((start, end) =>
        {
            if (threads > 1 && end - start >= ParallelLevel) ExpandParallel(g, start, end, threads);
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

    // A level is expanded as a three-stage pipeline, one state per stage: state i's operations
    // are applied and its successors' table slots prefetched; state i - 1's candidate states
    // (found in those slots, by now in cache) are prefetched; state i - 2's successors are looked
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
            if (current < levelEnd) Generate(g, current, ring[current % 3], tally);
            if (current - 1 >= levelStart && current - 1 < levelEnd) PrefetchCandidates(g, ring[(current - 1) % 3]);
            if (current - 2 >= levelStart) AddSuccessors(g, ring[(current - 2) % 3]);
        }
    }

    // What expanding states counts, kept apart from the graph so that chunks expanded in parallel
    // count on their own; added to the graph in state order.
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
            search.Table.PrefetchHome(print);
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
            var id = search.Table.AtHome(batch.Prints[j]);
            if (id >= 0) PrefetchState(ref Unsafe.AsRef(in g.States[id]));
        }
    }

    private void AddSuccessors(StateGraph g, Batch batch)
    {
        for (var j = 0; j < batch.Count; j++)
            AddSuccessor(g, batch.From, batch.Ops[j], batch.Successors[j], batch.Prints[j], batch.Affected[j], batch.Depth);
    }

    // A state spans two or three cache lines; the comparison starts with the header at byte 64.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PrefetchState(ref KernelState state)
    {
        StateTable<KernelState, GraphStates>.Prefetch(ref state);
        StateTable<KernelState, GraphStates>.Prefetch(ref Unsafe.AddByteOffset(ref state, 64));
    }

    private void AddSuccessor(StateGraph g, int from, int op, in KernelState state, ulong print, ulong affected, int depth)
    {
        var id = search.Reach(from, op, depth, state, print, out var added);
        if (id < 0) return;
        if (added) visitor?.OnState(g, id);
        g.AddEdge(from, id, op);
        visitor?.OnTransition(g, new Edge(from, id, op, affected), g.States[from], state);
    }

    // A successor found in parallel: an edge to a known state, or an index into the level's new states.
    private readonly record struct Pending(int From, int Op, uint Affected, int Known, int Fresh);

    private void ExpandParallel(StateGraph g, int start, int end, int threads)
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
                    var known = search.Table.Find(batch.Successors[j], batch.Prints[j]);
                    found.Add(new Pending(current, batch.Ops[j], (uint)batch.Affected[j], known, known >= 0 ? -1 : created.Count));
                    if (known < 0) created.Add((batch.Successors[j], batch.Prints[j]));
                }
            }
            pending[c] = found;
            fresh[c] = created;
        });
        for (var c = 0; c < chunks; c++)
        {
            tallies[c].AddTo(g, search);
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
                    AddSuccessor(g, p.From, p.Op, state, print, p.Affected, g.Depth[p.From]);
                }
            }
        }
    }

    /// <summary>Hands a graph's storage back for the next exploration; the graph is left empty.</summary>
    /// <remarks>
    /// For callers that explore many catalogs one after another and are done with each graph
    /// before the next: the next <see cref="Explore"/> reuses the lists instead of growing new ones.
    /// </remarks>
    public void Recycle(StateGraph graph) => spare = graph.Release();
}
