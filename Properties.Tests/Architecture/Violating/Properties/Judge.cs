namespace Klp.Check.Tests.Architecture.Violating.Properties;

/// <summary>A property-layer type the fixture's engine must not know.</summary>
public sealed class Judge
{
    /// <summary>Whether a state count passes.</summary>
    public static bool Passes(int states) => states > 0;
}
