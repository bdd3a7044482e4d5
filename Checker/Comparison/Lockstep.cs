using System.Numerics;
using Klp.Check.Exploration;
using Klp.Check.Model;

namespace Klp.Check.Comparison;

/// <summary>Breadth-first exploration of the product of several readings' state machines under one shared alphabet.</summary>
/// <remarks>
/// A product state is the tuple of every reading's <see cref="KernelState"/>; tuples are de-duplicated by
/// value. Every operation of the alphabet is applied to every reading in every product state, and the
/// observables of each reading's outcome are compared with those of the first reading. Exploration stops
/// at the first difference, so the trace it returns is a shortest one, and the first in breadth-first
/// order among the shortest. The catalogs must name the same patches in the same order (a raw catalog
/// shared by every reading, or one release plan encoded by each). An instance reuses its buffers and is
/// not thread-safe; use one per thread.
/// </remarks>
public sealed class Lockstep
{
    private KernelState[] store = new KernelState[256];
    private readonly SearchTree tree = new();
    private readonly HashSet<int> exact;
    private readonly Dictionary<ulong, int> fingerprints = [];
    private int n;

    /// <summary>Creates an engine with empty buffers.</summary>
    public Lockstep() => exact = new HashSet<int>(new TupleComparer(this));

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
        var compare = new Observation(catalogs, readings, observed);
        var alphabet = AlphabetFor(catalogs, readings);
        n = readings.Count;
        tree.Clear();
        exact.Clear();
        fingerprints.Clear();
        var outcomes = new Outcome[n];
        long transitions = 0;
        string? cut = null;

        Reserve(1);
        for (var k = 0; k < n; k++) store[k] = KernelState.Empty;
        Commit(-1, -1, 0, limits.Fingerprints);
        for (var current = 0; current < tree.Count; current++)
        {
            var d = tree.Depth[current];
            if (d >= limits.DepthCap)
            {
                cut ??= limits.DepthCapText;
                continue;
            }
            for (var a = 0; a < alphabet.Length; a++)
            {
                var accepted = false;
                for (var k = 0; k < n; k++)
                {
                    outcomes[k] = Kernel.Step(catalogs[k], readings[k], store[current * n + k], alphabet[a]);
                    accepted |= outcomes[k].Accepted;
                }
                transitions++;
                var differs = compare.Differences(outcomes, accepted);
                if (differs != Observed.None)
                {
                    var trace = tree.PathTo(current, alphabet);
                    trace.Add(alphabet[a]);
                    var views = new LockstepView[n];
                    for (var k = 0; k < n; k++) views[k] = new LockstepView(readings[k], catalogs[k], store[current * n + k], outcomes[k]);
                    return new LockstepResult(new Divergence(trace, differs, views), tree.Count, transitions, null);
                }
                // A refusal leaves a state unchanged: when every reading refuses, there is no new tuple.
                if (!accepted) continue;
                var candidate = tree.Count;
                Reserve(candidate + 1);
                for (var k = 0; k < n; k++) store[candidate * n + k] = outcomes[k].State;
                if (Known(candidate, limits.Fingerprints)) continue;
                if (tree.Count >= limits.StateCap)
                {
                    cut ??= limits.StateCapText;
                    continue;
                }
                Commit(current, a, d + 1, limits.Fingerprints);
            }
        }
        return new LockstepResult(null, tree.Count, transitions, cut);
    }

    private void Reserve(int tuples)
    {
        if (store.Length >= tuples * n) return;
        Array.Resize(ref store, Math.Max(store.Length * 2, tuples * n));
    }

    private ulong Fingerprint(int tuple)
    {
        var h = 0xCBF29CE484222325UL;
        for (var k = 0; k < n; k++) h = (h ^ store[tuple * n + k].Fingerprint()) * 0x100000001B3UL;
        return h;
    }

    // The candidate tuple sits in the store just past the last committed one.
    private bool Known(int candidate, bool byFingerprint) =>
        byFingerprint ? fingerprints.ContainsKey(Fingerprint(candidate)) : exact.Contains(candidate);

    private void Commit(int from, int op, int d, bool byFingerprint)
    {
        var id = tree.Count;
        tree.Add(from, op, d);
        if (byFingerprint) fingerprints[Fingerprint(id)] = id;
        else exact.Add(id);
    }

    private sealed class TupleComparer(Lockstep owner) : IEqualityComparer<int>
    {
        public bool Equals(int a, int b)
        {
            var s = owner.store;
            var n = owner.n;
            for (var k = 0; k < n; k++)
                if (!s[a * n + k].Equals(s[b * n + k])) return false;
            return true;
        }

        public int GetHashCode(int tuple)
        {
            var h = owner.Fingerprint(tuple);
            return (int)h ^ (int)(h >> 32);
        }
    }
}
