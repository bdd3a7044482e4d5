using System.Numerics;
using System.Runtime.CompilerServices;

namespace Klp.Check.Model;

/// <summary>The livepatch core as one pure, total transition function that interprets every reading.</summary>
public static class Kernel
{
    /// <summary>Applies one operation; never throws, never allocates; a refusal returns the state unchanged.</summary>
    /// <remarks>Load checks run in the kernel's order: module, attributes, compatibility, the functions' and nops' sysfs names, transition (docs/semantics.md section 3.1).</remarks>
    public static Outcome Step(Catalog catalog, Reading reading, in KernelState state, Operation op)
    {
        var next = state;
        return Apply(catalog, reading, state, op, ref next).With(next);
    }

    /// <summary>The hot-path form of <see cref="Step"/>: writes the successor into <paramref name="next"/> only when accepted.</summary>
    /// <remarks><paramref name="next"/> is caller-owned storage, so no state is copied through return values.</remarks>
    public static Effect Apply(Catalog catalog, Reading reading, in KernelState state, in Operation op, ref KernelState next)
    {
        var early = EarlyRefusal(catalog, state, op);
        return early.Accepted ? ApplyScreened(catalog, reading, state, op, ref next) : early;
    }

    /// <summary><see cref="Apply"/> for an operation that gets past <see cref="EarlyRefusal"/> in this state (as <see cref="EarlyScreen"/>'s masks tell an explorer): the same effect, without those checks made again.</summary>
    /// <remarks>For an operation <see cref="EarlyRefusal"/> refuses, the effect is undefined.</remarks>
    public static Effect ApplyScreened(Catalog catalog, Reading reading, in KernelState state, in Operation op, ref KernelState next) =>
        ApplyScreened(catalog, reading, null, state, op, ref next);

    /// <summary><see cref="ApplyScreened(Catalog, Reading, in KernelState, in Operation, ref KernelState)"/> with the loads' compatibility checks read from <paramref name="loads"/>, made for this catalog and reading (<see cref="LoadMasks.For"/>): the same effect and successor, with a load's entries looked at only when one refuses it.</summary>
    /// <remarks>With <paramref name="loads"/> null, every load walks the entries.</remarks>
    public static Effect ApplyScreened(Catalog catalog, Reading reading, LoadMasks? loads, in KernelState state, in Operation op, ref KernelState next)
    {
        switch (op.Kind)
        {
            case OpKind.Load:
                return loads is null
                    ? Load(catalog, reading, state, op.Patch, op.Params, ref next)
                    : LoadByMasks(catalog, reading, loads, state, op.Patch, op.Params, ref next);
            case OpKind.Complete: return Complete(state, ref next);
            case OpKind.Reverse: return ReverseWrite(catalog, reading, state, ref next);
            case OpKind.Force: return Force(catalog, reading, state, op.Patch, ref next);
            case OpKind.Disable: return Disable(catalog, reading, state, op.Patch, ref next);
            case OpKind.Unload: return Unload(state, op.Patch, ref next);
            default: return Effect.Refuse(Errno.EINVAL, Reason.UnknownPatch);
        }
    }

    /// <summary>The refusal an operation gets from the checks that read only the state's masks and the transition, whatever the reading; an accepting effect (with nothing affected) when it gets past them.</summary>
    /// <remarks>
    /// These are the first checks of <see cref="Apply"/>, which runs them through this method: a
    /// module loaded twice or unloaded while in use or not loaded, a disable without a sysfs
    /// directory, a transition operation with no transition. They read nothing but the state,
    /// so an explorer can screen the operations of a state with them and hand only the rest to
    /// <see cref="Apply"/>; a refusal here never touches a successor.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Effect EarlyRefusal(Catalog catalog, in KernelState state, in Operation op)
    {
        var bit = 1UL << (op.Patch & 63);
        switch (op.Kind)
        {
            case OpKind.Load:
                if (op.Patch >= catalog.Count || op.Params >= catalog.AddSetsVariants.Length) return Effect.Refuse(Errno.EINVAL, Reason.UnknownPatch);
                return (Loadable(state) & bit) == 0 ? Effect.Refuse(Errno.EEXIST, Reason.ModuleLoaded) : default;
            case OpKind.Disable:
                if (op.Patch >= catalog.Count) return Effect.Refuse(Errno.EINVAL, Reason.UnknownPatch);
                return (Disableable(state) & bit) == 0 ? Effect.Refuse(Errno.ENOENT, Reason.NoSysfsDir) : default;
            case OpKind.Unload:
                if (op.Patch >= catalog.Count) return Effect.Refuse(Errno.EINVAL, Reason.UnknownPatch);
                if ((state.Loaded & bit) == 0) return Effect.Refuse(Errno.ENOENT, Reason.ModuleNotLoaded);
                return (Unloadable(state) & bit) == 0 ? Effect.Refuse(Errno.EAGAIN, Reason.ModuleInUse) : default;
            case OpKind.Complete or OpKind.Reverse:
                return state.InTransition ? default : Effect.Refuse(Errno.EINVAL, Reason.NoTransition);
            case OpKind.Force:
                if (op.Patch != Operation.NoPatch && op.Patch < catalog.Count && (state.InPatches & bit) == 0)
                    return Effect.Refuse(Errno.ENOENT, Reason.NoSysfsDir);
                return !state.InTransition || (op.Patch != Operation.NoPatch && op.Patch != state.TransitionPatch)
                    ? Effect.Refuse(Errno.EINVAL, Reason.NotInTransition) : default;
            default:
                return Effect.Refuse(Errno.EINVAL, Reason.UnknownPatch);
        }
    }

    /// <summary>
    /// <see cref="EarlyRefusal"/> for every load (each <c>add_sets</c> variant), disable and unload
    /// of the catalog's patches at once: the patches whose operation of each kind it lets
    /// through, as masks over catalog indices, with the operations it refuses counted by reason.
    /// </summary>
    /// <remarks>
    /// The explorer tries every such operation in every state; most are refused here, and with
    /// the masks it applies only the others. An early refusal never depends on the reading.
    /// </remarks>
    /// <param name="catalog">The patches.</param>
    /// <param name="state">The state the operations are tried in.</param>
    /// <param name="loads">The patches whose loads get past the early checks (every variant alike).</param>
    /// <param name="disables">The patches whose disable gets past them.</param>
    /// <param name="unloads">The patches whose unload gets past them.</param>
    /// <param name="refusedByReason">Per <see cref="Reason"/>, the early refusals are added here.</param>
    public static void EarlyScreen(Catalog catalog, in KernelState state, out ulong loads, out ulong disables, out ulong unloads, Span<long> refusedByReason)
    {
        var all = catalog.Count == 64 ? ulong.MaxValue : (1UL << catalog.Count) - 1;
        var loaded = state.Loaded & all;
        loads = Loadable(state) & all;
        disables = Disableable(state) & all;
        unloads = Unloadable(state) & all;
        refusedByReason[(int)Reason.ModuleLoaded] += (long)BitOperations.PopCount(loaded) * catalog.AddSetsVariants.Length;
        refusedByReason[(int)Reason.NoSysfsDir] += catalog.Count - BitOperations.PopCount(disables);
        refusedByReason[(int)Reason.ModuleNotLoaded] += catalog.Count - BitOperations.PopCount(loaded);
        refusedByReason[(int)Reason.ModuleInUse] += BitOperations.PopCount(loaded & ~unloads);
    }

    // The patches whose module is not loaded: its load gets past the module check.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Loadable(in KernelState s) => ~s.Loaded;

    // The patches in klp_patches: their sysfs directory exists (once a patch is freed, the
    // write fails in user space with ENOENT).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Disableable(in KernelState s) => s.InPatches;

    // The loaded modules no reference holds: try_stop_module() (kernel/module/main.c) refuses
    // the others with EWOULDBLOCK.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Unloadable(in KernelState s) => s.Loaded & ~(s.InPatches | s.Pinned);

    /// <summary>The sets the entry at a list position occupies under a reading, as a mask over <see cref="Catalog.SetNumbers"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Occupied(Catalog catalog, Reading reading, in KernelState state, int position)
    {
        var p = state.PatchAt(position);
        var auto = state.AutoSetAt(position);
        return Occupancy(catalog, reading, p, state.ParamsAt(position), auto);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ulong Occupancy(Catalog catalog, Reading reading, int p, int @params, int auto) => reading.Membership switch
    {
        Membership.None => 0,
        Membership.OwnSet => 1UL << (auto >= 0 ? auto : catalog.OwnSet[p]),
        _ => (auto >= 0 ? 1UL << auto : catalog.SetsMask[p]) | catalog.ParamMask[@params],
    };

    private static Effect Load(Catalog c, Reading r, in KernelState s, int p, int v, ref KernelState next)
    {
        // 1. The module (EarlyRefusal).
        // 2. Attributes and parameters the reading can express.
        var attributes = Attributes(c, r, p, v);
        if (attributes != Reason.None) return Effect.Refuse(Errno.EINVAL, attributes);
        var auto = r.HasSets && c.IsAuto[p] ? Allocate(c, r, s, p) : -1;

        var listed = Listed(c, p, v, auto);
        var replaceAll = ReplacesAll(c, r, p);
        var exact = r.Options.FunctionIdentity == FunctionIdentity.Exact;
        var funcsP = exact ? c.FuncsExact[p] : c.FuncsNormalized[p];

        // 3. Compatibility against every entry, oldest first.
        ulong replaced = 0;
        var clash = false;
        for (var i = 0; i < s.Count; i++)
        {
            var q = s.PatchAt(i);
            var reason = CheckEntry(c, r, p, listed, replaceAll, funcsP, exact, q, Occupied(c, r, s, i), out var inR, out var aliases);
            if (reason != Reason.None) return Effect.Refuse(Errno.EINVAL, reason);
            if (inR) replaced |= 1UL << q;
            clash |= aliases;
        }
        clash |= exact && NopsClash(c, replaced, funcsP);
        return Admit(c, r, s, p, v, auto, replaced, clash, ref next);
    }

    // Load with the compatibility check read from masks made for the catalog and reading: only a
    // refusal looks at the entries, for the oldest that refuses.
    private static Effect LoadByMasks(Catalog c, Reading r, LoadMasks m, in KernelState s, int p, int v, ref KernelState next)
    {
        var k = m.Index(p, v);
        var attributes = m.Attributes[k];
        if (attributes != Reason.None) return Effect.Refuse(Errno.EINVAL, attributes);
        var present = s.InPatches;
        if ((m.Refusing[k] & present) != 0) return Effect.Refuse(Errno.EINVAL, m.OldestRefusal(k, s));
        var replaced = m.Replaced[k] & present;
        var clash = (m.Clashing[k] & present) != 0;
        if (r.Options.FunctionIdentity == FunctionIdentity.Exact) clash |= NopsClash(c, replaced, c.FuncsExact[p]);
        return Admit(c, r, s, p, v, -1, replaced, clash, ref next);
    }

    // A load's checks that read only the patch and the add_sets variant, whatever is loaded: a
    // parameter the reading does not have, and sets lists it cannot express.
    internal static Reason Attributes(Catalog c, Reading r, int p, int v)
    {
        if (v != 0 && !r.AddSetsParameter) return Reason.UnsupportedParameter;
        if (!r.HasSets) return Reason.None;
        if (r.Arity == SetArity.Single && c.ListCount[p] != 1) return Reason.UnexpressibleAttributes;
        if (r.Zero == ZeroRule.OnlyByZero && (c.ZeroMisused[p] || c.ParamHasZero[v] || (c.ZeroOnly[p] && v != 0)))
            return Reason.UnexpressibleAttributes;
        return Reason.None;
    }

    // The compatibility check of a load of P (listing these sets, with these functions) against
    // one entry, patch Q occupying occ: the refusal it gives, or None with whether P replaces Q
    // and whether a nop for Q's functions would take the sysfs name of one of P's.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Reason CheckEntry(Catalog c, Reading r, int p, ulong listed, bool replaceAll, ulong funcsP, bool exact, int q, ulong occ, out bool inR, out bool clash)
    {
        clash = false;
        inR = InReplaced(r, occ, listed, replaceAll, out var partialRefused);
        if (partialRefused) return Reason.PartialSetOverlap;

        // Both state rules are about Q's states: an entry without any passes them.
        if (c.StateMask[q] != 0)
        {
            var reason = inR ? ReplacedStates(c, r, p, q) : OtherStates(c, r, p, q);
            if (reason != Reason.None) return reason;
        }
        if (!inR && r.Options.Isolation != Isolation.None)
        {
            var funcsQ = exact ? c.FuncsExact[q] : c.FuncsNormalized[q];
            if ((funcsP & funcsQ) != 0) return Reason.FunctionConflict;
        }
        // klp_add_object_nops() matches Q's functions by exact sympos: f at sympos 0 against
        // P's f at sympos 1 gets a nop, and both sysfs dirs are named "f,1".
        if (inR) clash = exact && (c.SymposAliases[p] & c.FuncsExact[q]) != 0;
        return Reason.None;
    }

    // The rest of a load past the compatibility check: the sysfs directories, the transition
    // check, and the successor.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Effect Admit(Catalog c, Reading r, in KernelState s, int p, int v, int auto, ulong replaced, bool clash, ref KernelState next)
    {
        // klp_init_patch() makes a sysfs directory per function after the compatibility check,
        // before the transition check: the patch's own functions come before the nops added to
        // their object, so a patch naming one function twice fails first.
        if (c.DuplicateFunction[p]) return Effect.Refuse(Errno.EEXIST, Reason.DuplicateFunction);
        if (clash) return Effect.Refuse(Errno.EEXIST, Reason.NopNameClash);

        // 4. One transition at a time.
        if (s.InTransition) return Effect.Refuse(Errno.EBUSY, Reason.TransitionInProgress);

        // P is not an entry (its module is not loaded), so it is appended after the replaced
        // entries are taken out.
        var atomic = r.Options.Granularity == Granularity.Atomic;
        next.CopyWithout(s, atomic ? replaced : 0);
        next.SetLoaded(s.Loaded | (1UL << p));
        next.Append(KernelState.Pack(p, v, auto));
        if (!atomic) next.StartTransition(p, toPatched: true, replaced);
        return Effect.Accept(replaced);
    }

    // The sets a patch lists when loaded with an add_sets variant and an allocated set.
    internal static ulong Listed(Catalog c, int p, int @params, int auto) => (auto >= 0 ? 1UL << auto : c.SetsMask[p]) | c.ParamMask[@params];

    // True when P replaces every entry: upstream's replace flag, or the global set 0.
    internal static bool ReplacesAll(Catalog c, Reading r, int p) =>
        r.Replace == ReplaceRule.ByReplaceFlag ? c.ReplaceFlag[p] : r.Zero == ZeroRule.ReplacesAll && c.OwnIsZero[p];

    // Whether the entry at a position is in R(P), for a patch that lists these sets; a partial
    // overlap the reading refuses is not in R(P) and sets partialRefused.
    // Under exact identity, klp_add_object_nops() finds an existing func (a nop included) only at
    // the same sympos, so replaced patches patching f at sympos 0 and at 1 give two nops, both
    // with the sysfs name "f,1": kobject_add() fails with EEXIST.
    private static bool NopsClash(Catalog c, ulong replaced, ulong funcsP)
    {
        ulong nops = 0;
        for (var r = replaced; r != 0; r &= r - 1) nops |= c.FuncsExact[BitOperations.TrailingZeroCount(r)];
        nops &= ~funcsP;
        for (var f = nops; f != 0; f &= f - 1)
            if ((c.ExactTwin[BitOperations.TrailingZeroCount(f)] & nops) != 0) return true;
        return false;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool InReplaced(Reading r, ulong occ, ulong listed, bool replaceAll, out bool partialRefused)
    {
        partialRefused = false;
        if (replaceAll) return true;
        if (r.Replace == ReplaceRule.ByReplaceFlag) return false;
        if (r.Replace == ReplaceRule.Intersecting) return (occ & listed) != 0;
        if ((occ & ~listed) == 0) return true;
        if ((occ & listed) == 0) return false;
        partialRefused = r.Options.PartialOverlap == PartialOverlap.Refuse;
        return !partialRefused;
    }

    private static int Allocate(Catalog c, Reading r, in KernelState s, int p)
    {
        ulong occupied = 0;
        var follow = c.AutoOf[p];
        for (var i = 0; i < s.Count; i++)
        {
            var occ = Occupied(c, r, s, i);
            if (s.PatchAt(i) == follow && occ != 0) return BitOperations.TrailingZeroCount(occ);
            occupied |= occ;
        }
        foreach (var candidate in c.AutoCandidates)
            if ((occupied & (1UL << candidate)) == 0) return candidate;
        return c.AutoCandidates[^1];
    }

    // The state rules for an entry P replaces.
    private static Reason ReplacedStates(Catalog c, Reading r, int p, int q)
    {
        if (r.Options.States == StateRules.BlockDisable)
            return (c.BlockMask[q] & ~c.StateMask[p]) != 0 ? Reason.StateBlocked : Reason.None;
        // The replaced patch's states in its own declaration order, as klp_is_patch_compatible() walks them.
        foreach (var b in c.StateOrder[q])
        {
            if ((c.StateMask[p] & (1UL << b)) == 0) return Reason.StateDropped;
            if (c.Version(p, b) < c.Version(q, b)) return Reason.StateDowngrade;
        }
        return Reason.None;
    }

    // The state rules for an entry P does not replace: isolation, or upstream's version rule.
    private static Reason OtherStates(Catalog c, Reading r, int p, int q)
    {
        var shared = c.StateMask[p] & c.StateMask[q];
        if (shared == 0) return Reason.None;
        if (r.Options.Isolation == Isolation.FunctionsAndStates) return Reason.StateConflict;
        if (r.StatesCheckedAgainstAll && r.Options.States == StateRules.Versions)
        {
            while (shared != 0)
            {
                var b = BitOperations.TrailingZeroCount(shared);
                shared &= shared - 1;
                if (c.Version(p, b) < c.Version(q, b)) return Reason.StateDowngrade;
            }
        }
        return Reason.None;
    }

    private static Effect Complete(in KernelState s, ref KernelState next)
    {
        var removed = s.TargetPatched ? s.Replacing : 1UL << s.TransitionPatch;
        next.CopyWithout(s, removed);
        next.EndTransition();
        return Effect.Accept(removed);
    }

    // Reverse is a write to the transition patch's enabled: the opposite of its target. Under
    // states=block-disable, enabled_store() refuses a write of 0 to an enabled patch that
    // declares a block_disable state before it reaches the reverse branch (Petr Mladek's series,
    // docs/semantics.md section 3.5): a blocking patch's load cannot be reversed. Its disable
    // never starts, so a write of 1 (reversing a disable) never meets a blocking patch.
    private static Effect ReverseWrite(Catalog c, Reading r, in KernelState s, ref KernelState next) =>
        s.TargetPatched && DisableBlocked(c, r, s.TransitionPatch)
            ? Effect.Refuse(Errno.EINVAL, Reason.DisableBlocked)
            : Reverse(s, ref next);

    // Under states=block-disable, klp_patch_disable_blocked(): the patch declares a block_disable state.
    private static bool DisableBlocked(Catalog c, Reading r, int p) =>
        r.Options.States == StateRules.BlockDisable && c.BlockMask[p] != 0;

    // Only in a transition (EarlyRefusal, or Disable of the transition patch).
    private static Effect Reverse(in KernelState s, ref KernelState next)
    {
        next = s;
        next.FlipTarget();
        return Effect.Accept(0);
    }

    private static Effect Force(Catalog c, Reading r, in KernelState s, int patch, ref KernelState next)
    {
        var removed = s.TargetPatched ? s.Replacing : 1UL << s.TransitionPatch;
        var pinned = s.Pinned | removed | (s.TargetPatched ? ForcedBeside(c, r, s) : 0);
        next.CopyWithout(s, removed);
        next.SetPinned(pinned);
        next.EndTransition();
        return Effect.Accept(removed);
    }

    // klp_force_transition() (transition.c), target patched: a replace transition patch marks
    // every other patch in klp_patches forced, not only the ones it replaces. After a reversed
    // disable that is every patch loaded after it, which stays enabled and pinned. Under a set
    // reading, the entries the transition patch's sets cover.
    private static ulong ForcedBeside(Catalog c, Reading r, in KernelState s)
    {
        var t = s.TransitionPatch;
        var position = s.StackOrder(t) - 1;
        var listed = Listed(c, t, s.ParamsAt(position), s.AutoSetAt(position));
        var replaceAll = ReplacesAll(c, r, t);
        ulong forced = 0;
        for (var i = 0; i < s.Count; i++)
            if (i != position && InReplaced(r, Occupied(c, r, s, i), listed, replaceAll, out _)) forced |= 1UL << s.PatchAt(i);
        return forced;
    }

    private static Effect Disable(Catalog c, Reading r, in KernelState s, int p, ref KernelState next)
    {
        var bit = 1UL << p;
        var isTransition = s.TransitionPatch == p;
        // The patch is in klp_patches (EarlyRefusal). enabled_store() checks, in this order: a
        // write of the current value (a patch whose unpatching transition is running) gives
        // EINVAL; under states=block-disable, an enabled patch with a block_disable state gives
        // EINVAL, before the reverse branch and before __klp_disable_patch()'s EBUSY (Petr
        // Mladek's series, docs/semantics.md section 3.5); the transition patch reverses; another
        // transition gives EBUSY.
        if (isTransition && !s.TargetPatched) return Effect.Refuse(Errno.EINVAL, Reason.NotEnabled);
        if (DisableBlocked(c, r, p)) return Effect.Refuse(Errno.EINVAL, Reason.DisableBlocked);
        if (isTransition) return Reverse(s, ref next);
        if (s.InTransition) return Effect.Refuse(Errno.EBUSY, Reason.TransitionInProgress);
        if (r.Options.Granularity == Granularity.Atomic)
        {
            next.CopyWithout(s, bit);
            return Effect.Accept(bit);
        }
        next = s;
        next.StartTransition(p, toPatched: false, 0);
        return Effect.Accept(0);
    }

    // Loaded and not in use (EarlyRefusal).
    private static Effect Unload(in KernelState s, int p, ref KernelState next)
    {
        var bit = 1UL << p;
        next = s;
        next.SetLoaded(s.Loaded & ~bit);
        return Effect.Accept(bit);
    }
}
