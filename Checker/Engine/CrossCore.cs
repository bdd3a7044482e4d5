using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Klp.Check.Engine;

/// <summary>How long a cache line written on one core takes to be read on another and answered.</summary>
/// <remarks>
/// The two-thread pipeline hands every batch of successors from one core to the other, so it
/// pays this round trip all the time. On a virtual machine it depends on where the host runs
/// the two vCPUs at the moment: 50-60 ns most of the time on the machine of
/// docs/performance.md, about 330 ns in spells of seconds to minutes, in which two threads
/// checked positional-12 at 0.5-1.0x the speed of one. The search measures it before each level
/// it would expand on two threads, and expands the level on one when the line is slow.
/// </remarks>
public static class CrossCore
{
    [StructLayout(LayoutKind.Explicit, Size = 192)]
    private sealed class Line
    {
        [FieldOffset(64)] public long Ball;
    }

    /// <summary>The round trip in nanoseconds: the fastest of a few batches of exchanges between this thread and one started for the measurement; infinity when that thread did not answer within a few milliseconds.</summary>
    /// <param name="exchanges">Round trips per batch.</param>
    /// <param name="batches">Batches: the fastest counts, so that a batch in which either thread was descheduled does not.</param>
    public static double RoundTripNanoseconds(int exchanges = 64, int batches = 4)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(exchanges, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(batches, 1);
        var line = new Line();
        var total = (long)exchanges * batches;
        var other = new Thread(() =>
        {
            for (var i = 0L; i <= total; i++)
            {
                // -1: the measuring thread gave up.
                long seen;
                while ((seen = Volatile.Read(ref line.Ball)) != 2 * i + 1)
                    if (seen < 0) return;
                Volatile.Write(ref line.Ball, 2 * i + 2);
            }
        }) { IsBackground = true, Name = "klp-check round trip" };
        other.Start();
        try
        {
            // The first exchange waits for the thread to start.
            var clock = Stopwatch.StartNew();
            if (!Exchange(line, 0, clock)) return double.PositiveInfinity;
            var fastest = double.PositiveInfinity;
            var next = 1L;
            for (var b = 0; b < batches; b++)
            {
                var from = Stopwatch.GetTimestamp();
                for (var e = 0; e < exchanges; e++, next++)
                    if (!Exchange(line, next, clock)) return double.PositiveInfinity;
                fastest = Math.Min(fastest, Stopwatch.GetElapsedTime(from).TotalNanoseconds / exchanges);
            }
            return fastest;
        }
        finally
        {
            if (other.IsAlive) Volatile.Write(ref line.Ball, -1);
        }
    }

    // Hands the ball over for the i-th time and waits for it to come back; false when the whole
    // measurement has taken too long. The clock is read only every 1,024 spins, so that reading
    // it does not lengthen the round trips measured.
    private static bool Exchange(Line line, long i, Stopwatch clock)
    {
        Volatile.Write(ref line.Ball, 2 * i + 1);
        for (var spins = 1; Volatile.Read(ref line.Ball) != 2 * i + 2; spins++)
            if ((spins & 1023) == 0 && clock.ElapsedMilliseconds > StartMilliseconds) return false;
        return true;
    }

    // How long the measurement may take before the line is taken as slow: the other thread
    // did not get a core.
    private const int StartMilliseconds = 5;
}
