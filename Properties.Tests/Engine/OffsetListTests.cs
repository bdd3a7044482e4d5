using Klp.Check.Engine;

namespace Klp.Check.Tests.Engine;

public class OffsetListTests
{
    // Four bits per entry: the offsets cross their high part's changes every 16, as 32 bits
    // cross them every 2^32 transitions of the largest graphs.
    [Fact]
    public void OffsetList_AcrossManyChangesOfTheHighPart_ReadsEveryOffsetBack()
    {
        var list = new OffsetList(lowBits: 4);
        var offsets = new List<long>();
        var offset = 0L;
        for (var i = 0; i < 500; i++)
        {
            offset += i % 7 == 0 ? 0 : i % 5 == 0 ? 40 : i % 3;
            offsets.Add(offset);
            list.Add(offset);
        }

        Assert.Equal(offsets, Enumerable.Range(0, list.Count).Select(i => list[i]));
        Assert.Equal(offset, list.Last);
    }

    [Fact]
    public void OffsetList_PastThirtyTwoBits_ReadsEveryOffsetBack()
    {
        var list = new OffsetList();
        long[] offsets = [0, 5, uint.MaxValue, 1L << 32, (1L << 32) + 3, (1L << 33) + 1, (1L << 33) + 1, 1L << 40];
        foreach (var o in offsets) list.Add(o);

        Assert.Equal(offsets, Enumerable.Range(0, list.Count).Select(i => list[i]));
    }

    // For a transition, the state it leaves: the last whose first transition is at or before it.
    [Fact]
    public void LastAtOrBelow_EachTransition_IsTheStateItLeaves()
    {
        var list = new OffsetList(lowBits: 2);
        long[] starts = [0, 0, 3, 3, 3, 9, 10, 17];
        foreach (var o in starts) list.Add(o);

        for (var e = 0L; e < 17; e++)
            Assert.Equal(Array.FindLastIndex(starts, s => s <= e), list.LastAtOrBelow(e, list.Count));
    }

    // A stretch copied at once is the offsets read one by one, across changes of the high part
    // (every 16 at four bits) and across the boundaries of the list's chunks (a million entries
    // or more each).
    [Fact]
    public void CopyTo_AnyStretch_IsTheOffsetsReadOneByOne()
    {
        var small = new OffsetList(lowBits: 4);
        for (var i = 0; i < 500; i++) small.Add(i * 3L + i / 7);
        var large = new OffsetList();
        for (var i = 0; i < (1 << 22) + 100; i++) large.Add(i * 5L + (i >> 20 << 32));

        foreach (var (list, from, count) in new[]
        {
            (small, 0, 500), (small, 13, 40), (small, 15, 2), (small, 499, 1), (small, 7, 0),
            (large, (1 << 20) - 3, 10), (large, (1 << 21) - 4097, 8193), (large, (1 << 22) - 1, 101), (large, 0, 4097),
        })
        {
            var copied = new long[count];
            list.CopyTo(from, copied);
            Assert.Equal(Enumerable.Range(from, count).Select(i => list[i]), copied);
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => small.CopyTo(499, new long[2]));
        Assert.Throws<ArgumentOutOfRangeException>(() => small.CopyTo(-1, new long[1]));
    }

    [Fact]
    public void Add_SmallerThanTheLast_Throws()
    {
        var list = new OffsetList();
        list.Add(7);

        Assert.Throws<ArgumentOutOfRangeException>(() => list.Add(6));
        Assert.Throws<ArgumentOutOfRangeException>(() => new OffsetList(lowBits: 33));
    }
}
