using Klp.Check.Tests.Architecture.Violating.Commands;

namespace Klp.Check.Tests.Architecture.Violating.Reports;

/// <summary>A report type that breaks "nothing uses Commands" on purpose.</summary>
public static class Header
{
    /// <summary>A heading that calls into the command layer.</summary>
    public static string Text() => Tool.Named() + " report";
}
