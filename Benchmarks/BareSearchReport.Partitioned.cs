using System.Diagnostics;
using Klp.Check.Engine;
using Klp.Check.Model;

namespace Klp.Check.Benchmarks;

// The partitioned search of BareSearchReport: each thread keeps its half of the states and sends
// the other's in batches.
public static partial class BareSearchReport
{
    // The states divided between the threads by their fingerprints' top bit: each thread keeps
    // its half in a table and a list of its own, expands them, adds the successors that are its
    // own, and sends the others in batches of 256 to the other thread, which adds them when it
    // next looks at what it was sent. Nothing but the batches is written by one thread and read by
    // the other. An edge to a state sent is recorded as -1 here: a search that kept the graph
    // would have to send the ids back.
    private sealed class PartitionedSearch(Catalog catalog, Reading reading, int capacity)
    {
        private readonly Catalog catalog = catalog;
        private readonly Reading reading = reading;
        private readonly Operation[] alphabet = Alphabet.For(catalog, reading.Options.Granularity);
        private readonly LoadMasks? masks = LoadMasks.For(catalog, reading);
        private Owner[]? owners;
        private bool done;

        /// <summary>The last run's waits of each thread at the levels' ends, for the work the other had left.</summary>
        public TimeSpan[] Waits { get; private set; } = [];

        // The owners of one thread and of two, made once for every run.
        private readonly Owner[][] made = new Owner[3][];

        public void Prepare()
        {
            for (var threads = 1; threads <= 2; threads++)
            {
                made[threads] = new Owner[threads];
                for (var t = 0; t < threads; t++) made[threads][t] = new Owner(this, t, threads, threads == 1 ? capacity : capacity / 2 + capacity / 8);
            }
        }

        public (long States, long Edges) Run(int threads)
        {
            owners = made[threads];
            foreach (var o in owners) o.Reset(owners);
            var root = KernelState.Empty.Fingerprint();
            owners[threads == 1 ? 0 : (int)(root >> 63)].Add(KernelState.Empty, root);
            done = false;
            InLevels(threads, NextLevel, (t, barrier) => owners[t].Search(barrier));
            Waits = owners.Select(o => TimeSpan.FromSeconds((double)o.EndWait / Stopwatch.Frequency)).ToArray();
            return owners.Any(o => o.Full) ? (-1, -1) : (owners.Sum(o => o.Added), owners.Sum(o => o.Edges));
        }

        private void NextLevel()
        {
            var any = false;
            foreach (var o in owners!) any |= o.NextLevel();
            done = !any;
        }

        // A batch of states sent from one thread to the other.
        private sealed class Batch
        {
            public readonly KernelState[] States = new KernelState[256];
            public readonly ulong[] Prints = new ulong[256];
            public int Count;
        }

        // The batches one thread sends the other, in a ring: the sender fills the batch at Head and
        // moves Head on; the receiver adds the batch at Tail and moves Tail on.
        private sealed class Ring
        {
            public readonly Batch[] Slots = Enumerable.Range(0, 32).Select(_ => new Batch()).ToArray();
            public int Head, Tail;
        }

        private sealed class Owner(PartitionedSearch s, int index, int threads, int capacity) : Expander(s.catalog, s.reading, s.alphabet, s.masks)
        {
            private readonly Store store = new(capacity);
            private int[] frontier = new int[1024], next = new int[1024];
            private int frontierCount, nextCount, level, sentLevel;
            private Ring outbox = new(), inbox = new();
            private Owner? other;
            public long Added, EndWait;
            public bool Full;

            public void Reset(Owner[] all)
            {
                store.Clear();
                ResetEdges();
                (frontierCount, nextCount, level, sentLevel, Added, EndWait, Full) = (0, 0, 0, -1, 0, 0, false);
                outbox = new Ring();
                other = threads == 1 ? null : all[1 - index];
                if (other is not null) other.inbox = outbox;
            }

            public bool NextLevel()
            {
                (frontier, next) = (next, frontier);
                (frontierCount, nextCount) = (nextCount, 0);
                level++;
                return frontierCount > 0;
            }

            public void Search(Barrier barrier)
            {
                while (!s.done)
                {
                    for (var i = 0; i < frontierCount; i++)
                    {
                        if (i + 1 < frontierCount) Prefetch(ref store.States[frontier[i + 1]]);
                        var k = Expand(in store.States[frontier[i]]);
                        for (var j = 0; j < k; j++)
                        {
                            var print = Prints[j];
                            if (other is null || (int)(print >> 63) == index) AddEdge(Add(Successors[j], print));
                            else
                            {
                                Send(in Successors[j], print);
                                AddEdge(-1);
                            }
                        }
                        if ((i & 31) == 31) Drain();
                    }
                    if (other is not null)
                    {
                        Flush();
                        Volatile.Write(ref sentLevel, level);
                        var w0 = Stopwatch.GetTimestamp();
                        while (true)
                        {
                            var over = Volatile.Read(ref other.sentLevel) == level;
                            if (!Drain() && over && Volatile.Read(ref inbox.Head) == inbox.Tail) break;
                            Thread.SpinWait(10);
                        }
                        EndWait += Stopwatch.GetTimestamp() - w0;
                    }
                    barrier.SignalAndWait();
                }
            }

            protected override void PrefetchSlot(ulong print)
            {
                if (other is null || (int)(print >> 63) == index) Prefetch(ref store.Table[(int)print & store.Mask]);
            }

            private void Send(in KernelState state, ulong print)
            {
                var b = outbox.Slots[outbox.Head % outbox.Slots.Length];
                b.States[b.Count] = state;
                b.Prints[b.Count++] = print;
                if (b.Count == b.States.Length) Publish();
            }

            // Hands the batch in hand to the other thread; the next one is taken once free.
            private void Publish()
            {
                Volatile.Write(ref outbox.Head, outbox.Head + 1);
                while (outbox.Head - Volatile.Read(ref outbox.Tail) >= outbox.Slots.Length)
                    if (!Drain()) Thread.SpinWait(10);
                outbox.Slots[outbox.Head % outbox.Slots.Length].Count = 0;
            }

            private void Flush()
            {
                if (outbox.Slots[outbox.Head % outbox.Slots.Length].Count > 0) Publish();
            }

            // Adds what the other thread has sent; whether there was anything.
            private bool Drain()
            {
                var head = Volatile.Read(ref inbox.Head);
                if (inbox.Tail == head) return false;
                for (; inbox.Tail < head; Volatile.Write(ref inbox.Tail, inbox.Tail + 1))
                {
                    var b = inbox.Slots[inbox.Tail % inbox.Slots.Length];
                    for (var j = 0; j < b.Count; j++) Prefetch(ref store.Table[(int)b.Prints[j] & store.Mask]);
                    for (var j = 0; j < b.Count; j++) Add(b.States[j], b.Prints[j]);
                }
                return true;
            }

            // The id of a state of this thread's half: found, or added.
            public int Add(in KernelState state, ulong print)
            {
                var id = store.Add(in state, print, out var added);
                // Full: the search goes on without adding, and its run reports it.
                if (id < 0) Full = true;
                else if (added)
                {
                    if (nextCount == next.Length) Array.Resize(ref next, next.Length * 2);
                    next[nextCount++] = id;
                    Added++;
                }
                return id;
            }
        }
    }
}
