using Klp.Check.Exploration;
using Klp.Check.Model;

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

    // Chunks of 84-byte states are above the size that asks for huge pages; both paths must
    // give a zeroed array of the length asked for, and one the GC does not move.
    [Theory]
    [InlineData(1000)]
    [InlineData(65536)]
    public void LargePages_Allocate_GivesAZeroedArrayOfTheLengthAsked(int length)
    {
        var states = LargePages.Allocate<KernelState>(length);
        var words = LargePages.Allocate<ulong>(length * 11);

        Assert.Equal(length, states.Length);
        Assert.Equal(length * 11, words.Length);
        Assert.All(states, s => Assert.True(s.Same(KernelState.Empty)));
        Assert.All(words, w => Assert.Equal(0UL, w));
        words[^1] = 7;
        Assert.Equal(7UL, words[^1]);
    }
}
