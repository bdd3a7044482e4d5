using System.Runtime.CompilerServices;

namespace Klp.Check.Engine;

/// <summary>The bookkeeping every breadth-first search shares: nodes numbered in the order found, the search tree, the state and depth caps, the frontier they leave, the transitions counted.</summary>
/// <remarks>
/// A search adds the root, then hands <see cref="Run"/> a function that expands one level (the
/// nodes of one depth, ids <c>start</c> to <c>end</c>) by offering each accepted successor to
/// <see cref="Reach"/> in node and operation order; how it finds successors (the explorer's
/// prefetching pipeline, the lockstep product's step of every reading) is its own. New nodes get
/// the next id, a tree entry and a place in the <see cref="StateTable{TKey, TStore}"/>. One
/// instance serves one search at a time and keeps its table for the next.
/// </remarks>
/// <typeparam name="TKey">The value of a node as the search hands it over.</typeparam>
/// <typeparam name="TStore">Where the nodes' values are kept.</typeparam>
internal sealed class BreadthFirst<TKey, TStore> where TKey : allows ref struct where TStore : struct, INodeStore<TKey>
{
    private ExploreLimits limits;

    /// <summary>The de-duplication table.</summary>
    public StateTable<TKey, TStore> Table { get; } = new();

    /// <summary>How each node was first reached.</summary>
    public SearchTree Tree { get; private set; } = new();

    /// <summary>The nodes some of whose successors a cap cut off, in id order.</summary>
    public List<int> Frontier { get; private set; } = [];

    /// <summary>Null while no cap has cut the search; otherwise which cap cut it first.</summary>
    public string? CutBy { get; private set; }

    /// <summary>Operations applied so far; the expanding function counts them here.</summary>
    public long Transitions { get; set; }

    /// <summary>Starts a search whose nodes go to <paramref name="nodes"/>, whose tree and frontier are recorded in the lists given (emptied first).</summary>
    public void Begin(TStore nodes, ExploreLimits limits, SearchTree tree, List<int> frontier)
    {
        this.limits = limits;
        Tree = tree;
        Tree.Clear();
        Frontier = frontier;
        Frontier.Clear();
        Table.Reset(nodes, limits.Fingerprints, limits.TableRoom);
        CutBy = null;
        Transitions = 0;
    }

    /// <summary>Adds the root node (id 0, depth 0, no parent).</summary>
    public void AddRoot(in TKey root, ulong print)
    {
        Tree.Add(-1, -1, 0);
        Table.Add(root, print);
    }

    /// <summary>Expands level after level until every node is expanded, the depth cap stops the search (the level it stops at is the frontier), or <paramref name="expandLevel"/> returns false.</summary>
    /// <param name="expandLevel">Expands the nodes from the first id to before the second; false stops the search.</param>
    public void Run(Func<int, int, bool> expandLevel)
    {
        var levelStart = 0;
        while (levelStart < Tree.Count)
        {
            var levelEnd = Tree.Count;
            if (Tree.Depth[levelStart] >= limits.DepthCap)
            {
                CutBy ??= limits.DepthCapText;
                for (var s = levelStart; s < levelEnd; s++) NoteFrontier(s);
                return;
            }
            if (!expandLevel(levelStart, levelEnd)) return;
            levelStart = levelEnd;
        }
    }

    /// <summary>The id of a successor of node <paramref name="from"/> (at <paramref name="depth"/>) by the operation at <paramref name="op"/>: a known node's, or a new one's (<paramref name="added"/>); -1 when it is new and the state cap cuts it off, which puts <paramref name="from"/> on the frontier.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Reach(int from, int op, int depth, in TKey successor, ulong print, out bool added)
    {
        var id = Table.Find(successor, print);
        added = id < 0;
        return added ? AddNew(from, op, depth, successor, print) : id;
    }

    // A successor the table does not know: the next id, unless the state cap cuts it off (-1).
    [MethodImpl(MethodImplOptions.NoInlining)]
    private int AddNew(int from, int op, int depth, in TKey successor, ulong print)
    {
        if (Tree.Count >= limits.StateCap)
        {
            CutBy ??= limits.StateCapText;
            NoteFrontier(from);
            return -1;
        }
        Tree.Add(from, op, depth + 1);
        return Table.Add(successor, print);
    }

    /// <summary>Lets go of the search's lists and store, and of a large table's memory.</summary>
    public void End()
    {
        Tree = new();
        Frontier = [];
        Table.Trim();
    }

    private void NoteFrontier(int node)
    {
        if (Frontier.Count == 0 || Frontier[^1] != node) Frontier.Add(node);
    }
}
