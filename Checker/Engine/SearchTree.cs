using Klp.Check.Model;

namespace Klp.Check.Engine;

/// <summary>The breadth-first tree a search records: per node, the node it was first reached from, by which operation, at which depth; every search reads its traces from it.</summary>
/// <remarks>
/// The exploration of one catalog (<see cref="StateGraph"/>), the graph of a replayed run
/// (<see cref="StateGraph.FromTrace"/>) and the lockstep product of readings number their nodes
/// in the order found and keep this tree, so a trace is reconstructed one way for all three
/// (stateright's <c>checker/path.rs</c> plays the same part).
/// </remarks>
public sealed class SearchTree
{
    /// <summary>Per node, the node it was first reached from (-1 for the root).</summary>
    /// <remarks>The tree is appended to in order and read a trace at a time: its lists are on the pages this host makes cheaper to touch first (<see cref="ChunkedList{T}(bool)"/>).</remarks>
    public ChunkedList<int> Parent { get; } = new(writtenInOrder: true);

    /// <summary>Per node, the alphabet index of the operation it was first reached by (<see cref="NoOp"/> for the root).</summary>
    /// <remarks>16 bits: an alphabet has at most a few hundred operations, and two bytes a state count at millions of states.</remarks>
    public ChunkedList<ushort> ParentOp { get; } = new(writtenInOrder: true);

    /// <summary>The root's <see cref="ParentOp"/>: no operation.</summary>
    public const ushort NoOp = ushort.MaxValue;

    /// <summary>Per node, the length of its trace.</summary>
    public DepthList Depth { get; } = new();

    /// <summary>The number of nodes.</summary>
    public int Count => Parent.Count;

    /// <summary>The largest depth of a node (0 when empty).</summary>
    public int MaxDepth { get; private set; }

    /// <summary>Records a node reached from <paramref name="parent"/> by the operation at <paramref name="op"/>; the root has parent -1.</summary>
    public void Add(int parent, int op, int depth)
    {
        if (op >= NoOp) throw new ArgumentOutOfRangeException(nameof(op), op, $"an alphabet of at most {NoOp} operations");
        Parent.Add(parent);
        ParentOp.Add(op < 0 ? NoOp : (ushort)op);
        Depth.Add(depth);
        if (depth > MaxDepth) MaxDepth = depth;
    }

    /// <summary>Forgets every node and keeps the storage.</summary>
    public void Clear()
    {
        Parent.Clear();
        ParentOp.Clear();
        Depth.Clear();
        MaxDepth = 0;
    }

    /// <summary>The operations from the root to a node, then <paramref name="then"/>: a shortest trace to the node, when nodes are added breadth-first.</summary>
    /// <remarks>Every trace a search reports is built here: a trace is a list of operations.</remarks>
    public List<Operation> PathTo(int node, Operation[] alphabet, params ReadOnlySpan<Operation> then)
    {
        var path = new List<Operation>(Depth[node] + then.Length);
        for (var s = node; Parent[s] >= 0; s = Parent[s]) path.Add(alphabet[ParentOp[s]]);
        path.Reverse();
        path.AddRange(then);
        return path;
    }
}
