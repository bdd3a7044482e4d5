using System.Collections.Immutable;
using Klp.Check.Model;

namespace Klp.Check.Tests.Reference;

/// <summary>One entry of <c>Patches</c>: the patch, the <c>add_sets</c> variant it was loaded with, the set the allocator gave it, the sets it occupies.</summary>
public sealed record RefEntry(int Patch, int Params, uint? Allocated, ImmutableSortedSet<uint> Occupied);

/// <summary>The running transition: its patch, its target, and the patches it replaces when it completes as patched.</summary>
public sealed record RefTransition(int Patch, bool TargetPatched, ImmutableSortedSet<int> Replacing);

/// <summary>The kernel state of docs/semantics.md section 2, in plain immutable collections.</summary>
public sealed record RefState(
    ImmutableList<RefEntry> Patches,
    RefTransition? Transition,
    ImmutableSortedSet<int> Loaded,
    ImmutableSortedSet<int> Pinned)
{
    public static readonly RefState Empty = new([], null, [], []);

    public RefEntry? Entry(int patch) => Patches.FirstOrDefault(e => e.Patch == patch);

    public bool InPatches(int patch) => Entry(patch) is not null;

    public bool IsEnabled(int patch) =>
        InPatches(patch) && !(Transition is { } t && t.Patch == patch && !t.TargetPatched);
}

/// <summary>The result of one reference step.</summary>
public sealed record RefOutcome(RefState State, Errno Errno, Reason Reason, ImmutableSortedSet<int> Affected)
{
    public bool Accepted => Errno == Errno.None;

    public ulong AffectedMask => Masks.Of(Affected);
}

/// <summary>
/// A slow, obviously correct transition function written from docs/semantics.md sections 2 to 4
/// (and the implementation notes the fast model follows), without looking at Model/Step.cs.
/// It interprets the same <see cref="Reading"/> values as <see cref="Kernel.Step"/>.
/// </summary>
public static class ReferenceKernel
{
    public static RefOutcome Step(Catalog catalog, Reading reading, RefState state, Operation op) => op.Kind switch
    {
        OpKind.Load => Load(catalog, reading, state, op.Patch, op.Params),
        OpKind.Complete => Complete(state),
        OpKind.Reverse => WriteOpposite(catalog, reading, state),
        OpKind.Force => Force(catalog, reading, state, op.Patch),
        OpKind.Disable => Disable(catalog, reading, state, op.Patch),
        OpKind.Unload => Unload(state, op.Patch),
        _ => throw new ArgumentOutOfRangeException(nameof(op), op.Kind, "unknown operation kind"),
    };

    /// <summary>Replays operations from the empty kernel, returning the outcome of every step.</summary>
    public static List<RefOutcome> Run(Catalog catalog, Reading reading, IEnumerable<Operation> ops)
    {
        var outcomes = new List<RefOutcome>();
        var state = RefState.Empty;
        foreach (var op in ops)
        {
            var o = Step(catalog, reading, state, op);
            outcomes.Add(o);
            state = o.State;
        }
        return outcomes;
    }

    private static RefOutcome Refuse(RefState state, Errno errno, Reason reason) => new(state, errno, reason, []);

    private static RefOutcome Accept(RefState state, IEnumerable<int> affected) => new(state, Errno.None, Reason.None, [.. affected]);

    // ---- Load ------------------------------------------------------------------------

    private static RefOutcome Load(Catalog catalog, Reading reading, RefState state, int p, int variant)
    {
        if (p >= catalog.Count) return Refuse(state, Errno.EINVAL, Reason.UnknownPatch);
        if (variant >= catalog.AddSetsVariants.Length) return Refuse(state, Errno.EINVAL, Reason.UnknownPatch);
        if (state.Loaded.Contains(p)) return Refuse(state, Errno.EEXIST, Reason.ModuleLoaded);

        var patch = catalog[p];
        var addSets = catalog.AddSetsVariants[variant];
        var addSetsGiven = variant != 0;
        if (addSetsGiven && !reading.AddSetsParameter) return Refuse(state, Errno.EINVAL, Reason.UnsupportedParameter);

        var isFixed = patch.SetSource == SetSource.Fixed;
        if (reading.Membership != Membership.None)
        {
            var length = isFixed ? patch.Sets.Length : 1;
            if (reading.Arity == SetArity.Single && length != 1)
                return Refuse(state, Errno.EINVAL, Reason.UnexpressibleAttributes);
            if (reading.Zero == ZeroRule.OnlyByZero)
            {
                var listHasZero = isFixed && patch.Sets.Contains(0u);
                var listAllZero = isFixed && patch.Sets.All(s => s == 0u);
                if (listHasZero && !listAllZero) return Refuse(state, Errno.EINVAL, Reason.UnexpressibleAttributes);
                if (addSets.Contains(0u)) return Refuse(state, Errno.EINVAL, Reason.UnexpressibleAttributes);
                if (listAllZero && addSetsGiven) return Refuse(state, Errno.EINVAL, Reason.UnexpressibleAttributes);
            }
        }

        // The user-space allocator, for sets = auto and auto(H).
        uint? allocated = patch.SetSource switch
        {
            SetSource.Auto => SmallestFree(state),
            SetSource.AutoOf => SetOf(state, catalog.IndexOf(patch.AutoOf!)) ?? SmallestFree(state),
            _ => null,
        };

        var own = isFixed ? patch.Sets[0] : allocated!.Value;
        var listed = ImmutableSortedSet.CreateRange(isFixed ? patch.Sets : [allocated!.Value]).Union(addSets);
        var occupied = reading.Membership switch
        {
            Membership.OwnSet => ImmutableSortedSet.Create(own),
            Membership.AllListed => listed,
            _ => ImmutableSortedSet<uint>.Empty,
        };

        var replaced = new List<int>();
        foreach (var entry in state.Patches)
        {
            var q = catalog[entry.Patch];

            var cover = Covers(catalog, reading, patch, listed, entry);
            if (cover == Cover.RefusedPartially) return Refuse(state, Errno.EINVAL, Reason.PartialSetOverlap);
            var inR = cover == Cover.Replaced;

            // State rules first, then the function rule.
            if (inR)
            {
                if (reading.Options.States == StateRules.Versions)
                {
                    foreach (var old in q.States)
                    {
                        var mine = Declared(patch, old.Id);
                        if (mine is null) return Refuse(state, Errno.EINVAL, Reason.StateDropped);
                        if (mine.Value.Version < old.Version) return Refuse(state, Errno.EINVAL, Reason.StateDowngrade);
                    }
                }
                else
                {
                    foreach (var old in q.States)
                        if (old.BlockDisable && Declared(patch, old.Id) is null)
                            return Refuse(state, Errno.EINVAL, Reason.StateBlocked);
                }
                replaced.Add(entry.Patch);
            }
            else
            {
                var shared = q.States.Where(s => Declared(patch, s.Id) is not null).ToList();
                if (shared.Count > 0)
                {
                    if (reading.Options.Isolation == Isolation.FunctionsAndStates)
                        return Refuse(state, Errno.EINVAL, Reason.StateConflict);
                    if (reading.StatesCheckedAgainstAll && reading.Options.States == StateRules.Versions
                        && shared.Any(old => Declared(patch, old.Id)!.Value.Version < old.Version))
                        return Refuse(state, Errno.EINVAL, Reason.StateDowngrade);
                }
                if (reading.Options.Isolation != Isolation.None && ShareFunction(reading, patch, q))
                    return Refuse(state, Errno.EINVAL, Reason.FunctionConflict);
            }
        }

        // klp_init_object() then klp_init_func() (kernel/livepatch/core.c): each of the patch's
        // own functions gets its sysfs directory "name,sympos", sympos 0 written as 1, before the
        // nops klp_add_nops() appended to the object; two own functions with one name (f and f@1,
        // or f twice) fail kobject_add() with EEXIST whatever klp_find_func() compares.
        var ownNames = patch.Funcs.Select(SysfsName).ToList();
        if (ownNames.Distinct().Count() < ownNames.Count)
            return Refuse(state, Errno.EEXIST, Reason.DuplicateFunction);

        // klp_init_patch(): a replacing patch gets a nop for every function of a replaced patch
        // it does not patch itself (klp_find_func() compares sympos exactly before commit
        // 139560e8b973, with 0 and 1 the same after it). Every function, nop or not, gets a
        // sysfs directory "name,sympos" with sympos 0 written as 1; a second one with the same
        // name fails kobject_add() with EEXIST.
        var nops = Nops(catalog, reading, p, replaced);
        var nopNames = nops.Select(SysfsName).ToList();
        if (nopNames.Intersect(ownNames).Any() || nopNames.Distinct().Count() < nopNames.Count)
            return Refuse(state, Errno.EEXIST, Reason.NopNameClash);

        if (state.Transition is not null) return Refuse(state, Errno.EBUSY, Reason.TransitionInProgress);

        var patches = state.Patches.Add(new RefEntry(p, variant, allocated, occupied));
        var loaded = state.Loaded.Add(p);
        var replacing = ImmutableSortedSet.CreateRange(replaced);
        if (reading.Options.Granularity == Granularity.Atomic)
        {
            patches = patches.RemoveAll(e => replacing.Contains(e.Patch));
            return Accept(state with { Patches = patches, Loaded = loaded }, replacing);
        }
        return Accept(state with { Patches = patches, Loaded = loaded, Transition = new RefTransition(p, true, replacing) }, replacing);
    }

    /// <summary>The nops <c>klp_add_nops()</c> gives patch P that replaces these patches (in <c>klp_patches</c> order): one per function of theirs that <c>klp_find_func()</c> does not find among P's functions and the nops already added.</summary>
    public static List<FunctionId> Nops(Catalog catalog, Reading reading, int p, IEnumerable<int> replaced)
    {
        var exact = reading.Options.FunctionIdentity == FunctionIdentity.Exact;
        bool Same(FunctionId f, FunctionId g) => exact ? f == g : f.Normalized == g.Normalized;
        var nops = new List<FunctionId>();
        foreach (var g in replaced.SelectMany(q => catalog[q].Funcs))
            if (!catalog[p].Funcs.Any(f => Same(f, g)) && !nops.Any(n => Same(n, g)))
                nops.Add(g);
        return nops;
    }

    private static string SysfsName(FunctionId f) => $"{f.Object}/{f.Name},{(f.Sympos == 0 ? 1 : f.Sympos)}";

    private enum Cover { NotReplaced, Replaced, RefusedPartially }

    // Whether a patch that lists these sets replaces an entry, under the reading.
    private static Cover Covers(Catalog catalog, Reading reading, Patch patch, ImmutableSortedSet<uint> listed, RefEntry entry)
    {
        var isFixed = patch.SetSource == SetSource.Fixed;
        if (reading.Replace == ReplaceRule.ByReplaceFlag)
            return patch.Replace ? Cover.Replaced : Cover.NotReplaced;
        if (reading.Zero == ZeroRule.ReplacesAll && isFixed && patch.Sets[0] == 0u)
            return Cover.Replaced;
        if (reading.Replace == ReplaceRule.Intersecting)
            return entry.Occupied.Overlaps(listed) ? Cover.Replaced : Cover.NotReplaced;
        if (entry.Occupied.IsSubsetOf(listed))
            return Cover.Replaced;
        if (entry.Occupied.Overlaps(listed))
            return reading.Options.PartialOverlap == PartialOverlap.Refuse ? Cover.RefusedPartially : Cover.Replaced;
        return Cover.NotReplaced;
    }

    // The sets an entry listed when it was loaded: its own list (or allocated set) and add_sets.
    private static ImmutableSortedSet<uint> ListedBy(Catalog catalog, RefEntry entry)
    {
        var patch = catalog[entry.Patch];
        var own = patch.SetSource == SetSource.Fixed ? patch.Sets : [entry.Allocated!.Value];
        return ImmutableSortedSet.CreateRange(own).Union(catalog.AddSetsVariants[entry.Params]);
    }

    private static KlpState? Declared(Patch patch, uint id)
    {
        foreach (var s in patch.States)
            if (s.Id == id) return s;
        return null;
    }

    private static bool ShareFunction(Reading reading, Patch a, Patch b)
    {
        var exact = reading.Options.FunctionIdentity == FunctionIdentity.Exact;
        foreach (var f in a.Funcs)
            foreach (var g in b.Funcs)
            {
                if (exact ? f == g : f.Normalized == g.Normalized) return true;
            }
        return false;
    }

    private static uint SmallestFree(RefState state)
    {
        var k = 1u;
        while (state.Patches.Any(e => e.Occupied.Contains(k))) k++;
        return k;
    }

    private static uint? SetOf(RefState state, int holder)
    {
        var entry = state.Entry(holder);
        return entry is null || entry.Occupied.Count == 0 ? null : entry.Occupied.Min;
    }

    // ---- Complete, Reverse, Force ------------------------------------------------------

    private static RefOutcome Complete(RefState state)
    {
        if (state.Transition is not { } t) return Refuse(state, Errno.EINVAL, Reason.NoTransition);
        return Finish(state, t);
    }

    private static RefOutcome Finish(RefState state, RefTransition t)
    {
        var leaving = t.TargetPatched ? t.Replacing : [t.Patch];
        var patches = state.Patches.RemoveAll(e => leaving.Contains(e.Patch));
        return Accept(state with { Patches = patches, Transition = null }, leaving);
    }

    // reverse writes the opposite of the target to the transition patch's enabled; a write of 0
    // to a patch with a block_disable state is refused under states=block-disable.
    private static RefOutcome WriteOpposite(Catalog catalog, Reading reading, RefState state)
    {
        if (state.Transition is { TargetPatched: true } t && Blocks(catalog, reading, t.Patch))
            return Refuse(state, Errno.EINVAL, Reason.DisableBlocked);
        return Reverse(state);
    }

    private static bool Blocks(Catalog catalog, Reading reading, int p) =>
        reading.Options.States == StateRules.BlockDisable && catalog[p].States.Any(s => s.BlockDisable);

    private static RefOutcome Reverse(RefState state)
    {
        if (state.Transition is not { } t) return Refuse(state, Errno.EINVAL, Reason.NoTransition);
        return Accept(state with { Transition = t with { TargetPatched = !t.TargetPatched } }, []);
    }

    private static RefOutcome Force(Catalog catalog, Reading reading, RefState state, int p)
    {
        if (p != Operation.NoPatch && p < catalog.Count && !state.InPatches(p)) return Refuse(state, Errno.ENOENT, Reason.NoSysfsDir);
        if (state.Transition is not { } t) return Refuse(state, Errno.EINVAL, Reason.NotInTransition);
        if (p != Operation.NoPatch && p != t.Patch) return Refuse(state, Errno.EINVAL, Reason.NotInTransition);
        // klp_force_transition(): target unpatched marks the transition patch forced; target
        // patched with replace marks every other patch in klp_patches, wherever it stands.
        var pinned = t.TargetPatched
            ? state.Pinned.Union(t.Replacing).Union(OthersCovered(catalog, reading, state, t.Patch))
            : state.Pinned.Add(t.Patch);
        return Finish(state with { Pinned = pinned }, t);
    }

    private static IEnumerable<int> OthersCovered(Catalog catalog, Reading reading, RefState state, int p)
    {
        var entry = state.Entry(p)!;
        var listed = ListedBy(catalog, entry);
        return state.Patches
            .Where(e => e.Patch != p && Covers(catalog, reading, catalog[p], listed, e) == Cover.Replaced)
            .Select(e => e.Patch);
    }

    // ---- Disable, Unload ---------------------------------------------------------------

    private static RefOutcome Disable(Catalog catalog, Reading reading, RefState state, int p)
    {
        // No sysfs directory once the patch left klp_patches: the shell cannot open the file.
        if (!state.InPatches(p)) return Refuse(state, Errno.ENOENT, Reason.NoSysfsDir);
        // enabled_store(): the current value, then (block-disable) a blocking patch, then the
        // reverse branch, then another transition.
        if (state.Transition is { TargetPatched: false } own && own.Patch == p) return Refuse(state, Errno.EINVAL, Reason.NotEnabled);
        if (Blocks(catalog, reading, p)) return Refuse(state, Errno.EINVAL, Reason.DisableBlocked);
        if (state.Transition is { } t)
            return t.Patch == p ? Reverse(state) : Refuse(state, Errno.EBUSY, Reason.TransitionInProgress);
        if (reading.Options.Granularity == Granularity.Atomic)
            return Accept(state with { Patches = state.Patches.RemoveAll(e => e.Patch == p) }, [p]);
        return Accept(state with { Transition = new RefTransition(p, false, []) }, []);
    }

    private static RefOutcome Unload(RefState state, int p)
    {
        if (!state.Loaded.Contains(p)) return Refuse(state, Errno.ENOENT, Reason.ModuleNotLoaded);
        if (state.InPatches(p) || state.Pinned.Contains(p)) return Refuse(state, Errno.EAGAIN, Reason.ModuleInUse);
        return Accept(state with { Loaded = state.Loaded.Remove(p) }, [p]);
    }

    // ---- Observables -------------------------------------------------------------------

    /// <summary>What the comparison looks at, from the reference state.</summary>
    public static Observation Observe(Catalog catalog, RefState state)
    {
        var enabled = state.Patches.Where(e => state.IsEnabled(e.Patch)).ToList();
        // The newest enabled patch that patches a function (any sympos written as 1) runs it;
        // the newest enabled declarer of a state id gives its version and flag.
        var active = catalog.Functions.Select(f =>
            enabled.LastOrDefault(e => catalog[e.Patch].Funcs.Any(g => g.Normalized == f.Normalized))?.Patch ?? -1);
        var states = new SortedDictionary<uint, KlpState>();
        foreach (var e in enabled)
            foreach (var s in catalog[e.Patch].States) states[s.Id] = s;
        return new(
            Observation.EnabledText(catalog, enabled.Select(e => (e.Patch, (IEnumerable<uint>)e.Occupied))),
            Observation.NamesText(catalog, state.Loaded),
            Observation.NamesText(catalog, state.Pinned),
            state.Transition is { } t
                ? Observation.TransitionText(catalog, t.Patch, t.TargetPatched, t.Replacing)
                : "none",
            Observation.ActiveText(catalog, active),
            string.Join(", ", states.Values));
    }

    /// <summary>The same observables from the fast model's state.</summary>
    public static Observation Observe(Catalog catalog, Reading reading, in KernelState state)
    {
        var occupied = Observables.OccupiedSets(catalog, reading, state);
        var enabled = Observables.Enabled(state);
        var active = new int[catalog.Functions.Length];
        for (var f = 0; f < active.Length; f++) active[f] = Observables.ActiveImplementation(catalog, state, f);
        if (occupied.Count != enabled.Count || occupied.Select(o => o.Patch).Except(enabled).Any())
            throw new InvalidOperationException("Observables.Enabled and Observables.OccupiedSets disagree");
        return new(
            Observation.EnabledText(catalog, occupied.Select(o => (o.Patch, catalog.SetsOf(o.Sets)))),
            Observation.NamesText(catalog, Masks.Indices(state.Loaded)),
            Observation.NamesText(catalog, Masks.Indices(state.Pinned)),
            state.InTransition
                ? Observation.TransitionText(catalog, state.TransitionPatch, state.TargetPatched, Masks.Indices(state.Replacing))
                : "none",
            Observation.ActiveText(catalog, active),
            string.Join(", ", Observables.ActiveStates(catalog, state).Values));
    }
}

/// <summary>The observables both models must agree on, as canonical text (so equality is by value).</summary>
/// <param name="Enabled">Enabled patches in list order, each with its occupied sets: <c>p0{1,2} p3{}</c>.</param>
/// <param name="Loaded">Loaded modules by catalog order.</param>
/// <param name="Pinned">Pinned modules by catalog order.</param>
/// <param name="Transition"><c>none</c> or <c>p1 patched replacing {p0}</c>.</param>
/// <param name="Active">Per function, the patch whose code is active: <c>f=p1 g=original</c>.</param>
/// <param name="States">The active states by id: <c>1:v2, 3:v0:block_disable</c>.</param>
public readonly record struct Observation(string Enabled, string Loaded, string Pinned, string Transition, string Active, string States)
{
    public override string ToString() => $"enabled [{Enabled}]; loaded {Loaded}; pinned {Pinned}; transition {Transition}; active {Active}; states {{{States}}}";

    internal static string ActiveText(Catalog catalog, IEnumerable<int> perFunction) =>
        string.Join(" ", perFunction.Select((p, f) => $"{catalog.Functions[f]}={(p < 0 ? "original" : catalog[p].Name)}"));

    internal static string EnabledText(Catalog catalog, IEnumerable<(int Patch, IEnumerable<uint> Sets)> entries) =>
        string.Join(" ", entries.Select(e => catalog[e.Patch].Name + "{" + string.Join(",", e.Sets.Order()) + "}"));

    internal static string NamesText(Catalog catalog, IEnumerable<int> patches) =>
        "{" + string.Join(", ", patches.Order().Select(p => catalog[p].Name)) + "}";

    internal static string TransitionText(Catalog catalog, int patch, bool targetPatched, IEnumerable<int> replacing) =>
        $"{catalog[patch].Name} {(targetPatched ? "patched" : "unpatched")} replacing {NamesText(catalog, replacing)}";
}

/// <summary>Conversions between patch masks and index sets.</summary>
public static class Masks
{
    public static ulong Of(IEnumerable<int> patches)
    {
        ulong mask = 0;
        foreach (var p in patches) mask |= 1UL << p;
        return mask;
    }

    public static IEnumerable<int> Indices(ulong mask)
    {
        for (var i = 0; i < 64; i++)
            if ((mask & (1UL << i)) != 0) yield return i;
    }
}
