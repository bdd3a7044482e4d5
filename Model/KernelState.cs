using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Klp.Check.Model;

[InlineArray(Catalog.MaxPatches)]
internal struct EntryBuffer
{
    private ushort element;
}

/// <summary>The kernel's livepatch state: <c>Patches</c> in list order, the transition, loaded and pinned modules.</summary>
/// <remarks>
/// A fixed-size value of 84 bytes with equality and hashing by value. Each entry of
/// <c>Patches</c> packs into 16 bits the patch index (5 bits), the <c>add_sets</c> variant it was
/// loaded with (4 bits) and the set the user-space allocator gave it (7 bits); its occupied
/// sets follow from those and the reading. A patch appears at most once, since its module can
/// be loaded only once. <c>default</c> is the empty kernel.
/// </remarks>
public struct KernelState : IEquatable<KernelState>
{
    private EntryBuffer entries;
    private uint inPatches;
    private uint loaded;
    private uint pinned;
    private uint replacing;
    private byte count;
    private byte transition; // patch index + 1; 0 = none
    private bool targetPatched;

    /// <summary>The empty kernel: no patch, no module, no transition.</summary>
    public static KernelState Empty => default;

    /// <summary>The number of entries in <c>Patches</c>.</summary>
    public readonly int Count => count;

    /// <summary>The patches in <c>Patches</c>, as a mask over catalog indices.</summary>
    public readonly ulong InPatches => inPatches;

    /// <summary>The loaded livepatch modules, as a mask over catalog indices.</summary>
    public readonly ulong Loaded => loaded;

    /// <summary>The modules pinned by a forced transition; they can never be unloaded.</summary>
    public readonly ulong Pinned => pinned;

    /// <summary>The patch in transition, or -1.</summary>
    public readonly int TransitionPatch => transition - 1;

    /// <summary>True when a transition is running.</summary>
    public readonly bool InTransition => transition != 0;

    /// <summary>The transition's target: true for patched, false for unpatched.</summary>
    public readonly bool TargetPatched => targetPatched;

    /// <summary>The patches the running transition replaces when it completes as patched.</summary>
    public readonly ulong Replacing => replacing;

    /// <summary>The catalog index of the patch at a list position (0 is the oldest).</summary>
    public readonly int PatchAt(int position) => entries[position] & 0x1F;

    /// <summary>The <c>add_sets</c> variant the entry at a list position was loaded with.</summary>
    public readonly int ParamsAt(int position) => (entries[position] >> 5) & 0xF;

    /// <summary>The set bit the allocator gave the entry at a list position, or -1.</summary>
    public readonly int AutoSetAt(int position) => (entries[position] >> 9) - 1;

    /// <summary>The 1-based position of a patch in <c>Patches</c> (its <c>stack_order</c>), or 0.</summary>
    public readonly int StackOrder(int patch)
    {
        for (var i = 0; i < count; i++)
            if (PatchAt(i) == patch) return i + 1;
        return 0;
    }

    /// <summary>A state from its fields, as the operations of <see cref="Kernel"/> set them: the <c>Patches</c> entries in list order (patch, <c>add_sets</c> variant, allocated set bit or -1), the loaded and pinned modules, and the transition (patch -1 and nothing else set for none).</summary>
    /// <remarks>For building states without running operations, as property tests of the state's packing and hashing do; <see cref="Kernel.Step"/> is the way to reach states a kernel can be in.</remarks>
    public static KernelState Of(ReadOnlySpan<(int Patch, int Params, int AutoSet)> entries, ulong loaded, ulong pinned, int transitionPatch = -1, bool targetPatched = false, ulong replacing = 0)
    {
        var s = Empty;
        foreach (var (patch, @params, autoSet) in entries) s.Append(Pack(patch, @params, autoSet));
        s.SetLoaded(loaded);
        s.SetPinned(pinned);
        if (transitionPatch >= 0 || targetPatched || replacing != 0) s.StartTransition(transitionPatch, targetPatched, replacing);
        return s;
    }

    internal static ushort Pack(int patch, int @params, int autoSet) => (ushort)(patch | (@params << 5) | ((autoSet + 1) << 9));

    internal void Append(ushort entry)
    {
        entries[count++] = entry;
        inPatches |= 1u << (entry & 0x1F);
    }

    /// <summary>Sets this state to <paramref name="from"/> without the entries of the patches in a mask (their order kept), with the entries read from <paramref name="from"/> rather than from the copy just written.</summary>
    /// <remarks>
    /// Read back at once, a copy's entries wait on the stores that wrote them: the processor
    /// cannot forward the 32-byte stores of a state's copy to the loads of its 16-bit entries.
    /// Each entry is written at the next free position and kept there only if its patch stays, so
    /// the loop has no branch on the entries; the positions after the last kept are zeroed.
    /// Safe when both are the same state: an entry is written at or before the position it was read from.
    /// </remarks>
    internal void CopyWithout(in KernelState from, ulong mask)
    {
        var m = (uint)mask;
        var present = from.inPatches;
        var n = (int)from.count;
        this = from;
        if ((present & m) == 0) return;
        ref var source = ref Unsafe.As<EntryBuffer, ushort>(ref Unsafe.AsRef(in from.entries));
        ref var target = ref Unsafe.As<EntryBuffer, ushort>(ref entries);
        var w = 0;
        // count <= MaxPatches, the buffers' length.
        for (var r = 0; r < n; r++)
        {
            var e = Unsafe.Add(ref source, r);
            Unsafe.Add(ref target, w) = e;
            w += (int)((~m >> (e & 0x1F)) & 1);
        }
        for (var r = w; r < n; r++) Unsafe.Add(ref target, r) = 0;
        count = (byte)w;
        inPatches = present & ~m;
    }

    internal void SetLoaded(ulong mask) => loaded = (uint)mask;
    internal void SetPinned(ulong mask) => pinned = (uint)mask;

    internal void StartTransition(int patch, bool toPatched, ulong replaced)
    {
        transition = (byte)(patch + 1);
        targetPatched = toPatched;
        replacing = (uint)replaced;
    }

    internal void FlipTarget() => targetPatched = !targetPatched;

    /// <summary>The i-th 64-bit word of the entry buffer: entries 4i to 4i + 3, 16 bits each, the lowest first.</summary>
    internal readonly ulong EntryWord(int i)
    {
        ReadOnlySpan<ushort> e = entries;
        return MemoryMarshal.Cast<ushort, ulong>(e)[i];
    }

    /// <summary>Sets the raw fields, for <see cref="StatePacking"/>: the masks and the transition byte (patch + 1, 0 for none); the count follows from <paramref name="inPatches"/>. The entries are set by <see cref="SetEntryWord"/>.</summary>
    internal void SetRaw(uint inPatches, uint loaded, uint pinned, uint replacing, int transition, bool targetPatched)
    {
        this.inPatches = inPatches;
        this.loaded = loaded;
        this.pinned = pinned;
        this.replacing = replacing;
        count = (byte)System.Numerics.BitOperations.PopCount(inPatches);
        this.transition = (byte)transition;
        this.targetPatched = targetPatched;
    }

    /// <summary>Sets the i-th 64-bit word of the entry buffer (see <see cref="EntryWord"/>).</summary>
    internal void SetEntryWord(int i, ulong word)
    {
        Span<ushort> e = entries;
        MemoryMarshal.Cast<ushort, ulong>(e)[i] = word;
    }

    internal void EndTransition()
    {
        transition = 0;
        targetPatched = false;
        replacing = 0;
    }

    // Entries past Count are always zero, so the first ceil(Count / 4) words hold the list.
    [UnscopedRef]
    private readonly ReadOnlySpan<ulong> Words
    {
        get
        {
            ReadOnlySpan<ushort> e = entries;
            return MemoryMarshal.Cast<ushort, ulong>(e)[..((count + 3) >> 2)];
        }
    }

    private readonly ulong Header => loaded | ((ulong)pinned << 32);

    private readonly ulong Header2 => inPatches | ((ulong)replacing << 32);

    private readonly uint Header3 => count | ((uint)transition << 8) | ((targetPatched ? 1u : 0u) << 16);

    /// <inheritdoc/>
    public readonly bool Equals(KernelState other) => Same(other);

    /// <summary>Value equality without copying the other state.</summary>
    /// <remarks>Entries past <c>Count</c> are zero, so the whole entry buffer is compared at once.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly bool Same(in KernelState other)
    {
        if (Header != other.Header || Header2 != other.Header2 || Header3 != other.Header3) return false;
        ReadOnlySpan<ushort> a = entries, b = other.entries;
        var x = MemoryMarshal.Cast<ushort, System.Runtime.Intrinsics.Vector256<byte>>(a);
        var y = MemoryMarshal.Cast<ushort, System.Runtime.Intrinsics.Vector256<byte>>(b);
        return x[0] == y[0] && x[1] == y[1];
    }

    /// <inheritdoc/>
    public override readonly bool Equals(object? obj) => obj is KernelState s && Equals(s);

    /// <inheritdoc/>
    public override readonly int GetHashCode()
    {
        var f = Fingerprint();
        return (int)f ^ (int)(f >> 32);
    }

    /// <summary>A 64-bit hash of the whole value, for de-duplication by fingerprint.</summary>
    /// <remarks>
    /// Each 64-bit word of the value is mixed on its own with a seed of its own, so the mixes run
    /// side by side rather than one after another, and the sum is mixed once more.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly ulong Fingerprint()
    {
        var h = Mix(Header ^ 0x9E3779B97F4A7C15UL) + Mix(Header2 ^ 0xD1B54A32D192ED03UL) + Mix(Header3 ^ 0x8CB92BA72F3D8DD7UL);
        return MixWords(h, Words);
    }

    // Adds each word, mixed with a seed of its own, to h, and mixes the sum: the fingerprint's
    // words, and a packed state's (StatePacking.Hash).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ulong MixWords(ulong h, ReadOnlySpan<ulong> words)
    {
        var seed = 0xA0761D6478BD642FUL;
        foreach (var w in words)
        {
            h += Mix(w ^ seed);
            seed += 0xE7037ED1A0B428DBUL;
        }
        return Mix(h);
    }

    // The splitmix64 finalizer.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Mix(ulong x)
    {
        x ^= x >> 30;
        x *= 0xBF58476D1CE4E5B9UL;
        x ^= x >> 27;
        x *= 0x94D049BB133111EBUL;
        x ^= x >> 31;
        return x;
    }

    /// <summary>Value equality.</summary>
    public static bool operator ==(KernelState a, KernelState b) => a.Equals(b);

    /// <summary>Value inequality.</summary>
    public static bool operator !=(KernelState a, KernelState b) => !a.Equals(b);
}

/// <summary>A state's masks and transition without its list of entries: what <see cref="StatePacking.UnpackMasks"/> reads of a packed state.</summary>
/// <param name="InPatches">As <see cref="KernelState.InPatches"/>.</param>
/// <param name="Loaded">As <see cref="KernelState.Loaded"/>.</param>
/// <param name="Pinned">As <see cref="KernelState.Pinned"/>.</param>
/// <param name="Replacing">As <see cref="KernelState.Replacing"/>.</param>
/// <param name="TransitionPatch">As <see cref="KernelState.TransitionPatch"/>: -1 when none.</param>
/// <param name="TargetPatched">As <see cref="KernelState.TargetPatched"/>.</param>
public readonly record struct StateMasks(ulong InPatches, ulong Loaded, ulong Pinned, ulong Replacing, int TransitionPatch, bool TargetPatched)
{
    /// <summary>The masks and transition of a state.</summary>
    public static StateMasks Of(in KernelState state) =>
        new(state.InPatches, state.Loaded, state.Pinned, state.Replacing, state.TransitionPatch, state.TargetPatched);

    /// <summary>As <see cref="KernelState.InTransition"/>.</summary>
    public bool InTransition => TransitionPatch >= 0;

    /// <summary>As <see cref="Observables.EnabledMask(in KernelState)"/>.</summary>
    public ulong EnabledMask => Observables.EnabledMask(InPatches, TransitionPatch, TargetPatched);
}
