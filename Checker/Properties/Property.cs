using Klp.Check.Model;

namespace Klp.Check.Properties;

/// <summary>Whether a property must hold everywhere, eventually be reachable, or be reachable somewhere.</summary>
public enum PropertyKind
{
    /// <summary>Checked on every reachable state or accepted transition.</summary>
    Safety,
    /// <summary>Checked over the reachable graph.</summary>
    Liveness,
    /// <summary>A "sometimes" property: must be reachable, or the reading is vacuous there.</summary>
    Witness,
}

/// <summary>A property (invariant or witness) as one value: its stable id, kind, summary, when it does not apply, and how it is checked on one exploration.</summary>
/// <remarks>
/// The properties are defined in docs/semantics.md section 5.2.
/// A property is registered once in <see cref="PropertyRegistry.All"/>; reports, JSON, baselines and
/// <c>--invariant</c> find it there. Checking one catalog starts with <see cref="Begin"/>, whose
/// <see cref="PropertyCheck"/> watches the exploration and gives the finding at its end.
/// </remarks>
/// <param name="id">The stable id.</param>
/// <param name="kind">Safety, liveness or witness.</param>
/// <param name="summary">What it promises, in one line.</param>
public abstract class Property(string id, PropertyKind kind, string summary)
{
    /// <summary>The stable id (baselines, JSON and <c>--invariant</c> use it).</summary>
    public string Id { get; } = id;

    /// <summary>Safety, liveness or witness.</summary>
    public PropertyKind Kind { get; } = kind;

    /// <summary>What it promises, in one line.</summary>
    public string Summary { get; } = summary;

    /// <summary>True for a witness: a trace to its case is good news (reached), and never finding one is its violation.</summary>
    public bool IsWitness => Kind == PropertyKind.Witness;

    /// <summary>True for a safety property: decided a state or a step at a time, so the part of a graph explored shows a violation on its own.</summary>
    public bool IsSafety => Kind == PropertyKind.Safety;

    /// <summary>True for a liveness property: decided over everything reachable, so a trace alone does not show a violation.</summary>
    public bool IsLiveness => Kind == PropertyKind.Liveness;

    /// <summary>Why the property does not apply to a reading, or null when it does.</summary>
    public virtual string? NotApplicable(Reading reading) => null;

    /// <summary>Starts checking one catalog under one reading; a check whose case cannot occur in the catalog should cost nothing (<see cref="PropertyCheck.Vacuous"/>, <see cref="PropertyCheck.NotApplicable"/>).</summary>
    public abstract PropertyCheck Begin(Catalog catalog, Reading reading);

    /// <inheritdoc/>
    public override string ToString() => Id;
}

/// <summary>The result of one property on one catalog.</summary>
/// <param name="Applicable">False when the catalog gives the property nothing to talk about.</param>
/// <param name="Found">For safety and liveness, a violation was found; for a witness, the witness was found.</param>
/// <param name="Trace">The shortest operation list to the violation or witness.</param>
/// <param name="Message">What the trace shows.</param>
public sealed record CatalogFinding(bool Applicable, bool Found, IReadOnlyList<Operation>? Trace, string? Message)
{
    /// <summary>Nothing to check in this catalog.</summary>
    public static CatalogFinding NotApplicable { get; } = new(false, false, null, null);

    /// <summary>Checked, nothing found.</summary>
    public static CatalogFinding Nothing { get; } = new(true, false, null, null);

    /// <summary>Nothing found in the explored part, but the answer depends on states a cap left unexplored.</summary>
    public static CatalogFinding Undecided { get; } = new(true, false, null, null) { Inconclusive = true };

    /// <summary>True when the answer depends on states a cap left unexplored.</summary>
    public bool Inconclusive { get; init; }
}
