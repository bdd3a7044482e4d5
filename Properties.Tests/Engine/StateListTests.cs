using Klp.Check.Engine;
using Klp.Check.Inputs;
using Klp.Check.Model;
using Klp.Check.Tests.Model;

namespace Klp.Check.Tests.Engine;

/// <summary>
/// What a search files a state under (<see cref="StateList.Print"/>): the state packed by the
/// list's packing, before the list packs as after, and the hash of those words; a list without a
/// packing files a state under its value's fingerprint.
/// </summary>
public class StateListTests
{
    // n vendor hotfixes, each with a function and a fixed set of its own: 12 of them pack into
    // two words, the entries from the third on in the second.
    private static Catalog Hotfixes(int n) => StatePackingProperties.Hotfixes(n);

    [Theory]
    [InlineData(0)]
    [InlineData(StateList.DefaultPackFrom)]
    public void Print_EveryStateOfAPackedGraph_IsTheHashOfThePackedState(int packFrom)
    {
        var catalog = Hotfixes(12);
        var packing = StatePacking.For(catalog)!;
        var g = new Explorer { PackFrom = packFrom }.Explore(catalog, Readings.Flat, new ExploreLimits(MaxStates: 3000));

        Assert.Equal(2, g.States.KeyWords);
        Assert.Equal(3000, g.States.Count);
        Span<ulong> key = stackalloc ulong[StatePacking.MaxWords];
        Span<ulong> packed = stackalloc ulong[StatePacking.MaxWords];
        foreach (var state in g.States)
        {
            var print = g.States.Print(state, key);
            packing.Pack(state, packed);
            Assert.True(key[..2].SequenceEqual(packed[..2]), $"the key of {state} is not the state packed");
            Assert.Equal(StatePacking.Hash(packed[..2]), print);
        }
    }

    // Every word counts: the states of this graph differ in the second word too (the entries
    // from the third patch listed on), and no two of 3,000 share a print.
    [Fact]
    public void Print_DistinctStates_DistinctPrints()
    {
        var g = new Explorer().Explore(Hotfixes(12), Readings.Flat, new ExploreLimits(MaxStates: 3000));
        var packing = StatePacking.For(Hotfixes(12))!;
        Span<ulong> key = stackalloc ulong[StatePacking.MaxWords];
        var prints = new HashSet<ulong>();
        var firstWords = new HashSet<ulong>();
        foreach (var state in g.States)
        {
            prints.Add(g.States.Print(state, key));
            firstWords.Add(key[0]);
        }

        Assert.True(firstWords.Count < g.States.Count, "some states differ only past the first word");
        Assert.Equal(g.States.Count, prints.Count);
        Assert.Equal(2, packing.Words);
    }

    // A stored state is compared word by word: states that share the first word and differ in
    // the second are told apart, packed from the first state or from the 1,000th.
    [Theory]
    [InlineData(0)]
    [InlineData(1000)]
    public void Holds_EveryStateAgainstEveryOtherSharingItsFirstWord_OnlyItself(int packFrom)
    {
        var catalog = Hotfixes(12);
        var packing = StatePacking.For(catalog)!;
        var g = new Explorer { PackFrom = packFrom }.Explore(catalog, Readings.Flat, new ExploreLimits(MaxStates: 3000));
        Span<ulong> packed = stackalloc ulong[StatePacking.MaxWords];
        var byFirstWord = new Dictionary<ulong, List<int>>();
        for (var id = 0; id < g.States.Count; id++)
        {
            packing.Pack(g.States[id], packed);
            if (!byFirstWord.TryGetValue(packed[0], out var ids)) byFirstWord[packed[0]] = ids = [];
            ids.Add(id);
        }

        var pairs = 0;
        foreach (var ids in byFirstWord.Values)
            foreach (var a in ids)
                foreach (var b in ids)
                {
                    Assert.Equal(a == b, g.States.Holds(a, g.States[b]));
                    pairs += a != b ? 1 : 0;
                }
        Assert.True(pairs >= 50, $"{pairs} pairs of states share a first word");
    }

    // Without a packing the key has no words and the print is the value's own fingerprint.
    [Fact]
    public void Print_GraphWithoutAPacking_IsTheStatesFingerprint()
    {
        var g = new Explorer { PackFrom = 0 }.Explore(StatePackingProperties.Unpackable(), Readings.Flat, new ExploreLimits(MaxStates: 500));

        Assert.Null(g.States.Packing);
        Assert.Equal(0, g.States.KeyWords);
        Span<ulong> key = stackalloc ulong[StatePacking.MaxWords];
        key.Fill(7);
        foreach (var state in g.States) Assert.Equal(state.Fingerprint(), g.States.Print(state, key));
        Assert.Equal(7UL, key[0]);
    }

    // Hash reads every word it is given and nothing else.
    [Fact]
    public void Hash_WordsChangedOneByOne_ChangesAndIgnoresWordsPastTheState()
    {
        ulong[] words = [0x1234, 0x5678, 0x9ABC, 0xDEF0];
        var hash = StatePacking.Hash(words.AsSpan(0, 2));
        for (var w = 0; w < 2; w++)
        {
            var changed = (ulong[])words.Clone();
            changed[w] ^= 1UL << 40;
            Assert.NotEqual(hash, StatePacking.Hash(changed.AsSpan(0, 2)));
        }
        words[2] = 0;
        Assert.Equal(hash, StatePacking.Hash(words.AsSpan(0, 2)));
        Assert.NotEqual(hash, StatePacking.Hash(words.AsSpan(0, 1)));
    }
}
