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

/// <summary>The verdict of one property for one reading over one input source; made by its named constructors (<see cref="Holds"/>, <see cref="Violated(Property, Reading, string)"/>, <see cref="Found"/>, <see cref="NotApplicable"/>, <see cref="Inconclusive"/>).</summary>
public sealed record Verdict
{
    private Verdict(Property property, Reading reading, VerdictKind kind, string detail, Trace? trace = null, string? input = null, InputFeatures features = InputFeatures.None)
    {
        Property = property;
        Reading = reading;
        Kind = kind;
        Detail = detail;
        Catalog = trace?.Catalog;
        Trace = trace?.Operations;
        Input = input;
        Features = features;
    }

    /// <summary>The property holds within the bounds (<paramref name="detail"/>: over what).</summary>
    public static Verdict Holds(Property property, Reading reading, string detail) => new(property, reading, VerdictKind.Holds, detail);

    /// <summary>The property is violated, and no trace shows it (a witness never reached).</summary>
    public static Verdict Violated(Property property, Reading reading, string detail) => new(property, reading, VerdictKind.Violated, detail);

    /// <summary>The property is violated on <paramref name="trace"/>, which runs on <paramref name="input"/>.</summary>
    public static Verdict Violated(Property property, Trace trace, string detail, string? input, InputFeatures features = InputFeatures.None) =>
        new(property, trace.Reading, VerdictKind.Violated, detail, trace, input, features);

    /// <summary>What a shortest trace to the property's case says: a witness reached (holds), any other property violated.</summary>
    public static Verdict Found(Property property, Trace trace, string detail, string? input, InputFeatures features = InputFeatures.None) =>
        new(property, trace.Reading, property.IsWitness ? VerdictKind.Holds : VerdictKind.Violated, detail, trace, input, features);

    /// <summary>The property does not apply, and why.</summary>
    public static Verdict NotApplicable(Property property, Reading reading, string why) => new(property, reading, VerdictKind.NotApplicable, why);

    /// <summary>The answer depends on what a cap left unexplored (<see cref="VerdictKind.Inconclusive"/>).</summary>
    public static Verdict Inconclusive(Property property, Reading reading, string detail) => new(property, reading, VerdictKind.Inconclusive, detail);

    /// <summary>The property.</summary>
    public Property Property { get; }

    /// <summary>The reading.</summary>
    public Reading Reading { get; }

    /// <summary>Holds, violated, n/a or inconclusive.</summary>
    public VerdictKind Kind { get; }

    /// <summary>Why n/a, what the trace shows, or for a witness what was reached.</summary>
    public string Detail { get; }

    /// <summary>The catalog the trace runs on.</summary>
    public Catalog? Catalog { get; }

    /// <summary>The shortest trace (the violation, or for a witness the way to it), replayed through Step.</summary>
    public IReadOnlyList<Operation>? Trace { get; }

    /// <summary>The input the trace comes from (the plan or catalog description).</summary>
    public string? Input { get; }

    /// <summary>For a violation, the fewest input features any violating input has (the trace's input has them).</summary>
    public InputFeatures Features { get; }

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

    /// <summary>What <c>klp-check prove</c> said of this cell (<c>compare --prove N</c>), or null when it was not asked.</summary>
    public CellProof? Proof { get; init; }

    /// <summary>True when the property holds within the bounds and is proved beyond them, for every release plan of at most <see cref="CellProof.Patches"/> releases.</summary>
    public bool Proved => Kind == VerdictKind.Holds && Proof is { Verdict: "proved" };

    /// <summary>True when the property holds within the bounds and <c>prove</c> found a violation beyond them (<see cref="CellProof.Detail"/> has its input and trace).</summary>
    public bool ViolatedBeyond => Kind == VerdictKind.Holds && Proof is { Verdict: "violated" };

    /// <summary>f for a shared function, s for states.</summary>
    public static string FeatureLetters(InputFeatures f) =>
        ((f & InputFeatures.SharedFunction) != 0 ? "f" : "") + ((f & InputFeatures.States) != 0 ? "s" : "");
}

/// <summary>What a proof said of one cell of the matrix: <c>proved</c>, <c>violated</c>, <c>unknown</c> or <c>n/a</c>, for every release plan of at most <paramref name="Patches"/> releases and every sequence of operations.</summary>
/// <param name="Verdict">The proof's verdict word.</param>
/// <param name="Patches">The N of the proof.</param>
/// <param name="Detail">How it was proved, or what was tried.</param>
public sealed record CellProof(string Verdict, int Patches, string Detail);
