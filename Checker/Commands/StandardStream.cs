using System.Text.RegularExpressions;
using System.Text;

namespace Klp.Check.Commands;

/// <summary>A write to standard output or standard error failed (a full disk, a closed descriptor, a closed pipe): the command stops and exits <see cref="ExitCodes.IoError"/>.</summary>
/// <param name="stream">"standard output" or "standard error".</param>
/// <param name="inner">What the write threw.</param>
public sealed class StandardStreamException(string stream, Exception inner) : IOException($"cannot write to {stream}: {(inner.InnerException ?? inner).Message}", inner)
{
    /// <summary>The stream that failed.</summary>
    public string Stream { get; } = stream;
}

/// <summary>Standard output or standard error as every command writes it: a failed write is a <see cref="StandardStreamException"/>, and standard output carries no control character but line ends and tabs.</summary>
/// <remarks>
/// Reports quote file names and what files hold; a control character among them (an escape
/// sequence in a file name) is written as <c>\xNN</c>, so it never reaches a terminal as a
/// command. Only the colour codes of <see cref="Terminal"/> pass, and only when the stream is a
/// terminal that takes colour.
/// </remarks>
public sealed partial class StandardStream : TextWriter
{
    private readonly string name;
    private readonly bool escape;

    /// <summary>Wraps a writer.</summary>
    /// <param name="inner">The writer (the console's, or a test's).</param>
    /// <param name="name">"standard output" or "standard error", for the message when a write fails.</param>
    /// <param name="escape">Whether control characters are escaped (standard output; messages on standard error are cleaned by <see cref="MessageWriter"/>).</param>
    /// <param name="colour">Whether <see cref="Terminal"/>'s colour codes pass.</param>
    public StandardStream(TextWriter inner, string name, bool escape, bool colour = false)
    {
        Inner = inner;
        this.name = name;
        this.escape = escape;
        Colour = colour;
    }

    /// <summary>The writer written to.</summary>
    public TextWriter Inner { get; }

    /// <summary>True when this is a terminal that takes colour.</summary>
    public bool Colour { get; }

    /// <summary>The colours a report to <paramref name="stdout"/> may use: colour only on a terminal that takes it.</summary>
    public static Terminal TerminalOf(TextWriter stdout) => stdout is StandardStream { Colour: true } ? new Terminal(true) : Terminal.Plain;

    /// <summary>True when <paramref name="stderr"/> (through <see cref="MessageWriter"/> and this class) is the console's standard error on a terminal.</summary>
    public static bool IsTerminalError(TextWriter stderr)
    {
        if (stderr is MessageWriter messages) stderr = messages.Inner;
        if (stderr is StandardStream stream) stderr = stream.Inner;
        return ReferenceEquals(stderr, Console.Error) && !Console.IsErrorRedirected;
    }

    /// <inheritdoc/>
    public override Encoding Encoding => Inner.Encoding;

    /// <inheritdoc/>
    public override void Write(char value)
    {
        if (escape && char.IsControl(value) && value is not ('\n' or '\t')) Write(value.ToString());
        else Guard(value.ToString());
    }

    /// <inheritdoc/>
    public override void Write(char[] buffer, int index, int count) => Write(new string(buffer, index, count));

    /// <inheritdoc/>
    public override void Write(string? value)
    {
        if (string.IsNullOrEmpty(value)) return;
        Guard(escape ? Escaped(value) : value);
    }

    /// <inheritdoc/>
    public override void Flush()
    {
        try
        {
            Inner.Flush();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ObjectDisposedException)
        {
            throw new StandardStreamException(name, e);
        }
    }

    private void Guard(string text)
    {
        try
        {
            Inner.Write(text);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ObjectDisposedException)
        {
            throw new StandardStreamException(name, e);
        }
    }

    private string Escaped(string text)
    {
        if (!Colour) return Terminal.Escape(text);
        var sb = new StringBuilder(text.Length);
        var at = 0;
        foreach (Match m in ColourCode().Matches(text))
        {
            sb.Append(Terminal.Escape(text[at..m.Index])).Append(m.Value);
            at = m.Index + m.Length;
        }
        return sb.Append(Terminal.Escape(text[at..])).ToString();
    }

    [GeneratedRegex(@"\x1b\[[0-9;]*m")]
    private static partial Regex ColourCode();
}
