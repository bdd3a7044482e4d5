namespace Klp.Check.Inputs;

/// <summary>A malformed input (a scenario, proposal, plan or baseline file): every problem with its position.</summary>
public sealed class InputException(IReadOnlyList<Diagnostic> diagnostics)
    : Exception(string.Join(Environment.NewLine, diagnostics))
{
    /// <summary>The problems, in file order.</summary>
    public IReadOnlyList<Diagnostic> Diagnostics { get; } = diagnostics;
}

/// <summary>A problem at a position in a file, printed as <c>FILE:LINE:COLUMN: message</c> (<c>klp-check: message</c> when no file is named).</summary>
public readonly record struct Diagnostic(string File, int Line, int Column, string Message)
{
    /// <summary>The most problems reported for one file: reading stops after as many.</summary>
    public const int MaxPerFile = 20;

    /// <inheritdoc/>
    public override string ToString() => File.Length == 0 ? $"klp-check: {Message}" : $"{File}:{Line}:{Column}: {Message}";
}
