using System.Runtime.CompilerServices;

namespace Klp.Check.Engine;

/// <summary>Where a search keeps the values of its nodes: compares a stored node with a candidate and appends new ones.</summary>
/// <remarks>
/// Implemented by structs, so that <see cref="StateTable{TKey, TStore}"/> and
/// <see cref="BreadthFirst{TKey, TStore}"/> are compiled once per store and the comparison is
/// inlined into the lookup.
/// </remarks>
/// <typeparam name="TKey">The value of a node as a search hands it over.</typeparam>
internal interface INodeStore<TKey> where TKey : allows ref struct
{
    /// <summary>True when the node with this id holds <paramref name="candidate"/>.</summary>
    bool Matches(int id, in TKey candidate);

    /// <summary>Stores a new node's value; its id is the number of nodes stored before it.</summary>
    void Append(in TKey value);
}

/// <summary>The de-duplication table of a search: the id of a node with a given value, by fingerprint.</summary>
/// <remarks>
/// Open addressing with linear probing, at most three quarters full. A slot is 8 bytes: the fingerprint's
/// high 32 bits (its tag, whose low bits also pick the home slot) and the node id + 1 (0: empty),
/// so eight slots share a cache line. A tag match is confirmed by the store's comparison, or,
/// when de-duplicating by fingerprint, against the full 64-bit fingerprint kept per id. The
/// table is the first <c>size</c> slots of its array; the array and a spare one of the same
/// size are kept across searches, so a large search pays for its memory once and a small one
/// clears only what it used. Growing rehashes into the spare array (on 2 MB pages when large);
/// from 2^20 slots the old array is let go, and collected, instead of kept as the spare. While
/// another thread waits on the adding one (<see cref="GrowthBegins"/>), it helps place the old
/// slots.
/// </remarks>
/// <typeparam name="TKey">The value of a node as a search hands it over.</typeparam>
/// <typeparam name="TStore">Where the nodes' values are, and how one is compared with a candidate.</typeparam>
internal sealed class StateTable<TKey, TStore> where TKey : allows ref struct where TStore : struct, INodeStore<TKey>
{
    private ulong[] slots = new ulong[MinTable];
    private ulong[] spareSlots = new ulong[MinTable];
    private readonly ChunkedList<ulong> printOf = new();
    private int size = MinTable;
    private int used;
    private bool byPrint;
    private TStore store;
    private const int MinTable = 1024;
    private const int KeptTable = 1 << 20;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Tag(ulong print) => (uint)(print >> 32);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Slot(ulong print, int id) => (print & 0xFFFF_FFFF_0000_0000UL) | (uint)(id + 1);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int IdOf(ulong slot) => (int)(uint)slot - 1;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int Home(uint tag) => (int)tag & (size - 1);

    // The slots asked for at the last Reset (SlotsFor its room): a growth past SmallUpTo goes straight there.
    private int roomSlots = MinTable;

    /// <summary>The slots up to which a table given room for many nodes (<see cref="Reset"/>) still starts small and doubles: its growth past them goes straight to the room asked for.</summary>
    /// <remarks>
    /// Up to 2^17 slots (1 MB) a table is cheap to grow and its doublings touch little memory;
    /// a table of millions of slots from the first node spreads the first levels' few states over
    /// memory the caches do not hold. With the small sizes first, <c>check --expect-states</c> took
    /// positional-12 1.038x faster by the median of ten rounds, where room at the start gave
    /// 1.015x and 1.023x (docs/performance.md). Tests lower it.
    /// </remarks>
    public int SmallUpTo { get; set; } = DefaultSmallUpTo;

    /// <summary>The default <see cref="SmallUpTo"/>: 2^17 slots, 1 MB.</summary>
    public const int DefaultSmallUpTo = 1 << 17;

    /// <summary>The most slots a table is given room for (<see cref="SlotsFor"/>): 2^30, 8 GB.</summary>
    public const int MostRoom = 1 << 30;

    /// <summary>The slots that hold <paramref name="nodes"/> nodes without growing: the least power of two, at least <see cref="MinTable"/> and at most <see cref="MostRoom"/>, of which they fill at most three quarters.</summary>
    public static int SlotsFor(int nodes)
    {
        var needed = ((long)Math.Max(0, nodes) * 4 + 2) / 3;
        return (int)Math.Clamp((long)System.Numerics.BitOperations.RoundUpToPowerOf2((ulong)Math.Max(needed, MinTable)), MinTable, MostRoom);
    }

    /// <summary>True when the table has grown past the size from which a growth lets its old array go (and collects it).</summary>
    public bool Large => size > KeptTable;

    /// <summary>The store the nodes' values are kept in.</summary>
    public ref TStore Store => ref store;

    /// <summary>Empties the table for a search whose nodes are kept in <paramref name="nodes"/>.</summary>
    /// <param name="nodes">The store, empty.</param>
    /// <param name="fingerprints">De-duplicate by 64-bit fingerprint instead of by the store's comparison.</param>
    /// <param name="room">The nodes the table is to hold without growing past its small sizes (<see cref="SlotsFor"/>, <see cref="SmallUpTo"/>); 0 for the smallest table, grown by doubling.</param>
    public void Reset(TStore nodes, bool fingerprints, int room = 0)
    {
        shared = null;
        preparedSlots = null;
        PreparedGrowths = 0;
        Growths = 0;
        // The slots the last search used, and those this one will, are cleared; a new array comes zeroed.
        var previous = size;
        roomSlots = SlotsFor(room);
        // A power of two, as every size of the table must be, whatever SmallUpTo was set to.
        size = Math.Min(roomSlots, (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Clamp(SmallUpTo, MinTable, MostRoom)));
        if (slots.Length < size) slots = LargePages.Allocate<ulong>(size);
        else Array.Clear(slots, 0, Math.Max(previous, size));
        used = 0;
        printOf.Clear();
        store = nodes;
        byPrint = fingerprints;
    }

    /// <summary>The id of the node holding <paramref name="candidate"/>, whose fingerprint is <paramref name="print"/>; -1 when there is none.</summary>
    /// <remarks>Only reads, so several threads may look up at once while nothing is added.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Find(in TKey candidate, ulong print)
    {
        var mask = size - 1;
        var tag = Tag(print);
        for (var i = Home(tag); ; i = (i + 1) & mask)
        {
            var slot = slots[i];
            if (slot == 0) return -1;
            if (Tag(slot) != tag) continue;
            var id = IdOf(slot);
            if (byPrint ? printOf[id] == print : store.Matches(id, candidate)) return id;
        }
    }

    private Shared? shared;

    /// <summary>Lets other threads look nodes up (<see cref="Published"/>) while this one adds them, until the next <see cref="Reset"/>.</summary>
    public void Share() => Volatile.Write(ref shared, new Shared(slots, size, byPrint));

    /// <summary>The table as last published for other threads (by <see cref="Share"/>, and again at each growth after it); null before.</summary>
    /// <remarks>
    /// A reader may keep one for a while: a table that has grown since only misses the nodes
    /// added since, and the slot arrays it reads are never shorter than it thinks. Kept rather
    /// than read from here on every lookup, it does not share a cache line with the fields this
    /// thread writes as it adds.
    /// </remarks>
    public Shared? Published => Volatile.Read(ref shared);

    /// <summary>The slots and their number as a reader on another thread sees them: replaced as one when the table grows, so that such a reader never pairs an array with another array's size.</summary>
    public sealed class Shared
    {
        private readonly ulong[] slots;
        private readonly int mask;
        private readonly bool byPrint;

        internal Shared(ulong[] slots, int size, bool byPrint) => (this.slots, mask, this.byPrint) = (slots, size - 1, byPrint);

        // A probe longer than this gives up: a reader on a table being grown into may read an
        // array that is being refilled.
        private const int Probes = 64;

        /// <summary>The id of a node holding <paramref name="candidate"/> as <paramref name="nodes"/> has it, looked up from another thread while nodes are being added; -1 when it finds none.</summary>
        /// <remarks>
        /// A node being added, or one <paramref name="nodes"/> does not cover (its comparison says
        /// no), may be missed, so -1 says only that this lookup found nothing; an id found is the
        /// node's. Never by fingerprint alone: -1 when de-duplicating by fingerprint.
        /// </remarks>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public int Find<TNodes>(in TKey candidate, ulong print, in TNodes nodes) where TNodes : struct, INodeStore<TKey>
        {
            if (byPrint) return -1;
            var tag = Tag(print);
            var i = (int)tag & mask;
            for (var probes = 0; probes < Probes; probes++, i = (i + 1) & mask)
            {
                var slot = Volatile.Read(ref slots[i]);
                if (slot == 0) return -1;
                if (Tag(slot) == tag && nodes.Matches(IdOf(slot), candidate)) return IdOf(slot);
            }
            return -1;
        }

        /// <summary>Asks the memory system for the slot a <see cref="Find"/> of <paramref name="print"/> starts at.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void PrefetchHome(ulong print) => Prefetch(ref slots[(int)Tag(print) & mask]);

        /// <summary>The id in the slot a <see cref="Find"/> of <paramref name="print"/> starts at, when its tag matches; -1 otherwise.</summary>
        /// <remarks>For prefetching the node such a lookup will most likely compare with.</remarks>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public int AtHome(ulong print)
        {
            var tag = Tag(print);
            var slot = Volatile.Read(ref slots[(int)tag & mask]);
            return slot != 0 && Tag(slot) == tag ? IdOf(slot) : -1;
        }
    }

    /// <summary>Appends a node to the store and records it under its fingerprint; its id is the number of nodes before it.</summary>
    public int Add(in TKey value, ulong print)
    {
        var id = used;
        store.Append(value);
        if (byPrint) printOf.Add(print);
        if (++used * 4 > size * 3) Grow();
        Place(Slot(print, id));
        return id;
    }

    /// <summary>Asks the memory system for the slot a lookup of <paramref name="print"/> starts at.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void PrefetchHome(ulong print) => Prefetch(ref slots[Home(Tag(print))]);

    /// <summary>The id in the slot a lookup of <paramref name="print"/> starts at, when its tag matches; -1 otherwise.</summary>
    /// <remarks>For prefetching the node a lookup will most likely compare with.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int AtHome(ulong print)
    {
        var tag = Tag(print);
        var slot = slots[Home(tag)];
        return slot != 0 && Tag(slot) == tag ? IdOf(slot) : -1;
    }

    /// <summary>Gives back a large table's memory; a small one is kept for the next search.</summary>
    /// <remarks>What follows a large search needs the memory more than the next search needs the time it takes to grow one again.</remarks>
    public void Trim()
    {
        store = default;
        // The shared view holds the slots too: a table dropped must not live on through it.
        shared = null;
        if (size <= KeptTable) return;
        (slots, spareSlots, size) = (new ulong[MinTable], new ulong[MinTable], MinTable);
        Volatile.Write(ref preparedSlots, null);
        GC.Collect();
    }

    /// <summary>A hint to the memory system: the cache line at <paramref name="target"/> is fetched while other work runs.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Prefetch<T>(ref T target)
    {
        if (System.Runtime.Intrinsics.X86.Sse.IsSupported) System.Runtime.Intrinsics.X86.Sse.Prefetch0(Unsafe.AsPointer(ref target));
    }

    private void Place(ulong slot)
    {
        var mask = size - 1;
        var i = Home(Tag(slot));
        while (slots[i] != 0) i = (i + 1) & mask;
        slots[i] = slot;
    }

    /// <summary>Told, on the thread that adds, when a growth of at least <see cref="HelpedFrom"/> slots begins that other threads may help with (<see cref="HelpGrow"/>); null when no other thread is there to help.</summary>
    /// <remarks>Growing a table of millions of slots takes the adding thread hundreds of milliseconds, most of it the memory's first touch (docs/performance.md); meanwhile a thread that waits for it has nothing else to do.</remarks>
    public Action? GrowthBegins { get; set; }

    /// <summary>The fewest slots of a table whose growth other threads are asked to help with.</summary>
    public int HelpedFrom { get; set; } = DefaultHelpedFrom;

    /// <summary>The default <see cref="HelpedFrom"/>: 2^18 slots, a table of 2 MB.</summary>
    public const int DefaultHelpedFrom = 1 << 18;

    private Rehash? rehash;

    /// <summary>On another thread: helps the growth in progress, if any, until every part of it is taken; returns at once when none runs.</summary>
    public void HelpGrow() => Volatile.Read(ref rehash)?.Run();

    /// <summary>True while a growth others may help with runs.</summary>
    public bool Growing => Volatile.Read(ref rehash) is not null;

    // The old slots of a growth, placed into the new array in blocks that the adding thread and
    // its helpers take in turn. A slot is claimed by compare-and-swap, so two threads placing into
    // one probe sequence never overwrite each other; the order they place in changes where in a
    // run of slots an entry lies, never which id a lookup finds (one entry per state, or per
    // fingerprint when de-duplicating by fingerprint).
    private sealed class Rehash(ulong[] from, int fromSize, ulong[] to, int toSize)
    {
        // Blocks of 256 to 65,536 slots, about 64 of them, so that small tables are shared too.
        private readonly int block = Math.Clamp(fromSize / 64, 256, 1 << 16);

        private int Blocks => (fromSize + block - 1) / block;
        private int next = -1, done;

        public void Run()
        {
            var mask = toSize - 1;
            for (var b = Interlocked.Increment(ref next); b < Blocks; b = Interlocked.Increment(ref next))
            {
                var end = Math.Min(fromSize, (b + 1) * block);
                for (var i = b * block; i < end; i++)
                {
                    var slot = from[i];
                    if (slot == 0) continue;
                    var j = (int)Tag(slot) & mask;
                    while (Volatile.Read(ref to[j]) != 0 || Interlocked.CompareExchange(ref to[j], slot, 0) != 0) j = (j + 1) & mask;
                }
                Interlocked.Increment(ref done);
            }
        }

        // Until the blocks the helpers took are placed too.
        public void Finish()
        {
            var spin = new SpinWait();
            while (Volatile.Read(ref done) < Blocks) spin.SpinOnce(sleep1Threshold: -1);
        }
    }

    // The array of the next growth, made and its memory backed by another thread (PrepareGrowth):
    // zeroed, and written by no one until a growth takes it.
    private ulong[]? preparedSlots;

    // How many slots of preparedSlots PrepareGrowth has had backed; the preparing thread's own.
    private int preparedBacked;

    /// <summary>The fewest slots of a table whose next growth <see cref="PrepareGrowth"/> prepares; tests lower it.</summary>
    public int PreparedFrom { get; set; } = DefaultPreparedFrom;

    /// <summary>The default <see cref="PreparedFrom"/>: 2^18 slots, a table of 2 MB.</summary>
    public const int DefaultPreparedFrom = 1 << 18;

    /// <summary>The most slots of an array <see cref="PrepareGrowth"/> makes: 2^25, 256 MB.</summary>
    /// <remarks>A search that ends between 11/16 and 3/4 full holds the array made for nothing: past this size that would be gigabytes (positional-14's last growth is to 2^28 slots, 2 GB, and it ends 0.66 full), enough to cross a memory bound the search would otherwise keep.</remarks>
    public const int PreparedUpTo = 1 << 25;

    /// <summary>How many times the table has grown since the last <see cref="Reset"/>.</summary>
    internal int Growths { get; private set; }

    /// <summary>How many growths since the last <see cref="Reset"/> took the array <see cref="PrepareGrowth"/> made for them.</summary>
    internal int PreparedGrowths { get; private set; }

    /// <summary>From another thread than the one adding, while it waits: once the table is 11/16 full (it grows at 3/4), makes the array of its next growth, up to <see cref="PreparedUpTo"/> slots, and has its memory backed by pages, 2 MB a call, so that the growth finds the pages ready (<see cref="LargePages.Populate"/>).</summary>
    /// <remarks>
    /// Growing writes every slot of an array twice the size, most of whose time on a host where
    /// fresh pages are slow faults is the kernel clearing them (docs/performance.md). The array
    /// is zeroed and nothing is written to it here, so the growth uses it as it would a new one,
    /// at the same time or not. A search that ends between 11/16 and 3/4 full holds the array
    /// for nothing. One preparing thread at a time.
    /// </remarks>
    internal void PrepareGrowth()
    {
        var current = Volatile.Read(ref size);
        if (current < PreparedFrom || current > PreparedUpTo / 2 || (long)Volatile.Read(ref used) * 16 < (long)current * 11) return;
        var next = Volatile.Read(ref preparedSlots);
        if (next is null || next.Length < 2 * current)
        {
            var made = LargePages.Allocate<ulong>(2 * current);
            if (Interlocked.CompareExchange(ref preparedSlots, made, next) != next) return;
            (next, preparedBacked) = (made, 0);
        }
        if (preparedBacked >= next.Length) return;
        const int Step = (2 << 20) / sizeof(ulong);
        var length = Math.Min(Step, next.Length - preparedBacked);
        unsafe
        {
            // Where the kernel cannot, the array is left as made, and not asked for again.
            fixed (ulong* at = &next[preparedBacked])
                preparedBacked = LargePages.Populate((nuint)at, (nuint)length * sizeof(ulong)) ? preparedBacked + length : next.Length;
        }
    }

    private void Grow()
    {
        var old = slots;
        var oldSize = size;
        // Doubled, or, past the small sizes of a table given room, the room asked for at once.
        size = Math.Max(size * 2, roomSlots);
        Growths++;
        if (Interlocked.Exchange(ref preparedSlots, null) is { } ready && ready.Length >= size)
        {
            spareSlots = ready;
            PreparedGrowths++;
        }
        else if (spareSlots.Length < size) spareSlots = LargePages.Allocate<ulong>(size);
        else Array.Clear(spareSlots, 0, size);
        slots = spareSlots;
        spareSlots = old;
        if (GrowthBegins is { } begins && oldSize >= HelpedFrom)
        {
            var r = new Rehash(old, oldSize, slots, size);
            // A full fence: a helper about to sleep reads the growth after saying so, and begins
            // reads whether it sleeps after the growth is there to see.
            Interlocked.Exchange(ref rehash, r);
            begins();
            r.Run();
            r.Finish();
            Volatile.Write(ref rehash, null);
        }
        else
            foreach (var slot in old.AsSpan(0, oldSize))
                if (slot != 0) Place(slot);
        if (shared is not null) Share();
        // The old array of a table grown past KeptTable would be kept only for the next search,
        // and Trim drops it then: let it go now, so that the largest search does not carry half a
        // table more (1 GB of its 3 on positional-14). The runtime gives a pinned array's memory
        // back only in a full collection, so growing collects at once: a few milliseconds, once
        // per doubling from 8 MB, against the seconds such a search takes. A 12-patch catalog of
        // 1.18 M states peaked 17 MB lower for it (docs/performance.md).
        if (oldSize >= KeptTable)
        {
            spareSlots = new ulong[MinTable];
            GC.Collect();
        }
    }
}
