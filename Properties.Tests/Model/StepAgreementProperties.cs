using System.Collections.Immutable;
using FsCheck.Fluent;
using FsCheck.Xunit;
using FsCheck;
using Klp.Check.Conformance;
using Klp.Check.Engine;
using Klp.Check.Inputs;
using Klp.Check.Model;
using Klp.Check.Properties;
using Klp.Check.Tests.Reference;
using Microsoft.FSharp.Core;
using Xunit;
using Property = FsCheck.Property;

namespace Klp.Check.Tests.Model;

/// <summary>The fast <see cref="Kernel.Step"/> agrees with the slow <see cref="ReferenceKernel"/> on generated runs.</summary>
[Properties(Arbitrary = new[] { typeof(Arbitraries) }, MaxTest = 300)]
public class StepAgreementProperties
{
    [Property]
    public Property Step_AtomicRun_AgreesWithReference(Trace run) =>
        Agrees(WithGranularity(run, Granularity.Atomic));

    [Property]
    public Property Step_TwoPhaseRun_AgreesWithReference(Trace run) =>
        Agrees(WithGranularity(run, Granularity.TwoPhase));

    // The explorer hands an operation to Kernel.Apply only when EarlyRefusal lets it through:
    // every early refusal, in every state of a run and for every operation of the alphabet, must
    // be the reference's refusal.
    [Property]
    public Property EarlyRefusal_InEveryStateOfARun_IsTheReferencesRefusal(Trace run)
    {
        var catalog = run.Catalog;
        var alphabet = Alphabet.For(catalog, run.Reading.Options.Granularity);
        var fastState = KernelState.Empty;
        var refState = RefState.Empty;
        var screened = 0;
        foreach (var step in run.Operations)
        {
            foreach (var op in alphabet.Append(step))
            {
                var early = Kernel.EarlyRefusal(catalog, fastState, op);
                if (early.Accepted) continue;
                screened++;
                var r = ReferenceKernel.Step(catalog, run.Reading, refState, op);
                if (early.Errno != r.Errno || early.Reason != r.Reason)
                    return false.Label($"{op.Format(catalog)}: early {early.Errno} {early.Reason.Name()}, reference {r.Errno} {r.Reason.Name()}");
            }
            fastState = Kernel.Step(catalog, run.Reading, fastState, step).State;
            refState = ReferenceKernel.Step(catalog, run.Reading, refState, step).State;
        }
        return true.Label("agrees").Classify(screened == 0, "nothing screened");
    }

    // The explorer applies only what EarlyScreen lets through and counts the rest from it: per
    // state, its masks and counts are EarlyRefusal's, operation by operation.
    [Property]
    public Property EarlyScreen_InEveryStateOfARun_IsEarlyRefusalOfEachOperation(Trace run)
    {
        var catalog = run.Catalog;
        var state = KernelState.Empty;
        foreach (var step in run.Operations.Prepend(Operation.Complete()))
        {
            state = Kernel.Step(catalog, run.Reading, state, step).State;
            var counted = new long[Enum.GetValues<Reason>().Length];
            Kernel.EarlyScreen(catalog, state, out var loads, out var disables, out var unloads, counted);
            var expected = new long[counted.Length];
            ulong l = 0, d = 0, u = 0;
            foreach (var op in Alphabet.For(catalog, Granularity.Atomic))
            {
                var early = Kernel.EarlyRefusal(catalog, state, op);
                if (!early.Accepted) expected[(int)early.Reason]++;
                else if (op.Kind == OpKind.Load) l |= 1UL << op.Patch;
                else if (op.Kind == OpKind.Disable) d |= 1UL << op.Patch;
                else u |= 1UL << op.Patch;
            }
            if ((loads, disables, unloads) != (l, d, u) || !counted.SequenceEqual(expected))
                return false.Label($"masks {loads:x}/{disables:x}/{unloads:x} against {l:x}/{d:x}/{u:x}, counts {string.Join(",", counted)} against {string.Join(",", expected)}");
        }
        return true.ToProperty();
    }

    // States are compared and hashed whole, the entries past Count included: every state a run
    // reaches must be the state built from its fields, whatever the operations took out of its
    // list (a replacing load, a disable, a completed transition) and however they did it.
    [Property]
    public Property Step_EveryStateOfARun_IsTheStateBuiltFromItsFields(Trace run)
    {
        var state = KernelState.Empty;
        for (var i = 0; i < run.Operations.Count; i++)
        {
            state = Kernel.Step(run.Catalog, run.Reading, state, run.Operations[i]).State;
            var entries = new (int, int, int)[state.Count];
            for (var k = 0; k < entries.Length; k++) entries[k] = (state.PatchAt(k), state.ParamsAt(k), state.AutoSetAt(k));
            var built = KernelState.Of(entries, state.Loaded, state.Pinned, state.TransitionPatch, state.TargetPatched, state.Replacing);
            if (!state.Same(built) || state.Fingerprint() != built.Fingerprint())
                return false.Label($"after step {i + 1} ({run.Operations[i].Format(run.Catalog)}) the state is not the one built from its fields");
        }
        return true.ToProperty();
    }

    // The explorer answers loads from LoadMasks where a catalog and reading have them: in every
    // state of a run, every load past the early checks must get Apply's effect and successor
    // from the masks, and the reference's refusal.
    [Property]
    public Property LoadByMasks_InEveryStateOfARun_IsApplysEffectAndSuccessor(Trace run) => MasksAgree(run);

    [Property(MaxTest = 200)]
    public Property LoadByMasks_OverSymposTwinsUnderExactIdentity_IsApplysEffectAndSuccessor() =>
        Prop.ForAll(Arb.From(symposTwinRuns, Generators.ShrinkTrace), MasksAgree);

    private static Property MasksAgree(Trace run)
    {
        var catalog = run.Catalog;
        var masks = LoadMasks.For(catalog, run.Reading);
        if (masks is null) return true.Label("no masks").Classify(true, "no masks");
        var alphabet = Alphabet.For(catalog, run.Reading.Options.Granularity);
        var state = KernelState.Empty;
        var refState = RefState.Empty;
        var accepted = 0;
        var refused = 0;
        for (var i = 0; i <= run.Operations.Count; i++)
        {
            foreach (var op in alphabet)
            {
                if (op.Kind != OpKind.Load || !Kernel.EarlyRefusal(catalog, state, op).Accepted) continue;
                KernelState byMasks = state, byEntries = state;
                var m = Kernel.ApplyScreened(catalog, run.Reading, masks, state, op, ref byMasks);
                var e = Kernel.ApplyScreened(catalog, run.Reading, null, state, op, ref byEntries);
                var r = ReferenceKernel.Step(catalog, run.Reading, refState, op);
                var where = $"{op.Format(catalog)} after step {i}";
                if ((m.Accepted, m.Errno, m.Reason, m.Affected) != (e.Accepted, e.Errno, e.Reason, e.Affected))
                    return false.Label($"{where}: masks {m.Errno} {m.Reason.Name()} {m.Affected:x}, entries {e.Errno} {e.Reason.Name()} {e.Affected:x}");
                if (!byMasks.Same(byEntries)) return false.Label($"{where}: the successors differ");
                if ((m.Errno, m.Reason) != (r.Errno, r.Reason))
                    return false.Label($"{where}: masks {m.Errno} {m.Reason.Name()}, reference {r.Errno} {r.Reason.Name()}");
                if (m.Accepted) accepted++;
                else refused++;
            }
            if (i == run.Operations.Count) break;
            state = Kernel.Step(catalog, run.Reading, state, run.Operations[i]).State;
            refState = ReferenceKernel.Step(catalog, run.Reading, refState, run.Operations[i]).State;
        }
        return true.Label("agrees")
            .Classify(accepted > 0, "a load accepted")
            .Classify(refused > 0, "a load refused");
    }

    // Regression: Kernel.Step once walked a replaced patch's states in the catalog's interning
    // order, so the reason (state-dropped or state-downgrade) depended on unrelated patches.
    // The kernel walks the replaced patch's own declaration order (klp_for_each_state).
    [Fact]
    public void Load_ReplacedPatchStatesDroppedAndDowngraded_ReportsTheFirstInTheReplacedPatchsOrder()
    {
        // p0 interns state 2 before state 3; p1 declares 3 before 2. p0 replaces p1, drops 3 and downgrades 2.
        var catalog = new Catalog(
        [
            TestPatch("p0", sets: [1], states: [new KlpState(2, 0, false)]),
            TestPatch("p1", sets: [1], states: [new KlpState(3, 0, false), new KlpState(2, 1, false)]),
        ]);
        Operation[] ops = [Operation.Load(1), Operation.Load(0)];

        var result = Compare(new Trace(catalog, Readings.ReplaceSet, ops), Readings.ReplaceSet, Readings.ReplaceSet);
        var outcome = Kernel.Step(catalog, Readings.ReplaceSet, Kernel.Step(catalog, Readings.ReplaceSet, KernelState.Empty, ops[0]).State, ops[1]);

        Assert.Null(result.Disagreement);
        Assert.Equal((Errno.EINVAL, Reason.StateDropped), (outcome.Errno, outcome.Reason));
    }

    private static Patch TestPatch(string name, ImmutableArray<uint> sets, ImmutableArray<KlpState> states) =>
        new(name, Origin.Vendor, PatchKind.Hotfix, 0, [], states, false, sets);

    public static TheoryData<string> Mutants => ["positional-all-listed", "set-intersecting", "zero-replaces-all-ordinary"];

    [Theory]
    [MemberData(nameof(Mutants))]
    public void Mutant_ComparedWithReferenceOfItsPreset_IsCaught(string name)
    {
        var (preset, mutant) = Mutant(name);
        var runs = Arb.From(
            Generators.Traces().Select(run => run with { Reading = preset.With(run.Reading.Options) }),
            Generators.ShrinkTrace);
        var property = Prop.ForAll(runs, run =>
        {
            var result = Compare(run, fast: mutant.With(run.Reading.Options), reference: run.Reading);
            return (result.Disagreement is null).Label(result.Disagreement ?? "agrees");
        });
        // A pinned seed keeps the test deterministic: it fails only if the comparison stops seeing the mutation.
        var replay = new Replay(new Rnd(20260618UL, 0x9E3779B97F4A7C15UL), FSharpOption<int>.None);
        var config = Config.QuickThrowOnFailure.WithMaxTest(1000).WithReplay(FSharpOption<Replay>.Some(replay));

        var failure = Assert.ThrowsAny<Exception>(() => property.Check(config));

        Assert.Contains("disagree at step", failure.Message);
    }

    private static (Reading Preset, Reading Mutant) Mutant(string name) => name switch
    {
        // Occupies every listed set instead of only its own.
        "positional-all-listed" => (Readings.Positional, Readings.Positional with { Membership = Membership.AllListed }),
        // Forgets the subset rule: replaces every intersecting entry instead of refusing a partial overlap.
        "set-intersecting" => (Readings.Set, Readings.Set with { Replace = ReplaceRule.Intersecting }),
        // Forgets that set 0 is the global cumulative.
        "zero-replaces-all-ordinary" => (Readings.ZeroReplacesAll, Readings.ZeroReplacesAll with { Zero = ZeroRule.Ordinary }),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "unknown mutant"),
    };

    // Catalogs whose patches patch f, f at sympos 1 or g, so that a replacing load often meets
    // replaced entries patching f and f at sympos 1, under exact function identity: the nops'
    // sysfs-name clash is rare in the general catalogs above.
    private static readonly FunctionId[] twins = [new(FunctionId.Vmlinux, "f", 0), new(FunctionId.Vmlinux, "f", 1), new(FunctionId.Vmlinux, "g", 0)];

    private static readonly Gen<Trace> symposTwinRuns =
        from n in Gen.Choose(3, 4)
        from patches in Gen.CollectToArray(Enumerable.Range(0, n), i =>
            from func in Gen.Elements(twins)
            from replace in Gen.Elements(false, true)
            from sets in Gen.Elements<ImmutableArray<uint>>([1u], [2u], [1u, 2u])
            select new Patch($"p{i}", Origin.Vendor, replace ? PatchKind.Cumulative : PatchKind.Hotfix, i, [func], [], replace, sets))
        let catalog = new Catalog(patches)
        from reading in Generators.Readings()
        from order in Gen.Shuffle(Enumerable.Range(0, n).ToArray())
        from length in Gen.Choose(0, 4)
        from more in Generators.Operations(catalog, length)
        // Every patch loaded once, each load's transition completed, then any operations.
        let loads = order.SelectMany(p => new[] { Operation.Load(p), Operation.Complete() })
        select new Trace(catalog, reading.With(reading.Options with { FunctionIdentity = FunctionIdentity.Exact }), [.. loads, .. more]);

    [Property(MaxTest = 300)]
    public Property Step_RunOverSymposTwinsUnderExactIdentity_AgreesWithReference() =>
        Prop.ForAll(Arb.From(symposTwinRuns, Generators.ShrinkTrace), Agrees);

    private static Trace WithGranularity(Trace run, Granularity granularity) =>
        run with { Reading = run.Reading.WithGranularity(granularity) };

    // The rarest first, so that each run is counted under the most specific refusal it saw.
    private static readonly Reason[] loadRefusals =
    [
        Reason.PartialSetOverlap, Reason.StateDowngrade, Reason.StateDropped, Reason.StateBlocked, Reason.StateConflict,
        Reason.FunctionConflict, Reason.UnexpressibleAttributes, Reason.UnsupportedParameter, Reason.TransitionInProgress,
        Reason.ModuleLoaded,
    ];

    private static Property Agrees(Trace run)
    {
        var result = Compare(run, run.Reading, run.Reading);
        var refusal = loadRefusals.FirstOrDefault(result.LoadRefusals.Contains);
        return (result.Disagreement is null).Label(result.Disagreement ?? "agrees")
            .Classify(result.AcceptedLoads == 0, "no load accepted")
            .Classify(result.AcceptedLoads is 1 or 2, "1-2 loads accepted")
            .Classify(result.AcceptedLoads >= 3, "3+ loads accepted")
            .Classify(refusal == Reason.None, "no load refused")
            .Classify(refusal != Reason.None, "a load refused " + refusal.Name());
    }

    private sealed record Comparison(string? Disagreement, int AcceptedLoads, IReadOnlySet<Reason> LoadRefusals);

    /// <summary>Steps both models through the run; the first disagreement in outcome or observables, if any.</summary>
    private static Comparison Compare(Trace run, Reading fast, Reading reference)
    {
        var catalog = run.Catalog;
        var fastState = KernelState.Empty;
        var refState = RefState.Empty;
        var acceptedLoads = 0;
        var refusals = new HashSet<Reason>();
        for (var i = 0; i < run.Operations.Count; i++)
        {
            var op = run.Operations[i];
            var f = Kernel.Step(catalog, fast, fastState, op);
            var r = ReferenceKernel.Step(catalog, reference, refState, op);
            var fastText = $"{f.Errno} {f.Reason.Name()} affected {Observation.NamesText(catalog, Masks.Indices(f.Affected))}";
            var refText = $"{r.Errno} {r.Reason.Name()} affected {Observation.NamesText(catalog, r.Affected)}";
            var where = $"disagree at step {i + 1} ({op.Format(catalog)})";
            if (fastText != refText)
                return new($"{where}, outcome: fast {fastText}, reference {refText}", acceptedLoads, refusals);
            if (!f.Accepted && f.State != fastState)
                return new($"{where}: the fast model's refusal changed the state", acceptedLoads, refusals);
            var fastObserved = ReferenceKernel.Observe(catalog, fast, f.State);
            var refObserved = ReferenceKernel.Observe(catalog, r.State);
            if (fastObserved != refObserved)
                return new($"{where}, observables: fast {fastObserved}, reference {refObserved}", acceptedLoads, refusals);

            if (op.Kind == OpKind.Load)
            {
                if (f.Accepted) acceptedLoads++;
                else refusals.Add(f.Reason);
            }
            fastState = f.State;
            refState = r.State;
        }
        return new(null, acceptedLoads, refusals);
    }
}
