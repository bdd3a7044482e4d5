using System.Collections;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

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
            if ((uint)index >= (uint)Count) ThrowOutOfRange(index);
            // Every index below Count lies in an allocated chunk, so the arrays' own bounds
            // checks (two per read, on the explorer's hottest path) can be left out.
            var chunk = Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(chunks), index >> Shift);
            return ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(chunk), index & Mask);
        }
    }

    T IReadOnlyList<T>.this[int index] => this[index];

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private static void ThrowOutOfRange(int index) => throw new ArgumentOutOfRangeException(nameof(index), index, "past the end of the list");

    /// <summary>Appends an element.</summary>
    /// <remarks>
    /// By value: taken by reference, a 16-bit element was spilled to the stack and read back as
    /// 32 bits, a load the processor cannot forward from the store, which stalled the explorer's
    /// edge list on every transition (docs/performance.md).
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Add(T item)
    {
        var c = Count >> Shift;
        var i = Count & Mask;
        if (c < chunks.Length && chunks[c] is { } chunk && i < chunk.Length) chunk[i] = item;
        else AddSlow(item);
        Count++;
    }

    // Room for one more element: a new chunk, or the first chunk grown.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void AddSlow(T item)
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
