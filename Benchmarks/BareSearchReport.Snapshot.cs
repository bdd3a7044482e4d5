using Klp.Check.Engine;
using Klp.Check.Model;

namespace Klp.Check.Benchmarks;

// The snapshot search of BareSearchReport: while a level is expanded no thread writes to what the
// other reads, and the ids come out as one thread's search gives them.
public static partial class BareSearchReport
{
    // Both threads take chunks of a level's states in turn and look their successors up in the
    // table as it stood when the level began, which neither writes during the level; a successor
    // not there goes into a table of the thread's own, once, and its edge names it by its index in
    // the thread's list. After the level one thread adds the threads' new states to the table,
    // chunk by chunk in the level's order, so that each state gets the id one thread's search
    // would give it (the first chunk to find it, in the order it was found there); then each
    // thread rewrites its own edges to the ids.
    private sealed class SnapshotSearch
    {
        private const int Chunk = 256;
        private readonly Catalog catalog;
        private readonly Reading reading;
        private readonly Operation[] alphabet;
        private readonly LoadMasks? masks;
        private readonly Store store;
        private int levelStart, levelEnd, cursor, chunks;
        // For each chunk of the level: the thread that expanded it and its new states' range in that thread's list.
        private int[] chunkThread = new int[1024], chunkFrom = new int[1024], chunkTo = new int[1024];
        private Worker[] workers = [];
        private readonly Worker[]?[] made = new Worker[3][];
        private bool done, full;

        public SnapshotSearch(Catalog catalog, Reading reading, int capacity)
        {
            (this.catalog, this.reading) = (catalog, reading);
            alphabet = Alphabet.For(catalog, reading.Options.Granularity);
            masks = LoadMasks.For(catalog, reading);
            store = new Store(capacity);
        }

        public (long States, long Edges) Run(int threads)
        {
            store.Clear();
            // Each thread count's workers are made once and used again by every run.
            workers = made[threads] ??= Enumerable.Range(0, threads).Select(t => new Worker(this, t)).ToArray();
            foreach (var w in workers) w.Reset();
            // The root is the level after an empty one, which the first NextLevel opens.
            (full, levelStart, levelEnd, chunks) = (false, 0, 0, 0);
            var root = KernelState.Empty.Fingerprint();
            var empty = KernelState.Empty;
            if (Add(in empty, root) < 0) return (-1, -1);
            done = false;
            InLevels(threads, NextLevel, (t, barrier) => workers[t].Search(barrier));
            return full ? (-1, -1) : (store.Count, workers.Sum(w => w.Edges));
        }

        // A digest of the states in the order of their ids, to set beside one thread's.
        public ulong Digest() => IdsDigest(store.States, store.Count) ^ workers.Aggregate(0UL, (d, w) => d + w.EdgeSum());

        // Between levels: the level's new states added in the level's order, which opens the next
        // level (the first time, the root's).
        private void NextLevel()
        {
            for (var c = 0; c < chunks; c++)
            {
                var w = workers[chunkThread[c]];
                for (var i = chunkFrom[c]; i < chunkTo[c]; i++)
                {
                    if (i + 8 < chunkTo[c]) Expander.Prefetch(ref store.Table[(int)w.NewPrints[i + 8] & store.Mask]);
                    w.Map[i] = Add(in w.NewStates[i], w.NewPrints[i]);
                }
            }
            (levelStart, levelEnd) = (levelEnd, store.Count);
            chunks = (levelEnd - levelStart + Chunk - 1) / Chunk;
            if (chunkThread.Length < chunks)
            {
                var n = Math.Max(chunks, chunkThread.Length * 2);
                (chunkThread, chunkFrom, chunkTo) = (new int[n], new int[n], new int[n]);
            }
            cursor = 0;
            done = chunks == 0 || full;
        }

        // The id of a state: found in the table, or added with the next id; -1 once full. Only
        // between levels, on one thread.
        private int Add(in KernelState state, ulong print)
        {
            var id = store.Add(in state, print, out _);
            full |= id < 0;
            return id;
        }

        private sealed class Worker(SnapshotSearch s, int index) : Expander(s.catalog, s.reading, s.alphabet, s.masks)
        {
            public KernelState[] NewStates = new KernelState[1024];
            public ulong[] NewPrints = new ulong[1024];
            public int[] Map = new int[1024];
            private int newCount;
            private long[] own = new long[2048];
            private long levelEdges;

            public void Reset()
            {
                ResetEdges();
                Array.Clear(own);
                (newCount, levelEdges) = (0, 0);
            }

            public void Search(Barrier barrier)
            {
                while (!s.done)
                {
                    // The last level's edges to its new states, now that they have ids.
                    MapOwnEdges(levelEdges, Map);
                    ClearOwn();
                    levelEdges = Edges;
                    int c;
                    while ((c = Interlocked.Increment(ref s.cursor) - 1) < s.chunks)
                    {
                        s.chunkThread[c] = index;
                        s.chunkFrom[c] = newCount;
                        var end = Math.Min(s.levelStart + (c + 1) * Chunk, s.levelEnd);
                        for (var i = s.levelStart + c * Chunk; i < end; i++)
                        {
                            if (i + 1 < end) Prefetch(ref s.store.States[i + 1]);
                            var k = Expand(in s.store.States[i]);
                            for (var j = 0; j < k; j++) AddEdge(Find(in Successors[j], Prints[j]));
                        }
                        s.chunkTo[c] = newCount;
                    }
                    barrier.SignalAndWait();
                }
                MapOwnEdges(levelEdges, Map);
            }

            // Both tables' slots: a successor not in the level's table is looked up in the thread's own.
            protected override void PrefetchSlot(ulong print)
            {
                Prefetch(ref s.store.Table[(int)print & s.store.Mask]);
                Prefetch(ref own[(int)(print >> 20) & (own.Length - 1)]);
            }

            // The id of a successor in the level's table, or ~i for the i-th of this thread's new
            // states in the level, added if it is not there yet.
            private int Find(in KernelState state, ulong print)
            {
                var known = s.store.Find(in state, print, out _);
                if (known >= 0) return known;
                var tag = (long)(print & 0xFFFFFFFF00000000UL);
                if (newCount * 2 >= own.Length) GrowOwn();
                var m = own.Length - 1;
                for (var i = (int)(print >> 20) & m; ; i = (i + 1) & m)
                {
                    var slot = own[i];
                    if (slot == 0)
                    {
                        if (newCount == NewStates.Length)
                        {
                            Array.Resize(ref NewStates, newCount * 2);
                            Array.Resize(ref NewPrints, newCount * 2);
                            Array.Resize(ref Map, newCount * 2);
                        }
                        NewStates[newCount] = state;
                        NewPrints[newCount] = print;
                        own[i] = tag | (uint)(newCount + 1);
                        return ~newCount++;
                    }
                    if ((slot & unchecked((long)0xFFFFFFFF00000000UL)) == tag && NewStates[(int)(uint)slot - 1].Same(state)) return ~((int)(uint)slot - 1);
                }
            }

            private void GrowOwn()
            {
                own = LargePages.Allocate<long>(own.Length * 2);
                var m = own.Length - 1;
                for (var n = 0; n < newCount; n++)
                {
                    var i = (int)(NewPrints[n] >> 20) & m;
                    while (own[i] != 0) i = (i + 1) & m;
                    own[i] = (long)(NewPrints[n] & 0xFFFFFFFF00000000UL) | (uint)(n + 1);
                }
            }

            // Empties the thread's own table, slot by slot where the level added few.
            private void ClearOwn()
            {
                if (newCount * 16 >= own.Length) Array.Clear(own);
                else
                    for (var n = 0; n < newCount; n++)
                    {
                        var m = own.Length - 1;
                        for (var i = (int)(NewPrints[n] >> 20) & m; own[i] != 0; i = (i + 1) & m) own[i] = 0;
                    }
                newCount = 0;
            }
        }
    }
}
