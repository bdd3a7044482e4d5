using Klp.Check.Model;

namespace Klp.Check.Exploration;

/// <summary>The lists of a graph, handed from one exploration to the next.</summary>
internal sealed record GraphStorage(List<KernelState> States, List<int> Parent, List<int> ParentOp, List<int> Depth, List<Edge> Edges);

/// <summary>The reachable state graph of one catalog under one reading, breadth-first from the empty kernel.</summary>
public sealed class StateGraph
{
    internal StateGraph(Catalog catalog, Reading reading, Operation[] alphabet, GraphStorage? storage = null)
    {
        Catalog = catalog;
        Reading = reading;
        Alphabet = alphabet;
        if (storage is null) return;
        (States, Parent, ParentOp, Depth, Edges) = storage;
        States.Clear();
        Parent.Clear();
        ParentOp.Clear();
        Depth.Clear();
        Edges.Clear();
    }

    // Gives the lists away for reuse and leaves the graph empty, so a stale graph shows nothing
    // rather than another catalog's states.
    internal GraphStorage Release()
    {
        var storage = new GraphStorage(States, Parent, ParentOp, Depth, Edges);
        (States, Parent, ParentOp, Depth, Edges) = ([], [], [], [], []);
        return storage;
    }

    /// <summary>The catalog explored.</summary>
    public Catalog Catalog { get; }

    /// <summary>The reading explored.</summary>
    public Reading Reading { get; }

    /// <summary>The operations tried in every state.</summary>
    public Operation[] Alphabet { get; }

    /// <summary>The distinct states; id 0 is the empty kernel; ids are in breadth-first order.</summary>
    public List<KernelState> States { get; private set; } = [];

    /// <summary>Per state, the id of the state it was first reached from (-1 for the root).</summary>
    public List<int> Parent { get; private set; } = [];

    /// <summary>Per state, the alphabet index of the operation it was first reached by.</summary>
    public List<int> ParentOp { get; private set; } = [];

    /// <summary>Per state, its breadth-first depth.</summary>
    public List<int> Depth { get; private set; } = [];

    /// <summary>Every accepted transition, in the order found.</summary>
    public List<Edge> Edges { get; private set; } = [];

    /// <summary>Per alphabet entry, how often it was accepted.</summary>
    public long[] AcceptedCount { get; internal set; } = [];

    /// <summary>Per <see cref="Reason"/>, how often an operation was refused for it.</summary>
    public long[] RefusedByReason { get; } = new long[Enum.GetValues<Reason>().Length];

    /// <summary>The states some of whose successors were not explored (a cap cut them off), in id order; empty when exploration was exhaustive.</summary>
    /// <remarks>What lies beyond them is unknown: a property that needs a path through them cannot be decided.</remarks>
    public List<int> Frontier { get; } = [];

    internal void NoteFrontier(int state)
    {
        if (Frontier.Count == 0 || Frontier[^1] != state) Frontier.Add(state);
    }

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
    /// <param name="catalog">The patches.</param>
    /// <param name="reading">The reading.</param>
    /// <param name="ops">The run.</param>
    /// <param name="visitor">Told of each new state, accepted transition and refusal, as an exploration tells it.</param>
    public static StateGraph FromRun(Catalog catalog, Reading reading, IReadOnlyList<Operation> ops, ExplorationVisitor? visitor = null)
    {
        var alphabet = Exploration.Alphabet.For(catalog, reading.Options.Granularity);
        var g = new StateGraph(catalog, reading, alphabet) { AcceptedCount = new long[alphabet.Length] };
        var ids = new Dictionary<KernelState, int> { [KernelState.Empty] = 0 };
        g.States.Add(KernelState.Empty);
        g.Parent.Add(-1);
        g.ParentOp.Add(-1);
        g.Depth.Add(0);
        visitor?.OnState(g, 0);
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
            if (!o.Accepted)
            {
                visitor?.OnRefusal(g, current, a, o.State);
                continue;
            }
            if (!ids.TryGetValue(o.State, out var id))
            {
                id = g.States.Count;
                ids[o.State] = id;
                g.States.Add(o.State);
                g.Parent.Add(current);
                g.ParentOp.Add(a);
                g.Depth.Add(g.Depth[current] + 1);
                visitor?.OnState(g, id);
            }
            g.Edges.Add(new Edge(current, id, a, o.Affected));
            visitor?.OnTransition(g, g.Edges[^1]);
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
