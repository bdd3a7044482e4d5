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
    private readonly IReadOnlyCollection<long>? customerLoads;
    private readonly int threads;
    // Each cached fact is computed by the first thread that asks; the others wait for it.
    private readonly Lazy<Scanned> scanned;
    private readonly Lazy<InstallEdges> installEdges;
    private readonly Lazy<ulong[]> enabledAhead, restrictedEnabledAhead;
    private readonly Lazy<bool[]> frontier, restrictedFrontier;

    /// <summary>Facts about a graph, none computed yet.</summary>
    /// <param name="graph">The explored graph.</param>
    /// <param name="customerLoads">The loads that replaced a customer patch, recorded during the search (<see cref="PropertyChecks.CustomerLoads"/>), or their keys (source state &lt;&lt; 32 | alphabet index) in any order; null to apply the loads again when asked.</param>
    /// <param name="threads">Threads a fact that splits by state ranges may be computed on.</param>
    public GraphFacts(StateGraph graph, IReadOnlyCollection<long>? customerLoads = null, int threads = 1)
    {
        (Graph, this.customerLoads, this.threads) = (graph, customerLoads, threads);
        Customers = CatalogMasks.Customers(graph.Catalog);
        const LazyThreadSafetyMode once = LazyThreadSafetyMode.ExecutionAndPublication;
        scanned = new(Scan, once);
        installEdges = new(ComputeInstallEdges, once);
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
    /// <param name="target">The states to reach; with several threads it is called from each of them.</param>
    /// <param name="restricted">Only over the operations of an atomic install: loads that replace no customer patch, a Complete that patches, unloads.</param>
    public bool[] CanReach(Func<KernelState, bool> target, bool restricted)
    {
        var states = Graph.States;
        var reach = LargePages.Allocate<bool>(states.Count);
        ForRanges((_, from, to) =>
        {
            for (var s = from; s < to; s++)
            {
                states.Read(s, out var st);
                reach[s] = !st.InTransition && target(st);
            }
        });
        Reachable(reach, restricted);
        return reach;
    }

    /// <summary>Per state, whether a quiescent state with no patch enabled is reachable from it: <see cref="CanReach"/> for that target, from flags kept per state.</summary>
    /// <param name="restricted">As for <see cref="CanReach"/>.</param>
    public bool[] CanReachNothingEnabled(bool restricted)
    {
        var flags = scanned.Value.Flags;
        var reach = LargePages.Allocate<bool>(flags.Length);
        ForRanges((_, from, to) =>
        {
            for (var s = from; s < to; s++) reach[s] = (flags[s] & NothingEnabled) != 0;
        });
        Reachable(reach, restricted);
        return reach;
    }

    /// <summary>Whether state <paramref name="s"/> is in a transition (not quiescent), from flags kept per state.</summary>
    public bool InTransition(int s) => (scanned.Value.Flags[s] & Quiescent) == 0;

    /// <summary>Per state, the patches (a mask over catalog indices) enabled in some quiescent state reachable from it, over the same operations as <see cref="CanReach"/>.</summary>
    /// <remarks>One fixpoint for every patch at once: a state's mask is the union of its own and its successors'.</remarks>
    public ulong[] EnabledAhead(bool restricted) => (restricted ? restrictedEnabledAhead : enabledAhead).Value;

    private ulong[] ComputeEnabledAhead(bool restricted)
    {
        var g = Graph;
        // No state's mask can grow past the union of all of them: a state that has it all is
        // not read again.
        var (mask, all) = EnabledMasks();
        var install = restricted ? installEdges.Value : null;
        Fixpoint((s, first, end) =>
        {
            var m = mask[s];
            var allowed = install?.Allowed(s) ?? ulong.MaxValue;
            if (m == all || allowed == 0) return false;
            var ahead = new AheadOf(mask, all, install, s, allowed, m);
            g.VisitEdges(s, first, end, ref ahead);
            if (ahead.Mask == m) return false;
            mask[s] = ahead.Mask;
            return true;
        }, forwardFirst: true);
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
        var install = restricted ? installEdges.Value : null;
        Fixpoint((s, first, end) =>
        {
            var allowed = install?.Allowed(s) ?? ulong.MaxValue;
            if (reach[s] || allowed == 0) return false;
            var found = new ReachingSuccessor(reach, install, s, allowed);
            return !g.VisitEdges(s, first, end, ref found) && (reach[s] = true);
        }, forwardFirst: false);
    }

    // A state's mask of what is enabled ahead, grown by its usable successors' masks until it
    // is the union of all.
    private struct AheadOf(ulong[] mask, ulong all, InstallEdges? install, int s, ulong allowed, ulong m) : IEdgeVisitor
    {
        public ulong Mask = m;

        public bool Visit(int target, int op)
        {
            if (install is not null && !install.Takes(s, op, allowed)) return true;
            Mask |= mask[target];
            return Mask != all;
        }
    }

    // Stops at the first usable successor known to reach.
    private readonly struct ReachingSuccessor(bool[] reach, InstallEdges? install, int s, ulong allowed) : IEdgeVisitor
    {
        public bool Visit(int target, int op) => !(reach[target] && (install is null || install.Takes(s, op, allowed)));
    }

    // A fixpoint's step for state s, given where its transitions begin and end (first, end):
    // true when its fact grew.
    private delegate bool Relax(int s, long first, long end);

    // Applies relax to every state, in id order and in reverse by turns, the first pass forward
    // or not, until a pass in which it changed nothing.
    // Which first is the fixpoint's: on positional-12, a reverse first pass settles most states
    // that reach a state with nothing enabled, where a forward one settled 5%; what is enabled
    // ahead (which stops reading a state's transitions once its mask is the union) took four
    // passes forward first and three reverse first, but about 0.19 s against 0.26 s in all (see
    // docs/performance.md).
    // With more than one thread, a pass deals the states out in blocks, block b to part
    // b % parts, each part taking its blocks in the pass's order: the parts move through the ids
    // side by side, so a pass settles about what one thread's pass settles (a state's successors
    // are mostly a level on, far from the block beside it). A relax writes only its own state's
    // entry and a fact only grows, so an entry read while another part writes it is its value
    // before or after, either below the fixpoint; a pass in which no part changed anything was
    // read throughout at its final values, so the fixpoint and the result are those of one thread.
    private void Fixpoint(Relax relax, bool forwardFirst)
    {
        var n = Graph.States.Count;
        var parts = Parts;
        // Blocks of at most 4,096 states (32 KB of masks), and at least four per part, so that
        // small graphs are dealt out too.
        var block = Math.Clamp(n / (4 * parts), 1, 4096);
        var blocks = (n + block - 1) / block;
        for (var (changed, forward) = (true, forwardFirst); changed; forward = !forward)
        {
            if (parts == 1)
            {
                changed = Pass(Graph, relax, forward, 0, 1, block, blocks, n);
                continue;
            }
            var any = 0;
            var direction = forward;
            Parallel.For(0, parts, new ParallelOptions { MaxDegreeOfParallelism = parts }, p =>
            {
                if (Pass(Graph, relax, direction, p, parts, block, blocks, n)) Volatile.Write(ref any, 1);
            });
            changed = any != 0;
        }
    }

    // One pass of part p of parts over its blocks, in id order or in reverse; true when a relax
    // changed something. Where each state's transitions begin is read a block at a time.
    private static bool Pass(StateGraph g, Relax relax, bool forward, int p, int parts, int block, int blocks, int n)
    {
        var changed = false;
        var starts = new long[block + 1];
        for (var k = p; k < blocks; k += parts)
        {
            var b = forward ? k : blocks - 1 - k;
            var (low, high) = (b * block, Math.Min(n, (b + 1) * block));
            g.CopyFirstEdges(low, starts.AsSpan(0, high - low + 1));
            if (forward)
                for (var s = low; s < high; s++) changed |= relax(s, starts[s - low], starts[s - low + 1]);
            else
                for (var s = high - 1; s >= low; s--) changed |= relax(s, starts[s - low], starts[s - low + 1]);
        }
        return changed;
    }

    // The states split into one range per part, the body run on each (part, first, end): on
    // several threads when the graph is large enough.
    private void ForRanges(Action<int, int, int> body)
    {
        var n = Graph.States.Count;
        var parts = Parts;
        if (parts == 1) body(0, 0, n);
        else Parallel.For(0, parts, new ParallelOptions { MaxDegreeOfParallelism = parts },
            p => body(p, (int)((long)n * p / parts), (int)((long)n * (p + 1) / parts)));
    }

    /// <summary>The fewest states for which a pass over the states (the flags kept per state, the fixpoints) is split among several threads.</summary>
    /// <remarks>Tests lower it to send small graphs through the split.</remarks>
    public int ParallelStates { get; init; } = 1 << 16;

    // The parts a pass over the states is split into.
    private int Parts => threads > 1 && Graph.States.Count >= ParallelStates ? threads : 1;

    // The flags kept per state (Scan): quiescent; quiescent with no patch enabled; a customer
    // patch in its list; its transition's target patched; one of its loads replaced a customer patch.
    private const byte Quiescent = 1, NothingEnabled = 2, CustomerIn = 4, TargetPatched = 8, Replaced = 16;

    // What one pass over the states gives: the flags of each; its enabled patches while
    // quiescent, taken by the first fixpoint of what is enabled ahead to start from (a second
    // reads the states again); and the loads that replaced a customer patch.
    private sealed class Scanned(byte[] flags, ulong[] enabled, ulong union, ReplacingLoads.Lookup replaced)
    {
        public byte[] Flags { get; } = flags;
        public ReplacingLoads.Lookup Replaced { get; } = replaced;
        private ulong[]? enabled = enabled;
        public (ulong[]? Masks, ulong Union) Take() => (Interlocked.Exchange(ref enabled, null), union);
    }

    // The states read once: the flags of each, its enabled patches, and the loads that replaced
    // a customer patch. Without the search's record, the loads out of a state with a customer
    // patch are applied again here, once, and the record is made of those that replaced one.
    private Scanned Scan()
    {
        var g = Graph;
        var customers = Customers;
        var n = g.States.Count;
        var flags = LargePages.Allocate<byte>(n);
        var enabled = LargePages.Allocate<ulong>(n);
        var kinds = Array.ConvertAll(g.Alphabet, op => op.Kind);
        var found = new List<long>[Parts];
        var union = new ulong[Parts];
        ForRanges((p, from, to) =>
        {
            var mine = found[p] = [];
            ulong any = 0;
            for (var s = from; s < to; s++)
            {
                var st = g.States.ReadMasks(s);
                var customerIn = (st.InPatches & customers) != 0;
                var f = (customerIn ? CustomerIn : 0) | (st.TargetPatched ? TargetPatched : 0);
                if (!st.InTransition)
                {
                    var m = enabled[s] = st.EnabledMask;
                    any |= m;
                    f |= Quiescent | (m == 0 ? NothingEnabled : 0);
                }
                flags[s] = (byte)f;
                if (!customerIn || customerLoads is not null) continue;
                for (long e = g.FirstEdge(s), end = g.FirstEdge(s + 1); e < end; e++)
                {
                    var op = g.OpOf(s, e);
                    if (kinds[op] == OpKind.Load && (g.AffectedBy(s, op) & customers) != 0) mine.Add((long)s << 32 | (uint)op);
                }
            }
            union[p] = any;
        });
        var record = customerLoads as ReplacingLoads ?? ReplacingLoads.From(customerLoads ?? found.SelectMany(f => f), g.Alphabet.Length);
        var replaced = record.Seal();
        foreach (var s in replaced.Sources()) flags[s] |= Replaced;
        return new Scanned(flags, enabled, union.Aggregate(0UL, (a, b) => a | b), replaced);
    }

    // The enabled patches of each quiescent state (0 in a transition) in an array of its own, and their union.
    private (ulong[] Masks, ulong Union) EnabledMasks()
    {
        var (masks, union) = scanned.Value.Take();
        if (masks is not null) return (masks, union);
        var g = Graph;
        masks = LargePages.Allocate<ulong>(g.States.Count);
        ForRanges((_, from, to) =>
        {
            for (var s = from; s < to; s++)
            {
                var st = g.States.ReadMasks(s);
                if (!st.InTransition) masks[s] = st.EnabledMask;
            }
        });
        return (masks, union);
    }

    private InstallEdges ComputeInstallEdges()
    {
        var scan = scanned.Value;
        return new InstallEdges(scan.Flags, scan.Replaced, Array.ConvertAll(Graph.Alphabet, op => op.Kind));
    }

    // Which transitions an atomic install may use: loads that replace no customer patch, a
    // Complete that patches, unloads. What decides it is in each state's flags: whether a
    // customer patch is in its list (only then can a load replace one), whether its transition's
    // target is patched, and whether one of its loads replaced a customer patch (those loads are
    // the record, ReplacingLoads). A table per operation and combination of the first two flags
    // says the rest; with at most 64 operations, a mask per combination says it for a whole state
    // at once, less the state's mask of replacing loads.
    private sealed class InstallEdges
    {
        private const byte No = 0, Yes = 1, UnlessReplaced = 2;
        private readonly byte[] flags;
        private readonly ReplacingLoads.Lookup replaced;
        private readonly byte[] table;
        private readonly int width;
        private readonly ulong[]? allowed;

        internal InstallEdges(byte[] flags, ReplacingLoads.Lookup replaced, OpKind[] kinds)
        {
            (this.flags, this.replaced, width) = (flags, replaced, kinds.Length);
            table = new byte[4 * width];
            for (var f = 0; f < 4; f++)
                for (var op = 0; op < width; op++)
                    table[f * width + op] = kinds[op] switch
                    {
                        OpKind.Load => (f << 2 & CustomerIn) == 0 ? Yes : UnlessReplaced,
                        OpKind.Complete => (f << 2 & TargetPatched) != 0 ? Yes : No,
                        OpKind.Unload => Yes,
                        _ => No,
                    };
            if (width > 64) return;
            allowed = new ulong[4];
            for (var f = 0; f < 4; f++)
                for (var op = 0; op < width; op++)
                    if (table[f * width + op] != No) allowed[f] |= 1UL << op;
        }

        // The operations usable from state s as a mask over the alphabet (0: none), or every bit
        // set when Takes must look at each (more than 64 operations; a state whose 64 operations
        // are all usable gives the same answers either way). A state with a replacing load has
        // those loads taken out of its mask, found by the state's rank in the record: under
        // upstream, a search of the record by halves per load out of such a state, in each pass
        // of a fixpoint, was a fifth of the check of positional-12, and one per state still 9%.
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        internal ulong Allowed(int s)
        {
            var f = flags[s];
            if (allowed is null) return ulong.MaxValue;
            var mask = allowed[f >> 2 & 3];
            return (f & Replaced) == 0 ? mask : mask & ~replaced.OpsOf(s);
        }

        // Whether the transition by operation op out of state s is usable, given Allowed(s).
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        internal bool Takes(int s, int op, ulong allowedHere) =>
            allowedHere != ulong.MaxValue ? (allowedHere >> op & 1) != 0 : Looked(s, op);

        private bool Looked(int s, int op)
        {
            var f = flags[s];
            var v = table[(f >> 2 & 3) * width + op];
            return v == Yes || v == UnlessReplaced && ((f & Replaced) == 0 || !replaced.Replacing(s, op));
        }
    }
}
