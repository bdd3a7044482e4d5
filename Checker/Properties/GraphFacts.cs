using Klp.Check.Exploration;
using Klp.Check.Model;

namespace Klp.Check.Properties;

/// <summary>Facts about an explored graph that several properties need, each computed once, when first asked, in compact arrays.</summary>
/// <param name="graph">The explored graph.</param>
public sealed class GraphFacts(StateGraph graph)
{
    private ReverseGraph? reverse, restrictedReverse;
    private bool[]? frontier, restrictedFrontier;
    private ulong? customers;

    // The predecessors of state s are From[Start[s]..Start[s + 1]], in edge order: two arrays
    // for the whole graph instead of a list per state.
    private sealed record ReverseGraph(int[] Start, int[] From);

    /// <summary>The graph.</summary>
    public StateGraph Graph { get; } = graph;

    /// <summary>The catalog explored.</summary>
    public Catalog Catalog => Graph.Catalog;

    /// <summary>The customer patches, as a mask over catalog indices.</summary>
    public ulong Customers => customers ??= CatalogMasks.Customers(Catalog);

    /// <summary>Per state, whether a state matching <paramref name="target"/> (quiescent) is reachable from it.</summary>
    /// <param name="target">The states to reach.</param>
    /// <param name="restricted">Only over the operations of an atomic install: loads that replace no customer patch, a Complete that patches, unloads.</param>
    public bool[] CanReach(Func<KernelState, bool> target, bool restricted)
    {
        var states = Graph.States;
        var reach = new bool[states.Count];
        var queue = new int[states.Count];
        var tail = 0;
        for (var s = 0; s < states.Count; s++)
        {
            var st = states[s];
            if (!st.InTransition && target(st))
            {
                reach[s] = true;
                queue[tail++] = s;
            }
        }
        Backwards(Reverse(restricted), reach, queue, tail);
        return reach;
    }

    /// <summary>Per state, whether a frontier state (one a cap left partly unexplored) is reachable from it over the same operations as <see cref="CanReach"/>.</summary>
    public bool[] ReachesFrontier(bool restricted)
    {
        var cached = restricted ? restrictedFrontier : frontier;
        if (cached is not null) return cached;
        var reach = new bool[Graph.States.Count];
        var queue = new int[Graph.States.Count];
        var tail = 0;
        foreach (var s in Graph.Frontier)
        {
            reach[s] = true;
            queue[tail++] = s;
        }
        Backwards(Reverse(restricted), reach, queue, tail);
        if (restricted) restrictedFrontier = reach;
        else frontier = reach;
        return reach;
    }

    /// <summary>Decides a liveness property from the states that fail it within the explored graph.</summary>
    /// <param name="restricted">The operations the property's paths may use (as for <see cref="CanReach"/>).</param>
    /// <param name="fails">For a state id, what is wrong there, or null.</param>
    /// <returns>The first failing state from which no frontier state is reachable (what is reachable from it was explored in full, so it is a real violation); else undecided when some state failed only within the explored part; else nothing.</returns>
    public CatalogFinding Liveness(bool restricted, Func<int, string?> fails)
    {
        var open = Graph.Frontier.Count > 0 ? ReachesFrontier(restricted) : null;
        var undecided = false;
        for (var s = 0; s < Graph.States.Count; s++)
        {
            if (fails(s) is not { } what) continue;
            if (open is null || !open[s]) return new CatalogFinding(true, true, Graph.PathTo(s), what);
            undecided = true;
        }
        return undecided ? CatalogFinding.Undecided : CatalogFinding.Nothing;
    }

    // Breadth-first backwards from the queued states; each state enters the queue once.
    private static void Backwards(ReverseGraph rev, bool[] reach, int[] queue, int tail)
    {
        var head = 0;
        while (head < tail)
        {
            var s = queue[head++];
            for (var i = rev.Start[s]; i < rev.Start[s + 1]; i++)
            {
                var p = rev.From[i];
                if (reach[p]) continue;
                reach[p] = true;
                queue[tail++] = p;
            }
        }
    }

    private ReverseGraph Reverse(bool restricted)
    {
        var cached = restricted ? restrictedReverse : reverse;
        if (cached is not null) return cached;
        var g = Graph;
        var cust = Customers;
        bool Kept(in Edge e)
        {
            if (!restricted) return true;
            return g.Alphabet[e.Op].Kind switch
            {
                OpKind.Load => (e.Affected & cust) == 0,
                OpKind.Complete => g.States[e.From].TargetPatched,
                OpKind.Unload => true,
                _ => false,
            };
        }
        var edges = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(g.Edges);
        var start = new int[g.States.Count + 1];
        foreach (ref readonly var e in edges)
            if (Kept(e)) start[e.To + 1]++;
        for (var s = 0; s < g.States.Count; s++) start[s + 1] += start[s];
        var from = new int[start[^1]];
        var next = start[..^1];
        foreach (ref readonly var e in edges)
            if (Kept(e)) from[next[e.To]++] = e.From;
        var rev = new ReverseGraph(start, from);
        if (restricted) restrictedReverse = rev;
        else reverse = rev;
        return rev;
    }
}
