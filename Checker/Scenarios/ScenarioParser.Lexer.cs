namespace Klp.Check.Scenarios;

public static partial class ScenarioParser
{
    private readonly record struct Token(string Text, int Column);

    private sealed partial class Parser
    {
        private static string FirstWord(string body)
        {
            var t = body.TrimStart();
            var end = 0;
            while (end < t.Length && !char.IsWhiteSpace(t[end])) end++;
            return t[..end];
        }

        // Splits on whitespace at depth 0; {...} and (...) groups stay whole.
        private List<Token>? Tokenize(string body, int column)
        {
            var tokens = new List<Token>();
            var i = 0;
            while (i < body.Length)
            {
                while (i < body.Length && char.IsWhiteSpace(body[i])) i++;
                if (i >= body.Length) break;
                var start = i;
                var depth = 0;
                while (i < body.Length && (depth > 0 || !char.IsWhiteSpace(body[i])))
                {
                    if (body[i] is '{' or '(') depth++;
                    else if (body[i] is '}' or ')') depth = Math.Max(0, depth - 1);
                    i++;
                }
                if (depth > 0)
                {
                    Error(column + start, $"unclosed bracket in '{body[start..i].Trim()}'");
                    return null;
                }
                tokens.Add(new Token(body[start..i].Trim(), column + start));
            }
            return tokens;
        }

        private static List<(string Part, int Offset)> SplitTopLevel(string text, char separator)
        {
            var parts = new List<(string, int)>();
            var depth = 0;
            var start = 0;
            for (var i = 0; i <= text.Length; i++)
            {
                if (i < text.Length)
                {
                    var ch = text[i];
                    if (ch is '{' or '(') depth++;
                    else if (ch is '}' or ')') depth = Math.Max(0, depth - 1);
                    if (ch != separator || depth > 0) continue;
                }
                var part = text[start..i];
                if (part.Trim().Length > 0) parts.Add((part, start + (part.Length - part.TrimStart().Length)));
                start = i + 1;
            }
            return parts;
        }

        private static int TopLevelIndexOf(string text, char ch)
        {
            var depth = 0;
            for (var i = 0; i < text.Length; i++)
            {
                if (text[i] is '{' or '(') depth++;
                else if (text[i] is '}' or ')') depth = Math.Max(0, depth - 1);
                else if (text[i] == ch && depth == 0) return i;
            }
            return -1;
        }
    }
}
