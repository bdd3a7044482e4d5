namespace Klp.Check.Engine;

// The waits of a split level (Explorer.Split.cs): the search's thread waiting for a part the
// producer has not made yet, the share moving toward whichever thread waits, the search's thread
// running out of patience and going on alone for a stretch of parts, and one turn of either
// side's wait, a spin and then a sleep.
public sealed partial class Explorer
{
    // Waits for the producer to have made a part; moves the share toward whichever thread waits.
    // A wait past the search's thread's patience (SplitPatience) ends the producing instead: the
    // parts the producer has not made are then the search's thread's own for a stretch, this one
    // perhaps too.
    private void WaitMade(int part, SplitLevel level, Tally tally)
    {
        var waited = false;
        var since = 0L;
        var began = 0L;
        while (Volatile.Read(ref cursors.Produced) <= part)
        {
            if (!waited) began = System.Diagnostics.Stopwatch.GetTimestamp();
            waited = true;
            // A producer that stopped early threw: ExpandSplit's wait for it says why.
            if (Volatile.Read(ref cursors.Finished) && Volatile.Read(ref cursors.Produced) <= part)
                throw new InvalidOperationException($"the producing thread ended before part {part}");
            if (OutOfPatience(began, part))
            {
                GoAlone(part, level);
                if (Volatile.Read(ref cursors.Produced) <= part) return;
                break;
            }
            SplitWaitTurn(ref since, ref cursors.SearchAsleep, searchWake, static (e, at) => e.SplitSearchMayGo(at), part);
        }
        if (waited && part > splitFirstPart) splitWaited += System.Diagnostics.Stopwatch.GetTimestamp() - began;
        var made = splitBuffers[part % SplitLead]!;
        tally.Add(made.Tally);
        AddProducerTimes(made);
        if (!SplitAdapts || splitAlone) return;
        if (waited) splitShare = Math.Min(240, splitShare + 2);
        else if (Interlocked.Exchange(ref cursors.ProducerWaited, 0) != 0) splitShare = Math.Max(16, splitShare - 2);
    }

    // Whether the search's thread, waiting for a part since began, gives up (SplitPatienceRule).
    private bool OutOfPatience(long began, int part)
    {
        var now = System.Diagnostics.Stopwatch.GetTimestamp();
        return SplitPatienceRule.OutOfPatience(SplitPatience, part - splitFirstPart, now - began, now - splitBegan, splitWaited, SplitSpin, splitFirstPart == 0 ? PatienceAfter : 0);
    }

    // How far into a level the search's thread first judges its waits: 64 ms. After a start of the
    // producer within the level, from the first wait on.
    private static readonly long PatienceAfter = System.Diagnostics.Stopwatch.Frequency * 64 / 1000;

    // Ends the producing for a stretch of parts from the one waited for: the producer finishes the
    // part in hand and stops, and every part it has not made is the search's thread's own until
    // the producer starts again (Record), at the first part it has not made after the stretch.
    private void GoAlone(int part, SplitLevel level)
    {
        var (parts, begins, mids) = (level.Parts, level.Begins, level.Mids);
        Volatile.Write(ref cursors.Stop, true);
        Wake(ref cursors.ProducerAsleep, producerWake);
        var since = 0L;
        while (!Volatile.Read(ref cursors.Finished))
            SplitWaitTurn(ref since, ref cursors.SearchAsleep, searchWake, static (e, _) => Volatile.Read(ref e.cursors.Finished), 0);
        var made = Volatile.Read(ref cursors.Produced);
        for (var p = made; p < parts; p++) mids[p] = begins[p + 1];
        splitAlone = true;
        splitResumeAt = (int)Math.Min(parts, Math.Max(made, (long)part + splitStretch));
        splitStretch = (int)Math.Min(int.MaxValue, 2L * splitStretch);
        SplitGiveUps++;
    }

    // One turn of a split level's wait: a spin for the first SplitSpin of the wait (since, 0 before
    // the first turn), then, with the flag set and the condition read again after it, a sleep
    // until the other side moves on. A wait comes once a part at most and is most often short:
    // sleeping after ten spins, as the pipeline's waits do once a state, the two-thread check of
    // positional-12 took 4.23-4.81 s against 3.58-3.76 s spinning, three alternated rounds
    // (docs/performance.md, "The waits"); never sleeping, a waiting side could take the core the
    // other needs on a machine busy with other work.
    private void SplitWaitTurn(ref long since, ref int asleep, SemaphoreSlim wake, Func<Explorer, int, bool> over, int at)
    {
        var now = System.Diagnostics.Stopwatch.GetTimestamp();
        if (since == 0) since = now;
        if (now - since < SplitSpin)
        {
            Thread.SpinWait(20);
            return;
        }
        Sleep(ref asleep, wake, over, at);
        since = 0;
    }

    // How long a side of a split level spins before it sleeps: a millisecond.
    private static readonly long SplitSpin = System.Diagnostics.Stopwatch.Frequency / 1000;

    // True when the search's thread, waiting for the part at, may go on: it is made, or the producer has ended.
    private bool SplitSearchMayGo(int at) => Volatile.Read(ref cursors.Finished) || Volatile.Read(ref cursors.Produced) > at;

    // True when the producer, waiting to make the part at, may go on: its buffer is free, or the level is over.
    private bool SplitProducerMayGo(int at) => Volatile.Read(ref cursors.Stop) || at - Volatile.Read(ref cursors.Released) < SplitLead;
}
