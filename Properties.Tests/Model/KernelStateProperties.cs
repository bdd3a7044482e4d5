using System.Collections.Immutable;
using System.Reflection;
using FsCheck.Fluent;
using FsCheck.Xunit;
using FsCheck;
using Klp.Check.Conformance;
using Klp.Check.Model;
using Klp.Check.Properties;
using Property = FsCheck.Property;

namespace Klp.Check.Tests.Model;

/// <summary>
/// <see cref="KernelState"/>'s equality and hashes see every field: two states that differ in
/// any one of them are unequal and hash differently.
/// </summary>
/// <remarks>
/// The explorer compares states by <see cref="KernelState.Same"/> only when their fingerprints'
/// tags match, and the fingerprint-only search compares nothing else: a field that equality
/// leaves out merges distinct states only on a tag collision, and one the fingerprint leaves out
/// merges them only in the fingerprint-only search, so neither shows in an ordinary run.
/// </remarks>
public class KernelStateProperties
{
    /// <summary>Every field of a state, as the model's own operations set them.</summary>
    public sealed record Fields(ImmutableArray<(int Patch, int Params, int Auto)> Entries, uint Loaded, uint Pinned, int Transition, bool Target, uint Replacing)
    {
        public KernelState Build()
        {
            return KernelState.Of([.. Entries], Loaded, Pinned, Transition, Target, Replacing);
        }

        public override string ToString() =>
            $"entries [{string.Join(", ", Entries.Select(e => $"{e.Patch}/{e.Params}/{e.Auto}"))}] loaded {Loaded:x} pinned {Pinned:x} transition {Transition} target {Target} replacing {Replacing:x}";
    }

    private static readonly Gen<uint> mask =
        from hi in Gen.Choose(0, 0xFFFF)
        from lo in Gen.Choose(0, 0xFFFF)
        select ((uint)hi << 16) | (uint)lo;

    private static readonly Gen<Fields> fields =
        from patches in Gen.Shuffle(Enumerable.Range(0, Catalog.MaxPatches).ToArray())
        from count in Gen.Choose(0, 8)
        from entries in Gen.ArrayOf(
            from @params in Gen.Choose(0, 15)
            from auto in Gen.Choose(-1, 126)
            select (@params, auto), count)
        from loaded in mask
        from pinned in mask
        from transition in Gen.Choose(-1, Catalog.MaxPatches - 1)
        from target in Gen.Elements(true, false)
        from replacing in mask
        select new Fields([.. entries.Select((e, i) => (patches[i], e.@params, e.auto))], loaded, pinned, transition, target, replacing);

    /// <summary>One field changed, the others kept: the field's name and the changed fields.</summary>
    private static IEnumerable<(string Field, Fields Changed)> OneFieldChanged(Fields f, int k)
    {
        var bit = 1u << (k & 31);
        yield return ("loaded", f with { Loaded = f.Loaded ^ bit });
        yield return ("pinned", f with { Pinned = f.Pinned ^ bit });
        yield return ("replacing", f with { Replacing = f.Replacing ^ bit });
        yield return ("transition", f with { Transition = f.Transition == Catalog.MaxPatches - 1 ? -1 : f.Transition + 1 });
        yield return ("targetPatched", f with { Target = !f.Target });
        var n = f.Entries.Length;
        var unused = Enumerable.Range(0, Catalog.MaxPatches).First(p => f.Entries.All(e => e.Patch != p));
        yield return ("count", n > 0 ? f with { Entries = f.Entries.RemoveAt(n - 1) } : f with { Entries = [(unused, 0, -1)] });
        if (n == 0) yield break;
        var i = k % n;
        var e = f.Entries[i];
        yield return ("entry patch", f with { Entries = f.Entries.SetItem(i, e with { Patch = unused }) });
        yield return ("entry add_sets variant", f with { Entries = f.Entries.SetItem(i, e with { Params = e.Params ^ 1 }) });
        yield return ("entry allocated set", f with { Entries = f.Entries.SetItem(i, e with { Auto = e.Auto == 126 ? 125 : e.Auto + 1 }) });
        if (n > 1) yield return ("entry order", f with { Entries = f.Entries.SetItem(i, f.Entries[(i + 1) % n]).SetItem((i + 1) % n, e) });
    }

    [Property(MaxTest = 500)]
    public Property KernelState_OneFieldChanged_UnequalWithDifferentHashes() =>
        Prop.ForAll(Arb.From(fields), Arb.From(Gen.Choose(0, 1 << 20)), (f, k) =>
        {
            var a = f.Build();
            foreach (var (field, changed) in OneFieldChanged(f, k))
            {
                var b = changed.Build();
                if (a.Equals(b) || a.Same(b) || b.Same(a) || a == b || !(a != b))
                    return false.Label($"{field}: {f} equals {changed}");
                if (a.Fingerprint() == b.Fingerprint()) return false.Label($"{field}: same fingerprint for {f} and {changed}");
                if (a.GetHashCode() == b.GetHashCode()) return false.Label($"{field}: same hash code for {f} and {changed}");
            }
            return true.Label("every field counts");
        });

    [Property(MaxTest = 200)]
    public Property KernelState_BuiltTwiceFromTheSameFields_EqualWithEqualHashes() =>
        Prop.ForAll(Arb.From(fields), f =>
        {
            KernelState a = f.Build(), b = f.Build();
            return (a.Equals(b) && a.Same(b) && a == b && a.Fingerprint() == b.Fingerprint() && a.GetHashCode() == b.GetHashCode()).Label(f.ToString());
        });

    // A field added to the state needs an edit in OneFieldChanged, or equality may leave it out unnoticed.
    [Fact]
    public void KernelState_Fields_AreThoseTheChangesCover()
    {
        var declared = typeof(KernelState).GetFields(BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public).Select(f => f.Name).Order();

        Assert.Equal(["count", "entries", "inPatches", "loaded", "pinned", "replacing", "targetPatched", "transition"], declared);
    }
}
