using System.Runtime.InteropServices;

namespace Klp.Check.Exploration;

/// <summary>Large arrays that a search reads at random, backed by 2 MB pages where the kernel allows it.</summary>
/// <remarks>
/// A lookup in a table of millions of states touches a random page: with 4 KB pages nearly every
/// lookup misses the TLB, and in a virtual machine each miss walks two sets of page tables. On
/// Linux with transparent huge pages in <c>madvise</c> mode (the usual default), asking for them
/// on the array's range lets the kernel back it with 2 MB pages as it is first touched. Elsewhere,
/// or when refused, the array is an ordinary one.
/// </remarks>
internal static partial class LargePages
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
            if (to > from)
            {
                try { _ = Madvise(from, to - from, MadvHugepage); }
                catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { }
            }
        }
        return array;
    }

    [LibraryImport("libc", EntryPoint = "madvise")]
    private static partial int Madvise(nuint address, nuint length, int advice);
}
