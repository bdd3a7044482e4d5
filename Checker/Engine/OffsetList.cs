namespace Klp.Check.Engine;

/// <summary>A non-decreasing list of 64-bit offsets (where each state's transitions begin) in 4 bytes each: the low bits per entry, the high part once per change.</summary>
/// <remarks>
/// positional-14's graph (177 M states) has more than 2^31 transitions, so where a state's
/// transitions begin no longer fits an int; 8 bytes per state would cost 1.4 GB there. The offsets only grow, so
/// their high part changes a few times in the whole list: it is kept once per change, with the
/// index from which it holds, and each entry keeps the low <see cref="LowBits"/> bits.
/// </remarks>
public sealed class OffsetList
{
    // Appended in order and read by index near the last read (ChunkedList: writtenInOrder).
    private readonly ChunkedList<uint> low = new(writtenInOrder: true);
    // Per change of the high part, the first index it holds for and the high part, in index order.
    private readonly RunList<long> highs = new();
    private readonly ulong lowMask;

    /// <summary>An empty list keeping <paramref name="lowBits"/> bits per entry (32: the most a <see cref="uint"/> holds; tests use fewer, to cross many changes of the high part with few entries).</summary>
    public OffsetList(int lowBits = 32)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(lowBits, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(lowBits, 32);
        LowBits = lowBits;
        lowMask = lowBits == 32 ? uint.MaxValue : (1UL << lowBits) - 1;
    }

    /// <summary>The bits of an offset kept per entry.</summary>
    public int LowBits { get; }

    /// <summary>The number of offsets.</summary>
    public int Count => low.Count;

    /// <summary>From another thread than the one adding: has the memory for the next offsets, at least <paramref name="bytes"/> of it, backed by pages now (<see cref="ChunkedList{T}.Prepare"/>).</summary>
    internal void Prepare(int bytes) => low.Prepare(bytes);

    /// <summary>The last offset added (0 when empty).</summary>
    public long Last { get; private set; }

    /// <summary>Appends an offset, no smaller than the last one.</summary>
    public void Add(long offset)
    {
        if (offset < Last || offset < 0) throw new ArgumentOutOfRangeException(nameof(offset), offset, $"offsets only grow: {Last} came before");
        highs.Add(low.Count, offset >> LowBits);
        low.Add((uint)((ulong)offset & lowMask));
        Last = offset;
    }

    /// <summary>The offset at an index.</summary>
    public long this[int index]
    {
        get
        {
            var bits = low[index];
            return highs.ValueAt(index) << LowBits | bits;
        }
    }

    /// <summary>Copies the offsets from index <paramref name="from"/> on into <paramref name="destination"/>, one per element: for a pass over consecutive entries, a stretch of the list at a time rather than an index per offset.</summary>
    public void CopyTo(int from, Span<long> destination)
    {
        if (from < 0 || (long)from + destination.Length > Count) throw new ArgumentOutOfRangeException(nameof(from), from, $"{destination.Length} offsets from {from} are not all among the {Count}");
        for (var i = 0; i < destination.Length;)
        {
            var index = from + i;
            var (high, end) = highs.RunAt(index);
            var run = low.Run(index, Math.Min((long)from + destination.Length, end));
            var above = high << LowBits;
            var into = destination.Slice(i, run.Length);
            for (var k = 0; k < run.Length; k++) into[k] = above | run[k];
            i += run.Length;
        }
    }

    /// <summary>The index of the last offset at or below <paramref name="offset"/> among those at indices below <paramref name="count"/>, -1 when none: for a transition, the state it leaves.</summary>
    public int LastAtOrBelow(long offset, int count)
    {
        var (lo, hi) = (-1, count - 1);
        while (lo < hi)
        {
            var mid = (lo + hi + 1) / 2;
            if (this[mid] <= offset) lo = mid;
            else hi = mid - 1;
        }
        return lo;
    }

    /// <summary>Empties the list and keeps its storage.</summary>
    public void Clear()
    {
        low.Clear();
        highs.Clear();
        Last = 0;
    }
}
