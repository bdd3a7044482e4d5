using Klp.Check.Inputs;
using Klp.Check.Model;
using Klp.Check.Properties;

namespace Klp.Check.Verdicts;

/// <summary>A verdict: holds, violated, n/a, or inconclusive.</summary>
public enum VerdictKind
{
    /// <summary>Holds within the bounds (a witness: was reached).</summary>
    Holds,
    /// <summary>Violated (a witness: never reached), with the shortest trace.</summary>
    Violated,
    /// <summary>Does not apply, with why.</summary>
    NotApplicable,
    /// <summary>A cap cut the exploration of an input the property applies to and the answer depends on what it left unexplored; never a violation.
    /// For a safety property: no violation in the explored part. For a liveness property: no violation established. For a witness: not reached in the explored part.</summary>
    Inconclusive,
}

/// <summary>The verdict of one property for one reading over one input source.</summary>
/// <param name="Invariant">The property.</param>
/// <param name="Reading">The reading.</param>
/// <param name="Kind">Holds, violated, n/a or inconclusive.</param>
/// <param name="Detail">Why n/a, what the trace shows, or for a witness what was reached.</param>
/// <param name="Catalog">The catalog the trace runs on.</param>
/// <param name="Trace">The shortest trace (the violation, or for a witness the way to it), replayed through Step.</param>
/// <param name="Input">The input the trace comes from (the plan or catalog description).</param>
/// <param name="Features">For a violation, the fewest input features any violating input has (the trace's input has them).</param>
public sealed record Verdict(Invariant Invariant, Reading Reading, VerdictKind Kind, string Detail, Catalog? Catalog, IReadOnlyList<Operation>? Trace, string? Input,
    InputFeatures Features = InputFeatures.None)
{
    /// <summary>"holds", "violated", "n/a" or "inconclusive"; a violation that needs input features names them: "violated[f]", "violated[s]", "violated[fs]".</summary>
    public string Word => Kind switch
    {
        VerdictKind.Holds => "holds",
        VerdictKind.Inconclusive => "inconclusive",
        VerdictKind.Violated when Features != InputFeatures.None => $"violated[{FeatureLetters(Features)}]",
        VerdictKind.Violated => "violated",
        _ => "n/a",
    };

    /// <summary>The cap that cut an exploration this verdict depends on (e.g. "state cap 100"), or null when every input it depends on was explored completely.</summary>
    /// <remarks>Set on every inconclusive verdict, and on a violation whose feature letters a cut input without them leaves unestablished.</remarks>
    public string? Cap { get; init; }

    /// <summary>With <see cref="Cap"/>, how many states (summed over the cut inputs it depends on) have successors the cap left unexplored.</summary>
    public long FrontierStates { get; init; }

    /// <summary>True when every input the verdict depends on was explored completely, so it claims nothing about unexplored states.</summary>
    public bool Exhaustive => Cap is null;

    /// <summary>True when a safety property holds only because its interesting case never happens.</summary>
    public bool Vacuous { get; init; }

    /// <summary>f for a shared function, s for states.</summary>
    public static string FeatureLetters(InputFeatures f) =>
        ((f & InputFeatures.SharedFunction) != 0 ? "f" : "") + ((f & InputFeatures.States) != 0 ? "s" : "");
}
