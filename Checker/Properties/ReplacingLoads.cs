using System.Collections;
using System.Numerics;
using Klp.Check.Engine;

namespace Klp.Check.Properties;

/// <summary>The loads of a graph that replaced a customer patch, as keys (source state &lt;&lt; 32 | alphabet index) in increasing order: the loads an atomic install may not use.</summary>
/// <remarks>
/// The search reports transitions by source state, then alphabet index, so the keys come in
/// increasing order; a trace's graph (<see cref="PropertyChecks.OnTrace"/>) reports them in the
/// order the trace takes them, and a record given a key out of order keeps its keys in a sorted
/// set from then on, made into the compact form when sealed. Under a reading whose cumulative
/// patches replace every other patch (upstream's <c>replace</c>), most loads out of a state with
/// a customer patch replace it:
/// 8,782,080 of them on positional-12 under upstream. For an alphabet of at most 64 operations
/// they are kept as a bit per state (whether it has such a load) and, per state that has, the
/// mask of those loads, in id order: 8 bytes a state rather than 8 a load, and a state's mask is
/// found by its rank among those states (<see cref="Seal"/>). Past 64 operations the keys
/// themselves are kept, and searched by halves.
/// </remarks>
public sealed class ReplacingLoads : IReadOnlyCollection<long>
{
    private readonly ChunkedList<ulong> marked = new(writtenInOrder: true);
    private readonly ChunkedList<ulong> masks = new(writtenInOrder: true);
    private readonly ChunkedList<long> keys = new(writtenInOrder: true);
    private bool wide;
    private long last = -1;
    // The word of marked and the mask being filled, appended once a later state comes, or when sealed.
    private ulong word, mask;
    private int wordAt, maskOf = -1;
    private Lookup? sealedAs;
    // Every key, once one came out of order.
    private SortedSet<long>? unordered;

    /// <summary>An empty record for an alphabet of <paramref name="operations"/> operations.</summary>
    public ReplacingLoads(int operations) => Clear(operations);

    /// <summary>The record of keys given in any order (repeats counted once).</summary>
    public static ReplacingLoads From(IEnumerable<long> keys, int operations)
    {
        long[] sorted = [.. keys];
        Array.Sort(sorted);
        var record = new ReplacingLoads(operations);
        for (var k = 0; k < sorted.Length; k++)
            if (k == 0 || sorted[k] != sorted[k - 1]) record.Add((int)(sorted[k] >> 32), (int)(uint)sorted[k]);
        return record;
    }

    /// <summary>The number of loads recorded (a load recorded twice counts once).</summary>
    public int Count => unordered?.Count ?? count;

    private int count;

    /// <summary>Empties the record for an alphabet of <paramref name="operations"/> operations.</summary>
    public void Clear(int operations)
    {
        wide = operations > 64;
        Empty();
    }

    // Forgets every load, for an alphabet as wide as before.
    private void Empty()
    {
        marked.Clear();
        masks.Clear();
        keys.Clear();
        (last, word, mask, wordAt, maskOf, count, sealedAs, unordered) = (-1, 0, 0, 0, -1, 0, null, null);
    }

    /// <summary>Records the load by alphabet index <paramref name="op"/> out of state <paramref name="state"/>; in increasing (state, operation) order, as a search reports them, the record stays compact.</summary>
    /// <exception cref="ArgumentException">The state or the operation is negative, or the operation past 64 in a record for at most 64.</exception>
    /// <exception cref="InvalidOperationException">The record was sealed.</exception>
    public void Add(int state, int op)
    {
        if (state < 0 || op < 0 || !wide && op >= 64) throw new ArgumentException($"load {op} out of state {state} is not in the record's alphabet");
        if (sealedAs is not null) throw new InvalidOperationException("the record was sealed");
        var key = (long)state << 32 | (uint)op;
        if (unordered is null && key <= last) unordered = new SortedSet<long>(Keys(pending: true));
        if (unordered is not null)
        {
            unordered.Add(key);
            return;
        }
        (last, count) = (key, count + 1);
        if (wide)
        {
            keys.Add(key);
            return;
        }
        if (state != maskOf)
        {
            if (maskOf >= 0) masks.Add(mask);
            (maskOf, mask) = (state, 0);
            for (; wordAt < state >> 6; wordAt++, word = 0) marked.Add(word);
            word |= 1UL << state;
        }
        mask |= 1UL << op;
    }

    /// <summary>The record as looked up by state, once the search is done; later loads cannot be added.</summary>
    public Lookup Seal()
    {
        lock (keys)
        {
            if (sealedAs is not null) return sealedAs;
            if (unordered is { } sorted)
            {
                Empty();
                foreach (var key in sorted) Add((int)(key >> 32), (int)(uint)key);
            }
            if (!wide && maskOf >= 0)
            {
                masks.Add(mask);
                marked.Add(word);
                wordAt++;
            }
            return sealedAs = new Lookup(this);
        }
    }

    /// <summary>The keys in increasing order; the record is sealed (<see cref="Seal"/>) when they are asked for.</summary>
    public IEnumerator<long> GetEnumerator()
    {
        Seal();
        return Keys(pending: false).GetEnumerator();
    }

    // The keys of the ordered form, the state being filled among them when pending is true.
    private IEnumerable<long> Keys(bool pending)
    {
        if (wide)
        {
            for (var k = 0; k < keys.Count; k++) yield return keys[k];
            yield break;
        }
        var m = 0;
        for (var w = 0; w < marked.Count; w++)
            for (var bits = marked[w]; bits != 0; bits &= bits - 1, m++)
                foreach (var key in KeysOf(w << 6 | BitOperations.TrailingZeroCount(bits), masks[m])) yield return key;
        if (!pending || maskOf < 0) yield break;
        // The word being filled: its states before the last have their masks stored already.
        for (var bits = word & ~(1UL << maskOf); bits != 0; bits &= bits - 1, m++)
            foreach (var key in KeysOf(wordAt << 6 | BitOperations.TrailingZeroCount(bits), masks[m])) yield return key;
        foreach (var key in KeysOf(maskOf, mask)) yield return key;
    }

    private static IEnumerable<long> KeysOf(int state, ulong ops)
    {
        for (; ops != 0; ops &= ops - 1) yield return (long)state << 32 | (uint)BitOperations.TrailingZeroCount(ops);
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>The record of a finished search, looked up by state.</summary>
    public sealed class Lookup
    {
        private readonly ReplacingLoads record;
        // Per word of the record's bits, the states marked in the words before.
        private readonly int[] before;

        internal Lookup(ReplacingLoads record)
        {
            this.record = record;
            Words = record.marked.Count;
            before = new int[Words];
            for (int w = 0, sum = 0; w < Words; sum += BitOperations.PopCount(record.marked[w]), w++) before[w] = sum;
        }

        internal int Words { get; }

        /// <summary>True for an alphabet of more than 64 operations: <see cref="OpsOf"/> is not kept.</summary>
        public bool Wide => record.wide;

        /// <summary>The states with a load that replaced a customer patch, in increasing order.</summary>
        public IEnumerable<int> Sources()
        {
            if (Wide)
            {
                for (var k = 0; k < record.keys.Count; k++)
                    if (k == 0 || record.keys[k - 1] >> 32 != record.keys[k] >> 32) yield return (int)(record.keys[k] >> 32);
                yield break;
            }
            for (var w = 0; w < Words; w++)
                for (var bits = record.marked[w]; bits != 0; bits &= bits - 1) yield return w << 6 | BitOperations.TrailingZeroCount(bits);
        }

        /// <summary>The alphabet indices of a state's loads that replaced a customer patch, as a mask; for an alphabet of at most 64 operations.</summary>
        public ulong OpsOf(int s)
        {
            var w = s >> 6;
            if (w >= Words) return 0;
            var bits = record.marked[w];
            return (bits >> s & 1) == 0 ? 0 : record.masks[before[w] + BitOperations.PopCount(bits & ((1UL << s) - 1))];
        }

        /// <summary>Whether the load by alphabet index <paramref name="op"/> out of state <paramref name="s"/> replaced a customer patch.</summary>
        public bool Replacing(int s, int op)
        {
            if (!Wide) return op < 64 && (OpsOf(s) >> op & 1) != 0;
            var key = (long)s << 32 | (uint)op;
            var k = FirstAtOrAbove(key);
            return k < record.keys.Count && record.keys[k] == key;
        }

        // The index of the first key at or above a key (their count when none is), searched by halves.
        private int FirstAtOrAbove(long key)
        {
            var keys = record.keys;
            var (low, high) = (0, keys.Count);
            while (low < high)
            {
                var middle = low + ((high - low) >> 1);
                if (keys[middle] < key) low = middle + 1;
                else high = middle;
            }
            return low;
        }
    }
}
