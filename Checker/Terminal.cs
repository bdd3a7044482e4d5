namespace Klp.Check;

/// <summary>Where output goes and whether it may carry colour.</summary>
/// <param name="Colour">True only on a terminal without NO_COLOR.</param>
public sealed record Terminal(bool Colour)
{
    /// <summary>Colour when stdout is a terminal and NO_COLOR is unset.</summary>
    public static Terminal Detect() =>
        new(!Console.IsOutputRedirected && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR")));

    /// <summary>Plain output.</summary>
    public static Terminal Plain { get; } = new(false);

    /// <summary>Red text, for failures.</summary>
    public string Red(string s) => Colour ? $"\u001b[31m{s}\u001b[0m" : s;

    /// <summary>Yellow text, for refusals.</summary>
    public string Yellow(string s) => Colour ? $"\u001b[33m{s}\u001b[0m" : s;

    /// <summary>Bold text, for headings.</summary>
    public string Bold(string s) => Colour ? $"\u001b[1m{s}\u001b[0m" : s;

    /// <summary>Text with every control character but tab (and line feed, unless <paramref name="keepLineFeeds"/> is false) written as <c>\xNN</c>, so that what a file name or a file holds is printed, never obeyed by a terminal.</summary>
    public static string Escape(string s, bool keepLineFeeds = true)
    {
        var i = 0;
        while (i < s.Length && !IsEscaped(s[i], keepLineFeeds)) i++;
        if (i == s.Length) return s;
        var sb = new System.Text.StringBuilder(s.Length + 16).Append(s, 0, i);
        for (; i < s.Length; i++)
            if (IsEscaped(s[i], keepLineFeeds)) sb.Append($"\\x{(int)s[i]:x2}");
            else sb.Append(s[i]);
        return sb.ToString();
    }

    private static bool IsEscaped(char ch, bool keepLineFeeds) => char.IsControl(ch) && ch != '\t' && !(keepLineFeeds && ch == '\n');
}
