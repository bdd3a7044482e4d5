using System.Runtime.CompilerServices;

namespace Klp.Check.Engine;

/// <summary>A value per index of a list that changes rarely, kept once per run of equal values: each run's first index and its value, in index order.</summary>
/// <remarks><see cref="DepthList"/> keeps a search tree's depths this way, <see cref="OffsetList"/> the high part of its offsets.</remarks>
/// <typeparam name="T">The value.</typeparam>
internal sealed class RunList<T> where T : IEquatable<T>
{
    private readonly List<(int From, T Value)> runs = [];

    /// <summary>The number of runs.</summary>
    public int Count => runs.Count;

    /// <summary>A run: its first index and its value.</summary>
    public (int From, T Value) this[int run] => runs[run];

    /// <summary>Records the value at <paramref name="index"/>, no smaller than any index given before: a new run when it differs from the last run's.</summary>
    public void Add(int index, T value)
    {
        if (runs.Count == 0 || !runs[^1].Value.Equals(value)) runs.Add((index, value));
    }

    /// <summary>The value at an index at or after the first run's start.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public T ValueAt(int index)
    {
        // Nearly always read near the end: the last run, or the one before it.
        var h = runs.Count - 1;
        if (runs[h].From <= index) return runs[h].Value;
        if (runs[h - 1].From <= index) return runs[h - 1].Value;
        return runs[RunOf(index, h - 1)].Value;
    }

    /// <summary>The value at an index at or after the first run's start, and the first index past its run (<see cref="int.MaxValue"/> for the last run).</summary>
    public (T Value, int End) RunAt(int index)
    {
        var h = runs.Count - 1;
        var r = runs[h].From <= index ? h : RunOf(index, h - 1);
        return (runs[r].Value, r == h ? int.MaxValue : runs[r + 1].From);
    }

    // The last run up to hi that starts at or before an index, found by halves.
    private int RunOf(int index, int hi)
    {
        var lo = 0;
        while (lo < hi)
        {
            var mid = (lo + hi + 1) / 2;
            if (runs[mid].From <= index) lo = mid;
            else hi = mid - 1;
        }
        return lo;
    }

    /// <summary>Forgets every run.</summary>
    public void Clear() => runs.Clear();
}
