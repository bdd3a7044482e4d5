namespace Klp.Check.Engine;

// What SplitTimes reports, kept on the search's thread of a split level (Explorer.Split.cs) at the
// parts' boundaries: the stretch of time it is in (its own share of a part, the wait for the
// producer's share, or the recording of it) ends and the next begins with a clock reading. The
// producer's times come with its buffers, added as the search's thread takes each (WaitMade).
public sealed partial class Explorer
{
    /// <summary>Where the two threads' time went in the levels of the last exploration expanded as split parts, and the states each expanded (<see cref="Engine.SplitTimes"/>); all zero when none was.</summary>
    public SplitTimes SplitTimes => new(Span(splitOwn), Span(splitWait), Span(splitRecord), Span(splitProduce), Span(splitProducerWait), splitOwnStates, splitProducedStates, splitLevels);

    private static TimeSpan Span(long ticks) => System.Diagnostics.Stopwatch.GetElapsedTime(0, ticks);

    // What SplitTimes reports, in timestamp ticks. Where the search's thread's current stretch of
    // time began (splitMark), and whether it is recording the producer's share.
    private long splitOwn, splitWait, splitRecord, splitProduce, splitProducerWait, splitOwnStates, splitProducedStates, splitMark;
    private int splitLevels;
    private bool splitRecording;

    private void ResetSplitTimes() =>
        (splitOwn, splitWait, splitRecord, splitProduce, splitProducerWait, splitOwnStates, splitProducedStates, splitLevels) = (0, 0, 0, 0, 0, 0, 0, 0);

    // A split level begins with the search's thread's own share of its first part.
    private void BeginSplitTimes() => (splitMark, splitRecording) = (System.Diagnostics.Stopwatch.GetTimestamp(), false);

    // Adds the time since the mark to a stretch, and marks now.
    private void SplitLap(ref long into)
    {
        var now = System.Diagnostics.Stopwatch.GetTimestamp();
        into += now - splitMark;
        splitMark = now;
    }

    // Ends the stretch the search's thread is in, its own share or the producer's.
    private void EndStretch() => SplitLap(ref splitRecording ? ref splitRecord : ref splitOwn);

    // A part after the level's first begins: the stretch before it ends, and its own share begins.
    private void BeginOwnShare()
    {
        EndStretch();
        splitRecording = false;
    }

    // The producer's times over a part's share, which the search's thread has taken.
    private void AddProducerTimes(SplitBuffer made)
    {
        splitProduce += made.ProduceTicks;
        splitProducerWait += made.WaitTicks;
    }

    // A split level ends: its last stretch, and the states of each thread's share of each part as
    // the parts were expanded (mids moved to a part's end where the search's thread went alone).
    private void EndSplitTimes(int[] begins, int[] mids)
    {
        EndStretch();
        splitLevels++;
        for (var k = 0; k < mids.Length; k++)
        {
            splitOwnStates += mids[k] - begins[k];
            splitProducedStates += begins[k + 1] - mids[k];
        }
    }
}
