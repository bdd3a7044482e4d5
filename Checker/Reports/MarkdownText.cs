using System.Text;

namespace Klp.Check.Reports;

/// <summary>Strings from files and command lines as Markdown shows them: always as the characters they are, never as table cells, HTML, links, emphasis or code spans they could open.</summary>
/// <remarks>
/// Every Markdown report writes a title, a note, a file name, a description or a reading's
/// name through one of these, as GitHub Flavored Markdown reads it
/// (https://github.github.com/gfm/, "Backslash escapes", "Code spans", "Tables"). A control
/// character is written as <c>\xNN</c> (<see cref="Terminal.Escape"/>), so a line end cannot
/// break a table row or close a fence.
/// </remarks>
public static class MarkdownText
{
    /// <summary>Text in a paragraph, heading, list item or table cell.</summary>
    public static string Plain(string s)
    {
        s = Terminal.Escape(s, keepLineFeeds: false);
        var first = 0;
        while (first < s.Length && s[first] == ' ') first++;
        // "1." or "1)" where a line may start would begin a numbered list.
        var digits = first;
        while (digits < s.Length && char.IsAsciiDigit(s[digits])) digits++;
        var numbered = digits > first && digits < s.Length && s[digits] is '.' or ')';
        var sb = new StringBuilder(s.Length + 8);
        for (var i = 0; i < s.Length; i++)
        {
            var ch = s[i];
            // An underscore inside a word (klp_1a_fn) cannot open or close emphasis; elsewhere it can.
            var inWord = ch == '_' && i > 0 && i + 1 < s.Length && char.IsLetterOrDigit(s[i - 1]) && char.IsLetterOrDigit(s[i + 1]);
            if (ch is '\\' or '`' or '*' or '[' or ']' or '<' or '>' or '|' or '~' or '&' or '#' or '$' || (ch == '_' && !inWord)
                || (i == first && ch is '-' or '+' or '=') || (numbered && i == digits)) sb.Append('\\');
            sb.Append(ch);
        }
        return sb.ToString();
    }

    /// <summary>A code span outside a table: the text exactly, whatever backticks it holds.</summary>
    public static string Code(string s) => Span(Terminal.Escape(s, keepLineFeeds: false));

    /// <summary>A code span in a table cell: as <see cref="Code"/>; text holding <c>|</c>, which a table reads before any span, as <c>&lt;code&gt;</c> around <see cref="Plain"/> text.</summary>
    /// <remarks>GitHub reads <c>\|</c> inside a span in a cell as <c>|</c>, other renderers (Markdig) keep the backslash; a tag and an escaped pipe read the same everywhere.</remarks>
    public static string CellCode(string s) => s.Contains('|') ? $"<code>{Plain(s)}</code>" : Code(s);

    // Opened and closed by one backtick more than the longest run inside; a space pads content
    // that starts or ends with a backtick or a space, since a span strips one space from each end
    // of content that is not all spaces.
    private static string Span(string s)
    {
        if (s.Length == 0) return "";
        int longest = 0, run = 0;
        foreach (var ch in s)
        {
            run = ch == '`' ? run + 1 : 0;
            longest = Math.Max(longest, run);
        }
        var fence = new string('`', longest + 1);
        var pad = (s[0] is '`' or ' ' || s[^1] is '`' or ' ') && s.Any(ch => ch != ' ') ? " " : "";
        return fence + pad + s + pad + fence;
    }
}
