using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Klp.Check.Model;

[InlineArray(Catalog.MaxPatches)]
internal struct EntryBuffer
{
    private uint element;
}

/// <summary>The kernel's livepatch state: <c>Patches</c> in list order, the transition, loaded and pinned modules.</summary>
/// <remarks>
/// A fixed-size value with equality and hashing by value. Each entry of <c>Patches</c> packs the
/// patch index, the <c>add_sets</c> variant it was loaded with and the set the user-space
/// allocator gave it; its occupied sets follow from those and the reading. A patch appears at
/// most once, since its module can be loaded only once. <c>default</c> is the empty kernel.
/// </remarks>
public struct KernelState : IEquatable<KernelState>
{
    private EntryBuffer entries;
    private ulong inPatches;
    private ulong loaded;
    private ulong pinned;
    private ulong replacing;
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
    public readonly int PatchAt(int position) => (int)(entries[position] & 0xFF);

    /// <summary>The <c>add_sets</c> variant the entry at a list position was loaded with.</summary>
    public readonly int ParamsAt(int position) => (int)((entries[position] >> 8) & 0xFF);

    /// <summary>The set bit the allocator gave the entry at a list position, or -1.</summary>
    public readonly int AutoSetAt(int position) => (int)(entries[position] >> 16) - 1;

    internal readonly uint EntryAt(int position) => entries[position];

    /// <summary>The 1-based position of a patch in <c>Patches</c> (its <c>stack_order</c>), or 0.</summary>
    public readonly int StackOrder(int patch)
    {
        for (var i = 0; i < count; i++)
            if (PatchAt(i) == patch) return i + 1;
        return 0;
    }

    internal static uint Pack(int patch, int @params, int autoSet) => (uint)patch | ((uint)@params << 8) | ((uint)(autoSet + 1) << 16);

    internal void Append(uint entry)
    {
        entries[count++] = entry;
        inPatches |= 1UL << (int)(entry & 0xFF);
    }

    internal void RemoveMask(ulong mask)
    {
        if ((inPatches & mask) == 0) return;
        var w = 0;
        for (var r = 0; r < count; r++)
        {
            var e = entries[r];
            if ((mask & (1UL << (int)(e & 0xFF))) == 0) entries[w++] = e;
        }
        for (var r = w; r < count; r++) entries[r] = 0;
        count = (byte)w;
        inPatches &= ~mask;
    }

    internal void SetLoaded(ulong mask) => loaded = mask;
    internal void SetPinned(ulong mask) => pinned = mask;

    internal void StartTransition(int patch, bool toPatched, ulong replaced)
    {
        transition = (byte)(patch + 1);
        targetPatched = toPatched;
        replacing = replaced;
    }

    internal void FlipTarget() => targetPatched = !targetPatched;

    internal void EndTransition()
    {
        transition = 0;
        targetPatched = false;
        replacing = 0;
    }

    /// <inheritdoc/>
    public readonly bool Equals(KernelState other)
    {
        if (count != other.count || loaded != other.loaded || pinned != other.pinned || inPatches != other.inPatches
            || transition != other.transition || targetPatched != other.targetPatched || replacing != other.replacing)
            return false;
        ReadOnlySpan<uint> a = entries;
        ReadOnlySpan<uint> b = other.entries;
        return a[..count].SequenceEqual(b[..count]);
    }

    /// <inheritdoc/>
    public override readonly bool Equals(object? obj) => obj is KernelState s && Equals(s);

    /// <inheritdoc/>
    public override readonly int GetHashCode() => (int)Fingerprint() ^ (int)(Fingerprint() >> 32);

    /// <summary>A 64-bit hash of the whole value, for de-duplication by fingerprint.</summary>
    public readonly ulong Fingerprint()
    {
        var h = Mix(loaded ^ 0x9E3779B97F4A7C15UL);
        h = Mix(h ^ pinned);
        h = Mix(h ^ replacing);
        h = Mix(h ^ ((ulong)count | ((ulong)transition << 8) | ((targetPatched ? 1UL : 0) << 16)));
        ReadOnlySpan<uint> e = entries;
        var words = MemoryMarshal.Cast<uint, ulong>(e);
        var n = (count + 1) / 2;
        for (var i = 0; i < n; i++) h = Mix(h ^ words[i]);
        return h;
    }

    private static ulong Mix(ulong x)
    {
        // splitmix64 finalizer
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
