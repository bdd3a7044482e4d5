using System.Numerics;
using Klp.Check.Model;

namespace Klp.Check.Equivalence;

/// <summary>Compares the observables of several readings' outcomes, each against the first reading's.</summary>
internal sealed class Observation
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
        int[]? sameFunctions = null, sameStates = null;
        for (var k = 0; k < n; k++)
        {
            var ck = c[k];
            // The first catalog itself (every reading's, on raw catalogs): each function and state
            // is at its own bit, as the searches below would find one by one.
            if (ReferenceEquals(ck, c0))
            {
                functionIn[k] = sameFunctions ??= [.. Enumerable.Range(0, c0.Functions.Length)];
                stateIn[k] = sameStates ??= [.. Enumerable.Range(0, c0.StateIds.Length)];
                sameNumbers[k] = alike[k] = true;
                continue;
            }
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

    /// <summary>The observables that differ between the first reading's outcome and any other's: each reading's state after the operation and its effect.</summary>
    public Observed Differences(ReadOnlySpan<KernelState> after, ReadOnlySpan<Effect> effects, bool anyAccepted)
    {
        var result = Observed.None;
        for (var k = 1; k < after.Length; k++) result |= Differences(after, effects, 0, k, anyAccepted);
        return result;
    }

    /// <summary>The observables that differ between the outcomes of readings i and k.</summary>
    public Observed Differences(ReadOnlySpan<KernelState> after, ReadOnlySpan<Effect> effects, int i, int k, bool anyAccepted)
    {
        ref readonly var a = ref after[i];
        ref readonly var b = ref after[k];
        var d = Observed.None;
        if ((observed & Observed.Outcome) != 0
            && (effects[i].Errno != effects[k].Errno || effects[i].Reason != effects[k].Reason || effects[i].Affected != effects[k].Affected))
            d |= Observed.Outcome;
        // Every reading refused: every state is as it was, and the states agreed before.
        if (!anyAccepted) return d;
        var enabledEqual = SameEnabled(a, b);
        if (!enabledEqual && (observed & Observed.Enabled) != 0) d |= Observed.Enabled;
        var derive = !enabledEqual || !alike[i] || !alike[k];
        if (derive && (observed & Observed.Active) != 0 && !SameActive(i, a, k, b)) d |= Observed.Active;
        if (derive && (observed & Observed.States) != 0 && !SameStates(i, a, k, b)) d |= Observed.States;
        if ((observed & Observed.Sets) != 0 && !SameSets(i, a, k, b)) d |= Observed.Sets;
        if ((observed & Observed.Runs) != 0 && (a.InTransition || b.InTransition) && !SameRuns(i, a, k, b))
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
        var p = Properties.CatalogMasks.Declarer(catalog, state, bit);
        if (p < 0) return -1;
        return catalog.Version(p, bit) | ((catalog.BlockDisableBits(p) >> bit & 1) != 0 ? 1L << 32 : 0);
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
