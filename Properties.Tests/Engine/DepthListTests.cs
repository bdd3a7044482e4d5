using Klp.Check.Engine;

namespace Klp.Check.Tests.Engine;

public class DepthListTests
{
    // Breadth-first depths take an entry per level; any other order, one per change.
    [Theory]
    [InlineData(new[] { 0, 1, 1, 1, 2, 2, 3, 3, 3, 3, 4 }, 5)]
    [InlineData(new[] { 0, 1, 2, 1, 2, 3, 1, 1, 0, 5 }, 9)]
    public void DepthList_AnyOrder_ReadsEveryDepthBack(int[] depths, int runs)
    {
        var list = new DepthList();
        foreach (var d in depths) list.Add(d);

        Assert.Equal(depths, Enumerable.Range(0, list.Count).Select(i => list[i]));
        Assert.Equal(depths, list);
        Assert.Equal(runs, list.Runs);
        Assert.Throws<ArgumentOutOfRangeException>(() => list[depths.Length]);
    }
}
