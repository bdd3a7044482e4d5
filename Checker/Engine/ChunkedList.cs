using System.Collections;
using System.Runtime.CompilerServices;

namespace Klp.Check.Exploration;

/// <summary>An append-only list stored in fixed-size chunks, read by reference: growing it never copies what it holds.</summary>
/// <remarks>
/// A <see cref="List{T}"/> doubles its array when full, so while it grows it holds the old array
/// and one twice as large: a graph of millions of states peaks at three times its size. Here
/// only the first chunk grows (by doubling, up to the chunk size, so that small graphs stay
/// small); later chunks are allocated full and never moved. <see cref="Clear"/> keeps the
/// chunks for the next use.
/// </remarks>
/// <typeparam name="T">The element type.</typeparam>
public sealed class ChunkedList<T> : IReadOnlyList<T>
{
    private const int Shift = 16;
    private const int ChunkSize = 1 << Shift;
    private const int Mask = ChunkSize - 1;
    private T[][] chunks = [new T[16]];

    /// <summary>The number of elements.</summary>
    public int Count { get; private set; }

    /// <summary>The element at an index, by reference.</summary>
    public ref readonly T this[int index]
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            if ((uint)index >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(index));
            return ref chunks[index >> Shift][index & Mask];
        }
    }

    T IReadOnlyList<T>.this[int index] => this[index];

    /// <summary>Appends an element.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Add(in T item)
    {
        var c = Count >> Shift;
        var i = Count & Mask;
        if (c < chunks.Length && chunks[c] is { } chunk && i < chunk.Length) chunk[i] = item;
        else AddSlow(item);
        Count++;
    }

    // Room for one more element: a new chunk, or the first chunk grown.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void AddSlow(in T item)
    {
        var c = Count >> Shift;
        var i = Count & Mask;
        if (c == chunks.Length) Array.Resize(ref chunks, chunks.Length * 2);
        var chunk = chunks[c];
        if (chunk is null) chunks[c] = LargePages.Allocate<T>(ChunkSize);
        else if (i == chunk.Length) Array.Resize(ref chunks[c], Math.Min(ChunkSize, chunk.Length * 2));
        chunks[c][i] = item;
    }

    /// <summary>Empties the list and keeps its storage.</summary>
    public void Clear()
    {
        var full = Count >> Shift;
        // Values without references need no clearing: nothing past Count is ever read.
        if (System.Runtime.CompilerServices.RuntimeHelpers.IsReferenceOrContainsReferences<T>())
            for (var c = 0; c <= full && c < chunks.Length && chunks[c] is not null; c++)
                Array.Clear(chunks[c], 0, c < full ? ChunkSize : Count & Mask);
        Count = 0;
    }

    /// <summary>The elements in order.</summary>
    public IEnumerator<T> GetEnumerator()
    {
        for (var i = 0; i < Count; i++) yield return this[i];
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
