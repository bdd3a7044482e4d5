using Klp.Check.Tests.Architecture.Violating.Properties;

namespace Klp.Check.Tests.Architecture.Violating.Engine;

/// <summary>An engine type that breaks "Engine uses only the model" on purpose: it asks a property.</summary>
public sealed class Search
{
    /// <summary>Searches, and judges the result with a property: the arrow the rules forbid.</summary>
    public static bool Run(int states) => Judge.Passes(states);
}

/// <summary>An engine type that keeps the rule.</summary>
public sealed class Frontier
{
    /// <summary>The states left.</summary>
    public int Left { get; init; }
}
