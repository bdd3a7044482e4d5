namespace Klp.Check.Model;

/// <summary>What a user of the kernel can observe in a state: derived, never stored.</summary>
public static class Observables
{
    /// <summary>True when a patch counts as enabled: in <c>Patches</c> and not being disabled.</summary>
    public static bool IsEnabled(in KernelState state, int patch) =>
        (state.InPatches & (1UL << patch)) != 0 && !(state.TransitionPatch == patch && !state.TargetPatched);

    /// <summary>The enabled patches as a mask over catalog indices.</summary>
    public static ulong EnabledMask(in KernelState state) => EnabledMask(state.InPatches, state.TransitionPatch, state.TargetPatched);

    // The patches in the list less the one a transition is taking in, until its target is patched.
    internal static ulong EnabledMask(ulong inPatches, int transitionPatch, bool targetPatched) =>
        transitionPatch >= 0 && !targetPatched ? inPatches & ~(1UL << transitionPatch) : inPatches;

    /// <summary>The enabled patches in list order (oldest first).</summary>
    public static List<int> Enabled(in KernelState state)
    {
        var list = new List<int>(state.Count);
        for (var i = 0; i < state.Count; i++)
            if (IsEnabled(state, state.PatchAt(i))) list.Add(state.PatchAt(i));
        return list;
    }

    /// <summary>The patch whose code runs for a function (bit in <see cref="Catalog.Functions"/>): the newest enabled patch that patches it, or -1 for the original code.</summary>
    public static int ActiveImplementation(Catalog catalog, in KernelState state, int function)
    {
        var bit = 1UL << function;
        for (var i = state.Count - 1; i >= 0; i--)
        {
            var p = state.PatchAt(i);
            if ((catalog.FuncsNormalized[p] & bit) != 0 && IsEnabled(state, p)) return p;
        }
        return -1;
    }

    /// <summary>The functions some enabled patch patches, as a mask over <see cref="Catalog.Functions"/>.</summary>
    public static ulong PatchedFunctions(Catalog catalog, in KernelState state)
    {
        ulong mask = 0;
        var funcs = catalog.FuncsNormalized;
        for (var enabled = EnabledMask(state); enabled != 0; enabled &= enabled - 1)
            mask |= funcs[System.Numerics.BitOperations.TrailingZeroCount(enabled)];
        return mask;
    }

    /// <summary>The active states: for each id, the version and flag declared by the newest enabled patch that declares it.</summary>
    public static SortedDictionary<uint, KlpState> ActiveStates(Catalog catalog, in KernelState state)
    {
        var result = new SortedDictionary<uint, KlpState>();
        for (var i = 0; i < state.Count; i++)
        {
            var p = state.PatchAt(i);
            if (!IsEnabled(state, p)) continue;
            foreach (var s in catalog[p].States) result[s.Id] = s;
        }
        return result;
    }

    /// <summary>The sets each enabled patch occupies, in list order.</summary>
    public static List<(int Patch, ulong Sets)> OccupiedSets(Catalog catalog, Reading reading, in KernelState state)
    {
        var list = new List<(int, ulong)>();
        for (var i = 0; i < state.Count; i++)
            if (IsEnabled(state, state.PatchAt(i))) list.Add((state.PatchAt(i), Kernel.Occupied(catalog, reading, state, i)));
        return list;
    }
}
