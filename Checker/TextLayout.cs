namespace Klp.Check;

/// <summary>Plain-text layout for 80-column email output.</summary>
public static class TextLayout
{
    /// <summary>The width plain text must fit.</summary>
    public const int Width = 80;

    /// <summary>Wraps words into lines of at most <see cref="Width"/> columns, every line starting with <paramref name="indent"/>.</summary>
    public static IEnumerable<string> Wrap(IEnumerable<string> words, string indent, string separator = " ")
    {
        var line = new System.Text.StringBuilder(indent);
        var empty = true;
        foreach (var w in words)
        {
            var piece = empty ? w : separator + w;
            if (!empty && line.Length + piece.Length > Width)
            {
                yield return line.ToString().TrimEnd();
                line.Clear().Append(indent).Append(w);
            }
            else line.Append(piece);
            empty = false;
        }
        if (!empty) yield return line.ToString().TrimEnd();
    }
}
