using Klp.Check.Model;

namespace Klp.Check.Exploration;

/// <summary>Caps on one exploration.</summary>
/// <param name="MaxStates">Stop after this many distinct states.</param>
/// <param name="MaxDepth">Do not expand states deeper than this.</param>
/// <param name="Fingerprints">De-duplicate by 64-bit fingerprint instead of by exact value.</param>
/// <remarks>A cap of 0 or less means the default: 1,000,000 states, unlimited depth (so <c>default</c> and <c>new()</c> are the defaults).</remarks>
public readonly record struct ExploreLimits(int MaxStates = ExploreLimits.DefaultMaxStates, int MaxDepth = int.MaxValue, bool Fingerprints = false)
{
    /// <summary>The state cap when none is given.</summary>
    public const int DefaultMaxStates = 1_000_000;

    /// <summary>The state cap in force.</summary>
    public int StateCap => MaxStates > 0 ? MaxStates : DefaultMaxStates;

    /// <summary>The depth cap in force.</summary>
    public int DepthCap => MaxDepth > 0 ? MaxDepth : int.MaxValue;
}

/// <summary>An accepted transition of the reachable graph.</summary>
/// <param name="From">Source state id.</param>
/// <param name="To">Target state id.</param>
/// <param name="Op">Index into the alphabet.</param>
/// <param name="Affected">What the operation replaced or removed.</param>
public readonly record struct Edge(int From, int To, int Op, ulong Affected);

/// <summary>The reachable state graph of one catalog under one reading, breadth-first from the empty kernel.</summary>
public sealed class StateGraph
{
    internal StateGraph(Catalog catalog, Reading reading, Operation[] alphabet)
    {
        Catalog = catalog;
        Reading = reading;
        Alphabet = alphabet;
    }

    /// <summary>The catalog explored.</summary>
    public Catalog Catalog { get; }

    /// <summary>The reading explored.</summary>
    public Reading Reading { get; }

    /// <summary>The operations tried in every state.</summary>
    public Operation[] Alphabet { get; }

    /// <summary>The distinct states; id 0 is the empty kernel; ids are in breadth-first order.</summary>
    public List<KernelState> States { get; } = [];

    /// <summary>Per state, the id of the state it was first reached from (-1 for the root).</summary>
    public List<int> Parent { get; } = [];

    /// <summary>Per state, the alphabet index of the operation it was first reached by.</summary>
    public List<int> ParentOp { get; } = [];

    /// <summary>Per state, its breadth-first depth.</summary>
    public List<int> Depth { get; } = [];

    /// <summary>Every accepted transition, in the order found.</summary>
    public List<Edge> Edges { get; } = [];

    /// <summary>Per alphabet entry, how often it was accepted.</summary>
    public long[] AcceptedCount { get; internal set; } = [];

    /// <summary>Per <see cref="Reason"/>, how often an operation was refused for it.</summary>
    public long[] RefusedByReason { get; } = new long[Enum.GetValues<Reason>().Length];

    /// <summary>How many operations were applied.</summary>
    public long Transitions { get; internal set; }

    /// <summary>Null when exploration was exhaustive; otherwise which cap cut it.</summary>
    public string? CutBy { get; internal set; }

    /// <summary>True when fingerprints were used: two distinct states may have been merged.</summary>
    public bool Fingerprinted { get; internal set; }

    /// <summary>The largest depth reached.</summary>
    public int MaxDepth => Depth.Count == 0 ? 0 : Depth[^1];

    /// <summary>The shortest operation list from the empty kernel to a state.</summary>
    public List<Operation> PathTo(int state)
    {
        var path = new List<Operation>();
        for (var s = state; Parent[s] >= 0; s = Parent[s]) path.Add(Alphabet[ParentOp[s]]);
        path.Reverse();
        return path;
    }

    /// <summary>The graph of the states one run visits: the run's accepted operations are its edges.</summary>
    /// <remarks>The alphabet is the full alphabet, so checks that try every operation in a state still do.</remarks>
    public static StateGraph FromRun(Catalog catalog, Reading reading, IReadOnlyList<Operation> ops)
    {
        var alphabet = Exploration.Alphabet.For(catalog, reading.Options.Granularity);
        var g = new StateGraph(catalog, reading, alphabet) { AcceptedCount = new long[alphabet.Length] };
        var ids = new Dictionary<KernelState, int> { [KernelState.Empty] = 0 };
        g.States.Add(KernelState.Empty);
        g.Parent.Add(-1);
        g.ParentOp.Add(-1);
        g.Depth.Add(0);
        var current = 0;
        foreach (var op in ops)
        {
            var a = Array.IndexOf(alphabet, op);
            if (a < 0)
            {
                // Operations outside the exploration alphabet (Force of a named patch) are appended to it.
                alphabet = [.. alphabet, op];
                a = alphabet.Length - 1;
                g = g.WithAlphabet(alphabet);
            }
            var o = Kernel.Step(catalog, reading, g.States[current], op);
            g.Transitions++;
            if (!o.Accepted) continue;
            if (!ids.TryGetValue(o.State, out var id))
            {
                id = g.States.Count;
                ids[o.State] = id;
                g.States.Add(o.State);
                g.Parent.Add(current);
                g.ParentOp.Add(a);
                g.Depth.Add(g.Depth[current] + 1);
            }
            g.Edges.Add(new Edge(current, id, a, o.Affected));
            current = id;
        }
        return g;
    }

    private StateGraph WithAlphabet(Operation[] alphabet)
    {
        var g = new StateGraph(Catalog, Reading, alphabet) { AcceptedCount = new long[alphabet.Length], Transitions = Transitions };
        g.States.AddRange(States);
        g.Parent.AddRange(Parent);
        g.ParentOp.AddRange(ParentOp);
        g.Depth.AddRange(Depth);
        g.Edges.AddRange(Edges);
        return g;
    }

    /// <summary>The probability that fingerprint de-duplication merged two distinct states (birthday bound).</summary>
    public double CollisionProbability => Fingerprinted ? Math.Min(1.0, (double)States.Count * States.Count / 2 / Math.Pow(2, 64)) : 0;
}

/// <summary>Breadth-first exploration of every state reachable from the empty kernel.</summary>
public sealed class Explorer
{
    private readonly Dictionary<KernelState, int> exact = [];
    private readonly Dictionary<ulong, int> fingerprints = [];

    /// <summary>Explores a catalog under a reading (its granularity included) within limits.</summary>
    public StateGraph Explore(Catalog catalog, Reading reading, ExploreLimits limits = default)
    {
        exact.Clear();
        fingerprints.Clear();
        var alphabet = Exploration.Alphabet.For(catalog, reading.Options.Granularity);
        var g = new StateGraph(catalog, reading, alphabet) { AcceptedCount = new long[alphabet.Length], Fingerprinted = limits.Fingerprints };
        Add(g, KernelState.Empty, -1, -1, 0, limits.Fingerprints);
        for (var current = 0; current < g.States.Count; current++)
        {
            var depth = g.Depth[current];
            if (depth >= limits.DepthCap)
            {
                g.CutBy ??= $"depth cap {limits.DepthCap}";
                continue;
            }
            var state = g.States[current];
            for (var a = 0; a < alphabet.Length; a++)
            {
                var o = Kernel.Step(catalog, reading, state, alphabet[a]);
                g.Transitions++;
                if (!o.Accepted)
                {
                    g.RefusedByReason[(int)o.Reason]++;
                    continue;
                }
                g.AcceptedCount[a]++;
                var id = Find(o.State, limits.Fingerprints);
                if (id < 0)
                {
                    if (g.States.Count >= limits.StateCap)
                    {
                        g.CutBy ??= $"state cap {limits.StateCap}";
                        continue;
                    }
                    id = Add(g, o.State, current, a, depth + 1, limits.Fingerprints);
                }
                g.Edges.Add(new Edge(current, id, a, o.Affected));
            }
        }
        return g;
    }

    private int Find(in KernelState s, bool byFingerprint) =>
        byFingerprint
            ? fingerprints.TryGetValue(s.Fingerprint(), out var f) ? f : -1
            : exact.TryGetValue(s, out var e) ? e : -1;

    private int Add(StateGraph g, in KernelState s, int parent, int op, int depth, bool byFingerprint)
    {
        var id = g.States.Count;
        g.States.Add(s);
        g.Parent.Add(parent);
        g.ParentOp.Add(op);
        g.Depth.Add(depth);
        if (byFingerprint) fingerprints[s.Fingerprint()] = id;
        else exact[s] = id;
        return id;
    }
}
