using Klp.Check.Exploration;

namespace Klp.Check.Tests.Exploration;

public class ChunkedListTests
{
    [Fact]
    public void ChunkedList_PastSeveralChunks_ReadsEveryElementBack()
    {
        var list = new ChunkedList<long>();
        const int n = 3 * 65536 + 17;
        for (var i = 0; i < n; i++) list.Add(i * 3L);

        Assert.Equal(n, list.Count);
        for (var i = 0; i < n; i += 997) Assert.Equal(i * 3L, list[i]);
        Assert.Equal((n - 1) * 3L, list[^1]);
        Assert.Equal(Enumerable.Range(0, n).Select(i => i * 3L), list);
    }

    [Fact]
    public void ChunkedList_ClearedAndRefilled_HoldsOnlyTheNewElements()
    {
        var list = new ChunkedList<string>();
        for (var i = 0; i < 70000; i++) list.Add("old" + i);

        list.Clear();
        list.Add("a");
        list.Add("b");

        Assert.Equal(["a", "b"], list);
        Assert.Throws<ArgumentOutOfRangeException>(() => list[2]);
    }
}
