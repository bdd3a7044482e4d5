using System.Collections.Immutable;
using System.Text;
using FsCheck.Fluent;
using FsCheck;
using Klp.Check.Model;

namespace Klp.Check.Inputs;

/// <summary>FsCheck generators of catalogs, readings and operation sequences for property tests and random exploration.</summary>
public static class Generators
{
    /// <summary>The most operations <see cref="Traces"/> generates by default.</summary>
    public const int DefaultMaxOperations = 12;

    private static readonly FunctionId[] functionPool =
    [
        new(FunctionId.Vmlinux, "f", 0),
        new(FunctionId.Vmlinux, "f", 1),
        new(FunctionId.Vmlinux, "f", 2),
        new(FunctionId.Vmlinux, "g", 0),
        new(FunctionId.Vmlinux, "g", 2),
        new("mod_a", "f", 0),
        new("mod_a", "h", 1),
    ];

    /// <summary>Small random catalogs: functions with sympos 0 to 2 on vmlinux and a module, states 1 to 3, sets lists over 0 to 4, <c>auto</c> and <c>auto(H)</c>, and up to two <c>add_sets</c> variants.</summary>
    /// <param name="minPatches">The fewest patches (at least 1).</param>
    /// <param name="maxPatches">The most patches (at most <see cref="Catalog.MaxPatches"/>).</param>
    public static Gen<Catalog> Catalogs(int minPatches = 2, int maxPatches = 6)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(minPatches, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxPatches, Catalog.MaxPatches);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPatches, minPatches);
        return
            from n in Gen.Choose(minPatches, maxPatches)
            from patches in Gen.CollectToArray(Enumerable.Range(0, n), i => Patches(i, n))
            from variantCount in Gen.Frequency((2, Gen.Constant(0)), (2, Gen.Constant(1)), (1, Gen.Constant(2)))
            from variants in Gen.ArrayOf(SetList(maxLength: 2), variantCount)
            select new Catalog(patches, variants);
    }

    private static Gen<Patch> Patches(int index, int count) =>
        from origin in Gen.Frequency((3, Gen.Constant(Origin.Vendor)), (1, Gen.Constant(Origin.Customer)))
        from kind in Gen.Elements(PatchKind.Cumulative, PatchKind.Hotfix)
        from funcCount in Gen.Frequency((1, Gen.Constant(0)), (3, Gen.Constant(1)), (2, Gen.Constant(2)))
        from funcs in Gen.ArrayOf(Gen.Elements(functionPool), funcCount)
        from states in States()
        from replace in Gen.Elements(false, true)
        from sets in Sets(index, count)
        select new Patch($"p{index}", origin, kind, index, [.. funcs.Distinct()], states, replace, sets.List, sets.Source,
            sets.Holder is { } h ? $"p{h}" : null);

    private static Gen<ImmutableArray<KlpState>> States() =>
        from count in Gen.Frequency((5, Gen.Constant(0)), (3, Gen.Constant(1)), (2, Gen.Constant(2)))
        from ids in Gen.Shuffle(new uint[] { 1, 2, 3 })
        from versions in Gen.ArrayOf(Gen.Choose(0, 2), count)
        from blocks in Gen.ArrayOf(Gen.Frequency((2, Gen.Constant(false)), (1, Gen.Constant(true))), count)
        select Enumerable.Range(0, count).Select(i => new KlpState(ids[i], (uint)versions[i], blocks[i])).ToImmutableArray();

    private static Gen<(ImmutableArray<uint> List, SetSource Source, int? Holder)> Sets(int index, int count)
    {
        var fixedList = SetList(maxLength: 3).Select(l => (l, SetSource.Fixed, (int?)null));
        var auto = Gen.Constant((ImmutableArray<uint>.Empty, SetSource.Auto, (int?)null));
        // auto(H) names another patch: a catalog of one has none to name.
        if (count < 2) return Gen.Frequency((6, fixedList), (1, auto));
        var autoOf = Gen.Choose(0, count - 2)
            .Select(h => (ImmutableArray<uint>.Empty, SetSource.AutoOf, (int?)(h >= index ? h + 1 : h)));
        return Gen.Frequency((6, fixedList), (1, auto), (1, autoOf));
    }

    private static Gen<ImmutableArray<uint>> SetList(int maxLength) =>
        from length in Gen.Frequency((4, Gen.Constant(1)), (2, Gen.Constant(2)), (1, Gen.Constant(maxLength)))
        from numbers in Gen.ArrayOf(Gen.Choose(0, 4), length)
        select numbers.Select(s => (uint)s).ToImmutableArray();

    /// <summary>Exactly <paramref name="length"/> operations of every kind over the catalog's patches and <c>add_sets</c> variants.</summary>
    /// <remarks>Complete, Reverse and Force are generated in every granularity; under atomic they are refusals worth checking too.</remarks>
    public static Gen<Operation[]> Operations(Catalog catalog, int length)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        var patch = Gen.Choose(0, catalog.Count - 1);
        var variant = catalog.AddSetsVariants.Length > 1
            ? Gen.Frequency((3, Gen.Constant(0)), (1, Gen.Choose(1, catalog.AddSetsVariants.Length - 1)))
            : Gen.Constant(0);
        var load = from p in patch from v in variant select Operation.Load(p, v);
        var force = Gen.Frequency(
            (1, Gen.Constant(Operation.Force())),
            (1, patch.Select(p => Operation.Force(p))));
        var op = Gen.Frequency(
            (6, load),
            (2, patch.Select(Operation.Disable)),
            (2, patch.Select(Operation.Unload)),
            (2, Gen.Constant(Operation.Complete())),
            (1, Gen.Constant(Operation.Reverse())),
            (1, force));
        return Gen.ArrayOf(op, length);
    }

    /// <summary>Every preset reading, each option kept or flipped at random, in either granularity.</summary>
    public static Gen<Reading> Readings() =>
        from preset in Gen.Elements(Model.Readings.All.ToArray())
        from isolation in Flip(preset.Options.Isolation, Isolation.FunctionsAndStates, Isolation.FunctionsOnly, Isolation.None)
        from states in Flip(preset.Options.States, StateRules.Versions, StateRules.BlockDisable)
        from identity in Flip(preset.Options.FunctionIdentity, FunctionIdentity.Normalized, FunctionIdentity.Exact)
        from overlap in Flip(preset.Options.PartialOverlap, PartialOverlap.Refuse, PartialOverlap.Replace)
        from granularity in Gen.Elements(Granularity.Atomic, Granularity.TwoPhase)
        select preset.With(new ReadingOptions(isolation, states, identity, overlap, granularity));

    private static Gen<T> Flip<T>(T preset, params T[] values) =>
        Gen.Frequency((1, Gen.Constant(preset)), (1, Gen.Elements(values)));

    /// <summary>Runs of up to <paramref name="maxOperations"/> operations on a generated catalog under a generated reading.</summary>
    public static Gen<Trace> Traces(int maxOperations = DefaultMaxOperations) =>
        from catalog in Catalogs()
        from reading in Readings()
        from length in Gen.Choose(0, maxOperations)
        from ops in Operations(catalog, length)
        select new Trace(catalog, reading, ops);

    /// <summary>Random release plans of 1 to <paramref name="maxReleases"/> releases: every intent, customers sharing vendor functions, cumulatives declaring state 1 with growing versions and block_disable.</summary>
    public static Gen<ReleasePlan> Plans(int maxReleases = 8)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxReleases, 1);
        return from n in Gen.Choose(1, maxReleases)
               from picks in Gen.ArrayOf(Gen.Choose(0, 999), n * 3)
               select BuildPlan(n, picks);
    }

    private static ReleasePlan BuildPlan(int n, int[] picks)
    {
        var releases = new List<Release>();
        var latest = new List<int>(); // latest version of each hotfix line
        uint version = 0;
        var stated = false;
        var block = false;
        for (var i = 0; i < n; i++)
        {
            int a = picks[3 * i], b = picks[3 * i + 1], c = picks[3 * i + 2];
            var intent = (Intent)(a % 4);
            if (intent == Intent.Update && latest.Count == 0) intent = Intent.Hotfix;
            switch (intent)
            {
                case Intent.Cumulative:
                    // A state, once declared, is carried by every later cumulative; its version only grows.
                    stated |= b % 3 == 0;
                    if (stated && b % 5 == 0) version++;
                    block |= stated && c % 7 == 0;
                    releases.Add(new Release(Intent.Cumulative, State: stated ? new KlpState(1, version, block) : null));
                    break;
                case Intent.Hotfix:
                    latest.Add(releases.Count);
                    releases.Add(new Release(Intent.Hotfix));
                    break;
                case Intent.Update:
                    var line = b % latest.Count;
                    releases.Add(new Release(Intent.Update, Updates: latest[line]));
                    latest[line] = releases.Count - 1;
                    break;
                default:
                    var vendors = Enumerable.Range(0, releases.Count).Where(k => releases[k].Intent is Intent.Cumulative or Intent.Hotfix).ToList();
                    releases.Add(new Release(Intent.Customer, SharesWith: vendors.Count > 0 && c % 2 == 0 ? vendors[b % vendors.Count] : -1));
                    break;
            }
        }
        return new ReleasePlan([.. releases]);
    }

    /// <summary>Smaller runs with the same catalog and reading: a shorter prefix first, then one operation dropped at a time.</summary>
    public static IEnumerable<Trace> ShrinkTrace(Trace run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var ops = run.Operations;
        for (var keep = ops.Count / 2; keep < ops.Count && keep > 0; keep += Math.Max(1, (ops.Count - keep) / 2))
            yield return run with { Operations = [.. ops.Take(keep)] };
        for (var i = ops.Count - 1; i >= 0; i--)
            yield return run with { Operations = [.. ops.Take(i), .. ops.Skip(i + 1)] };
    }
}

/// <summary>FsCheck arbitraries for <c>[Properties(Arbitrary = new[] { typeof(Arbitraries) })]</c>.</summary>
public static class Arbitraries
{
    /// <summary>Traces from <see cref="Generators.Traces"/>, shrunk by dropping operations.</summary>
    public static Arbitrary<Trace> Traces() => Arb.From(Generators.Traces(), Generators.ShrinkTrace);

    /// <summary>Catalogs from <see cref="Generators.Catalogs"/>; not shrunk.</summary>
    public static Arbitrary<Catalog> Catalogs() => Arb.From(Generators.Catalogs());

    /// <summary>Readings from <see cref="Generators.Readings"/>; not shrunk.</summary>
    public static Arbitrary<Reading> Readings() => Arb.From(Generators.Readings());
}
