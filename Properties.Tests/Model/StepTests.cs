using System.Collections.Immutable;
using Klp.Check.Conformance;
using Klp.Check.Model;
using Klp.Check.Tests.Reference;

namespace Klp.Check.Tests.Model;

/// <summary>The kernel's answers at its edges, each checked on the fast model and the reference.</summary>
public class StepTests
{
    private static readonly Reading twoPhase = Readings.Upstream.WithGranularity(Granularity.TwoPhase);

    private static Patch Upstream(string name, bool replace, params FunctionId[] funcs) =>
        new(name, Origin.Vendor, replace ? PatchKind.Cumulative : PatchKind.Hotfix, 0, [.. funcs], [], replace, Patch.DefaultSets);

    private static FunctionId F(string name, int sympos = 0) => new(FunctionId.Vmlinux, name, sympos);

    // The outcome of the last operation, after both models agree on every step.
    private static Outcome Last(Catalog catalog, Reading reading, params Operation[] ops)
    {
        var state = KernelState.Empty;
        var reference = ReferenceKernel.Run(catalog, reading, ops);
        Outcome outcome = default;
        for (var i = 0; i < ops.Length; i++)
        {
            outcome = Kernel.Step(catalog, reading, state, ops[i]);
            state = outcome.State;
            Assert.Equal((reference[i].Errno, reference[i].Reason, reference[i].AffectedMask), (outcome.Errno, outcome.Reason, outcome.Affected));
            Assert.Equal(ReferenceKernel.Observe(catalog, reference[i].State), ReferenceKernel.Observe(catalog, reading, state));
        }
        return outcome;
    }

    private static readonly Catalog stacked = new([Upstream("a", false, F("f")), Upstream("b", false, F("g")), Upstream("r", true, F("h"))]);

    // Issue 16.1: delete_module fails with EWOULDBLOCK (try_stop_module(), kernel/module/main.c)
    // while the livepatch holds its module reference; the model answered EBUSY.
    [Fact]
    public void Unload_ModuleOfEnabledPatch_RefusesWithEagain()
    {
        var o = Last(stacked, Readings.Upstream, Operation.Load(0), Operation.Unload(0));

        Assert.Equal((Errno.EAGAIN, Reason.ModuleInUse), (o.Errno, o.Reason));
    }

    [Fact]
    public void Unload_ModulePinnedByForce_RefusesWithEagain()
    {
        var o = Last(stacked, twoPhase, Operation.Load(0), Operation.Disable(0), Operation.Force(0), Operation.Unload(0));

        Assert.Equal((Errno.EAGAIN, Reason.ModuleInUse, 1UL), (o.Errno, o.Reason, o.State.Pinned));
    }

    // Issue 16.2: a patch that left klp_patches has no sysfs directory, so the write fails with
    // ENOENT in user space; the model answered EINVAL.
    [Fact]
    public void Disable_PatchNeverLoaded_RefusesWithEnoent()
    {
        var o = Last(stacked, Readings.Upstream, Operation.Disable(1));

        Assert.Equal((Errno.ENOENT, Reason.NoSysfsDir), (o.Errno, o.Reason));
    }

    [Fact]
    public void Disable_PatchFreedAfterItsDisable_RefusesWithEnoent()
    {
        var o = Last(stacked, twoPhase, Operation.Load(0), Operation.Complete(), Operation.Disable(0), Operation.Complete(), Operation.Disable(0));

        Assert.Equal((Errno.ENOENT, Reason.NoSysfsDir), (o.Errno, o.Reason));
    }

    [Fact]
    public void Disable_PatchReplaced_RefusesWithEnoent()
    {
        var o = Last(stacked, Readings.Upstream, Operation.Load(0), Operation.Load(2), Operation.Disable(0));

        Assert.Equal((Errno.ENOENT, Reason.NoSysfsDir), (o.Errno, o.Reason));
    }

    // enabled_store() compares the written value with patch->enabled: 0 during the patch's own
    // unpatching transition, while its directory still exists.
    [Fact]
    public void Disable_PatchInItsUnpatchingTransition_RefusesWithEinval()
    {
        var o = Last(stacked, twoPhase, Operation.Load(0), Operation.Complete(), Operation.Disable(0), Operation.Disable(0));

        Assert.Equal((Errno.EINVAL, Reason.NotEnabled), (o.Errno, o.Reason));
    }

    [Fact]
    public void Force_NamedPatchWithoutSysfsDir_RefusesWithEnoent()
    {
        var o = Last(stacked, twoPhase, Operation.Load(0), Operation.Force(1));

        Assert.Equal((Errno.ENOENT, Reason.NoSysfsDir), (o.Errno, o.Reason));
    }

    // Issue 11.14: klp_force_transition() (transition.c), target PATCHED and replace, marks every
    // other patch in klp_patches forced, including the ones loaded after a replace patch whose
    // disable was reversed; the model pinned none.
    [Fact]
    public void Force_AfterReversedDisableOfReplacePatch_PinsEveryOtherPatch()
    {
        var o = Last(stacked, twoPhase,
            Operation.Load(2), Operation.Complete(), Operation.Load(0), Operation.Complete(), Operation.Load(1), Operation.Complete(),
            Operation.Disable(2), Operation.Reverse(), Operation.Force(2));

        Assert.Equal((Errno.None, 0UL, 0b011UL, 0b111UL), (o.Errno, o.Affected, o.State.Pinned, o.State.InPatches));
    }

    [Fact]
    public void Force_AfterReversedDisableOfNonReplacePatch_PinsNothing()
    {
        var o = Last(stacked, twoPhase,
            Operation.Load(0), Operation.Complete(), Operation.Load(1), Operation.Complete(),
            Operation.Disable(0), Operation.Reverse(), Operation.Force(0));

        Assert.Equal((Errno.None, 0UL), (o.Errno, o.State.Pinned));
    }

    // A patch in its own unpatching transition is not enabled: the patch under it is active
    // again (docs/semantics.md section 2.2), although tasks not yet switched still run its code.
    [Fact]
    public void Disable_TwoPhaseStackedPatch_PatchUnderItIsActiveDuringTheUnpatchingTransition()
    {
        var twice = new Catalog([Upstream("a", false, F("f")), Upstream("b", false, F("f"))]);

        var o = Last(twice, twoPhase, Operation.Load(0), Operation.Complete(), Operation.Load(1), Operation.Complete(), Operation.Disable(1));
        var alone = Last(twice, twoPhase, Operation.Load(0), Operation.Complete(), Operation.Disable(0));

        Assert.Equal((true, false), (o.State.InTransition, o.State.TargetPatched));
        Assert.Equal(0, Observables.ActiveImplementation(twice, o.State, 0));
        Assert.Equal(1, FunctionStack.Runs(twice, o.State, 0, switched: false));
        Assert.Equal(-1, Observables.ActiveImplementation(twice, alone.State, 0));
    }

    private static readonly Catalog sympos = new([Upstream("old", false, F("f")), Upstream("new", true, F("f", 1)), Upstream("other", false, F("g"))]);

    private static Reading Exact(Reading r) => r.With(r.Options with { FunctionIdentity = FunctionIdentity.Exact });

    // Issue 11.15: klp_add_object_nops() before commit 139560e8b973 matched sympos exactly, so
    // f (sympos 0) gets a nop beside the new f at sympos 1; both sysfs dirs are "f,1" -> EEXIST.
    [Fact]
    public void Load_ReplaceAtSympos1OverSympos0UnderExactIdentity_RefusesWithEexist()
    {
        var o = Last(sympos, Exact(Readings.Upstream), Operation.Load(0), Operation.Load(1));

        Assert.Equal((Errno.EEXIST, Reason.NopNameClash, 0b001UL), (o.Errno, o.Reason, o.State.InPatches));
    }

    [Fact]
    public void Load_ReplaceAtSympos1OverSympos0UnderNormalizedIdentity_Replaces()
    {
        var o = Last(sympos, Readings.Upstream, Operation.Load(0), Operation.Load(1));

        Assert.Equal((Errno.None, 0b001UL, 0b010UL), (o.Errno, o.Affected, o.State.InPatches));
    }

    [Fact]
    public void Load_NopNameClashWhileAnotherTransitionRuns_RefusesWithEexistBeforeEbusy()
    {
        var o = Last(sympos, Exact(twoPhase), Operation.Load(0), Operation.Complete(), Operation.Load(2), Operation.Load(1));

        Assert.Equal((Errno.EEXIST, Reason.NopNameClash), (o.Errno, o.Reason));
    }

    [Fact]
    public void Load_SetReadingReplacingSympos0EntryAtSympos1UnderExactIdentity_RefusesWithEexist()
    {
        var catalog = new Catalog(
        [
            new Patch("old", Origin.Vendor, PatchKind.Hotfix, 0, [F("f")], [], false, [1u]),
            new Patch("new", Origin.Vendor, PatchKind.Hotfix, 1, [F("f", 1)], [], false, [1u]),
        ]);

        var o = Last(catalog, Exact(Readings.ReplaceSet), Operation.Load(0), Operation.Load(1));

        Assert.Equal((Errno.EEXIST, Reason.NopNameClash), (o.Errno, o.Reason));
    }

    [Fact]
    public void Load_NonReplacePatchAtSympos1BesideSympos0_StacksWithoutNops()
    {
        var catalog = new Catalog([Upstream("old", false, F("f")), Upstream("new", false, F("f", 1))]);

        var o = Last(catalog, Exact(Readings.Upstream), Operation.Load(0), Operation.Load(1));

        Assert.Equal((Errno.None, 0b011UL), (o.Errno, o.State.InPatches));
    }

    // Regression, found by the function stack reference: under exact identity klp_find_func()
    // does not find the nop for f (sympos 0) when it meets f at sympos 1, so a replace patch that
    // patches neither gets two nops, both with the sysfs name "f,1". The model accepted the load.
    [Fact]
    public void Load_ReplaceOverSympos0AndSympos1UnderExactIdentity_RefusesWithEexist()
    {
        var catalog = new Catalog([Upstream("a", false, F("f")), Upstream("b", false, F("f", 1)), Upstream("r", true, F("g"))]);

        var o = Last(catalog, Exact(Readings.Upstream), Operation.Load(0), Operation.Load(1), Operation.Load(2));

        Assert.Equal((Errno.EEXIST, Reason.NopNameClash, 0b011UL), (o.Errno, o.Reason, o.State.InPatches));
    }

    // The same clash under a set reading: r's sets cover a's and b's, so r replaces both and
    // gets a nop for f (sympos 0) and one for f at sympos 1, both named "f,1".
    [Fact]
    public void Load_FlatReplacingEntriesAtSympos0AndSympos1UnderExactIdentity_RefusesWithEexist()
    {
        var catalog = new Catalog(
        [
            new Patch("a", Origin.Vendor, PatchKind.Hotfix, 0, [F("f")], [], false, [1u]),
            new Patch("b", Origin.Vendor, PatchKind.Hotfix, 1, [F("f", 1)], [], false, [2u]),
            new Patch("r", Origin.Vendor, PatchKind.Cumulative, 2, [F("g")], [], false, [1u, 2u]),
        ]);

        var exact = Last(catalog, Exact(Readings.Flat), Operation.Load(0), Operation.Load(1), Operation.Load(2));
        var normalized = Last(catalog, Readings.Flat, Operation.Load(0), Operation.Load(1));

        Assert.Equal((Errno.EEXIST, Reason.NopNameClash, 0b011UL), (exact.Errno, exact.Reason, exact.State.InPatches));
        // Normalized, f and f at sympos 1 are one function: b cannot load beside a in another set.
        Assert.Equal((Errno.EINVAL, Reason.FunctionConflict), (normalized.Errno, normalized.Reason));
    }

    [Fact]
    public void Load_ReplaceOverSympos0AndSympos1UnderNormalizedIdentity_GetsOneNopAndReplaces()
    {
        var catalog = new Catalog([Upstream("a", false, F("f")), Upstream("b", false, F("f", 1)), Upstream("r", true, F("g"))]);

        var o = Last(catalog, Readings.Upstream, Operation.Load(0), Operation.Load(1), Operation.Load(2));

        Assert.Equal((Errno.None, 0b011UL, 0b100UL), (o.Errno, o.Affected, o.State.InPatches));
    }

    // Regression: the model loaded a patch whose funcs name one function twice. klp_init_func()
    // (kernel/livepatch/core.c) names each function's sysfs directory "name,sympos" with sympos
    // 0 written as 1, so f and f@1 are both "f,1" and kobject_add() fails with EEXIST; the name
    // does not depend on klp_find_func(), so every reading and both identities refuse it.
    public static TheoryData<string, FunctionIdentity> EveryReadingBothIdentities()
    {
        var data = new TheoryData<string, FunctionIdentity>();
        foreach (var r in Readings.All)
            foreach (var identity in new[] { FunctionIdentity.Normalized, FunctionIdentity.Exact })
                data.Add(r.Name, identity);
        return data;
    }

    private static Reading Named(string name, FunctionIdentity identity)
    {
        var r = Readings.All.Single(r => r.Name == name);
        return r.With(r.Options with { FunctionIdentity = identity });
    }

    private static Patch Hotfix(string name, int release, params FunctionId[] funcs) =>
        new(name, Origin.Vendor, PatchKind.Hotfix, release, [.. funcs], [], false, [1u]);

    [Theory]
    [MemberData(nameof(EveryReadingBothIdentities))]
    public void Load_PatchNamingFunctionAtSympos0And1_RefusesWithEexistUnderEveryReading(string reading, FunctionIdentity identity)
    {
        var catalog = new Catalog([Hotfix("dup", 0, F("f"), F("f", 1))]);

        var o = Last(catalog, Named(reading, identity), Operation.Load(0));

        Assert.Equal((Errno.EEXIST, Reason.DuplicateFunction, 0UL, 0UL), (o.Errno, o.Reason, o.State.Loaded, o.State.InPatches));
    }

    [Theory]
    [MemberData(nameof(EveryReadingBothIdentities))]
    public void Load_PatchNamingOneSpellingTwice_RefusesWithEexistUnderEveryReading(string reading, FunctionIdentity identity)
    {
        var catalog = new Catalog([Hotfix("dup", 0, F("f", 2), F("g"), F("f", 2))]);

        var o = Last(catalog, Named(reading, identity), Operation.Load(0));

        Assert.Equal((Errno.EEXIST, Reason.DuplicateFunction), (o.Errno, o.Reason));
    }

    [Fact]
    public void Load_PatchNamingSympos1And2_LoadsTwoFunctions()
    {
        var catalog = new Catalog([Hotfix("two", 0, F("f", 1), F("f", 2))]);

        var o = Last(catalog, Readings.Upstream, Operation.Load(0));

        Assert.Equal((Errno.None, 0b1UL), (o.Errno, o.State.InPatches));
    }

    // Each object has its own sysfs directory: vmlinux's f and mod_a's f are "vmlinux/f,1" and "mod_a/f,1".
    [Fact]
    public void Load_PatchNamingOneNameInTwoObjects_Loads()
    {
        var catalog = new Catalog([Hotfix("two", 0, F("f"), new FunctionId("mod_a", "f", 1))]);

        var o = Last(catalog, Readings.Upstream, Operation.Load(0));

        Assert.Equal((Errno.None, 0b1UL), (o.Errno, o.State.InPatches));
    }

    // klp_init_patch() runs after klp_is_patch_compatible() and before __klp_enable_patch()'s
    // klp_transition_patch check: a state the patch drops is EINVAL first, a running transition
    // comes second.
    [Fact]
    public void Load_DuplicateFunctionThatDropsAState_RefusesWithEinvalFirst()
    {
        var catalog = new Catalog(
        [
            new Patch("old", Origin.Vendor, PatchKind.Hotfix, 0, [F("g")], [new KlpState(1, 0, false)], false, Patch.DefaultSets),
            Upstream("dup", true, F("f"), F("f", 1)),
        ]);

        var o = Last(catalog, Readings.Upstream, Operation.Load(0), Operation.Load(1));

        Assert.Equal((Errno.EINVAL, Reason.StateDropped), (o.Errno, o.Reason));
    }

    [Fact]
    public void Load_DuplicateFunctionWhileAnotherTransitionRuns_RefusesWithEexistBeforeEbusy()
    {
        var catalog = new Catalog([Upstream("other", false, F("g")), Upstream("dup", false, F("f"), F("f", 1))]);

        var o = Last(catalog, twoPhase, Operation.Load(0), Operation.Load(1));

        Assert.Equal((Errno.EEXIST, Reason.DuplicateFunction, 0b01UL), (o.Errno, o.Reason, o.State.InPatches));
    }

    // The patch's own functions get their sysfs directories before the nops klp_add_nops()
    // appended to the same object, so a patch with both faults fails on its own functions.
    [Fact]
    public void Load_DuplicateFunctionAndNopNameClashUnderExactIdentity_NamesTheDuplicate()
    {
        var catalog = new Catalog([Upstream("old", false, F("g")), Upstream("dup", true, F("f"), F("f", 1), F("g", 1))]);

        var o = Last(catalog, Exact(Readings.Upstream), Operation.Load(0), Operation.Load(1));

        Assert.Equal((Errno.EEXIST, Reason.DuplicateFunction), (o.Errno, o.Reason));
    }

    // A deliberate difference from the kernel (docs/scenarios.md): klp_get_state() returns the
    // first of two declarations of an id, but the catalog refuses them.
    [Fact]
    public void Catalog_StateIdDeclaredTwice_IsRefused()
    {
        ImmutableArray<KlpState> states = [new(1, 1, false), new(1, 2, false)];
        var patch = Upstream("p", true) with { States = states };

        var e = Assert.Throws<CatalogException>(() => new Catalog([patch]));

        Assert.Contains("declares state 1 twice", e.Message);
    }

    // Petr Mladek's block_disable series (POC, 10 Nov 2023, [POC 7/7]; v1, 15 Jan 2025, [PATCH v1
    // 04/19]) puts klp_patch_disable_blocked() in enabled_store() after the "already in
    // requested state" check and before the reverse branch and __klp_disable_patch().
    private static readonly Reading blockDisable = twoPhase.With(twoPhase.Options with { States = StateRules.BlockDisable });

    private static Patch WithStates(Patch p, params KlpState[] states) => p with { States = [.. states] };

    // b blocks its disable; a and r do not.
    private static readonly Catalog blocking = new(
    [
        Upstream("a", false, F("f")),
        WithStates(Upstream("b", false, F("g")), new KlpState(1, 0, true)),
        WithStates(Upstream("r", true, F("h")), new KlpState(2, 0, false)),
    ]);

    [Fact]
    public void Disable_BlockingPatchInItsLoadTransition_RefusesWithEinvalInsteadOfReversing()
    {
        var o = Last(blocking, blockDisable, Operation.Load(1), Operation.Disable(1));

        Assert.Equal((Errno.EINVAL, Reason.DisableBlocked), (o.Errno, o.Reason));
        Assert.True(o.State.InTransition && o.State.TargetPatched);
    }

    [Fact]
    public void Reverse_BlockingPatchsLoad_RefusesWithEinvalAndTheLoadCanOnlyComplete()
    {
        var o = Last(blocking, blockDisable, Operation.Load(1), Operation.Reverse());

        var done = Last(blocking, blockDisable, Operation.Load(1), Operation.Reverse(), Operation.Complete());

        Assert.Equal((Errno.EINVAL, Reason.DisableBlocked), (o.Errno, o.Reason));
        Assert.Equal((Errno.None, 0b10UL), (done.Errno, done.State.InPatches));
    }

    [Fact]
    public void Disable_BlockingPatchDuringAnotherTransition_RefusesWithEinvalBeforeEbusy()
    {
        var o = Last(blocking, blockDisable, Operation.Load(1), Operation.Complete(), Operation.Load(0), Operation.Disable(1));

        Assert.Equal((Errno.EINVAL, Reason.DisableBlocked), (o.Errno, o.Reason));
    }

    [Fact]
    public void Reverse_NonBlockingPatchsLoadUnderBlockDisable_Reverses()
    {
        var o = Last(blocking, blockDisable, Operation.Load(1), Operation.Complete(), Operation.Load(0), Operation.Reverse());

        Assert.True(o.Accepted);
        Assert.False(o.State.TargetPatched);
    }

    [Fact]
    public void Disable_BlockingPatchUnderVersions_Reverses()
    {
        var o = Last(blocking, twoPhase, Operation.Load(1), Operation.Disable(1));

        Assert.True(o.Accepted);
        Assert.False(o.State.TargetPatched);
    }

    // klp_is_patch_compatible() in the series returns true at once for a patch without replace:
    // a non-replace patch that leaves out a blocking state, or declares a state id of another
    // patch, loads beside it; a replace patch that leaves out a blocking state is refused.
    [Fact]
    public void Load_NonReplacePatchBesideABlockingStateUnderBlockDisable_SkipsTheStateCheck()
    {
        var c = new Catalog(
        [
            WithStates(Upstream("b", false, F("g")), new KlpState(1, 5, true)),
            WithStates(Upstream("n", false, F("f")), new KlpState(1, 0, false)),
            Upstream("m", false, F("h")),
            Upstream("r", true, F("h")),
        ]);
        var atomic = blockDisable.WithGranularity(Granularity.Atomic);

        Assert.True(Last(c, atomic, Operation.Load(0), Operation.Load(1)).Accepted);
        Assert.True(Last(c, atomic, Operation.Load(0), Operation.Load(2)).Accepted);
        var replace = Last(c, atomic, Operation.Load(0), Operation.Load(3));
        Assert.Equal((Errno.EINVAL, Reason.StateBlocked), (replace.Errno, replace.Reason));
    }
}
