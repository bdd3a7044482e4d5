using System.Runtime.CompilerServices;
using Klp.Check.Inputs;
using Klp.Check.Model;

namespace Klp.Check.Engine;

/// <summary>The lists of a graph, handed from one exploration to the next.</summary>
internal sealed record GraphStorage(StateList States, SearchTree Tree,
    OffsetList EdgeStart, ChunkedList<int> EdgeTo, ChunkedList<ushort> EdgeOp, ChunkedList<ulong> EdgeOps);

/// <summary>The states a graph had when a view of them was taken, compared by value from another thread (<see cref="StateTable{TKey, TStore}.Shared.Find"/>); a state past the view is no match.</summary>
internal readonly struct StatesSeen(StateList.View states) : INodeStore<StateKey>
{
    /// <summary>Reads the state with this id, as seen.</summary>
    public void Read(int id, out KernelState state) => states.Read(id, out state);

    /// <summary>True when the state with this id is in the view and is the key's state.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Matches(int id, in StateKey candidate) => states.Matches(id, candidate);

    /// <summary>Asks the memory system for the state with this id, when the view covers it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Prefetch(int id) => states.Prefetch(id);

    /// <summary>Not supported: the view is read only.</summary>
    public void Append(in StateKey value) => throw new NotSupportedException("a view of a graph's states is read only");
}

/// <summary>A graph's states as the nodes of a <see cref="BreadthFirst{TKey, TStore}"/>, compared by value.</summary>
internal readonly struct GraphStates(StateList states) : INodeStore<StateKey>
{
    /// <summary>True when the state with this id is the key's state.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Matches(int id, in StateKey candidate) => states.Matches(id, candidate);

    /// <summary>Stores a new state.</summary>
    public void Append(in StateKey value) => states.Add(value);
}

/// <summary>The reachable state graph of one catalog under one reading, breadth-first from the empty kernel.</summary>
/// <remarks>
/// Storage is what bounds the size of a catalog that can be checked, so a graph keeps per state
/// the state (packed when the catalog allows: <see cref="StateList"/>), its place in the search
/// tree and where its transitions begin (<see cref="OffsetList"/>), and per transition its
/// target and operation in 4 bytes while the state ids leave room for the operation, grouped by
/// source state. Past that, a transition keeps its target in 4 bytes and each state the set of
/// its transitions' operations in 8 (the explorer finds them in alphabet order, so the k-th
/// transition's operation is the k-th of the set), or, for an alphabet of more than 64
/// operations or transitions out of order, 2 bytes for the operation. What an operation
/// replaced is recomputed with <see cref="Kernel.Apply"/> when asked for (<see cref="Edges"/>,
/// <see cref="AffectedBy"/>). Transitions are numbered by <see cref="long"/>: the largest
/// graphs have more than 2^31.
/// </remarks>
public sealed class StateGraph
{
    /// <summary>An empty graph of a catalog under a reading, over an alphabet, for <see cref="AddEdge"/> to fill; the explorer and <see cref="FromTrace"/> build theirs this way.</summary>
    public StateGraph(Catalog catalog, Reading reading, Operation[] alphabet) : this(catalog, reading, alphabet, null, StateList.DefaultPackFrom, int.MaxValue) { }

    /// <summary>An empty graph as <see cref="StateGraph(Catalog, Reading, Operation[])"/>, whose transitions are packed only while their targets are below <paramref name="packedTargets"/> (and the operation's bits leave them room): tests lower it to store a small graph's transitions as a large one's.</summary>
    public StateGraph(Catalog catalog, Reading reading, Operation[] alphabet, int packedTargets) : this(catalog, reading, alphabet, null, StateList.DefaultPackFrom, packedTargets) { }

    internal StateGraph(Catalog catalog, Reading reading, Operation[] alphabet, GraphStorage? storage, int packFrom, int packedTargets)
    {
        Catalog = catalog;
        Reading = reading;
        Alphabet = alphabet;
        Edges = new EdgeList(this);
        opBits = Math.Max(1, 32 - System.Numerics.BitOperations.LeadingZeroCount((uint)Math.Max(1, alphabet.Length) - 1));
        packedBelow = (uint)Math.Min(Math.Max(0, packedTargets), 1L << (32 - opBits));
        if (storage is not null) (States, Tree, edgeStart, edgeTo, edgeOp, edgeOps) = storage;
        States.Reset(StatePacking.For(catalog), packFrom);
        if (storage is null) return;
        Tree.Clear();
        edgeStart.Clear();
        edgeTo.Clear();
        edgeOp.Clear();
        edgeOps.Clear();
    }

    // Gives the lists away for reuse and leaves the graph empty, so a stale graph shows nothing
    // rather than another catalog's states.
    internal GraphStorage Release()
    {
        var storage = new GraphStorage(States, Tree, edgeStart, edgeTo, edgeOp, edgeOps);
        (States, Tree, edgeStart, edgeTo, edgeOp, edgeOps) = (new(), new(), new(), new(), new(), new());
        return storage;
    }

    /// <summary>The catalog explored.</summary>
    public Catalog Catalog { get; }

    /// <summary>The reading explored.</summary>
    public Reading Reading { get; }

    /// <summary>The operations tried in every state.</summary>
    public Operation[] Alphabet { get; }

    /// <summary>The distinct states; id 0 is the empty kernel; ids are in breadth-first order.</summary>
    public StateList States { get; private set; } = new();

    /// <summary>The breadth-first tree of the search: how each state was first reached.</summary>
    public SearchTree Tree { get; private set; } = new();

    /// <summary>Per state, the id of the state it was first reached from (-1 for the root).</summary>
    public ChunkedList<int> Parent => Tree.Parent;

    /// <summary>Per state, the alphabet index of the operation it was first reached by.</summary>
    public ChunkedList<ushort> ParentOp => Tree.ParentOp;

    /// <summary>Per state, its breadth-first depth.</summary>
    public DepthList Depth => Tree.Depth;

    // The transitions grouped by source: those of state s are edgeStart[s]..edgeStart[s + 1] in
    // edgeTo. edgeStart has an entry per state that has been given edges, and one more once the
    // graph is sealed. How an operation is kept depends on the layout:
    // - Packed: edgeTo holds each transition's target shifted left by opBits with its operation
    //   below: 4 bytes per transition, while the targets leave the operation its bits.
    // - OpSets: edgeTo holds the target; edgeOps, per state with an entry in edgeStart, the set of
    //   its transitions' operations, which came in increasing alphabet order (as the explorer
    //   finds them), so the k-th transition's operation is the set's k-th.
    // - Wide: edgeTo holds the target, edgeOp the operation.
    // A graph starts packed; the first target too large for that moves it to OpSets when the
    // alphabet has at most 64 operations and every state's operations so far increase, else to
    // Wide; the first operation out of order moves OpSets to Wide. Each move is for good.
    // Written in order by the search and read state by state (ChunkedList: writtenInOrder).
    private OffsetList edgeStart = new();
    private ChunkedList<int> edgeTo = new(writtenInOrder: true);
    private ChunkedList<ushort> edgeOp = new(writtenInOrder: true);
    private ChunkedList<ulong> edgeOps = new(writtenInOrder: true);
    private readonly int opBits;
    // The targets packed beside their operation are those below this.
    private readonly uint packedBelow;
    private EdgeLayout layout = EdgeLayout.Packed;

    private enum EdgeLayout { Packed, OpSets, Wide }

    /// <summary>Every accepted transition, grouped by source state in id order, in the order found within a state.</summary>
    public EdgeList Edges { get; }

    /// <summary>The number of accepted transitions stored.</summary>
    public long EdgeCount => edgeTo.LongCount;

    /// <summary>The index of the first transition out of a state; those of state s end where those of s + 1 begin.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public long FirstEdge(int state) => state < edgeStart.Count ? edgeStart[state] : edgeTo.LongCount;

    /// <summary>Where the transitions of the states from <paramref name="from"/> on begin, one per element of <paramref name="destination"/> (<see cref="FirstEdge"/> of each): for a pass over consecutive states.</summary>
    public void CopyFirstEdges(int from, Span<long> destination)
    {
        var stored = (int)Math.Clamp((long)edgeStart.Count - from, 0, destination.Length);
        if (stored > 0) edgeStart.CopyTo(from, destination[..stored]);
        destination[stored..].Fill(edgeTo.LongCount);
    }

    /// <summary>The target state of a transition.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int TargetOf(long edge) => layout == EdgeLayout.Packed ? PackedTarget(edgeTo[edge]) : edgeTo[edge];

    /// <summary>The alphabet index of a transition's operation.</summary>
    /// <remarks>With the operations kept per state, the transition's source is found first, by halves; <see cref="OpOf(int, long)"/> is given it.</remarks>
    public int OpOf(long edge) => layout == EdgeLayout.OpSets ? OpOf(edgeStart.LastAtOrBelow(edge, edgeStart.Count), edge) : OpOf(-1, edge);

    /// <summary>The alphabet index of the operation of a transition out of <paramref name="state"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int OpOf(int state, long edge) => layout switch
    {
        EdgeLayout.Packed => PackedOp(edgeTo[edge]),
        EdgeLayout.OpSets => NthOp(edgeOps[state], (int)(edge - edgeStart[state])),
        _ => edgeOp[edge],
    };

    /// <summary>The target state of a transition out of <paramref name="state"/>, and in <paramref name="op"/> the alphabet index of its operation: <see cref="TargetOf(long)"/> and <see cref="OpOf(int, long)"/> in one read.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int TargetOf(int state, long edge, out int op)
    {
        var word = edgeTo[edge];
        if (layout == EdgeLayout.Packed)
        {
            op = PackedOp(word);
            return PackedTarget(word);
        }
        op = OpOf(state, edge);
        return word;
    }

    /// <summary>Tells <paramref name="visitor"/> of the transitions out of <paramref name="state"/>, in order, until it returns false.</summary>
    /// <returns>False when the visitor stopped before the last transition.</returns>
    /// <remarks>
    /// For passes over every state's transitions: the packed transitions are read as runs of the
    /// list rather than one index at a time, and the visitor, a struct, is compiled into the loop.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool VisitEdges<TVisitor>(int state, ref TVisitor visitor) where TVisitor : struct, IEdgeVisitor =>
        VisitEdges(state, FirstEdge(state), FirstEdge(state + 1), ref visitor);

    /// <summary><see cref="VisitEdges{TVisitor}(int, ref TVisitor)"/> given where the state's transitions begin and end (<see cref="CopyFirstEdges"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool VisitEdges<TVisitor>(int state, long e, long end, ref TVisitor visitor) where TVisitor : struct, IEdgeVisitor
    {
        if (layout == EdgeLayout.Packed)
        {
            while (e < end)
            {
                var words = edgeTo.Run(e, end);
                foreach (var word in words)
                    if (!visitor.Visit(PackedTarget(word), PackedOp(word))) return false;
                e += words.Length;
            }
            return true;
        }
        for (; e < end; e++)
            if (!visitor.Visit(TargetOf(state, e, out var op), op)) return false;
        return true;
    }

    // A packed transition's target, above its operation's bits, and its operation.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int PackedTarget(int word) => (int)((uint)word >> opBits);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int PackedOp(int word) => (int)((uint)word & ((1u << opBits) - 1));

    // The alphabet index of the n-th operation (from 0) of a set.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int NthOp(ulong set, int n)
    {
        if (System.Runtime.Intrinsics.X86.Bmi2.X64.IsSupported)
            return System.Numerics.BitOperations.TrailingZeroCount(System.Runtime.Intrinsics.X86.Bmi2.X64.ParallelBitDeposit(1UL << n, set));
        for (var k = 0; k < n; k++) set &= set - 1;
        return System.Numerics.BitOperations.TrailingZeroCount(set);
    }

    /// <summary>What the operation at <paramref name="op"/> replaced or removed when applied in <paramref name="state"/>, recomputed by <see cref="Kernel.Apply"/>.</summary>
    public ulong AffectedBy(int state, int op)
    {
        States.Read(state, out var before);
        var next = before;
        return Kernel.Apply(Catalog, Reading, before, Alphabet[op], ref next).Affected;
    }

    /// <summary>Adds a transition from state <paramref name="from"/> to <paramref name="to"/> by the operation at alphabet index <paramref name="op"/>; transitions arrive with non-decreasing sources.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void AddEdge(int from, int to, int op)
    {
        while (edgeStart.Count <= from) StartState();
        if (layout == EdgeLayout.Packed)
        {
            if ((uint)to < packedBelow)
            {
                edgeTo.Add((int)((uint)to << opBits | (uint)op));
                return;
            }
            Unpack();
        }
        if (layout == EdgeLayout.OpSets)
        {
            ref var set = ref Unsafe.AsRef(in edgeOps[from]);
            if (from == edgeStart.Count - 1 && set >> op == 0)
            {
                set |= 1UL << op;
                edgeTo.Add(to);
                return;
            }
            ToWide();
        }
        edgeTo.Add(to);
        edgeOp.Add((ushort)op);
    }

    // The next state's transitions begin here.
    private void StartState()
    {
        edgeStart.Add(edgeTo.LongCount);
        if (layout == EdgeLayout.OpSets) edgeOps.Add(0);
    }

    // Takes the packed transitions apart when a target no longer fits beside its operation: into
    // targets and per-state sets of operations when they allow it, else into targets and operations.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Unpack()
    {
        var ordered = Alphabet.Length <= 64;
        for (var s = 0; ordered && s < edgeStart.Count; s++)
        {
            ulong set = 0;
            for (long e = edgeStart[s], end = FirstEdge(s + 1); e < end; e++)
            {
                var op = OpOf(s, e);
                if (set >> op != 0)
                {
                    ordered = false;
                    break;
                }
                set |= 1UL << op;
            }
            if (ordered) edgeOps.Add(set);
        }
        if (!ordered)
        {
            edgeOps.Clear();
            for (var e = 0L; e < edgeTo.LongCount; e++) edgeOp.Add((ushort)OpOf(-1, e));
        }
        for (var e = 0L; e < edgeTo.LongCount; e++) edgeTo.Set(e, TargetOf(e));
        layout = ordered ? EdgeLayout.OpSets : EdgeLayout.Wide;
    }

    // Keeps every transition's operation apart, when one came out of order.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ToWide()
    {
        for (var s = 0; s < edgeStart.Count; s++)
            for (long e = edgeStart[s], end = FirstEdge(s + 1); e < end; e++)
                edgeOp.Add((ushort)OpOf(s, e));
        edgeOps.Clear();
        layout = EdgeLayout.Wide;
    }

    /// <summary>From another thread than the search's, while it waits: has the memory the search will write next, in its largest lists (the states, the transitions, where each state's begin, the search tree), backed by pages now, about 1 MB ahead in each (<see cref="ChunkedList{T}.Prepare"/>).</summary>
    /// <remarks>
    /// On a host where a fresh page is a slow fault (about 2 ms per MB of huge pages on the third
    /// machine of docs/performance.md), the kernel's clearing of those pages held 5-6% of a
    /// two-thread check's samples on the search's thread, the one the other waits for. Changes
    /// nothing the search reads or writes. One thread at a time.
    /// </remarks>
    internal void PrepareAhead()
    {
        const int Ahead = 1 << 20;
        States.Prepare(Ahead);
        edgeTo.Prepare(Ahead);
        edgeStart.Prepare(Ahead / 4);
        Tree.Parent.Prepare(Ahead / 4);
        Tree.ParentOp.Prepare(Ahead / 8);
    }

    // Closes the edge lists: every state gets its start, and one more entry ends the last.
    internal void SealEdges()
    {
        while (edgeStart.Count <= States.Count) StartState();
    }

    /// <summary>Per alphabet entry, how often it was accepted.</summary>
    public long[] AcceptedCount { get; internal set; } = [];

    /// <summary>Per <see cref="Reason"/>, how often an operation was refused for it.</summary>
    public long[] RefusedByReason { get; } = new long[Enum.GetValues<Reason>().Length];

    /// <summary>The states some of whose successors were not explored (a cap cut them off), in id order; empty when exploration was exhaustive.</summary>
    /// <remarks>What lies beyond them is unknown: a property that needs a path through them cannot be decided.</remarks>
    public List<int> Frontier { get; } = [];

    /// <summary>How many operations were applied.</summary>
    public long Transitions { get; internal set; }

    /// <summary>Null when exploration was exhaustive; otherwise which cap cut it.</summary>
    public string? CutBy { get; internal set; }

    /// <summary>True when fingerprints were used: two distinct states may have been merged.</summary>
    public bool Fingerprinted { get; internal set; }

    /// <summary>The largest depth reached.</summary>
    public int MaxDepth => Tree.MaxDepth;

    /// <summary>The shortest operation list from the empty kernel to a state, then <paramref name="then"/>.</summary>
    public List<Operation> PathTo(int state, params ReadOnlySpan<Operation> then) => Tree.PathTo(state, Alphabet, then);

    /// <summary>The graph of the states a trace visits: its accepted operations are the edges.</summary>
    /// <remarks>The alphabet is the full alphabet, so checks that try every operation in a state still do.</remarks>
    /// <param name="trace">The run, replayed through <see cref="Trace.Replay"/>.</param>
    /// <param name="visitor">Told of each new state, accepted transition and refusal, as an exploration tells it.</param>
    public static StateGraph FromTrace(Trace trace, ExplorationVisitor? visitor = null)
    {
        var (catalog, reading, ops) = trace;
        // Operations outside the exploration alphabet (Force of a named patch) are appended to it.
        var alphabet = Engine.Alphabet.For(catalog, reading.Options.Granularity);
        var extra = ops.Where(op => Array.IndexOf(alphabet, op) < 0).Distinct();
        var g = new StateGraph(catalog, reading, [.. alphabet, .. extra]);
        g.AcceptedCount = new long[g.Alphabet.Length];
        // Not a search, but the same bookkeeping: a state is new when the table does not know it.
        var run = new BreadthFirst<StateKey, GraphStates>();
        run.Begin(new GraphStates(g.States), new ExploreLimits(MaxStates: int.MaxValue), g.Tree, g.Frontier);
        Span<ulong> packed = stackalloc ulong[StatePacking.MaxWords];
        var empty = KernelState.Empty;
        var root = g.States.Key(empty, packed, out var print);
        run.AddRoot(root, print);
        visitor?.OnState(g, 0, KernelState.Empty);
        var edges = new List<Edge>();
        var current = 0;
        var outcomes = trace.Replay();
        for (var i = 0; i < outcomes.Length; i++)
        {
            var a = Array.IndexOf(g.Alphabet, ops[i]);
            var o = outcomes[i];
            g.Transitions++;
            if (!o.Accepted)
            {
                visitor?.OnRefusal(g, current, a, g.States[current], o.State);
                continue;
            }
            var after = o.State;
            var key = g.States.Key(after, packed, out print);
            var id = run.Reach(current, a, g.Depth[current], key, print, out var added);
            if (added) visitor?.OnState(g, id, o.State);
            edges.Add(new Edge(current, id, a, o.Affected));
            visitor?.OnTransition(g, edges[^1], g.States[edges[^1].From], g.States[id]);
            current = id;
        }
        foreach (var e in edges.OrderBy(e => e.From)) g.AddEdge(e.From, e.To, e.Op);
        g.SealEdges();
        return g;
    }

    /// <summary>The probability that fingerprint de-duplication merged two distinct states (birthday bound).</summary>
    public double CollisionProbability => Fingerprinted ? Math.Min(1.0, (double)States.Count * States.Count / 2 / Math.Pow(2, 64)) : 0;
}

/// <summary>What <see cref="StateGraph.VisitEdges{TVisitor}(int, ref TVisitor)"/> tells of a state's transitions, one by one.</summary>
public interface IEdgeVisitor
{
    /// <summary>Told of the transition to state <paramref name="target"/> by the operation at alphabet index <paramref name="op"/>.</summary>
    /// <returns>True to be told of the next; false to stop.</returns>
    bool Visit(int target, int op);
}
