namespace Klp.Check.Engine;

/// <summary>Caps on one exploration, and how much room its table is given.</summary>
/// <param name="MaxStates">Stop after this many distinct states.</param>
/// <param name="MaxDepth">Do not expand states deeper than this.</param>
/// <param name="Fingerprints">De-duplicate by 64-bit fingerprint instead of by exact value.</param>
/// <param name="ExpectedStates">A hint, not a cap: the de-duplication table is given room for this many states (at most the state cap), so that a search of about that many grows it once at most, straight to that room, past its small sizes; 0 or less for none. Changes no result.</param>
/// <remarks>A cap of 0 or less means the default: 1,000,000 states, unlimited depth (so <c>default</c> and <c>new()</c> are the defaults).</remarks>
public readonly record struct ExploreLimits(int MaxStates = ExploreLimits.DefaultMaxStates, int MaxDepth = int.MaxValue, bool Fingerprints = false, int ExpectedStates = 0)
{
    /// <summary>The states the table is given room for: <see cref="ExpectedStates"/>, at most the state cap; 0 for no hint.</summary>
    public int TableRoom => Math.Clamp(ExpectedStates, 0, StateCap);

    /// <summary>The state cap when none is given.</summary>
    public const int DefaultMaxStates = 1_000_000;

    /// <summary>The state cap in force.</summary>
    public int StateCap => MaxStates > 0 ? MaxStates : DefaultMaxStates;

    /// <summary>The depth cap in force.</summary>
    public int DepthCap => MaxDepth > 0 ? MaxDepth : int.MaxValue;

    /// <summary>The state cap in words, naming the default when it is the one in force, so a report that hits it says so.</summary>
    public string StateCapText => StateCap == DefaultMaxStates
        ? $"the default state cap {DefaultMaxStates} (raise it with --max-states)"
        : $"state cap {StateCap}";

    /// <summary>The depth cap in words.</summary>
    public string DepthCapText => $"depth cap {DepthCap}";
}
