using Klp.Check.Engine;
using Klp.Check.Model;

namespace Klp.Check.Benchmarks;

// The bare searches of BareSearchReport: the shared table (and apart, two shared-table searches
// on one thread each), and what every search shares: the store of states, the expansion, the
// threads run level by level. The partitioned and the snapshot searches have files of their own.
public static partial class BareSearchReport
{
    // Both threads adding states to one table (the shared table), or one thread alone; its arrays
    // are made once and used again by every run.
    private sealed class SharedSearch
    {
        private const int Chunk = 256;
        private const int IdBlock = 1024;
        private readonly Catalog catalog;
        private readonly Reading reading;
        private readonly Operation[] alphabet;
        private readonly LoadMasks? masks;
        private readonly KernelState[] states;
        private readonly long[] table;
        private readonly int mask;
        private int[] frontier = new int[1024];
        private int frontierCount, cursor, nextId;
        private bool done, full;
        // The last run's workers, for its digest.
        private Worker[] lastWorkers = [];

        public SharedSearch(Catalog catalog, Reading reading, int capacity)
        {
            (this.catalog, this.reading) = (catalog, reading);
            alphabet = Alphabet.For(catalog, reading.Options.Granularity);
            masks = LoadMasks.For(catalog, reading);
            states = GC.AllocateUninitializedArray<KernelState>(capacity);
            var slots = (int)Math.Min(1 << 30, System.Numerics.BitOperations.RoundUpToPowerOf2((uint)capacity) * 2);
            table = new long[slots];
            mask = slots - 1;
        }

        // Explores from the empty kernel on threads threads; the states and edges found.
        public (long States, long Edges) Run(int threads)
        {
            Array.Clear(table);
            var workers = new Worker[threads];
            for (var t = 0; t < threads; t++) workers[t] = new Worker(this, threads > 1);
            (nextId, full) = (0, false);
            var root = workers[0].Insert(KernelState.Empty, KernelState.Empty.Fingerprint());
            if (root < 0) return (-1, -1);
            done = false;
            InLevels(threads, () => NextLevel(workers), (t, barrier) => workers[t].Search(barrier));
            lastWorkers = workers;
            return full ? (-1, -1) : (workers.Sum(w => w.Added), workers.Sum(w => w.Edges));
        }

        // A digest of the states in the order of their ids: on one thread, the order of one thread's search.
        public ulong Digest() => IdsDigest(states, (int)lastWorkers.Sum(w => w.Added)) ^ lastWorkers.Aggregate(0UL, (d, w) => d + w.EdgeSum());

        // Between levels: the states the workers added are the next level.
        private void NextLevel(Worker[] workers)
        {
            var count = workers.Sum(w => w.NewCount);
            if (frontier.Length < count) frontier = new int[Math.Max(count, frontier.Length * 2)];
            var at = 0;
            foreach (var w in workers)
            {
                Array.Copy(w.New, 0, frontier, at, w.NewCount);
                at += w.NewCount;
                w.NewCount = 0;
            }
            frontierCount = count;
            cursor = 0;
            done = count == 0;
        }

        private sealed class Worker(SharedSearch s, bool shared) : Expander(s.catalog, s.reading, s.alphabet, s.masks)
        {
            public int[] New = new int[1024];
            public int NewCount;
            public long Added;
            private int idAt, idEnd;

            public void Search(Barrier barrier)
            {
                while (!s.done)
                {
                    int c;
                    while ((c = Interlocked.Add(ref s.cursor, Chunk) - Chunk) < s.frontierCount)
                    {
                        var end = Math.Min(c + Chunk, s.frontierCount);
                        for (var i = c; i < end; i++)
                        {
                            if (i + 1 < end) Prefetch(ref s.states[s.frontier[i + 1]]);
                            var k = Expand(in s.states[s.frontier[i]]);
                            for (var j = 0; j < k; j++) AddEdge(Insert(Successors[j], Prints[j]));
                        }
                    }
                    barrier.SignalAndWait();
                }
            }

            protected override void PrefetchSlot(ulong print) => Prefetch(ref s.table[(int)print & s.mask]);

            // The id of a state: found in the table, or claimed and inserted.
            public int Insert(in KernelState state, ulong print)
            {
                var tag = (long)(print & 0xFFFFFFFF00000000UL);
                var i = (int)print & s.mask;
                while (true)
                {
                    var slot = Volatile.Read(ref s.table[i]);
                    if (slot == 0)
                    {
                        if (idAt == idEnd)
                        {
                            idAt = shared ? Interlocked.Add(ref s.nextId, IdBlock) - IdBlock : (s.nextId += IdBlock) - IdBlock;
                            idEnd = idAt + IdBlock;
                            // Full: the search goes on without adding, and its run reports it.
                            if (idEnd > s.states.Length)
                            {
                                (idAt, idEnd, s.full) = (0, 0, true);
                                return -1;
                            }
                        }
                        s.states[idAt] = state;
                        var claimed = tag | (uint)(idAt + 1);
                        if (!shared) s.table[i] = claimed;
                        else if ((slot = Interlocked.CompareExchange(ref s.table[i], claimed, 0)) != 0) goto Taken;
                        if (NewCount == New.Length) Array.Resize(ref New, New.Length * 2);
                        New[NewCount++] = idAt;
                        Added++;
                        return idAt++;
                    }
                Taken:
                    if ((slot & unchecked((long)0xFFFFFFFF00000000UL)) == tag)
                    {
                        var id = (int)(uint)slot - 1;
                        if (s.states[id].Same(state)) return id;
                    }
                    i = (i + 1) & s.mask;
                }
            }
        }
    }

    // States and an open-addressing table of their fingerprints' high halves and ids (id + 1 in
    // the low half; 0 is an empty slot), written by one thread at a time.
    private sealed class Store(int capacity)
    {
        public readonly KernelState[] States = GC.AllocateUninitializedArray<KernelState>(capacity);
        public readonly long[] Table = new long[(int)Math.Min(1 << 30, System.Numerics.BitOperations.RoundUpToPowerOf2((uint)capacity) * 2)];
        public int Count;

        public int Mask => Table.Length - 1;

        public void Clear()
        {
            Array.Clear(Table);
            Count = 0;
        }

        // The id of a state found, or -1 where an empty slot ends its run (at).
        public int Find(in KernelState state, ulong print, out int at)
        {
            var tag = (long)(print & 0xFFFFFFFF00000000UL);
            for (at = (int)print & Mask; ; at = (at + 1) & Mask)
            {
                var slot = Table[at];
                if (slot == 0) return -1;
                if ((slot & unchecked((long)0xFFFFFFFF00000000UL)) == tag && States[(int)(uint)slot - 1].Same(state)) return (int)(uint)slot - 1;
            }
        }

        // The id of a state: found, or stored with the next id (added); -1 once the store is full.
        public int Add(in KernelState state, ulong print, out bool added)
        {
            added = false;
            var id = Find(in state, print, out var at);
            if (id >= 0) return id;
            if (Count == States.Length) return -1;
            States[Count] = state;
            Table[at] = (long)(print & 0xFFFFFFFF00000000UL) | (uint)(Count + 1);
            added = true;
            return Count++;
        }
    }

    // The fingerprints of the first count states, folded in order.
    private static ulong IdsDigest(KernelState[] states, int count)
    {
        var d = 14695981039346656037UL;
        for (var i = 0; i < count; i++) d = (d ^ states[i].Fingerprint()) * 1099511628211UL;
        return d;
    }

    // Runs a search's threads level by level: nextLevel first, then search(t, barrier) for each
    // thread t (0 on this one, the others on threads of their own), which calls nextLevel between
    // levels as the last of them reaches the barrier.
    private static void InLevels(int threads, Action nextLevel, Action<int, Barrier> search)
    {
        nextLevel();
        using var barrier = new Barrier(threads, _ => nextLevel());
        var others = new Thread[threads - 1];
        for (var t = 1; t < threads; t++)
        {
            var index = t;
            others[t - 1] = new Thread(() => search(index, barrier)) { IsBackground = true };
            others[t - 1].Start();
        }
        search(0, barrier);
        foreach (var o in others) o.Join();
    }

    // What both searches do to a state: every operation applied as the explorer applies it, the
    // accepted successors and their fingerprints kept with their table slots prefetched; and the
    // edges, one id each in the thread's own list.
    private abstract class Expander(Catalog catalog, Reading reading, Operation[] alphabet, LoadMasks? masks)
    {
        protected readonly KernelState[] Successors = new KernelState[alphabet.Length + 1];
        protected readonly ulong[] Prints = new ulong[alphabet.Length + 1];
        private readonly long[] refused = new long[Enum.GetValues<Reason>().Length];
        private readonly List<int[]> edgeChunks = [];

        private int[] edgeChunk = [];
        private int edgeAt;

        public long Edges { get; private set; }

        protected abstract void PrefetchSlot(ulong print);

        // Applies every operation to a state; the number of accepted successors.
        protected int Expand(in KernelState state)
        {
            var k = 0;
            Kernel.EarlyScreen(catalog, state, out var loads, out var disables, out var unloads, refused);
            var variants = catalog.AddSetsVariants.Length;
            var n = catalog.Count;
            TryEach(in state, loads, 0, variants, ref k);
            TryEach(in state, disables, n * variants, 1, ref k);
            TryEach(in state, unloads, n * (variants + 1), 1, ref k);
            for (var a = n * (variants + 2); a < alphabet.Length; a++)
                if (Kernel.EarlyRefusal(catalog, state, alphabet[a]).Accepted) Try(in state, a, ref k);
            return k;
        }

        private void TryEach(in KernelState state, ulong patches, int first, int per, ref int k)
        {
            for (var m = patches; m != 0; m &= m - 1)
            {
                var a = first + System.Numerics.BitOperations.TrailingZeroCount(m) * per;
                for (var v = 0; v < per; v++) Try(in state, a + v, ref k);
            }
        }

        private void Try(in KernelState state, int a, ref int k)
        {
            ref var next = ref Successors[k];
            next = state;
            if (!Kernel.ApplyScreened(catalog, reading, masks, state, alphabet[a], ref next).Accepted) return;
            var print = next.Fingerprint();
            Prints[k++] = print;
            PrefetchSlot(print);
        }

        protected void ResetEdges()
        {
            edgeChunks.Clear();
            (edgeChunk, edgeAt, Edges) = ([], 0, 0);
        }

        // Rewrites the edges recorded from the from-th on that name a state of this thread's own
        // as ~i (i its index in this thread's list of the level's new states) to the id map[i].
        protected void MapOwnEdges(long from, int[] map)
        {
            for (var c = (int)(from >> 20); c < edgeChunks.Count; c++)
            {
                var chunk = edgeChunks[c];
                var end = c == edgeChunks.Count - 1 ? edgeAt : chunk.Length;
                for (var i = c == (int)(from >> 20) ? (int)(from & ((1 << 20) - 1)) : 0; i < end; i++)
                    if (chunk[i] < 0) chunk[i] = map[~chunk[i]];
            }
        }

        // The edges' targets, each mixed and summed, so in whatever order the threads recorded them.
        public ulong EdgeSum()
        {
            var sum = 0UL;
            for (var c = 0; c < edgeChunks.Count; c++)
            {
                var end = c == edgeChunks.Count - 1 ? edgeAt : edgeChunks[c].Length;
                for (var i = 0; i < end; i++) sum += ((ulong)(uint)edgeChunks[c][i] + 0x9E3779B97F4A7C15UL) * 0xBF58476D1CE4E5B9UL >> 7;
            }
            return sum;
        }

        protected void AddEdge(int to)
        {
            if (edgeAt == edgeChunk.Length)
            {
                edgeChunk = new int[1 << 20];
                edgeChunks.Add(edgeChunk);
                edgeAt = 0;
            }
            edgeChunk[edgeAt++] = to;
            Edges++;
        }

        internal static unsafe void Prefetch<T>(ref T target)
        {
            if (System.Runtime.Intrinsics.X86.Sse.IsSupported) System.Runtime.Intrinsics.X86.Sse.Prefetch0(System.Runtime.CompilerServices.Unsafe.AsPointer(ref target));
        }
    }
}
