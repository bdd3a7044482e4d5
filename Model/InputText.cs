using System.Text;

namespace Klp.Check.Model;

/// <summary>A place in a text where it breaks <see cref="InputText.Rule"/>, at a 1-based line and column.</summary>
/// <param name="Line">1-based line.</param>
/// <param name="Column">1-based column, in characters of the decoded line.</param>
/// <param name="Message">What is wrong.</param>
public readonly record struct TextError(int Line, int Column, string Message);

/// <summary>The one rule every input file of the tool follows (scenario, proposal, release plan, baseline): UTF-8, with or without a byte order mark, and no control character but tab and line ends.</summary>
/// <remarks>
/// Every reader applies it, so a file that one command takes is taken by all of them, and a
/// string the tool later prints (a title, a note, a description) cannot carry a terminal escape
/// sequence. A line ends with LF or CR LF. A valid U+FFFD is text like any other character; a
/// byte that is not UTF-8 is refused at its position rather than replaced.
/// </remarks>
public static class InputText
{
    /// <summary>The rule, in words, for messages and docs.</summary>
    public const string Rule = "UTF-8 text (a byte order mark is allowed) without control characters other than tab and line ends";

    private static readonly (byte[] Mark, string Name)[] ForeignMarks =
    [
        ([0xFF, 0xFE, 0x00, 0x00], "UTF-32"),
        ([0x00, 0x00, 0xFE, 0xFF], "UTF-32"),
        ([0xFF, 0xFE], "UTF-16"),
        ([0xFE, 0xFF], "UTF-16"),
    ];

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The text of a file's bytes under the rule (a UTF-8 byte order mark dropped), or null with where it first breaks it.</summary>
    public static string? Decode(ReadOnlySpan<byte> bytes, out TextError? error)
    {
        error = null;
        foreach (var (mark, name) in ForeignMarks)
        {
            if (!bytes.StartsWith(mark)) continue;
            error = new TextError(1, 1, $"not a text file: a {name} byte order mark; only UTF-8 is read ({Rule})");
            return null;
        }
        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF])) bytes = bytes[3..];
        int line = 1, column = 1;
        for (var i = 0; i < bytes.Length;)
        {
            if (System.Text.Rune.DecodeFromUtf8(bytes[i..], out var rune, out var length) != System.Buffers.OperationStatus.Done)
            {
                error = new TextError(line, column, $"not a text file: byte 0x{bytes[i]:X2} is not UTF-8 ({Rule})");
                return null;
            }
            var next = i + length < bytes.Length ? bytes[i + length] : -1;
            if (Problem(rune, next) is { } message)
            {
                error = new TextError(line, column, message);
                return null;
            }
            if (rune.Value == '\n') (line, column) = (line + 1, 1);
            else column += rune.Utf16SequenceLength;
            i += length;
        }
        return Utf8.GetString(bytes);
    }

    /// <summary>Where a decoded text first breaks the rule (a control character, an unpaired surrogate), or null when it keeps it.</summary>
    public static TextError? Check(string text)
    {
        int line = 1, column = 1;
        for (var i = 0; i < text.Length;)
        {
            if (System.Text.Rune.DecodeFromUtf16(text.AsSpan(i), out var rune, out var length) != System.Buffers.OperationStatus.Done)
                return new TextError(line, column, $"not a text file: unpaired surrogate U+{(int)text[i]:X4} ({Rule})");
            var next = i + length < text.Length ? text[i + length] : -1;
            if (Problem(rune, next) is { } message) return new TextError(line, column, message);
            if (rune.Value == '\n') (line, column) = (line + 1, 1);
            else column += length;
            i += length;
        }
        return null;
    }

    // A CR counts as a line end only before LF or at the very end; any other control character is refused.
    private static string? Problem(System.Text.Rune rune, int next) =>
        !System.Text.Rune.IsControl(rune) || rune.Value is '\t' or '\n' || (rune.Value == '\r' && next is '\n' or -1)
            ? null
            : $"not a text file: control character U+{rune.Value:X4} ({Rule})";
}
