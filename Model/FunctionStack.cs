namespace Klp.Check.Model;

/// <summary>One entry of a function's <c>func_stack</c>: a patch's function, or the transition patch's nop.</summary>
/// <param name="Patch">The catalog index of the patch the entry belongs to.</param>
/// <param name="Nop">True for a nop (<c>klp_add_nops()</c>): the entry runs the original code.</param>
/// <param name="Transition">True when the entry is marked <c>transition</c>: it belongs to the patch in transition.</param>
public readonly record struct StackEntry(int Patch, bool Nop, bool Transition);

/// <summary>The function stacks as the kernel builds them (<c>kernel/livepatch/core.c</c>, <c>patch.c</c>, <c>transition.c</c>), derived from <c>Patches</c> and the transition, never stored.</summary>
/// <remarks>
/// Every enabled patch pushes an entry for each function it patches, in load order, so the
/// stack is <c>Patches</c> newest first. A replacing load also pushes a nop for every function
/// of a patch it replaces that it does not patch itself (<c>klp_add_nops()</c>); the nops go when
/// the transition ends (<c>klp_discard_nops()</c>, or <c>klp_unpatch_objects()</c> of a reversed
/// load). <c>klp_ftrace_handler()</c> runs the head, except that a task whose <c>patch_state</c> is
/// unpatched runs the entry below a head marked <c>transition</c>; a nop, or no entry, runs the
/// original code. A task that has switched is in the target state, so in a patching transition it
/// runs the head and in an unpatching one the entry below.
/// </remarks>
public static class FunctionStack
{
    /// <summary>The code that runs when no entry applies: the function's original code.</summary>
    public const int Original = -1;

    /// <summary>The functions the transition patch has nops for, as a mask over <see cref="Catalog.Functions"/>.</summary>
    public static ulong Nops(Catalog catalog, in KernelState state)
    {
        if (!state.InTransition || state.Replacing == 0) return 0;
        ulong replaced = 0, r = state.Replacing;
        while (r != 0)
        {
            replaced |= catalog.FuncsNormalized[System.Numerics.BitOperations.TrailingZeroCount(r)];
            r &= r - 1;
        }
        return replaced & ~catalog.FuncsNormalized[state.TransitionPatch];
    }

    /// <summary>The stack of one function (bit in <see cref="Catalog.Functions"/>), newest entry first.</summary>
    public static List<StackEntry> Of(Catalog catalog, in KernelState state, int function)
    {
        var list = new List<StackEntry>();
        var nops = Nops(catalog, state);
        for (var i = state.Count - 1; i >= 0; i--)
            if (EntryAt(catalog, state, nops, i, function) is { } e) list.Add(e);
        return list;
    }

    /// <summary>The patch whose code a task runs for a function, or <see cref="Original"/>; in atomic mode, or outside a transition, every task runs the same code.</summary>
    /// <param name="catalog">The catalog.</param>
    /// <param name="state">The state.</param>
    /// <param name="function">The function's bit in <see cref="Catalog.Functions"/>.</param>
    /// <param name="switched">True for a task that has switched to the transition's target state.</param>
    public static int Runs(Catalog catalog, in KernelState state, int function, bool switched)
    {
        var nops = Nops(catalog, state);
        StackEntry? head = null;
        for (var i = state.Count - 1; i >= 0; i--)
        {
            if (EntryAt(catalog, state, nops, i, function) is not { } e) continue;
            if (head is null)
            {
                // Unpatched tasks look below a head marked transition; the others run it.
                var unpatchedTask = switched != state.TargetPatched;
                if (!e.Transition || !unpatchedTask) return Code(e);
                head = e;
                continue;
            }
            return Code(e);
        }
        return Original;
    }

    private static int Code(StackEntry e) => e.Nop ? Original : e.Patch;

    private static StackEntry? EntryAt(Catalog catalog, in KernelState state, ulong nops, int position, int function)
    {
        var p = state.PatchAt(position);
        var bit = 1UL << function;
        var transition = state.InTransition && p == state.TransitionPatch;
        if ((catalog.FuncsNormalized[p] & bit) != 0) return new StackEntry(p, false, transition);
        if (transition && (nops & bit) != 0) return new StackEntry(p, true, true);
        return null;
    }
}
