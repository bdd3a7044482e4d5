using System.Collections;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Klp.Check.Engine;

/// <summary>An append-only list stored in fixed-size chunks, read by reference: growing it never copies what it holds.</summary>
/// <remarks>
/// A <see cref="List{T}"/> doubles its array when full, so while it grows it holds the old array
/// and one twice as large: a graph of millions of states peaks at three times its size. Here
/// only the first chunk grows (by doubling, up to 1 MB, so that small graphs stay small); then
/// chunks of about 4 MB are allocated full and never moved: on huge pages where the kernel allows
/// it (<see cref="LargePages.AllocateAligned{T}"/>), or, for a list written and read in order, on
/// the pages that cost this host less to touch first (see the constructor). <see cref="Clear"/>
/// keeps the chunks for the next use.
/// </remarks>
/// <typeparam name="T">The element type.</typeparam>
public sealed class ChunkedList<T> : IReadOnlyList<T>
{
    // A chunk holds 2^Shift elements: 4 MB to 8 MB of them, so a full chunk is a few whole huge
    // pages. A constant for each element type once compiled.
    private static int Shift
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Unsafe.SizeOf<T>() switch
        {
            < 2 => 22,
            < 4 => 21,
            < 8 => 20,
            < 16 => 19,
            < 32 => 18,
            < 64 => 17,
            < 128 => 16,
            < 256 => 15,
            _ => 14,
        };
    }

    private static int Mask
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => (1 << Shift) - 1;
    }

    /// <summary>The number of elements a full chunk holds.</summary>
    public static int ChunkLength
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => 1 << Shift;
    }

    // The first chunk grows by doubling while it is under this size, then becomes a full chunk.
    private const int GrowingBytes = 1 << 20;

    // A chunk's elements are Items[Start..Start + Capacity).
    private readonly record struct Chunk(T[] Items, int Start, int Capacity)
    {
        // The i-th element, without the array's bounds check: i is below Capacity.
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public ref T At(int i) => ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(Items), Start + i);

        public Span<T> Span(int count) => Items.AsSpan(Start, count);
    }

    private Chunk[] chunks = [new Chunk(new T[16], 0, 16)];

    private readonly bool writtenInOrder;

    /// <summary>An empty list.</summary>
    /// <param name="writtenInOrder">
    /// Whether the list is appended to and read in order rather than read at random. A list read at
    /// random gets huge pages for its full chunks, where its reads would otherwise miss the TLB
    /// nearly every time; one read in order misses it once per 4 KB page, little next to its cache
    /// misses, and its pages are chosen by what they cost to touch for the first time on this host
    /// (<see cref="LargePages.ListsInOrder"/>): on the first virtual machine of docs/performance.md
    /// a fresh huge page cost three to five times what the same memory in 4 KB pages did, on the
    /// third each 4 KB page was a slow fault (docs/performance.md, "Fresh memory").
    /// </param>
    public ChunkedList(bool writtenInOrder = false) => this.writtenInOrder = writtenInOrder;

    // The number of elements: past int.MaxValue for the transitions of the largest graphs.
    private long count;

    /// <summary>The number of elements; an <see cref="OverflowException"/> past <see cref="int.MaxValue"/> (see <see cref="LongCount"/>).</summary>
    public int Count => checked((int)count);

    /// <summary>The number of elements, however many.</summary>
    public long LongCount => count;

    /// <summary>The element at an index, by reference.</summary>
    public ref readonly T this[int index]
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            if ((ulong)(long)index >= (ulong)count) ThrowOutOfRange(index);
            // Every index below the count lies in an allocated chunk, so the arrays' own bounds
            // checks (two per read, on the explorer's hottest path) can be left out.
            return ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(chunks), index >> Shift).At(index & Mask);
        }
    }

    /// <summary>The element at an index past <see cref="int.MaxValue"/> or not, by reference.</summary>
    public ref readonly T this[long index]
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            if ((ulong)index >= (ulong)count) ThrowOutOfRange(index);
            return ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(chunks), (int)(index >> Shift)).At((int)index & Mask);
        }
    }

    T IReadOnlyList<T>.this[int index] => this[index];

    /// <summary>The elements from <paramref name="index"/> on, up to <paramref name="end"/> or the end of the chunk that holds the first of them, whichever comes first: at least one element.</summary>
    /// <remarks>For reading a stretch of the list element after element without an index per element; a loop calls it again from where the run ended until it reaches its end.</remarks>
    public ReadOnlySpan<T> Run(long index, long end)
    {
        if ((ulong)index >= (ulong)count) ThrowOutOfRange(index);
        if (end <= index || end > count) ThrowOutOfRange(end);
        ref readonly var chunk = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(chunks), (int)(index >> Shift));
        var i = (int)index & Mask;
        return MemoryMarshal.CreateReadOnlySpan(ref chunk.At(i), (int)Math.Min(end - index, chunk.Capacity - i));
    }

    /// <summary>The elements stored so far, as a view another thread may read while this list is appended to.</summary>
    /// <remarks>
    /// Appending may replace the first chunk with a larger copy and the table of chunks with a
    /// longer one, each time in a new table: the entries of the table a view reads are never
    /// written again, so the view shares it without allocating, and the arrays they point to keep
    /// the elements it covers, which are never written again either.
    /// </remarks>
    public View Snapshot() => new(this);

    /// <summary>The first elements of a list, as they were when <see cref="Snapshot"/> took them.</summary>
    public readonly struct View
    {
        private readonly Chunk[] chunks;

        // The count is read first, then the table of chunks: taken while another thread appends,
        // the table read then holds every chunk the count covers, and those of its entries are
        // never written again (AddSlow). Regression: the first chunk's entry was once replaced in
        // place, and a view that copied the table as it was written could read the new array
        // from the old start, zeros (ChunkedListTests).
        internal View(ChunkedList<T> list)
        {
            Count = checked((int)Volatile.Read(ref list.count));
            chunks = Volatile.Read(ref list.chunks);
        }

        /// <summary>The number of elements covered.</summary>
        public int Count { get; }

        /// <summary>The element at an index, by reference.</summary>
        public ref readonly T this[int index]
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get
            {
                if ((uint)index >= (uint)Count) ThrowOutOfRange(index);
                return ref chunks[index >> Shift].At(index & Mask);
            }
        }
    }

    /// <summary>Replaces the element at an index.</summary>
    internal void Set(long index, T value) => Unsafe.AsRef(in this[index]) = value;

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private static void ThrowOutOfRange(long index) => throw new ArgumentOutOfRangeException(nameof(index), index, "past the end of the list");

    /// <summary>Appends an element.</summary>
    /// <remarks>
    /// By value: taken by reference, a 16-bit element was spilled to the stack and read back as
    /// 32 bits, a load the processor cannot forward from the store, which stalled the explorer's
    /// edge list on every transition (docs/performance.md).
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Add(T item)
    {
        var c = (int)(count >> Shift);
        var i = (int)count & Mask;
        if (c < chunks.Length && i < chunks[c].Capacity) chunks[c].At(i) = item;
        else AddSlow(item);
        // Counted once written, for a view taken on another thread (a plain store on x64).
        Volatile.Write(ref count, count + 1);
    }

    // Room for one more element: a new chunk, or the first chunk grown.
    // The entries of the table that the count covers are never written in place: a view taken on
    // another thread reads them while this one appends (Snapshot), and an entry is an array and
    // its start, two stores, which such a reader could see half done. The first chunk grown goes
    // to a copy of the table, published whole once its elements are in place.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void AddSlow(T item)
    {
        var c = (int)(count >> Shift);
        var i = (int)count & Mask;
        if (c == chunks.Length)
        {
            var longer = new Chunk[chunks.Length * 2];
            chunks.CopyTo(longer, 0);
            Volatile.Write(ref chunks, longer);
        }
        if (chunks[c].Items is null) chunks[c] = Interlocked.Exchange(ref prepared, null)?.Value ?? Full();
        else if (i == chunks[c].Capacity)
        {
            // The first chunk, full at a size under a full chunk's.
            var grown = (long)i * 2 * Unsafe.SizeOf<T>() > GrowingBytes || i * 2 >= ChunkLength
                ? Full()
                : new Chunk(new T[i * 2], 0, i * 2);
            chunks[c].Span(i).CopyTo(grown.Span(i));
            var table = (Chunk[])chunks.Clone();
            table[c] = grown;
            Volatile.Write(ref chunks, table);
        }
        chunks[c].At(i) = item;
    }

    // Pinned either way: on the large-object heap, ordinary chunks left the two-thread check of
    // positional-12 15-30 MB higher at its peak than on the pinned heap, where the huge-page ones are.
    private Chunk Full() => !writtenInOrder || LargePages.ListsInOrderOnHugePages
        ? new(LargePages.AllocateAligned<T>(ChunkLength, out var start), start, ChunkLength)
        : new(GC.AllocateUninitializedArray<T>(ChunkLength, pinned: true), 0, ChunkLength);

    // The next full chunk, made by Prepare on another thread, for the AddSlow that needs one.
    private StrongBox<Chunk>? prepared;

    /// <summary>Whether a chunk <see cref="Prepare"/> made waits for the next append that needs one.</summary>
    public bool HasChunkAhead => Volatile.Read(ref prepared) is not null;

    // How far Prepare has had the memory backed (an element index), so that it does not ask the
    // kernel again for what it already did; read and written by the preparing thread only.
    private long preparedTo;

    /// <summary>From another thread than the one appending: has the memory for the elements past the count, at least <paramref name="bytes"/> of them, backed by pages now (<see cref="LargePages.Populate"/>), making the next full chunk ahead when they reach past the last one, so that the thread appending does not wait for the kernel to clear fresh pages.</summary>
    /// <remarks>
    /// Changes no element and no count: the appending thread goes on as it would, and takes the
    /// chunk made ahead when it needs a new one. Only full chunks are prepared (pinned, so their
    /// memory stays where it was read); the first, growing chunk is left to the appending thread.
    /// One thread at a time may prepare. Does nothing where the kernel cannot populate memory.
    /// </remarks>
    public void Prepare(int bytes)
    {
        // Twice as far as asked, and again once the count is within what was asked of the end:
        // once for every stretch of that length the list grows, not at every call.
        var ahead = Math.Max(1, bytes / Unsafe.SizeOf<T>());
        var n = Volatile.Read(ref count);
        if (n + ahead <= preparedTo) return;
        ahead *= 2;
        var table = Volatile.Read(ref chunks);
        var c = (int)(n >> Shift);
        var left = ahead;
        // An entry read while the appending thread writes it may pair the new array with the old
        // capacity, 0: nothing is populated then.
        if (c < table.Length && table[c] is { Items: not null } chunk)
        {
            // The growing first chunk is not pinned, and grows by copying: left to the appending thread.
            if (chunk.Capacity != ChunkLength) return;
            var i = (int)n & Mask;
            if (!Populate(chunk, i, Math.Min(left, ChunkLength - i))) return;
            left -= ChunkLength - i;
            c++;
        }
        if (left > 0)
        {
            // The chunk after: one the list kept from an earlier use, or one made ahead for AddSlow.
            Chunk next;
            if (c < table.Length && table[c].Items is not null) next = table[c];
            else if (Volatile.Read(ref prepared) is { } ready) next = ready.Value;
            else
            {
                next = Full();
                if (Interlocked.CompareExchange(ref prepared, new StrongBox<Chunk>(next), null) is not null) return;
            }
            if (next.Capacity == ChunkLength && !Populate(next, 0, Math.Min(left, ChunkLength))) return;
        }
        preparedTo = n + ahead;
    }

    // Populates elements [from, from + length) of a full chunk.
    private static unsafe bool Populate(Chunk chunk, int from, int length) =>
        length <= 0 || LargePages.Populate((nuint)Unsafe.AsPointer(ref chunk.At(from)), (nuint)length * (nuint)Unsafe.SizeOf<T>());

    /// <summary>Empties the list and keeps its storage.</summary>
    public void Clear()
    {
        var full = (int)(count >> Shift);
        // Values without references need no clearing: nothing past the count is ever read.
        if (System.Runtime.CompilerServices.RuntimeHelpers.IsReferenceOrContainsReferences<T>())
            for (var c = 0; c <= full && c < chunks.Length && chunks[c].Items is not null; c++)
                chunks[c].Span(c < full ? ChunkLength : (int)count & Mask).Clear();
        count = 0;
    }

    /// <summary>The elements in order.</summary>
    public IEnumerator<T> GetEnumerator()
    {
        for (var i = 0L; i < count; i++) yield return this[i];
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
