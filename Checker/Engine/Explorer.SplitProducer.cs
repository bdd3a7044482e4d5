using System.Numerics;
using System.Runtime.CompilerServices;
using Klp.Check.Model;

namespace Klp.Check.Engine;

// The producing thread's side of a split level (Explorer.Split.cs): its buffer for a part, and
// how it expands its share of the part into it.
public sealed partial class Explorer
{
    // What the producing thread made of its share of one part: per state, its accepted successors
    // (value, fingerprint, operation, affected patches, and what the producer found of it: Known),
    // and the refusals the visitor is to be told of, in flat arrays indexed through First and
    // RefusalFirst.
    //
    // The successors' arrays are made once, for every state of a part with every operation
    // accepted, and not zeroed: only what the producer writes is ever touched, and they never
    // grow. Grown as the parts needed, by a quarter at a time, the arrays they replaced stayed on
    // the large object heap as free space: 11-21 MB of it at the end of positional-12's check
    // with parts of 1,024 states (docs/performance.md, "The buffers' memory").
    private sealed class SplitBuffer(int reasons, int operations, int states, int width, int words)
    {
        public readonly KernelState[] Successors = GC.AllocateUninitializedArray<KernelState>(states * width);
        // Per successor, its key's words (StateList.Print), Words apart.
        public readonly ulong[] Keys = GC.AllocateUninitializedArray<ulong>(states * width * words);
        public readonly int Words = words;
        public readonly ulong[] Prints = GC.AllocateUninitializedArray<ulong>(states * width), Affected = GC.AllocateUninitializedArray<ulong>(states * width);
        public readonly int[] Ops = GC.AllocateUninitializedArray<int>(states * width), Known = GC.AllocateUninitializedArray<int>(states * width);
        public readonly int[] First = new int[states + 1], RefusalFirst = new int[states + 1];
        // The successors the producer did not find among the states seen, by fingerprint, as
        // (part number << 32 | index in the buffer): an entry of another part is an empty slot,
        // so the table is never cleared. At most half full; past that, no more are entered.
        public readonly long[] Unfound = NewUnfound(states * width);
        public int Entered, PartNumber;
        // The refusals the visitor is told of: none unless it asks for them, so these grow.
        public int[] RefusedOps = [];
        public KernelState[] RefusedAfter = [];
        public readonly int States = states, Width = width;
        // The part's states from Mid to End are the producer's.
        public int Mid, End;
        public readonly Tally Tally = new(reasons, operations);
        // How long the producer took over this part's share, and between the share before and this one, in timestamp ticks.
        public long ProduceTicks, WaitTicks;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Span<ulong> KeyWords(int j) => Keys.AsSpan(j * Words, Words);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public StateKey Key(int j) => new(in Successors[j], KeyWords(j));

        public void Begin(int mid, int end)
        {
            (Mid, End) = (mid, end);
            PartNumber++;
            Entered = 0;
            First[0] = RefusalFirst[0] = 0;
            Tally.Transitions = 0;
            Array.Clear(Tally.Refused);
            Array.Clear(Tally.Accepted);
        }

        // A slot for every two successors a part can have, at most 16,384 (128 KB): the unfound
        // are about a third of a part's successors on positional-12.
        private static long[] NewUnfound(int successors)
        {
            var slots = (int)Math.Min(1 << 14, BitOperations.RoundUpToPowerOf2((uint)Math.Max(2, 2 * successors)));
            var table = new long[slots];
            Array.Fill(table, -1L << 32);
            return table;
        }

        // What the producer makes of successor j, which it did not find among the states seen:
        // Known's "same as" for an earlier successor of this part equal to it, or -1 (the search's
        // thread looks it up), entering it for those after it.
        public int Unknown(int j)
        {
            var mask = Unfound.Length - 1;
            var print = Prints[j];
            for (var slot = (int)(print >> 40) & mask; ; slot = (slot + 1) & mask)
            {
                var entry = Unfound[slot];
                if ((int)(entry >> 32) != PartNumber)
                {
                    if (2 * Entered >= Unfound.Length) return -1;
                    Unfound[slot] = ((long)PartNumber << 32) | (uint)j;
                    Entered++;
                    return -1;
                }
                var earlier = (int)entry;
                if (Prints[earlier] == print && Successors[earlier].Same(Successors[j])) return SameAs(earlier);
            }
        }

        // Known for a successor equal to the buffer's successor j, which the search's thread
        // records before it; the inverse of Earlier.
        public static int SameAs(int j) => -2 - j;

        // For a Known of -2 or less, the earlier successor of the buffer it equals.
        public static int Earlier(int known) => -2 - known;

        // Room for one more state's refusals, after the r written so far.
        public void Reserve(int r)
        {
            if (RefusedOps.Length >= r + Width) return;
            var length = Math.Max(r + Width, 2 * RefusedOps.Length);
            Array.Resize(ref RefusedOps, length);
            Array.Resize(ref RefusedAfter, length);
        }
    }

    // The producer's share of a part, states mid to end, into its buffer, in the three stages of
    // ExpandLevel: state i's operations applied and its successors' slots prefetched, i - 1's
    // candidates prefetched, i - 2's successors looked up among the states seen. Reads the graph
    // and the table only, as the search's thread adds to them.
    private void Produce(StateGraph g, SplitBuffer h, int mid, int end, StateTable<StateKey, GraphStates>.Shared table, StatesSeen seen, bool tell)
    {
        var n = end - mid;
        h.Begin(mid, end);
        var catalog = g.Catalog;
        var alphabet = g.Alphabet;
        var variants = catalog.AddSetsVariants.Length;
        var count = catalog.Count;
        var all = allRefusals;
        var (k, r) = (0, 0);
        for (var i = 0; i < n + 2; i++)
        {
            if (i < n)
            {
                seen.Read(mid + i, out var state);
                h.Reserve(r);
                h.Tally.Transitions += alphabet.Length;
                var a = 0;
                if (!all)
                {
                    // As Generate: the operations the state's masks refuse are counted at once.
                    Kernel.EarlyScreen(catalog, state, out var loads, out var disables, out var unloads, h.Tally.Refused);
                    // One loop over the three kinds, so that SplitTry is compiled once here (as in Generate).
                    for (var kind = 0; kind < 3; kind++)
                    {
                        var (patches, start, per) = MaskedKind(kind, loads, disables, unloads, count, variants);
                        for (var m = patches; m != 0; m &= m - 1)
                        {
                            var first = start + BitOperations.TrailingZeroCount(m) * per;
                            for (var v = 0; v < per; v++) SplitTry(g, h, in state, first + v, table, tell, ref k, ref r);
                        }
                    }
                    a = count * (variants + 2);
                }
                for (; a < alphabet.Length; a++)
                {
                    var early = Kernel.EarlyRefusal(catalog, state, alphabet[a]);
                    if (early.Accepted)
                    {
                        SplitTryApart(g, h, in state, a, table, tell, ref k, ref r);
                        continue;
                    }
                    h.Tally.Refused[(int)early.Reason]++;
                    if (all)
                    {
                        h.RefusedOps[r] = a;
                        h.RefusedAfter[r++] = state;
                    }
                }
                // The state's successors' table slots, together once all are found (as Generate's
                // PrefetchHomes).
                for (var j = h.First[i]; j < k; j++) table.PrefetchHome(h.Prints[j]);
                h.First[i + 1] = k;
                h.RefusalFirst[i + 1] = r;
            }
            if (i - 1 >= 0 && i - 1 < n)
                for (var j = h.First[i - 1]; j < h.First[i]; j++) seen.Prefetch(table.AtHome(h.Prints[j]));
            if (i - 2 >= 0)
                for (var j = h.First[i - 2]; j < h.First[i - 1]; j++)
                {
                    var id = table.Find(h.Key(j), h.Prints[j], seen);
                    h.Known[j] = id >= 0 ? id : h.Unknown(j);
                }
        }
    }

    // SplitTry compiled apart from Produce, for the rest of the alphabet (as TryApart for Generate).
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void SplitTryApart(StateGraph g, SplitBuffer h, in KernelState state, int a, StateTable<StateKey, GraphStates>.Shared table, bool tell, ref int k, ref int r) =>
        SplitTry(g, h, in state, a, table, tell, ref k, ref r);

    // Applies the operation at alphabet index a, past the early checks, as Try does, into the buffer
    // (its table slot prefetched by Produce once the state's successors are all found).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void SplitTry(StateGraph g, SplitBuffer h, in KernelState state, int a, StateTable<StateKey, GraphStates>.Shared table, bool tell, ref int k, ref int r)
    {
        ref var next = ref h.Successors[k];
        next = state;
        var e = Kernel.ApplyScreened(g.Catalog, g.Reading, loadMasks, state, g.Alphabet[a], ref next);
        if (!e.Accepted)
        {
            h.Tally.Refused[(int)e.Reason]++;
            if (tell && (allRefusals || !next.Same(state)))
            {
                h.RefusedOps[r] = a;
                h.RefusedAfter[r++] = next;
            }
            return;
        }
        h.Tally.Accepted[a]++;
        var print = StateList.PrintWith(keyPacking, next, h.KeyWords(k));
        h.Prints[k] = print;
        h.Ops[k] = a;
        h.Affected[k] = e.Affected;
        k++;
    }
}
