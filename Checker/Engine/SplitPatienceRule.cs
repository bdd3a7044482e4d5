namespace Klp.Check.Engine;

/// <summary>When the search's thread of a split level stops waiting for the producing thread and expands the next parts alone (<see cref="Explorer.SplitPatience"/>, <see cref="Explorer.SplitStretch"/>).</summary>
/// <remarks>
/// A wait for a part counts once it has outlasted its spin; then the search's thread gives up when
/// the level's waits together come to more than <c>patience</c>/256 of the level's time so far.
/// Once the producer starts again after a stretch alone, the time, the waits and the parts are
/// counted from that start.
/// Two waits are never judged: the first part's, which is the producer starting (the search's
/// thread, with the smaller share, waits for it at every level, on a quiet machine too, for a
/// millisecond or more when its share is small), and any before the level's first
/// <c>judgedAfter</c>, when one wait is a large share of a short time. Judged from the first
/// part on with nothing before it, positional-13's two-thread check finished every large level
/// alone and took 40.6 s against 22.5 s (docs/performance.md, "A busy machine").
/// </remarks>
public static class SplitPatienceRule
{
    /// <summary>True when the search's thread gives up waiting.</summary>
    /// <param name="patience">The share of the level's time the waits may take, in 1/256ths: 0 gives up at once, 256 or more never.</param>
    /// <param name="part">The part waited for (0 is the level's first).</param>
    /// <param name="wait">How long this wait has lasted.</param>
    /// <param name="level">How long the level has lasted.</param>
    /// <param name="waited">How long the level's earlier waits lasted, the first part's not counted.</param>
    /// <param name="spin">How long a wait spins before it would sleep.</param>
    /// <param name="judgedAfter">How far into the level waits are first judged.</param>
    public static bool OutOfPatience(int patience, int part, long wait, long level, long waited, long spin, long judgedAfter)
    {
        if (patience <= 0) return true;
        if (patience >= 256 || part == 0) return false;
        return wait > spin && level > judgedAfter && (waited + wait) * 256 > level * patience;
    }
}
