using System.Collections;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Klp.Check.Model;

namespace Klp.Check.Engine;

/// <summary>The states of a graph by id, stored packed (<see cref="StatePacking"/>) when the catalog has a packing, else as <see cref="KernelState"/> values; read back as values.</summary>
/// <remarks>
/// Which of the two is chosen per exploration, by the catalog and the size the graph grows to
/// (<see cref="Reset"/>): a graph starts as values and is packed, once, when it reaches
/// <see cref="DefaultPackFrom"/> states, so that the many small graphs of a <c>compare</c> do
/// not pay for packing what they would save little memory by. Packed, a
/// state takes a power of two of 64-bit words (16 bytes for up to 15 patches without
/// <c>add_sets</c> variants or allocated sets, at most 64), against 84 bytes; it is unpacked
/// where it is read and compared packed: a candidate is packed once and compared word by word.
/// Either way the values are those added, so nothing that reads a graph can tell the two apart.
/// A search files a state under <see cref="Print"/>, which packs it with the packing the list
/// has or will have, from the first state on, so that a lookup compares packed words.
/// </remarks>
public sealed class StateList : IReadOnlyList<KernelState>
{
    private ChunkedList<KernelState> wide = new();
    private ChunkedList<ulong> words = new();
    private StatePacking? packing;
    // The packing the states go to once there are packFrom of them.
    private StatePacking? later;
    private int packFrom;
    // log2 of the words per packed state.
    private int shift;
    // The packing a search's keys are made with (Print): the one given to Reset, whether the
    // states are packed yet or not.
    private StatePacking? keyPacking;

    /// <summary>The number of states from which a graph whose catalog has a packing stores its states packed: 5.5 MB of values.</summary>
    public const int DefaultPackFrom = 1 << 16;

    /// <summary>The number of states.</summary>
    public int Count => count;

    private int count;

    /// <summary>The packing the states are stored in, or null when they are stored as values.</summary>
    public StatePacking? Packing => packing;

    /// <summary>From another thread than the one adding: has the memory for the next packed states, at least <paramref name="bytes"/> of it, backed by pages now (<see cref="ChunkedList{T}.Prepare"/>).</summary>
    internal void Prepare(int bytes) => words.Prepare(bytes);

    /// <summary>Empties the list and keeps its storage.</summary>
    /// <param name="packing">The packing of the next catalog's states, or null to store them as values.</param>
    /// <param name="packFrom">The number of states from which they are stored packed (0: from the first).</param>
    internal void Reset(StatePacking? packing, int packFrom)
    {
        this.packing = null;
        later = keyPacking = packing;
        this.packFrom = packing is null ? int.MaxValue : packFrom;
        shift = packing is null ? 0 : System.Numerics.BitOperations.Log2((uint)packing.Words);
        wide.Clear();
        words.Clear();
        count = 0;
    }

    /// <summary>The words of a state's key (<see cref="Print"/>): those of a packed state, or 0 when the list stores values only.</summary>
    public int KeyWords => keyPacking?.Words ?? 0;

    /// <summary>The packing a state's key is made with (<see cref="Print"/>), whether the states are packed yet or not; null when the list stores values only.</summary>
    public StatePacking? KeyPacking => keyPacking;

    /// <summary>The fingerprint a search files a state under, with the state's key written to the first <see cref="KeyWords"/> words of <paramref name="packed"/>.</summary>
    /// <remarks>
    /// With a packing: the state packed, and the hash of those words (<see cref="StatePacking.Hash"/>);
    /// without one, <see cref="KernelState.Fingerprint"/>. The same for a state whenever it is asked
    /// for during one exploration, before and after the states are packed, and on any thread.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong Print(in KernelState state, Span<ulong> packed) => PrintWith(keyPacking, state, packed);

    /// <summary><see cref="Print"/> with the list's <see cref="KeyPacking"/> in hand.</summary>
    /// <remarks>
    /// For a thread that files states while another appends to the list: reading the packing from
    /// the list on every successor read the cache line the appending thread writes the count to.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong PrintWith(StatePacking? keyPacking, in KernelState state, Span<ulong> packed)
    {
        if (keyPacking is not { } with) return state.Fingerprint();
        with.Pack(state, packed);
        return StatePacking.Hash(packed[..with.Words]);
    }

    /// <summary>The state with an id.</summary>
    public KernelState this[int id]
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            Read(id, out var state);
            return state;
        }
    }

    /// <summary>Reads the state with an id into <paramref name="state"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Read(int id, out KernelState state)
    {
        if ((uint)id >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(id), id, "past the end of the list");
        if (packing is null) state = wide[id];
        else packing.Unpack(Packed(words, id), out state);
    }

    /// <summary>The masks and transition of the state with an id, without its entries: for a pass over every state that needs no more.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public StateMasks ReadMasks(int id)
    {
        if ((uint)id >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(id), id, "past the end of the list");
        return packing is null ? StateMasks.Of(wide[id]) : packing.UnpackMasks(Packed(words, id));
    }

    // The words of a packed state: a chunk's length is a multiple of a state's words, so a state
    // lies in one chunk.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ReadOnlySpan<ulong> Packed(ChunkedList<ulong> list, int id) => Packed(list[id << shift], shift);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ReadOnlySpan<ulong> Packed(in ulong first, int shift) => MemoryMarshal.CreateReadOnlySpan(ref Unsafe.AsRef(in first), 1 << shift);

    /// <summary>Appends a state.</summary>
    public void Add(in KernelState state)
    {
        Span<ulong> packed = stackalloc ulong[StatePacking.MaxWords];
        Add(Key(state, packed));
    }

    /// <summary>A state's key as a search looks it up: its packed words written to <paramref name="packed"/>, and in <paramref name="print"/> the fingerprint it is filed under (<see cref="Print"/>).</summary>
    internal StateKey Key(in KernelState state, Span<ulong> packed, out ulong print)
    {
        print = Print(state, packed);
        return new StateKey(in state, packed[..KeyWords]);
    }

    // A state's key without its print: the state packed into packed when the list has a packing.
    private StateKey Key(in KernelState state, Span<ulong> packed)
    {
        keyPacking?.Pack(state, packed);
        return new StateKey(in state, packed[..KeyWords]);
    }

    /// <summary>Appends a key's state, stored as its packed words once the list packs.</summary>
    internal void Add(in StateKey key)
    {
        if (packing is null && Count < packFrom) wide.Add(key.State);
        else
        {
            if (packing is null) PackAll();
            if ((long)(Count + 1) << shift > int.MaxValue) throw new InvalidOperationException($"more than {int.MaxValue >> shift} packed states");
            if (key.Packed.Length != 1 << shift) throw new ArgumentException($"a key of {key.Packed.Length} words for states of {1 << shift}", nameof(key));
            foreach (var w in key.Packed) words.Add(w);
        }
        // Counted once written: a view taken on another thread reads the count first.
        Volatile.Write(ref count, count + 1);
    }

    private void AddPacked(StatePacking with, in KernelState state)
    {
        Span<ulong> packed = stackalloc ulong[StatePacking.MaxWords];
        with.Pack(state, packed);
        for (var w = 0; w < 1 << shift; w++) words.Add(packed[w]);
    }

    // Packs the states stored as values and lets the values go. A view taken before keeps
    // reading the values, which are not written again.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void PackAll()
    {
        for (var i = 0; i < Count; i++) AddPacked(later!, wide[i]);
        packing = later;
        wide = new();
    }

    /// <summary>True when the state with this id is the key's state.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal bool Matches(int id, in StateKey key) => packing is null ? wide[id].Same(key.State) : SameWords(Packed(words, id), key.Packed);

    /// <summary>True when the state with this id is <paramref name="state"/>: compared as a search compares it, packed when the list is.</summary>
    public bool Holds(int id, in KernelState state)
    {
        if ((uint)id >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(id), id, "past the end of the list");
        Span<ulong> packed = stackalloc ulong[StatePacking.MaxWords];
        return Matches(id, Key(state, packed));
    }

    // True when a key's packed words are the packed state stored. Word by word: a state is a few
    // words, and SequenceEqual, a call into a general loop, was 5% of a check's samples.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool SameWords(ReadOnlySpan<ulong> stored, ReadOnlySpan<ulong> key)
    {
        if (key.Length < stored.Length) throw new ArgumentException($"a key of {key.Length} words for states of {stored.Length}", nameof(key));
        for (var w = 0; w < stored.Length; w++)
            if (key[w] != stored[w]) return false;
        return true;
    }

    /// <summary>Asks the memory system for the state with an id, which a comparison or a read will want soon.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void Prefetch(int id)
    {
        if (packing is not null) PrefetchStored(in words[id << shift], value: false);
        else PrefetchStored(in wide[id], value: true);
    }

    // Words are a power of two, so a packed state lies in one cache line; a value spans two or
    // three, and the comparison starts with the header at byte 64.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PrefetchStored<T>(ref readonly T first, bool value)
    {
        ref var at = ref Unsafe.AsRef(in first);
        StateTable<StateKey, GraphStates>.Prefetch(ref at);
        if (value) StateTable<StateKey, GraphStates>.Prefetch(ref Unsafe.AddByteOffset(ref at, 64));
    }

    /// <summary>The states added so far, as a view another thread may read while this list is appended to (<see cref="ChunkedList{T}.Snapshot"/>).</summary>
    internal View Snapshot() => new(this);

    /// <summary>The first states of a list, as they were when <see cref="Snapshot"/> took them.</summary>
    internal readonly struct View
    {
        private readonly ChunkedList<KernelState>.View wide;
        private readonly ChunkedList<ulong>.View words;
        private readonly StatePacking? packing;
        private readonly int shift;

        internal View(StateList list)
        {
            // The count first: taken while the list is appended to (packed, so that what stores
            // the states no longer changes), the views of the words then cover every state it
            // counts, each written before it was counted.
            Count = Volatile.Read(ref list.count);
            (wide, words, packing, shift) = (list.wide.Snapshot(), list.words.Snapshot(), list.packing, list.shift);
        }

        /// <summary>The number of states covered.</summary>
        public int Count { get; }

        /// <summary>Reads the state with an id into <paramref name="state"/>.</summary>
        public void Read(int id, out KernelState state)
        {
            if ((uint)id >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(id), id, "past the end of the view");
            if (packing is null) state = wide[id];
            else packing.Unpack(Packed(words[id << shift], shift), out state);
        }

        /// <summary>Asks the memory system for the state with an id, when the view covers it.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal void Prefetch(int id)
        {
            if ((uint)id >= (uint)Count) return;
            if (packing is not null) PrefetchStored(in words[id << shift], value: false);
            else PrefetchStored(in wide[id], value: true);
        }

        /// <summary>True when the state with this id is in the view and is the key's state.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public bool Matches(int id, in StateKey key)
        {
            if (id >= Count) return false;
            return packing is null ? wide[id].Same(key.State) : SameWords(Packed(words[id << shift], shift), key.Packed);
        }
    }

    /// <summary>The states in id order.</summary>
    public IEnumerator<KernelState> GetEnumerator()
    {
        for (var i = 0; i < Count; i++) yield return this[i];
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
