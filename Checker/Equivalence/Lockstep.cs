using System.Numerics;
using Klp.Check.Engine;
using Klp.Check.Model;

namespace Klp.Check.Equivalence;

/// <summary>Breadth-first exploration of the product of several readings' state machines under one shared alphabet.</summary>
/// <remarks>
/// A product state is the tuple of every reading's <see cref="KernelState"/>; tuples are de-duplicated by
/// value (or by fingerprint, with the limits' fingerprints). The search is the explorer's engine, a
/// <see cref="BreadthFirst{TKey, TStore}"/> with its table, tree and caps, over tuples stored flat, n
/// states per product state. Every operation of the alphabet is applied to every reading in every product
/// state, and the observables of each reading's outcome are compared with those of the first reading.
/// Exploration stops at the first difference, so the trace it returns is a shortest one, and the first in
/// breadth-first order among the shortest. The catalogs must name the same patches in the same order (a
/// raw catalog shared by every reading, or one release plan encoded by each). An instance reuses its
/// buffers and is not thread-safe; use one per thread.
/// </remarks>
public sealed class Lockstep
{
    private readonly BreadthFirst<KernelState[], Tuples> search = new();
    private readonly ChunkedList<KernelState> store = new();
    private readonly SearchTree tree = new();
    private readonly List<int> frontier = [];
    private readonly Func<int, int, bool> expandLevel;

    // The run in progress.
    private IReadOnlyList<Catalog> catalogs = [];
    private IReadOnlyList<Reading> readings = [];
    private Observation? compare;
    private Operation[] alphabet = [];
    // Per reading, the state after the operation being applied (the candidate product state when
    // any reading accepts it) and the operation's effect.
    private KernelState[] after = [];
    private Effect[] effects = [];
    private Divergence? divergence;

    /// <summary>Creates an engine with empty buffers.</summary>
    public Lockstep() => expandLevel = ExpandLevel;

    /// <summary>The alphabet lockstep exploration uses: two-phase operations when any reading is two-phase.</summary>
    public static Operation[] AlphabetFor(IReadOnlyList<Catalog> catalogs, IReadOnlyList<Reading> readings)
    {
        var twoPhase = false;
        foreach (var r in readings) twoPhase |= r.Options.Granularity == Granularity.TwoPhase;
        return Alphabet.For(catalogs[0], twoPhase ? Granularity.TwoPhase : Granularity.Atomic);
    }

    /// <summary>Explores the readings in lockstep until some observable differs, or every product state is expanded.</summary>
    /// <exception cref="ArgumentException">Fewer than two readings, or catalogs that do not name the same patches.</exception>
    public LockstepResult Run(IReadOnlyList<Catalog> catalogs, IReadOnlyList<Reading> readings, Observed observed, ExploreLimits limits = default)
    {
        if (readings.Count < 2 || catalogs.Count != readings.Count) throw new ArgumentException("lockstep needs two or more readings, one catalog each");
        compare = new Observation(catalogs, readings, observed);
        this.catalogs = catalogs;
        this.readings = readings;
        alphabet = AlphabetFor(catalogs, readings);
        var n = readings.Count;
        if (after.Length != n) (after, effects) = (new KernelState[n], new Effect[n]);
        divergence = null;
        store.Clear();
        search.Begin(new Tuples(store, n), limits, tree, frontier);
        Array.Fill(after, KernelState.Empty);
        search.AddRoot(after, Fingerprint(after));
        search.Run(expandLevel);
        var result = new LockstepResult(divergence, tree.Count, search.Transitions, divergence is null ? search.CutBy : null);
        (this.catalogs, this.readings, compare, divergence) = ([], [], null, null);
        return result;
    }

    // Expands the product states of one level; false at the first divergence.
    private bool ExpandLevel(int start, int end)
    {
        var n = after.Length;
        for (var current = start; current < end; current++)
        {
            var d = tree.Depth[current];
            for (var a = 0; a < alphabet.Length; a++)
            {
                var accepted = false;
                for (var k = 0; k < n; k++)
                {
                    // As Kernel.Step, without the copies of its outcome: the state is written in place.
                    ref readonly var before = ref store[current * n + k];
                    after[k] = before;
                    effects[k] = Kernel.Apply(catalogs[k], readings[k], before, alphabet[a], ref after[k]);
                    accepted |= effects[k].Accepted;
                }
                search.Transitions++;
                var differs = compare!.Differences(after, effects, accepted);
                if (differs != Observed.None)
                {
                    var trace = tree.PathTo(current, alphabet, alphabet[a]);
                    var views = new LockstepView[n];
                    for (var k = 0; k < n; k++)
                        views[k] = new LockstepView(readings[k], catalogs[k], store[current * n + k], effects[k].With(after[k]));
                    divergence = new Divergence(trace, differs, views);
                    return false;
                }
                // A refusal leaves a state unchanged: when every reading refuses, there is no new tuple.
                if (!accepted) continue;
                search.Reach(current, a, d, after, Fingerprint(after), out _);
            }
        }
        return true;
    }

    private static ulong Fingerprint(KernelState[] tuple)
    {
        var h = 0xCBF29CE484222325UL;
        foreach (ref readonly var s in tuple.AsSpan()) h = (h ^ s.Fingerprint()) * 0x100000001B3UL;
        return h;
    }

    // Product states stored flat, n kernel states each, compared by value.
    private readonly struct Tuples(ChunkedList<KernelState> store, int n) : INodeStore<KernelState[]>
    {
        public bool Matches(int id, in KernelState[] candidate)
        {
            for (var k = 0; k < n; k++)
                if (!store[id * n + k].Same(candidate[k])) return false;
            return true;
        }

        public void Append(in KernelState[] value)
        {
            foreach (ref readonly var s in value.AsSpan()) store.Add(s);
        }
    }
}
