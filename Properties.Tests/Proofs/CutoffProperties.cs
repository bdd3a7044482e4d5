using FsCheck;
using FsCheck.Fluent;
using Klp.Check.Model;
using Klp.Check.Proofs;

namespace Klp.Check.Tests.Proofs;

/// <summary>The fact the cutoff of docs/proofs.md rests on: on a raw catalog, a step touches each entry through that entry and the operation's and the transition's patches alone, so the step of a catalog cut down to some patches is the full step cut down, whenever the full step is accepted.</summary>
public class CutoffProperties
{
    private static readonly ProofScope Eight = new(8, InputSpace.Raw, Functions: 3, SetNumbers: 4, StateIds: 2, VersionBits: 2);

    // Every reading in both modes, over raw catalogs of eight patches.
    private static readonly Lazy<SymbolicStepUnderTest[]> Encodings = new(() =>
        [.. from reading in Readings.All
            from mode in new[] { Granularity.Atomic, Granularity.TwoPhase }
            select new SymbolicStepUnderTest(reading.WithGranularity(mode), Eight)]);

    [Fact]
    public void Step_CutDownToThePatchesItInvolvesAndOthers_IsTheFullStepCutDown()
    {
        var encodings = Encodings.Value;
        var property = Prop.ForAll(Arb.From(Gen.Choose(0, int.MaxValue)), seed =>
        {
            var random = new Random(seed);
            var u = encodings[random.Next(encodings.Length)];
            var k = SymbolicCases.Make(u, random);
            var catalog = k.Input.Catalog;
            var full = Kernel.Step(catalog, u.Reading, k.State, k.Op);
            // The operation's patch, the transition patch, and any others.
            var kept = Enumerable.Range(0, catalog.Count).Where(p => random.Next(2) == 0 || p == k.Op.Patch || p == k.State.TransitionPatch).ToList();
            var (small, state, op) = CutDown(catalog, k.State, k.Op, kept);
            var cut = Kernel.Step(small, u.Reading, state, op);
                        var label = $"{u.Reading.DisplayName} {ReadingOptionText.ModeName(u.Reading.Options.Granularity)}, {k.Op.Format(catalog)} after "
                + string.Join("; ", k.Run.Select(o => o.Format(catalog))) + $", keeping {string.Join(" ", kept.Select(p => catalog[p].Name))}:\n{k.Input.Describe()}";
            if (!full.Accepted) return true.Label(label).Classify(true, "refused");
            return (cut.Accepted && cut.State.Equals(CutDownState(full.State, kept)) && cut.Affected == Mask(full.Affected, kept))
                .Label(label + $"\ncut down: {(cut.Accepted ? "accepted" : "refused " + cut.Reason.Name())}");
        });

        property.Check(Config.QuickThrowOnFailure.WithMaxTest(4000).WithQuietOnSuccess(true));
    }

    // The catalog of the kept patches (in order), the state of their entries, and the operation renumbered.
    private static (Catalog, KernelState, Operation) CutDown(Catalog catalog, in KernelState s, Operation op, List<int> kept)
    {
        var small = new Catalog(kept.Select(p => catalog[p]), catalog.AddSetsVariants.Skip(1));
        var o = op.Patch == Operation.NoPatch ? op : op with { Patch = (byte)kept.IndexOf(op.Patch) };
        return (small, CutDownState(s, kept), o);
    }

    private static KernelState CutDownState(in KernelState s, List<int> kept)
    {
        var entries = new List<(int Patch, int Params, int AutoSet)>();
        for (var i = 0; i < s.Count; i++)
        {
            var q = s.PatchAt(i);
            if (kept.Contains(q)) entries.Add((kept.IndexOf(q), s.ParamsAt(i), -1));
        }
        return KernelState.Of([.. entries], Mask(s.Loaded, kept), Mask(s.Pinned, kept),
            s.InTransition ? kept.IndexOf(s.TransitionPatch) : -1, s.InTransition && s.TargetPatched, s.InTransition ? Mask(s.Replacing, kept) : 0);
    }

    private static ulong Mask(ulong mask, List<int> kept)
    {
        ulong m = 0;
        for (var i = 0; i < kept.Count; i++)
            if ((mask >> kept[i] & 1) != 0) m |= 1UL << i;
        return m;
    }
}
