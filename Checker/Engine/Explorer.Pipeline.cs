using System.Runtime.CompilerServices;
using Klp.Check.Model;

namespace Klp.Check.Engine;

// The expansion of a large level on two threads as a pipeline (Explore with threads > 1 and
// LevelExpansion.Pipeline), part by part: a producing thread applies the operations and
// resolves the successors it can among the earlier states, the search's thread records
// everything in the sequential order.
public sealed partial class Explorer
{
    // A part of a large level (ExpandParts) on two threads, as a pipeline: a producing thread
    // applies the operations to the states of the part in order (Generate: the transition
    // function and the fingerprints), all but one in SearchExpandsEvery, which this thread
    // expands itself in its place, and looks each successor up among the states of its last
    // view of the graph (most successors are states of earlier levels, or, packed, a few states
    // back in this one); this thread, the search's, takes the batches in the same order through
    // the stages of ExpandLevel for the successors still unknown (their table slots and
    // candidates prefetched, then the lookups and the new states) and records every edge and
    // tells the visitor. Everything the search records is thus recorded on one
    // thread in exactly the sequential order, so ids, parents, edges and what the visitor is told
    // are those of ExpandLevel: a state the producer found has that id in any search, and the
    // others are looked up here as ExpandLevel looks them up. The producer only reads: the
    // level's states through a view that stays valid while this thread appends, the table
    // through StateTable.Shared; it keeps the refusals the visitor is to be told of in its
    // batches. The threads hand batches over through a ring, each side waiting only when it is a
    // ring ahead of or behind the other. A batch's lines are written on one core and read on the
    // other: a ring of 32 batches kept the two threads' work at 1.12-1.17x one thread's by perf
    // on positional-12, against 1.24-1.28x with 64 (docs/performance.md).
    private const int PipeDepth = 32;
    private readonly Batch[] pipe = new Batch[PipeDepth];
    private bool producing;
    private Cursors cursors;

    // How far each side of a pipelined level has got: the batches before Produced are ready, those
    // before Released are free again. Each on a cache line of its own, away from the fields both
    // threads read: written once a state, they would otherwise take those fields' line from the
    // other core every time. Each side reads the other's only when the copy it keeps says it
    // must wait. A side that must wait spins for a few microseconds, then sleeps with its Asleep
    // flag set, and the other wakes it when it moves on: on a machine whose cores are busy with
    // other work, a thread spinning and yielding for the other took the time the other needed
    // (the two-thread check's CPU time was twice one thread's).
    // Stop (the search's thread is done with the part) and Finished (the producer has ended) are
    // written once a part and read only by a side that waits. A split level (Explorer.Split.cs)
    // counts parts made and released in the same cursors, and notes in ProducerWaited that the
    // producer waited for a buffer.
    [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Explicit, Size = 384)]
    private struct Cursors
    {
        [System.Runtime.InteropServices.FieldOffset(64)] public int Produced;
        [System.Runtime.InteropServices.FieldOffset(128)] public int Released;
        [System.Runtime.InteropServices.FieldOffset(192)] public int SearchAsleep;
        [System.Runtime.InteropServices.FieldOffset(256)] public int ProducerAsleep;
        [System.Runtime.InteropServices.FieldOffset(320)] public bool Stop;
        [System.Runtime.InteropServices.FieldOffset(324)] public bool Finished;
        [System.Runtime.InteropServices.FieldOffset(328)] public int ProducerWaited;
    }

    private readonly SemaphoreSlim searchWake = new(0), producerWake = new(0);

    // Publishes how far one side has got (a full fence, so that the flag read after it and the
    // other side's own flag-then-cursor reads cannot both miss), and wakes the other if it sleeps.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void MoveOn(ref int cursor, int to, ref int otherAsleep, SemaphoreSlim wakeOther)
    {
        Interlocked.Exchange(ref cursor, to);
        Wake(ref otherAsleep, wakeOther);
    }

    // Wakes a side that sleeps with its Asleep flag set, once, whoever else tries to.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Wake(ref int asleep, SemaphoreSlim wake)
    {
        if (Volatile.Read(ref asleep) != 0 && Interlocked.Exchange(ref asleep, 0) != 0) wake.Release();
    }

    // One turn of a wait for the state at index at: a spin while the spinning is short, then, with
    // the flag set and the condition read again after it, a sleep until the other side moves on.
    // The condition is a method of this explorer, not a closure: a wait made a closure at every
    // turn, and on positional-12 those turns allocated about 200 MB, which a machine with a large
    // last-level cache lets pile up in a large first generation before collecting (72 MB more
    // resident at the peak; docs/performance.md).
    private void WaitTurn(ref SpinWait spin, ref int asleep, SemaphoreSlim wake, Func<Explorer, int, bool> over, int at)
    {
        if (!spin.NextSpinWillYield)
        {
            spin.SpinOnce(sleep1Threshold: -1);
            return;
        }
        Sleep(ref asleep, wake, over, at);
        spin = default;
    }

    // A side's sleep: with its flag set and the condition read again after it (the other side
    // moves on, then reads the flag), until the other side wakes it.
    private void Sleep(ref int asleep, SemaphoreSlim wake, Func<Explorer, int, bool> over, int at)
    {
        Interlocked.Exchange(ref asleep, 1);
        if (!over(this, at)) wake.Wait();
        Volatile.Write(ref asleep, 0);
    }

    /// <summary>Of every this many states of a pipelined level, the search's thread expands the last itself (0: the producing thread expands them all).</summary>
    /// <remarks>
    /// With the producing thread expanding every state it is the slower side: the search's
    /// thread waited for it at nearly every batch. One state in three expanded on the search's
    /// thread, in its place in the order, brings the two close to balance on positional-12 and
    /// positional-13 now that the producer finds the states added earlier in the level too (one
    /// in four did before; docs/performance.md). Which thread expands a state changes no id,
    /// edge or event: the search's thread records every batch in order either way. Tests vary it.
    /// </remarks>
    public int SearchExpandsEvery { get; init; } = 3;

    // True when the search's thread expands the state at this index of a level starting at start.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool Own(int index, int start) => SearchExpandsEvery > 0 && (index - start) % SearchExpandsEvery == SearchExpandsEvery - 1;

    // The work is shared out whichever side is the slower: the producer leaves the lookups of a
    // batch to the search's thread when fewer than this many batches wait for that thread, which
    // is then about to wait for the producer. It reads how far that thread has got every Polled
    // states.
    private const int Starving = 8, Polled = 8;

    /// <summary>Whether the producing thread of a pipelined level leaves its lookups to the search's thread when that thread is about to wait for batches.</summary>
    /// <remarks>Tests turn it on and off; either way the graph and the visitor's events are the same.</remarks>
    public bool Balance { get; init; } = true;
    // The graph's states and its table as the producing thread last took them: both when the
    // pipelined level begins, then the table every PipeDepth states, and, when the states are
    // stored packed, the states too; it then also finds the successors that are states the
    // search's thread has added since the level began (most of them a few states earlier in this
    // level): on positional-12, 35% of the successors were left unknown to it instead of 60%.
    private StatesSeen seen;
    private StateTable<StateKey, GraphStates>.Shared? published;

    // The thread the producers of this exploration's parts run on, started with the first.
    private ProducerThread? producerThread;

    // WakeProducer as a delegate, made once.
    private Action? wakeProducer;

    /// <summary>With <see cref="LevelExpansion.Pipeline"/>, the fewest slots of the search's table whose growth, during a part expanded on two threads, the producing thread helps with while it waits for the search's thread.</summary>
    /// <remarks>Where an entry lies in a run of slots then depends on the two threads' timing; which id a lookup finds does not. Tests lower it to send small tables through the shared growth.</remarks>
    public int GrowHelpedFrom { get; init; } = StateTable<StateKey, GraphStates>.DefaultHelpedFrom;

    // A large level as parts of at most PartLength states and about equal length, each
    // pipelined (or kept on one thread) on its own, in order.
    private void ExpandParts(StateGraph g, int start, int end, Tally tally)
    {
        if (Expansion == LevelExpansion.Split)
        {
            ExpandSplit(g, start, end, tally);
            return;
        }
        var (length, most) = ((long)end - start, Math.Max(1, PartLength));
        var parts = (int)((length + most - 1) / most);
        for (var k = 0; k < parts; k++)
            ExpandPipelined(g, start + (int)(length * k / parts), start + (int)(length * (k + 1) / parts), tally);
    }

    private void ExpandPipelined(StateGraph g, int start, int end, Tally tally)
    {
        if (SlowRoundTrip <= 0)
        {
            // No round trip is that fast: the part is not worth measuring.
            PartsKeptOnOneThread++;
            ExpandLevel(g, start, end, tally);
            return;
        }
        var width = g.Alphabet.Length + 1;
        for (var b = 0; b < pipe.Length; b++)
            if (pipe[b] is null || pipe[b].Successors.Length < width) pipe[b] = new Batch(width);
        seen = new StatesSeen(g.States.Snapshot());
        // Packed, the list no longer changes how it stores the states, so the producer may take a
        // view of it again while the search's thread appends (StateList.Snapshot).
        var viewsAgain = g.States.Packing is not null;
        search.Table.Share();
        published = search.Table.Published;
        // The producer, waiting for the ring while the search's thread grows the table, helps.
        search.Table.HelpedFrom = GrowHelpedFrom;
        search.Table.GrowthBegins = wakeProducer ??= WakeProducer;
        cursors.Produced = cursors.Released = start;
        cursors.Stop = cursors.Finished = false;
        var ownTally = new Tally(tally.Refused.Length, tally.Accepted.Length);
        // First the two threads time a cache line's round trip between them; the search's thread
        // decides (1: on two threads, 2: on one) and the producer waits to hear it.
        var measure = !double.IsPositiveInfinity(SlowRoundTrip);
        var line = new CrossCore.Line();
        var decision = measure ? 0 : 1;
        producing = true;
        producerThread ??= new ProducerThread();
        var producer = producerThread.Run(() =>
        {
            try
            {
                if (measure)
                {
                    CrossCore.Answer(line);
                    var spin = new SpinWait();
                    while (Volatile.Read(ref decision) == 0) spin.SpinOnce(sleep1Threshold: -1);
                    if (decision == 2) return;
                }
                // The stages of ExpandLevel, on the states the graph had: state current is generated
                // (its successors' slots prefetched) while the candidates of current - 1 are
                // prefetched, then the successors of current - 2 are looked up.
                var released = start;
                for (var current = start; current < end + 2; current++)
                {
                    var previous = current - 1 >= start && current - 1 < end && !Own(current - 1, start) ? pipe[(current - 1) % PipeDepth] : null;
                    if (current < end && !Own(current, start))
                    {
                        var spin = new SpinWait();
                        while (current - released >= PipeDepth && current - (released = Volatile.Read(ref cursors.Released)) >= PipeDepth)
                        {
                            if (Volatile.Read(ref cursors.Stop)) return;
                            search.Table.HelpGrow();
                            WaitTurn(ref spin, ref cursors.ProducerAsleep, producerWake, static (e, at) => e.ProducerMayGo(at), current);
                        }
                        var batch = pipe[current % PipeDepth];
                        if ((current - start) % PipeDepth == 0)
                        {
                            published = search.Table.Published;
                            if (viewsAgain) seen = new StatesSeen(g.States.Snapshot());
                        }
                        seen.Read(current, out batch.Source);
                        Generate(g, current, in batch.Source, batch, tally, previous);
                    }
                    else if (previous is not null) PrefetchCandidates(g, previous, 0);
                    if (current - 2 < start) continue;
                    if (!Own(current - 2, start))
                    {
                        var last = pipe[(current - 2) % PipeDepth];
                        if ((current - start) % Polled == 0) released = Volatile.Read(ref cursors.Released);
                        if (Balance && current - 2 - released < Starving) last.Known.AsSpan(0, last.Count).Fill(-1);
                        else for (var j = 0; j < last.Count; j++) last.Known[j] = published!.Find(last.Key(j, keyWords), last.Prints[j], seen);
                    }
                    MoveOn(ref cursors.Produced, current - 1, ref cursors.SearchAsleep, searchWake);
                }
            }
            finally
            {
                // A producer that stopped early threw: the search's thread is woken to find out.
                Volatile.Write(ref cursors.Finished, true);
                searchWake.Release();
            }
        });
        if (measure)
        {
            // NaN (the producer not running in time) is not above the limit: the part stays on
            // two threads. Infinity (the producer running, then not answering) is.
            var alone = CrossCore.Measure(line) > SlowRoundTrip;
            Volatile.Write(ref decision, alone ? 2 : 1);
            if (alone)
            {
                try
                {
                    producer.Wait();
                }
                finally
                {
                    EndProducing();
                }
                PartsKeptOnOneThread++;
                ExpandLevel(g, start, end, tally);
                return;
            }
        }
        try
        {
            var produced = start;
            for (var current = start; current < end + 2; current++)
            {
                if (current < end)
                {
                    var batch = pipe[current % PipeDepth];
                    if (Own(current, start))
                    {
                        // A state this thread expands: its batch's slot is free (the producer is at
                        // most a ring ahead of the batches released, and skips it), and every
                        // successor is looked up here.
                        g.States.Read(current, out batch.Source);
                        Generate(g, current, in batch.Source, batch, ownTally, null);
                        batch.Known.AsSpan(0, batch.Count).Fill(-1);
                    }
                    else
                    {
                        var spin = new SpinWait();
                        while (produced <= current && (produced = Volatile.Read(ref cursors.Produced)) <= current)
                        {
                            // A producer that stopped early threw: Wait below says why.
                            if (Volatile.Read(ref cursors.Finished) && Volatile.Read(ref cursors.Produced) <= current) return;
                            WaitTurn(ref spin, ref cursors.SearchAsleep, searchWake, static (e, at) => e.SearchMayGo(at), current);
                        }
                        for (var j = 0; j < batch.Count; j++)
                            if (batch.Known[j] < 0) search.Table.PrefetchHome(batch.Prints[j]);
                        // The next batch, when ready, is asked for now: its lines were written on the
                        // other core, and read cold they stalled each stage that first touched them.
                        if (current + 1 < produced) PrefetchBatch(pipe[(current + 1) % PipeDepth]);
                    }
                    batch.Depth = g.Depth[current];
                    TellRefusals(g, batch);
                }
                if (current - 1 >= start && current - 1 < end) PrefetchUnknown(g, pipe[(current - 1) % PipeDepth]);
                if (current - 2 >= start)
                {
                    AddResolved(g, pipe[(current - 2) % PipeDepth]);
                    MoveOn(ref cursors.Released, current - 1, ref cursors.ProducerAsleep, producerWake);
                }
            }
        }
        finally
        {
            Volatile.Write(ref cursors.Stop, true);
            producerWake.Release();
            try
            {
                producer.Wait();
            }
            finally
            {
                EndProducing();
                tally.Add(ownTally);
            }
        }
    }

    // True when the producer, waiting to generate the state at index at, may go on: the part is
    // over, the table grows (and it can help), or the search's thread has freed that state's batch.
    private bool ProducerMayGo(int at) =>
        Volatile.Read(ref cursors.Stop) || search.Table.Growing || at - Volatile.Read(ref cursors.Released) < PipeDepth;

    // True when the search's thread, waiting for the batch of the state at index at, may go on:
    // the batch is ready, or the producer has ended.
    private bool SearchMayGo(int at) => Volatile.Read(ref cursors.Finished) || Volatile.Read(ref cursors.Produced) > at;

    // Wakes the producer if it sleeps: the table has begun a growth it can help with.
    private void WakeProducer() => Wake(ref cursors.ProducerAsleep, producerWake);

    // Once the producing thread has ended: refusals are told to the visitor at once again, the
    // table no longer asks it for help, and the views it read are let go.
    private void EndProducing()
    {
        search.Table.GrowthBegins = null;
        producing = false;
        seen = default;
        published = null;
    }

    // Prefetches the states the successors a producer did not find will most likely be compared
    // with, and the successors the next stage will read: those to look up, and those whose
    // transitions the visitor is told of.
    private void PrefetchUnknown(StateGraph g, Batch batch)
    {
        for (var j = 0; j < batch.Count; j++)
        {
            if (batch.Known[j] >= 0)
            {
                if (toldOf[batch.Ops[j]]) PrefetchState(ref batch.Successors[j]);
                continue;
            }
            PrefetchState(ref batch.Successors[j]);
            var id = search.Table.AtHome(batch.Prints[j]);
            if (id >= 0) g.States.Prefetch(id);
        }
    }

    // Asks for the lines of a batch that the first stage reads: its counts, and what each successor is known as.
    private static void PrefetchBatch(Batch batch)
    {
        StateTable<StateKey, GraphStates>.Prefetch(ref batch.Count);
        StateTable<StateKey, GraphStates>.Prefetch(ref batch.Known[0]);
        StateTable<StateKey, GraphStates>.Prefetch(ref batch.Ops[0]);
        StateTable<StateKey, GraphStates>.Prefetch(ref batch.Prints[0]);
        StateTable<StateKey, GraphStates>.Prefetch(ref batch.Prints[Math.Min(8, batch.Prints.Length - 1)]);
        StateTable<StateKey, GraphStates>.Prefetch(ref batch.Affected[0]);
        StateTable<StateKey, GraphStates>.Prefetch(ref batch.Affected[Math.Min(8, batch.Affected.Length - 1)]);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PrefetchState(ref KernelState state)
    {
        StateTable<StateKey, GraphStates>.Prefetch(ref state);
        StateTable<StateKey, GraphStates>.Prefetch(ref Unsafe.AddByteOffset(ref state, 64));
    }

    // Records a pipelined batch's successors as AddSuccessors does, those a producer found by their ids.
    private void AddResolved(StateGraph g, Batch batch)
    {
        for (var j = 0; j < batch.Count; j++)
        {
            var to = batch.Known[j];
            if (to < 0)
            {
                AddSuccessor(g, batch, j);
                continue;
            }
            var op = batch.Ops[j];
            g.AddEdge(batch.From, to, op);
            if (toldOf[op]) visitor!.OnTransition(g, new Edge(batch.From, to, op, batch.Affected[j]), batch.Source, batch.Successors[j]);
        }
    }

    // The refusals a producing thread kept in a batch, told to the visitor in operation order.
    private void TellRefusals(StateGraph g, Batch batch)
    {
        for (var r = 0; r < batch.Refusals; r++)
            visitor!.OnRefusal(g, batch.From, batch.RefusedOps[r], batch.Source, batch.RefusedAfter[r]);
    }
}
