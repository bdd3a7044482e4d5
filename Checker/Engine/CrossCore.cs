using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Klp.Check.Engine;

/// <summary>How long a cache line written on one core takes to be read on another and answered.</summary>
/// <remarks>
/// The two-thread pipeline hands every batch of successors from one core to the other, so it
/// pays this round trip all the time. On a virtual machine it depends on where the host runs
/// the two vCPUs at the moment: on the first machine of docs/performance.md, 50-60 ns most of
/// the time and about 330 ns in spells of seconds to minutes, in which two threads checked
/// positional-12 at 0.5-1.0x the speed of one; on the second, 150-250 ns nearly all the time,
/// at which two threads checked it at 0.85-1.3x. The pipeline measures it with its two
/// threads before each part of a level, and expands the part on one when the line is slow.
/// </remarks>
public static class CrossCore
{
    /// <summary>The cache line two threads hand a counter back and forth on, alone on its line.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 192)]
    public sealed class Line
    {
        // 2i + 1: the measuring thread's i-th throw; 2i + 2: the answer; -1: given up.
        [FieldOffset(64)] internal long Ball;
    }

    /// <summary>The exchanges of a batch, and the batches, of a measurement.</summary>
    public const int Exchanges = 64, Batches = 4;

    /// <summary>On the measuring thread: throws the ball to the thread answering on <paramref name="line"/> (<see cref="Answer"/>, with the same counts) and times the returns; the fastest batch's round trip in nanoseconds. NaN when the other thread did not answer the first throw within a few milliseconds (it got no core: nothing is known of the line); infinity when it answered that one but not the others in that time (the two threads do not both have a core). Either way the other thread is told to stop.</summary>
    /// <param name="line">The line the two threads share.</param>
    /// <param name="exchanges">Round trips per batch.</param>
    /// <param name="batches">Batches: the fastest counts, so that a batch in which either thread was descheduled does not.</param>
    public static double Measure(Line line, int exchanges = Exchanges, int batches = Batches)
    {
        CheckCounts(exchanges, batches);
        var clock = Stopwatch.StartNew();
        // The first exchange waits for the other thread to be running, yielding this thread's
        // core now and then: a new thread may be waiting for it.
        Volatile.Write(ref line.Ball, 1);
        var spin = new SpinWait();
        while (Volatile.Read(ref line.Ball) != 2)
        {
            if (clock.ElapsedMilliseconds > GiveUpMilliseconds) return GiveUp(line, double.NaN);
            spin.SpinOnce(sleep1Threshold: -1);
        }
        // The exchanges timed have their own time, whatever the start took.
        clock.Restart();
        var fastest = double.PositiveInfinity;
        var next = 1L;
        for (var b = 0; b < batches; b++)
        {
            var from = Stopwatch.GetTimestamp();
            for (var e = 0; e < exchanges; e++, next++)
                if (!Exchange(line, next, clock)) return GiveUp(line, double.PositiveInfinity);
            fastest = Math.Min(fastest, Stopwatch.GetElapsedTime(from).TotalNanoseconds / exchanges);
        }
        return fastest;
    }

    /// <summary>On the answering thread: returns every throw of a measurement of <paramref name="exchanges"/> by <paramref name="batches"/>; false when the measuring thread gave up.</summary>
    public static bool Answer(Line line, int exchanges = Exchanges, int batches = Batches)
    {
        CheckCounts(exchanges, batches);
        var total = (long)exchanges * batches;
        for (var i = 0L; i <= total; i++)
        {
            long seen;
            while ((seen = Volatile.Read(ref line.Ball)) != 2 * i + 1)
                if (seen < 0) return false;
            // Only if the measuring thread has not given up meanwhile: an answer written over
            // its -1 would leave this thread waiting for a throw that never comes.
            if (Interlocked.CompareExchange(ref line.Ball, 2 * i + 2, 2 * i + 1) != 2 * i + 1) return false;
        }
        return true;
    }

    private static void CheckCounts(int exchanges, int batches)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(exchanges, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(batches, 1);
    }

    // Tells the other thread the measurement is over, and gives what it came to.
    private static double GiveUp(Line line, double result)
    {
        Interlocked.Exchange(ref line.Ball, -1);
        return result;
    }

    // Throws the ball for the i-th time and waits for it to come back; false when the whole
    // measurement has taken too long. The clock is read only every 1,024 spins, so that reading
    // it does not lengthen the round trips measured.
    private static bool Exchange(Line line, long i, Stopwatch clock)
    {
        Volatile.Write(ref line.Ball, 2 * i + 1);
        for (var spins = 1; Volatile.Read(ref line.Ball) != 2 * i + 2; spins++)
            if ((spins & 1023) == 0 && clock.ElapsedMilliseconds > GiveUpMilliseconds) return false;
        return true;
    }

    // How long the other thread may take to answer the first throw, and then all the others: a
    // thread that has not answered by then did not get a core (a new thread waited 10-20 ms for
    // one now and then on the machine of docs/performance.md).
    private const int GiveUpMilliseconds = 20;
}
