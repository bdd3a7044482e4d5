using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace Klp.Check.Model;

/// <summary>The compact stored form of the states of one catalog: every field of a <see cref="KernelState"/> in as few bits as the catalog needs, in a power of two of 64-bit words.</summary>
/// <remarks>
/// A <see cref="KernelState"/> is 84 bytes whatever the catalog: 32 entries of 16 bits and 32-bit
/// masks. A catalog of n patches needs n bits per mask, and per entry the bits of a patch index
/// below n, of an <c>add_sets</c> variant below the catalog's number of them, and of an allocated
/// set (none when no patch takes its set from the allocator). In order from bit 0: the loaded,
/// pinned, replacing and listed masks (n bits each; the number of entries is the number of
/// listed patches), the transition (patch + 1) and its target, then the entries, the oldest
/// first. The words are rounded up to a power of two, so that a stored state never straddles
/// a cache line; a catalog whose states need more than <see cref="MaxWords"/> has no packing.
/// Only states of the catalog the packing was made for can be packed: those its operations
/// reach (<see cref="Kernel.Step"/>).
/// </remarks>
public sealed class StatePacking
{
    /// <summary>The most words a packed state may take: 64 bytes, a cache line, against the 84 bytes of a <see cref="KernelState"/>.</summary>
    public const int MaxWords = 8;

    private readonly int n, transitionBits, entryBits, groups;
    private readonly int patchBits, paramsBits, autoBits;

    // The bits of a 16-bit entry the catalog uses, in each of the four entries of a word.
    private readonly ulong laneMask;

    private readonly bool bitInstructions;

    private StatePacking(int n, int patchBits, int paramsBits, int autoBits, bool bitInstructions)
    {
        this.n = n;
        this.patchBits = patchBits;
        this.paramsBits = paramsBits;
        this.autoBits = autoBits;
        this.bitInstructions = bitInstructions && Bmi2.X64.IsSupported;
        transitionBits = BitsFor(n);
        entryBits = patchBits + paramsBits + autoBits;
        groups = (n + 3) / 4;
        Bits = 4 * n + transitionBits + 1 + n * entryBits;
        Words = (int)BitOperations.RoundUpToPowerOf2((uint)(Bits + 63) / 64);
        ulong lane = Low(patchBits) | Low(paramsBits) << 5 | Low(autoBits) << 9;
        laneMask = lane * 0x0001_0001_0001_0001UL;
    }

    /// <summary>The packing of a catalog's states, or null when they need more than <see cref="MaxWords"/> words.</summary>
    /// <param name="catalog">The catalog whose states are packed.</param>
    /// <param name="bitInstructions">Use the processor's bit extract and deposit instructions where it has them (BMI2); false runs the portable code, as on processors without them, which tests hold to the same results.</param>
    public static StatePacking? For(Catalog catalog, bool bitInstructions = true)
    {
        var n = catalog.Count;
        // An allocated set is a set bit (below SetNumbers.Length), stored plus one.
        var autoBits = Array.IndexOf(catalog.IsAuto, true) >= 0 ? BitsFor(catalog.SetNumbers.Length) : 0;
        var packing = new StatePacking(n, BitsFor(n - 1), BitsFor(catalog.AddSetsVariants.Length - 1), autoBits, bitInstructions);
        return packing.Words <= MaxWords ? packing : null;
    }

    /// <summary>The 64-bit words a packed state takes: a power of two, at most <see cref="MaxWords"/>.</summary>
    public int Words { get; }

    /// <summary>The bits of those words a packed state uses; the others are zero.</summary>
    public int Bits { get; }

    /// <summary>Writes a state of the catalog, packed, to the first <see cref="Words"/> words of <paramref name="into"/>.</summary>
    /// <remarks>The fields are appended one after another to a word kept in a register, which is stored each time it fills: a state of 12 patches is two words, written once each.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Pack(in KernelState state, Span<ulong> into)
    {
        if ((uint)into.Length < (uint)Words) throw new ArgumentException($"{into.Length} words are fewer than the {Words} of a packed state", nameof(into));
        var w = new BitWriter(ref MemoryMarshal.GetReference(into));
        w.Append(state.Loaded | state.Pinned << n, 2 * n);
        w.Append(state.Replacing | state.InPatches << n, 2 * n);
        w.Append((uint)(state.TransitionPatch + 1) | (state.TargetPatched ? 1UL : 0) << transitionBits, transitionBits + 1);
        for (var g = 0; g < groups && 4 * g < state.Count; g++)
        {
            var word = state.EntryWord(g);
            var packed = bitInstructions ? Bmi2.X64.ParallelBitExtract(word, laneMask) : Extract(word);
            w.Append(packed, GroupBits(g));
        }
        w.Finish(Words);
    }

    /// <summary>A 64-bit hash of a packed state, for finding it in a table of packed states.</summary>
    /// <remarks>
    /// Mixes the words as <see cref="KernelState.Fingerprint"/> mixes a value's, but a state of 12
    /// patches is two words here against five or six there, and a search that compares packed
    /// states has packed its candidate anyway. Equal states of one packing have equal hashes.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Hash(ReadOnlySpan<ulong> packed) => KernelState.MixWords(0x9E3779B97F4A7C15UL, packed);

    /// <summary>The state <see cref="Pack"/> wrote to <paramref name="from"/>.</summary>
    public void Unpack(ReadOnlySpan<ulong> from, out KernelState state)
    {
        var r = Reader(from);
        var m = ReadMasks(ref r);
        state = default;
        state.SetRaw((uint)m.InPatches, (uint)m.Loaded, (uint)m.Pinned, (uint)m.Replacing, m.TransitionPatch + 1, m.TargetPatched);
        for (var g = 0; g < groups && 4 * g < state.Count; g++)
        {
            var packed = r.Take(GroupBits(g));
            state.SetEntryWord(g, bitInstructions ? Bmi2.X64.ParallelBitDeposit(packed, laneMask) : Deposit(packed));
        }
    }

    /// <summary>The masks and the transition of the state <see cref="Pack"/> wrote to <paramref name="from"/>, without its entries.</summary>
    public StateMasks UnpackMasks(ReadOnlySpan<ulong> from)
    {
        var r = Reader(from);
        return ReadMasks(ref r);
    }

    // A reader at the start of a packed state's words.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private BitReader Reader(ReadOnlySpan<ulong> from)
    {
        if ((uint)from.Length < (uint)Words) throw new ArgumentException($"{from.Length} words are fewer than the {Words} of a packed state", nameof(from));
        return new BitReader(ref MemoryMarshal.GetReference(from));
    }

    // The masks and the transition at the front of a packed state; the reader is left at its entries.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private StateMasks ReadMasks(ref BitReader r)
    {
        var masks = r.Take(2 * n);
        var masks2 = r.Take(2 * n);
        var transition = r.Take(transitionBits + 1);
        var low = Low(n);
        return new StateMasks(masks2 >> n, masks & low, masks >> n, masks2 & low,
            (int)(transition & Low(transitionBits)) - 1, (transition >> transitionBits) != 0);
    }

    // The bits of the g-th group of four entries: four entries' worth, fewer in the last group.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int GroupBits(int g) => Math.Min(4, n - 4 * g) * entryBits;

    // Appends fields of up to 64 bits to words from a first one: the bits not yet stored are kept
    // in a register, and a word is stored once full.
    private ref struct BitWriter(ref ulong first)
    {
        private ref ulong next = ref first;
        private ulong pending;
        private int used, stored;

        // Appends the low width bits of value (nothing above them set).
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Append(ulong value, int width)
        {
            pending |= value << used;
            used += width;
            if (used < 64) return;
            next = pending;
            next = ref Unsafe.Add(ref next, 1);
            stored++;
            used -= 64;
            // The bits of value that did not fit; none when it ended the word exactly.
            pending = used == 0 ? 0 : value >> (width - used);
        }

        // Stores what is pending and zeroes the words up to the count.
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Finish(int words)
        {
            if (stored == words) return;
            next = pending;
            for (var i = stored + 1; i < words; i++) Unsafe.Add(ref next, i - stored) = 0;
        }
    }

    // Reads fields of up to 64 bits from words, in the order a BitWriter appended them. A word is
    // read only when a field begins or goes on in it, so nothing past a packed state's words is.
    private ref struct BitReader(ref readonly ulong first)
    {
        private ref readonly ulong next = ref first;
        private ulong current = first;
        private int used;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public ulong Take(int width)
        {
            if (used == 64) Advance();
            var at = used;
            var v = current >> at;
            var end = at + width;
            if (end > 64)
            {
                // The field goes on into the next word (at is 1 to 63 here).
                Advance();
                v |= current << (64 - at);
                used = end - 64;
            }
            else used = end;
            return v & Low(width);
        }

        private void Advance()
        {
            next = ref Unsafe.Add(ref Unsafe.AsRef(in next), 1);
            current = next;
            used = 0;
        }
    }

    // The used bits of four 16-bit entries, each entry's in eb bits, the lowest entry first: what
    // the bit extract instruction does with laneMask.
    private ulong Extract(ulong word)
    {
        ulong packed = 0;
        for (var k = 0; k < 4; k++)
        {
            var e = word >> (16 * k);
            var c = (e & Low(patchBits)) | ((e >> 5) & Low(paramsBits)) << patchBits | ((e >> 9) & Low(autoBits)) << (patchBits + paramsBits);
            packed |= c << (k * entryBits);
        }
        return packed;
    }

    // The inverse of Extract: what the bit deposit instruction does with laneMask.
    private ulong Deposit(ulong packed)
    {
        ulong word = 0;
        for (var k = 0; k < 4; k++)
        {
            var c = packed >> (k * entryBits);
            var e = (c & Low(patchBits)) | ((c >> patchBits) & Low(paramsBits)) << 5 | ((c >> (patchBits + paramsBits)) & Low(autoBits)) << 9;
            word |= e << (16 * k);
        }
        return word;
    }

    // The lowest bits set, up to all 64.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Low(int bits) => bits >= 64 ? ulong.MaxValue : (1UL << bits) - 1;

    // The bits that hold every value from 0 to max.
    private static int BitsFor(int max) => max <= 0 ? 0 : 32 - BitOperations.LeadingZeroCount((uint)max);
}
