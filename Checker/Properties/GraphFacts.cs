using Klp.Check.Exploration;
using Klp.Check.Model;

namespace Klp.Check.Properties;

/// <summary>Facts about an explored graph that several properties need, each computed once, when first asked, in compact arrays.</summary>
/// <param name="graph">The explored graph.</param>
public sealed class GraphFacts(StateGraph graph)
{
    private ReverseGraph? reverse;
    private bool[]? frontier, restrictedFrontier;
    private ulong[]? enabledAhead, restrictedEnabledAhead;
    private ulong? customers;

    // The predecessors of state s are From[Start[s]..Start[s + 1]], in edge order: two arrays
    // for the whole graph instead of a list per state. An entry has its sign bit set when its
    // transition is not one of the restricted operations, so both kinds of search share one array.
    private sealed record ReverseGraph(int[] Start, int[] From);

    private const int Unrestricted = int.MinValue;

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
        Backwards(Reverse(), restricted, reach, queue, tail);
        return reach;
    }

    /// <summary>Per state, the patches (a mask over catalog indices) enabled in some quiescent state reachable from it, over the same operations as <see cref="CanReach"/>.</summary>
    /// <remarks>One backward search for every patch at once: a state is queued again only when it learns of a patch it did not know of.</remarks>
    public ulong[] EnabledAhead(bool restricted)
    {
        var cached = restricted ? restrictedEnabledAhead : enabledAhead;
        if (cached is not null) return cached;
        var n = Graph.States.Count;
        var rev = Reverse();
        var mask = new ulong[n];
        var queued = new bool[n];
        // A ring of at most n entries: a state is in it at most once at a time.
        var queue = new int[n];
        int head = 0, count = 0;
        for (var s = 0; s < n; s++)
        {
            ref readonly var st = ref Graph.States[s];
            if (st.InTransition || (mask[s] = Observables.EnabledMask(st)) == 0) continue;
            queued[s] = true;
            queue[(head + count++) % n] = s;
        }
        while (count > 0)
        {
            var s = queue[head];
            head = head + 1 == n ? 0 : head + 1;
            count--;
            queued[s] = false;
            var m = mask[s];
            for (var i = rev.Start[s]; i < rev.Start[s + 1]; i++)
            {
                var entry = rev.From[i];
                if (restricted && entry < 0) continue;
                var p = entry & int.MaxValue;
                if ((mask[p] | m) == mask[p]) continue;
                mask[p] |= m;
                if (queued[p]) continue;
                queued[p] = true;
                queue[(head + count++) % n] = p;
            }
        }
        if (restricted) restrictedEnabledAhead = mask;
        else enabledAhead = mask;
        return mask;
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
        Backwards(Reverse(), restricted, reach, queue, tail);
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
    private static void Backwards(ReverseGraph rev, bool restricted, bool[] reach, int[] queue, int tail)
    {
        var head = 0;
        while (head < tail)
        {
            var s = queue[head++];
            for (var i = rev.Start[s]; i < rev.Start[s + 1]; i++)
            {
                var entry = rev.From[i];
                if (restricted && entry < 0) continue;
                var p = entry & int.MaxValue;
                if (reach[p]) continue;
                reach[p] = true;
                queue[tail++] = p;
            }
        }
    }

    private ReverseGraph Reverse()
    {
        if (reverse is not null) return reverse;
        var g = Graph;
        var n = g.States.Count;
        var start = new int[n + 1];
        for (var e = 0; e < g.EdgeCount; e++) start[g.TargetOf(e) + 1]++;
        for (var s = 0; s < n; s++) start[s + 1] += start[s];
        var from = new int[start[^1]];
        var next = start[..^1];
        for (var s = 0; s < n; s++)
        {
            var end = g.FirstEdge(s + 1);
            for (var e = g.FirstEdge(s); e < end; e++)
                from[next[g.TargetOf(e)]++] = s | (Restricted(s, g.OpOf(e)) ? 0 : Unrestricted);
        }
        return reverse = new ReverseGraph(start, from);
    }

    // The operations of an atomic install: loads that replace no customer patch, a Complete that
    // patches, unloads. A load replaces only patches in the list, so what it replaced is
    // recomputed only when a customer patch is there.
    private bool Restricted(int state, int op) => Graph.Alphabet[op].Kind switch
    {
        OpKind.Load => (Graph.States[state].InPatches & Customers) == 0 || (Graph.AffectedBy(state, op) & Customers) == 0,
        OpKind.Complete => Graph.States[state].TargetPatched,
        OpKind.Unload => true,
        _ => false,
    };
}
