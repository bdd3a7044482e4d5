using System.Numerics;
using Klp.Check.Exploration;
using Klp.Check.Model;

namespace Klp.Check.Comparison;

/// <summary>What lockstep exploration compares after every step (docs/semantics.md section 2.2, "Observables").</summary>
[Flags]
public enum Observed : byte
{
    /// <summary>Nothing.</summary>
    None = 0,
    /// <summary>The outcome: accepted, or refused with errno and reason; and what it replaced or removed.</summary>
    Outcome = 1,
    /// <summary>The enabled patches, in list order.</summary>
    Enabled = 2,
    /// <summary>The active implementation of every function.</summary>
    Active = 4,
    /// <summary>The active states: id, version and <c>block_disable</c> flag.</summary>
    States = 8,
    /// <summary>The set numbers each enabled patch occupies, in list order.</summary>
    Sets = 16,
    /// <summary>During a transition, the code switched and unswitched tasks run for every function (outside one it is <see cref="Active"/>).</summary>
    Runs = 32,
    /// <summary>Every observable.</summary>
    All = Outcome | Enabled | Active | States | Sets | Runs,
}

/// <summary>The names of <see cref="Observed"/> values as the tool prints and parses them.</summary>
public static class ObservedText
{
    private static readonly (Observed Flag, string Name)[] names =
    [
        (Observed.Outcome, "outcome"), (Observed.Enabled, "enabled"), (Observed.Active, "active"),
        (Observed.States, "states"), (Observed.Sets, "sets"), (Observed.Runs, "runs"),
    ];

    /// <summary>The observable names, in the order reports list them.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. names.Select(n => n.Name)];

    /// <summary>The names of the flags set, in report order.</summary>
    public static IReadOnlyList<string> Format(Observed observed) =>
        [.. names.Where(n => (observed & n.Flag) != 0).Select(n => n.Name)];

    /// <summary>Parses a comma-separated list of observable names, or <c>all</c>; null with a message on error.</summary>
    public static Observed? Parse(string text, out string? error)
    {
        error = null;
        var result = Observed.None;
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (part == "all")
            {
                result |= Observed.All;
                continue;
            }
            var i = Array.FindIndex(names, n => n.Name == part);
            if (i < 0)
            {
                error = $"unknown observable '{part}' (known: all, {string.Join(", ", Names)})";
                return null;
            }
            result |= names[i].Flag;
        }
        if (result == Observed.None) error = "no observable given";
        return result == Observed.None ? null : result;
    }
}

/// <summary>One reading's side of the step on which the readings first differ.</summary>
/// <param name="Reading">The reading.</param>
/// <param name="Catalog">The catalog it explored (its own encoding of a release plan).</param>
/// <param name="Before">Its state before the last operation of the trace.</param>
/// <param name="After">The outcome of that operation, with the state after it.</param>
public sealed record LockstepView(Reading Reading, Catalog Catalog, KernelState Before, Outcome After);

/// <summary>A shortest trace on which the readings' observables differ, and what differed.</summary>
/// <param name="Trace">The operations; every one but the last agrees under every reading.</param>
/// <param name="Differs">The observables that differ after the last operation, between the first reading and some other.</param>
/// <param name="Views">Per reading, in the order given, the state before the last operation and its outcome.</param>
public sealed record Divergence(IReadOnlyList<Operation> Trace, Observed Differs, IReadOnlyList<LockstepView> Views)
{
    /// <summary>The number of operations.</summary>
    public int Length => Trace.Count;
}

/// <summary>The result of one lockstep exploration.</summary>
/// <param name="Divergence">The first divergence in breadth-first order, or null when no trace within the caps distinguishes the readings.</param>
/// <param name="ProductStates">Distinct product states (tuples of kernel states) reached.</param>
/// <param name="Transitions">Operations applied, counting one per product transition.</param>
/// <param name="CutBy">Null when exploration was exhaustive (or stopped at a divergence); otherwise which cap cut it.</param>
public sealed record LockstepResult(Divergence? Divergence, long ProductStates, long Transitions, string? CutBy);

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
    private readonly List<int> parent = [];
    private readonly List<int> parentOp = [];
    private readonly List<int> depth = [];
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
        parent.Clear();
        parentOp.Clear();
        depth.Clear();
        exact.Clear();
        fingerprints.Clear();
        var outcomes = new Outcome[n];
        long transitions = 0;
        string? cut = null;

        Reserve(1);
        for (var k = 0; k < n; k++) store[k] = KernelState.Empty;
        Commit(-1, -1, 0, limits.Fingerprints);
        for (var current = 0; current < parent.Count; current++)
        {
            var d = depth[current];
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
                    var trace = PathTo(current, alphabet);
                    trace.Add(alphabet[a]);
                    var views = new LockstepView[n];
                    for (var k = 0; k < n; k++) views[k] = new LockstepView(readings[k], catalogs[k], store[current * n + k], outcomes[k]);
                    return new LockstepResult(new Divergence(trace, differs, views), parent.Count, transitions, null);
                }
                // A refusal leaves a state unchanged: when every reading refuses, there is no new tuple.
                if (!accepted) continue;
                var candidate = parent.Count;
                Reserve(candidate + 1);
                for (var k = 0; k < n; k++) store[candidate * n + k] = outcomes[k].State;
                if (Known(candidate, limits.Fingerprints)) continue;
                if (parent.Count >= limits.StateCap)
                {
                    cut ??= limits.StateCapText;
                    continue;
                }
                Commit(current, a, d + 1, limits.Fingerprints);
            }
        }
        return new LockstepResult(null, parent.Count, transitions, cut);
    }

    private List<Operation> PathTo(int state, Operation[] alphabet)
    {
        var path = new List<Operation>();
        for (var s = state; parent[s] >= 0; s = parent[s]) path.Add(alphabet[parentOp[s]]);
        path.Reverse();
        return path;
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
        var id = parent.Count;
        parent.Add(from);
        parentOp.Add(op);
        depth.Add(d);
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

    /// <summary>Compares the observables of several readings' outcomes, each against the first reading's.</summary>
    private sealed class Observation
    {
        private readonly Catalog[] c;
        private readonly Reading[] r;
        private readonly Observed observed;
        private readonly bool[] alike;      // same functions and states per patch as catalog 0: active and states follow from enabled
        private readonly int[][] functionIn; // per reading, catalog-0 function bit -> its bit in the reading's catalog
        private readonly int[][] stateIn;    // per reading, catalog-0 state bit -> its bit in the reading's catalog
        private readonly bool[] sameNumbers; // the same set numbers by bit position as catalog 0

        public Observation(IReadOnlyList<Catalog> catalogs, IReadOnlyList<Reading> readings, Observed observed)
        {
            c = [.. catalogs];
            r = [.. readings];
            this.observed = observed;
            var n = c.Length;
            alike = new bool[n];
            functionIn = new int[n][];
            stateIn = new int[n][];
            sameNumbers = new bool[n];
            var c0 = c[0];
            for (var k = 0; k < n; k++)
            {
                var ck = c[k];
                if (ck.Count != c0.Count || ck.AddSetsVariants.Length != c0.AddSetsVariants.Length)
                    throw new ArgumentException("lockstep catalogs must have the same patches and add_sets values");
                for (var p = 0; p < c0.Count; p++)
                    if (ck[p].Name != c0[p].Name) throw new ArgumentException($"lockstep catalogs name patch {p} differently: {c0[p].Name}, {ck[p].Name}");
                if (ck.Functions.Length != c0.Functions.Length || ck.StateIds.Length != c0.StateIds.Length)
                    throw new ArgumentException("lockstep catalogs must patch the same functions and declare the same states");
                functionIn[k] = new int[c0.Functions.Length];
                for (var f = 0; f < c0.Functions.Length; f++)
                {
                    functionIn[k][f] = ck.IndexOfFunction(c0.Functions[f]);
                    if (functionIn[k][f] < 0) throw new ArgumentException($"lockstep catalogs must patch the same functions: {c0.Functions[f]}");
                }
                stateIn[k] = new int[c0.StateIds.Length];
                for (var s = 0; s < c0.StateIds.Length; s++)
                {
                    stateIn[k][s] = ck.StateIds.IndexOf(c0.StateIds[s]);
                    if (stateIn[k][s] < 0) throw new ArgumentException($"lockstep catalogs must declare the same states: {c0.StateIds[s]}");
                }
                sameNumbers[k] = ck.SetNumbers.SequenceEqual(c0.SetNumbers);
                alike[k] = ReferenceEquals(ck, c0) || SameContent(c0, ck, functionIn[k], stateIn[k]);
            }
        }

        private static bool SameContent(Catalog a, Catalog b, int[] functionIn, int[] stateIn)
        {
            for (var f = 0; f < functionIn.Length; f++)
                if (functionIn[f] != f) return false;
            for (var s = 0; s < stateIn.Length; s++)
                if (stateIn[s] != s) return false;
            for (var p = 0; p < a.Count; p++)
            {
                if (a.FunctionBits(p) != b.FunctionBits(p) || a.StateBits(p) != b.StateBits(p) || a.BlockDisableBits(p) != b.BlockDisableBits(p)) return false;
                for (var s = 0; s < a.StateIds.Length; s++)
                    if (a.Version(p, s) != b.Version(p, s)) return false;
            }
            return true;
        }

        public Observed Differences(Outcome[] outcomes, bool anyAccepted)
        {
            var result = Observed.None;
            for (var k = 1; k < outcomes.Length; k++) result |= Differences(outcomes, 0, k, anyAccepted);
            return result;
        }

        /// <summary>The observables that differ between the outcomes of readings i and k.</summary>
        public Observed Differences(Outcome[] outcomes, int i, int k, bool anyAccepted)
        {
            ref readonly var a = ref outcomes[i];
            ref readonly var b = ref outcomes[k];
            var d = Observed.None;
            if ((observed & Observed.Outcome) != 0 && (a.Errno != b.Errno || a.Reason != b.Reason || a.Affected != b.Affected))
                d |= Observed.Outcome;
            // Every reading refused: every state is as it was, and the states agreed before.
            if (!anyAccepted) return d;
            var enabledEqual = SameEnabled(a.State, b.State);
            if (!enabledEqual && (observed & Observed.Enabled) != 0) d |= Observed.Enabled;
            var derive = !enabledEqual || !alike[i] || !alike[k];
            if (derive && (observed & Observed.Active) != 0 && !SameActive(i, a.State, k, b.State)) d |= Observed.Active;
            if (derive && (observed & Observed.States) != 0 && !SameStates(i, a.State, k, b.State)) d |= Observed.States;
            if ((observed & Observed.Sets) != 0 && !SameSets(i, a.State, k, b.State)) d |= Observed.Sets;
            if ((observed & Observed.Runs) != 0 && (a.State.InTransition || b.State.InTransition) && !SameRuns(i, a.State, k, b.State))
                d |= Observed.Runs;
            return d;
        }

        private bool SameRuns(int i, in KernelState x, int k, in KernelState y)
        {
            var functions = c[0].Functions.Length;
            for (var f = 0; f < functions; f++)
            {
                int fi = functionIn[i][f], fk = functionIn[k][f];
                if (FunctionStack.Runs(c[i], x, fi, switched: true) != FunctionStack.Runs(c[k], y, fk, switched: true)
                    || FunctionStack.Runs(c[i], x, fi, switched: false) != FunctionStack.Runs(c[k], y, fk, switched: false))
                    return false;
            }
            return true;
        }

        private static bool SameEnabled(in KernelState x, in KernelState y)
        {
            int i = 0, j = 0;
            while (true)
            {
                while (i < x.Count && !Observables.IsEnabled(x, x.PatchAt(i))) i++;
                while (j < y.Count && !Observables.IsEnabled(y, y.PatchAt(j))) j++;
                if (i == x.Count || j == y.Count) return i == x.Count && j == y.Count;
                if (x.PatchAt(i) != y.PatchAt(j)) return false;
                i++;
                j++;
            }
        }

        private bool SameActive(int i, in KernelState x, int k, in KernelState y)
        {
            var functions = c[0].Functions.Length;
            for (var f = 0; f < functions; f++)
                if (Observables.ActiveImplementation(c[i], x, functionIn[i][f]) != Observables.ActiveImplementation(c[k], y, functionIn[k][f]))
                    return false;
            return true;
        }

        private bool SameStates(int i, in KernelState x, int k, in KernelState y)
        {
            var states = c[0].StateIds.Length;
            for (var s = 0; s < states; s++)
                if (ActiveState(c[i], x, stateIn[i][s]) != ActiveState(c[k], y, stateIn[k][s])) return false;
            return true;
        }

        /// <summary>The version and flag of a state bit declared by the newest enabled patch, packed; -1 when none declares it.</summary>
        private static long ActiveState(Catalog catalog, in KernelState state, int bit)
        {
            var mask = 1UL << bit;
            for (var e = state.Count - 1; e >= 0; e--)
            {
                var p = state.PatchAt(e);
                if ((catalog.StateBits(p) & mask) != 0 && Observables.IsEnabled(state, p))
                    return catalog.Version(p, bit) | ((catalog.BlockDisableBits(p) & mask) != 0 ? 1L << 32 : 0);
            }
            return -1;
        }

        // The occupied sets of every enabled patch, in list order: different enabled patches are different sets.
        private bool SameSets(int i, in KernelState x, int k, in KernelState y)
        {
            int e = 0, f = 0;
            while (true)
            {
                while (e < x.Count && !Observables.IsEnabled(x, x.PatchAt(e))) e++;
                while (f < y.Count && !Observables.IsEnabled(y, y.PatchAt(f))) f++;
                if (e == x.Count || f == y.Count) return e == x.Count && f == y.Count;
                if (x.PatchAt(e) != y.PatchAt(f)) return false;
                var ours = Kernel.Occupied(c[i], r[i], x, e);
                var theirs = Kernel.Occupied(c[k], r[k], y, f);
                if (sameNumbers[i] && sameNumbers[k] ? ours != theirs : !SameNumbers(c[i], ours, c[k], theirs)) return false;
                e++;
                f++;
            }
        }

        private static bool SameNumbers(Catalog a, ulong x, Catalog b, ulong y)
        {
            if (BitOperations.PopCount(x) != BitOperations.PopCount(y)) return false;
            foreach (var number in a.SetsOf(x))
            {
                var bit = b.SetNumbers.IndexOf(number);
                if (bit < 0 || (y & (1UL << bit)) == 0) return false;
            }
            return true;
        }
    }
}
