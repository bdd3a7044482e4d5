using FsCheck.Fluent;
using FsCheck.Xunit;
using FsCheck;
using Klp.Check.Engine;
using Klp.Check.Inputs;
using Klp.Check.Model;
using Property = FsCheck.Property;

namespace Klp.Check.Tests.Model;

/// <summary>
/// <see cref="StatePacking"/> loses nothing: every state the operations of a generated catalog
/// reach unpacks to itself, the bits past those the packing uses stay zero (packed states are
/// compared word by word), and the portable code packs exactly as the bit instructions do.
/// </summary>
public class StatePackingProperties
{
    private readonly Explorer explorer = new();

    // Catalogs of 2 to 10 patches (more, and the generated sets exceed the 64 set numbers a
    // catalog may use), with allocated sets and add_sets variants as generated, under every reading.
    private static readonly Arbitrary<(Catalog, Reading)> inputs =
        Arb.From(from c in Generators.Catalogs(minPatches: 2, maxPatches: 10)
                 from r in Generators.Readings()
                 select (c, r));

    [Property(MaxTest = 200)]
    public Property Unpack_EveryReachableState_GivesTheStatePacked() =>
        Prop.ForAll(inputs, input =>
        {
            var (catalog, reading) = input;
            var packing = StatePacking.For(catalog);
            var portable = StatePacking.For(catalog, bitInstructions: false);
            if (packing is null || portable is null)
                return (packing is null && portable is null).Label("the two agree that there is no packing").Classify(true, "no packing");
            var g = explorer.Explore(catalog, reading, new ExploreLimits(MaxStates: 3000));
            var wrong = new List<string>();
            Span<ulong> fast = stackalloc ulong[StatePacking.MaxWords];
            Span<ulong> slow = stackalloc ulong[StatePacking.MaxWords];
            foreach (var state in g.States)
            {
                fast.Fill(ulong.MaxValue);
                packing.Pack(state, fast);
                portable.Pack(state, slow);
                var words = fast[..packing.Words];
                if (!words.SequenceEqual(slow[..packing.Words])) wrong.Add("the portable code packs differently");
                for (var bit = packing.Bits; bit < 64 * packing.Words; bit++)
                    if ((words[bit >> 6] >> bit & 1) != 0) wrong.Add($"bit {bit} past the {packing.Bits} used is set");
                packing.Unpack(words, out var back);
                portable.Unpack(words, out var slowBack);
                if (!back.Equals(state) || !slowBack.Equals(state)) wrong.Add("unpacks to another state");
                if (packing.UnpackMasks(words) != StateMasks.Of(state) || portable.UnpackMasks(words) != StateMasks.Of(state)) wrong.Add("its masks unpack to others");
                if (wrong.Count > 0) break;
            }
            for (var id = 0; id < g.States.Count && wrong.Count == 0; id++)
                if (g.States.ReadMasks(id) != StateMasks.Of(g.States[id])) wrong.Add($"the list reads other masks for state {id}");
            var states = g.States.Count;
            explorer.Recycle(g);
            return (wrong.Count == 0).Label($"{states} states, {packing.Words} words: {string.Join("; ", wrong)}")
                .Classify(packing.Words > 1, "more than one word")
                .Classify(catalog.AddSetsVariants.Length > 1, "add_sets variants")
                .Classify(catalog.Patches.Any(p => p.SetSource != SetSource.Fixed), "allocated sets");
        });

    // 32 patches, one of them allocated its set: with the other 31's sets, 64 set numbers, so an
    // entry takes 5 + 7 bits and the state 519, more than a packing may take.
    internal static Catalog Unpackable() => new(
        Enumerable.Range(0, Catalog.MaxPatches).Select(i => new Patch($"p{i}", Origin.Vendor, PatchKind.Hotfix, i,
            [new FunctionId(FunctionId.Vmlinux, $"f{i}", 0)], [], false,
            i == 0 ? [] : [(uint)(100 + i)], i == 0 ? SetSource.Auto : SetSource.Fixed)));

    // n vendor hotfixes, each with a function and a fixed set of its own.
    internal static Catalog Hotfixes(int n) => new(Enumerable.Range(0, n).Select(i => new Patch($"p{i}", Origin.Vendor, PatchKind.Hotfix, i,
        [new FunctionId(FunctionId.Vmlinux, $"f{i}", 0)], [], false, [(uint)i])));

    // Every width of catalog up to the most patches, with states drawn at random rather than
    // reached: where the fields fall in the words depends on the number of patches (16 patches
    // end the masks exactly at bit 64, so the transition begins a word), and a search of
    // catalogs that large would take long.
    [Property(MaxTest = 300)]
    public Property Unpack_StatesOfEveryWidth_GivesTheStatePacked(PositiveInt size, int seed)
    {
        var n = 1 + (size.Get - 1) % Catalog.MaxPatches;
        var catalog = Hotfixes(n);
        var random = new Random(seed);
        var order = Enumerable.Range(0, n).OrderBy(_ => random.Next()).Take(random.Next(n + 1)).ToArray();
        var listed = order.Aggregate(0UL, (m, p) => m | 1UL << p);
        var all = n == 64 ? ulong.MaxValue : (1UL << n) - 1;
        var loaded = listed | (ulong)random.NextInt64() & all;
        var transition = random.Next(2) == 0 ? -1 : random.Next(n);
        var state = KernelState.Of([.. order.Select(p => (p, 0, -1))], loaded, (ulong)random.NextInt64() & loaded, transition,
            transition >= 0 && random.Next(2) == 0, transition >= 0 ? (ulong)random.NextInt64() & listed : 0);
        var wrong = new List<string>();
        Span<ulong> words = stackalloc ulong[StatePacking.MaxWords];
        foreach (var packing in new[] { StatePacking.For(catalog)!, StatePacking.For(catalog, bitInstructions: false)! })
        {
            words.Fill(ulong.MaxValue);
            packing.Pack(state, words);
            for (var bit = packing.Bits; bit < 64 * packing.Words; bit++)
                if ((words[bit >> 6] >> bit & 1) != 0) wrong.Add($"bit {bit} past the {packing.Bits} used is set");
            packing.Unpack(words[..packing.Words], out var back);
            if (!back.Equals(state)) wrong.Add("unpacks to another state");
            if (packing.UnpackMasks(words[..packing.Words]) != StateMasks.Of(state)) wrong.Add("its masks unpack to others");
        }
        return (wrong.Count == 0).Label($"{n} patches, {order.Length} listed: {string.Join("; ", wrong.Distinct())}");
    }

    [Fact]
    public void For_CatalogTooWide_HasNoPacking()
    {
        Assert.Null(StatePacking.For(Unpackable()));
        Assert.Null(StatePacking.For(Unpackable(), bitInstructions: false));
    }

    // Without a packing the states are kept whole, and their masks are read from them.
    [Fact]
    public void ReadMasks_StatesKeptWhole_AreTheStatesMasks()
    {
        var g = explorer.Explore(Unpackable(), Readings.Flat, new ExploreLimits(MaxStates: 500));

        Assert.True(g.States.Count > 100);
        for (var id = 0; id < g.States.Count; id++)
        {
            var state = g.States[id];
            var masks = g.States.ReadMasks(id);
            Assert.Equal(StateMasks.Of(state), masks);
            Assert.Equal(Observables.EnabledMask(state), masks.EnabledMask);
            Assert.Equal(state.InTransition, masks.InTransition);
        }
    }

    [Fact]
    public void For_TimelineOfTwelvePatches_TwoWords()
    {
        // positional-12's catalog as far as the packing sees it: 12 patches, fixed sets, no
        // add_sets variants: 48 bits of masks, 5 of transition, 12 entries of 4 bits.
        var packing = StatePacking.For(Hotfixes(12))!;
        Assert.Equal(101, packing.Bits);
        Assert.Equal(2, packing.Words);
    }
}
