using System.Runtime.InteropServices;

namespace Klp.Check.Engine;

/// <summary>Large arrays that a search reads at random, backed by 2 MB pages where the kernel allows it.</summary>
/// <remarks>
/// A lookup in a table of millions of states touches a random page: with 4 KB pages nearly every
/// lookup misses the TLB, and in a virtual machine each miss walks two sets of page tables. On
/// Linux with transparent huge pages in <c>madvise</c> mode (the usual default), asking for them
/// on the array's range lets the kernel back it with 2 MB pages as it is first touched. Elsewhere,
/// or when refused, the array is an ordinary one.
/// </remarks>
public static partial class LargePages
{
    private const int Threshold = 4 << 20;
    private const nuint Huge = 2 << 20;
    private const int MadvHugepage = 14;

    /// <summary>A zeroed array; pinned and advised for huge pages when it is large.</summary>
    public static T[] Allocate<T>(int length)
    {
        var bytes = (long)length * System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
        if (bytes < Threshold || !OperatingSystem.IsLinux() || System.Runtime.CompilerServices.RuntimeHelpers.IsReferenceOrContainsReferences<T>()) return new T[length];
        var array = GC.AllocateArray<T>(length, pinned: true);
        unsafe
        {
            var start = (nuint)System.Runtime.CompilerServices.Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(array));
            var end = start + (nuint)bytes;
            var from = (start + Huge - 1) & ~(Huge - 1);
            var to = end & ~(Huge - 1);
            if (to > from) Advise(from, to);
        }
        return array;
    }

    /// <summary>An array for <paramref name="length"/> elements that start at element <paramref name="start"/> of it, all of them on memory advised for huge pages when the elements span more than a huge page; not zeroed.</summary>
    /// <remarks>
    /// <see cref="Allocate{T}"/> leaves the part of an array before its first 2 MB boundary and
    /// after its last one on 4 KB pages: up to 4 MB of a chunk of a few MB, each page a fault of its
    /// own, and a page fault in a virtual machine costs microseconds. Here the array has two huge
    /// pages' worth of slack, so the elements can start just past a 2 MB boundary and end a whole
    /// huge page before the array does: every element is on a huge page, and the slack is never
    /// touched. For element types without references only; others get an ordinary array.
    /// </remarks>
    public static T[] AllocateAligned<T>(int length, out int start)
    {
        var size = System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
        var bytes = (long)length * size;
        start = 0;
        if (System.Runtime.CompilerServices.RuntimeHelpers.IsReferenceOrContainsReferences<T>()) return new T[length];
        if (bytes < (long)Huge || !OperatingSystem.IsLinux()) return GC.AllocateUninitializedArray<T>(length);
        var slack = (int)(2 * Huge / (nuint)size) + 2;
        var array = GC.AllocateUninitializedArray<T>(length + slack, pinned: true);
        unsafe
        {
            var first = (nuint)System.Runtime.CompilerServices.Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(array));
            var from = (first + Huge - 1) & ~(Huge - 1);
            start = (int)((from - first + (nuint)size - 1) / (nuint)size);
            Advise(from, (first + (nuint)array.Length * (nuint)size) & ~(Huge - 1));
        }
        return array;
    }

    // Asks for huge pages on [from, to), both on 2 MB boundaries; without a libc, nothing.
    private static void Advise(nuint from, nuint to)
    {
        try { _ = Madvise(from, to - from, MadvHugepage); }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { }
    }

    [LibraryImport("libc", EntryPoint = "madvise")]
    private static partial int Madvise(nuint address, nuint length, int advice);
}
