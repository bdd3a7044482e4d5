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

    /// <summary>The cost of first touches, in milliseconds per MB of 4 KB pages, from which the lists written in order go on huge pages too (<see cref="ListsInOrder"/>).</summary>
    /// <remarks>
    /// A huge page touched for the first time cost 1.8-2.1 ms per MB on both machines of
    /// docs/performance.md that measured it (<c>Benchmarks/fresh-pages.c</c>), and 4 KB pages
    /// 0.41-0.72 ms per MB on the first and 2.5-4.3 on the third. The limit lies between the two,
    /// a little under what huge pages cost, since they also spare the TLB.
    /// </remarks>
    public const double DearSmallPages = 1.5;

    private static int listsInOrder;

    /// <summary>Where the lists a search writes and reads in order get their full chunks (<see cref="ChunkedList{T}"/>): on 4 KB pages, unless this host makes those dear to touch for the first time.</summary>
    /// <remarks>
    /// Those lists (the transitions, where each state's begin, the search tree) are read in order,
    /// so 4 KB pages cost them one TLB miss per page, little; what decides is what a fresh page
    /// costs. Where 4 KB pages cost little to touch first and huge pages more (the first machine of
    /// docs/performance.md), they stay on 4 KB pages; where each 4 KB page is a slow fault (the
    /// third machine: about 10 µs each, and 8% of a one-thread check of positional-12), on huge
    /// pages. Measured once per process, as a list written in order first needs a full chunk, by
    /// the lower of two <see cref="SmallPagesCost"/> probes against <see cref="DearSmallPages"/>;
    /// so a search that never grows such a list past its first chunk never measures. A kernel that
    /// gives no huge pages (<see cref="HugePagesOffered"/>) keeps them on 4 KB pages without
    /// measuring. Tests and benchmarks set it.
    /// </remarks>
    public static PageChoice ListsInOrder
    {
        get => (PageChoice)Volatile.Read(ref listsInOrder);
        set => Volatile.Write(ref listsInOrder, (int)value);
    }

    /// <summary><see cref="ListsInOrder"/> once decided: measured the first time it is asked.</summary>
    public static bool ListsInOrderOnHugePages
    {
        get
        {
            var choice = ListsInOrder;
            if (choice == PageChoice.Measure)
            {
                // The lower of two probes: a probe the host interrupted reads high. Where the kernel
                // gives no huge pages, asking for them would only cost the chunks' slack.
                choice = HugePagesOffered(TransparentHugePages()) ? ChooseFor(Math.Min(SmallPagesCost(), SmallPagesCost())) : PageChoice.Small;
                Interlocked.CompareExchange(ref listsInOrder, (int)choice, (int)PageChoice.Measure);
                choice = ListsInOrder;
            }
            return choice == PageChoice.Huge;
        }
    }

    /// <summary>Whether the kernel gives huge pages to memory advised for them, by the setting it shows in <c>/sys/kernel/mm/transparent_hugepage/enabled</c> (the choice in brackets: <c>always</c> or <c>madvise</c>, not <c>never</c>); false for no setting.</summary>
    public static bool HugePagesOffered(string? setting) =>
        setting is not null && (setting.Contains("[always]", StringComparison.Ordinal) || setting.Contains("[madvise]", StringComparison.Ordinal));

    // The kernel's transparent huge page setting, or null where it shows none.
    private static string? TransparentHugePages()
    {
        try
        {
            return OperatingSystem.IsLinux() ? File.ReadAllText("/sys/kernel/mm/transparent_hugepage/enabled") : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The pages for the lists written in order, given what 4 KB pages cost to touch first (<see cref="SmallPagesCost"/>).</summary>
    public static PageChoice ChooseFor(double smallPagesCost) => smallPagesCost >= DearSmallPages ? PageChoice.Huge : PageChoice.Small;

    /// <summary>What 4 KB pages cost to touch for the first time here, in milliseconds per MB: 1 MB mapped afresh, asked not to be on huge pages, written a byte a page and unmapped; 0 where that cannot be measured (not Linux, no libc).</summary>
    public static double SmallPagesCost()
    {
        if (!OperatingSystem.IsLinux()) return 0;
        const nuint bytes = 1 << 20;
        try
        {
            var memory = Mmap(0, bytes, ProtRead | ProtWrite, MapPrivate | MapAnonymous, -1, 0);
            if (memory == MapFailed) return 0;
            try
            {
                _ = Madvise(memory, bytes, MadvNoHugepage);
                var start = System.Diagnostics.Stopwatch.GetTimestamp();
                unsafe
                {
                    for (nuint at = 0; at < bytes; at += 4096) Volatile.Write(ref *(byte*)(memory + at), 1);
                }
                return System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            }
            finally
            {
                _ = Munmap(memory, bytes);
            }
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return 0;
        }
    }

    /// <summary>Has the kernel back the memory of [<paramref name="from"/>, <paramref name="from"/> + <paramref name="bytes"/>) with writable pages now, as a write to each of them would, without changing what they hold (<c>MADV_POPULATE_WRITE</c>, Linux 5.14 on).</summary>
    /// <remarks>
    /// For memory that another thread is about to write for the first time: the page faults, and
    /// the kernel's clearing of the fresh pages, fall on the caller instead of on that thread. Safe
    /// while the other thread writes the same pages, since nothing is written. The range is widened
    /// to whole 4 KB pages; on memory advised for huge pages the kernel backs whole 2 MB pages. The
    /// memory must be mapped (a pinned array's). False where the kernel does not do it (not Linux,
    /// no libc, a kernel before 5.14), and from then on without asking again.
    /// </remarks>
    public static bool Populate(nuint from, nuint bytes)
    {
        if (bytes == 0 || Volatile.Read(ref populateRefused) != 0 || !OperatingSystem.IsLinux()) return false;
        var start = from & ~(nuint)4095;
        var end = (from + bytes + 4095) & ~(nuint)4095;
        try
        {
            if (Madvise(start, end - start, MadvPopulateWrite) == 0) return true;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
        }
        Volatile.Write(ref populateRefused, 1);
        return false;
    }

    private static int populateRefused;

    private const int MadvPopulateWrite = 23;
    private const int MadvNoHugepage = 15;
    private const int ProtRead = 1, ProtWrite = 2, MapPrivate = 2, MapAnonymous = 0x20;
    private static readonly nuint MapFailed = nuint.MaxValue;

    [LibraryImport("libc", EntryPoint = "madvise")]
    private static partial int Madvise(nuint address, nuint length, int advice);

    [LibraryImport("libc", EntryPoint = "mmap")]
    private static partial nuint Mmap(nuint address, nuint length, int protection, int flags, int fd, nint offset);

    [LibraryImport("libc", EntryPoint = "munmap")]
    private static partial int Munmap(nuint address, nuint length);
}

/// <summary>What pages the lists a search writes in order are put on (<see cref="LargePages.ListsInOrder"/>).</summary>
public enum PageChoice
{
    /// <summary>Decided by measuring, the first time it is needed.</summary>
    Measure,

    /// <summary>4 KB pages.</summary>
    Small,

    /// <summary>Huge pages, where the kernel allows them.</summary>
    Huge,
}
