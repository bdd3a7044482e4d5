namespace Klp.Check.Tests.Architecture.Violating.Commands;

/// <summary>The fixture's command layer.</summary>
public static class Tool
{
    /// <summary>The tool's name.</summary>
    public const string Name = "fixture";

    /// <summary>The tool's name, computed.</summary>
    public static string Named() => Name;
}
