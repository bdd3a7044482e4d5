using System.Text.RegularExpressions;
using System.Text;

namespace Klp.Check.Commands;

/// <summary>The writer every message goes through: one line stays one readable line, whatever the input held.</summary>
/// <remarks>
/// Messages quote what the user gave. A control character (a NUL byte from a binary file) is
/// written as <c>\xNN</c>, a quoted token longer than <see cref="MaxToken"/> characters is cut
/// with its length, and a line longer than <see cref="MaxLine"/> characters is cut.
/// </remarks>
public sealed partial class MessageWriter(TextWriter inner) : TextWriter
{
    /// <summary>The most characters of a quoted token a message repeats.</summary>
    public const int MaxToken = 60;

    /// <summary>The most characters of one message line.</summary>
    public const int MaxLine = 1000;

    private readonly StringBuilder line = new();

    /// <summary>The writer the cleaned lines go to.</summary>
    public TextWriter Inner { get; } = inner;

    /// <inheritdoc/>
    public override Encoding Encoding => Inner.Encoding;

    /// <inheritdoc/>
    public override void Write(char value)
    {
        if (value == '\n')
        {
            Inner.Write(Clean(line.ToString()) + "\n");
            line.Clear();
        }
        else line.Append(value);
    }

    /// <inheritdoc/>
    public override void Write(string? value)
    {
        foreach (var ch in value ?? "") Write(ch);
    }

    /// <inheritdoc/>
    public override void Flush()
    {
        if (line.Length > 0)
        {
            Inner.Write(Clean(line.ToString()));
            line.Clear();
        }
        Inner.Flush();
    }

    /// <summary>A message line as it is printed: control characters escaped, long quoted tokens and long lines cut.</summary>
    public static string Clean(string text)
    {
        var cleaned = LongToken().Replace(Terminal.Escape(text.TrimEnd('\r'), keepLineFeeds: false), m => $"'{m.Groups[1].Value[..MaxToken]}...' ({m.Groups[1].Value.Length} characters)");
        return cleaned.Length <= MaxLine ? cleaned : cleaned[..MaxLine] + $"... ({cleaned.Length} characters)";
    }

    [GeneratedRegex(@"'([^'\n]{61,})'")]
    private static partial Regex LongToken();
}
