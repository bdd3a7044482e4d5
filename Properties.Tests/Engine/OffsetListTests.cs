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

    [Fact]
    public void Add_SmallerThanTheLast_Throws()
    {
        var list = new OffsetList();
        list.Add(7);

        Assert.Throws<ArgumentOutOfRangeException>(() => list.Add(6));
        Assert.Throws<ArgumentOutOfRangeException>(() => new OffsetList(lowBits: 33));
    }
}
