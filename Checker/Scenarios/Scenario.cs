using Klp.Check.Model;

namespace Klp.Check.Scenarios;

/// <summary>A parsed scenario file: a catalog, a sequence of operations, and expectations per reading.</summary>
/// <param name="Path">The file it came from, as given.</param>
/// <param name="Title">The <c>title</c> directive, or the file name.</param>
/// <param name="Catalog">The patches the file declares.</param>
/// <param name="Steps">The operations in order; step 0 holds expectations on the empty kernel and has no operation.</param>
/// <param name="ExpectationReadings">The readings unqualified expectations apply to (the <c>readings</c> directive), or null for every reading.</param>
/// <param name="NamedReadings">Every reading variant the file names, in order of appearance.</param>
/// <param name="Options">Option settings of <c>option</c> directives, applied to every reading.</param>
/// <param name="Mode">The <c>mode</c> directive, or null.</param>
public sealed record Scenario(
    string Path,
    string Title,
    Catalog Catalog,
    IReadOnlyList<ScenarioStep> Steps,
    IReadOnlyList<Reading>? ExpectationReadings,
    IReadOnlyList<Reading> NamedReadings,
    IReadOnlyList<string> Options,
    Granularity? Mode);

/// <summary>One operation of a scenario, with its note and expectations.</summary>
/// <param name="Line">The line of the operation (0 for the initial step).</param>
/// <param name="Operation">The operation, or null for the initial step.</param>
/// <param name="Text">The operation as written (without quote prefix and note).</param>
/// <param name="Note">The <c>&lt;- ...</c> note, if any.</param>
/// <param name="Expectations">The expectations that follow the operation.</param>
public sealed record ScenarioStep(int Line, Operation? Operation, string Text, string? Note, IReadOnlyList<Expectation> Expectations);

/// <summary>One expectation: a clause checked after a step, for some readings.</summary>
/// <param name="Line">1-based line.</param>
/// <param name="Column">1-based column of the clause.</param>
/// <param name="Text">The clause as written.</param>
/// <param name="Readings">The readings it applies to, or null for the scenario's default readings.</param>
/// <param name="Clause">What is checked.</param>
public sealed record Expectation(int Line, int Column, string Text, IReadOnlyList<Reading>? Readings, Clause Clause)
{
    /// <summary>True when the expectation applies to a reading (matched by display name).</summary>
    public bool AppliesTo(Reading reading, IReadOnlyList<Reading>? defaults)
    {
        var list = Readings ?? defaults;
        if (list is null) return true;
        foreach (var r in list)
            if (Same(r, reading)) return true;
        return false;
    }

    /// <summary>Two readings are the same column when name and options other than the mode agree.</summary>
    public static bool Same(Reading a, Reading b) =>
        a.Name == b.Name && a.Options with { Granularity = Granularity.Atomic } == b.Options with { Granularity = Granularity.Atomic };
}
