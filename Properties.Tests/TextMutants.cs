using FsCheck.Fluent;
using FsCheck;
using Klp.Check.Conformance;

namespace Klp.Check.Tests;

/// <summary>Mutants of shipped input files for the parser properties: up to six characters deleted, inserted or replaced.</summary>
public static class TextMutants
{
    /// <summary>The most edits one mutant carries.</summary>
    public const int MaxEdits = 6;

    /// <summary>A file of <paramref name="corpus"/> with up to <see cref="MaxEdits"/> edits, each inserting or writing a character of <paramref name="alphabet"/> or deleting one.</summary>
    public static Gen<string> Of(string[] corpus, string alphabet) =>
        from file in Gen.Elements(corpus)
        from edits in Gen.ListOf(
            from kind in Gen.Choose(0, 2)
            from at in Gen.Choose(0, Math.Max(0, file.Length - 1))
            from ch in Gen.Elements(alphabet.ToCharArray())
            select (kind, at, ch)).Select(l => l.Take(MaxEdits).ToList())
        select Apply(file, edits);

    private static string Apply(string text, List<(int Kind, int At, char Ch)> edits)
    {
        var sb = new System.Text.StringBuilder(text);
        foreach (var (kind, at, ch) in edits)
        {
            var i = Math.Min(at, sb.Length);
            if (kind == 0 && i < sb.Length) sb.Remove(i, 1);
            else if (kind == 1) sb.Insert(i, ch);
            else if (i < sb.Length) sb[i] = ch;
        }
        return sb.ToString();
    }
}
