using Klp.Check.Engine;
using Klp.Check.Model;

namespace Klp.Check.Properties;

/// <summary>Facts about an explored graph that several properties need, each computed once, when first asked, in compact arrays.</summary>
/// <remarks>
/// The liveness facts ("a state of some kind is reachable from here") are least fixpoints over
/// the stored forward graph: a state learns what its successors know, in passes over the states
/// in reverse id order and in id order by turns, until a pass changes nothing. The graph is stored
/// grouped by source, so a pass reads it front to back, and what a pass looks up per successor
/// is a bit or a mask per state. Breadth-first ids make a few passes enough (see
/// docs/performance.md); no reverse graph is built.
/// <para>
/// Several properties may ask at once, from several threads (<see cref="PropertyChecks.Finish"/>
/// with more than one thread): each cached fact is computed once, under a lock of its own, by the
/// first thread that asks, and the others wait for it; what is computed does not depend on which.
/// </para>
/// </remarks>
public sealed class GraphFacts
{
    private readonly IReadOnlySet<long>? customerLoads;
    private readonly int threads;
    // Each cached fact is computed by the first thread that asks; the others wait for it.
    private readonly Lazy<ulong[]> restrictedEdges, enabledAhead, restrictedEnabledAhead;
    private readonly Lazy<bool[]> frontier, restrictedFrontier;

    /// <summary>Facts about a graph, none computed yet.</summary>
    /// <param name="graph">The explored graph.</param>
    /// <param name="customerLoads">The loads that replaced a customer patch, recorded during the search (<see cref="PropertyChecks.CustomerLoads"/>); null to apply the loads again when asked.</param>
    /// <param name="threads">Threads a fact that splits by state ranges may be computed on.</param>
    public GraphFacts(StateGraph graph, IReadOnlySet<long>? customerLoads = null, int threads = 1)
    {
        (Graph, this.customerLoads, this.threads) = (graph, customerLoads, threads);
        Customers = CatalogMasks.Customers(graph.Catalog);
        const LazyThreadSafetyMode once = LazyThreadSafetyMode.ExecutionAndPublication;
        restrictedEdges = new(ComputeRestrictedEdges, once);
        enabledAhead = new(() => ComputeEnabledAhead(restricted: false), once);
        restrictedEnabledAhead = new(() => ComputeEnabledAhead(restricted: true), once);
        frontier = new(() => ComputeReachesFrontier(restricted: false), once);
        restrictedFrontier = new(() => ComputeReachesFrontier(restricted: true), once);
    }

    /// <summary>The graph.</summary>
    public StateGraph Graph { get; }

    /// <summary>The catalog explored.</summary>
    public Catalog Catalog => Graph.Catalog;

    /// <summary>The customer patches, as a mask over catalog indices.</summary>
    public ulong Customers { get; }

    /// <summary>Per state, whether a state matching <paramref name="target"/> (quiescent) is reachable from it.</summary>
    /// <param name="target">The states to reach.</param>
    /// <param name="restricted">Only over the operations of an atomic install: loads that replace no customer patch, a Complete that patches, unloads.</param>
    public bool[] CanReach(Func<KernelState, bool> target, bool restricted)
    {
        var states = Graph.States;
        var reach = LargePages.Allocate<bool>(states.Count);
        for (var s = 0; s < states.Count; s++)
        {
            states.Read(s, out var st);
            reach[s] = !st.InTransition && target(st);
        }
        Reachable(reach, restricted);
        return reach;
    }

    /// <summary>Per state, the patches (a mask over catalog indices) enabled in some quiescent state reachable from it, over the same operations as <see cref="CanReach"/>.</summary>
    /// <remarks>One fixpoint for every patch at once: a state's mask is the union of its own and its successors'.</remarks>
    public ulong[] EnabledAhead(bool restricted) => (restricted ? restrictedEnabledAhead : enabledAhead).Value;

    private ulong[] ComputeEnabledAhead(bool restricted)
    {
        var g = Graph;
        var n = g.States.Count;
        var mask = LargePages.Allocate<ulong>(n);
        // No state's mask can grow past the union of all of them: a state that has it all is
        // not read again.
        ulong all = 0;
        for (var s = 0; s < n; s++)
        {
            g.States.Read(s, out var st);
            if (!st.InTransition) all |= mask[s] = Observables.EnabledMask(st);
        }
        var usable = restricted ? RestrictedEdges() : null;
        Fixpoint(s =>
        {
            var m = mask[s];
            if (m == all) return false;
            var end = g.FirstEdge(s + 1);
            for (var e = g.FirstEdge(s); e < end; e++)
                if (usable is null || (usable[e >> 6] >> (int)e & 1) != 0) m |= mask[g.TargetOf(e)];
            if (m == mask[s]) return false;
            mask[s] = m;
            return true;
        });
        return mask;
    }

    /// <summary>Per state, whether a frontier state (one a cap left partly unexplored) is reachable from it over the same operations as <see cref="CanReach"/>.</summary>
    public bool[] ReachesFrontier(bool restricted) => (restricted ? restrictedFrontier : frontier).Value;

    private bool[] ComputeReachesFrontier(bool restricted)
    {
        var reach = LargePages.Allocate<bool>(Graph.States.Count);
        foreach (var s in Graph.Frontier) reach[s] = true;
        Reachable(reach, restricted);
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

    // Extends reach[] to every state with a usable transition to a state in it (see Fixpoint). A
    // state already known to reach is not read again.
    private void Reachable(bool[] reach, bool restricted)
    {
        var g = Graph;
        var usable = restricted ? RestrictedEdges() : null;
        Fixpoint(s =>
        {
            if (reach[s]) return false;
            var end = g.FirstEdge(s + 1);
            for (var e = g.FirstEdge(s); e < end; e++)
                if (reach[g.TargetOf(e)] && (usable is null || (usable[e >> 6] >> (int)e & 1) != 0)) return reach[s] = true;
            return false;
        });
    }

    // Applies relax to every state, in reverse id order and in id order by turns, until a pass
    // in which it changed nothing.
    // Reverse order first: on positional-12 a reverse first pass settles most states of both
    // fixpoints, where a forward first pass settled 5% of the states that reach the empty kernel.
    // With more than one thread, a pass deals the states out in blocks, block b to part
    // b % parts, each part taking its blocks in the pass's order: the parts move through the ids
    // side by side, so a pass settles about what one thread's pass settles (a state's successors
    // are mostly a level on, far from the block beside it). A relax writes only its own state's
    // entry and a fact only grows, so an entry read while another part writes it is its value
    // before or after, either below the fixpoint; a pass in which no part changed anything was
    // read throughout at its final values, so the fixpoint and the result are those of one thread.
    private void Fixpoint(Func<int, bool> relax)
    {
        var n = Graph.States.Count;
        var parts = threads > 1 && n >= ParallelStates ? threads : 1;
        // Blocks of at most 4,096 states (32 KB of masks), and at least four per part, so that
        // small graphs are dealt out too.
        var block = Math.Clamp(n / (4 * parts), 1, 4096);
        var blocks = (n + block - 1) / block;
        for (var (changed, forward) = (true, false); changed; forward = !forward)
        {
            if (parts == 1)
            {
                changed = Pass(relax, forward, 0, 1, block, blocks, n);
                continue;
            }
            var any = 0;
            var direction = forward;
            Parallel.For(0, parts, new ParallelOptions { MaxDegreeOfParallelism = parts }, p =>
            {
                if (Pass(relax, direction, p, parts, block, blocks, n)) Volatile.Write(ref any, 1);
            });
            changed = any != 0;
        }
    }

    // One pass of part p of parts over its blocks, in id order or in reverse; true when a relax changed something.
    private static bool Pass(Func<int, bool> relax, bool forward, int p, int parts, int block, int blocks, int n)
    {
        var changed = false;
        for (var k = p; k < blocks; k += parts)
        {
            var b = forward ? k : blocks - 1 - k;
            var (low, high) = (b * block, Math.Min(n, (b + 1) * block));
            if (forward)
                for (var s = low; s < high; s++) changed |= relax(s);
            else
                for (var s = high - 1; s >= low; s--) changed |= relax(s);
        }
        return changed;
    }

    // Per transition, one bit: set when it is one of the operations of an atomic install: loads
    // that replace no customer patch, a Complete that patches, unloads. A load replaces only
    // patches in the list, so what it replaced is looked up only when a customer patch is there:
    // in the record of the search, sorted once and searched by halves, or by applying it again.
    // With more than one thread, the states are split into ranges computed in parallel; a range
    // gathers each word's bits locally and ORs the word in as one, so two ranges sharing a word
    // at their boundary both land.
    private ulong[] RestrictedEdges() => restrictedEdges.Value;

    private ulong[] ComputeRestrictedEdges()
    {
        var g = Graph;
        var bits = LargePages.Allocate<ulong>(checked((int)((g.EdgeCount + 63) / 64)));
        var kinds = Array.ConvertAll(g.Alphabet, op => op.Kind);
        var recorded = customerLoads?.Order().ToArray();
        var n = g.States.Count;
        var parts = threads > 1 && n >= ParallelStates ? threads : 1;
        if (parts == 1) RestrictedEdges(bits, kinds, recorded, 0, n);
        else Parallel.For(0, parts, new ParallelOptions { MaxDegreeOfParallelism = parts },
            p => RestrictedEdges(bits, kinds, recorded, (int)((long)n * p / parts), (int)((long)n * (p + 1) / parts)));
        return bits;
    }

    /// <summary>The fewest states for which a fact that splits by state ranges or blocks (the atomic install's edges, the fixpoints) is computed on several threads.</summary>
    /// <remarks>Tests lower it to send small graphs through the split.</remarks>
    public int ParallelStates { get; init; } = 1 << 16;

    private void RestrictedEdges(ulong[] bits, OpKind[] kinds, long[]? recorded, int from, int to)
    {
        var g = Graph;
        var customers = Customers;
        var word = -1;
        ulong gathered = 0;
        for (var s = from; s < to; s++)
        {
            g.States.Read(s, out var st);
            var customerIn = (st.InPatches & customers) != 0;
            var end = g.FirstEdge(s + 1);
            for (var e = g.FirstEdge(s); e < end; e++)
            {
                var op = g.OpOf(s, e);
                var usable = kinds[op] switch
                {
                    OpKind.Load => !customerIn || (recorded is null
                        ? (g.AffectedBy(s, op) & customers) == 0
                        : recorded.Length == 0 || Array.BinarySearch(recorded, (long)s << 32 | (uint)op) < 0),
                    OpKind.Complete => st.TargetPatched,
                    OpKind.Unload => true,
                    _ => false,
                };
                if (!usable) continue;
                if ((int)(e >> 6) != word)
                {
                    if (gathered != 0) Interlocked.Or(ref bits[word], gathered);
                    (word, gathered) = ((int)(e >> 6), 0);
                }
                gathered |= 1UL << (int)e;
            }
        }
        if (gathered != 0) Interlocked.Or(ref bits[word], gathered);
    }
}
