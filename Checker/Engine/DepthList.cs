using System.Collections;
using System.Runtime.CompilerServices;

namespace Klp.Check.Engine;

/// <summary>The depth of each node of a search tree, kept once per run of equal depths: a breadth-first search, whose nodes come level by level, keeps a few entries for millions of nodes.</summary>
/// <remarks>
/// Four bytes per node were 708 MB of positional-14's 177 M states. Nodes added in any other order (the
/// graph of a replayed run revisits earlier states) take an entry per change of depth, at most
/// one per node.
/// </remarks>
public sealed class DepthList : IReadOnlyList<int>
{
    // Per run, its first node and the depth of its nodes, in node order.
    private readonly RunList<int> runs = new();

    /// <summary>The number of nodes.</summary>
    public int Count { get; private set; }

    /// <summary>The number of runs of equal depths kept.</summary>
    public int Runs => runs.Count;

    /// <summary>Records the next node's depth.</summary>
    public void Add(int depth)
    {
        runs.Add(Count, depth);
        Count++;
    }

    /// <summary>The depth of a node.</summary>
    public int this[int node]
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            if ((uint)node >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(node), node, "past the end of the list");
            // A search reads the level it expands, the last run or the one before it.
            return runs.ValueAt(node);
        }
    }

    /// <summary>Forgets every node.</summary>
    public void Clear()
    {
        runs.Clear();
        Count = 0;
    }

    /// <summary>The depths in node order.</summary>
    public IEnumerator<int> GetEnumerator()
    {
        for (var r = 0; r < runs.Count; r++)
        {
            var end = r + 1 < runs.Count ? runs[r + 1].From : Count;
            for (var i = runs[r].From; i < end; i++) yield return runs[r].Value;
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
